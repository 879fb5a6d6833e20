"""Signing what a person submits or decides, in the transaction that writes it."""
from __future__ import annotations

from app.core import signing
from app.core.ids import new_id
from app.db.engine import now_text
from app.db.models import ReviewAction, SignedStatement, WorkLog


def submission_line(log: WorkLog) -> str:
    return signing.submit_item(log.id, log.person_id, log.day, log.round, log.version,
                               log.content_hash)


def action_line(a: ReviewAction) -> str:
    return signing.review_item(a.id, a.log_id, a.round, a.version, a.content_hash, a.level,
                               a.action, a.final, a.reviewer_id, a.on_behalf_of)


def _statement(s, signer: signing.Signer, kind: str, lines: list[str]) -> str:
    statement_id, created_at, items = new_id(), now_text(), signing.items_text(lines)
    s.add(SignedStatement(id=statement_id, person_id=signer.person_id, key_id=signer.key_id,
                          kind=kind, items=items, created_at=created_at,
                          value=signer.sign(statement_id, kind, created_at, items)))
    return statement_id


def sign_submissions(s, signer: signing.Signer, logs: list[WorkLog]) -> None:
    """The author's signature over the logs as submitted (ids must be assigned: flush first)."""
    if logs:
        statement = _statement(s, signer, signing.SUBMIT, [submission_line(l) for l in logs])
        for log in logs:
            log.signature_id = statement


def sign_actions(s, signer: signing.Signer, actions: list[ReviewAction]) -> None:
    """The reviewer's signature over the actions, one statement for a whole batch."""
    if actions:
        for a in actions:
            if a.id is None:
                a.id = new_id()
        statement = _statement(s, signer, signing.REVIEW, [action_line(a) for a in actions])
        for a in actions:
            a.signature_id = statement

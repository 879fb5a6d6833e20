"""Signing what a person submits or decides, in the transaction that writes it: with Ed25519,
or with SM2 when the county chose 国密 (app.services.exchange.suite_choice)."""
from __future__ import annotations

from app.core import signing
from app.core.ids import new_id
from app.db.engine import now_text
from app.db.models import PersonKey, ReviewAction, SignedStatement, WorkLog
from app.services.exchange.suite_choice import GUOMI, family_in


def submission_line(log: WorkLog) -> str:
    return signing.submit_item(log.id, log.person_id, log.day, log.round, log.version,
                               log.content_hash)


def action_line(a: ReviewAction) -> str:
    return signing.review_item(a.id, a.log_id, a.round, a.version, a.content_hash, a.level,
                               a.action, a.final, a.reviewer_id, a.on_behalf_of)


def algorithm(s) -> str:
    """The algorithm new statements are signed with: SM2 in a 国密 county, else Ed25519."""
    return signing.ALG_SM2 if family_in(s) == GUOMI else signing.ALG_ED25519


def _publish_sm2(s, signer: signing.Signer) -> None:
    """The signer's key row gets its derived SM2 public key and the endorsement (first use)."""
    key = s.get(PersonKey, signer.key_id)
    public = signer.sm2_public()
    if key is not None and (key.sm2_public != public or not key.sm2_endorsement):
        key.sm2_public, key.sm2_endorsement = public, signer.sm2_endorsement()


def _statement(s, signer: signing.Signer, kind: str, lines: list[str]) -> str:
    statement_id, created_at, items = new_id(), now_text(), signing.items_text(lines)
    alg = algorithm(s)
    if alg == signing.ALG_SM2:
        _publish_sm2(s, signer)
    s.add(SignedStatement(id=statement_id, person_id=signer.person_id, key_id=signer.key_id,
                          kind=kind, items=items, created_at=created_at, alg=alg,
                          value=signer.sign(statement_id, kind, created_at, items, alg)))
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

"""Recompute the derived review columns of work logs (status, pending level, approved at) from
the author's state and the reviewers' actions. Called after every write that can change them
(save, submit, recall, review, amendment) and after sync merges; uses Core updates so that a
derived value never enters the outbox."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.core import vocab
from app.core.review import ActionFact, derive_state
from app.db.models import ReviewAction, WorkLog
from app.services.org_chart import OrgChart


def review_length(chart: OrgChart, author_id: str, levels: int) -> int:
    """Steps the author's log needs. Only the principal's need none; an author whose chain is
    empty because the roster lacks reviewers waits at level 1 (shown as 未配置审阅人), never
    approves itself."""
    person = chart.persons.get(author_id)
    if person is None:
        return 1
    if person.role == vocab.ROLE_PRINCIPAL:
        return 0
    return max(1, len(chart.chain(author_id, levels)))


def refresh(session: Session, log_ids: Iterable[str], chart: OrgChart, levels: int) -> None:
    ids = list(set(log_ids))
    changed = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        logs = session.execute(select(
            WorkLog.id, WorkLog.person_id, WorkLog.state, WorkLog.round, WorkLog.version,
            WorkLog.content_hash, WorkLog.submitted_at, WorkLog.status, WorkLog.pending_level,
            WorkLog.approved_at).where(WorkLog.id.in_(chunk))).all()
        actions = defaultdict(list)
        # plain columns, not ORM objects: refresh runs over every log of a unit after a roster
        # or settings change and over a whole generated demo year
        for log_id, *fact in session.execute(select(
                ReviewAction.log_id, ReviewAction.round, ReviewAction.version,
                ReviewAction.content_hash, ReviewAction.level, ReviewAction.action,
                ReviewAction.final, ReviewAction.created_at)
                .where(ReviewAction.log_id.in_(chunk), ReviewAction.deleted.is_(False))):
            actions[log_id].append(ActionFact(*fact))
        for log in logs:
            chain_len = review_length(chart, log.person_id, levels)
            new = derive_state(log.state, log.round, log.version, log.content_hash, chain_len,
                               actions.get(log.id, ()), log.submitted_at)
            if (new.status, new.pending_level, new.approved_at) != (
                    log.status, log.pending_level, log.approved_at):
                changed.append({"log_id": log.id, "new_status": new.status,
                                "new_level": new.pending_level, "new_approved": new.approved_at})
    _write(session, changed)


def _write(session: Session, changed: list[dict]) -> None:
    """One executemany on the session's connection: an ORM UPDATE per log cost ~5 ms (statement
    compiled and the identity map searched each time), 13 s for a unit-month's sync import. Core
    bypasses the session, so loaded WorkLog objects get the three columns expired instead."""
    if not changed:
        return
    table = WorkLog.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("log_id")).values(
            status=bindparam("new_status"), pending_level=bindparam("new_level"),
            approved_at=bindparam("new_approved")), changed)
    for row in changed:
        loaded = session.identity_map.get(identity_key(WorkLog, row["log_id"]))
        if loaded is not None:
            session.expire(loaded, ["status", "pending_level", "approved_at"])


def refresh_all(session: Session, chart: OrgChart, levels: int, also: Iterable[str] = ()) -> None:
    """Every log whose state a migration, a settings change or a roster change can alter: those
    still in review, and the approved ones without a final action on their current content
    (approved because the chain shrank below the levels already approved, or the principal's).
    Leaving the latter out made the state depend on the order of changes: lowering
    review.levels approved them, raising it again did not reopen them, yet any later refresh of
    such a log (a save, a sync merge) did — so two PCs of one unit could disagree."""
    final = exists().where(ReviewAction.log_id == WorkLog.id, ReviewAction.round == WorkLog.round,
                           ReviewAction.version == WorkLog.version,
                           ReviewAction.content_hash == WorkLog.content_hash,
                           ReviewAction.final.is_(True), ReviewAction.deleted.is_(False))
    ids = session.scalars(select(WorkLog.id).where(
        WorkLog.state == "submitted", or_(WorkLog.status != "approved", ~final))).all()
    refresh(session, set(ids).union(also), chart, levels)


def refresh_for(db, session: Session, log_ids: Iterable[str]) -> None:
    """`refresh` with the roster and review settings as this session sees them."""
    from app.services import org_chart, unit_settings
    refresh(session, log_ids, org_chart.load_in(session), unit_settings.get_in(session, "review.levels"))


def refresh_all_for(db, session: Session, also: Iterable[str] = ()) -> None:
    """`refresh_all` after a change of the roster, the 分管 lines or the review levels; `also`:
    further logs to refresh in the same pass (a sync merge's logs)."""
    from app.services import org_chart, unit_settings
    refresh_all(session, org_chart.load_in(session), unit_settings.get_in(session, "review.levels"),
                also)

"""Recompute the derived review columns of work logs (status, pending level, approved at) from
the author's state and the reviewers' actions. Called after every write that can change them
(save, submit, recall, review, amendment) and after sync merges; uses Core updates so that a
derived value never enters the outbox."""
from __future__ import annotations

from itertools import chain, groupby
from operator import itemgetter
from typing import Iterable

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.core import vocab
from app.core.review import decide_state
from app.db.engine import in_chunks
from app.db.models import ReviewAction, WorkLog
from app.services.org import chart as org_chart, unit_settings
from app.services.org.chart import OrgChart


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


# Each log with its current actions (the log's round, version and content hash: what
# derive_state counts), oldest first, joined in SQL so that the 64-character hashes are not read
# back once per action; a log without any comes once with NULLs.
_FACTS = ("SELECT w.id, w.person_id, w.state, w.submitted_at, w.status, w.pending_level, w.approved_at, "
          "a.created_at, a.level, a.action, a.final FROM work_log w LEFT JOIN review_action a "
          "ON a.log_id = w.id AND a.round = w.round AND a.version = w.version "
          "AND a.content_hash IS w.content_hash AND a.deleted = 0 {where} "
          "ORDER BY w.id, a.created_at, a.level, a.action, a.final")


def refresh(session: Session, log_ids: Iterable[str] | None, chart: OrgChart, levels: int, *,
            heal: bool = False) -> None:
    """Recompute and store the derived columns of the given logs (None: every log). Plain SQL
    rows, not ORM objects: refresh runs over every log of a unit after a roster or settings
    change, after a sync import and over a whole generated demo year (a county's import
    refreshes ~1.4 M logs). When the logs are most of the table, all are read in one pass
    instead of by lists of ids: refreshing a log whose facts did not change changes nothing.
    A log marked 签名无效 keeps that mark: only the signature check (`heal`) lifts it."""
    session.flush()    # the SQL below bypasses the ORM's autoflush: pending log edits first
    conn = session.connection()
    ids = None if log_ids is None else set(log_ids)
    if ids is not None and len(ids) * 2 >= conn.exec_driver_sql("SELECT count(*) FROM work_log").scalar():
        ids = None
    if ids is None:
        results = [conn.exec_driver_sql(_FACTS.format(where=""))]
    else:   # ids are UUIDv7: sorted, each chunk reads neighbouring pages
        results = (conn.exec_driver_sql(_FACTS.format(where=f"WHERE w.id IN ({', '.join('?' * len(chunk))})"),
                                        chunk) for chunk in in_chunks(tuple(sorted(ids))))
    lengths: dict[str, int] = {}
    changed = []
    for result in results:
        rows = chain.from_iterable(result.partitions(5000))    # not a fetch call per row
        for log_id, group in groupby(rows, key=itemgetter(0)):
            group = list(group)
            _, person_id, state, submitted_at, status, pending_level, approved_at = group[0][:7]
            if status == vocab.LOG_INVALID and not heal:
                continue
            chain_len = lengths.get(person_id)
            if chain_len is None:
                chain_len = lengths[person_id] = review_length(chart, person_id, levels)
            current = [row[7:] for row in group if row[7] is not None]
            new = decide_state(state, chain_len, current, submitted_at)
            if new != (status, pending_level, approved_at):
                changed.append((*new, log_id))
    _write(session, changed)


def _write(session: Session, changed: list[tuple]) -> None:
    """One executemany on the session's connection: an ORM UPDATE per log cost ~5 ms (statement
    compiled and the identity map searched each time), 13 s for a unit-month's sync import. Core
    bypasses the session, so loaded WorkLog objects get the three columns expired instead."""
    if not changed:
        return
    session.connection().exec_driver_sql(
        "UPDATE work_log SET status = ?, pending_level = ?, approved_at = ? WHERE id = ?", changed)
    if session.identity_map:
        ids = {row[3] for row in changed}
        for (cls, key, _), loaded in list(session.identity_map.items()):
            if cls is WorkLog and key[0] in ids:
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


def refresh_for(db, session: Session, log_ids: Iterable[str], *, heal: bool = False) -> None:
    """`refresh` with the roster and review settings as this session sees them."""
    refresh(session, log_ids, org_chart.load_in(session), unit_settings.get_in(session, "review.levels"),
            heal=heal)


def refresh_all_for(db, session: Session, also: Iterable[str] = ()) -> None:
    """`refresh_all` after a change of the roster, the 分管 lines or the review levels; `also`:
    further logs to refresh in the same pass (a sync merge's logs)."""
    refresh_all(session, org_chart.load_in(session), unit_settings.get_in(session, "review.levels"),
                also)

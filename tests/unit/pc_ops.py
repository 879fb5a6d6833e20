"""The work of a unit, done on one PC of a multi-PC unit and again on a single-PC reference, for
the convergence test (tests/unit/test_pc_convergence.py).

An operation is a function of a database. It runs on the PC it was given to; when it succeeds
there, it runs on the reference too, in the same order. What may be compared with the reference
is decided per log (person, day): an operation whose PC had not yet seen the latest successful
operation on that log (or, for a 代审 review, on the delegation) is concurrent with it, and the
log is marked `concurrent`. Such a log is resolved between the PCs by (HLC, origin) — every
replica must agree — but a single PC has no such race, so it is left out of the comparison with
the reference. Everything else (the roster, the delegations, every log whose operations were
causally ordered) must equal the reference.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from app.core.errors import AppError
from app.db.engine import Database
from app.db.models import Delegation, Person, WorkLog
from app.services.logs import amend
from app.services.org import delegation
from app.services.review import queue as review
from tests.unit.sync_fixtures import actor_for, add_people, write_log

DELEGATION = ("delegation",)        # the key of the delegation rows (one reviewer: ld)


# ---------------------------------------------------------------- what a PC holds of a key
def fingerprint(db: Database, key: tuple) -> tuple:
    """What `db` holds of a log (login, day) or of the delegations: equal on two PCs exactly when
    both have seen the same operations on it."""
    conn_rows = _delegations(db) if key == DELEGATION else _log_state(db, *key, ids=True)
    return tuple(conn_rows)


def _log_state(db: Database, login: str, day: str, ids: bool = False) -> list[tuple]:
    sql_log = ("SELECT l.id, l.status, l.pending_level, l.version, l.round, l.state, l.day_state, "
               "l.content_hash, coalesce(l.amend_reason, '') FROM work_log l JOIN person p "
               "ON p.id = l.person_id WHERE p.login = ? AND l.day = ? AND l.deleted = 0 ORDER BY l.id")
    sql_entries = ("SELECT e.seq, e.hours, e.category, coalesce(t.content, '') FROM log_entry e "
                   "LEFT JOIN entry_text t ON t.id = e.id WHERE e.log_id = ? AND e.deleted = 0 "
                   "ORDER BY e.seq")
    sql_reviews = ("SELECT a.id, a.round, a.version, a.level, a.action, a.final, r.login, "
                   "coalesce(b.login, ''), a.comment FROM review_action a "
                   "JOIN person r ON r.id = a.reviewer_id LEFT JOIN person b ON b.id = a.on_behalf_of "
                   "WHERE a.log_id = ? AND a.deleted = 0")
    sql_versions = "SELECT version, reason, content_hash FROM log_version WHERE log_id = ? AND deleted = 0"
    out = []
    with db.read() as s:
        conn = s.connection()
        for log in conn.exec_driver_sql(sql_log, (login, day)).all():
            reviews = sorted(tuple(r[0 if ids else 1:]) for r in conn.exec_driver_sql(sql_reviews, (log[0],)))
            out.append((tuple(log[0 if ids else 1:]),
                        tuple(tuple(e) for e in conn.exec_driver_sql(sql_entries, (log[0],))),
                        tuple(reviews),
                        tuple(sorted(tuple(v) for v in conn.exec_driver_sql(sql_versions, (log[0],))))))
    return out


def _delegations(db: Database) -> list[tuple]:
    with db.read() as s:
        return sorted(tuple(r) for r in s.connection().exec_driver_sql(
            "SELECT r.login, d.login, g.start_day, g.end_day, g.deleted FROM delegation g "
            "JOIN person r ON r.id = g.reviewer_id JOIN person d ON d.id = g.delegate_id"))


def projection(db: Database, keys: set[tuple]) -> dict:
    """What a user sees, without ids, clocks or origins: the roster, the delegations and, per
    log in `keys`, its state, entries, reviews and kept versions."""
    with db.read() as s:
        roster = sorted(tuple(r) for r in s.execute(
            select(Person.login, Person.name, Person.role, Person.status, Person.deleted)))
    return {"roster": roster, "delegations": _delegations(db),
            "logs": {key: _log_state(db, *key) for key in sorted(keys)}}


def all_log_keys(db: Database) -> set[tuple]:
    with db.read() as s:
        return {(login, day) for login, day in s.execute(
            select(Person.login, WorkLog.day).join(Person, Person.id == WorkLog.person_id)
            .where(WorkLog.deleted.is_(False)))}


# ---------------------------------------------------------------- the operations
@dataclass
class Op:
    kind: str
    run: Callable[[Database], object]
    key: tuple | None = None                       # the log it changes (None: roster)
    reads: tuple = ()                              # other keys it depends on


def log_op(login, day, text, hours, submit) -> Op:
    return Op("log", lambda db: write_log(db, login, day, text, hours=hours, submit=submit),
              (login, day.isoformat()))


def review_op(reviewer, login, day, returned: bool, comment: str) -> Op:
    def run(db):
        log_id = review.find_log(db, login, day)
        actor = actor_for(db, reviewer)
        # the real date: a 代审 row is checked against the review's own time on import
        if returned:
            return review.return_log(db, actor, log_id, comment, today=dt.date.today())
        return review.approve(db, actor, log_id, comment, today=dt.date.today())
    return Op("return" if returned else "approve", run, (login, day.isoformat()),
              (DELEGATION,) if reviewer == "dl" else ())


def resubmit_op(login, day, text) -> Op:
    """The author edits a returned log and submits it again (a new round)."""
    return Op("resubmit", lambda db: write_log(db, login, day, text, hours=6.0, submit=True),
              (login, day.isoformat()))


def amend_op(login, day, reason, text) -> Op:
    """申请修改 of an approved log: a new version, edited and submitted for review again."""
    def run(db):
        amend.start_amendment(db, actor_for(db, login), day, reason)
        return write_log(db, login, day, text, hours=7.0, submit=True)
    return Op("amend", run, (login, day.isoformat()))


def add_person_op(login, name) -> Op:
    def run(db):
        add_people(db, [(login, name, "科室人员")])
        actor_for(db, login)               # the account (and signing key) made there, as the admin does
    return Op("roster", run)


def rename_op(login, name) -> Op:
    def run(db):
        with db.session() as s:
            person = s.scalar(select(Person).where(Person.login == login))
            if person is None:
                raise AppError(f"没有{login}")
            person.name = name
    return Op("roster", run)


def delegate_op(start: dt.date, end: dt.date) -> Op:
    return Op("delegate", lambda db: delegation.set_delegation(db, actor_for(db, "ld"), "dl", start, end),
              DELEGATION)


def cancel_delegation_op() -> Op:
    def run(db):
        rows = delegation.my_delegations(db, actor_for(db, "ld"))
        if not rows:
            raise AppError("没有代审设置")
        delegation.cancel_delegation(db, actor_for(db, "ld"), rows[0].id)
    return Op("undelegate", run, DELEGATION)


# ---------------------------------------------------------------- the reference beside the PCs
@dataclass
class Reference:
    """A single-PC unit that performs, in order, every operation that succeeded on some PC."""
    db: Database
    latest: dict[tuple, tuple] = field(default_factory=dict)   # key → fingerprint after its last op
    concurrent: set[tuple] = field(default_factory=set)
    differed: list[str] = field(default_factory=list)         # ordered ops the reference refused
    counts: dict[str, int] = field(default_factory=dict)

    def perform(self, db: Database, op: Op) -> bool:
        """`op` on a PC's replica `db`; True when it succeeded there (and was then replayed)."""
        keys = [k for k in (op.key, *op.reads) if k is not None]
        stale = [k for k in keys if k in self.latest and fingerprint(db, k) != self.latest[k]]
        try:
            op.run(db)
        except AppError:
            self.counts["refused"] = self.counts.get("refused", 0) + 1
            return False
        self.counts[op.kind] = self.counts.get(op.kind, 0) + 1
        if stale and op.key is not None:
            self.concurrent.add(op.key)
        if op.key is not None:
            self.latest[op.key] = fingerprint(db, op.key)
        try:
            op.run(self.db)
        except AppError as exc:
            if op.key is None or op.key not in self.concurrent:
                self.differed.append(f"{op.kind} {op.key}: {exc}")
        return True

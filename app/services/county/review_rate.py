"""审核率 of each unit (app.core.bureau.reminders.ReviewRate): counted on the unit's mirror, cached
in `county_figures` beside the unit's figures under the key "review:<period>" for the same months,
quarters and years (app.services.county.figures.unit_figures), read by the county table.

Counted: the unit's live logs of the period's days whose author's chain is not empty (every role
but 主要领导), submitted and waiting (status 已提交) or finally approved (已审定); the review state
is the one derived in the mirror (app.services.review.state).
"""
from __future__ import annotations

import json

from sqlalchemy import func, select

from app.core import vocab
from app.core.bureau.reminders import ReviewRate
from app.core.metrics import Period, parse_period
from app.db.engine import Database
from app.db.models import Person, WorkLog
from app.services.stats.queries import period_filter

PREFIX = "review:"


def key_of(period: Period | str) -> str:
    return PREFIX + (period if isinstance(period, str) else period.text)


# the logs that count: live, sent for review (waiting or finally approved), by someone with a chain
_COUNTED = (WorkLog.deleted.is_(False), WorkLog.status.in_((vocab.LOG_SUBMITTED, vocab.LOG_APPROVED)),
            Person.role != vocab.ROLE_PRINCIPAL)


def _rate(counts: dict[str, int]) -> ReviewRate:
    approved = counts.get(vocab.LOG_APPROVED, 0)
    return ReviewRate(approved + counts.get(vocab.LOG_SUBMITTED, 0), approved)


def count(mirror: Database, period: Period) -> ReviewRate:
    """The unit's 审核率 inputs in `period`, from its mirror as it stands."""
    with mirror.read() as s:
        return _rate(dict(s.execute(
            select(WorkLog.status, func.count()).join(Person, Person.id == WorkLog.person_id)
            .where(*period_filter(WorkLog.month, WorkLog.day, period), *_COUNTED)
            .group_by(WorkLog.status)).all()))


def cache_rows(mirror: Database, keys: list[str]) -> list[tuple[str, str]]:
    """(cache key, JSON) of the whole periods `keys` (2026-10, 2026-Q4, 2026-H2, 2026), for
    store_figures: one count per month and status, summed into each period."""
    periods = [parse_period(key) for key in keys]
    if not periods:
        return []
    with mirror.read() as s:
        per_month = s.execute(
            select(WorkLog.month, WorkLog.status, func.count()).join(Person, Person.id == WorkLog.person_id)
            .where(WorkLog.month.between(min(p.first_month for p in periods),
                                         max(p.last_month for p in periods)), *_COUNTED)
            .group_by(WorkLog.month, WorkLog.status)).all()
    rows = []
    for key, period in zip(keys, periods):
        counts: dict[str, int] = {}
        for month, status, n in per_month:
            if period.first_month <= month <= period.last_month:
                counts[status] = counts.get(status, 0) + n
        rows.append((key_of(key), json.dumps(_rate(counts).to_json())))
    return rows


def from_cache(payload: str | None) -> ReviewRate | None:
    return None if payload is None else ReviewRate.from_json(json.loads(payload))

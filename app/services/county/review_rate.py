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


def count(mirror: Database, period: Period) -> ReviewRate:
    """The unit's 审核率 inputs in `period`, from its mirror as it stands."""
    with mirror.read() as s:
        rows = dict(s.execute(
            select(WorkLog.status, func.count()).join(Person, Person.id == WorkLog.person_id)
            .where(*period_filter(WorkLog.month, WorkLog.day, period), WorkLog.deleted.is_(False),
                   WorkLog.status.in_((vocab.LOG_SUBMITTED, vocab.LOG_APPROVED)),
                   Person.role != vocab.ROLE_PRINCIPAL)
            .group_by(WorkLog.status)).all())
    approved = rows.get(vocab.LOG_APPROVED, 0)
    return ReviewRate(approved + rows.get(vocab.LOG_SUBMITTED, 0), approved)


def cache_rows(mirror: Database, keys: list[str]) -> list[tuple[str, str]]:
    """(cache key, JSON) of the periods `keys` (2026-10, 2026-Q4, 2026), for store_figures."""
    return [(key_of(key), json.dumps(count(mirror, parse_period(key)).to_json())) for key in keys]


def from_cache(payload: str | None) -> ReviewRate | None:
    return None if payload is None else ReviewRate.from_json(json.loads(payload))

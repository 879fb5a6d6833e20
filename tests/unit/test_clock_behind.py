"""A PC whose clock is behind must not lose its newer write: a row's new version is stamped after
the version it replaces, whatever the local wall clock says (issue 16: a log submitted on a PC
10 minutes slow kept the 编办's mirror on the older draft)."""
from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from app.core.hlc import HybridClock, parse_hlc
from app.db.models import WorkLog
from app.services.logs import daily as logs

DAY = dt.date(2026, 11, 16)
TODAY = dt.date(2026, 11, 20)
TEN_MINUTES_MS = 10 * 60 * 1000


def entry(hours: float, content: str) -> logs.EntryDraft:
    return logs.EntryDraft(hours=hours, category="业务工作", content=content)


def log_hlc(db) -> str:
    with db.read() as s:
        return s.scalar(select(WorkLog.hlc).where(WorkLog.day == DAY))


def test_an_edit_on_a_slow_clock_is_stamped_after_the_version_it_replaces(unit_db, admin):
    logs.save_day(unit_db, admin, DAY, "正常", [entry(2, "草稿")], today=TODAY)
    draft = log_hlc(unit_db)
    # the same file now written by a process whose clock is ten minutes behind (another PC)
    unit_db.clock = HybridClock(wall=lambda: time.time_ns() // 1_000_000 - TEN_MINUTES_MS)
    logs.save_day(unit_db, admin, DAY, "正常", [entry(8, "改后")], submit=True, today=TODAY)
    submitted = log_hlc(unit_db)
    assert submitted > draft, (submitted, draft)
    # later local writes keep sorting after it: the clock learned the time it had seen
    assert parse_hlc(unit_db.clock.now()) > parse_hlc(submitted)

"""Gathering the county 通报 (全县机关履职监测情况的通报): the county table of the period with each
unit's 审核率, and each unit's 上报包 standing on the day it is issued; app.reports.county.notice
writes it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

from app.core.periods import as_period
from app.core.errors import AppError
from app.core.metrics import Period
from app.db.engine import Database
from app.reports.county.notice import write_notice
from app.reports.report_parts import ReportInfo
from app.services.county import reminders, table as county
from app.services.county.mirrors import Mirrors
from app.services.org.setup import unit_of


def build_county_notice(db: Database, period: Period | str, out: Path | str, *,
                        today: dt.date | None = None, number: int | None = None) -> ReportInfo:
    """Write the 通报 of `period` to `out` (编办版 only); `number`: the 文号's number."""
    started = time.perf_counter()
    period = as_period(period)
    if number is not None and number < 1:
        raise AppError(f"文号的序号应为正整数：{number}")
    today = today or dt.date.today()
    if period.start > today:
        raise AppError(f"{period.label}尚未开始，不能通报")
    settings = reminders.notice_settings(db)
    mirrors = Mirrors(db)             # raises for a unit database
    try:
        rows = county.county_table(db, mirrors, period, today=today)
        packages = reminders.package_standing(db, mirrors, today, settings.due_day)
    finally:
        mirrors.close()
    if not rows:
        raise AppError("还没有登记单位（或尚未收到任何单位的上报包），无法生成通报")
    info = write_notice(rows, packages, settings, period, unit_of(db).name, today, out, number=number)
    return dataclasses.replace(info, seconds=time.perf_counter() - started)

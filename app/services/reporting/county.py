"""Gathering the 编办's county report (机构编制执行情况和使用效益分析报告): the county table of the
period and of the one before, from the figures cache; app.reports.county.report writes it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

from app.core.periods import as_period
from app.core.errors import AppError
from app.core.metrics import Period
from app.db.engine import Database
from app.reports.county.report import write_report
from app.reports.report_data import previous_period
from app.reports.report_parts import ReportInfo
from app.services.county import table as county
from app.services.county.bodies import parents
from app.services.county.mirrors import Mirrors
from app.services.org.setup import unit_of
from app.services.stats.need import rule_of


def build_county_report(db: Database, period: Period | str, out: Path | str, *,
                        xlsx: Path | str | None = None, today: dt.date | None = None) -> ReportInfo:
    """Write the county report of `period` to `out` (and its tables to `xlsx`); 编办版 only."""
    started = time.perf_counter()
    period = as_period(period)
    today = today or dt.date.today()
    mirrors = Mirrors(db)             # raises for a unit database
    try:
        rows = county.county_table(db, mirrors, period, today=today)
        previous = previous_period(period)
        before = county.county_table(db, mirrors, previous, today=today)
        links = parents(db, mirrors)
    finally:
        mirrors.close()
    if not rows:
        raise AppError("还没有登记单位，无法生成全县机构编制执行情况报告")
    info = write_report(rows, before, period, previous, unit_of(db).name, today, out, xlsx,
                        rule=rule_of(db), parents=links)
    return dataclasses.replace(info, seconds=time.perf_counter() - started)

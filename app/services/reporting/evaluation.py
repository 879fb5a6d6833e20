"""Gathering the evaluation reports: one unit's round (unit database, or a 编办 mirror) and the
whole round at the 编办, read into plain UnitEval values that app.reports.evaluation.report writes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

from app.core.errors import AppError
from app.core.metrics import parse_period
from app.db.engine import Database
from app.reports.evaluation.report import write_round_report, write_unit_report
from app.reports.evaluation.data import UnitEval
from app.reports.report_parts import ReportInfo
from app.services.org.headcount import staffing_of
from app.services.county.bodies import parents
from app.services.county.mirrors import Mirrors, registered_units
from app.services.evaluation import adjustments
from app.services.evaluation.grading import grading_of
from app.services.evaluation.rounds import assigned_units, detail
from app.services.evaluation.rounds_bureau import results
from app.services.org.setup import unit_of
from app.services.stats import compute as stats


def build_eval_report(db: Database, round_id: str, out: Path | str, *, unit: str | None = None,
                      xlsx: Path | str | None = None, today: dt.date | None = None) -> ReportInfo:
    """The unit report (unit database, or 编办 database with `unit` = id) or the round report
    (编办 database without `unit`)."""
    started = time.perf_counter()
    today = today or dt.date.today()
    issuer = unit_of(db).name
    if db.edition == "unit":
        if unit and unit != db.unit_id:
            raise AppError("单位版只能生成本单位的评估报告")
        info = write_unit_report(unit_eval(db, round_id, today=today), issuer, today, out, xlsx)
    elif db.edition == "bureau":
        mirrors = Mirrors(db)
        try:
            units = round_units(db, mirrors, round_id, today)
            links = parents(db, mirrors)
        finally:
            mirrors.close()
        if not units:
            raise AppError("该评估批次还没有下达给任何单位")
        if unit:
            found = [u for u in units if u.unit_id == unit]
            if not found:
                raise AppError("该单位不在这个评估批次中")
            info = write_unit_report(found[0], issuer, today, out, xlsx, units_in_round=len(units))
        else:
            info = write_round_report(units, issuer, today, out, xlsx, parents=links)
    else:
        raise AppError("请用单位或编办的数据库生成评估报告")
    return dataclasses.replace(info, seconds=time.perf_counter() - started)


def unit_eval(db: Database, round_id: str, unit_id: str | None = None, *, name: str | None = None,
              today: dt.date | None = None) -> UnitEval:
    """One unit of a round from its database (unit file or 编办 mirror)."""
    today = today or dt.date.today()
    d = detail(db, round_id, unit_id, today)
    staffing, unit = staffing_of(db)
    found = stats.unit_stats(db, parse_period(d.period), "unit", today=today)
    entered = [(a.code, a.name, a.rule_text, a.times, a.points, a.reason)
               for a in adjustments.lines(db, round_id, d.unit_id) if a.times]
    return UnitEval(d.unit_id, name or (unit.name if unit else ""), unit.unit_class if unit else "", d,
                    staffing, found[0] if found else None, adjustments=entered)


def round_units(db: Database, mirrors, round_id: str, today: dt.date | None = None) -> list[UnitEval]:
    """Every unit of the round at the 编办, ranked by the 编办's total (units not fully scored
    last, unranked), as rounds_bureau.results ranks them."""
    names = {u.unit_id: u.name for u in registered_units(db)}
    units = [unit_eval(mirrors.get(unit_id), round_id, unit_id, name=names.get(unit_id), today=today)
             for unit_id, _ in assigned_units(db, mirrors, round_id)]
    # rank and 等次 as the results page gives them (final score: the 编办's total + 加分/扣分)
    graded = {r.unit_id: r for r in results(db, mirrors, round_id, today)}
    text = grading_of(db, round_id).text()
    for u in units:
        r = graded.get(u.unit_id)
        if r is not None:
            u.rank, u.grade, u.percent = r.rank, r.grade, r.percent
        u.grading_text = text
    ranked = sorted((u for u in units if u.rank), key=lambda u: u.rank)
    return ranked + sorted((u for u in units if not u.rank), key=lambda u: u.name)

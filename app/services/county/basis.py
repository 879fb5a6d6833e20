"""What the 编办 counts a unit by, and what the unit changed that moves its figures without being
work (docs/ARCHITECTURE.md "Metrics"; app.services.exchange.figure_changes for the baselines).

- Calendar: the national one (org.calendar.official_calendar), with the unit's own on the days
  the 编办 accepted (county.acceptance); the other days the unit's calendar departs are named.
- Statistics settings: the 编办's own values of unit_settings.COUNTY_OWN; a unit's differing
  values (and its review levels, which the 编办 cannot recompute) are named.
- Duty classes: named against the class each duty had when it first reached the 编办.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core import vocab
from app.db.engine import Database
from app.db.models import Duty, DutyBaseline
from app.services.exchange.figure_changes import FigureChange, describe
from app.services.org import unit_settings
from app.services.org.calendar import accepted_days_in, open_deviations, work_calendar

SHOWN_DAYS = 3


def bureau_values(db: Database) -> dict[str, object]:
    """The 编办's own values of the settings it computes every unit with."""
    values = unit_settings.all_values(db)
    return {key: values[key] for key in unit_settings.COUNTY_OWN}


def calendar_state(mirror: Database) -> tuple[list[dt.date], list[dt.date]]:
    """(days the unit's calendar departs from the national one and the 编办 has not accepted,
    accepted days still in effect)."""
    with mirror.read() as s:
        accepted = accepted_days_in(s)
    return open_deviations(work_calendar(mirror), accepted)


def duty_changes(mirror: Database) -> list[FigureChange]:
    """The unit's live duties whose class differs from their baseline, and the 核心 ones it
    added after the 编办 held its duties."""
    moved, added = [], []
    with mirror.read() as s:
        rows = s.execute(select(Duty.code, Duty.duty_class, DutyBaseline.duty_class)
                         .join(DutyBaseline, DutyBaseline.duty_id == Duty.id)
                         .where(Duty.deleted.is_(False), Duty.origin != mirror.origin)).all()
    for code, now, base in rows:
        if base is None:
            if now == vocab.DUTY_CORE:
                added.append(code)
        elif base != now:
            moved.append((code, base, now))
    return describe(moved, added)


def unit_values(mirror: Database) -> dict[str, object]:
    with mirror.read() as s:
        return unit_settings.figure_values_in(s)


def days_text(days: list[str]) -> str:
    """“10-19、10-20、10-21等”: ISO days of one year or more, a few named."""
    return "、".join(d[5:] for d in days[:SHOWN_DAYS]) + ("等" if len(days) > SHOWN_DAYS else "")


def warnings(info: dict, own: dict[str, object]) -> list[str]:
    """The county table's warnings from a unit's cached snapshot (figures.staffing_payload) and
    the 编办's own setting values `own`."""
    found = []
    days = info.get("calendar_deviations") or []
    if days:
        found.append(f"单位工作日历与国家安排不同{len(days)}天（{days_text(days)}），按国家安排统计")
    taken = info.get("calendar_accepted") or []
    if taken:
        found.append(f"编办已认可单位工作日历{len(taken)}天（{days_text(taken)}），这些天按单位日历统计")
    found += [change["text"] for change in info.get("duty_changes") or []]
    theirs = info.get("settings") or {}
    differ = [k for k in unit_settings.COUNTY_OWN if k in theirs and theirs[k] != own.get(k)]
    if differ:
        found.append("单位统计设置与编办不同（" + "，".join(
            f"{unit_settings.FIGURE_KEYS[k][0]}：单位{unit_settings.figure_value_text(k, theirs[k])}、"
            f"编办{unit_settings.figure_value_text(k, own[k])}" for k in differ) + "），按编办的设置统计")
    levels = theirs.get("review.levels")
    default = unit_settings.SPECS["review.levels"].default
    if levels is not None and levels < default:       # fewer levels: a lower bar to 审定
        found.append(f"单位审阅级数为{levels}级（默认{default}级）：其日志经{levels}级审阅即算审定")
    return found

"""组织人事 export (seed 002: 将履职数据推送至组织部门，作为公务员平时考核的重要参考): the
unit's per-person figures, one row per person per quarter, for the organisation department.

Who may export: the 主要领导 (the whole unit), a 分管领导 (the people of the sections in their
charge, and themself: what the statistics show them) and the unit admin (the whole unit: the
admin hands the data over). Anyone else is refused.

The numbers are the statistics' own person figures (compute.unit_stats(level="person")) for each
quarter: no figure is worked out here.

    table = hr_table(db, actor, "2026-Q3")
    write_hr_export(db, actor, "2026-Q3", "hr.xlsx")          # or .pdf
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.periods import as_period
from app.core import metrics as M
from app.core import vocab
from app.core.calendar import WorkCalendar
from app.core.errors import AppError, PermissionDenied
from app.core.figures import PERSON
from app.core.metrics import Period
from app.core.periods import quarter_period
from app.db.engine import Database
from app.reports.hr_table import HrRow, HrTable, write_pdf, write_xlsx
from app.services.org import structure as org
from app.services.org.actor import Actor
from app.services.stats import compute

REFUSED = "组织人事导出限主要领导、分管领导和单位管理员"
EXPORTERS = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)


def may_export(actor: Actor | None) -> bool:
    return actor is not None and (actor.is_admin or actor.role in EXPORTERS)


def _stats_actor(actor: Actor | None) -> tuple[Actor | None, str]:
    """(whose statistics rights filter the rows — None: the whole unit, the scope's name)."""
    if not may_export(actor):
        raise PermissionDenied(REFUSED)
    if actor.is_admin or actor.role == vocab.ROLE_PRINCIPAL:
        return None, "全单位"
    return actor, "分管科室"


def quarters_of(period: Period, today: dt.date) -> list[Period]:
    """The quarters the period lies in (a month: its quarter; a year: its quarters), leaving
    out those that have not begun by `today`."""
    found, year, q = [], period.start.year, (period.start.month - 1) // 3 + 1
    while True:
        quarter = quarter_period(year, q)
        if quarter.start > period.end:
            break
        if quarter.start <= today:
            found.append(quarter)
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    if not found:
        raise AppError(f"统计期间“{period.label}”尚未开始，没有可导出的季度")
    return found


def hr_table(db: Database, actor: Actor | None, period: Period | str, *, today: dt.date | None = None,
             calendar: WorkCalendar | None = None, now: dt.datetime | None = None) -> HrTable:
    """The rows of the export: every counted person the exporter may see, per quarter."""
    who, scope = _stats_actor(actor)
    if db.edition != "unit":
        raise AppError("组织人事导出在单位版中进行（编办版请在全县分析中查看各单位）")
    period = as_period(period)
    today = today or dt.date.today()
    posts = {p.login: p.post for p in org.persons(db)}
    rows = []
    quarters = quarters_of(period, today)
    for quarter in quarters:
        for f in compute.unit_stats(db, quarter, PERSON, actor=who, today=today, calendar=calendar):
            rows.append(person_row(quarter.label, f, posts.get(f.login or "", "")))
    with db.read() as s:
        unit_name = compute.Q.unit_name(s, db.unit_id)
    return HrTable(unit_name, period.label, [q.label for q in quarters], now or dt.datetime.now(),
                   f"{actor.name}（{'单位管理员' if actor.is_admin and actor.role not in EXPORTERS else actor.role}）",
                   scope, rows)


def person_row(quarter: str, f, post: str) -> HrRow:
    """One person's figures of one quarter, as the statistics computed them."""
    return HrRow(quarter, f.section or "", f.name, f.login or "", post or "", f.staffing_type or "",
                 f.logged_hours, f.expected_hours, f.saturation, f.submission_rate,
                 f.review_completion, f.focus.get(M.CORE))


def write_hr_export(db: Database, actor: Actor | None, period: Period | str, out: Path | str, *,
                    today: dt.date | None = None, calendar: WorkCalendar | None = None) -> tuple[Path, HrTable]:
    """Write the export to `out`: .xlsx (workbook) or .pdf (printed table)."""
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".xlsx", ".pdf"):
        raise AppError(f"输出文件应为 .xlsx 或 .pdf：{out.name}")
    table = hr_table(db, actor, period, today=today, calendar=calendar)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if kind == ".xlsx":
            write_xlsx(table, out)
        else:
            write_pdf(table, out)
    except OSError as exc:
        raise AppError(f"无法写入 {out}：{exc}") from None
    return out, table

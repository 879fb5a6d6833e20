"""Excel export of the statistics page: every table it shows, one sheet each."""
from __future__ import annotations

from pathlib import Path

from app.core import metrics as M
from app.db.engine import Database
from app.services.org import structure as org
from app.services.stats import compute as stats
from app.services.org.actor import Actor
from app.reports.xlsx_tables import write_tables

FIGURE_HEADERS = ("名称", "登录名", "科室", "人数", "应出勤人日", "计入工时", "应出勤工时", "工作饱和度",
                  "灯", "日均工时", "填报率", "审阅及时率", "核心职责占比", "一般职责占比",
                  "辅助及未关联占比", "履职全面度", "未履行职责数", "工作量折算人数")


def figure_row(f: stats.Figures) -> tuple:
    frac = lambda v: None if v is None else round(v, 4)  # noqa: E731 — Excel shows it as %
    return (f.name, f.login or "", f.section or "", f.people, f.available_days, f.logged_hours,
            f.expected_hours, frac(f.saturation), M.BAND_LABELS[f.band],
            None if f.daily_average is None else round(f.daily_average, 2), frac(f.submission_rate),
            frac(f.review_timeliness), frac(f.focus.get(M.CORE)), frac(f.focus.get(M.GENERAL)),
            frac(f.focus.get(M.AUXILIARY)), frac(f.coverage), len(f.uncovered_duties),
            None if f.fte is None else round(f.fte, 2))


PERCENT_COLUMNS = {"工作饱和度", "填报率", "审阅及时率", "核心职责占比", "一般职责占比", "辅助及未关联占比",
                   "履职全面度"}


def export_stats_xlsx(db: Database, page: stats.StatsPage, path: Path | str,
                      actor: Actor | None = None) -> Path:
    title = f"{page.period.label}履职统计"
    tables = []
    if page.unit is not None:
        tables.append(("全单位", FIGURE_HEADERS, [figure_row(page.unit)]))
    tables.append(("科室", FIGURE_HEADERS, [figure_row(f) for f in page.sections]))
    tables.append(("人员", FIGURE_HEADERS, [figure_row(f) for f in page.persons]))
    if page.unit is not None:
        by_type = stats.by_staffing_type(db, page.period, actor=actor)
        tables.append(("按编制类型", FIGURE_HEADERS, [figure_row(f) for f in by_type]))
        names = {d.code: d.content for d in org.duties(db)}
        tables.append(("未履行的职责", ("职责编号", "职责内容"),
                       [(code, names.get(code, "")) for code in page.unit.uncovered_duties]))
        categories = sorted(page.unit.hours_by_category.items(), key=lambda kv: -kv[1])
        tables.append(("工作类别", ("工作类别", "工时"), categories))
    return write_tables(Path(path), title, tables, percent_columns=PERCENT_COLUMNS)

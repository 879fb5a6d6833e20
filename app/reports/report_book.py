"""The parts every evaluation report shares: typed table columns printed in the PDF and written to
Excel with the same rows, the headline indicator table with each figure's inputs, the
comparison with the previous period and the notes on definitions.

    book = ReportBook(doc)
    book.table("各科室履职情况", [Col("科室"), Col("计入工时", HOURS), Col("饱和度", PCT)],
               rows)                     # 表N in the PDF, sheet "表N 各科室履职情况" in Excel
    book.write_xlsx(path, title)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core import metrics as M
from app.core.figures import Figures
from app.core.need import Need
from app.reports.typeset.document import OfficialDocument
from app.reports.model import DASH, hours, pct
from app.reports.narrative import change_points, change_relative

TEXT, HOURS, PCT, AVG, INT = "text", "hours", "pct", "avg", "int"
ONE = "one"                   # one decimal always, e.g. persons of a staffing estimate: 22.0
SMALL_TABLE = 10.5            # 五号: tables with many columns
BAND_WORDS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", None: DASH}


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = TEXT


def show(kind: str, value) -> str:
    if value is None:
        return DASH
    if kind == HOURS:
        return hours(value)
    if kind == PCT:
        return pct(value)
    if kind == AVG:
        return f"{value:.2f}"
    if kind == ONE:
        return f"{value:.1f}"
    return str(value)


def excel_value(kind: str, value):
    if value is None or kind == TEXT:
        return value
    if kind in (HOURS, AVG, ONE):
        return round(value, 2)
    if kind == PCT:
        return round(value, 4)
    return value


class ReportBook:
    """An OfficialDocument plus the tables it shows, kept for the Excel export."""

    def __init__(self, doc: OfficialDocument):
        self.doc = doc
        self.sheets: list[tuple[str, list[str], list[list]]] = []
        self.percent_headers: set[str] = set()
        self.tables = 0

    def table(self, caption: str, cols: Sequence[Col], rows: Sequence[Sequence], *,
              notes: Sequence[str] = (), emphasize_last: bool = False,
              font_size: float | None = None) -> None:
        self.tables += 1
        label = f"表{self.tables}\u3000{caption}"
        headers = [c.header for c in cols]
        shown = [[show(c.kind, v) for c, v in zip(cols, row)] for row in rows]
        kw = {"font_size": font_size} if font_size else {}
        if any(c.kind == HOURS for c in cols):
            notes = [*notes, "工时单位为小时。"]
        self.doc.table(headers, shown, caption=label, notes=notes, emphasize_last=emphasize_last,
                       **kw)
        self.sheets.append((f"表{self.tables} {caption}"[:31], headers,
                            [[excel_value(c.kind, v) for c, v in zip(cols, row)] for row in rows]))
        self.percent_headers |= {c.header for c in cols if c.kind == PCT}

    def data_sheet(self, name: str, headers: Sequence[str], rows: Sequence[Sequence],
                   percent: Sequence[str] = ()) -> None:
        """A sheet with the data behind a chart (no table in the PDF)."""
        self.sheets.append((name[:31], list(headers), [list(r) for r in rows]))
        self.percent_headers |= set(percent)

    def write_xlsx(self, path: Path | str, title: str) -> Path:
        # imported here: openpyxl (~0.3 s), only when exporting
        from app.reports.xlsx_tables import write_tables
        return write_tables(Path(path), title, self.sheets, percent_columns=self.percent_headers)


# ---------------------------------------------------------------- headline figures
def indicator_rows(f: Figures, need: Need | None = None) -> list[list[str]]:
    """(指标, 本期, 计算依据) of the six headline metrics, the staffing need (the verdict when
    `need` is given: unit-wide reports) and the hours still in review."""
    s = f.settings
    fo = f.focus_result()
    t = f.timeliness_result()
    rows = [
        ["工作饱和度",
         f"{pct(f.saturation)}（{BAND_WORDS[f.band]}）" if f.saturation is not None else DASH,
         f"计入工时{hours(f.logged_hours)}小时÷应出勤工时{hours(f.expected_hours)}小时"
         if f.expected_hours > 0 else "应出勤工时为零，不作计算"],
        ["日均工时", DASH if f.daily_average is None else f"{f.daily_average:.2f}小时",
         f"计入工时{hours(f.logged_hours)}小时÷应出勤{f.available_days}人日"],
        ["填报率", pct(f.submission_rate),
         f"已提交日志{f.submitted_days}人日÷应出勤{f.available_days}人日"],
        ["审阅及时率", pct(f.review_timeliness),
         f"{s.overdue_days}个工作日内审定{t.timely}篇÷{t.total}篇（超期审定{t.late}篇，"
         f"超期未审{t.waiting_overdue}篇）" if t.total else "本期没有已审定或超期待审的日志"],
        ["核心职责聚焦度", pct(fo.core),
         f"核心职责工时{hours(fo.hours.get(M.CORE, 0.0))}小时÷计入工时{hours(fo.total)}小时；"
         f"一般职责{pct(fo.general)}，辅助及未关联职责{pct(fo.auxiliary)}"
         if fo.core is not None else "本期没有计入的工时"],
    ]
    if f.active_duties or f.level != "person":
        rows.append(["履职全面度", pct(f.coverage),
                     f"有留痕的职责{len(f.covered_duties)}项÷在用职责{f.active_duties}项"
                     if f.active_duties else "没有在用的职责"])
    if need is not None:
        rows.append(["编制需求", need.verdict, need.text])
    elif f.level != "person" and f.saturation is not None:
        rows.append(["测算需要人数", f"{f.people_needed:.1f}人",
                     f"在岗{f.people}人×工作饱和度{pct(f.saturation)}；编制结论只对全单位作出"])
    if f.pending_logs:
        rows.append(["待审工时", f"{hours(f.pending_hours)}小时",
                     f"已提交、尚待审阅的日志{f.pending_logs}篇，不计入以上指标"])
    return rows


INDICATOR_COLS = (Col("指标"), Col("本期"), Col("计算依据"))


def headline(book: ReportBook, f: Figures, caption: str = "主要指标", need: Need | None = None) -> None:
    book.table(caption, INDICATOR_COLS, indicator_rows(f, need))


# ---------------------------------------------------------------- previous period
def _change(now, before, kind: str) -> str:
    if now is None or before is None:
        return DASH
    if kind == PCT:
        return change_points(now, before)
    return change_relative(now, before) or DASH


def comparison_rows(f: Figures, p: Figures) -> list[list[str]]:
    rows = [("工作饱和度", f.saturation, p.saturation, PCT),
            ("计入工时（小时）", f.logged_hours, p.logged_hours, HOURS),
            ("应出勤工时（小时）", f.expected_hours, p.expected_hours, HOURS),
            ("日均工时（小时）", f.daily_average, p.daily_average, AVG),
            ("填报率", f.submission_rate, p.submission_rate, PCT),
            ("审阅及时率", f.review_timeliness, p.review_timeliness, PCT),
            ("核心职责聚焦度", f.focus.get(M.CORE), p.focus.get(M.CORE), PCT)]
    if f.active_duties:
        rows.append(("履职全面度", f.coverage, p.coverage, PCT))
    if f.conclusion_withheld() or p.conclusion_withheld():     # the difference is review progress
        return [[name, show(kind, a), show(kind, b), "不作比较"] for name, a, b, kind in rows]
    return [[name, show(kind, a), show(kind, b), _change(a, b, kind)] for name, a, b, kind in rows]


def comparison(book: ReportBook, f: Figures, p: Figures) -> None:
    why = f.conclusion_withheld() or p.conclusion_withheld()
    book.table(f"本期（{f.period.label}）与上期（{p.period.label}）主要指标对比",
               (Col("指标"), Col("本期"), Col("上期"), Col("变化")), comparison_rows(f, p),
               notes=[f"{why}，变化不作比较。"] if why else ())


# ---------------------------------------------------------------- notes
def definitions_note(f: Figures, *, today=None, pending: int = 0) -> list[str]:
    s = f.settings
    notes = [f"统计期间{f.period.start.year}年{f.period.start.month}月{f.period.start.day}日至"
             f"{f.period.end.year}年{f.period.end.month}月{f.period.end.day}日，工作日"
             f"{f.working_days}天，标准工时每天{s.h0:g}小时；只计经最终审定的日志。"
             f"应出勤工时＝（工作日－请假、公休天数）×标准工时，出差照常计入。",
             f"工作饱和度分档：{s.bands.describe()}。"]
    if pending:
        notes.append(f"本期另有{pending}篇日志已提交、尚待审阅，未计入以上数据；审定后重新生成报告，"
                     f"数据将相应更新。")
    if f.period.full is not None:
        notes.append(f"本期尚未结束，数据截至{f.period.end.year}年{f.period.end.month}月{f.period.end.day}日："
                     f"应出勤工时只计已经过去的工作日，与上期的比较和编制需求不作结论。")
    return notes

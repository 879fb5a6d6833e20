"""What the unit, section, core-duty and person reports share: the context they are written in,
their titles, and the parts several of them print (trend, work structure, people, duties not
covered)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from app.core import metrics as M
from app.core.figures import NO_SECTION_NAME, Figures
from app.core.metrics import Period
from app.reports.typeset import charts
from app.reports import narrative as nv
from app.reports import report_data as R
from app.reports.typeset.document import OfficialDocument
from app.reports.typeset.layout import TEXT_WIDTH, TITLE_SIZE, width_of
from app.reports.model import PeriodSummary, pct
from app.reports.report_book import (AVG, HOURS, PCT, SMALL_TABLE, Col, ReportBook)

KINDS = {"unit": "部门履职评估分析报告", "section": "科室履职评估分析报告",
         "core": "部门核心职能履行评估分析报告", "person": "个人履职报告"}
TRUST = M.DEFAULT_TRUST_THRESHOLD


@dataclass(frozen=True)
class ReportInfo:
    path: Path
    pages: int
    seconds: float
    title: str = ""
    xlsx: Path | None = None


@dataclass
class Context:
    """What every report builder gets: the report's data and the registered fonts."""
    data: R.ReportData
    fonts: object

    @property
    def period(self) -> Period:
        return self.data.period

    @property
    def previous(self) -> Period:
        return self.data.previous

    @property
    def today(self) -> dt.date:
        return self.data.today

    @property
    def duties(self) -> list[R.DutyInfo]:
        return self.data.duties

    @property
    def duty_by_code(self) -> dict[str, R.DutyInfo]:
        return {d.code: d for d in self.duties}

    def document(self, parts: list[str], issuer: str) -> tuple[OfficialDocument, str]:
        """The document titled by `parts` (who, period, report name): lines break between
        parts when they can, so that a name or "2026年" is never cut. Returns it and the title."""
        kind = R.period_kind_name(self.period)
        subtitle = f"（{kind}）" if kind else None
        title = "".join(parts)
        doc = OfficialDocument(title_lines(parts, self.fonts.heiti), issuer, self.today,
                               self.fonts, subtitle=subtitle)
        return doc, title


def title_lines(parts: list[str], font: str) -> str:
    """One line if it fits; else the most balanced break between parts with every line fitting
    (two lines, then three); else the engine's own balancing of the whole title."""
    whole = "".join(parts)
    fits = lambda line: width_of(line, font, TITLE_SIZE) <= TEXT_WIDTH  # noqa: E731
    if fits(whole):
        return whole
    best = None
    for i in range(1, len(parts)):
        lines = ["".join(parts[:i]), "".join(parts[i:])]
        if all(map(fits, lines)):
            score = abs(len(lines[0]) - len(lines[1]))
            if best is None or score < best[0]:
                best = (score, lines)
    if best is None:
        for i in range(1, len(parts) - 1):
            for j in range(i + 1, len(parts)):
                lines = ["".join(parts[:i]), "".join(parts[i:j]), "".join(parts[j:])]
                if all(map(fits, lines)):
                    best = (0, lines)
                    break
            if best:
                break
    return "\n".join(best[1]) if best else whole


# ---------------------------------------------------------------- shared parts
def load_pages(ctx: Context):
    """Statistics of P and of the previous period, with the approved entry counts."""
    d = ctx.data
    return d.page, d.prev, d.counts, d.prev_counts


def change_paragraphs(s: PeriodSummary) -> list[str]:
    out = nv.changes(s)
    p = s.previous
    if p is not None and p.has_data and p.submission_rate is not None and \
            p.submission_rate < TRUST:
        out.append(f"上期日志填报率为{pct(p.submission_rate)}，低于{pct(TRUST, 0)}，"
                   f"上期工时留痕不完整，与上期的比较仅供参考。")
    if not out:
        out.append(f"上期（{ctx_label(s)}）无可比较的数据。")
    return out


def ctx_label(s: PeriodSummary) -> str:
    return s.previous.period_label if s.previous else "上期"


def trend_figure(book: ReportBook, ctx: Context, f: Figures) -> None:
    t = ctx.data.trend
    if t is None or not any(t.values):            # no week or month with approved hours: nothing to draw
        return
    sentence = t.sentence(f.settings.bands)
    if sentence:
        book.doc.paragraph(sentence)
    book.doc.figure(charts.trend_lines(t.labels, [("工作饱和度", t.values)], ctx.fonts,
                                       bands=f.settings.bands), t.title)
    book.data_sheet(f"图 {t.title}", ["期间", "计入工时", "应出勤工时", "工作饱和度"],
                    [[label, round(lo, 2), round(ex, 2), None if not ex else round(lo / ex, 4)]
                     for label, lo, ex in t.points], percent=["工作饱和度"])


def categories_and_focus(book: ReportBook, ctx: Context, s: PeriodSummary, f: Figures,
                         prev: Figures | None, extra_rows=()) -> None:
    doc = book.doc
    doc.section(2, "工作类别")
    doc.paragraph(nv.categories(s) or "本期没有已审定的工时，无法分析工作类别。")
    if s.categories:
        doc.figure(charts.category_bars(list(s.categories), ctx.fonts), "各工作类别工时")
    doc.section(2, "主责主业聚焦度")
    ref = ctx.data.focus_reference if s.kind != "person" else None
    doc.paragraph(nv.focus(s, ref.shares, ref.source) if ref else nv.focus(s))
    rows = [(f"本期（{ctx.period.label}）", s.focus)]
    if prev is not None and R.focus_shares(prev) is not None:
        rows.append((f"上期（{ctx.previous.label}）", R.focus_shares(prev)))
    rows += list(extra_rows)
    if ref:
        rows.append((f"外部参照：{ref.label}", ref.shares))
    if s.focus is not None:
        doc.figure(charts.focus_bars(rows, ctx.fonts), "核心、一般、辅助职责工时占比")
        if ref:
            doc.note(f"外部参照数据为{ref.source}（{ref.note}），与本单位同类，仅作比较参考，不作为评价标准。")


def uncovered_table(book: ReportBook, s: PeriodSummary, duty_by_code, caption: str) -> None:
    if not s.uncovered:
        return
    book.table(caption, (Col("职责编号"), Col("职责内容"), Col("类别"), Col("承担科室")),
               [[d.code, d.name, d.kind,
                 "、".join(duty_by_code[d.code].sections) if d.code in duty_by_code else ""]
                for d in s.uncovered])


PERSON_COLS = (Col("姓名"), Col("科室"), Col("计入工时", HOURS),
               Col("应出勤工时", HOURS), Col("饱和度", PCT), Col("日均工时", AVG),
               Col("填报率", PCT), Col("核心职责占比", PCT))


def person_row(f: Figures) -> list:
    return [f.name, f.section or NO_SECTION_NAME, f.logged_hours, f.expected_hours, f.saturation,
            f.daily_average, f.submission_rate, f.focus.get(M.CORE)]


def persons_part(book: ReportBook, ctx: Context, s: PeriodSummary, persons: list[Figures],
                 caption: str, with_section: bool = True) -> None:
    doc = book.doc
    people_only = dataclasses.replace(s, sections=())
    for text in nv.load(people_only, persons[0].settings.bands if persons else M.DEFAULT_BANDS):
        doc.paragraph(text)
    if s.daily_buckets and sum(s.daily_buckets):
        doc.figure(charts.hours_histogram(list(s.daily_buckets), ctx.fonts), "人员日均工时分布")
    if persons:
        cols = PERSON_COLS if with_section else PERSON_COLS[:1] + PERSON_COLS[2:]
        rows = [person_row(f) for f in persons]
        book.table(caption, cols, rows if with_section else [r[:1] + r[2:] for r in rows],
                   font_size=SMALL_TABLE)

"""Evaluation reports as GB/T 9704 PDFs (and their tables as Excel), written from the statistics.

    info = build_report(db, "unit", parse_period("2026-Q3"), "report.pdf", xlsx="report.xlsx")

Kinds (docs/ARCHITECTURE.md "Printed reports"):
    unit     部门履职评估分析报告 (月报/季报/年报 by the period's kind)
    section  科室履职评估分析报告 (section=科室名称)
    core     部门核心职能履行评估分析报告 (per core duty: hours, people, entries, examples)
    person   个人履职报告 (user=登录名)

Every report opens with its headline figures and their inputs (一、总体情况), compares with the
previous period of the same length, shows tables and vector charts, and ends with suggestions
chosen by the numbers; all paragraphs are generated from the figures (app.reports.narrative).
With an `actor` the statistics service's access rules apply (PermissionDenied); without one
(the command line, a report run by the system) nothing is filtered.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from app.core import metrics as M
from app.core.errors import AppError, PermissionDenied
from app.core.figures import NO_SECTION, NO_SECTION_NAME, SECTION, UNIT, Figures
from app.core.metrics import Period
from app.db.engine import Database
from app.reports import charts
from app.reports import narrative as nv
from app.reports import report_data as R
from app.reports.document import OfficialDocument
from app.reports.fonts import register_fonts
from app.reports.layout import TEXT_WIDTH, TITLE_SIZE, width_of
from app.reports.model import HUANTAI_FOCUS, HUANTAI_FOCUS_SOURCE, PeriodSummary, pct
from app.reports.report_book import (AVG, HOURS, INT, PCT, SMALL_TABLE, Col, ReportBook,
                                     comparison, definitions_note, headline)

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
    """What every report builder gets: the period, the one before, who asks and the unit."""
    db: Database
    period: Period
    previous: Period
    actor: object
    today: dt.date
    fonts: object
    duties: list[R.DutyInfo]

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


def build_report(db: Database, kind: str, period: Period | str, out: Path | str, *,
                 section: str | None = None, user: str | None = None, actor=None,
                 today: dt.date | None = None, xlsx: Path | str | None = None) -> ReportInfo:
    """Write the report PDF to `out` (and its tables to `xlsx`); see the module doc."""
    started = time.perf_counter()
    if kind not in KINDS:
        raise AppError(f"报告类型应为 unit、section、core 或 person：{kind}")
    if isinstance(period, str):
        try:
            period = M.parse_period(period)
        except ValueError as exc:
            raise AppError(str(exc)) from None
    if kind == "section" and not section:
        raise AppError("科室报告须指定科室名称（--section）")
    if kind == "person" and not user:
        raise AppError("个人报告须指定登录名（--user）")
    ctx = Context(db, period, R.previous_period(period), actor, today or dt.date.today(),
                  register_fonts(), R.duty_infos(db))
    if kind == "unit":
        book, title = unit_report(ctx)
    elif kind == "section":
        book, title = section_report(ctx, R.find_section(db, section))
    elif kind == "core":
        from app.reports.core_report import core_report
        book, title = core_report(ctx)
    else:
        from app.reports.person_report import person_report
        book, title = person_report(ctx, R.find_person(db, user))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = book.doc.build(out)
    xlsx_path = book.write_xlsx(xlsx, title) if xlsx else None
    return ReportInfo(out, pages, time.perf_counter() - started, title, xlsx_path)


# ---------------------------------------------------------------- shared parts
def load_pages(ctx: Context):
    """Statistics of P and of the previous period, with the approved entry counts."""
    from app.services.stats import compute as stats
    page = stats.stats_page(ctx.db, ctx.period, actor=ctx.actor, today=ctx.today)
    prev = stats.stats_page(ctx.db, ctx.previous, actor=ctx.actor, today=ctx.today)
    return page, prev, R.entry_counts(ctx.db, ctx.period), R.entry_counts(ctx.db, ctx.previous)


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


def trend_figure(book: ReportBook, ctx: Context, f: Figures, **kw) -> None:
    t = R.trend(ctx.db, ctx.period, f, actor=ctx.actor, **kw)
    if not any(t.values):            # no week or month with approved hours: nothing to draw
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
    doc.paragraph(nv.focus(s, HUANTAI_FOCUS if s.kind != "person" else None))
    rows = [(f"本期（{ctx.period.label}）", s.focus)]
    if prev is not None and R.focus_shares(prev) is not None:
        rows.append((f"上期（{ctx.previous.label}）", R.focus_shares(prev)))
    rows += list(extra_rows)
    if s.kind != "person":
        rows.append(("参照：桓台试点", HUANTAI_FOCUS))
    if s.focus is not None:
        doc.figure(charts.focus_bars(rows, ctx.fonts), "核心、一般、辅助职责工时占比")
        if s.kind != "person":
            doc.note(f"参照数据为{HUANTAI_FOCUS_SOURCE}（约4000条工作记录），仅作比较参考。")


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


# ---------------------------------------------------------------- unit report
SECTION_COLS = (Col("科室"), Col("人数", INT), Col("计入工时", HOURS),
                Col("应出勤工时", HOURS), Col("饱和度", PCT), Col("填报率", PCT),
                Col("核心职责占比", PCT), Col("履职全面度", PCT))


def section_row(f: Figures, name: str | None = None) -> list:
    return [name or f.name, f.people, f.logged_hours, f.expected_hours, f.saturation,
            f.submission_rate, f.focus.get(M.CORE), f.coverage]


def unit_report(ctx: Context) -> tuple[ReportBook, str]:
    from app.services.stats import compute as stats
    page, prev, counts, prev_counts = load_pages(ctx)
    if page.unit is None:
        raise PermissionDenied(stats.DENIED)
    u, duties = page.unit, ctx.duty_by_code
    before = R.summary(prev.unit, UNIT, duties, prev_counts.entries(), sections=prev.sections,
                       persons=prev.persons) if prev.unit is not None else None
    s = R.summary(u, UNIT, duties, counts.entries(), sections=page.sections, persons=page.persons,
                  previous=before)
    doc, title = ctx.document([u.name, ctx.period.label, KINDS["unit"]], u.name)
    book = ReportBook(doc)
    doc, bands = book.doc, u.settings.bands

    doc.section(1, "总体情况")
    doc.paragraph(nv.overall(s, bands))
    headline(book, u)
    for note in definitions_note(u, today=ctx.today, pending=R.pending_logs(ctx.db, ctx.period)):
        doc.note(note)

    doc.section(1, "变化情况")
    for text in change_paragraphs(s):
        doc.paragraph(text)
    if before is not None and before.has_data:
        comparison(book, u, prev.unit)
    trend_figure(book, ctx, u, level=UNIT, key=None)

    doc.section(1, "工作负荷")
    doc.section(2, "各科室")
    for text in nv.load(dataclasses.replace(s, persons=(), daily_buckets=None), bands):
        doc.paragraph(text)
    rows = [section_row(f, "未分科室人员" if f.key == NO_SECTION else None) for f in page.sections]
    book.table("各科室履职情况", SECTION_COLS, rows + [section_row(u, "全单位合计")],
               emphasize_last=True, font_size=SMALL_TABLE,
               notes=["未分科室人员：单位领导等不属于任何科室的人员。"]
               if any(f.key == NO_SECTION for f in page.sections) else ())
    real = [f for f in page.sections if f.key != NO_SECTION]
    if real:
        doc.figure(charts.saturation_bars([(f.name, f.saturation) for f in real], ctx.fonts,
                                          bands), "各科室工作饱和度")
    doc.section(2, "人员")
    persons_part(book, ctx, s, page.persons, "各人员履职情况")

    doc.section(1, "工作结构")
    categories_and_focus(book, ctx, s, u, prev.unit)

    doc.section(1, "履职全面度")
    doc.paragraph(nv.coverage(s))
    uncovered_table(book, s, duties, "本期未见履职记录的职责")

    doc.section(1, "建议")
    doc.paragraph(nv.suggestion_paragraph(s, bands))
    return book, title


# ---------------------------------------------------------------- section report
def _section_coverage(s: PeriodSummary) -> str:
    if s.duties_total <= 0:
        return "本科室尚未关联“三定”职责（承担科室），无法评价履职全面度。"
    text = (f"从履职全面度看，本科室承担的在用职责共{s.duties_total}项，本期有已审定工作记录的"
            f"{s.duties_covered}项，履职全面度为{pct(s.coverage)}。")
    if s.uncovered:
        return text + (f"本期未见履职记录的职责{len(s.uncovered)}项：" + nv.listing(
            [nv.duty_label(d.code, d.name) for d in s.uncovered], "项") + "。")
    return text + "各项职责本期均有履职记录。"


def section_report(ctx: Context, section_id: str) -> tuple[ReportBook, str]:
    from app.services.stats import compute as stats
    page, prev, counts, prev_counts = load_pages(ctx)
    mine = [f for f in page.sections if f.key == section_id]
    if not mine:
        raise PermissionDenied(stats.DENIED)
    f = mine[0]
    persons = [p for p in page.persons if p.section_id == section_id]
    before_f = next((x for x in prev.sections if x.key == section_id), None)
    prev_persons = [p for p in prev.persons if p.section_id == section_id]
    ids = {p.key for p in persons}
    duties = ctx.duty_by_code
    before = None
    if before_f is not None:
        before = R.summary(before_f, SECTION, duties,
                           prev_counts.entries({p.key for p in prev_persons}), persons=prev_persons)
    s = R.summary(f, SECTION, duties, counts.entries(ids), persons=persons, previous=before)
    unit_name = page.unit.name if page.unit is not None else _unit_name(ctx.db)
    doc, title = ctx.document([f.name, ctx.period.label, KINDS["section"]], unit_name)
    book = ReportBook(doc)
    doc, bands = book.doc, f.settings.bands

    doc.section(1, "总体情况")
    doc.paragraph(nv.overall(s, bands))
    if page.unit is not None:
        doc.paragraph(_against_unit(f, page.unit))
    headline(book, f)
    for note in definitions_note(f, today=ctx.today,
                                 pending=R.pending_logs(ctx.db, ctx.period, ids)):
        doc.note(note)

    doc.section(1, "变化情况")
    for text in change_paragraphs(s):
        doc.paragraph(text)
    if before is not None and before.has_data:
        comparison(book, f, before_f)
    trend_figure(book, ctx, f, level=SECTION, key=section_id, person_ids=ids)

    doc.section(1, "人员工作负荷")
    persons_part(book, ctx, s, persons, "本科室人员履职情况", with_section=False)
    if persons:
        doc.figure(charts.saturation_bars([(p.name, p.saturation) for p in persons], ctx.fonts,
                                          bands), "本科室人员工作饱和度")

    doc.section(1, "工作结构")
    unit_row = [("全单位本期", R.focus_shares(page.unit))] if page.unit is not None else []
    categories_and_focus(book, ctx, s, f, before_f, unit_row)

    doc.section(1, "履职全面度")
    doc.paragraph(_section_coverage(s))
    uncovered_table(book, s, duties, "本科室本期未见履职记录的职责")

    doc.section(1, "建议")
    doc.paragraph(nv.suggestion_paragraph(s, bands))
    return book, title


def _against_unit(f: Figures, u: Figures) -> str:
    parts = []
    for name, mine, unit in (("工作饱和度", f.saturation, u.saturation),
                             ("日志填报率", f.submission_rate, u.submission_rate),
                             ("核心职责工时占比", f.focus.get(M.CORE), u.focus.get(M.CORE))):
        if mine is None or unit is None:
            continue
        gap = (mine - unit) * 100
        how = "与全单位基本持平" if abs(gap) < 0.05 else \
            f"比全单位{'高' if gap > 0 else '低'}{abs(gap):.1f}个百分点"
        parts.append(f"{name}{pct(mine)}，{how}（全单位{pct(unit)}）")
    if not parts:
        return "本期本科室或全单位没有可比较的数据。"
    return "与全单位相比，本科室" + "；".join(parts) + "。"


def _unit_name(db: Database) -> str:
    from app.services.stats import queries as Q
    with db.read() as s:
        return Q.unit_name(s, db.unit_id)

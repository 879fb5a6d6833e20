"""Evaluation reports as GB/T 9704 PDFs (and their tables as Excel), written from a ReportData
that app.services.reporting.unit gathered (this module reads no database).

    info = write_report(data, "report.pdf", xlsx="report.xlsx")

Kinds (docs/ARCHITECTURE.md "Printed reports"):
    unit     部门履职评估分析报告 (月报/季报/年报 by the period's kind)
    section  科室履职评估分析报告 (section=科室名称)
    core     部门核心职能履行评估分析报告 (per core duty: hours, people, entries, examples)
    person   个人履职报告 (user=登录名)

Every report opens with its headline figures and their inputs (一、总体情况), compares with the
previous period of the same length, shows tables and vector charts, and ends with suggestions
chosen by the numbers; all paragraphs are generated from the figures (app.reports.narrative).
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from app.core import metrics as M
from app.core.figures import NO_SECTION, SECTION, UNIT, Figures
from app.reports.typeset import charts
from app.reports import narrative as nv
from app.reports import report_data as R
from app.reports.typeset.fonts import register_fonts
from app.reports.model import PeriodSummary, pct
from app.reports.report_book import (HOURS, INT, PCT, SMALL_TABLE, Col, ReportBook,
                                     comparison, definitions_note, headline)

from app.reports.core_report import core_report
from app.reports.task_type_part import task_type_part
from app.reports.person_report import person_report
from app.reports.report_parts import (KINDS, Context, ReportInfo, categories_and_focus,
                                      change_paragraphs, load_pages, persons_part, trend_figure,
                                      uncovered_table)


def write_report(data: R.ReportData, out: Path | str, xlsx: Path | str | None = None) -> ReportInfo:
    """Write the report PDF to `out` (and its tables to `xlsx`); see the module doc."""
    started = time.perf_counter()
    ctx = Context(data, register_fonts())
    if data.kind == "unit":
        book, title = unit_report(ctx)
    elif data.kind == "section":
        book, title = section_report(ctx, data.subject)
    elif data.kind == "core":
        book, title = core_report(ctx)
    else:
        book, title = person_report(ctx, data.subject)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = book.doc.build(out)
    xlsx_path = book.write_xlsx(xlsx, title) if xlsx else None
    return ReportInfo(out, pages, time.perf_counter() - started, title, xlsx_path)


# ---------------------------------------------------------------- unit report
SECTION_COLS = (Col("科室"), Col("人数", INT), Col("计入工时", HOURS),
                Col("应出勤工时", HOURS), Col("饱和度", PCT), Col("填报率", PCT),
                Col("核心职责占比", PCT), Col("履职全面度", PCT))


def section_row(f: Figures, name: str | None = None) -> list:
    return [name or f.name, f.people, f.logged_hours, f.expected_hours, f.saturation,
            f.submission_rate, f.focus.get(M.CORE), f.coverage]


def unit_report(ctx: Context) -> tuple[ReportBook, str]:
    page, prev, counts, prev_counts = load_pages(ctx)
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
    headline(book, u, need=ctx.data.need)
    for note in definitions_note(u, today=ctx.today, pending=ctx.data.pending):
        doc.note(note)

    doc.section(1, "变化情况")
    for text in change_paragraphs(s):
        doc.paragraph(text)
    if before is not None and before.has_data:
        comparison(book, u, prev.unit)
    trend_figure(book, ctx, u)

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
    task_type_part(book, ctx.data.task_types)

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
    page, prev, counts, prev_counts = load_pages(ctx)
    f = next(f for f in page.sections if f.key == section_id)
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
    doc, title = ctx.document([f.name, ctx.period.label, KINDS["section"]], ctx.data.unit_name)
    book = ReportBook(doc)
    doc, bands = book.doc, f.settings.bands

    doc.section(1, "总体情况")
    doc.paragraph(nv.overall(s, bands))
    if page.unit is not None:
        doc.paragraph(_against_unit(f, page.unit))
    headline(book, f)
    for note in definitions_note(f, today=ctx.today,
                                 pending=ctx.data.pending):
        doc.note(note)

    doc.section(1, "变化情况")
    for text in change_paragraphs(s):
        doc.paragraph(text)
    if before is not None and before.has_data:
        comparison(book, f, before_f)
    trend_figure(book, ctx, f)

    doc.section(1, "人员工作负荷")
    persons_part(book, ctx, s, persons, "本科室人员履职情况", with_section=False)
    if persons:
        doc.figure(charts.saturation_bars([(p.name, p.saturation) for p in persons], ctx.fonts,
                                          bands), "本科室人员工作饱和度")

    doc.section(1, "工作结构")
    unit_row = [("全单位本期", R.focus_shares(page.unit))] if page.unit is not None else []
    categories_and_focus(book, ctx, s, f, before_f, unit_row)
    task_type_part(book, ctx.data.task_types, "人员")

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

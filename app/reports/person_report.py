"""个人履职报告: one person's figures for the period against the period before, the weekly (or
monthly) trend, work categories, focus, the duties worked on and the post duties (岗位职责)
without a record, and suggestions chosen by the numbers."""
from __future__ import annotations

import dataclasses

from app.core import metrics as M
from app.core import vocab
from app.core.figures import NO_SECTION_NAME, PERSON
from app.reports import narrative as nv
from app.reports import report_data as R
from app.reports.model import PeriodSummary, hours, pct
from app.reports.report_book import (HOURS, INT, PCT, SMALL_TABLE, Col, ReportBook, comparison,
                                     definitions_note, headline)
from app.reports.report_parts import (KINDS, Context, categories_and_focus, change_paragraphs,
                                      trend_figure)

NO_DUTY = "未关联职责的工作"
LOW_CORE_SHARE = 0.3         # below this share of hours a person with core post duties is told


def person_report(ctx: Context, person_id: str) -> tuple[ReportBook, str]:
    [f], [p] = ctx.data.page.persons, ctx.data.prev.persons
    counts, prev_counts = ctx.data.counts, ctx.data.prev_counts
    me = {person_id}
    duties = ctx.duty_by_code
    before = R.summary(p, PERSON, duties, prev_counts.entries(me))
    s = R.summary(f, PERSON, duties, counts.entries(me), previous=before)
    unit = ctx.data.unit_name
    doc, title = ctx.document([f"{f.name}同志", ctx.period.label, KINDS["person"]], unit)
    book = ReportBook(doc)
    doc, bands = book.doc, f.settings.bands

    doc.section(1, "总体情况")
    where = f.section if f.section and f.section != NO_SECTION_NAME else ""
    doc.paragraph(nv.overall(s, bands).replace(f"{f.name}同志", f"{where}{f.name}同志", 1))
    if f.daily_average is not None and s.has_data:
        bucket = M.BUCKET_LABELS.get(f.daily_average_result().bucket, "")
        doc.paragraph(f"本期应出勤{f.available_days}天（工作日{f.working_days}天，请假、公休"
                      f"{f.leave_days}天），已提交日志{f.submitted_days}天，日均工时"
                      f"{f.daily_average:.2f}小时，属于日均{bucket}一档。")
    if not f.in_totals:
        doc.paragraph("该同志本期不计入科室和单位的统计（非在职状态或仅为管理员账号）。")
    headline(book, f)
    for note in definitions_note(f, today=ctx.today,
                                 pending=ctx.data.pending):
        doc.note(note)

    doc.section(1, "变化情况")
    for text in change_paragraphs(s):
        doc.paragraph(text)
    if before.has_data:
        comparison(book, f, p)
    trend_figure(book, ctx, f)

    doc.section(1, "工作内容")
    categories_and_focus(book, ctx, s, f, p)
    doc.section(2, "履职事项")
    _duties_part(book, ctx, f, counts, person_id)

    doc.section(1, "建议")
    doc.paragraph(_suggestions(s, f, bands, ctx.duty_by_code))
    return book, title


def _duties_part(book: ReportBook, ctx: Context, f, counts: R.EntryCounts, person_id: str) -> None:
    doc = book.doc
    per_duty = counts.by_duty({person_id})
    rows, total = [], sum(h for h, _, _ in per_duty.values())
    for d in ctx.duties:
        if d.id in per_duty:
            h, n, _ = per_duty[d.id]
            rows.append([d.code, d.content, d.duty_class, h, h / total if total else None, n])
    if None in per_duty:
        h, n, _ = per_duty[None]
        rows.append(["—", NO_DUTY, "辅助", h, h / total if total else None, n])
    known = {d.id for d in ctx.duties}
    other = [(h, n) for d, (h, n, _) in per_duty.items() if d is not None and d not in known]
    if other:
        rows.append(["—", "已撤销的职责", "辅助", sum(h for h, _ in other),
                     sum(h for h, _ in other) / total if total else None, sum(n for _, n in other)])
    if rows:
        linked = [r for r in rows if r[0] != "—"]
        top = sorted(linked, key=lambda r: -r[3])[:3]
        text = f"本期工作记录关联职责{len(linked)}项"
        if top:
            text += "，用时最多的是" + "、".join(
                f"{r[0]}“{R.short_name(r[1])}”（{hours(r[3])}小时，占{pct(r[4])}）" for r in top)
        loose = [r for r in rows if r[0] == "—"]
        if loose:
            h = sum(r[3] for r in loose)
            what = "未关联或已撤销职责" if len(loose) > 1 or loose[0][1] != NO_DUTY else "未关联职责"
            text += f"；另有{what}的工作{hours(h)}小时（占{pct(h / total if total else None)}）"
        doc.paragraph(text + "。")
        book.table("本人履职事项", (Col("职责编号"), Col("职责内容"), Col("类别"),
                                Col("工时", HOURS), Col("占比", PCT), Col("条数", INT)),
                   rows, font_size=SMALL_TABLE)
    else:
        doc.paragraph("本期没有已审定的工作记录。")
    if f.active_duties:
        text = (f"本人岗位职责共{f.active_duties}项，本期有已审定工作记录的{len(f.covered_duties)}项"
                f"（{pct(f.coverage)}）。")
        if f.uncovered_duties:
            by_code = ctx.duty_by_code
            text += "未见记录的岗位职责：" + nv.listing(
                [nv.duty_label(c, by_code[c].content if c in by_code else "")
                 for c in f.uncovered_duties], "项") + "。"
        doc.paragraph(text)
    else:
        doc.paragraph("本人尚未关联岗位职责，无法评价岗位职责的履行情况。")


def _suggestions(s: PeriodSummary, f, bands, by_code) -> str:
    if not s.has_data:
        return nv.suggestion_paragraph(s, bands)
    items = nv.suggestions(dataclasses.replace(s, uncovered=()), bands)
    if f.uncovered_duties:
        items.append(f"对本期未见记录的{len(f.uncovered_duties)}项岗位职责，结合年度工作安排"
                     f"予以关注，属于阶段性工作的在后续期间跟进")
    core = f.focus.get(M.CORE)
    post_core = [c for c in f.covered_duties + f.uncovered_duties
                 if c in by_code and by_code[c].duty_class == vocab.DUTY_CORE]
    if core is not None and core < LOW_CORE_SHARE and post_core:
        items.append(f"在做好辅助性工作的同时，更多投入岗位职责中的核心职责"
                     f"（{nv.listing(post_core, '项')}，本期核心职责工时占比{pct(core)}）")
    if not items:
        return "本期各项指标未见异常，建议继续保持日志填报质量，做到及时、真实、具体。"
    if len(items) == 1:
        return f"建议{items[0]}。"
    ordinals = "一二三四五六七八九十"
    return "建议：" + "；".join(f"{ordinals[i]}是{t}" for i, t in enumerate(items)) + "。"

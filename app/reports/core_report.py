"""部门核心职能履行评估分析报告: per core duty (Duty.duty_class 核心) the hours, the number of
people and of entries, the sections carrying it, 2–3 example entries (finally approved and not
涉密/敏感: secret entries never show text), the change against the previous period and which
core duties were not carried out at all."""
from __future__ import annotations

from app.core import metrics as M
from app.core import vocab
from app.core.figures import UNIT
from app.reports.typeset import charts
from app.reports import narrative as nv
from app.reports import report_data as R
from app.reports.model import DutyActivity, hours, pct
from app.reports.report_book import (HOURS, INT, PCT, SMALL_TABLE, Col, ReportBook,
                                     definitions_note)
from app.reports.report_parts import KINDS, Context, load_pages

CHANGE_LISTED = 4            # duties named for the largest rises and falls
SECTIONS_LISTED = 4
HEADING_NAME = 16           # characters of a duty in its heading: （十一）SD-16 + 16 fit a line
LOW_HOURS = 0.25             # a core duty below this share of the average core duty's hours
EXAMPLE_HEADERS = ["日期", "人员", "科室", "工作记录示例", "工时"]


def core_report(ctx: Context) -> tuple[ReportBook, str]:
    page, prev, counts, prev_counts = load_pages(ctx)
    u, by_code = page.unit, ctx.duty_by_code
    live = [d for d in ctx.duties if d.active]
    core = [d for d in live if d.duty_class == vocab.DUTY_CORE]
    names = ctx.data.people

    one_year = ctx.period.start.year == ctx.period.end.year

    def example_row(e: R.Example) -> list[str]:
        who, section = names.get(e.person_id, ("—", "—"))
        day = f"{e.day.month}月{e.day.day}日" if one_year else e.day.isoformat()
        return [day, who, section, R.clip(e.text), hours(e.hours)]

    def label(e: R.Example) -> str:
        day, who, section, text, h = example_row(e)
        return f"{day}，{who}（{section}）：{text}（{h}小时）"

    texts = ctx.data.examples
    acts = R.activities(live, counts, texts=texts, label=label)
    before_acts = {a.code: a for a in R.activities(live, prev_counts)}
    s = R.summary(u, UNIT, by_code, counts.entries(), activities=acts)
    core_acts = [a for a in acts if a.kind == vocab.DUTY_CORE]
    busy = [a for a in core_acts if a.hours > 0]
    core_hours = sum(a.hours for a in busy)
    people = {p for d in core for p in counts.by_duty().get(d.id, (0, 0, set()))[2]}

    doc, title = ctx.document([u.name, ctx.period.label, KINDS["core"]], u.name)
    book = ReportBook(doc)
    doc = book.doc

    doc.section(1, "总体情况")
    classes = {c: sum(1 for d in live if d.duty_class == c) for c in vocab.DUTY_CLASSES}
    doc.paragraph(f"{ctx.period.label}，{u.name}在用的“三定”职责共{len(live)}项，其中核心职责"
                  f"{classes[vocab.DUTY_CORE]}项、一般职责{classes[vocab.DUTY_GENERAL]}项、辅助职责"
                  f"{classes[vocab.DUTY_AUX]}项。本期经审定的工作时长{hours(u.logged_hours)}小时，"
                  f"工作记录{s.approved_entries}条，工作饱和度{pct(u.saturation)}。")
    entries = sum(a.entries for a in busy)
    book.table("核心职能主要指标", (Col("指标"), Col("本期"), Col("计算依据")), [
        ["核心职责", f"{len(core)}项", f"在用“三定”职责{len(live)}项中分类为核心的职责"],
        ["有履职记录的核心职责", f"{len(busy)}项",
         f"核心职责履职全面度{pct(len(busy) / len(core)) if core else '—'}"
         f"（{len(busy)}项÷{len(core)}项）"],
        ["核心职责工时", f"{hours(core_hours)}小时", "关联核心职责的已审定工作记录工时之和"],
        ["核心职责聚焦度", pct(u.focus.get(M.CORE)),
         f"核心职责工时{hours(core_hours)}小时÷计入工时{hours(u.logged_hours)}小时"],
        ["参与人数", f"{len(people)}人", f"本期有核心职责工作记录的人员（计入统计的人员{u.people}人）"],
        ["工作记录", f"{entries}条", f"关联核心职责的已审定工作记录（全部{s.approved_entries}条）"],
    ])
    for note in definitions_note(u, today=ctx.today, pending=ctx.data.pending):
        doc.note(note)
    for text in nv.core_duties(s):
        doc.paragraph(text)

    doc.section(1, "各项核心职责履行情况")
    book.table("各项核心职责履行情况",
               (Col("编号"), Col("职责内容"), Col("工时", HOURS), Col("占核心工时", PCT),
                Col("人数", INT), Col("条数", INT), Col("承担科室")),
               [[a.code, a.name, a.hours, a.hours / core_hours if core_hours else None, a.people,
                 a.entries, "、".join(by_code[a.code].sections) or "—"] for a in core_acts],
               font_size=SMALL_TABLE)
    if busy:
        doc.figure(charts.category_bars([(f"{a.code} {R.short_name(a.name, verb=False)}", a.hours)
                                         for a in busy], ctx.fonts), "各项核心职责工时")
    by_id = {d.code: d.id for d in core}
    # a period still running or still in review: its differences are review progress, not change
    withheld = u.conclusion_withheld() or (prev.unit.conclusion_withheld() if prev.unit else None)
    example_sheet = []
    for a in core_acts:
        doc.section(2, f"{a.code}\u3000{R.short_name(a.name, HEADING_NAME)}")
        doc.paragraph(_duty_paragraph(a, None if withheld else before_acts.get(a.code), core_hours,
                                      by_code, _sections_of(counts, by_id[a.code], names)))
        rows = [example_row(e) for e in texts.get(by_id[a.code], [])]
        if rows:
            doc.table(EXAMPLE_HEADERS, rows, font_size=SMALL_TABLE, align="CCLLR")
            example_sheet += [[a.code, *r[:4], r[4]] for r in rows]
        elif a.entries:
            doc.paragraph("该项职责本期的工作记录均为涉密、敏感或过于简短的内容，不列示例。")
    if example_sheet:
        book.data_sheet("工作记录示例", ["职责编号", *EXAMPLE_HEADERS], example_sheet)

    doc.section(1, "与上期比较")
    if withheld:
        now = sum(a.hours for a in core_acts)
        was = sum(before_acts[a.code].hours for a in core_acts if a.code in before_acts)
        doc.paragraph(f"{withheld}，核心职责工时与上期（{ctx.previous.label}）的差异主要反映审阅进度，"
                      f"不作增减判断：本期{hours(now)}小时、上期{hours(was)}小时。")
    for text in () if withheld else _change_paragraphs(core_acts, before_acts, ctx.previous.label):
        doc.paragraph(text)
    rate = prev.unit.submission_rate if prev.unit is not None else None
    if rate is not None and rate < M.DEFAULT_TRUST_THRESHOLD and any(
            b.hours for b in before_acts.values()):
        doc.paragraph(f"上期日志填报率为{pct(rate)}，低于{pct(M.DEFAULT_TRUST_THRESHOLD, 0)}，"
                      f"上期工时留痕不完整，与上期的比较仅供参考。")
    if any(before_acts[a.code].hours for a in core_acts if a.code in before_acts):
        book.table("核心职责工时本期与上期对比",
                   (Col("编号"), Col("职责"), Col("本期工时", HOURS), Col("上期工时", HOURS),
                    Col("变化"), Col("本期人数", INT), Col("上期人数", INT)),
                   [[a.code, R.short_name(a.name), a.hours, before_acts[a.code].hours,
                     "不作比较" if withheld else nv.change_relative(a.hours, before_acts[a.code].hours)
                     or ("新增" if a.hours else "—"), a.people, before_acts[a.code].people]
                    for a in core_acts], font_size=SMALL_TABLE)

    doc.section(1, "建议")
    doc.paragraph(_suggestions(s, core_acts, u))
    return book, title


def _sections_of(counts: R.EntryCounts, duty_id: str, names) -> list[tuple[str, int]]:
    """(section, persons) of the people with approved entries on the duty, most people first."""
    people = counts.by_duty().get(duty_id, (0, 0, set()))[2]
    per: dict[str, int] = {}
    for pid in people:
        section = names.get(pid, ("", "未知科室"))[1]
        per[section] = per.get(section, 0) + 1
    return sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))


def _duty_paragraph(a: DutyActivity, before: DutyActivity | None, core_hours: float, by_code,
                    sections: list[tuple[str, int]]) -> str:
    carried = "、".join(by_code[a.code].sections)
    owner = f"“三定”规定的承担科室为{carried}。" if carried else "该项职责尚未明确承担科室。"
    if a.entries == 0:
        text = f"本期未见该项职责的履职记录。{owner}"
        if before is not None and before.hours > 0:
            text += f"上期该项职责有工时{hours(before.hours)}小时、工作记录{before.entries}条。"
        return text
    share = f"，占核心职责工时的{pct(a.hours / core_hours)}" if core_hours > 0 else ""
    where = "、".join(f"{n}（{k}人）" for n, k in sections[:SECTIONS_LISTED])
    if len(sections) > SECTIONS_LISTED:
        where += f"等{len(sections)}个科室"
    text = (f"本期该项职责累计工时{hours(a.hours)}小时{share}，{a.people}名人员参与，"
            f"工作记录{a.entries}条；参与人员来自{where}。{owner}")
    if before is not None and before.hours > 0:
        text += f"与上期相比，工时{nv.change_relative(a.hours, before.hours)}（上期{hours(before.hours)}小时）。"
    elif before is not None:
        text += "上期该项职责无履职记录，本期新有记录。"
    return text


def _change_paragraphs(acts: list[DutyActivity], before: dict[str, DutyActivity],
                       label: str) -> list[str]:
    now = sum(a.hours for a in acts)
    was = sum(before[a.code].hours for a in acts if a.code in before)
    if was <= 0:
        return [f"上期（{label}）核心职责无已审定的工作记录，本期无法与上期比较。"]
    rel = nv.change_relative(now, was)
    out = [f"与上期（{label}）相比，核心职责工时合计{rel}（上期{hours(was)}小时）。"]
    deltas = [(a, a.hours - before[a.code].hours) for a in acts if a.code in before]
    up = sorted((d for d in deltas if d[1] > 0 and before[d[0].code].hours > 0),
                key=lambda d: -d[1])
    down = sorted((d for d in deltas if d[1] < 0 and d[0].hours > 0), key=lambda d: d[1])
    parts = []
    if up:
        parts.append("工时增加较多的是" + "、".join(
            f"{a.code}（增加{hours(d)}小时）" for a, d in up[:CHANGE_LISTED]))
    if down:
        parts.append("减少较多的是" + "、".join(
            f"{a.code}（减少{hours(-d)}小时）" for a, d in down[:CHANGE_LISTED]))
    new = [a.code for a in acts if a.hours > 0 and a.code in before and before[a.code].hours == 0]
    gone = [a.code for a in acts if a.hours == 0 and a.code in before and before[a.code].hours > 0]
    if new:
        parts.append(f"上期无记录、本期新有记录的{len(new)}项：{nv.listing(new, '项')}")
    if gone:
        parts.append(f"上期有记录、本期未见记录的{len(gone)}项：{nv.listing(gone, '项')}")
    if parts:
        out.append("分职责看，" + "；".join(parts) + "。")
    return out


def _suggestions(s, acts: list[DutyActivity], u) -> str:
    items = []
    idle = [a for a in acts if a.entries == 0]
    if idle:
        items.append(f"对本期未见履职记录的{len(idle)}项核心职责（{nv.listing([a.code for a in idle], '项')}）"
                     f"逐项核实原因，属于阶段性、季节性工作的作出说明，确已不再履行的按程序提出调整意见")
    busy = [a for a in acts if a.hours > 0]
    average = sum(a.hours for a in busy) / len(busy) if busy else 0.0
    low = [a for a in busy if a.hours < LOW_HOURS * average]
    if low:
        items.append(f"{nv.listing([a.code for a in low], '项')}本期工时不足核心职责平均工时"
                     f"（{hours(average)}小时）的{pct(LOW_HOURS, 0)}，建议核实是否存在履职不充分"
                     f"或工作记录未关联职责的情况")
    single = [a for a in acts if a.people == 1]
    if single:
        items.append(f"{nv.listing([a.code for a in single], '项')}本期仅由1人承担，"
                     f"建议明确A、B岗，防止人员变动造成工作断档")
    core = u.focus.get(M.CORE)
    if core is not None and core < 0.5:
        items.append(f"进一步聚焦主责主业，压减事务性工作，提高核心职责工时占比（本期{pct(core)}）")
    if u.submission_rate is not None and u.submission_rate < M.DEFAULT_TRUST_THRESHOLD:
        items.append(f"督促按时填报工作日志，提高履职留痕的完整性（本期填报率{pct(u.submission_rate)}）")
    if not s.has_data:
        return "建议督促按时填报和审阅工作日志，待有已审定的日志后再作评价。"
    if not items:
        return "本期各项核心职责均有履职记录，建议继续保持，并注意均衡各项核心职责的工作力量。"
    if len(items) == 1:
        return f"建议{items[0]}。"
    ordinals = "一二三四五六七八九十"
    return "建议：" + "；".join(f"{ordinals[i]}是{t}" for i, t in enumerate(items)) + "。"


__all__ = ["core_report"]

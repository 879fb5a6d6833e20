"""机构编制执行情况和使用效益分析报告: the 编办's county report as a GB/T 9704 PDF, its tables
as Excel.

    info = write_report(rows, before, period, previous, issuer, today, "county.pdf", "county.xlsx")

Written from the county table's rows (app.core.bureau.county.CountyRow) of the period and the one
before, which app.services.reporting.county gathers (the units' figures as each unit's own statistics
compute them, plus staffing, staffing need and 编制任务比) for the period and the one before.
Sections: 一、总体情况 (staffing by 编制类型; the county's saturation, submission, focus and
coverage from the sums of the units' inputs; the previous period), 二、各单位工作饱和度与主责
主业聚焦度 (ranked, with charts), 三、编制配备与使用, 四、编制需求测算, 五、编制任务比,
六、需要关注的问题, 七、建议 — the text of each written from the numbers
(app.reports.county.text).
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from app.core.bureau import county as C
from app.core import metrics as M
from app.core.metrics import Period
from app.core.need import NeedRule
from app.reports.typeset import charts
from app.reports.county import data as D
from app.reports.county import text as T
from app.reports.county.bodies import body_section
from app.reports.typeset.document import OfficialDocument, chinese_date
from app.reports.typeset.fonts import register_fonts
from app.reports.model import DASH, hours, pct
from app.reports.report_book import (AVG, BAND_WORDS, HOURS, INT, ONE, PCT, SMALL_TABLE, Col,
                                     ReportBook)
from app.reports.report_parts import ReportInfo, title_lines

TITLE = ("机构编制执行情况", "和使用效益分析报告")
TOTAL = "全县合计"
# Units per chart: a chart never splits, so a county of 50 or 400 units gets several, each
# shorter than a page (saturation bars 17 pt a unit, focus bars 24 pt).
SATURATION_PER_CHART = 30
FOCUS_PER_CHART = 20


def write_report(rows, before, period: Period, previous: Period, issuer: str, today: dt.date,
                 out: Path | str, xlsx: Path | str | None = None,
                 rule: NeedRule = NeedRule(), parents: dict | None = None) -> ReportInfo:
    """The report from county_table rows of the period and of the one before; `rule` is the
    staffing-need rule the rows were judged by (stated in the report); `parents`: each unit's
    主管部门 (app.reports.county.bodies lists the bodies together)."""
    started = time.perf_counter()
    area = D.area_name(issuer)
    fonts = register_fonts()
    subtitle = f"（{period.label}）"
    doc = OfficialDocument(title_lines([area, *TITLE], fonts.heiti), issuer, today, fonts,
                           subtitle=subtitle)
    title = area + "".join(TITLE) + subtitle
    book = ReportBook(doc)
    t, p = D.totals(rows, period), D.totals(before, previous)
    overview(book, rows, before, t, p, today, rule)
    body_section(book, rows, parents, rule, today)      # （四）部门及所属单位一体化评估
    loads(book, rows, t, area, fonts)
    staffing(book, rows, t)
    need(book, rows, rule)
    ratios(book, rows)
    closing(book, rows, t)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = doc.build(out)
    xlsx_path = book.write_xlsx(xlsx, title) if xlsx else None
    return ReportInfo(out, pages, time.perf_counter() - started, title, xlsx_path)


# ---------------------------------------------------------------- 一、总体情况
def overview(book: ReportBook, rows, before, t: D.CountyTotals, p: D.CountyTotals,
             today: dt.date, rule: NeedRule) -> None:
    doc = book.doc
    doc.section(1, "总体情况")
    doc.section(2, "编制配备")
    doc.paragraph(T.staffing(t))
    cols = (Col("编制类型"), Col("核定编制", INT), Col("实有人数", INT), Col("使用率", PCT),
            Col("空编", INT), Col("超编", INT), Col("超编单位", INT))
    lines = [[x.name, x.quota, x.actual, x.usage, x.vacancies, x.over, x.over_units]
             for x in t.types]
    lines.append(["合计", t.quota, t.actual, t.usage, t.vacancies, t.over_quota,
                  len(t.over_quota_units)])
    book.table("全县编制配备情况（按编制类型）", cols, lines, emphasize_last=True,
               notes=["空编、超编按单位逐一计算后相加，一个单位的空编不抵消另一个单位的超编。"])
    doc.section(2, "履职留痕")
    doc.paragraph(T.activity(t))
    lines = indicator_rows(rows, before, t, p)
    if p.has_data:
        book.table(f"全县主要指标（本期{t.period.label}，上期{p.period.label}）",
                   (Col("指标"), Col("本期"), Col("上期"), Col("本期计算依据")), lines)
    else:                             # nothing to compare: no column of dashes
        book.table(f"全县主要指标（{t.period.label}）", (Col("指标"), Col("本期"), Col("计算依据")),
                   [[a, b, d] for a, b, _, d in lines])
    for note in notes(rows, t, today):
        doc.note(note)
    doc.section(2, "与上期比较")
    for text in T.changes(t, p, rule) or ["本期各单位均无已审定的日志，无法与上期比较。"]:
        doc.paragraph(text)


def _need_sum(rows) -> tuple[list, str]:
    trusted = [r for r in rows if r.need.trustworthy and r.need.need is not None]
    return trusted, f"{sum(r.need.need for r in trusted):.1f}人" if trusted else DASH


def indicator_rows(rows, before, t: D.CountyTotals, p: D.CountyTotals) -> list[list[str]]:
    def sat(x: D.CountyTotals) -> str:
        return DASH if x.saturation is None else f"{pct(x.saturation)}（{BAND_WORDS[x.band]}）"

    def core(x: D.CountyTotals) -> str:
        return pct(x.focus.core) if x.focus else DASH

    trusted, fte = _need_sum(rows)
    return [
        ["有已审定日志的单位", f"{len(t.reporting)}个", f"{len(p.reporting)}个",
         f"登记单位{t.units}个"],
        ["在岗人数", f"{t.people}人", f"{p.people}人", "各单位本期计入统计的人员之和（含编外）"],
        ["工作饱和度", sat(t), sat(p),
         f"计入工时{hours(t.logged_hours)}小时÷应出勤工时{hours(t.expected_hours)}小时"],
        ["日志填报率", pct(t.submission_rate), pct(p.submission_rate),
         f"已提交日志{t.submitted_days}人日÷应出勤{t.available_days}人日"],
        ["核心职责聚焦度", core(t), core(p),
         f"核心职责工时{hours(t.focus_hours[0])}小时÷计入工时{hours(sum(t.focus_hours))}小时"],
        ["履职全面度", pct(t.coverage), pct(p.coverage),
         f"有留痕的职责{t.covered_duties}项÷在用职责{t.active_duties}项"],
        ["测算需要人数（可作结论的单位）", fte, _need_sum(before)[1],
         f"{len(trusted)}个单位测算人数之和，在岗{sum(r.need.people for r in trusted)}人、"
         f"核定编制{sum(r.need.quota for r in trusted)}名"],
    ]


def notes(rows, t: D.CountyTotals, today: dt.date) -> list[str]:
    period = t.period
    days = sorted({r.figures.working_days for r in rows if D.has_data(r)})
    work = f"工作日{days[0]}天" if len(days) == 1 else (
        f"各单位工作日{days[0]}～{days[-1]}天" if days else "")
    out = [f"统计期间{chinese_date(period.start)}至{chinese_date(period.end)}"
           + (f"，{work}" if work else "") + "；只计经最终审定的日志。应出勤工时＝（工作日－请假、"
           "公休天数）×标准工时，出差照常计入。各单位数据来自其报送的上报包，与单位自己统计的结果一致。",
           f"工作饱和度分档：{D.BANDS.describe()}。",
           "编制配备按各单位最近一次上报包中的人员名册统计，不分期间：实有人数只计编制类型与核定编制"
           "对应的在职、借调人员，编外人员不计入。"]
    if t.running:
        out.append(f"本期尚未结束，数据截至{chinese_date(period.end)}：应出勤工时只计已经过去的工作日，"
                   f"本期的比较和测算不作结论。")
    if t.pending_logs:
        out.append(f"已提交、尚未审定的日志{t.pending_logs}篇、{hours(t.pending_hours)}小时不计入"
                   f"工作饱和度；审定率（已审定工时÷已提交工时）为{pct(t.review_completion)}。")
    return out


# ---------------------------------------------------------------- 二、饱和度与聚焦度
LOAD_COLS = (Col("排名", INT), Col("单位"), Col("计入工时", HOURS), Col("应出勤工时", HOURS),
             Col("饱和度", PCT), Col("分档"), Col("核心职责占比", PCT), Col("填报率", PCT))


def loads(book: ReportBook, rows, t: D.CountyTotals, area: str, fonts) -> None:
    doc = book.doc
    doc.section(1, "各单位工作饱和度与主责主业聚焦度")
    doc.paragraph(T.load(rows))
    doc.paragraph(T.focus(rows, t))
    order = C.ranked(rows, "saturation")
    lines = []
    for rank, r in order:
        f = r.figures if D.has_data(r) else None
        lines.append([rank if f else None, r.name, f and f.logged_hours,
                      f and f.expected_hours, f and D.saturation(r),
                      BAND_WORDS[f.band] if f else "无数据",
                      f and D.core_share(r), f and D.submission(r)])
    lines.append([None, TOTAL, t.logged_hours, t.expected_hours, t.saturation,
                  BAND_WORDS[t.band], t.focus.core if t.focus else None, t.submission_rate])
    book.table("各单位工作饱和度与主责主业聚焦度", LOAD_COLS, lines, emphasize_last=True,
               font_size=SMALL_TABLE, notes=["排名按工作饱和度从高到低；本期没有已审定日志的单位不排名。"])
    data = [r for _, r in order if D.has_data(r)]
    if not data:
        return
    for part, caption in chunks(data, SATURATION_PER_CHART, "各单位工作饱和度"):
        doc.figure(charts.saturation_bars([(D.short_unit(r.name, area), D.saturation(r))
                                           for r in part], fonts, D.BANDS), caption)
    book.data_sheet("图 各单位工作饱和度", ["单位", "计入工时", "应出勤工时", "工作饱和度"],
                    [[r.name, D.fig(r, "logged_hours"), D.fig(r, "expected_hours"),
                      round(D.saturation(r), 4)] for r in data], percent=["工作饱和度"])
    by_core = sorted(data, key=lambda r: -(D.core_share(r) or 0))
    focus_rows = [(D.short_unit(r.name, area), D.focus_of(r)) for r in by_core] + [(TOTAL, t.focus)]
    for part, caption in chunks(focus_rows, FOCUS_PER_CHART, "各单位核心、一般、辅助职责工时占比"):
        doc.figure(charts.focus_bars(part, fonts), caption)
    book.data_sheet("图 各单位职责工时占比", ["单位", "核心职责工时", "一般职责工时", "辅助职责工时",
                                         "核心职责占比"],
                    [[r.name, *(r.figures.focus_hours.get(k) for k in M.FOCUS_KEYS),
                      round(D.core_share(r), 4)] for r in by_core], percent=["核心职责占比"])


def chunks(items: list, size: int, caption: str) -> list[tuple[list, str]]:
    """`items` in charts of at most `size`, balanced, captioned 图N caption（1/3） when several."""
    n = -(-len(items) // size)
    per = -(-len(items) // n)
    parts = [items[i:i + per] for i in range(0, len(items), per)]
    return [(part, caption if n == 1 else f"{caption}（{k}/{n}）") for k, part in enumerate(parts, 1)]


# ---------------------------------------------------------------- 三、编制配备与使用
STAFF_COLS = (Col("单位"), Col("编制数", INT), Col("实有", INT), Col("使用率", PCT),
              Col("空编", INT), Col("超编", INT), Col("职数", INT), Col("实配", INT),
              Col("超职数", INT), Col("借调", INT))


def staffing(book: ReportBook, rows, t: D.CountyTotals) -> None:
    book.doc.section(1, "编制配备与使用")
    book.doc.paragraph(T.staffing_units(rows))
    lines = [[r.name, *staff_numbers(r.staffing)] for r in rows]
    lines.append([TOTAL, *(sum(line[k] for line in lines) for k in (1, 2)), t.usage,
                  *(sum(line[k] for line in lines) for k in range(4, 10))])
    book.table("各单位编制配备与使用情况", STAFF_COLS, lines, emphasize_last=True,
               font_size=SMALL_TABLE,
               notes=["编制数、实有：核定编制数和与之对应的实有人数；超编按编制类型逐一计算后相加。"
                      "职数、实配：核定领导职数和实际配备的领导人数（正职、副职合计），超职数按正职、"
                      "副职分别计算后相加。借调：本单位在编人员中借调到其他单位工作的人数。"])


def staff_numbers(s) -> list:
    """编制数, 实有, 使用率, 空编, 超编, 职数, 实配, 超职数, 借调 of one unit."""
    return [s.quota_total, s.actual_total, s.usage, s.vacancies, sum(s.over_quota.values()),
            sum(s.leader_quotas.values()), sum(s.leaders.values()), sum(s.over_leaders.values()),
            s.seconded]


# ---------------------------------------------------------------- 四、编制需求测算
NEED_COLS = (Col("单位"), Col("待审工时", HOURS), Col("填报率", PCT),
             Col("饱和度", PCT), Col("在岗人数", INT), Col("测算需要", ONE), Col("差额", ONE),
             Col("核定编制", INT), Col("测算结论"))


def need(book: ReportBook, rows, rule: NeedRule) -> None:
    doc = book.doc
    doc.section(1, "编制需求测算")
    doc.paragraph(T.need_rule(rule))
    for text in T.need(rows):
        doc.paragraph(text)
    lines = [[r.name, *((D.fig(r, "pending_hours"), D.submission(r), D.saturation(r))
                        if D.has_data(r) else (None,) * 3),
              r.need.people, r.need.need, r.need.gap, r.need.quota, r.need.verdict]
             for r in D.need_order(rows)]
    book.table("各单位编制需求测算", NEED_COLS, lines, font_size=SMALL_TABLE,
               notes=["差额＝测算需要人数－在岗人数。数据不足的单位，测算人数仅供参考，不作为增减编依据，"
                      "原因见正文。"]
               if any(r.need.verdict == "数据不足" and D.has_data(r) for r in rows) else
               ["差额＝测算需要人数－在岗人数。"])


# ---------------------------------------------------------------- 五、编制任务比
RATIO_COLS = (Col("单位"), Col("类别"), Col("核定编制", INT), Col("重点任务", INT),
              Col("标准任务数", AVG), Col("编制任务比", AVG))


def ratios(book: ReportBook, rows) -> None:
    book.doc.section(1, "编制任务比")
    book.doc.paragraph(T.ratio_rule())
    book.doc.paragraph(T.ratios(rows))
    with_ratio, without = D.ratio_rows(rows)
    lines = [[r.name, r.ratio.task_class or "未设定", r.ratio.quota, r.ratio.key_tasks,
              r.ratio.target, r.ratio.ratio] for r in with_ratio + without]
    book.table("各单位编制任务比", RATIO_COLS, lines)


# ---------------------------------------------------------------- 六、问题 七、建议
def closing(book: ReportBook, rows, t: D.CountyTotals) -> None:
    doc = book.doc
    doc.section(1, "需要关注的问题")
    found = T.problems(rows, t)
    for i, (head, text) in enumerate(found):
        doc.paragraph(text, lead=T.lead(i, head))
    if not found:
        doc.paragraph(f"本期{t.units}个单位未发现超编、超职数配备、留痕不完整等需要关注的问题。")
    warned = [(r.name, warnings(r)) for r in rows]
    if any(w for _, w in warned):
        book.table("各单位预警事项", (Col("单位"), Col("预警事项")),
                   [[name, "；".join(w)] for name, w in warned if w])
    doc.section(1, "建议")
    advice = T.suggestions(rows, t)
    for i, (head, text) in enumerate(advice):
        doc.paragraph(text, lead=T.lead(i, head))
    if not advice:
        doc.paragraph(f"本期{t.units}个单位各项指标未见明显异常，建议各单位持续做好履职留痕和日志审阅。")


def warnings(row) -> list[str]:
    """The row's warnings; a unit whose figures exist but hold no approved hours (a mirror that
    never received a package) is flagged too."""
    found = list(row.warnings)
    if not D.has_data(row) and not any("没有上报数据" in w or "没有已审定" in w for w in found):
        found.append("本期没有已审定的日志")
    return found


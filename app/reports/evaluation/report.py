"""Evaluation reports of a round (五单工作法, seed 004) as GB/T 9704 PDFs, with Excel of every score
and problem:

    write_unit_report(unit_eval, issuer, today, "out.pdf", xlsx="out.xlsx")
    write_round_report(unit_evals, issuer, today, "out.pdf")

(app.services.reporting.evaluation gathers the UnitEval values from the databases.)

    unit   《XX单位机构编制执行情况和使用效益评估报告》: 一、基本情况 (staffing and statistics of
           the round's period, how the round went), 二、自评与评估得分 (by 一级/二级 indicator, self
           beside the 编办's score, the points that lost most), 三、工作成效, 四、存在问题 (by
           category, with type, deadline and state), 五、整改建议 — on a unit database its own
           report; on a 编办 database with `unit` the unit's, read from its mirror.
    round  《XX年度机构编制评估工作情况报告》 (编办 database, no `unit`): the units, the ranking,
           problems by category and by type as seed 004 counts them, rectification and overdue
           items, next steps.

The Excel file holds the report's tables and two sheets of data: every 评估要点 of every unit
(self and 编办 scores, explanations, evidence) and every problem with its rectification.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from reportlab.graphics.shapes import Drawing, Line, Rect, String

from app.core.metrics import parse_period
from app.reports.evaluation import data as D
from app.reports.evaluation import text as T
from app.reports.evaluation.bodies import body_scores
from app.reports.typeset.document import OfficialDocument, chinese_date
from app.reports.typeset.fonts import register_fonts
from app.reports.typeset.layout import TEXT_WIDTH, width_of
from app.reports.report_book import INT, SMALL_TABLE, Col, ReportBook, headline
from app.reports.report_parts import ReportInfo, title_lines
from app.reports.county.data import area_name, short_unit

UNIT_TITLE = ("机构编制执行情况", "和使用效益评估报告")
ROUND_TITLE = ("机构编制评估", "工作情况报告")
SCORE = "score"            # a score column: 12.5 / — (ReportBook prints str() of other kinds)
INDENT = "\u00a0" * 4        # reportlab keeps no-break spaces at a cell's start


def _fmt(v):
    """A score as printed and as an Excel number: 6 rather than 6.0, 5.5, None for none."""
    if v is None:
        return None
    v = round(v, 2)
    return int(v) if v == int(v) else v


def _advice(doc, advice: list[tuple[str, str]], otherwise: str) -> None:
    """Numbered suggestions (head, text), or one paragraph saying why there are none."""
    for i, (head, text) in enumerate(advice):
        doc.paragraph(text, lead=T.lead(i, head))
    if not advice:
        doc.paragraph(otherwise)


def _data_sheets(book: ReportBook, units: list[D.UnitEval]) -> None:
    book.data_sheet("评估要点得分", D.SCORE_HEADERS, [r for u in units for r in D.score_rows(u)])
    book.data_sheet("问题清单", D.PROBLEM_HEADERS, [r for u in units for r in D.problem_rows(u)])


def _finish(doc: OfficialDocument, book: ReportBook, title: str, out, xlsx, started) -> ReportInfo:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = doc.build(out)
    xlsx_path = book.write_xlsx(xlsx, title) if xlsx else None
    return ReportInfo(out, pages, time.perf_counter() - started, title, xlsx_path)


# ---------------------------------------------------------------- one unit
def write_unit_report(u: D.UnitEval, issuer: str, today: dt.date, out, xlsx=None, *,
                      units_in_round: int | None = None) -> ReportInfo:
    started = time.perf_counter()
    fonts = register_fonts()
    d = u.detail
    subtitle = f"（{d.name}）"
    doc = OfficialDocument(title_lines([u.name, *UNIT_TITLE], fonts.heiti), issuer, today, fonts,
                           subtitle=subtitle)
    title = u.name + "".join(UNIT_TITLE) + subtitle
    book = ReportBook(doc)

    doc.section(1, "基本情况")
    doc.section(2, "机构编制情况")
    doc.paragraph(T.staffing(u))
    s = u.staffing
    lines = [[k, q, s.actual.get(k, 0), max(0, q - s.actual.get(k, 0)), max(0, s.actual.get(k, 0) - q)]
             for k, q in s.quotas.items()]
    lines.append(["合计", s.quota_total, s.actual_total, s.vacancies, sum(s.over_quota.values())])
    book.table("编制配备情况", (Col("编制类型"), Col("核定编制", INT), Col("实有人数", INT), Col("空编", INT),
                          Col("超编", INT)), lines, emphasize_last=True,
               notes=["实有人数只计编制类型与核定编制对应的在职、借调人员。"])
    doc.section(2, "履职情况")
    doc.paragraph(T.activity(u))
    if u.figures is not None and u.figures.logged_hours:
        headline(book, u.figures, f"主要履职指标（{u.figures.period.label}）")
    doc.section(2, "评估开展情况")
    leaves = d.leaves
    doc.paragraph(T.process(u, len(leaves), sum(1 for i in leaves if i.method == "auto")))

    doc.section(1, "自评与评估得分")
    doc.paragraph(T.totals(u, units_in_round))
    score_table(book, u)
    if u.adjustments:
        book.table("加分扣分项", (Col("编号"), Col("项目"), Col("规则"), Col("次数", INT), Col("加减分", SCORE),
                             Col("理由")),
                   [[a[0], a[1], a[2], a[3], f"{a[4]:+g}", a[5]] for a in u.adjustments],
                   font_size=SMALL_TABLE, notes=["加分扣分由编办逐项录入，按规则封顶，计入最终得分。"])
    lost = D.lost_points(d)
    if lost and d.bureau_totals.scored:
        book.table("失分较多的评估要点", (Col("编号"), Col("评估要点"), Col("满分", SCORE),
                                  Col("自评", SCORE), Col("评估", SCORE), Col("编办意见")),
                   [[i.code, i.name, _fmt(i.max_score), _fmt(i.self_score), _fmt(i.bureau_score),
                     i.bureau_comment or "—"] for i, _ in lost], font_size=SMALL_TABLE)

    doc.section(1, "工作成效")
    found = T.strengths(u)
    for text in found:
        doc.paragraph(text)
    if not found:
        doc.paragraph("本次评估各一级指标得分率均未达到90%，统计数据也未见突出的方面，工作成效有待进一步显现。")

    doc.section(1, "存在问题")
    problems = d.problems
    if problems:
        doc.paragraph(T.problems_summary(problems, "通过自评、综合分析和实地评估，"))
        for i, (head, lines_) in enumerate(T.problems(u)):
            doc.paragraph(lines_[0], lead=T.lead(i, head))
            for text in lines_[1:]:
                doc.paragraph(text)
        book.table("问题清单", (Col("序号", INT), Col("问题类别"), Col("问题描述"), Col("整改类型"),
                            Col("整改期限"), Col("状态")),
                   [[n, p.category, p.description, p.rectify_type, p.deadline or "—",
                     p.state + ("（逾期）" if p.overdue else "")] for n, p in enumerate(problems, 1)],
                   font_size=SMALL_TABLE)
    else:
        doc.paragraph("本次评估未发现需要整改的问题。" if d.bureau_totals.scored else
                      "编办尚未完成实地评估，暂未反馈问题。")

    doc.section(1, "整改建议")
    _advice(doc, T.suggestions(u, today),
            "各项指标和问题整改情况良好，建议单位巩固评估成果，持续做好履职留痕和机构编制日常管理。")
    _data_sheets(book, [u])
    return _finish(doc, book, title, out, xlsx, started)


def score_table(book: ReportBook, u: D.UnitEval) -> None:
    groups = D.groups(u.detail)
    lines = []
    for g in groups:
        name = f"{g.code} {g.name}" if g.level == 1 else f"{INDENT}{g.code} {g.name}"
        diff = None if g.self_score is None or g.bureau_score is None else round(g.bureau_score - g.self_score, 2)
        lines.append([name, _fmt(g.max_score), _fmt(g.self_score), _fmt(g.bureau_score),
                      None if diff is None else f"{diff:+g}" if diff else "0"])
    st, bt = u.detail.self_totals, u.detail.bureau_totals
    top = [g for g in groups if g.level == 1]
    diff = round(bt.total - st.total, 2) if bt.scored and st.scored else None
    lines.append(["合计", _fmt(sum(g.max_score for g in top)), _fmt(st.total) if st.scored else None,
                  _fmt(bt.total) if bt.scored else None,
                  None if diff is None else f"{diff:+g}" if diff else "0"])
    book.table("自评与评估得分（按一级、二级指标）",
               (Col("指标"), Col("满分", SCORE), Col("自评得分", SCORE), Col("评估得分", SCORE),
                Col("差额", SCORE)), lines, emphasize_last=True,
               notes=["差额＝评估得分－自评得分。评估得分为编办实地评估的得分；自动评分的评估要点按统计数据计算。"])


# ---------------------------------------------------------------- the round
def write_round_report(units: list[D.UnitEval], issuer: str, today: dt.date, out, xlsx=None,
                       parents: dict | None = None) -> ReportInfo:
    started = time.perf_counter()
    fonts = register_fonts()
    d0 = units[0].detail
    year = _year(d0)
    area = area_name(issuer)
    parts = [area, f"{year}年度", *ROUND_TITLE]
    doc = OfficialDocument(title_lines(parts, fonts.heiti), issuer, today, fonts, subtitle=f"（{d0.name}）")
    title = "".join(parts)
    book = ReportBook(doc)
    period = parse_period(d0.period)

    doc.section(1, "基本情况")
    doc.paragraph(T.round_overview(units, issuer, d0.name, period.label))
    book.table("参评单位", (Col("单位"), Col("单位类别"), Col("指标体系"), Col("自评提交"), Col("阶段")),
               [[u.name, u.unit_class or "—", u.detail.template_name,
                 u.detail.submitted_at[:10] if u.detail.submitted_at else "未提交", u.detail.stage]
                for u in units], font_size=SMALL_TABLE)

    doc.section(1, "评估结果")
    doc.paragraph(T.round_results(units))
    book.table("评估得分、等次与排名", (Col("排名", INT), Col("单位"), Col("自评得分", SCORE), Col("评估得分", SCORE),
                              Col("加减分", SCORE), Col("最终得分", SCORE), Col("折算百分制", SCORE),
                              Col("等次"), Col("问题数", INT), Col("未销号", INT)),
               [[u.rank, u.name, _fmt(u.detail.self_totals.total) if u.detail.self_totals.scored else None,
                 _fmt(u.total), f"{u.adjust_total:+g}" if u.adjustments else "0", _fmt(u.final),
                 _fmt(u.percent), u.grade or "—",
                 len(u.detail.problems), len(u.open_problems)] for u in units],
               font_size=SMALL_TABLE,
               notes=["最终得分＝编办评估得分＋加分扣分；排名按最终得分从高到低，尚未完成评分的单位不排名、不定等次。",
                      f"等次按折算百分制（最终得分÷满分×100）：{units[0].grading_text}。"])
    adjusted = [(u, a) for u in units for a in u.adjustments]
    if adjusted:
        book.table("加分扣分情况", (Col("单位"), Col("项目"), Col("加减分", SCORE), Col("理由")),
                   [[u.name, a[1], f"{a[4]:+g}", a[5]] for u, a in adjusted], font_size=SMALL_TABLE)
    scored = [u for u in units if u.scored]
    if scored:
        doc.figure(score_bars([(short_unit(u.name, area), u.detail.self_totals.total, u.total) for u in scored],
                              fonts), "各单位自评得分与评估得分")
    body_scores(book, units, parents)       # 部门及所属单位 together, with their average

    problems = [p for u in units for p in u.detail.problems]
    doc.section(1, "发现的问题")
    if problems:
        doc.paragraph(T.problems_summary(problems, "通过自评、综合分析和实地评估，"))
        book.table("评估发现问题（按类别）", (Col("问题类别"), Col("问题数", INT), Col("已销号", INT), Col("未销号", INT)),
                   [[c, n, sum(1 for p in problems if p.category == c and p.status == "closed"),
                     sum(1 for p in problems if p.category == c and p.status != "closed")]
                    for c, n in D.by_category(problems)]
                   + [["合计", len(problems), sum(p.status == "closed" for p in problems),
                       sum(p.status != "closed" for p in problems)]], emphasize_last=True)
        kinds = list(D.by_type(problems))
        book.table("各单位问题（按整改类型）", (Col("单位"), *(Col(k, INT) for k in kinds), Col("合计", INT),
                                      Col("已销号", INT), Col("逾期", INT)),
                   [[u.name, *D.by_type(u.detail.problems).values(), len(u.detail.problems),
                     len(u.detail.problems) - len(u.open_problems), len(u.overdue)] for u in units]
                   + [["合计", *D.by_type(problems).values(), len(problems),
                       sum(p.status == "closed" for p in problems), sum(p.overdue for p in problems)]],
                   emphasize_last=True, font_size=SMALL_TABLE)
    else:
        doc.paragraph("本批次评估尚未记录问题。")

    doc.section(1, "问题整改情况")
    late = [(u, p) for u in units for p in u.overdue]
    if problems:
        open_ = [p for p in problems if p.status != "closed"]
        doc.paragraph(f"截至{chinese_date(today)}，{len(problems)}个问题中已整改销号{len(problems) - len(open_)}个，"
                      f"未销号{len(open_)}个" + (f"，其中逾期未完成{len(late)}个，列表如下。" if late else
                                             "，没有超过整改期限的问题。"))
    else:
        doc.paragraph("暂无需要整改的问题。")
    if late:
        book.table("逾期未完成整改的问题", (Col("单位"), Col("问题描述"), Col("整改类型"), Col("整改期限"),
                                      Col("逾期天数", INT), Col("状态")),
                   [[u.name, p.description, p.rectify_type, p.deadline, D.days_overdue(p, today), p.state]
                    for u, p in late], font_size=SMALL_TABLE)

    doc.section(1, "下一步工作建议")
    _advice(doc, T.round_suggestions(units, today),
            "评估尚在进行，待各单位提交自评、编办完成评分后再提出意见。")
    _data_sheets(book, units)
    return _finish(doc, book, title, out, xlsx, started)


def _year(d) -> int:
    """The round's year as its period starts (the statistics period names it)."""
    return parse_period(d.period).start.year


def score_bars(rows: list[tuple[str, float, float]], fonts, *, width: float = TEXT_WIDTH,
               pitch: float = 30.0) -> Drawing:
    """Two bars a unit: self-score (light, outlined) over the 编办's score (dark), both labelled
    with their value, so a grayscale print reads the same."""
    from reportlab.lib import colors
    size, bar = 9.0, 9.0
    dark, light = colors.HexColor("#1f3864"), colors.HexColor("#cfdcef")
    label_w = min(max((width_of(n, fonts.songti, size) for n, _, _ in rows), default=0) + 8, width * 0.3)
    x0, x1 = label_w, width - 48
    top = max(max(a, b) for _, a, b in rows) or 1.0
    scale = (x1 - x0) / top
    legend = 18
    height = len(rows) * pitch + legend + 4
    d = Drawing(width, height)
    y = height - legend
    for name, own, final in rows:
        d.add(String(x0 - 4, y - pitch / 2 - 3, name, fontName=fonts.songti, fontSize=size, textAnchor="end"))
        for k, (value, fill) in enumerate(((own, light), (final, dark))):
            yb = y - 5 - (k + 1) * (bar + 2)
            d.add(Rect(x0, yb, value * scale, bar, fillColor=fill, strokeColor=dark, strokeWidth=0.4))
            d.add(String(x0 + value * scale + 3, yb + 1.5, f"{value:g}分", fontName=fonts.songti, fontSize=7.5))
        y -= pitch
    d.add(Line(x0, y, x0, height - legend, strokeColor=colors.black, strokeWidth=0.6))
    for k, (text, fill) in enumerate((("自评得分", light), ("评估得分", dark))):
        lx = x0 + k * 80
        d.add(Rect(lx, height - 12, 14, 8, fillColor=fill, strokeColor=dark, strokeWidth=0.4))
        d.add(String(lx + 18, height - 11, text, fontName=fonts.songti, fontSize=size))
    return d


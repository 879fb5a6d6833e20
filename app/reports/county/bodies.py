"""（四）部门及所属单位一体化评估 in the county report: each department with its affiliated
institutions (app.core.bureau.bodies) listed together — the department alone, each institution,
the body's 合计 — with a paragraph per body written from the 合计's numbers. Nothing is written
when no unit has a 主管部门."""
from __future__ import annotations

import datetime as dt
from typing import Mapping

from app.core.bureau import bodies as B
from app.core.need import NeedRule
from app.reports.county import data as D
from app.reports.model import hours, pct
from app.reports.report_book import INT, ONE, PCT, SMALL_TABLE, Col, ReportBook

BODY_COLS = (Col("单位"), Col("编制数", INT), Col("实有", INT), Col("空编", INT), Col("在岗人数", INT),
             Col("饱和度", PCT), Col("核心聚焦度", PCT), Col("填报率", PCT), Col("测算需要", ONE),
             Col("测算结论"))
NOTE = ("合计：编制数、实有、空编、在岗人数按各单位相加（空编按单位逐一计算）；饱和度＝各单位计入工时之和÷"
        "应出勤工时之和，核心聚焦度、填报率同样按分子、分母分别相加后计算，不是各单位比率的平均；"
        "测算需要人数和结论按合计数据套用同一编制需求测算规则。每个部门依次列出本级、所属单位和合计。")


def line(r, name: str | None = None) -> list:
    f = r.figures if D.has_data(r) else None
    s = r.staffing
    return [name or r.name, s.quota_total, s.actual_total, s.vacancies, r.need.people,
            f and f.saturation, f and f.focus.get("core"), f and f.submission_rate,
            r.need.need, r.need.verdict]


def body_section(book: ReportBook, rows, parents: Mapping[str, str | None] | None, rule: NeedRule,
                 today: dt.date) -> None:
    groups = [g for g in B.county_groups(rows, parents or {}, rule, today) if g.is_body]
    if not groups:
        return
    doc = book.doc
    doc.section(2, "部门及所属单位一体化评估")
    doc.paragraph(f"按照部门所属事业单位一体化评估的要求，{len(groups)}个部门与其所属的"
                  f"{sum(len(g.institutions) for g in groups)}个事业单位作为整体评估，人员、工时和编制合并计算。")
    lines = []
    for g in groups:
        doc.paragraph(text(g))
        lines.append(line(g.head, f"{g.head.name}（本级）"))
        lines += [line(m) for m in g.institutions]
        lines.append(line(g.total, f"{g.head.name}{B.TOTAL_SUFFIX}"))
    book.table("部门及所属单位一体化评估", BODY_COLS, lines, font_size=SMALL_TABLE, notes=[NOTE])


def text(g: B.Group) -> str:
    t = g.total
    f = t.figures if D.has_data(t) else None
    names = "、".join(m.name for m in g.institutions)
    s = t.staffing
    out = (f"{g.head.name}及所属{names}合计核定编制{s.quota_total}名，实有{s.actual_total}人，"
           f"空编{s.vacancies}名")
    if f is None:
        return out + "；本期没有已审定的日志。"
    out += (f"；工作饱和度{pct(f.saturation)}（计入工时{hours(f.logged_hours)}小时÷应出勤工时"
            f"{hours(f.expected_hours)}小时），核心职责聚焦度{pct(f.focus.get('core'))}，"
            f"填报率{pct(f.submission_rate)}")
    parts = [f"{m.name}{pct(m.figures.saturation)}" for m in g.members if D.has_data(m)]
    if parts:
        out += f"；其中{'，'.join(parts)}"
    return out + f"。编制需求：{t.need.verdict}（{t.need.text}）。"

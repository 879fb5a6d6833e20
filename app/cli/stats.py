"""CLI command `stats`: the statistics of the unit, its sections or its people for a period.

    python -m app stats --db D --level unit|section|person --period 2026-10 [--json] [--all-logs]
                        [--section 名称] [--user 登录名] [--as 查看人]

--json prints a list of objects (Figures.to_json: name, login, logged_hours, expected_hours,
saturation, band, submission_rate, buckets, focus, coverage, uncovered_duties, hours_by_category,
…); without it a Chinese table. Only finally approved logs count unless --all-logs.
The reader (--as, with their password) sees what the statistics page shows them.
"""
from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import READER, acts_as
from app.cli.common import open_db, print_json
from app.core import metrics as M
from app.core.bureau.county import ranked as order
from app.core.figures import NO_SECTION, NO_SECTION_NAME
from app.core.metrics import parse_period
from app.services.county import table as county
from app.services.county.bodies import body_of
from app.services.county.mirrors import Mirrors
from app.services.stats import compute as stats, queries as stats_queries
from app.services.stats.need import rule_of, unit_need

LEVEL_NAMES = {"unit": "单位", "section": "科室", "person": "人员"}


def _period(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(sub) -> None:
    help_text = "统计：工作饱和度、日均工时、填报率、主责主业聚焦度、履职全面度、测算编制需求"
    sp = acts_as(sub.add_parser("stats", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--scope", choices=["unit", "county"], default="unit",
                    help="unit=本单位（默认）；county=编办版：全县各单位一览（编制、饱和度、聚焦度、"
                         "全面度、填报率、测算编制需求、编制任务比、预警）")
    sp.add_argument("--sort", choices=["saturation", "focus", "coverage", "submission_rate", "usage",
                                       "vacancies"], help="county：按该项排序并排名（从高到低）")
    sp.add_argument("--body", metavar="部门",
                    help="county：只看该部门及其所属单位（一体化评估：部门本级、各所属单位和合计）")
    sp.add_argument("--level", choices=["unit", "section", "person"], default="unit",
                    help="unit=全单位，section=各科室，person=各人员")
    sp.add_argument("--period", type=_period, required=True,
                    help="统计期间：2026-10、2026-Q4、2026-H1（上半年）、2026-H2（下半年）、2026 或 2026-10-01..2026-10-15")
    sp.add_argument("--section", help="只看该科室（科室名称；无科室的人员写“未分科室”）")
    sp.add_argument("--user", help="只看该人员（登录名，--level person）")
    sp.add_argument("--json", action="store_true", help="输出JSON（每个单位/科室/人员一个对象）")
    sp.add_argument("--all-logs", action="store_true",
                    help="计入全部日志（含草稿、待审、退回），默认只计已审定的日志")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, widths[i], i in right) for i, cell in enumerate(row))
                     .rstrip() for row in rows)


def render(figures, level: str, period, approved_only: bool) -> str:
    lights = {"green": "绿", "yellow": "黄", "red": "红", None: M.DASH}
    counted = "只计已审定日志" if approved_only else "计入全部日志（含草稿、待审、退回）"
    working = figures[0].working_days if figures else 0
    period = figures[0].period if figures else period      # cut at today when still running
    lines = [f"{LEVEL_NAMES[level]}统计  {period.label}（{period.start}至{period.end}，工作日"
             f"{working}天，标准工时{figures[0].settings.h0:g}小时/天），{counted}"
             if figures else f"{LEVEL_NAMES[level]}统计  {period.label}：没有数据"]
    if not figures:
        return lines[0]
    head = ["名称"] + (["科室"] if level == "person" else ["人数"]) + [
        "计入工时", "待审工时", "应出勤工时", "饱和度", "灯", "日均工时", "日均<5/5-7/7-10/>10", "填报率",
        "审阅及时率", "核心/一般/辅助", "全面度", "测算人数"]
    rows = [head]
    for f in figures:
        fte = M.DASH if f.fte is None else f"{f.fte:.1f}" + ("" if f.fte_trustworthy else "*")
        name = f"{f.name}（{f.login}）" if f.login else f.name
        rows.append([name, (f.section or M.DASH) if level == "person" else str(f.people),
                     M.hours_text(f.logged_hours),
                     M.hours_text(f.pending_hours) if f.pending_logs else M.DASH,
                     M.hours_text(f.expected_hours),
                     M.percent(f.saturation), lights[f.band],
                     M.DASH if f.daily_average is None else f"{f.daily_average:.2f}",
                     "/".join(str(f.buckets[b]) for b in M.BUCKETS),
                     M.percent(f.submission_rate), M.percent(f.review_timeliness),
                     "/".join(M.percent(f.focus[k], 0) for k in M.FOCUS_KEYS),
                     M.percent(f.coverage), fte])
    right = set(range(1, len(head))) - ({1} if level == "person" else set())
    lines.append(table(rows, right))
    for f in figures:
        if f.uncovered_duties:
            lines.append(f"{f.name} 未留痕职责（{len(f.uncovered_duties)}/{f.active_duties}项）："
                         + "、".join(f.uncovered_duties))
    if any(f.fte is not None and not f.fte_trustworthy for f in figures):
        lines.append(f"* 填报率低于{M.percent(figures[0].settings.trust_threshold, 0)}，"
                     "测算人数仅供参考")
    if approved_only and any(f.pending_logs for f in figures):
        lines.append("待审工时：已提交、尚未审定的日志的工时，不计入上表的计入工时和饱和度")
    return "\n".join(lines)


def cmd_stats(a) -> int:
    db = open_db(a.db)
    if a.scope == "county":
        return cmd_county(db, a)
    section_id = person_id = None
    if a.section:
        if a.section == NO_SECTION_NAME:
            section_id = NO_SECTION
        else:
            with db.read() as s:
                ids = [sid for sid, name in stats_queries.sections(s) if name == a.section]
            if not ids:
                raise AppError(f"没有名为“{a.section}”的科室")
            section_id = ids[0]
    if a.user:
        if a.level != "person":
            raise AppError("--user 只能与 --level person 一起使用")
        person_id = person_of(db, a.user)
    figures = stats.unit_stats(db, a.period, a.level, section_id=section_id, person_id=person_id,
                               approved_only=not a.all_logs, actor=a.actor)
    need = unit_need(db, figures[0]) if a.level == "unit" and figures and not a.all_logs else None
    if a.json:
        print_json([f.to_json() for f in figures])      # the figures only: the verdict is text
    else:
        print(render(figures, a.level, a.period, not a.all_logs))
        if need is not None:
            print(f"编制需求：{need.verdict}。{need.text}")
    return 0


def person_of(db, login: str) -> str:
    from sqlalchemy import select
    from app.db.models import Person
    with db.read() as s:
        person_id = s.scalar(select(Person.id).where(Person.login == login, Person.deleted.is_(False)))
    if person_id is None:
        raise AppError(f"没有登录名为“{login}”的人员")
    return person_id


def county_line(rank, r) -> list[str]:
    f = r.figures
    pending = M.percent(f.waiting_share) if f and f.pending_logs else M.DASH
    return [str(rank or M.DASH), r.name, str(r.staffing.quota_total),
            str(r.staffing.actual_total), M.percent(r.staffing.usage),
            str(r.staffing.vacancies), M.percent(f and f.saturation),
            M.percent(f and f.focus.get("core")), M.percent(f and f.coverage),
            M.percent(f and f.submission_rate), pending, r.need.short_text(), r.need.verdict,
            M.DASH if r.ratio.ratio is None else f"{r.ratio.ratio:.2f}",
            "；".join(r.warnings) or "—"]


COUNTY_HEAD = ["排名", "单位", "编制数", "实有", "使用率", "空编", "饱和度", "核心聚焦", "全面度", "填报率",
               "待审", "测算需（差额）", "编制需求", "任务比", "预警"]


def cmd_county(db, a) -> int:
    mirrors = Mirrors(db)
    rows = county.county_table(db, mirrors, a.period)
    if a.body:
        return county_body(db, mirrors, rows, a)
    ranked = order(rows, a.sort) if a.sort else [(None, r) for r in rows]
    if a.json:
        print_json([dict(r.to_json(), rank=rank) for rank, r in ranked])
        return 0
    if not rows:
        print("还没有登记单位")
        return 0
    table_rows = [COUNTY_HEAD] + [county_line(rank, r) for rank, r in ranked]
    shown = next((r.figures.period for r in rows if r.figures), a.period)
    print(f"全县各单位  {shown.label}（只计已审定日志；待审 = 已提交未审定的工时占比）")
    print(table(table_rows, set(range(2, 13))))
    print("* 仅供参考，不作结论（原因见 --json 的 need.reasons）。差额 = 测算需要人数 − 在岗人数。")
    print("编制需求：" + rule_of(db).describe())
    return 0


def county_body(db, mirrors, rows, a) -> int:
    """`stats --scope county --body 部门`: the department alone, each institution, the body's 合计."""
    g = body_of(db, rows, a.body, mirrors=mirrors)
    total = g.total or g.head
    if a.json:
        print_json({"department": g.head.to_json(), "institutions": [r.to_json() for r in g.institutions],
                    "total": total.to_json(), "rules": BODY_RULES})
        return 0
    lines = [county_line(None, g.head)] + [county_line(None, r) for r in g.institutions]
    for line in lines[1:]:
        line[1] = "  " + line[1]
    lines.append(county_line(None, total))
    shown = next((r.figures.period for r in g.members if r.figures), a.period)
    print(f"{g.head.name}及所属单位（一体化评估）  {shown.label}（只计已审定日志）")
    if not g.institutions:
        print(f"“{g.head.name}”没有所属单位（单位管理 → 设置主管部门…，或 set-parent）；下表只有该单位本身")
    print(table([COUNTY_HEAD] + lines, set(range(2, 13))))
    print(BODY_RULES)
    return 0


BODY_RULES = ("合计：人数、工时、编制数、空编按各单位相加；饱和度 = 各单位计入工时之和 ÷ 应出勤工时之和，"
              "聚焦度、全面度、填报率同样按分子分母分别相加后计算（加权，不是各单位比率的平均）；"
              "编制需求按合计数据套用同一测算规则。")


COMMANDS = {"stats": cmd_stats}

"""CLI command `overlap` (编办): 职责交叉候选, 共性职责, 单位内重复, 无人承担 and 长期不运行的权责事项
across the 三定 duties of every registered unit (app.services.county.overlap).

    python -m app overlap --db county.sqlite [--threshold 0.5] [--top 50] [--json]
                          [--xlsx 职责分析.xlsx] [--today 2026-10-31] [--as 登录名]

Every 编办 account may read it (the GUI shows the 职责交叉 page to all of them).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from app.cli.auth import READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.services.county import overlap as duty_overlap
from app.services.county.mirrors import Mirrors
from app.services.county.overlap import DEFAULT_THRESHOLD, DEFAULT_TOP, REPEAT_THRESHOLD, observed_text


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"相似度阈值应为0到1之间的小数（如0.5）：{text}")
    return value


def _top(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"条数应为正整数：{text}")
    return int(text)


def add_parsers(sub) -> None:
    help_text = "编办：各单位三定职责的交叉候选（相似职责对）、无人承担的职责、长期不运行的权责事项"
    sp = acts_as(sub.add_parser("overlap", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="编办版数据库文件")
    sp.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD,
                    help=f"相似度阈值（0–1，默认{DEFAULT_THRESHOLD:g}）：不低于它的不同单位职责对列为交叉候选")
    sp.add_argument("--top", type=_top, default=DEFAULT_TOP,
                    help=f"交叉候选最多列出的对数（默认{DEFAULT_TOP}，按相似度从高到低）")
    sp.add_argument("--today", type=parse_date, help="统计截止日（默认今天）：长期不运行=此前12个月无审定日志")
    sp.add_argument("--json", action="store_true", help="输出JSON")
    sp.add_argument("--xlsx", type=Path, help="同时把各清单写入该Excel文件")


def render(report) -> str:
    lines = [f"职责交叉与履职分析  {report.units}个单位、{report.duties}项在用职责，截至{report.today}"]
    if report.missing:
        lines.append("未能读取（缺少数据文件）：" + "、".join(report.missing))
    shown = f"，列出前{len(report.cross)}对" if report.cross_total > len(report.cross) else ""
    lines.append(f"\n一、职责交叉候选（不同单位、相似度≥{report.threshold:.2f}，共{report.cross_total}对{shown}）")
    if not report.cross:
        lines.append("  无")
    for n, p in enumerate(report.cross, 1):
        way = "（按分句）" if p.clause_a is not None or p.clause_b is not None else ""
        lines.append(f"{n:>3}. 相似度{p.score:.2f}{way}")
        lines.append(f"     甲 {p.a.unit_name} {p.a.code}：{p.a.content}")
        lines.append(f"     乙 {p.b.unit_name} {p.b.code}：{p.b.content}")
        if way:
            lines.append(f"     匹配分句：甲“{p.clause_text_a or '整项职责'}”；乙“{p.clause_text_b or '整项职责'}”")
        if p.phrases:
            lines.append(f"     共同关键词：{'、'.join(p.phrases[:6])}")
    lines.append(f"\n二、共性职责（各机关普遍具有的内部职责，不作交叉比对，共{len(report.common)}组）")
    if not report.common:
        lines.append("  无")
    for n, g in enumerate(report.common, 1):
        lines.append(f"{n:>3}. 【{g.kind}】{g.units}个单位、{len(g.duties)}项：{g.example.content}")
        lines.append("     " + "、".join(f"{d.unit_name}{d.code}" for d in g.duties))
    lines.append(f"\n三、单位内重复（同一单位、相似度≥{max(report.threshold, REPEAT_THRESHOLD):.2f}，"
                 f"共{len(report.repeats)}对）")
    if not report.repeats:
        lines.append("  无")
    for p in report.repeats:
        lines.append(f"  {p.a.unit_name} 相似度{p.score:.2f}  {p.a.code}：{p.a.content}")
        lines.append(f"  {' ' * len(p.a.unit_name)}            {p.b.code}：{p.b.content}")
    lines.append(f"\n四、无人承担的职责（无承担科室或无在岗人员，共{len(report.unassigned)}项）")
    if report.no_roster:
        lines.append("  尚未收到人员和科室信息的单位（未列入）：" + "、".join(report.no_roster))
    if not report.unassigned:
        lines.append("  无")
    for u in report.unassigned:
        sections = "、".join(u.sections) or "—"
        lines.append(f"  {u.duty.unit_name} {u.duty.code}（{u.duty.duty_class}）{u.problem}；"
                     f"承担科室：{sections}。{u.duty.content}")
    lines.append(f"\n五、长期不运行的权责事项（{report.window_start}至{report.today}无审定日志，"
                 f"共{len(report.idle)}项）")
    if report.no_logs:
        lines.append("  尚无日志的单位（未列入）：" + "、".join(report.no_logs))
    if not report.idle:
        lines.append("  无")
    for i in report.idle:
        last = f"最近审定日志{i.last_day}" if i.last_day else "从未有审定日志"
        lines.append(f"  {i.duty.unit_name} {i.duty.code}（{i.duty.duty_class}）{last}；"
                     f"日志观察期：{observed_text(i)}。{i.duty.content}")
    return "\n".join(lines)


def cmd_overlap(a) -> int:
    db = open_db(a.db)
    mirrors = Mirrors(db)
    try:
        report = duty_overlap.overlap(db, mirrors, threshold=a.threshold, top=a.top, today=a.today)
    finally:
        mirrors.close()
    if a.xlsx:
        duty_overlap.write_excel(report, a.xlsx)
    if a.json:
        print_json(report.to_json())
    else:
        print(render(report))
        if a.xlsx:
            print(f"\n已写入Excel：{a.xlsx}")
    return 0


COMMANDS = {"overlap": cmd_overlap}

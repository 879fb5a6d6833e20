"""CLI command `report`: an evaluation report as a GB/T 9704 PDF, its tables as Excel.

    python -m app report --db D --kind unit|section|core|person|county --period 2026-10 --out F.pdf
                         [--section 科室名称] [--user 登录名] [--xlsx F.xlsx] [--as 查看人]

unit = 部门履职评估分析报告 (月报/季报/年报 by the period), section = 科室履职评估分析报告,
core = 部门核心职能履行评估分析报告, person = 个人履职报告; county (编办版 only) =
全县机构编制执行情况和使用效益分析报告 from the registered units' data. Only finally approved
logs count. The reader (--as, with their password) gets only what the statistics page would
show them: a staff member his own report, a section head his section's (app.services.stats.access).
Unknown kinds, sections, users and periods exit 1 with a Chinese message (not argparse's 2), so a
script sees the same failure whatever was mistyped.
"""
from __future__ import annotations

from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import READER, acts_as
from app.cli.common import open_db
from app.core.metrics import parse_period

KINDS = ("unit", "section", "core", "person", "county")


def add_parsers(sub) -> None:
    help_text = "生成履职评估分析报告（PDF，公文格式），可同时导出报告中的表格（Excel）"
    sp = acts_as(sub.add_parser("report", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--kind", required=True,
                    help="unit=部门履职评估分析报告，section=科室履职评估分析报告，"
                         "core=部门核心职能履行评估分析报告，person=个人履职报告，"
                         "county=机构编制执行情况和使用效益分析报告（编办版）")
    sp.add_argument("--period", required=True,
                    help="统计期间：2026-10（月报）、2026-Q4（季报）、2026-H1/2026-H2（半年报）、2026（年报）或 2026-10-01..2026-10-15")
    sp.add_argument("--section", help="科室名称（--kind section）")
    sp.add_argument("--user", help="登录名（--kind person）")
    sp.add_argument("--out", type=Path, required=True, help="PDF文件")
    sp.add_argument("--xlsx", type=Path, help="同时把报告中的表格写入该Excel文件")
    help_text = ("组织人事导出：每人每季度的计入工时、工作饱和度、提交率、审核通过率、核心职责占比"
                 "（Excel或打印表，供公务员平时考核参考；限主要领导、分管领导和单位管理员）")
    sp = acts_as(sub.add_parser("hr-export", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--period", required=True,
                    help="统计期间：2026-Q3（一个季度）或 2026（全年各季度）；月份按其所在季度")
    sp.add_argument("--out", type=Path, required=True, help="输出文件：.xlsx（Excel）或 .pdf（打印表）")


def cmd_report(a) -> int:
    if a.kind not in KINDS:
        raise AppError(f"报告类型应为 {'、'.join(KINDS)} 之一：{a.kind}")
    if a.section and a.kind != "section":
        raise AppError("--section 只能与 --kind section 一起使用")
    if a.user and a.kind != "person":
        raise AppError("--user 只能与 --kind person 一起使用")
    try:
        period = parse_period(a.period)
    except ValueError as exc:
        raise AppError(str(exc)) from None
    # imported here: reportlab (~0.2 s), only when a report is written
    from app.services.reporting.unit import build_report
    db = open_db(a.db)
    try:
        if a.kind == "county":
            # imported here: reportlab (~0.2 s), only when a report is written
            from app.services.reporting.county import build_county_report
            info = build_county_report(db, period, a.out, xlsx=a.xlsx)
        else:
            info = build_report(db, a.kind, period, a.out, section=a.section, user=a.user,
                                xlsx=a.xlsx, actor=a.actor)
    finally:
        db.dispose()
    print(f"已生成《{info.title}》：{info.path}（{info.pages}页，用时{info.seconds:.1f}秒）")
    if info.xlsx:
        print(f"报告中的表格已导出：{info.xlsx}")
    return 0


def cmd_hr_export(a) -> int:
    # imported here: openpyxl / reportlab, only when the export is written
    from app.services.stats.hr_export import write_hr_export
    db = open_db(a.db)
    try:
        path, table = write_hr_export(db, a.actor, a.period, a.out)
    finally:
        db.dispose()
    people = len({r.login for r in table.rows})
    print(f"已导出{table.unit_name}{table.period_label}干部履职情况（{table.scope}，{people}人，"
          f"{len(table.rows)}行）：{path}")
    return 0


COMMANDS = {"report": cmd_report, "hr-export": cmd_hr_export}

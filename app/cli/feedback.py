"""CLI command `feedback`: the 编办's monthly 履职监测反馈 (seed 002: 每月问题动态反馈).

编办 (编办版 database):
    python -m app feedback --db county.sqlite --month 2026-10 [--today 2026-11-05]
        issue (or issue again) the month's feedback of every registered unit; the next 下发包
        of each unit carries it
    python -m app feedback --db county.sqlite --month 2026-10 --unit 名称 --remark 文字
        the 编办's remark on one unit's feedback
    python -m app feedback --db county.sqlite --month 2026-10 --list [--json]
单位 (单位版 database; 主要领导、分管领导、管理员):
    python -m app feedback --db unit.sqlite --as wanggangxin [--month 2026-10] [--pdf 反馈.pdf] [--json]
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.cli.auth import READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.core import feedback as FB
from app.core.errors import AppError
from app.services.county import feedback as bureau_fb
from app.services.county.mirrors import Mirrors, find_unit
from app.services.reporting import feedback as unit_fb


def add_parsers(sub) -> None:
    help_text = "月度履职监测反馈：编办为各单位生成某月反馈（随下发包送达）；单位查看或打印收到的反馈"
    sp = acts_as(sub.add_parser("feedback", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="编办版或单位版数据库文件")
    sp.add_argument("--month", help="反馈月份，如 2026-10（编办生成时必填；单位查看时省略为最近一期）")
    sp.add_argument("--unit", help="编办：与 --remark 同用，单位名称、统一社会信用代码或编号")
    sp.add_argument("--remark", help="编办：写入该单位该月反馈的编办意见（最多500字）")
    sp.add_argument("--list", action="store_true", help="编办：只列出该月已生成的反馈，不重新生成")
    sp.add_argument("--today", type=parse_date, help="生成日（默认今天）：只能为已结束的月份生成反馈")
    sp.add_argument("--pdf", type=Path, help="单位：把该月反馈打印为PDF")
    sp.add_argument("--json", action="store_true", help="输出JSON")


def render(title: str, content: dict, remark: str) -> str:
    lines = [title]
    for section in FB.sections(content, remark):
        lines.append(section.title)
        lines += [f"  {line}" for line in section.lines]
        if section.headers:
            lines.append("  " + " | ".join(section.headers))
            lines += ["  " + " | ".join(row) for row in section.rows]
    return "\n".join(lines)


def cmd_feedback(a) -> int:
    db = open_db(a.db)
    if db.edition == "bureau":
        return _bureau(db, a)
    return _unit(db, a)


def _bureau(db, a) -> int:
    if not a.month:
        raise AppError("请用 --month 指定反馈月份（如 2026-10）")
    mirrors = Mirrors(db)
    try:
        if a.remark is not None:
            if not a.unit:
                raise AppError("写编办意见须用 --unit 指定单位")
            unit = find_unit(db, a.unit)
            month = bureau_fb.month_of(a.month, dt.date.max).text
            bureau_fb.set_remark(db, mirrors, a.actor, unit.unit_id, month, a.remark)
            print(f"已写入{unit.name}{month}反馈的编办意见；下次导出该单位的下发包时送达")
            return 0
        if a.list:
            found = bureau_fb.month_feedback(db, mirrors, bureau_fb.month_of(a.month, dt.date.max).text)
        else:
            found = bureau_fb.issue_month(db, mirrors, a.actor, a.month, today=a.today)
    finally:
        mirrors.close()
    if a.json:
        print_json([{"unit_id": f.unit_id, "unit_name": f.unit_name, "month": f.month,
                     "content": f.content, "remark": f.remark, "issued_at": f.issued_at} for f in found])
        return 0
    verb = "已有" if a.list else "已生成"
    print(f"{verb}{len(found)}个单位的月度反馈" + ("" if a.list else "，随各单位下一个下发包送达") + "：")
    for f in found:
        print(f"  {f.unit_name}  {f.summary}" + (f"  编办意见：{f.remark}" if f.remark else ""))
    return 0


def _unit(db, a) -> int:
    found = unit_fb.feedback_list(db, a.actor)
    if not found:
        print("还没有收到编办的月度反馈（随编办的下发包送达）")
        return 0
    item = found[0]
    if a.month:
        month = bureau_fb.month_of(a.month, dt.date.max).text
        item = next((f for f in found if f.month == month), None)
        if item is None:
            raise AppError(f"没有{month}的月度反馈；已收到：{'、'.join(f.month for f in found)}")
    if a.pdf:
        pages = unit_fb.write_pdf(db, a.actor, item.month, a.pdf)
        print(f"已写入PDF（{pages}页）：{a.pdf}")
        return 0
    if a.json:
        print_json({"month": item.month, "content": item.content, "remark": item.remark,
                    "issued_at": item.issued_at})
        return 0
    print(render(f"{item.content.get('unit_name', '')}{item.label}履职监测反馈（编办{item.issued_at[:10]}生成）",
                 item.content, item.remark))
    others = [f.month for f in found if f.month != item.month]
    if others:
        print(f"\n其他月份：{'、'.join(others)}（用 --month 查看）")
    return 0


COMMANDS = {"feedback": cmd_feedback}

"""CLI commands `items` (工作事项): the list with lights, and the Excel import.

    python -m app items list --db D [--kind 督办事项] [--today 2026-10-31] [--json] [--as 登录名]
    python -m app items import --db D F.xlsx [--preview] [--as 管理员]
    python -m app items import --db B --unit 单位 F.xlsx [--preview]   编办: 下发年度重点工作
    python -m app template items --out F.xlsx                            the template

Every account reads the list; the import is the admin's (or the 编办 admin's for a unit).
"""
from __future__ import annotations

from pathlib import Path

from app.cli.auth import ADMIN, READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.core.errors import AppError
from app.core.items import KINDS, RULE_TEXT
from app.services.items import excel as items_excel
from app.services.items.progress import item_rows


def add_parsers(sub) -> None:
    group = sub.add_parser("items", help="工作事项：年度重点工作、督办事项、审批服务事项、工作计划",
                           description="工作事项（日志可关联的年度重点工作、督办事项、审批服务事项、工作计划）")
    actions = group.add_subparsers(dest="items_command", metavar="ACTION")
    actions.required = True
    sp = acts_as(actions.add_parser("list", help="列出工作事项及其红黄绿灯"), READER)
    sp.add_argument("--db", type=Path, required=True)
    sp.add_argument("--kind", choices=KINDS, help="只列出该类型")
    sp.add_argument("--today", type=parse_date, help="按哪一天判断灯色（默认今天）")
    sp.add_argument("--json", action="store_true")
    sp = acts_as(actions.add_parser("import", help="从Excel导入工作事项（有任何错误则全部不导入）"), ADMIN)
    sp.add_argument("--db", type=Path, required=True)
    sp.add_argument("file", type=Path)
    sp.add_argument("--unit", help="编办版：下发给该单位的年度重点工作（单位名称或统一社会信用代码）")
    sp.add_argument("--preview", action="store_true", help="只预览将新增、更新的事项，不写入")


def cmd_items(a) -> int:
    db = open_db(a.db)
    if a.items_command == "list":
        rows = item_rows(db, a.today, a.kind)
        if a.json:
            print_json([{"id": r.id, **r.facts.to_json(), "light": r.light, "reason": r.reason,
                         "without_work": r.idle, "duties": r.duties, "section": r.section} for r in rows])
            return 0
        for r in rows:
            f = r.facts
            print(f"{r.light}  {f.kind}  {f.code}  {f.title}  截止{f.deadline or '—'}  "
                  f"{f.entries}条/{f.hours:g}小时  {r.reason}")
        print(f"共{len(rows)}项。{RULE_TEXT}")
        return 0
    if db.edition == "bureau":
        if not a.unit:
            raise AppError("编办版只能为已登记的单位下发年度重点工作：items import --unit 单位 文件")
        from app.services.county.mirrors import Mirrors, find_unit
        done = items_excel.issue_items(db, Mirrors(db), a.actor, find_unit(db, a.unit).unit_id,
                                       a.file, apply=not a.preview)
    elif a.unit:
        raise AppError("--unit 只用于编办版")
    else:
        done = items_excel.import_items(db, a.actor, a.file, apply=not a.preview)
    for r in done.rows:
        print(f"第{r.row}行  {r.kind}  {r.code}  {r.title}  {r.status}")
    summary = done.result.summary()
    print(summary.replace("已导入", "预览（未写入）：将导入", 1) if a.preview else summary)
    return 0


COMMANDS = {"items": cmd_items}

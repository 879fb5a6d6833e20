"""CLI command `set-parent` (编办): a unit's 主管部门 — its department, with which it is evaluated
as one body (部门及所属单位, app.services.county.bodies); `stats --scope county --body` shows it.

    python -m app set-parent --db county.sqlite --unit 县人民医院 --parent 县卫生健康局
    python -m app set-parent --db county.sqlite --unit 县人民医院 --parent ""     (独立单位)
"""
from __future__ import annotations

from pathlib import Path

from app.cli.auth import ADMIN, acts_as
from app.cli.common import open_db
from app.services.county.bodies import find_parent, set_parent
from app.services.county.mirrors import Mirrors, find_unit, require_bureau


def add_parsers(sub) -> None:
    text = "编办：设置单位的主管部门（所属事业单位与主管部门一体化评估；只支持一级）"
    sp = acts_as(sub.add_parser("set-parent", help=text, description=text), ADMIN)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--unit", required=True, help="所属单位：名称、统一社会信用代码或编号")
    sp.add_argument("--parent", required=True,
                    help="主管部门：已登记单位的名称、统一社会信用代码或编号；空字符串 \"\" 取消隶属")


def cmd_set_parent(a) -> int:
    db = open_db(a.db)
    require_bureau(db)
    mirrors = Mirrors(db)
    try:
        unit = find_unit(db, a.unit)
        print(set_parent(db, mirrors, a.actor, unit.unit_id, find_parent(db, a.parent)) + "（随下一个下发包发给单位）")
    finally:
        mirrors.close()
    return 0


COMMANDS = {"set-parent": cmd_set_parent}

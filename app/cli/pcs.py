"""CLI command `pcs`: several PCs in one unit, exchanging through a shared folder.

    python -m app pcs setup --db D --folder F [--name 名称]   admin: this unit uses folder F; prints a join code
    python -m app pcs join-code --db D                        admin: a new join code (the old one stops working)
    python -m app pcs join --db NEW --folder F --code CODE [--name 名称]   a new PC: its own replica
    python -m app pcs sync --db D [--folder F]                one round (exit 1 only if the folder is unreachable)
    python -m app pcs status --db D                           the folder, this PC, the last round, the other PCs
    python -m app pcs retire --db D --pc 名称或编号           admin: retire a lost or reinstalled PC

sync and status act as nobody: they move only data the unit's own PCs signed, as the GUI's
background timer does whoever is logged in; join has no account yet — the admin's join code is
what lets it in. The configuration is per PC (settings.json, app.services.exchange.pc_unit).
"""
from __future__ import annotations

import sys
from pathlib import Path

from app.cli.auth import ADMIN, NOBODY, acts_as
from app.cli.common import open_db
from app.core.errors import AppError
from app.services.exchange import pc_unit


def add_parsers(sub) -> None:
    group = sub.add_parser("pcs", help="多台电脑共用：设置交换文件夹、加入、同步、状态、停用电脑",
                           description="多台电脑共用一个单位的数据：每台电脑有自己的数据库，"
                                       "通过共享的交换文件夹互相传递变更")
    actions = group.add_subparsers(dest="pcs_command", metavar="ACTION")
    actions.required = True

    def action(name, help_text, who):
        sp = acts_as(actions.add_parser(name, help=help_text, description=help_text), who)
        sp.add_argument("--db", type=Path, required=True,
                        help="新建的本机数据库文件" if name == "join" else "本机数据库文件")
        return sp

    sp = action("setup", "管理员：设置本单位多台电脑共用的交换文件夹，生成数据快照和加入码", ADMIN)
    sp.add_argument("--folder", type=Path, required=True, help="交换文件夹（共享文件夹、映射的网络盘或U盘上的文件夹）")
    sp.add_argument("--name", help="本机名称（默认为计算机名）")
    action("join-code", "管理员：生成新的加入码（旧的加入码随即失效）", ADMIN)
    sp = action("join", "新电脑加入本单位：从交换文件夹中的数据快照建立本机数据库", NOBODY)
    sp.add_argument("--folder", type=Path, required=True, help="交换文件夹")
    sp.add_argument("--code", required=True, help="单位管理员给的加入码（20位，如 ABCD-EFGH-…）")
    sp.add_argument("--name", help="本机名称（默认为计算机名），其他电脑上显示此名称")
    sp = action("sync", "同步一次：读入其他电脑的变更，写出本机的变更", NOBODY)
    sp.add_argument("--folder", type=Path, help="交换文件夹（本机记住的路径变了时给出，此后沿用）")
    action("status", "查看多台电脑共用的状态：交换文件夹、上次同步、其他电脑", NOBODY)
    sp = action("retire", "管理员：停用一台电脑（丢失、重装）；它此前的变更仍然有效", ADMIN)
    sp.add_argument("--pc", required=True, help="电脑名称或编号（见 pcs status）")


def cmd_pcs(args) -> int:
    what = args.pcs_command
    if what == "join":
        if args.db.exists():
            raise AppError(f"本机数据库文件已存在，不能覆盖：{args.db}（加入时请给出一个新文件名）")
        db = pc_unit.join(args.db, args.folder, args.code, name=args.name or "")
        try:
            print(f"已加入本单位：本机数据库 {args.db}")
            print("\n".join(pc_unit.status_lines(db)))
        finally:
            db.dispose()
        return 0
    db = open_db(args.db)
    if what == "setup":
        code = pc_unit.setup(db, args.actor, args.folder, name=args.name or "")
        print(f"已设置多台电脑共用，交换文件夹：{args.folder}（已生成数据快照）")
        print(f"加入码：{code}")
        print("请把加入码告诉要加入的电脑的使用人（当面或电话），在该电脑上运行 pcs join 时输入")
    elif what == "join-code":
        print(f"新的加入码：{pc_unit.new_join_code(db, args.actor)}（旧的加入码已失效）")
    elif what == "sync":
        report = pc_unit.sync(db, folder=args.folder)
        if pc_unit.unreachable(report):
            print(f"错误：{report.problems[0]}", file=sys.stderr)
            return 1
        print(report.summary())
        for origin, offset in sorted(report.clock_offsets.items()):
            name = report.pcs.get(origin, origin)
            way = "快" if offset > 0 else "慢"
            print(f"  电脑“{name}”的时钟比本机{way}{abs(offset) / 1000:.0f}秒")
    elif what == "status":
        print("\n".join(pc_unit.status_lines(db)))
    elif what == "retire":
        name, after = pc_unit.retire(db, args.actor, args.pc)
        print(f"已停用电脑“{name}”：它的前{after}个变更文件仍然有效，之后写的不再读取")
    return 0


COMMANDS = {"pcs": cmd_pcs}

"""Command line: `python -m app` opens the GUI; `python -m app COMMAND --db PATH ...` runs headless.

Every command exits 0 on success; on failure it prints one Chinese line on stderr and exits 1
(the operation failed) or 2 (the command line was wrong) — app.cli.errors. `--debug` (anywhere
on the line) also prints the traceback.

Every command declares who it acts as (app.cli.auth.acts_as: nobody, the --user person, the --as
admin, or the --as reader); dispatch logs that person in with their own password before the
handler runs and hands the handler `args.actor`.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from app.cli.auth import ADMIN, NOBODY, PERSON, acts_as
from app.core import vocab
from app.cli.common import parse_date, parse_quotas
from app.cli.errors import EXIT_FAILED, ChineseArgumentParser, error_line

# The basic commands' parsers are built here and their handlers are in app.cli.basic; the other
# command groups each have add_parsers(sub) and COMMANDS in their own module. Modules are imported
# when a command runs, so that the GUI's start does not pay for them.
BASIC_MODULE = "app.cli.basic"
COMMAND_MODULES = ("app.cli.accounts", "app.cli.review", "app.cli.stats", "app.cli.reports", "app.cli.sync",
                   "app.cli.staffing", "app.cli.rounds", "app.cli.results",
                   "app.cli.indicators", "app.cli.overlap", "app.cli.backups", "app.cli.pcs",
                   "app.cli.feedback", "app.cli.items", "app.cli.bodies", "app.cli.notice")
DEBUG_FLAG = "--debug"


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="python -m app", description="履职考评（单位版/编办版）")
    p.add_argument(DEBUG_FLAG, action="store_true",
                   help="出错时同时显示程序内部的详细信息（traceback），供排查问题")
    p.add_argument("--db", type=Path, help="数据库文件（不带命令时用于打开图形界面）")
    p.add_argument("--self-test", action="store_true", help="自检：建库、写读日志、生成中文PDF后退出")
    p.add_argument("--demo", action="store_true",
                   help="打开演示数据库（数据目录下的 demo.sqlite，不存在时自动生成）")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name, help_text, who, db=True):
        sp = acts_as(sub.add_parser(name, help=help_text, description=help_text), who)
        if db:
            sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        return sp

    sp = cmd("init", "创建数据库：单位版（单位与管理员账号）、编办版（--edition bureau），"
                     "或用编办的单位注册包创建单位版（--enrollment）", NOBODY)
    sp.add_argument("--edition", choices=["unit", "bureau"], default="unit",
                    help="unit=单位版（默认），bureau=编办版")
    sp.add_argument("--enrollment", type=Path, help="编办发来的单位注册包（.lzkp）：单位信息取自注册包")
    sp.add_argument("--code", help="与 --enrollment 同用：编办给的一次性注册码（20位，如 ABCD-EFGH-…）")
    sp.add_argument("--fingerprint",
                    help="与 --enrollment 同用：电话向编办核对过的编办密钥指纹（省略时显示注册包中的指纹，不建库）")
    sp.add_argument("--unit-name", help="单位名称（编办版为编办名称）")
    sp.add_argument("--credit-code", help="统一社会信用代码（18位）")
    sp.add_argument("--unit-class", default="政府部门")
    sp.add_argument("--funding-form", default="全额拨款")
    sp.add_argument("--quotas", type=parse_quotas, default={}, help="如 行政编制=20,事业编制=5")
    sp.add_argument("--leader-posts", type=parse_quotas, default={}, help="如 正职=1,副职=3")
    sp.add_argument("--admin", required=True, help="管理员登录名")
    sp.add_argument("--admin-name", default="单位管理员")
    sp.add_argument("--password", help="管理员本人选定的密码（省略时取环境变量 LZKP_PASSWORD，"
                                       "或在终端输入两次；写在命令行上的密码会留在历史记录里）")

    sp = cmd("demo", "生成演示数据库（县市场监督管理局，约60人、三个月日志）", NOBODY)
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--months", type=int, default=3)
    sp.add_argument("--force", action="store_true", help="覆盖已有文件")

    sp = cmd("template", "生成Excel导入模板", NOBODY, db=False)
    sp.add_argument("kind", choices=["roster", "duties", "items"],
                    help="roster=人员名册，duties=三定职责，items=工作事项")
    sp.add_argument("--out", type=Path, required=True)

    for name, what in (("import-roster", "导入人员名册"), ("import-duties", "导入三定职责")):
        sp = cmd(name, what + "（有任何错误则全部不导入）", ADMIN)
        sp.add_argument("file", type=Path)
        if name == "import-roster":
            sp.add_argument("--confirm-roles", action="store_true",
                            help="确认名册中的领导角色（分管领导、主要领导）变动和管理员本人的角色变动")
        if name == "import-duties":
            sp.add_argument("--unit", help="编办版：下发给该单位的三定职责（单位名称或统一社会信用代码）")

    sp = cmd("add-user", "添加账号", ADMIN)
    sp.add_argument("--user", required=True, help="登录名")
    sp.add_argument("--name", required=True)
    sp.add_argument("--password", help="初始密码（省略时账号暂无密码，用 initial-passwords 发放随机初始密码单）")
    sp.add_argument("--role", default="科室人员", help="角色：" + "、".join(vocab.ROLES) + "（默认科室人员）")
    sp.add_argument("--section", help="所在科室")
    sp.add_argument("--admin", action="store_true", help="管理员（编办版：编办管理员；否则为编办分析员）")
    sp.add_argument("--id-number", help="身份证号（性别、出生日期由此得出）")
    sp.add_argument("--staffing-type", metavar="编制类型",
                    help=f"编制类型：{'、'.join(vocab.STAFFING_TYPES)}（人员编制的“实有”按此统计，不填则计为未填写）")
    sp.add_argument("--post", help="职务，如：科长")

    sp = cmd("set-password", "重设密码（本人下次登录须修改；随机初始密码见 initial-passwords）", ADMIN)
    sp.add_argument("--user", required=True)
    sp.add_argument("--password", required=True)

    log = sub.add_parser("log", help="工作日志").add_subparsers(dest="log_command", metavar="ACTION")
    log.required = True

    def log_action(name, help_text):
        sp = acts_as(log.add_parser(name, help=help_text, description=help_text), PERSON)
        sp.add_argument("--db", type=Path, required=True)
        sp.add_argument("--user", required=True, help="本人的登录名（须输入本人的密码）")
        return sp
    sp = log_action("add", "添加一条日志")
    sp.add_argument("--date", type=parse_date, required=True)
    sp.add_argument("--hours", type=float, required=True)
    sp.add_argument("--category", required=True)
    sp.add_argument("--duty", help="职责编号")
    sp.add_argument("--item", help="工作事项编号（职责随事项带出）")
    sp.add_argument("--content", default="")
    sp.add_argument("--secret", action="store_true", help="涉密：只记类别、职责和工时，不存内容")
    sp.add_argument("--submit", action="store_true")
    sp = log_action("day-state", "设置日状态（请假/出差/公休/正常）")
    sp.add_argument("--date", type=parse_date, required=True)
    sp.add_argument("--state", required=True)
    sp = log_action("show", "查看某人某日的日志")
    sp.add_argument("--date", type=parse_date, required=True)
    sp.add_argument("--json", action="store_true")

    sp = log_action("submit", "提交某日的日志送审（请假、公休、出差的日子可不填工作内容）")
    sp.add_argument("--date", type=parse_date, required=True)
    sp = log_action("recall", "撤回已提交、尚未审阅的日志")
    sp.add_argument("--date", type=parse_date, required=True)
    sp = log_action("amend", "申请修改已审定的日志（须写理由，修改后重新送审）")
    sp.add_argument("--date", type=parse_date, required=True)
    sp.add_argument("--reason", required=True)

    for module in command_modules():
        module.add_parsers(sub)

    sp = cmd("backup", "在线备份数据库", ADMIN)
    sp.add_argument("--out", type=Path, required=True)
    sp = cmd("check", "检查数据库完整性与版本", NOBODY)
    sp.add_argument("--full", action="store_true", help="完整检查（integrity_check，较慢）")
    return p


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in argv
    argv = [a for a in argv if a != DEBUG_FLAG]     # accepted anywhere on the line
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:       # -h, or a usage error already printed as one line
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    if args.self_test:
        from app.selftest import run_self_test   # loads every part it checks: only when asked
        return run_self_test()
    if args.command is None:
        from app.ui.main import run_gui   # the GUI (Qt) is not loaded for a command
        return run_gui(args.db, demo=args.demo)
    quiet = _quiet_logging(debug)
    try:
        return dispatch(args)
    except BrokenPipeError:
        # `python -m app … | head`: the reader left; say nothing more (no traceback).
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        if debug:
            import traceback
            traceback.print_exc()
        if isinstance(exc, KeyboardInterrupt) and sys.stderr.isatty():
            print(file=sys.stderr)     # off the line the prompt left open (…^C)
        print(f"错误：{error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        from app.cli.common import close_all
        close_all()
        logging.getLogger().removeHandler(quiet)


def _quiet_logging(debug: bool) -> logging.Handler:
    """The program's log warnings (with their tracebacks) would print a second, English
    report of an error the user already gets in one Chinese line; --debug shows them."""
    handler = logging.StreamHandler(sys.stderr) if debug else logging.NullHandler()
    logging.getLogger().addHandler(handler)
    return handler


def command_modules():
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def dispatch(args: argparse.Namespace) -> int:
    """Log in whoever the command acts as (app.cli.auth), then run the command's handler: each
    command module maps command names to handlers."""
    from app.cli.auth import authenticate
    from app.cli.common import open_db
    handlers = dict(importlib.import_module(BASIC_MODULE).COMMANDS)
    for module in command_modules():
        handlers.update(module.COMMANDS)
    handler = handlers[args.command]
    db = open_db(args.db) if getattr(args, "acts_as", None) not in (None, NOBODY) else None
    args.actor = authenticate(db, args)
    return handler(args)

"""CLI commands of sync and the 编办 edition.

    register-unit   编办: register a unit (name, credit code, class, quotas, leadership posts)
    enrollment      编办: write a unit's 单位注册包 and print its one-time code
    revoke-key      编办: revoke a unit's registered key and print a new one-time code
    rekey           unit: a new key pair proving the 编办's new one-time code (after revoke-key)
    set-quota       编办: change a unit's approved quota (travels in the next 下发包)
    export-package  unit: the 上报包; 编办: the 下发包 of one unit (--unit) or of every unit
    import-package  files or folders; --preview shows what would change and writes nothing
    package-suite   编办: show or choose the county's cipher suite (classic / 国密 SM2-SM3-SM4)
    packages        the ledger of imported packages (gaps and forks marked, suite named)
    accept-calendar 编办: count a unit by its own calendar on the days it departs from the national one
    withdraw-calendar 编办: count that unit by the national calendar again
    fingerprint     this database's key fingerprint and those of its peers
    protect-keys    seal this database's package keys under a 密钥口令 (or change it)
    demo-county     a demo county: 编办, registered units generated from their 单位注册包, 上报包
(`init --edition bureau` and `init --enrollment FILE --code … --fingerprint …` are in
app/cli/__init__.py, the latter's handler here; `stats --scope county` in app/cli/stats.py.)
"""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import ADMIN, NOBODY, acts_as, chosen_password
from app.cli.common import open_db, parse_quotas, print_json
from app.db.models import Peer
from app.demo.county import generate_county
from app.services.county.acceptance import accept_calendar, withdraw_calendar
from app.services.county.bodies import find_parent
from app.services.county.bureau import export_dispatch, import_packages, register_unit, set_quota
from app.services.county.mirrors import Mirrors, find_unit, registered_units, require_bureau
from app.services.county.unit_keys import key_state, revoke_key
from app.services.exchange.enrollment import (check_fingerprint, init_from_enrollment as init,
                                              read_enrollment, unlock, write_enrollment)
from app.services.exchange import keystore, pc_unit, suite_choice
from app.services.exchange.packages import calendar_text, own_fingerprint
from app.services.exchange.unit_side import export_report, rekey
from app.services.org.setup import UnitSetup
from app.services.county.bureau import ledger_lines as bureau_ledger_lines
from app.services.exchange.unit_side import ledger_lines as unit_ledger_lines

EXIT_REJECTED = 1


def add_parsers(sub) -> None:

    def cmd(name, help_text):      # every command here but demo-county is the admin's
        sp = acts_as(sub.add_parser(name, help=help_text, description=help_text), ADMIN)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        return sp

    sp = cmd("join-bureau", "独立创建的单位加入编办：把编办为本单位生成的单位注册包导入现有数据库（数据全部保留）")
    sp.add_argument("--enrollment", type=Path, required=True, help="编办的单位注册包（.lzkp）")
    sp.add_argument("--fingerprint", help="与编办电话核对过的编办密钥指纹（省略时只显示指纹，不作修改）")
    sp.add_argument("--code", help="编办给的一次性注册码")

    sp = cmd("register-unit", "编办：登记单位（之后用 enrollment 生成单位注册包）")
    sp.add_argument("--unit-name", required=True)
    sp.add_argument("--credit-code", required=True, help="统一社会信用代码（18位）")
    sp.add_argument("--unit-class", default="政府部门")
    sp.add_argument("--funding-form", default="全额拨款")
    sp.add_argument("--quotas", type=parse_quotas, default={}, help="如 行政编制=20,事业编制=5")
    sp.add_argument("--leader-posts", type=parse_quotas, default={}, help="如 正职=1,副职=3")
    sp.add_argument("--task-class", choices=["服务经济", "社会民生", "综合保障"],
                    help="编制任务比的单位类别")
    sp.add_argument("--key-tasks", type=int, help="年度重点任务数（编制任务比）")
    sp.add_argument("--parent", help="主管部门：已登记单位的名称、统一社会信用代码或编号（所属事业单位与其一体化评估）")

    sp = cmd("enrollment", "编办：生成单位注册包并显示一次性注册码（单位用两者创建数据库）")
    sp.add_argument("--unit", required=True, help="单位名称、统一社会信用代码或编号")
    sp.add_argument("--out", type=Path, required=True, help="保存到的文件夹（如U盘）")

    sp = cmd("revoke-key", "编办：撤销单位已注册的密钥（尚未注册时只重发），显示新的一次性注册码")
    sp.add_argument("--unit", required=True, help="单位名称、统一社会信用代码或编号")
    sp.add_argument("--reason", default="", help="撤销原因（记入审计）")

    sp = cmd("rekey", "单位：输入编办撤销密钥后给的新注册码，生成新密钥（之后导出上报包，由编办登记）")
    sp.add_argument("--code", required=True, help="编办给的一次性注册码")

    sp = cmd("set-quota", "编办：调整单位的核定编制数或领导职数（随下一个下发包发给单位）")
    sp.add_argument("--unit", required=True)
    sp.add_argument("--kind", choices=["staffing", "leader"], default="staffing",
                    help="staffing=编制数（按编制类型），leader=领导职数（正职/副职）")
    sp.add_argument("--name", required=True, help="编制类型或 正职/副职")
    sp.add_argument("--quota", type=int, required=True)

    sp = cmd("export-package", "导出同步包：单位版导出上报包；编办版导出下发包（回执、编制、职责）")
    sp.add_argument("--out", type=Path, required=True, help="保存到的文件夹（如U盘）")
    sp.add_argument("--unit", help="编办版：只导出该单位的下发包（默认每个单位一个）")
    sp.add_argument("--full", action="store_true", help="导出全部数据（不只是对方未确认的变更）")

    sp = cmd("import-package", "导入同步包（文件或文件夹；每个包要么全部导入，要么完全不导入）")
    sp.add_argument("paths", type=Path, nargs="+")
    sp.add_argument("--preview", action="store_true", help="只预览：列出各包将新增/更新的记录数和问题，不写入")
    sp.add_argument("--workers", type=int, default=None,
                    help="编办导入多个单位的包时同时工作的进程数（默认：CPU核数，最多4；1=单进程）")
    sp.add_argument("--fingerprint", action="append", default=[], metavar="FINGERPRINT",
                    help="编办：电话核对过的单位密钥指纹（首次收到某单位的包时必须给出；可重复）")
    sp.add_argument("--json", action="store_true")

    sp = cmd("accept-calendar", "编办：认可单位工作日历与国家安排不同的日子（此后这些天按单位日历统计）")
    sp.add_argument("--unit", required=True, help="单位名称、统一社会信用代码或编号")
    sp = cmd("withdraw-calendar", "编办：撤销对单位工作日历的认可（恢复按国家安排统计）")
    sp.add_argument("--unit", required=True, help="单位名称、统一社会信用代码或编号")

    sp = cmd("package-suite", "编办：查看或选定全县同步包的加密算法（通用 classic / 国密 guomi）；"
                              "随注册包和下发包告知各单位，两种算法的包都能读，无需统一切换时间")
    sp.add_argument("family", nargs="?", choices=["classic", "guomi"],
                    help="classic=通用算法（Ed25519、X25519、ChaCha20），guomi=国密（SM2、SM3、SM4）；省略则只显示")

    sp = cmd("packages", "同步包台账：各单位最近的包、缺口和分叉")
    sp.add_argument("--json", action="store_true")

    cmd("fingerprint", "显示本机密钥指纹和对方的指纹（电话或书面核对）")
    cmd("protect-keys", "设置或更改本机同步密钥的密钥口令（密钥加密保存；之后导出、导入同步包须先输入口令；"
                        "新口令取自环境变量 LZKP_NEW_KEY_PASSPHRASE 或终端输入，原口令取自 LZKP_KEY_PASSPHRASE）")

    text = "生成县级演示数据：编办数据库、登记的单位、各单位的数据库和上报包（并导入编办）"
    sp = acts_as(sub.add_parser("demo-county", help=text, description=text), NOBODY)
    sp.add_argument("--out", type=Path, required=True, help="新建的文件夹")
    sp.add_argument("--units", type=int, default=10, help="单位数（默认10个，含卫生健康局及其所属疾控中心、人民医院；全县规模约50）")
    sp.add_argument("--people", type=int, default=30, help="每单位平均人数（至少30）")
    sp.add_argument("--months", type=int, default=None,
                    help="日志月数（默认从最近一个完整季度开始，3–5个月：编办可按该季度测算编制需求）")
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--workers", type=int, default=2, help="同时生成、导入的进程数")
    sp.add_argument("--no-import", action="store_true", help="只生成上报包，不导入编办")


def init_from_enrollment(a) -> int:
    """`init --enrollment FILE --code CODE --fingerprint FP`: nothing is created unless the
    编办 fingerprint typed (after the phone call) is the file's and the code opens it."""
    info = read_enrollment(a.enrollment)
    check_fingerprint(info, a.fingerprint)
    if not a.code:
        raise AppError("请加 --code 输入编办给的一次性注册码（注册包的内容用它加密）。本次未创建任何文件")
    unlock(info, a.code)
    db, info = init(a.db, info, None, a.admin, a.admin_name, chosen_password(a.admin, given=a.password),
                    must_change=False)
    print(f"已用注册包创建单位“{info.unit_name}”，管理员 {a.admin}：{a.db}\n"
          f"编办“{info.bureau_name}”密钥指纹：{info.bureau_fingerprint}（已核对）\n"
          f"本单位密钥指纹：{own_fingerprint(db)}（编办导入本单位第一个上报包时会来电核对此指纹）")
    db.dispose()
    return 0


def cmd_join_bureau(a) -> int:
    """`join-bureau`: the same checks as `init --enrollment`, into the existing database."""
    from app.services.exchange.join import join_bureau
    db = open_db(a.db)
    info = read_enrollment(a.enrollment)
    check_fingerprint(info, a.fingerprint)
    if not a.code:
        raise AppError("请加 --code 输入编办给的一次性注册码（注册包的内容用它加密）。本次未作任何修改")
    unlock(info, a.code)
    joined = join_bureau(db, a.actor, info)
    print(f"已加入“{joined.bureau_name}”：单位名称“{joined.unit_name}”、核定编制按编办登记；"
          f"已有数据全部保留。\n本单位密钥指纹：{own_fingerprint(db)}（编办导入本单位第一个上报包时会来电核对）\n"
          "下一步：export-package 导出上报包交给编办（第一个上报包包含全部历史数据）")
    return 0


def _bureau(a):
    db = open_db(a.db)
    require_bureau(db)
    return db, Mirrors(db)


def cmd_register_unit(a) -> int:
    db, _ = _bureau(a)
    setup = UnitSetup(a.unit_name, a.credit_code, a.unit_class, a.funding_form, a.quotas, a.leader_posts)
    unit_id = register_unit(db, a.actor, setup, task_class=a.task_class, key_tasks=a.key_tasks,
                            parent_id=find_parent(db, a.parent))
    print(f"已登记“{a.unit_name}”（编号 {unit_id}）" + (f"，主管部门：{a.parent}" if a.parent else "") + f"。下一步：enrollment --unit {a.credit_code.upper()} 生成注册包")
    return 0


def print_code(unit_name: str, code: str) -> None:
    print(f"“{unit_name}”的一次性注册码：\n\n    {code}\n\n"
          "只显示这一次，编办不保存：请抄下或打印，与注册包分开交给单位管理员（如当面或电话告知），"
          "不要和注册包放在同一个U盘或邮件里。注册码用于单位首个上报包的登记，用过即作废。")


def cmd_enrollment(a) -> int:
    db, mirrors = _bureau(a)
    unit = find_unit(db, a.unit)
    written = write_enrollment(db, mirrors, unit.unit_id, a.out, actor=a.actor)
    print(f"已生成单位注册包：{written.path}\n编办密钥指纹：{own_fingerprint(db)}（单位导入时会来电核对）")
    print_code(unit.name, written.code)
    return 0


def cmd_revoke_key(a) -> int:
    db, mirrors = _bureau(a)
    issued = revoke_key(db, mirrors, find_unit(db, a.unit).unit_id, actor=a.actor, reason=a.reason)
    if issued.revoked:
        print(f"已撤销“{issued.unit_name}”的密钥（指纹{issued.revoked}）：此后由该密钥签名的包一律拒收。")
    else:
        print(f"“{issued.unit_name}”尚无已注册的密钥：已发放新注册码，之前的注册码作废。")
    print_code(issued.unit_name, issued.code)
    print("单位管理员在“数据交换”页点“输入编办的新注册码…”（或命令 rekey --code）生成新密钥，再导出上报包；"
          "编办导入时核对新指纹，即完成重新注册。单位需要重新建库时，改为为其生成注册包。")
    return 0


def cmd_rekey(a) -> int:
    db = open_db(a.db)
    fingerprint = rekey(db, a.code, actor=a.actor)
    print(f"已生成本单位的新密钥，新指纹：{fingerprint}\n下一步：导出上报包交编办；编办导入时会来电核对这个新指纹。"
          "（注册码不对时编办会拒收该包，请向编办核实注册码后重新运行 rekey。）")
    return 0


def cmd_set_quota(a) -> int:
    db, mirrors = _bureau(a)
    unit = find_unit(db, a.unit)
    set_quota(db, mirrors, a.actor, unit.unit_id, a.kind, a.name, a.quota)
    print(f"已将“{unit.name}”的{a.name}调整为{a.quota}（随下一个下发包发给单位）")
    return 0


def cmd_export_package(a) -> int:
    db = open_db(a.db)
    if db.edition == "bureau":
        mirrors = Mirrors(db)
        units = [find_unit(db, a.unit)] if a.unit else registered_units(db)
        skipped = []
        for unit in units:
            try:
                print(export_dispatch(db, mirrors, unit.unit_id, a.out, actor=a.actor,
                                      full=a.full).summary())
            except AppError as exc:
                if a.unit:
                    raise
                skipped.append(f"{unit.name}：{exc}")
        for line in skipped:
            print(f"未导出 {line}")
        return 0
    if a.unit:
        raise AppError("--unit 只用于编办版")
    pc_unit.keys_ready(db)      # a joined PC of a multi-PC unit opens its own seal of the unit key
    print(export_report(db, a.out, actor=a.actor, full=a.full).summary())
    return 0


def cmd_import_package(a) -> int:
    db = open_db(a.db)
    apply = not a.preview
    if db.edition == "bureau":
        if a.workers is not None and a.workers < 1:
            raise AppError("--workers 应为不小于1的整数")
        results = import_packages(db, Mirrors(db), a.paths, apply=apply, workers=a.workers,
                                  confirmed_keys=a.fingerprint, actor=a.actor)
    else:
        if a.fingerprint:
            raise AppError("--fingerprint 只用于编办版导入上报包（单位版的编办指纹在建库时已核对）")
        results = pc_unit.import_dispatch(db, a.paths, apply=apply, actor=a.actor)
    if not results:
        raise AppError("没有找到同步包（.lzkp 文件）")
    if a.json:
        print_json([{"file": r.path.name, "status": r.status, "code": r.code, "message": r.message,
                     "calendar_deviations": [d.isoformat() for d in r.calendar_days],
                     "figure_changes": [c.to_json() for c in r.figure_changes],
                     "sender": r.sender_name, "seq": r.seq, "note": r.note, "new_key": r.new_key,
                     "counts": {t: {"new": c.new, "changed": c.changed, "same": c.same, "stale": c.stale}
                                for t, c in r.plan.counts.items()},
                     "replaced_logs": r.plan.replaced_logs, "seconds": round(r.seconds, 3)} for r in results])
    else:
        for r in results:
            who = f"{r.sender_name} 第{r.seq}号" if r.sender_name else ""
            prefix = "跳过：" if r.status == "skipped" else ""
            print(f"{r.path.name}  {who}  {prefix}{r.message}")
            if r.new_key and r.status == "imported":
                print(f"    已登记该单位的密钥，指纹：{r.new_key}（已核对）")
            elif r.new_key and r.status == "ok":
                print(f"    首次收到该单位的包，单位密钥指纹：{r.new_key}（请与单位电话核对，"
                      f"导入时加 --fingerprint {r.new_key}）")
            if r.plan.future_rows:
                print(f"    有{r.plan.future_rows}条记录的时间晚于本机时间一天以上：发送方电脑时钟可能不准")
            if r.calendar_days:
                print(f"    {calendar_text(r.calendar_days)}")
            for change in r.figure_changes:      # moves figures without being work
                print(f"    {change.text}")
    return EXIT_REJECTED if any(r.rejected for r in results) else 0


def cmd_accept_calendar(a) -> int:
    db, mirrors = _bureau(a)
    print(accept_calendar(db, mirrors, a.actor, find_unit(db, a.unit).unit_id).summary())
    return 0


def cmd_withdraw_calendar(a) -> int:
    db, mirrors = _bureau(a)
    print(withdraw_calendar(db, mirrors, a.actor, find_unit(db, a.unit).unit_id).summary())
    return 0


def cmd_packages(a) -> int:
    db = open_db(a.db)
    if db.edition == "bureau":
        lines = bureau_ledger_lines(db, Mirrors(db))
    else:
        lines = unit_ledger_lines(db)
    if a.json:
        print_json([line.__dict__ for line in lines])
        return 0
    if not lines:
        print("还没有导入过同步包")
    for line in lines:
        note = f"  ⚠ {line.note}" if line.note else ""
        suite = f"  {line.suite}算法" if line.suite else ""
        print(f"{line.unit_name}  第{line.seq}号{line.kind}{suite}  生成于{line.created_at[:16]}  "
              f"导入于{line.imported_at[:16]}  变更{line.rows}条{note}")
    return 0


def cmd_package_suite(a) -> int:
    db = open_db(a.db)
    if a.family:
        suite_choice.set_county_family(db, a.actor, a.family)
        print(f"已选定：{suite_choice.family_label(a.family)}。下一次生成的注册包和下发包起告知各单位；"
              "各单位下一个上报包起使用（其国密公钥由编办从该包得知后，下发包也改用）")
    elif db.edition == "bureau":
        print(f"全县同步包加密算法：{suite_choice.family_label(suite_choice.county_family(db))}")
    else:
        family = suite_choice.bureau_announced(db)
        print(f"编办选定的加密算法：{suite_choice.family_label(family)}"
              + ("" if family else "（尚未收到编办的选择，按通用算法）"))
    return 0


def cmd_fingerprint(a) -> int:
    from sqlalchemy import select

    db = open_db(a.db)
    print(f"本机密钥指纹：{own_fingerprint(db)}")
    with db.read() as s:
        for peer in s.scalars(select(Peer).order_by(Peer.name)):
            if peer.kind == "bureau":
                print(f"编办“{peer.name}”：{peer.fingerprint or '尚未收到其密钥'}")
            elif peer.kind == "pc":       # this PC in a multi-PC unit (app.services.exchange.pc_sync)
                continue
            else:
                print(f"单位“{peer.name}”：{key_state(peer.fingerprint, peer.code_issued_at)}")
    return 0


def cmd_protect_keys(a) -> int:
    db = open_db(a.db)
    new = os.environ.get("LZKP_NEW_KEY_PASSPHRASE")
    if new is None:
        if not sys.stdin.isatty():
            raise AppError("请在终端中运行以输入新口令，或设置环境变量 LZKP_NEW_KEY_PASSPHRASE")
        new = getpass.getpass("新的密钥口令：")
        if getpass.getpass("再输入一次：") != new:
            raise AppError("两次输入的口令不一致，未作修改")
    current = None
    if keystore.protected(db):
        current = os.environ.get(keystore.PASSPHRASE_ENV)
        if current is None and sys.stdin.isatty():
            current = getpass.getpass("原密钥口令：")
    keystore.protect(db, a.actor, new, current)
    print(f"本机同步密钥已用密钥口令加密保存（指纹 {own_fingerprint(db)}）：请妥善保管口令，遗失后须由编办重新登记密钥")
    return 0


def cmd_demo_county(a) -> int:

    def progress(stage, done, total, name):
        if stage == "generate" and done:
            print(f"已生成单位 {done}/{total}：{name}", flush=True)
        elif stage == "import" and done == 0:
            print(f"编办导入上报包 {total} 个……", flush=True)
    info = generate_county(a.out, units=a.units, people=a.people, months=a.months, seed=a.seed,
                           workers=a.workers, import_packages=not a.no_import, progress=progress)
    print(info.summary())
    return 0


COMMANDS = {"join-bureau": cmd_join_bureau, "register-unit": cmd_register_unit, "enrollment": cmd_enrollment,
            "revoke-key": cmd_revoke_key, "rekey": cmd_rekey,
            "set-quota": cmd_set_quota, "export-package": cmd_export_package,
            "import-package": cmd_import_package, "packages": cmd_packages,
            "package-suite": cmd_package_suite,
            "accept-calendar": cmd_accept_calendar, "withdraw-calendar": cmd_withdraw_calendar,
            "fingerprint": cmd_fingerprint, "protect-keys": cmd_protect_keys,
            "demo-county": cmd_demo_county}

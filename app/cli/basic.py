"""The basic commands: init, demo, templates, Excel imports, accounts, logs, backup, check
(their parsers are in app/cli/__init__.py)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.cli.auth import chosen_password
from app.cli.common import open_db, print_json
from app.cli.sync import init_from_enrollment
from app.core.errors import AppError
from app.core.logrules import EntryDraft
from app.db.backup import backup_to
from app.db.engine import Database
from app.db.faults import check_file
from app.db.migrate import head_revision
from app.db.models import Duty, WorkItem
from app.demo.unit import generate_demo
from app.services.county.bureau import backup_all
from app.services.county.issued_duties import import_unit_duties
from app.services.county.mirrors import Mirrors, find_unit
from app.services.excel import duties as excel_duties, roster as excel_roster
from app.services.excel.templates import write_template
from app.services.exchange.packages import own_fingerprint
from app.services.logs import daily as logs
from app.services.logs.amend import start_amendment
from app.services.org import accounts
from app.services.org.setup import UnitSetup, create_database


def cmd_init(a) -> int:
    if a.db.exists() and a.db.stat().st_size > 0:
        raise AppError(f"文件已存在：{a.db}（为防止覆盖数据，请换一个文件名）")
    if a.enrollment:
        return init_from_enrollment(a)
    if a.code or a.fingerprint:
        raise AppError("--code 和 --fingerprint 只与 --enrollment（编办的单位注册包）同用")
    if not a.unit_name or not a.credit_code:
        raise AppError("请给出 --unit-name 和 --credit-code（或用 --enrollment 指定编办的单位注册包）")
    setup = UnitSetup(a.unit_name, a.credit_code, a.unit_class, a.funding_form, a.quotas,
                      a.leader_posts, edition=a.edition)
    # The admin chose this password himself, as in the first-run wizard: no forced change.
    password = chosen_password(a.admin, given=a.password)
    db = create_database(a.db, setup, accounts.NewUser(a.admin, a.admin_name, password,
                                                       is_admin=True, must_change=False))
    if a.edition == "bureau":
        print(f"已创建编办版“{a.unit_name}”，管理员 {a.admin}：{a.db}\n"
              f"编办密钥指纹：{own_fingerprint(db)}（登记单位后，单位导入注册包时会显示同一指纹，请电话核对）")
    else:
        print(f"已创建单位“{a.unit_name}”，管理员 {a.admin}：{a.db}")
    db.dispose()
    return 0


def cmd_demo(a) -> int:
    info = generate_demo(a.db, seed=a.seed, months=a.months, overwrite=a.force)
    print(info.summary())
    return 0


def cmd_template(a) -> int:
    if a.kind == "items":
        from app.services.items.excel import write_items_template
        write_items_template(a.out)
    else:
        write_template(a.kind, a.out)
    print(f"已生成模板：{a.out}")
    return 0


def cmd_import(a) -> int:
    db = open_db(a.db)
    if db.edition == "bureau":
        if a.command != "import-duties" or not a.unit:
            raise AppError("编办版只能为已登记的单位下发三定职责：import-duties --unit 单位 文件")
        print(import_unit_duties(db, Mirrors(db), a.actor, find_unit(db, a.unit).unit_id, a.file).summary())
        return 0
    if getattr(a, "unit", None):
        raise AppError("--unit 只用于编办版")
    if a.command == "import-roster":
        result = excel_roster.import_roster(db, a.actor, a.file, confirm_roles=a.confirm_roles)
    else:
        result = excel_duties.import_duties(db, a.actor, a.file)
    print(result.summary())
    return 0


def cmd_add_user(a) -> int:
    db = open_db(a.db)
    accounts.add_user(db, a.actor, accounts.NewUser(
        a.user, a.name, a.password, role=a.role, section=a.section, is_admin=a.admin,
        id_number=a.id_number, staffing_type=a.staffing_type, post=a.post))
    if a.password is None:
        print(f"已添加账号 {a.user}（尚无密码：用 initial-passwords 发放初始密码单）")
    else:
        print(f"已添加账号 {a.user}（首次登录须修改密码）")
    return 0


def cmd_set_password(a) -> int:
    db = open_db(a.db)
    accounts.set_password(db, a.actor, a.user, a.password)
    print(f"已重设 {a.user} 的密码（首次登录须修改）")
    return 0


def _id_by_code(db: Database, model, code: str | None, what: str) -> str | None:
    """The id of the live `model` row (a duty, a 工作事项) with this 编号; None without a code."""
    if not code:
        return None
    with db.read() as s:
        found = s.scalar(select(model.id).where(model.code == code, model.deleted.is_(False)))
    if found is None:
        raise AppError(f"未知的{what}编号“{code}”")
    return found


def cmd_log(a) -> int:
    db = open_db(a.db)
    actor = a.actor          # the --user, logged in with their own password (app.cli.auth)
    if a.log_command == "add":
        entry = EntryDraft(hours=a.hours, category=a.category, content=a.content,
                           duty_id=_id_by_code(db, Duty, a.duty, "职责"), secret=a.secret,
                           item_id=_id_by_code(db, WorkItem, a.item, "工作事项"))
        day = logs.add_entry(db, actor, a.date, entry, submit=a.submit)
        print(f"{a.user} {a.date}：{len(day.entries)}条，合计{day.total_hours:g}小时，{day.state_label}")
    elif a.log_command == "submit":
        day = logs.submit_day(db, actor, a.date)
        print(f"已提交 {a.user} {a.date} 的日志（{day.day_state}，{len(day.entries)}条，"
              f"合计{day.total_hours:g}小时），当前状态：{day.state_label}")
    elif a.log_command == "recall":
        logs.recall_day(db, actor, a.date)
        print(f"已撤回 {a.user} {a.date} 的日志")
    elif a.log_command == "amend":
        start_amendment(db, actor, a.date, a.reason)
        print(f"已开始修改 {a.user} {a.date} 的日志（原版本已保留），修改后请重新提交")
    elif a.log_command == "day-state":
        day = logs.set_day_state(db, actor, a.date, a.state)
        print(f"{a.user} {a.date}：{day.day_state}")
    else:
        day = logs.load_day(db, actor, a.date)
        data = {"user": a.user, "date": a.date.isoformat(), "state": day.state,
                "day_state": day.day_state, "total_hours": day.total_hours,
                "entries": [{**e.to_dict(), "duty": day.duty_labels.get(e.duty_id)}
                            for e in day.entries]}
        if a.json:
            print_json(data)
        else:
            print(f"{a.user} {a.date} {day.day_state} {day.state_label} 合计{day.total_hours:g}小时")
            for n, e in enumerate(day.entries, 1):
                text = "（涉密工作）" if e.secret else e.content
                print(f"  {n}. {e.hours:g}h {e.category} {day.duty_labels.get(e.duty_id, '')} {text}")
    return 0


def cmd_backup(a) -> int:
    db = open_db(a.db)
    if db.edition == "bureau":
        written = backup_all(db, a.out)
        db.dispose()
        print(f"已备份到 {a.out}（含{len(written) - 1}个单位的数据文件，在 {a.out.name}.units 文件夹）")
        return 0
    db.dispose()
    backup_to(a.db, a.out)
    print(f"已备份到 {a.out}")
    return 0


def cmd_check(a) -> int:
    if not a.db.exists():
        raise AppError(f"找不到数据库文件：{a.db}")
    # Reads only: a backup on a write-protected stick can be checked. A lock, a full disk or a
    # file that is not ours raises DatabaseFault with its own message; only SQLite's verdict
    # is reported as damage.
    problems = check_file(a.db, full=a.full, for_writing=False)
    if problems:
        raise AppError("数据库文件已损坏：" + "；".join(problems[:5]))
    rev = _revision_read_only(a.db)
    print(f"完整性检查通过；数据库版本 {rev}（程序版本 {head_revision()}）")
    return 0


def _revision_read_only(path: Path) -> str | None:
    """The file's schema revision without writing to it (an engine would switch it to WAL and
    fail on read-only media such as a write-protected backup stick)."""
    import sqlite3
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    finally:
        conn.close()
    return row[0] if row else None


COMMANDS = {"init": cmd_init, "demo": cmd_demo, "template": cmd_template,
            "import-roster": cmd_import, "import-duties": cmd_import, "add-user": cmd_add_user,
            "set-password": cmd_set_password, "log": cmd_log, "backup": cmd_backup,
            "check": cmd_check}

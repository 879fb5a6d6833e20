"""Account commands: initial passwords (初始密码单), unlock, edit-user, disable-/enable-user,
change-password."""
from __future__ import annotations

from pathlib import Path

from app.cli.auth import ADMIN, NOBODY, acts_as, chosen_password, password_for
from app.cli.common import open_db
from app.core.errors import AppError
from app.core import vocab
from app.services.org import account_changes, accounts, initial_passwords, lockout

ENV_NEW_PASSWORD = "LZKP_NEW_PASSWORD"


def add_parsers(sub) -> None:
    sp = acts_as(sub.add_parser("initial-passwords", help="发放初始密码（随机生成）并打印初始密码单",
                        description="为新账号（默认：尚未发放初始密码的账号）或 --user 指定的人员"
                                    "重新生成随机初始密码；本人首次登录须修改。再次发放后旧的密码单作废。"), ADMIN)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--user", action="append", metavar="LOGIN",
                    help="只为此人发放（重设密码）；可重复")
    sp.add_argument("--unactivated", action="store_true",
                    help="为所有尚未修改过初始密码的账号重新发放（补发遗失的密码单）")
    sp.add_argument("--out", type=Path, help="写成PDF（每人一张，沿虚线裁开）；省略时打印在屏幕上")

    sp = acts_as(sub.add_parser("unlock", help="解除账号因密码连续错误而加的锁定"), ADMIN)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--user", required=True, help="登录名")

    sp = acts_as(sub.add_parser("edit-user", help="修改人员信息（姓名、科室、角色、职务、编制类型）",
                                description="只改给出的项；空字符串清空科室、职务或编制类型。"
                                            "编办版用 --bureau-role 设为编办管理员或编办分析员。"), ADMIN)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--user", required=True, help="登录名")
    sp.add_argument("--name", help="姓名")
    sp.add_argument("--section", help="科室（\"\" 表示无）")
    sp.add_argument("--role", help="角色：" + "、".join(vocab.ROLES))
    sp.add_argument("--post", help="职务")
    sp.add_argument("--staffing-type", metavar="编制类型", help="、".join(vocab.STAFFING_TYPES))
    sp.add_argument("--bureau-role", choices=account_changes.BUREAU_ROLES, help="编办版：角色")
    for name, what in (("disable-user", "停用账号（不能登录；日志和审阅记录保留）"),
                       ("enable-user", "启用已停用的账号（原密码恢复有效）")):
        sp = acts_as(sub.add_parser(name, help=what, description=what), ADMIN)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        sp.add_argument("--user", required=True, help="登录名")

    # The person proves who they are by the old password the change itself needs (one login,
    # one prompt), so dispatch does not log them in first.
    sp = acts_as(sub.add_parser("change-password", help="修改本人密码（初始密码或管理员重设的密码须先修改）",
                        description="原密码取自环境变量 LZKP_PASSWORD 或在终端输入；新密码取自 "
                                    f"{ENV_NEW_PASSWORD} 或在终端输入两次。"), NOBODY)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--user", required=True, help="登录名")


def cmd_initial_passwords(a) -> int:
    if a.user and a.unactivated:
        raise AppError("--user 与 --unactivated 只能选一个")
    db = open_db(a.db)
    scope = initial_passwords.UNACTIVATED if a.unactivated else initial_passwords.NEW
    slips = initial_passwords.issue(db, a.actor, a.user, scope)
    if not slips:
        print(f"没有需要发放初始密码的账号（{initial_passwords.SCOPE_LABELS[scope]}：0个）")
        return 0
    if a.out:
        from app.reports.password_slips import write_slips     # reportlab only when asked
        try:
            write_slips(slips, a.out)
        except OSError as exc:
            raise AppError(f"无法写入 {a.out}：{exc.strerror or exc}（{len(slips)}个账号的初始密码"
                           "已生成但未保存，请换一个位置重新运行本命令）") from None
        print(f"已为{len(slips)}个账号生成初始密码，密码单已写入 {a.out}（打印后沿虚线裁开，"
              "分别交给本人；首次登录须修改密码）")
        return 0
    print(f"已为{len(slips)}个账号生成初始密码（首次登录须修改密码）：")
    for s in slips:
        print(f"{s.login}\t{s.password}\t{s.name}\t{s.section}")
    return 0


def cmd_unlock(a) -> int:
    db = open_db(a.db)
    if lockout.unlock(db, a.actor, a.user):
        print(f"已解除 {a.user} 的锁定")
    else:
        print(f"{a.user} 没有被锁定，也没有密码错误记录")
    return 0


def cmd_edit_user(a) -> int:
    db = open_db(a.db)
    if a.bureau_role:
        if any(v is not None for v in (a.section, a.role, a.post, a.staffing_type)):
            raise AppError("编办版账号只有姓名和角色（--bureau-role）可改")
        changed = account_changes.set_bureau_role(db, a.actor, a.user, a.bureau_role, name=a.name)
    else:
        changed = account_changes.edit_person(db, a.actor, a.user, account_changes.PersonChange(
            name=a.name, section=a.section, role=a.role, post=a.post, staffing_type=a.staffing_type))
    print(f"已修改 {a.user} 的信息" if changed else f"{a.user} 的信息没有变化")
    return 0


def cmd_set_active(a) -> int:
    active = a.command == "enable-user"
    db = open_db(a.db)
    done = account_changes.set_active(db, a.actor, a.user, active)
    word = "启用" if active else "停用"
    print(f"已{word} {a.user} 的账号" if done else f"{a.user} 的账号本来就是{word}状态")
    return 0


def cmd_change_password(a) -> int:
    db = open_db(a.db)
    old = password_for(a.user)
    actor = accounts.login(db, a.user, old)
    accounts.change_password(db, actor, old, chosen_password(a.user, ENV_NEW_PASSWORD))
    print(f"已修改 {a.user} 的密码")
    return 0


COMMANDS = {"initial-passwords": cmd_initial_passwords, "unlock": cmd_unlock,
            "change-password": cmd_change_password, "edit-user": cmd_edit_user,
            "disable-user": cmd_set_active, "enable-user": cmd_set_active}

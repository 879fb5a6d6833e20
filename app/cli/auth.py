"""Who a command acts as: declared once per command, checked in one place (app.cli.dispatch).

Every command's parser calls `acts_as(parser, KIND)`; dispatch refuses to run a command that
did not, so a new command cannot forget it. The kinds:

  NOBODY  init, demo, demo-county, template, check: no account is involved.
  PERSON  the person named by --user (their own logs, their review queue).
  ADMIN   the admin named by --as; without --as the only admin account (several admins: the
          command lists them and asks which one). The service calls get that admin as actor.
  READER  any account named by --as (default as for ADMIN): statistics, reports and analyses
          show that person what the GUI shows them — the services decide, as for the GUI.

Whoever acts gives their own password: from LZKP_PASSWORD (scripts) or typed at the terminal.
The authenticated Actor is put on `args.actor` for the command's handler.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.db.engine import Database
from app.db.models import Person
from app.services.org import accounts
from app.services.org.actor import Actor

NOBODY, PERSON, ADMIN, READER = "nobody", "person", "admin", "reader"
PASSWORD_ENV = "LZKP_PASSWORD"
AS_HELP = {ADMIN: "执行此命令的管理员登录名（只有一个管理员账号时可省略）",
           READER: "查看人的登录名：显示的范围与其在图形界面中所见相同（省略时为唯一的管理员账号）"}


def acts_as(parser: argparse.ArgumentParser, kind: str) -> argparse.ArgumentParser:
    """Declare who `parser`'s command acts as (adds --as for ADMIN and READER)."""
    if kind not in (NOBODY, PERSON, ADMIN, READER):
        raise ValueError(kind)
    parser.set_defaults(acts_as=kind)
    if kind in (ADMIN, READER):
        parser.add_argument("--as", dest="as_login", metavar="LOGIN", help=AS_HELP[kind])
    return parser


def authenticate(db: Database | None, args: argparse.Namespace) -> Actor | None:
    """The logged-in actor of the command `args` (None for NOBODY commands)."""
    kind = getattr(args, "acts_as", None)
    if kind is None:
        raise AppError(f"命令“{args.command}”没有声明执行人（程序缺陷，请报告）")
    if kind == NOBODY:
        return None
    if kind == PERSON:
        return login_as(db, args.user)
    actor = login_as(db, args.as_login or only_admin(db))
    if kind == ADMIN and not actor.is_admin:
        where = "编办" if db.edition == "bureau" else "单位"
        raise PermissionDenied(f"此操作需要{where}管理员权限")
    return actor


def only_admin(db: Database) -> str:
    with db.read() as s:
        logins = s.scalars(select(Person.login).where(Person.is_admin.is_(True),
                                                      Person.deleted.is_(False),
                                                      Person.status != "离退")
                           .order_by(Person.login)).all()
    if not logins:
        raise AppError("本数据库没有可用的管理员账号")
    if len(logins) > 1:
        raise AppError(f"本数据库有{len(logins)}个管理员账号（{'、'.join(logins)}）："
                       "请用 --as 登录名 指明由哪位管理员执行")
    return logins[0]


def login_as(db: Database, login: str) -> Actor:
    """The person `login`, logged in with their own password."""
    with db.read() as s:
        known = s.scalar(select(Person.id).where(Person.login == login, Person.deleted.is_(False)))
    if known is None:    # said plainly: whoever runs the command line already holds the file
        raise AppError(f"没有登录名为“{login}”的人员")
    return accounts.login(db, login, password_for(login))


def password_for(login: str) -> str:
    """`login`'s password: from LZKP_PASSWORD, else typed at the terminal."""
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise AppError(f"以“{login}”的身份操作需要其密码：在终端中运行时会提示输入，"
                           f"批处理时请设置环境变量 {PASSWORD_ENV}")
        password = getpass.getpass(f"请输入“{login}”的密码：")
    return password


def chosen_password(login: str, env: str = PASSWORD_ENV, given: str | None = None) -> str:
    """A password the person chooses for themselves (init, change-password): `given` (from
    --password), else the environment variable `env`, else typed twice at the terminal."""
    if given is not None:
        return given
    password = os.environ.get(env)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise AppError(f"请在终端中运行以输入“{login}”的新密码，或设置环境变量 {env}")
    first = getpass.getpass(f"为“{login}”设置密码（至少8位，含字母和数字）：")
    if getpass.getpass("再次输入：") != first:
        raise AppError("两次输入的密码不一致")
    return first

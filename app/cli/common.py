"""What every command module shares: opening the database a command names, finding the person it
acts as, printing JSON, and the argument types."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from app.core.errors import AppError
from app.db.engine import Database
from app.db.models import Person
from app.services.org import accounts
from app.services.org.actor import Actor
from app.services.org.setup import is_initialised, open_database

EXIT_FAILED = 1


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def parse_quotas(text: str) -> dict[str, int]:
    """'行政编制=20,事业编制=5' → dict."""
    result = {}
    for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
        name, _, n = part.partition("=")
        if not n.strip().isdigit():
            raise argparse.ArgumentTypeError(f"编制数应写作 名称=数量：{part}")
        result[name.strip()] = int(n)
    return result


def open_db(path: Path) -> Database:
    db = open_database(path)
    if not is_initialised(db):
        raise AppError(f"数据库尚未初始化：{path}（请先运行 init 或 demo）")
    return db


def actor_for(db: Database, login: str) -> Actor:
    """The person `login`, logged in with their own password: what they submit or decide is
    signed with their key, which only the password opens. The password comes from the
    LZKP_PASSWORD environment variable (batch work) or is asked for on the terminal."""
    with db.read() as s:
        known = s.scalar(select(Person.id).where(Person.login == login, Person.deleted.is_(False)))
    if known is None:    # said plainly: whoever runs the command line already holds the file
        raise AppError(f"没有登录名为“{login}”的人员")
    password = os.environ.get("LZKP_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise AppError(f"以“{login}”的身份操作需要其密码：在终端中运行时会提示输入，"
                           "批处理时请设置环境变量 LZKP_PASSWORD")
        password = getpass.getpass(f"请输入“{login}”的密码：")
    return accounts.login(db, login, password)


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))

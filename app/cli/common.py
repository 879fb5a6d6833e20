"""What every command module shares: opening the database a command names, finding the person it
acts as, printing JSON, and the argument types."""
from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from app.core.errors import AppError
from app.db.engine import Database
from app.db.models import Person
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
    with db.read() as s:
        person = s.scalar(select(Person).where(Person.login == login, Person.deleted.is_(False)))
    if person is None:
        raise AppError(f"没有登录名为“{login}”的人员")
    return Actor(person.id, person.login, person.name, person.role, person.section_id,
                 person.is_admin)


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))

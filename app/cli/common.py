"""What every command module shares: opening the database a command names, printing JSON, and
the argument types. Who a command acts as is app.cli.auth's business."""
from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from app.core.errors import AppError
from app.db.engine import Database
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


_opened: dict[Path, Database] = {}


def open_db(path: Path) -> Database:
    """The database `path`, opened once per command: authentication (app.cli.auth) and the
    command's handler share it; close_all() closes it when the command ends."""
    key = Path(path).absolute()
    if key not in _opened:
        db = open_database(path)
        if not is_initialised(db):
            db.dispose()
            raise AppError(f"数据库尚未初始化：{path}（请先运行 init 或 demo）")
        _opened[key] = db
    return _opened[key]


def close_all() -> None:
    while _opened:
        _opened.popitem()[1].dispose()


def actor_for(db: Database, login: str) -> Actor:
    """The person `login`, logged in with their own password (see app.cli.auth.login_as)."""
    from app.cli.auth import login_as
    return login_as(db, login)


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))

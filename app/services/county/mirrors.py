"""The 编办's register of units and their mirrors.

Each registered unit gets a mirror: a database file with the unit schema,
`county.sqlite.units/<unit id>.sqlite`, into which that unit's 上报包 are merged. A mirror is read
by the very same statistics code as the unit's own file, so the 编办's figures for a unit equal the
unit's own. Everything else in the county wing stands on this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core.errors import AppError
from app.db.engine import Database
from app.db.models import Peer
from app.services.org.actor import Actor
from app.services.org.setup import open_database


def require_bureau(db: Database) -> None:
    if db.edition != "bureau":
        raise AppError("此功能只在编办版中可用（本数据库是单位版）")


def mirrors_dir(db: Database) -> Path:
    return db.path.with_name(db.path.name + ".units")


class Mirrors:
    """Open mirror databases of one 编办 database, opened on first use and kept open."""

    def __init__(self, db: Database):
        require_bureau(db)
        self.db = db
        self._open: dict[str, Database] = {}

    def path(self, unit_id: str) -> Path:
        return mirrors_dir(self.db) / f"{unit_id}.sqlite"

    def get(self, unit_id: str) -> Database:
        if unit_id not in self._open:
            path = self.path(unit_id)
            if not path.exists():
                raise AppError(f"找不到该单位的数据文件：{path}")
            self._open[unit_id] = open_database(path)
        return self._open[unit_id]

    def close(self) -> None:
        for mirror in self._open.values():
            mirror.dispose()
        self._open.clear()


@dataclass
class RegisteredUnit:
    unit_id: str
    name: str
    credit_code: str
    registered_at: str
    fingerprint: str | None
    code_issued_at: str | None = None    # a one-time registration code is pending since


def registered_units(db: Database) -> list[RegisteredUnit]:
    """In registration order (unit ids are UUIDv7: they sort by creation time within a second)."""
    require_bureau(db)
    with db.read() as s:
        rows = s.scalars(select(Peer).where(Peer.kind == "unit").order_by(Peer.registered_at, Peer.peer_id))
        return [RegisteredUnit(p.peer_id, p.name, p.credit_code, p.registered_at, p.fingerprint,
                               p.code_issued_at) for p in rows]


def find_unit(db: Database, key: str) -> RegisteredUnit:
    """A registered unit by id, credit code or exact name."""
    for unit in registered_units(db):
        if key in (unit.unit_id, unit.credit_code, unit.name):
            return unit
    raise AppError(f"没有登记名称、统一社会信用代码或编号为“{key}”的单位")


def mirror_reader(db: Database, actor: Actor) -> Actor:
    """Who reads a unit's mirror when a 编办 user drills into it. Every account of the 编办's
    database is 编办管理员 or 编办分析员 (both read and analyse: docs/ARCHITECTURE.md "People and
    roles"), and a mirror holds none of their person rows, so they read it as a whole-unit reader
    (no person id)."""
    require_bureau(db)
    return Actor(person_id="", login=actor.login, name=actor.name, role="编办", section_id=None,
                 is_admin=False)

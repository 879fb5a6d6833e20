"""部门及所属单位 at the 编办: who is whose 主管部门, set when a unit is registered or later
(`set_parent`), and the county table grouped into bodies (app.core.bureau.bodies).

The 主管部门 is the unit row's `parent_id` in the unit's mirror — a 编办 row like the unit's
class and 编制任务比 data, so it goes out in the next 下发包 — and the unit's cached staffing
snapshot carries it (`parent_id` in county.figures.staffing_payload), so grouping the county
table reads no mirror.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from app.core.bureau import bodies as B
from app.core.bureau.county import CountyRow
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.metrics import Period
from app.db.engine import Database
from app.db.models import CountyFigures, Unit
from app.services.county import figures as county_figures
from app.services.county.figures import DIRTY_KEY, STAFFING_KEY
from app.services.county.mirrors import Mirrors, find_unit, registered_units, require_bureau
from app.services.county.table import county_table
from app.services.org.actor import Actor
from app.services.stats.need import rule_of

NO_PARENT = ""


def parents(db: Database, mirrors: Mirrors | None = None) -> dict[str, str | None]:
    """unit id → its 主管部门's unit id (None: none) of every registered unit, from the cached
    staffing snapshots; a unit without one (never imported into the cache, or marked dirty) is
    read from its mirror when `mirrors` is given."""
    require_bureau(db)
    units = registered_units(db)
    with db.read() as s:
        cached = {(r.unit_id, r.period): r.payload for r in s.scalars(
            select(CountyFigures).where(CountyFigures.period.in_((STAFFING_KEY, DIRTY_KEY))))}
    found: dict[str, str | None] = {}
    for unit in units:
        payload = None if (unit.unit_id, DIRTY_KEY) in cached else cached.get((unit.unit_id, STAFFING_KEY))
        if payload is not None:
            found[unit.unit_id] = json.loads(payload).get("parent_id")
        elif mirrors is not None and mirrors.path(unit.unit_id).exists():
            with mirrors.get(unit.unit_id).read() as s:
                row = s.get(Unit, unit.unit_id)
                found[unit.unit_id] = row.parent_id if row is not None else None
        else:
            found[unit.unit_id] = None
    known = set(found)
    return {u: (p if p in known else None) for u, p in found.items()}


def check_parent(db: Database, unit_id: str | None, parent_id: str | None, name: str = "") -> None:
    """Refuse a 主管部门 that breaks the one-level rule (ValidationError naming why). `unit_id`
    None: a unit being registered (called `name`)."""
    if not parent_id:
        return
    names = {u.unit_id: u.name for u in registered_units(db)}
    current = parents(db)
    key = unit_id or "__new__"
    if unit_id is None:
        names[key] = name or "新登记的单位"
    problem = B.parent_problem(key, parent_id, current, names)
    if problem:
        raise ValidationError("主管部门有误", [problem])


def set_parent(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, parent_id: str | None) -> str:
    """Make `parent_id` the 主管部门 of `unit_id` (None or "": the unit stands on its own).
    编办管理员 only; the mirror's unit row changes (it travels in the next 下发包) and the
    unit's cached snapshot is refreshed. Returns a sentence saying what changed."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("设置主管部门需要编办管理员权限")
    names = {u.unit_id: u.name for u in registered_units(db)}
    if unit_id not in names:
        raise AppError("该单位未登记")
    parent_id = parent_id or None
    check_parent(db, unit_id, parent_id)
    with mirrors.get(unit_id).session(actor) as s:
        row = s.get(Unit, unit_id)
        if row is None:
            raise AppError(f"“{names[unit_id]}”的数据文件里没有单位信息")
        before, row.parent_id = row.parent_id, parent_id
    county_figures.refresh_unit(db, mirrors, unit_id, set())
    if before == parent_id:
        return f"“{names[unit_id]}”的主管部门未改变"
    if parent_id is None:
        return f"“{names[unit_id]}”不再隶属“{names.get(before, '原主管部门')}”，作为独立单位评估"
    return f"“{names[unit_id]}”的主管部门设为“{names[parent_id]}”，与其一体化评估"


def find_parent(db: Database, key: str | None) -> str | None:
    """The unit id of a 主管部门 named by name, credit code or id ("" / None: none)."""
    if not key:
        return None
    return find_unit(db, key).unit_id


def grouped_table(db: Database, rows: list[CountyRow], today: dt.date | None = None,
                  mirrors: Mirrors | None = None) -> list[B.Group]:
    """The county table's rows grouped into bodies, each body with its 合计 row."""
    return B.county_groups(rows, parents(db, mirrors), rule_of(db), today or dt.date.today())


def body_of(db: Database, rows: list[CountyRow], key: str, today: dt.date | None = None,
            mirrors: Mirrors | None = None) -> B.Group:
    """The body of the department named `key` (its name, credit code or id; an institution's
    name gives its department's body)."""
    unit = find_unit(db, key)
    links = parents(db, mirrors)
    head = links.get(unit.unit_id) or unit.unit_id
    for g in B.county_groups(rows, links, rule_of(db), today or dt.date.today()):
        if g.head.unit_id == head:
            return g
    raise AppError(f"“{unit.name}”不在本期的全县统计中")


def period_groups(db: Database, mirrors: Mirrors, period: Period, today: dt.date | None = None):
    """Convenience: the county table of `period`, grouped (app.services.county.table)."""
    rows = county_table(db, mirrors, period, today=today)
    return grouped_table(db, rows, today, mirrors)

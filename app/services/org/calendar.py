"""The unit's holiday calendar (statutory holidays, make-up workdays): editable data."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from app.core.calendar import HOLIDAY, WORKDAY, WorkCalendar, deviations, with_accepted
from app.core.errors import ValidationError
from app.db.engine import Database
from app.db.models import AcceptedDay, Holiday
from app.paths import resources_dir
from app.services.org.actor import Actor


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    kind: str
    name: str


def list_overrides(db: Database, year: int | None = None) -> list[CalendarDay]:
    with db.read() as s:
        q = select(Holiday).where(Holiday.deleted.is_(False)).order_by(Holiday.day)
        if year:
            q = q.where(Holiday.day.like(f"{year}-%"))
        return [CalendarDay(dt.date.fromisoformat(h.day), h.kind, h.name) for h in s.scalars(q)]


def work_calendar(db: Database) -> WorkCalendar:
    return WorkCalendar((d.day, d.kind) for d in list_overrides(db))


def shipped_holidays() -> list[dict]:
    """The national holiday arrangements shipped in resources/holidays (国务院办公厅通知)."""
    rows = []
    for file in sorted((resources_dir() / "holidays").glob("cn_*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        rows.extend({"day": d["day"], "kind": d["kind"], "name": d["name"]} for d in data["days"])
    return rows


@lru_cache(maxsize=1)
def official_calendar() -> tuple[WorkCalendar, frozenset[int]]:
    """The shipped national calendar (resources/holidays) and the years it covers: the 编办
    computes every unit's figures with it, so a unit cannot shorten its own working year."""
    rows = shipped_holidays()
    days = [(dt.date.fromisoformat(r["day"]), r["kind"]) for r in rows]
    return WorkCalendar(days), frozenset(d.year for d, _ in days)


def calendar_deviations(db: Database) -> list[dt.date]:
    """Days on which the database's calendar departs from the national one (in the years the
    national calendar covers)."""
    official, years = official_calendar()
    return deviations(official, work_calendar(db), years)


def accepted_days_in(s) -> dict[dt.date, bool]:
    """In a 编办 mirror: the days on which the 编办 accepted the unit's calendar (day → the
    unit's working state it accepted)."""
    return {dt.date.fromisoformat(day): bool(working)
            for day, working in s.execute(select(AcceptedDay.day, AcceptedDay.working))}


def open_deviations(own: WorkCalendar, accepted: dict[dt.date, bool]) -> tuple[list[dt.date], list[dt.date]]:
    """(deviations the 编办 has not accepted, accepted days still in effect) of a unit's calendar."""
    official, years = official_calendar()
    found = deviations(official, own, years)
    taken = [d for d in found if accepted.get(d) == own.is_working_day(d)]
    return [d for d in found if d not in taken], taken


def deviations_after(s, incoming: list[tuple]) -> list[dt.date]:
    """The days the sender's calendar departs from the national one once a package's calendar
    rows (day, kind, deleted) are in (read from the transaction, patched with the package's rows), leaving out the
    days the 编办 accepted."""
    overrides = {dt.date.fromisoformat(day): kind for day, kind in s.execute(
        select(Holiday.day, Holiday.kind).where(Holiday.deleted.is_(False)))}
    for day, kind, deleted in incoming:
        try:
            date = dt.date.fromisoformat(day)
        except (TypeError, ValueError):
            continue                 # the re-check names an impossible day; not a calendar fact
        if deleted:
            overrides.pop(date, None)
        else:
            overrides[date] = kind
    return open_deviations(WorkCalendar(overrides.items()), accepted_days_in(s))[0]


def county_calendar(mirror: Database) -> WorkCalendar:
    """The calendar the 编办 counts the unit of `mirror` by: the national one, with the unit's
    own on the days the 编办 accepted (app.core.calendar.with_accepted)."""
    with mirror.read() as s:
        accepted = accepted_days_in(s)
    official = official_calendar()[0]
    return with_accepted(official, work_calendar(mirror), accepted) if accepted else official


def set_override(db: Database, actor: Actor, day: dt.date, kind: str | None, name: str = "") -> None:
    """Mark a day as holiday/workday, or (kind=None) return it to the weekday rule."""
    actor.require_admin()
    if kind not in (HOLIDAY, WORKDAY, None):
        raise ValidationError(f"日期类型应为 {HOLIDAY} 或 {WORKDAY}")
    with db.session() as s:
        row = s.scalar(select(Holiday).where(Holiday.day == day.isoformat()))
        if kind is None:
            if row is not None and not row.deleted:
                row.deleted = True
            return
        if row is None:
            s.add(Holiday(day=day.isoformat(), kind=kind, name=name))
        else:
            row.kind, row.name, row.deleted = kind, name, False

"""The 编办 accepts a unit's calendar deviations, or withdraws its acceptance.

The 编办 counts every unit by the national calendar. A unit may have a real reason to depart
from it (a local holiday, a duty weekend); once the 编办 accepts, that unit's county figures use
the unit's own state of each day its calendar departs on (as it was when accepted). Withdrawing
returns the unit to the national calendar. Kept in the unit's mirror (`accepted_day`), recorded
in the mirror's audit trail, and the unit's cached figures are recomputed at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.engine import Database, now_text
from app.db.models import AcceptedDay
from app.services.county import figures as county
from app.services.county.basis import calendar_state
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar


@dataclass
class CalendarDecision:
    unit_name: str
    days: list[dt.date]          # accepted (accept) or no longer accepted (withdraw)
    accepted: bool

    def summary(self) -> str:
        shown = "、".join(d.isoformat() for d in self.days[:10]) + ("等" if len(self.days) > 10 else "")
        if self.accepted:
            return (f"已认可“{self.unit_name}”的工作日历与国家安排不同的{len(self.days)}天（{shown}）："
                    "这些天按单位日历统计，该单位的统计已重新计算")
        return (f"已撤销对“{self.unit_name}”工作日历的认可（{len(self.days)}天：{shown}）："
                "该单位恢复按国家安排统计，统计已重新计算")


def accept_calendar(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str) -> CalendarDecision:
    """Accept every day on which the unit's calendar now departs from the national one (the
    days accepted before and still departing stay accepted)."""
    name, mirror = _unit(db, mirrors, actor, unit_id, "认可单位工作日历")
    departs, accepted = calendar_state(mirror)
    if not departs:
        raise AppError(f"“{name}”的工作日历没有未认可的差异" +
                       (f"（已认可{len(accepted)}天）" if accepted else "：与国家安排相同"))
    own = work_calendar(mirror)
    days = sorted(departs + accepted)
    stale = county.mark_dirty(db, unit_id)
    with mirror.session(actor) as s:
        before = _hash(s)
        s.execute(delete(AcceptedDay))
        s.add_all(AcceptedDay(day=d.isoformat(), working=own.is_working_day(d), accepted_at=now_text(),
                              accepted_by=_who(actor)) for d in days)
        s.flush()
        audit.append(s, _who(actor), "accept-calendar", "accepted_day", unit_id, before, _hash(s))
    _refresh(db, mirrors, unit_id, stale)
    return CalendarDecision(name, departs, True)


def withdraw_calendar(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str) -> CalendarDecision:
    """Withdraw the acceptance: the unit is counted by the national calendar again."""
    name, mirror = _unit(db, mirrors, actor, unit_id, "撤销认可单位工作日历")
    with mirror.read() as s:
        days = [dt.date.fromisoformat(d) for d in s.scalars(select(AcceptedDay.day).order_by(AcceptedDay.day))]
    if not days:
        raise AppError(f"“{name}”没有已认可的工作日历差异")
    stale = county.mark_dirty(db, unit_id)
    with mirror.session(actor) as s:
        before = _hash(s)
        s.execute(delete(AcceptedDay))
        audit.append(s, _who(actor), "withdraw-calendar", "accepted_day", unit_id, before, _hash(s))
    _refresh(db, mirrors, unit_id, stale)
    return CalendarDecision(name, days, False)


def _unit(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, what: str) -> tuple[str, Database]:
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied(f"{what}需要编办管理员权限")
    unit = next((u for u in registered_units(db) if u.unit_id == unit_id), None)
    if unit is None or not mirrors.path(unit_id).exists():
        raise AppError("该单位未登记或还没有数据")
    return unit.name, mirrors.get(unit_id)


def _who(actor: Actor) -> str:
    return getattr(actor, "login", None) or "system"


def _hash(s) -> str:
    return audit.row_hash([[r.day, r.working] for r in s.scalars(select(AcceptedDay).order_by(AcceptedDay.day))])


def _refresh(db: Database, mirrors: Mirrors, unit_id: str, stale: set[int]) -> None:
    """Every cached period of the unit, counted by its new calendar. The unit was marked dirty
    before its mirror changed: a crash before the figures are stored leaves the mark, and the
    county table computes the unit live until its next import."""
    county.refresh_unit(db, mirrors, unit_id, county.log_months(mirrors.get(unit_id)) | stale)

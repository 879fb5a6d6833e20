"""代审: a reviewer names a stand-in for a date range while away."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.core import permissions as perm
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.engine import Database
from app.db.models import Delegation, Person
from app.services.org.actor import Actor

MAX_DAYS = 92


@dataclass(frozen=True)
class DelegationRow:
    id: str
    delegate_login: str
    delegate_name: str
    start: dt.date
    end: dt.date


def set_delegation(db: Database, actor: Actor, delegate_login: str, start: dt.date,
                   end: dt.date) -> str:
    if not perm.allowed(actor.role, actor.is_admin, perm.DELEGATE, perm.SELF):
        raise PermissionDenied(perm.denial_message(perm.DELEGATE))
    if end < start:
        raise ValidationError("代审结束日期不能早于开始日期")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"代审期限不能超过{MAX_DAYS}天")
    with db.session(actor) as s:
        delegate = s.scalar(select(Person).where(Person.login == delegate_login.strip(),
                                                 Person.deleted.is_(False)))
        if delegate is None:
            raise AppError(f"没有登录名为“{delegate_login}”的人员")
        if delegate.id == actor.person_id:
            raise ValidationError("不能委托本人代审")
        if delegate.status not in ("在职", "借调"):
            raise ValidationError(f"{delegate.name}当前{delegate.status}，不能代审")
        row = Delegation(reviewer_id=actor.person_id, delegate_id=delegate.id,
                         start_day=start.isoformat(), end_day=end.isoformat())
        s.add(row)
        s.flush()
        return row.id


def my_delegations(db: Database, actor: Actor) -> list[DelegationRow]:
    with db.read() as s:
        rows = s.execute(select(Delegation, Person.login, Person.name)
                         .join(Person, Person.id == Delegation.delegate_id)
                         .where(Delegation.reviewer_id == actor.person_id,
                                Delegation.deleted.is_(False))
                         .order_by(Delegation.start_day)).all()
    return [DelegationRow(d.id, login, name, dt.date.fromisoformat(d.start_day),
                          dt.date.fromisoformat(d.end_day)) for d, login, name in rows]


def cancel_delegation(db: Database, actor: Actor, delegation_id: str) -> None:
    with db.session(actor) as s:
        row = s.get(Delegation, delegation_id)
        if row is None or row.deleted or row.reviewer_id != actor.person_id:
            raise AppError("代审设置不存在或已取消")
        row.deleted = True

"""单位履职动态: finally approved logs, readable by every member of the unit.

Entries flagged 涉密 keep no content at all; they show as “涉密工作” with category, duty and hours.
Unpublished logs (drafts, in review, returned) are readable by their author, their reviewers'
scopes per the permission matrix, and the principal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.core import permissions as perm
from app.core import vocab
from app.core.errors import PermissionDenied
from app.db.engine import Database
from app.db.models import Duty, EntryText, LogEntry, Person, Section, WorkLog
from app.services.org import chart as org_chart
from app.services.org.actor import Actor

PAGE_SIZE = 200


def require_read(db: Database, actor: Actor, log: WorkLog) -> None:
    if log.status == vocab.LOG_APPROVED:
        return  # published inside the unit
    if log.person_id == actor.person_id:
        return
    if log.status == vocab.LOG_DRAFT:
        raise PermissionDenied("草稿只有本人可见")
    chart = org_chart.load(db)
    scope = chart.scope(actor.person_id, log.person_id)
    if not perm.allowed(actor.role, actor.is_admin, perm.READ_LOG, scope):
        raise PermissionDenied(perm.denial_message(perm.READ_LOG))


@dataclass(frozen=True)
class PublishedFilter:
    section: str | None = None
    person_login: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str | None = None
    duty_code: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class PublishedEntry:
    day: dt.date
    person: str
    login: str
    section: str
    hours: float
    category: str
    duty: str
    content: str
    secret: bool
    log_id: str
    version: int


def browse(db: Database, actor: Actor, flt: PublishedFilter = PublishedFilter(),
           offset: int = 0, limit: int = PAGE_SIZE) -> tuple[list[PublishedEntry], int]:
    """One page of published entries (newest day first) and the total count for the filter."""
    if not perm.allowed(actor.role, actor.is_admin, perm.READ_PUBLISHED, perm.UNIT):
        raise PermissionDenied(perm.denial_message(perm.READ_PUBLISHED))
    conditions = [WorkLog.status == vocab.LOG_APPROVED, WorkLog.deleted.is_(False),
                  LogEntry.deleted.is_(False)]
    if flt.start:
        conditions.append(LogEntry.day >= flt.start.isoformat())
    if flt.end:
        conditions.append(LogEntry.day <= flt.end.isoformat())
    if flt.category:
        conditions.append(LogEntry.category == flt.category)
    if flt.person_login:
        conditions.append(Person.login == flt.person_login)
    if flt.section:
        conditions.append(Section.name == flt.section)
    if flt.duty_code:
        conditions.append(Duty.code == flt.duty_code)
    if flt.text:
        conditions.append(EntryText.content.contains(flt.text.strip()))
    base = (select(LogEntry, WorkLog.version, Person.name, Person.login, Section.name,
                   Duty.code, Duty.content, EntryText.content)
            .join(WorkLog, WorkLog.id == LogEntry.log_id)
            .join(Person, Person.id == LogEntry.person_id)
            .outerjoin(Section, Section.id == Person.section_id)
            .outerjoin(Duty, Duty.id == LogEntry.duty_id)
            .outerjoin(EntryText, (EntryText.id == LogEntry.id) & EntryText.deleted.is_(False))
            .where(*conditions))
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(base.subquery()))
        rows = s.execute(base.order_by(LogEntry.day.desc(), Person.login, LogEntry.seq)
                         .offset(offset).limit(limit)).all()
    return [PublishedEntry(
        dt.date.fromisoformat(e.day), name, login, section or "", e.hours, e.category,
        f"{code} {duty}" if code else "", vocab.SECRET_CONTENT_LABEL if e.secret else (text or ""),
        e.secret, e.log_id, version)
        for e, version, name, login, section, code, duty, text in rows], total

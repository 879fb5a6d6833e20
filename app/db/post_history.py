"""任职记录: who held which reviewing post, from when.

A review action is checked at the 编办 against the roster, the 分管 charges and the 代审 rows *as
they stood when it was made* (app.services.org.chart_history.ChartHistory). The person and section_charge
tables only hold the present, so every commit of the unit edition that changes them appends a
record per person whose post changed: role, section, status and the sections they are in charge
of. The first record of a person has `since` = "" (held from the beginning); later ones the
commit's time, in the same format as review_action.created_at so the two compare as text.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Person, PostRecord, SectionCharge

POST_TABLES = frozenset({"person", "section_charge"})
BEGINNING = ""


def current_posts(session: Session) -> dict[str, tuple]:
    """person id → (role, section id, status, charges) as the tables hold them now."""
    charges: dict[str, list[str]] = {}
    for deputy, section in session.execute(select(SectionCharge.deputy_id, SectionCharge.section_id)
                                           .where(SectionCharge.deleted.is_(False))):
        charges.setdefault(deputy, []).append(section)
    return {pid: (role, section, status, ",".join(sorted(charges.get(pid, ()))))
            for pid, role, section, status in session.execute(
                select(Person.id, Person.role, Person.section_id, Person.status)
                .where(Person.deleted.is_(False)))}


def latest_records(session: Session) -> dict[str, tuple]:
    latest: dict[str, tuple] = {}
    for pid, role, section, status, charges in session.execute(
            select(PostRecord.person_id, PostRecord.role, PostRecord.section_id,
                   PostRecord.status, PostRecord.charges)
            .where(PostRecord.deleted.is_(False))
            .order_by(PostRecord.person_id, PostRecord.since, PostRecord.hlc)):
        latest[pid] = (role, section, status, charges or "")
    return latest


def record_changes(session: Session, now: str) -> int:
    """Append a record for every person whose post differs from their latest record; the rows
    are stamped and outboxed by the flush like any synced row. Returns how many were added."""
    latest = latest_records(session)
    added = 0
    for pid, post in current_posts(session).items():
        if latest.get(pid) == post:
            continue
        role, section, status, charges = post
        session.add(PostRecord(person_id=pid, since=now if pid in latest else BEGINNING,
                               role=role, section_id=section, status=status, charges=charges))
        added += 1
    return added

"""A unit's staffing as its roster stands: quota and actual people per 编制类型, leadership posts,
借调. The same counts serve the unit's own pages, the 编办's table and the evaluation indicators:
people 在职 or 借调 with a 编制类型 (借调 people hold a slot of this unit's 编制)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.bureau import county as C
from app.db.engine import Database
from app.db.models import Person, StaffingQuota, Unit

COUNTED_STATUSES = ("在职", "借调")


def staffing_of(mirror: Database) -> tuple[C.Staffing, Unit]:
    with mirror.read() as s:
        unit = s.get(Unit, mirror.unit_id)
        result = C.Staffing()
        for kind, name, quota in s.execute(select(StaffingQuota.kind, StaffingQuota.name, StaffingQuota.quota)
                                           .where(StaffingQuota.deleted.is_(False))):
            (result.quotas if kind == "staffing" else result.leader_quotas)[name] = quota
        people = s.execute(select(Person.staffing_type, Person.role, Person.status, func.count())
                           .where(Person.deleted.is_(False), Person.status.in_(COUNTED_STATUSES),
                                  Person.staffing_type.is_not(None))
                           .group_by(Person.staffing_type, Person.role, Person.status)).all()
    roles = {role: kind for kind, role in C.LEADER_ROLES.items()}
    for staffing_type, role, status, n in people:
        result.actual[staffing_type] = result.actual.get(staffing_type, 0) + n
        if role in roles:
            result.leaders[roles[role]] = result.leaders.get(roles[role], 0) + n
        if status == "借调":
            result.seconded += n
    return result, unit

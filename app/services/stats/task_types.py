"""Statistics by 任务类型 (seed 002, 桓台县: 业务、党建、财务和组织人事、信访投诉、综合性工作):
hours, their share, entries (任务数) and people taking part, for the unit, a section, the
sections in one's charge, or a person — and the same split for each group below it.

The hours are the statistics' own (compute.load: the same logs, the same people who count), so
the five types add up to the group's 计入工时. Who may see which group follows the statistics'
rights (app.services.stats.access)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from app.core.errors import AppError, PermissionDenied
from app.core.figures import CHARGE, CHARGE_NAME, NO_SECTION, NO_SECTION_NAME, PERSON, SECTION, UNIT
from app.core.metrics import Period
from app.core.task_types import TaskTypeTable, TaskTypeView, table_of
from app.db.engine import Database
from app.services.org.actor import Actor
from app.services.stats import compute
from app.services.stats.access import DENIED, Access


def task_type_view(db: Database, period: Period, level: str = UNIT, key: str | None = None, *,
                   actor: Actor | None = None, approved_only: bool = True,
                   today: dt.date | None = None, **options) -> TaskTypeView:
    """The split for the unit (children: its sections), a section (its people), the sections in
    the actor's charge (CHARGE: those sections) or one person (no children)."""
    access = Access(db, actor)
    data = compute.load(db, period, approved_only=approved_only, today=today, **options)
    counted = data.counted
    section_names = {NO_SECTION: NO_SECTION_NAME, **dict(data.sections)}
    members = defaultdict(list)
    for f in counted:
        members[f.section_id].append(f)
    order = [sid for sid in [NO_SECTION, *dict(data.sections)] if members.get(sid)]

    def section_tables(ids) -> list[TaskTypeTable]:
        return [table_of(section_names[sid], data.period, members[sid]) for sid in ids]

    if level == UNIT:
        if not access.unit():
            raise PermissionDenied(DENIED)
        return TaskTypeView(table_of(data.unit_name, data.period, counted), section_tables(order))
    if level == CHARGE:
        ids = [sid for sid in order if access.section(sid)]
        chosen = [f for sid in ids for f in members[sid]]
        return TaskTypeView(table_of(CHARGE_NAME, data.period, chosen), section_tables(ids))
    if level == SECTION:
        if not access.section(key or ""):
            raise PermissionDenied(DENIED)
        if key not in section_names:
            raise AppError("找不到该科室")
        people = sorted(members.get(key, []), key=compute._person_order(data))
        return TaskTypeView(table_of(section_names[key], data.period, people),
                            [table_of(f.name, data.period, [f]) for f in people if access.person(f.person_id)])
    if level == PERSON:
        f = data.facts.get(key or "")
        if f is None:
            raise AppError("找不到该人员")
        if not access.person(f.person_id):
            raise PermissionDenied(DENIED)
        return TaskTypeView(table_of(f.name, data.period, [f]), [])
    raise AppError(f"统计层级应为 unit、section、charge 或 person：{level}")

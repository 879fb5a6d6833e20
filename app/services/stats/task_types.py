"""Statistics by 任务类型 (seed 002, 桓台县: 业务、党建、财务和组织人事、信访投诉、综合性工作):
hours, their share, entries (任务数) and people taking part, for the unit, a section, the
sections in one's charge, or a person — and the same split for each group below it.

The hours are the statistics' own (compute.load: the same logs, the same people who count), so
the five types add up to the group's 计入工时. Who may see which group follows the statistics'
rights (app.services.stats.access)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from app.core.errors import AppError, PermissionDenied
from app.core.figures import CHARGE, CHARGE_NAME, NO_SECTION, NO_SECTION_NAME, PERSON, SECTION, UNIT, PersonFacts
from app.core.metrics import Period
from app.core.task_types import TASK_TYPES
from app.db.engine import Database
from app.services.org.actor import Actor
from app.services.stats import compute
from app.services.stats.access import DENIED, Access


@dataclass(frozen=True)
class TaskTypeRow:
    task_type: str
    hours: float
    share: float | None           # of the group's hours; None when it logged none
    entries: int
    entry_share: float | None
    people: int                   # people with hours of this type
    people_share: float | None


@dataclass(frozen=True)
class TaskTypeTable:
    name: str                     # the group: unit, section, person
    period: Period
    people: int
    hours: float                  # = the sum of rows' hours = the group's 计入工时
    entries: int
    rows: list[TaskTypeRow]

    def hours_of(self, task_type: str) -> float:
        return next(r.hours for r in self.rows if r.task_type == task_type)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def table_of(name: str, period: Period, facts: list[PersonFacts]) -> TaskTypeTable:
    """The split of a group of counted people."""
    hours, entries, people = defaultdict(float), defaultdict(int), defaultdict(int)
    for f in facts:
        for kind, (h, n) in f.task_hours.items():
            hours[kind] += h
            entries[kind] += n
            if h > 0:
                people[kind] += 1
    kinds = list(TASK_TYPES) + sorted(k for k in hours if k not in TASK_TYPES)
    total_h = round(sum(f.logged_hours for f in facts), 2)
    total_n = sum(entries.values())
    rows = [TaskTypeRow(k, round(hours[k], 2), _share(hours[k], total_h), entries[k],
                        _share(entries[k], total_n), people[k], _share(people[k], len(facts)))
            for k in kinds]
    return TaskTypeTable(name, period, len(facts), total_h, total_n, rows)


@dataclass(frozen=True)
class TaskTypeView:
    """What the statistics page shows for one group: its split and each group below it."""
    total: TaskTypeTable
    children: list[TaskTypeTable]


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

"""Drill-down behind the statistics : a person's days, the
entries behind a figure or a light, and the weekly trend of a unit, section or person.

The same definitions as app.services.stats apply (which logs count, who counts, leave days);
every function here reads only the rows of the group asked for. `calendar` (default: the
database's own) is the 编办's national calendar when it drills into a unit's mirror.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.core import metrics as M
from app.core import vocab
from app.core.errors import AppError, PermissionDenied
from app.core.figures import CHARGE, NO_SECTION, NO_SECTION_NAME, PERSON, SECTION, UNIT
from app.core.calendar import WorkCalendar
from app.core.metrics import Bands, Period
from app.db.engine import Database
from app.db.models import WorkLog
from app.services.stats import queries as Q
from app.services.stats.access import DENIED, ROSTER_STATUS, Access, counted_statuses
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar


@dataclass(frozen=True)
class WeekPoint:
    """One calendar week (Monday–Sunday, clipped to the period) of a unit, section or person.
    `people` are the group's persons counted over the whole period (app/services/stats/compute.py "Who counts");
    expected hours = (people × working days of the week − their leave days in it) × H0."""
    start: dt.date
    end: dt.date
    working_days: int
    people: int
    leave_days: int
    logged_hours: float
    expected_hours: float
    saturation: float | None
    band: str | None

    @property
    def partial(self) -> bool:
        """Fewer than seven days of the week lie in the period (its first or last week)."""
        return (self.end - self.start).days < 6


@dataclass(frozen=True)
class PersonDay:
    """One day of a person's period, as the statistics see it."""
    day: dt.date
    working: bool                 # a working day of the calendar
    log_id: str | None            # None: no log saved that day
    status: str | None            # derived review status (draft/submitted/returned/approved)
    status_label: str             # 未填写 / 草稿 / 已提交 / 已退回 / 已审定
    day_state: str | None         # 正常 / 请假 / 出差 / 公休
    hours: float                  # all live entries of the log
    entries: int
    counted_hours: float          # the part of `hours` counted in L
    leave: bool                   # a leave day: removed from expected hours
    submitted: bool               # counts in the submission rate's numerator
    expected_hours: float         # H0 on a working day that is not a leave day, else 0


@dataclass(frozen=True)
class EntryFact:
    """One counted entry (no text: the log page shows it, subject to its own permissions)."""
    entry_id: str
    log_id: str
    person_id: str
    login: str
    name: str
    section: str
    day: dt.date
    seq: int
    hours: float
    category: str
    duty_id: str | None
    duty_code: str | None
    duty_class: str | None
    focus: str                    # core / general / auxiliary
    secret: bool
    status: str


class _Group:
    """The persons of a unit / section / person key, and who of them counts (app/services/stats/compute.py rules)."""

    def __init__(self, s, db: Database, level: str, key: str | None, period: Period,
                 statuses, actor: Actor | None):
        access = Access(db, actor)
        sections = dict(Q.sections(s))
        people = {p.id: p for p in Q.persons(s)}
        self.section_names = sections

        def section_of(p) -> str:
            return p.section_id if p.section_id in sections else NO_SECTION

        if level == UNIT:
            ok, members = access.unit(), list(people.values())
        elif level == SECTION:
            if key is None or (key != NO_SECTION and key not in sections):
                raise AppError("找不到该科室")
            ok, members = access.section(key), [p for p in people.values() if section_of(p) == key]
        elif level == CHARGE:       # every section the actor may see (a 分管领导's sections)
            allowed = {sid for sid in sections if access.section(sid)}
            ok, members = bool(allowed), [p for p in people.values() if section_of(p) in allowed]
        elif level == PERSON:
            if key not in people:
                raise AppError("找不到该人员")
            ok, members = access.person(key), [people[key]]
        else:
            raise AppError(f"统计层级应为 unit、section 或 person：{level}")
        if not ok:
            raise PermissionDenied(DENIED)
        self.filter_ids = None if level == UNIT else [p.id for p in members]
        counted_set = set(statuses or Q.ALL_STATUSES)
        with_logs = {pid for pid, status, n in s.execute(
            select(WorkLog.person_id, WorkLog.status, func.count())
            .where(*Q.period_filter(WorkLog.month, WorkLog.day, period),
                   WorkLog.deleted.is_(False))
            .group_by(WorkLog.person_id, WorkLog.status)) if status in counted_set}
        self.persons = {p.id: p for p in members}
        self.counted = [p for p in members if p.id in with_logs or (
            not p.deleted and p.status == ROSTER_STATUS and not (p.is_admin and not p.staffing_type))]
        if level == PERSON:        # asked for by name: shown even when not in the totals
            self.counted = members
        self.section_of = {p.id: sections.get(section_of(p), NO_SECTION_NAME) for p in members}


def _leave_by_day(s, period: Period, statuses, person_ids) -> dict[str, int]:
    query = (select(WorkLog.day, func.count())
             .where(*Q.period_filter(WorkLog.month, WorkLog.day, period),
                    WorkLog.deleted.is_(False),
                    WorkLog.day_state.in_(vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS))
             .group_by(WorkLog.day))
    if statuses is not None:
        query = query.where(WorkLog.status.in_(list(statuses)))
    if person_ids is not None:
        query = query.where(WorkLog.person_id.in_(person_ids))
    return dict(s.execute(query).all())


def weekly_hours(db: Database, period: Period, level: str = UNIT, key: str | None = None, *,
                 approved_only: bool = True, bands: Bands | None = None,
                 actor: Actor | None = None, calendar: WorkCalendar | None = None) -> list[WeekPoint]:
    """Logged and expected hours per week of P for the unit, a section (key = section id or
    NO_SECTION) or a person (key = person id); saturation and band per week."""
    statuses = counted_statuses(approved_only)
    calendar = calendar or work_calendar(db)
    with db.read() as s:
        group = _Group(s, db, level, key, period, statuses, actor)
        ids = group.filter_ids if group.filter_ids is None else [p.id for p in group.counted]
        hours = Q.entry_sums(s, period, statuses, ("day",), ids)
        leave = _leave_by_day(s, period, statuses, ids)
    people = len(group.counted)
    points, start = [], period.start
    while start <= period.end:
        end = min(period.end, start + dt.timedelta(days=6 - start.weekday()))
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        working = [d for d in days if calendar.is_working_day(d)]
        leave_days = sum(leave.get(d.isoformat(), 0) for d in working)
        logged = round(sum(hours.get((d.isoformat(),), (0.0, 0))[0] for d in days), 2)
        expected = M.expected_hours(max(0, people * len(working) - leave_days))
        sat = M.saturation(logged, expected, bands or M.DEFAULT_BANDS)
        points.append(WeekPoint(start, end, len(working), people, leave_days, logged, expected,
                                sat.value, sat.band))
        start = end + dt.timedelta(days=1)
    return points


def person_days(db: Database, person_id: str, period: Period, *, approved_only: bool = True,
                actor: Actor | None = None, calendar: WorkCalendar | None = None) -> list[PersonDay]:
    """Every day of P for one person: log state, hours, and how the day enters the metrics."""
    statuses = counted_statuses(approved_only)
    counted_set = set(statuses or Q.ALL_STATUSES)
    calendar = calendar or work_calendar(db)
    with db.read() as s:
        _Group(s, db, PERSON, person_id, period, statuses, actor)
        logs = {row[1]: row for row in Q.person_logs(s, person_id, period)}
    result = []
    for i in range(period.days):
        day = period.start + dt.timedelta(days=i)
        working = calendar.is_working_day(day)
        row = logs.get(day.isoformat())
        if row is None:
            result.append(PersonDay(day, working, None, None, "未填写", None, 0.0, 0, 0.0, False,
                                    False, vocab.STANDARD_DAILY_HOURS if working else 0.0))
            continue
        log_id, _, status, day_state, hours, entries = row
        counted = status in counted_set
        leave = working and counted and day_state in vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS
        submitted = working and not leave and status in Q.SUBMITTED_STATUSES
        result.append(PersonDay(
            day, working, log_id, status, vocab.LOG_STATE_LABELS.get(status, status), day_state,
            round(hours, 2), entries, round(hours, 2) if counted else 0.0, leave, submitted,
            vocab.STANDARD_DAILY_HOURS if working and not leave else 0.0))
    return result


def logs_behind(db: Database, period: Period, level: str = UNIT, key: str | None = None, *,
                approved_only: bool = True, category: str | None = None,
                focus: str | None = None, duty_code: str | None = None,
                limit: int | None = None, actor: Actor | None = None) -> list[EntryFact]:
    """The counted entries behind a figure of the unit / a section / a person, oldest first:
    all of them, or those of one work category, one focus class (core / general / auxiliary —
    auxiliary includes entries without a duty) or one duty (职责编号). For leave days, missing
    and unsubmitted days behind a saturation or submission light, see person_days."""
    if focus is not None and focus not in M.FOCUS_KEYS:
        raise AppError(f"聚焦度类别应为 {'、'.join(M.FOCUS_KEYS)}：{focus}")
    statuses = counted_statuses(approved_only)
    with db.read() as s:
        group = _Group(s, db, level, key, period, statuses, actor)
        duties = Q.duties(s, db.unit_id)
        by_id = {d.id: d for d in duties}
        duty_ids = None
        if duty_code is not None:
            duty_ids = [d.id for d in duties if d.code == duty_code]
            if not duty_ids:
                raise AppError(f"找不到职责编号 {duty_code}")
        rows = Q.entry_rows(s, period, statuses, group.filter_ids, category, duty_ids,
                            None if focus else limit)
    people = group.persons
    result = []
    for entry_id, log_id, pid, day, seq, hours, cat, duty_id, secret, status in rows:
        duty = by_id.get(duty_id) if duty_id else None
        key_ = M.focus_key(duty.duty_class if duty else None)
        if focus is not None and key_ != focus:
            continue
        p = people.get(pid)
        result.append(EntryFact(entry_id, log_id, pid, p.login if p else "", p.name if p else "",
                                group.section_of.get(pid, ""), dt.date.fromisoformat(day), seq,
                                hours, cat, duty_id, duty.code if duty else None,
                                duty.duty_class if duty else None, key_, bool(secret), status))
        if limit is not None and len(result) >= limit:
            break
    return result

"""Gathering a unit, section, core-duty or person report: everything it shows is read here into
a ReportData (app.reports.report_data), which app.reports.unit_reports turns into the PDF and
its Excel tables without touching the database. Who may see what is decided here: with an
`actor` the statistics service's access rules apply (PermissionDenied); without one (the
command line, a report run by the system) nothing is filtered.

    info = build_report(db, "unit", "2026-Q3", "report.pdf", xlsx="report.xlsx")
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select

from app.core.periods import as_period
from app.core import metrics as M
from app.core import vocab
from app.core.calendar import WorkCalendar
from app.core.errors import AppError, PermissionDenied
from app.core.figures import NO_SECTION_NAME, PERSON, SECTION, UNIT, Figures, StatsPage
from app.core.metrics import Period
from app.db.engine import Database
from app.db.models import Duty, EntryText, LogEntry, WorkLog
from app.paths import resources_dir
from app.reports import unit_reports
from app.reports.model import FocusReference, FocusShares
from app.reports.report_data import (DutyInfo, EntryCounts, Example, ReportData, Trend,
                                     previous_period)
from app.reports.report_parts import KINDS, ReportInfo
from app.services.org.calendar import work_calendar
from app.services.stats.need import unit_need
from app.services.stats import compute as stats, drill
from app.services.stats import queries as Q
from app.services.stats.access import DENIED
from app.services.stats.task_types import task_type_view

APPROVED = (vocab.LOG_APPROVED,)
EXAMPLES_PER_DUTY = 3
EXAMPLE_CANDIDATES = 24        # newest distinct texts per duty considered for the examples
EXAMPLE_MIN_CHARS = 6          # shorter texts ("开会") say nothing about the duty
OPENING = 6                    # examples should not start with the same characters
WEEKLY_TREND_MAX_DAYS = 100    # up to a quarter: weekly points; longer periods: monthly points


def build_report(db: Database, kind: str, period: Period | str, out: Path | str, *,
                 section: str | None = None, user: str | None = None, actor=None,
                 today: dt.date | None = None, xlsx: Path | str | None = None,
                 calendar: WorkCalendar | None = None) -> ReportInfo:
    """Write the report PDF to `out` (and its tables to `xlsx`); see the module doc.
    `calendar`: the working days to count by (default the database's own; the 编办 printing from
    its drill-down passes the calendar it counts the unit by, as its table does)."""
    started = time.perf_counter()
    data = gather(db, kind, period, section=section, user=user, actor=actor, today=today,
                  calendar=calendar)
    info = unit_reports.write_report(data, out, xlsx)
    return dataclasses.replace(info, seconds=time.perf_counter() - started)


def gather(db: Database, kind: str, period: Period | str, *, section: str | None = None,
           user: str | None = None, actor=None, today: dt.date | None = None,
           calendar: WorkCalendar | None = None) -> ReportData:
    if kind not in KINDS:
        raise AppError(f"报告类型应为 unit、section、core 或 person：{kind}")
    period = as_period(period)
    if kind == "section" and not section:
        raise AppError("科室报告须指定科室名称（--section）")
    if kind == "person" and not user:
        raise AppError("个人报告须指定登录名（--user）")
    today = today or dt.date.today()
    previous = previous_period(period)
    duties = duty_infos(db)
    subject, ids, trend_of = None, None, None
    if kind == "person":
        subject = find_person(db, user)
        [f] = stats.unit_stats(db, period, PERSON, person_id=subject, actor=actor, today=today,
                               calendar=calendar)
        [p] = stats.unit_stats(db, previous, PERSON, person_id=subject, actor=actor, today=today,
                               calendar=calendar)
        page, prev = StatsPage(f.period, None, persons=[f]), StatsPage(p.period, None, persons=[p])
        ids = [subject]
        trend_of = (f, PERSON)
    else:
        if kind == "section":
            subject = find_section(db, section)
        page = stats.stats_page(db, period, actor=actor, today=today, calendar=calendar)
        prev = stats.stats_page(db, previous, actor=actor, today=today, calendar=calendar)
        if kind == "section":
            mine = [f for f in page.sections if f.key == subject]
            if not mine:
                raise PermissionDenied(DENIED)
            ids = {p.key for p in page.persons if p.section_id == subject}
            trend_of = (mine[0], SECTION)
        elif page.unit is None:
            raise PermissionDenied(DENIED)
        elif kind == "unit":
            trend_of = (page.unit, UNIT)
    period = page.period          # cut at today while the period runs (本期截至…)
    data = ReportData(kind, period, previous, today,
                      page.unit.name if page.unit is not None else unit_name(db), duties,
                      page, prev, entry_counts(db, period), entry_counts(db, previous),
                      pending_logs(db, period, ids), subject)
    if trend_of is not None:
        fig, level = trend_of
        data.trend = trend(db, period, fig, level=level, key=subject, person_ids=ids, actor=actor,
                           calendar=calendar)
    data.focus_reference = focus_reference(data.unit_name)
    if kind in ("unit", "section"):
        data.task_types = task_type_view(db, period, UNIT if kind == "unit" else SECTION, subject, actor=actor,
                                         today=today, calendar=calendar)
    if kind in ("unit", "core") and page.unit is not None:
        data.need = unit_need(db, page.unit, today)
    if kind == "core":
        data.people = people_names(db)
        data.examples = examples(db, period, [d.id for d in duties
                                              if d.active and d.duty_class == vocab.DUTY_CORE])
    return data


def focus_reference(unit_name: str) -> FocusReference | None:
    """The first external focus reference (resources/references/focus.json) whose applies_to
    words occur in the unit's name: a pilot's figures are context only for units of its kind."""
    path = resources_dir() / "references" / "focus.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("references", [])
    except (OSError, ValueError):
        return None
    for e in entries:
        if any(word and word in unit_name for word in e.get("applies_to", ())):
            return FocusReference(e["label"], e["source"], e.get("note", ""),
                                  FocusShares(e["core"], e["general"], e["auxiliary"]))
    return None


def unit_name(db: Database) -> str:
    with db.read() as s:
        return Q.unit_name(s, db.unit_id)


def people_names(db: Database) -> dict[str, tuple[str, str]]:
    """Person id → (name, section name) of everyone on the roster."""
    with db.read() as s:
        sections = dict(Q.sections(s))
        return {p.id: (p.name, sections.get(p.section_id, NO_SECTION_NAME)) for p in Q.persons(s)}


def duty_infos(db: Database) -> list[DutyInfo]:
    """Live duties of the unit in display order, with the sections carrying them."""
    with db.read() as s:
        names = dict(Q.sections(s))
        links: dict[str, list[str]] = defaultdict(list)
        for section_id, duty_id in Q.section_duty_links(s):
            if section_id in names:
                links[duty_id].append(section_id)
        order = {sid: i for i, sid in enumerate(names)}
        query = (select(Duty.id, Duty.code, Duty.content, Duty.duty_class, Duty.active)
                 .where(Duty.deleted.is_(False)).order_by(Duty.sort_order, Duty.code))
        if db.unit_id:
            query = query.where(Duty.unit_id == db.unit_id)
        rows = s.execute(query).all()
    return [DutyInfo(i, code, content, cls, bool(active),
                     tuple(names[x] for x in sorted(links.get(i, []), key=order.get)))
            for i, code, content, cls, active in rows]


def find_section(db: Database, name: str) -> str:
    with db.read() as s:
        ids = [sid for sid, n in Q.sections(s) if n == name.strip()]
    if not ids:
        raise AppError(f"没有名为“{name}”的科室")
    return ids[0]


def find_person(db: Database, login: str) -> str:
    with db.read() as s:
        ids = [p.id for p in Q.persons(s) if p.login == login.strip() and not p.deleted]
    if not ids:
        raise AppError(f"没有登录名为“{login}”的人员")
    return ids[0]




def entry_counts(db: Database, period: Period) -> EntryCounts:
    with db.read() as s:
        sums = Q.entry_sums(s, period, APPROVED, ("person_id", "duty_id"))
    return EntryCounts({key: (hours, n) for key, (hours, n) in sums.items()})




def examples(db: Database, period: Period, duty_ids, per_duty: int = EXAMPLES_PER_DUTY,
             person_ids=None) -> dict[str, list[Example]]:
    """Up to `per_duty` entry texts per duty, from finally approved entries that are not 涉密/敏感:
    among the newest distinct texts, the most informative (longest), from different people where
    possible, oldest first."""
    duty_ids = list(duty_ids)
    if not duty_ids:
        return {}
    query = (select(LogEntry.duty_id, LogEntry.day, LogEntry.person_id, LogEntry.hours,
                    EntryText.content)
             .join(WorkLog, WorkLog.id == LogEntry.log_id)
             .join(EntryText, EntryText.id == LogEntry.id)
             .where(*Q.period_filter(LogEntry.month, LogEntry.day, period),
                    LogEntry.deleted.is_(False), LogEntry.secret.is_(False),
                    WorkLog.deleted.is_(False), WorkLog.status == vocab.LOG_APPROVED,
                    EntryText.deleted.is_(False), LogEntry.duty_id.in_(duty_ids))
             .order_by(LogEntry.day.desc(), LogEntry.person_id, LogEntry.seq))
    if person_ids is not None:
        query = query.where(LogEntry.person_id.in_(list(person_ids)))
    candidates: dict[str, dict[str, Example]] = defaultdict(dict)
    full = 0
    with db.read() as s:
        for duty_id, day, pid, hours, content in s.connection().execute(query):
            text = " ".join((content or "").split())
            seen = candidates[duty_id]
            if len(text) < EXAMPLE_MIN_CHARS or text in seen or len(seen) >= EXAMPLE_CANDIDATES:
                continue
            seen[text] = Example(dt.date.fromisoformat(day), pid, hours, text)
            if len(seen) == EXAMPLE_CANDIDATES:
                full += 1
                if full == len(duty_ids):
                    break
    return {d: _pick(list(c.values()), per_duty) for d, c in candidates.items()}


def _pick(items: list[Example], n: int) -> list[Example]:
    """The longest texts, preferring different people and different openings (texts written
    from one template start alike), then relaxing both."""
    ranked = sorted(items, key=lambda e: (-len(e.text), -e.day.toordinal()))
    chosen: list[Example] = []
    for distinct_people, distinct_openings in ((True, True), (False, True), (False, False)):
        for e in ranked:
            if len(chosen) >= n:
                break
            if e in chosen or (distinct_people and any(c.person_id == e.person_id for c in chosen)):
                continue
            if distinct_openings and any(c.text[:OPENING] == e.text[:OPENING] for c in chosen):
                continue
            chosen.append(e)
    return sorted(chosen, key=lambda e: (e.day, e.person_id))




def pending_logs(db: Database, period: Period, person_ids=None) -> int:
    """Logs of P submitted and not yet finally approved (not counted in the figures)."""
    query = (select(func.count()).select_from(WorkLog)
             .where(*Q.period_filter(WorkLog.month, WorkLog.day, period),
                    WorkLog.deleted.is_(False), WorkLog.status == vocab.LOG_SUBMITTED))
    if person_ids is not None:
        query = query.where(WorkLog.person_id.in_(list(person_ids)))
    with db.read() as s:
        return s.scalar(query) or 0




def trend(db: Database, period: Period, fig: Figures, *, level: str, key: str | None,
          person_ids=None, actor=None, calendar: WorkCalendar | None = None) -> Trend:
    """Saturation per week (periods up to a quarter, via stats.weekly_hours) or per month."""
    if period.days <= WEEKLY_TREND_MAX_DAYS:
        weeks = drill.weekly_hours(db, period, level, key, actor=actor,
                                   bands=fig.settings.bands, calendar=calendar)
        labels = [f"{w.start.month}/{w.start.day}" for w in weeks]
        return Trend("各周工作饱和度", labels, [w.saturation for w in weeks],
                     [(f"{w.start.isoformat()}至{w.end.isoformat()}", w.logged_hours,
                       w.expected_hours) for w in weeks],
                     [f"{w.start.month}月{w.start.day}日当周" for w in weeks], "周")
    return _monthly(db, period, fig, person_ids, calendar or work_calendar(db))


def _monthly(db: Database, period: Period, fig: Figures, person_ids,
             calendar: WorkCalendar) -> Trend:
    """Per calendar month of P: approved hours ÷ (people × working days − leave days) × H0, with
    the people counted in P (as stats.weekly_hours counts them for weeks)."""
    ids = None if person_ids is None else list(person_ids)
    leave_q = (select(WorkLog.day, func.count())
               .where(*Q.period_filter(WorkLog.month, WorkLog.day, period),
                      WorkLog.deleted.is_(False), WorkLog.status == vocab.LOG_APPROVED,
                      WorkLog.day_state.in_(vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS))
               .group_by(WorkLog.day))
    if ids is not None:
        leave_q = leave_q.where(WorkLog.person_id.in_(ids))
    with db.read() as s:
        hours = Q.entry_sums(s, period, APPROVED, ("month",), ids)
        leave = s.execute(leave_q).all()
    working = calendar.working_days(period.start, period.end)
    per_month_days: dict[int, int] = defaultdict(int)
    for d in working:
        per_month_days[d.year * 100 + d.month] += 1
    working_set = {d.isoformat() for d in working}
    leave_days: dict[int, int] = defaultdict(int)
    for day, n in leave:
        if day in working_set:
            leave_days[int(day[:4]) * 100 + int(day[5:7])] += n
    labels, values, points, names = [], [], [], []
    one_year = period.first_month // 100 == period.last_month // 100
    month = period.first_month
    while month <= period.last_month:
        logged = round(hours.get((month,), (0.0, 0))[0], 2)
        expected = M.expected_hours(max(0, fig.people * per_month_days[month] - leave_days[month]),
                                    fig.settings.h0)
        labels.append(f"{month % 100}月" if one_year else f"{month // 100 % 100:02d}.{month % 100}")
        names.append(f"{month % 100}月" if one_year else f"{month // 100}年{month % 100}月")
        values.append(logged / expected if expected > 0 else None)
        points.append((f"{month // 100}年{month % 100}月", logged, expected))
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
    return Trend("各月工作饱和度", labels, values, points, names, "月")

"""Statistics of the unit, its sections and its people (docs/ARCHITECTURE.md "Metrics"): the
numbers the statistics page, the PDF/Excel reports and `python -m app stats` show.

API (plain dataclasses; stable — the GUI page and the reports depend on it):

    unit_stats(db, period, level="unit"|"section"|"person", section_id=None, person_id=None, *,
               approved_only=True, bands=None, ...) -> list[Figures]
    unit_stats_many(db, periods, ...) -> list[Figures]                the unit, several periods
    stats_page(db, period, ...) -> StatsPage(unit, sections, persons)   one pass for all three
    by_staffing_type(db, period, ...) -> list[Figures]                  编制类型 comparison

The drill-down behind these figures (weekly trend, a person's days, the entries behind a light)
is app.services.stats.drill; who may see which figures is app.services.stats.access.

`period` is an app.core.metrics.Period (parse_period("2026-10")). Figures, its fields and the
metric definitions are documented in app/core/figures.py and app/core/metrics.py.

Choices made here:
- Which logs count: finally approved ones (work_log.status 'approved'); with approved_only=False
  every live log, whatever its review state (drafts too: it is the author's own working view).
  Leave days are read from the same logs, so an unapproved 请假 log does not yet reduce E.
- Who counts (people, E, buckets): a person counts in P when they have at least one counted log
  in P, or when they are on the live roster with status 在职 — except pure administrator accounts
  (is_admin with no staffing type), which do not write logs. People 借调 (seconded out: they work
  for another office), 离岗 and 离退 therefore count only for periods in which they have counted
  logs here; counting their absent days as expected hours would understate everyone else's
  saturation (the staffing analysis reports 借调 separately). The roster has no start or leave
  dates yet, so a person counts for the whole of P.
- Persons without a section (the unit's leaders) form the group NO_SECTION ("未分科室") at the
  section level, so section figures add up to the unit's.
- Coverage: unit — the unit's active duties; section — active duties the section carries
  (承担科室), covered by entries of the section's people; person — active post duties (岗位职责)
  covered by the person's entries. Staffing-type groups have no coverage (None).
- Review timeliness is attributed to the log's author and leaves out the principal's logs
  (they need no review). Pending logs are judged against `today` (default: the real date).
- Permissions: with an `actor`, figures follow the log-reading rights of the permission matrix
  (perm.READ_LOG): oneself, one's section (科室负责人), the sections in charge (分管领导), the whole
  unit (主要领导). Lists are filtered; an explicit request outside them raises PermissionDenied.
  Without an actor (the CLI, reports run by the system) nothing is filtered.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from operator import add
from typing import Sequence

from app.core import metrics as M
from app.core import task_types, vocab
from app.core.errors import AppError, PermissionDenied
from app.core.figures import (CHARGE, CHARGE_NAME, NO_SECTION, NO_SECTION_NAME, NO_STAFFING_TYPE_NAME, PERSON,
                              SECTION, STAFFING_TYPE, UNIT, Figures, PersonFacts, Settings,
                              StatsPage, combine)
from app.core.calendar import WorkCalendar
from app.core.metrics import Bands, Period
from app.core.periods import elapsed, month_period, range_period
from app.db.engine import Database
from app.services.stats import queries as Q
from app.services.org import unit_settings
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.services.gc_pause import collector_paused
from app.services.signing import verify
from app.services.stats.access import DENIED, ROSTER_STATUS, Access, counted_statuses

__all__ = ["Figures", "PersonFacts", "Settings", "StatsPage", "NO_SECTION", "unit_stats", "unit_stats_many",
           "stats_page", "by_staffing_type"]

ROLE_RANK = {vocab.ROLE_PRINCIPAL: 0, vocab.ROLE_DEPUTY: 1, vocab.ROLE_SECTION_HEAD: 2,
             vocab.ROLE_STAFF: 3}
MAX_PERIOD_DAYS = 3660


@dataclass
class _Data:
    """Facts of one period, read once, from which every level's figures are combined."""
    period: Period
    settings: Settings
    working_days: list[dt.date]
    unit_id: str
    unit_name: str
    facts: dict[str, PersonFacts]                 # every live person + anyone with counted logs
    sections: list[tuple[str, str]]               # (id, name), display order
    unit_duties: list[tuple[str, str]]            # active (id, code)
    section_duties: dict[str, list[tuple[str, str]]]
    post_duties: dict[str, list[tuple[str, str]]]
    categories: list[str]
    invalid: list = field(default_factory=list)   # signing.verify Findings of the period

    @property
    def counted(self) -> list[PersonFacts]:
        return [p for p in self.facts.values() if p.counted]

    def figures(self, level: str, key: str, name: str, facts, duties, **labels) -> Figures:
        found = combine(level, key, name, facts, period=self.period,
                        working_days=len(self.working_days), settings=self.settings,
                        duties=duties, category_order=self.categories, **labels)
        if self.invalid:
            people = {f.person_id for f in facts}
            found.invalid_logs = [f.text() for f in self.invalid if f.person_id in people]
        return found


def _review_window_end(period: Period, today: dt.date) -> dt.date:
    """Submissions of P's logs count for timeliness up to today, at most a year after P (the
    deadline table is built that far)."""
    return min(max(period.end, today, dt.date.today()), period.end + dt.timedelta(days=366))


def load(db: Database, period: Period, **options) -> _Data:
    """Read the facts of every person for P (see load_many)."""
    return load_many(db, [period], **options)[0]


def as_of(today: dt.date | None, closes_at: int) -> tuple[dt.date, dt.date]:
    """(today, the last day the figures cover). Without an explicit `today` the clock decides:
    today counts once the working day has closed (`closes_at` o'clock, unit setting
    stats.day_closes_at), before that the figures end yesterday. An explicit `today` other than
    the real date (tests, a report dated another day) is taken as that day's morning."""
    now = dt.datetime.now()
    if today is not None and today != now.date():
        return today, today - dt.timedelta(days=1)
    return now.date(), now.date() - dt.timedelta(days=0 if now.hour >= closes_at else 1)


@collector_paused()     # tens of thousands of grouped rows and per-person sums
def load_many(db: Database, periods: list[Period], *, approved_only: bool = True,
              bands: Bands | None = None, today: dt.date | None = None,
              target_saturation: float = M.DEFAULT_TARGET_SATURATION,
              trust_threshold: float = M.DEFAULT_TRUST_THRESHOLD,
              calendar: WorkCalendar | None = None,
              settings: dict[str, object] | None = None) -> list[_Data]:
    """The facts of every person for each period: the reference rows once, the grouped log
    facts per period, and the entries' hours once for all whole-month periods together —
    grouped by month as well and added up per period here (the 编办 caches a unit's 12 months,
    4 quarters and year: one read of the entries instead of three years' worth). The figures
    are the same as from one statement per period: sums are rounded to 2 decimals, the
    precision hours are entered with, before any figure is computed (figures.combine).

    A period that has not ended is cut at the last day that has (`as_of`): days still to come
    expect no hours, and its label says 本期截至…

    `calendar`: the working days to count by (default: the database's own; the 编办 passes
    the national calendar, so that a unit cannot shorten its working year). `settings`: values
    of the statistics settings taken over the database's own (the 编办 passes its own values of
    unit_settings.COUNTY_OWN, so that a unit cannot lower the bars for itself)."""
    for period in periods:
        if period.days > MAX_PERIOD_DAYS:
            raise AppError("统计期间不能超过10年")
    calendar = calendar or work_calendar(db)
    statuses = counted_statuses(approved_only)
    # A unit checks its own logs' signatures first (a hand-edited file); a 编办 mirror was
    # checked as each package was imported.
    checked = (verify.check_span(db, min(p.start for p in periods), max(p.end for p in periods))
               if db.edition == "unit" else None)
    with db.read() as s:
        values = {k: unit_settings.get_in(s, k) for k in (
            "review.overdue_days", "stats.day_closes_at", "stats.min_completion", "stats.min_span_months")}
        values.update({k: v for k, v in (settings or {}).items() if k in values})
        today, last_day = as_of(today, values["stats.day_closes_at"])
        periods = [elapsed(p, last_day) for p in periods]
        first = min(period.start for period in periods)
        last = max(_review_window_end(period, today) for period in periods)
        months = [p for p in periods if p.whole_months and p.days] if len(periods) > 1 else []
        overdue_days = values["review.overdue_days"]
        deadlines = {d.isoformat(): x.isoformat() for d, x in
                     M.review_deadlines(calendar, first, last, overdue_days).items()}
        settings = Settings(bands=bands or M.DEFAULT_BANDS, h0=vocab.STANDARD_DAILY_HOURS,
                            target_saturation=target_saturation, trust_threshold=trust_threshold,
                            overdue_days=overdue_days, approved_only=approved_only,
                            min_completion=values["stats.min_completion"],
                            min_span_months=values["stats.min_span_months"])
        ref = _reference(s, db.unit_id)
        by_month, month_logs, pending_by_month = {}, None, {}
        if months:
            span = range_period(min(p.start for p in months), max(p.end for p in months))
            by_month = _by_month(Q.entry_sums(s, span, statuses, ("month", "person_id", "category", "duty_id")))
            month_logs = _MonthLogs(s, span, calendar, deadlines, today)
            pending_by_month = _by_month({(m, pid): [n, h] for pid, m, n, h in Q.pending_sums(s, span, True)})
        loaded = []
        for period in periods:
            working = calendar.working_days(period.start, period.end)
            window = (period.start.isoformat(), _review_window_end(period, today).isoformat())
            if period in months:
                sums = _sum_months(by_month, period)
                logs = month_logs.within(period, window, deadlines, today.isoformat())
                pending = {pid: v for (pid,), v in _sum_months(pending_by_month, period).items()}
            else:
                sums = Q.entry_sums(s, period, statuses, ("person_id", "category", "duty_id"))
                logs = Q.log_facts(s, period, _days(period), {d.isoformat() for d in working},
                                   {d: x for d, x in deadlines.items() if window[0] <= d <= window[1]},
                                   today.isoformat())
                pending = {pid: [n, h] for pid, n, h in Q.pending_sums(s, period)}
            loaded.append((period, working, sums, logs, pending))
    found = [_combine(db, period, ref, settings, working, sums, logs, pending, statuses)
             for period, working, sums, logs, pending in loaded]
    if checked is not None and checked.findings:
        for data in found:
            data.invalid = [f for f in checked.findings
                            if data.period.start.isoformat() <= f.day <= data.period.end.isoformat()]
    return found


def _days(period: Period) -> list[str]:
    return [(period.start + dt.timedelta(days=i)).isoformat() for i in range(period.days)]


class _MonthLogs:
    """The log facts of a span of whole months, read once and added up per period of whole
    months (Q.log_facts_by_month): equal to Q.log_facts asked per period."""

    def __init__(self, s, span: Period, calendar, deadlines: dict[str, str], today: dt.date):
        windows, day = {}, span.start
        while day <= span.end:
            whole = month_period(day.year, day.month)
            windows[whole.first_month] = (whole.start.isoformat(), _review_window_end(whole, today).isoformat())
            day = whole.end + dt.timedelta(days=1)
        working = {d.isoformat() for d in calendar.working_days(span.start, span.end)}
        groups, self.outside = Q.log_facts_by_month(s, span, _days(span), working, deadlines, windows,
                                                    today.isoformat())
        self.by_month: dict[int, list[tuple[tuple, tuple]]] = defaultdict(list)
        for month, pid, working_day, leave, status, n, timely, late, waiting in groups:
            self.by_month[month].append(((pid, working_day, leave, status),
                                         (n, timely or 0, late or 0, waiting or 0)))

    def within(self, period: Period, window: tuple[str, str], deadlines: dict[str, str],
               today: str) -> list[tuple]:
        """log_facts rows of the whole-month period P, whose review window is `window`."""
        first, last = period.first_month, period.last_month
        totals = _sum_months(self.by_month, period)
        # logs submitted outside their own month's window: inside P's perhaps
        for month, pid, working, leave, status, submitted, approved in self.outside:
            if not first <= month <= last or not window[0] <= submitted <= window[1]:
                continue
            deadline = deadlines.get(submitted)
            if deadline is None:
                continue
            group = totals[(pid, working, leave, status)]
            if status == vocab.LOG_APPROVED and approved is not None:
                group[1 if approved <= deadline else 2] += 1
            elif status == vocab.LOG_SUBMITTED and deadline < today:
                group[3] += 1
        return [(*key, *counts) for key, counts in totals.items()]


def _by_month(sums: dict[tuple, list]) -> dict[int, list[tuple[tuple, list]]]:
    """Sums keyed (month, person, category, duty) → per month: [((person, category, duty), sums)]."""
    months: dict[int, list] = defaultdict(list)
    for (month, *key), group in sums.items():
        months[month].append((tuple(key), group))
    return months


def _sum_months(by_month: dict[int, list[tuple[tuple, Sequence]]], period: Period) -> dict[tuple, list]:
    """{key: its values added up} over the months of the whole-month period P, from
    by_month: month → [(key, values)] (entries: [hours, entries]; logs: the log_facts counts)."""
    sums: dict[tuple, list] = {}
    first, last = period.first_month, period.last_month
    for month in sorted(m for m in by_month if first <= m <= last):
        for key, values in by_month[month]:
            group = sums.get(key)
            sums[key] = list(values) if group is None else list(map(add, group, values))
    return sums


@dataclass
class _Reference:
    """The rows every period shares (roster, sections, categories) and what follows from the
    duties and their links, worked out once however many periods are combined."""
    people: list
    sections: list[tuple[str, str]]
    categories: list[str]
    name: str
    focus_of: dict[str, str]                         # duty id → core/general/auxiliary
    task_of: dict[str, str]                          # duty id → 任务类型
    unit_duties: list[tuple[str, str]]               # active (id, code), display order
    section_duties: dict[str, list[tuple[str, str]]]
    post_duties: dict[str, list[tuple[str, str]]]


def _reference(s, unit_id: str | None) -> _Reference:
    duty_rows = Q.duties(s, unit_id)
    live = {d.id: d for d in duty_rows if d.active and not d.deleted}
    unit_duties = [(d.id, d.code) for d in duty_rows if d.id in live]
    order = {d_id: i for i, (d_id, _) in enumerate(unit_duties)}

    def duty_list(ids) -> list[tuple[str, str]]:
        return [(d, live[d].code) for d in sorted({d for d in ids if d in live}, key=order.get)]

    per_section, per_person = defaultdict(set), defaultdict(set)
    for section_id, duty_id in Q.section_duty_links(s):
        per_section[section_id].add(duty_id)
    for pid, duty_id in Q.post_duty_links(s):
        per_person[pid].add(duty_id)
    return _Reference(Q.persons(s), Q.sections(s), Q.category_order(s), Q.unit_name(s, unit_id),
                      {d.id: M.focus_key(d.duty_class) for d in duty_rows},
                      {d.id: d.task_type for d in duty_rows}, unit_duties,
                      {sid: duty_list(ids) for sid, ids in per_section.items()},
                      {pid: duty_list(ids) for pid, ids in per_person.items()})


def _combine(db: Database, period: Period, ref: _Reference, settings: Settings,
             working: list[dt.date], sums: dict, logs: list, pending: dict[str, list],
             statuses: tuple[str, ...] | None) -> _Data:
    """One period's _Data from its grouped entry sums and log facts."""
    counted_set = set(statuses or Q.ALL_STATUSES)
    people = ref.people
    section_names = dict(ref.sections)
    has_logs: set[str] = set()
    facts: dict[str, PersonFacts] = {}

    for p in people:
        section_id = p.section_id if p.section_id in section_names else NO_SECTION
        facts[p.id] = PersonFacts(
            p.id, p.login, p.name, p.role, section_id, section_names.get(section_id, NO_SECTION_NAME),
            p.staffing_type, p.status,
            counted=not p.deleted and p.status == ROSTER_STATUS
            and not (p.is_admin and not p.staffing_type))
    for pid, working_day, leave, status, n, timely, late, waiting in logs:
        if pid not in facts:
            continue
        f = facts[pid]
        counted = status in counted_set
        if counted:
            has_logs.add(pid)
        if working_day and leave and counted:
            f.leave_days += n
        elif working_day and status in Q.SUBMITTED_STATUSES:
            f.submitted_days += n
        if f.role != vocab.ROLE_PRINCIPAL:      # the principal's logs need no review
            f.timely_logs += timely or 0
            f.late_logs += late or 0
            f.waiting_overdue_logs += waiting or 0
    for pid, (n, hours) in pending.items():
        if pid in facts:
            facts[pid].pending_logs += n
            facts[pid].pending_hours += hours
    focus_of = ref.focus_of
    task_of = ref.task_of
    for (pid, category, duty_id), (hours, n) in sums.items():
        f = facts.get(pid)
        if f is None:
            continue
        f.logged_hours += hours
        by_category, by_focus = f.hours_by_category, f.focus_hours
        by_category[category] = by_category.get(category, 0.0) + hours
        k = focus_of.get(duty_id, M.AUXILIARY)     # no duty, or one the unit does not know
        by_focus[k] = by_focus.get(k, 0.0) + hours
        if duty_id:
            f.used_duties.add(duty_id)
        task = f.task_hours.setdefault(task_of.get(duty_id) or task_types.of_category(category), [0.0, 0])
        task[0] += hours
        task[1] += n
    for pid in has_logs:
        facts[pid].counted = True
    removed = {p.id for p in people if p.deleted}   # kept only when they have counted logs
    facts = {pid: f for pid, f in facts.items() if f.counted or pid not in removed}
    return _Data(period, settings, working, db.unit_id or "", ref.name, facts, ref.sections,
                 ref.unit_duties, ref.section_duties, ref.post_duties, ref.categories)


# ---------------------------------------------------------------- figures of each level
def _person_order(data: _Data):
    rank = {sid: i for i, (sid, _) in enumerate(data.sections)}
    return lambda f: (rank.get(f.section_id, -1), ROLE_RANK.get(f.role, 9), f.login)


def person_figures(data: _Data, f: PersonFacts) -> Figures:
    return data.figures(PERSON, f.person_id, f.name, [f], data.post_duties.get(f.person_id, []),
                        login=f.login, role=f.role, section=f.section_name,
                        section_id=f.section_id, staffing_type=f.staffing_type,
                        in_totals=f.counted)


def section_figures(data: _Data) -> list[Figures]:
    members = defaultdict(list)
    for f in data.counted:
        members[f.section_id].append(f)
    groups = ([(NO_SECTION, NO_SECTION_NAME)] if members.get(NO_SECTION) else []) + data.sections
    return [data.figures(SECTION, sid, name, members.get(sid, []),
                         data.section_duties.get(sid, []) if sid != NO_SECTION else None,
                         section=name, section_id=sid) for sid, name in groups]


def unit_figures(data: _Data) -> Figures:
    return data.figures(UNIT, data.unit_id, data.unit_name, data.counted, data.unit_duties)


def unit_stats(db: Database, period: Period, level: str = UNIT, section_id: str | None = None,
               person_id: str | None = None, *, approved_only: bool = True,
               bands: Bands | None = None, actor: Actor | None = None,
               today: dt.date | None = None,
               target_saturation: float = M.DEFAULT_TARGET_SATURATION,
               trust_threshold: float = M.DEFAULT_TRUST_THRESHOLD,
               calendar: WorkCalendar | None = None) -> list[Figures]:
    """Figures of one level: [unit]; every section (or the one `section_id`, NO_SECTION for the
    people without one); every counted person (or those of `section_id`, or the one
    `person_id` — who is returned even when not counted in the totals, with in_totals False)."""
    if level not in (UNIT, SECTION, PERSON):
        raise AppError(f"统计层级应为 unit、section 或 person：{level}")
    access = Access(db, actor)
    data = load(db, period, approved_only=approved_only, bands=bands, today=today,
                target_saturation=target_saturation, trust_threshold=trust_threshold,
                calendar=calendar)
    if level == UNIT:
        if not access.unit():
            raise PermissionDenied(DENIED)
        return [unit_figures(data)]
    if level == SECTION:
        if section_id is not None and not access.section(section_id):
            raise PermissionDenied(DENIED)
        result = [f for f in section_figures(data)
                  if (section_id is None or f.key == section_id) and access.section(f.key)]
        if section_id is not None and not result:
            if section_id != NO_SECTION:
                raise AppError("找不到该科室")
            result = [data.figures(SECTION, NO_SECTION, NO_SECTION_NAME, [], None,
                                   section=NO_SECTION_NAME, section_id=NO_SECTION)]
        return result
    if person_id is not None:
        if person_id not in data.facts:
            raise AppError("找不到该人员")
        if not access.person(person_id):
            raise PermissionDenied(DENIED)
        return [person_figures(data, data.facts[person_id])]
    chosen = [f for f in data.counted if (section_id is None or f.section_id == section_id)
              and access.person(f.person_id)]
    return [person_figures(data, f) for f in sorted(chosen, key=_person_order(data))]


def default_period(db: Database, today: dt.date | None = None) -> Period:
    """Where the statistics open: the last complete month with approved work (a month still
    running, seen on its first days, says little and looks like a collapse); the current
    month when no earlier month has any."""
    today = today or dt.date.today()
    with db.read() as s:
        month = Q.last_month_with_approved_logs(s, today.year * 100 + today.month)
    return month_period(*divmod(month, 100)) if month else month_period(today.year, today.month)


def unit_stats_many(db: Database, periods: list[Period], **options) -> list[Figures]:
    """The whole unit's figures for each period, reading each month once (no actor: for the
    编办's cache of a unit's months, quarters and year). Equal to unit_stats per period."""
    return [unit_figures(data) for data in load_many(db, periods, **options)]


def stats_page(db: Database, period: Period, *, approved_only: bool = True,
               bands: Bands | None = None, actor: Actor | None = None,
               today: dt.date | None = None, **options) -> StatsPage:
    """Unit, sections and persons at once (what the statistics page shows), filtered to what the
    actor may see. One read of the data: cheaper than three unit_stats calls."""
    access = Access(db, actor)
    data = load(db, period, approved_only=approved_only, bands=bands, today=today, **options)
    persons = sorted((f for f in data.counted if access.person(f.person_id)),
                     key=_person_order(data))
    sections = [f for f in section_figures(data) if access.section(f.key)]
    unit = unit_figures(data) if access.unit() else None
    charge = charge_figures(data, sections) if unit is None and len(sections) > 1 else None
    return StatsPage(data.period, unit, sections, [person_figures(data, f) for f in persons], charge)


def charge_figures(data: _Data, sections: list[Figures]) -> Figures:
    """The sections given, taken together: their people and their duties."""
    ids = {f.key for f in sections}
    duties = list(dict.fromkeys(d for sid in ids for d in data.section_duties.get(sid, [])))
    return data.figures(CHARGE, CHARGE, CHARGE_NAME, [f for f in data.counted if f.section_id in ids],
                        duties)


def by_staffing_type(db: Database, period: Period, *, approved_only: bool = True,
                     bands: Bands | None = None, actor: Actor | None = None,
                     today: dt.date | None = None, **options) -> list[Figures]:
    """Figures per 编制类型 (行政编制, 事业编制, …, 编外; then people without one), to compare
    workload by staffing type. Whole-unit data: needs the unit scope."""
    access = Access(db, actor)
    if not access.unit():
        raise PermissionDenied(DENIED)
    data = load(db, period, approved_only=approved_only, bands=bands, today=today, **options)
    groups = defaultdict(list)
    for f in data.counted:
        groups[f.staffing_type or ""].append(f)
    order = {t: i for i, t in enumerate(vocab.STAFFING_TYPES)}
    return [data.figures(STAFFING_TYPE, key, key or NO_STAFFING_TYPE_NAME, groups[key], None,
                         staffing_type=key or None)
            for key in sorted(groups, key=lambda k: (order.get(k, len(order)), k))]


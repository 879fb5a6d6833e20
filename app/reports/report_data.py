"""The numbers of a printed report: statistics figures (app.services.stats) turned into the
report model (app.reports.model), plus what the statistics do not carry — entry counts per
duty, example entry texts, the trend over the period and the previous period to compare with.

Every figure comes from the statistics service, so a report says what `stats --json` says for
the same period; this module only adds counts and texts read with the same rules (finally
approved logs only; 涉密/敏感 entries never show text).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.core import metrics as M
from app.core import vocab
from app.core.errors import AppError
from app.core.figures import NO_SECTION, Figures
from app.core.metrics import Period
from app.db.engine import Database
from app.db.models import Duty, EntryText, LogEntry, WorkLog
from app.reports.model import DutyActivity, DutyRef, FocusShares, LoadItem, PeriodSummary
from app.services.stats import queries as Q
from app.services.org.calendar import work_calendar

APPROVED = (vocab.LOG_APPROVED,)
EXAMPLES_PER_DUTY = 3
EXAMPLE_CANDIDATES = 24        # newest distinct texts per duty considered for the examples
EXAMPLE_MIN_CHARS = 6          # shorter texts ("开会") say nothing about the duty
EXAMPLE_MAX_CHARS = 90
OPENING = 6                    # examples should not start with the same characters
WEEKLY_TREND_MAX_DAYS = 100    # up to a quarter: weekly points; longer periods: monthly points


# ---------------------------------------------------------------- periods
def previous_period(p: Period) -> Period:
    """The period of the same length just before: previous month, quarter, year, or the range of
    as many days ending the day before."""
    if p.kind == "month":
        y, m = (p.start.year, p.start.month - 1) if p.start.month > 1 else (p.start.year - 1, 12)
        return M.month_period(y, m)
    if p.kind == "quarter":
        q = (p.start.month - 1) // 3 + 1
        if q > 1:
            return M.quarter_period(p.start.year, q - 1)
        return M.quarter_period(p.start.year - 1, 4)
    if p.kind == "year":
        return M.year_period(p.start.year - 1)
    end = p.start - dt.timedelta(days=1)
    return M.range_period(end - dt.timedelta(days=p.days - 1), end)


def period_kind_name(p: Period) -> str:
    return {"month": "月报", "quarter": "季报", "year": "年报"}.get(p.kind, "")


# ---------------------------------------------------------------- reference rows
@dataclass(frozen=True)
class DutyInfo:
    id: str
    code: str
    content: str
    duty_class: str
    active: bool
    sections: tuple[str, ...]        # 承担科室 (三定)

    def ref(self) -> DutyRef:
        return DutyRef(self.code, self.content, self.duty_class)


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


# ---------------------------------------------------------------- entries
@dataclass
class EntryCounts:
    """Approved hours and entries of P per (person, duty): entry_sums grouped once."""
    cells: dict[tuple[str, str | None], tuple[float, int]] = field(default_factory=dict)

    def entries(self, person_ids=None) -> int:
        return sum(n for (pid, _), (_, n) in self.cells.items()
                   if person_ids is None or pid in person_ids)

    def by_duty(self, person_ids=None) -> dict[str | None, tuple[float, int, set[str]]]:
        """{duty id or None: (hours, entries, person ids)}."""
        out: dict[str | None, list] = {}
        for (pid, duty_id), (hours, n) in self.cells.items():
            if person_ids is not None and pid not in person_ids:
                continue
            cell = out.setdefault(duty_id, [0.0, 0, set()])
            cell[0] += hours
            cell[1] += n
            cell[2].add(pid)
        return {d: (round(h, 2), n, people) for d, (h, n, people) in out.items()}


def entry_counts(db: Database, period: Period) -> EntryCounts:
    with db.read() as s:
        sums = Q.entry_sums(s, period, APPROVED, ("person_id", "duty_id"))
    return EntryCounts({key: (hours, n) for key, (hours, n) in sums.items()})


@dataclass(frozen=True)
class Example:
    day: dt.date
    person_id: str
    hours: float
    text: str


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


def short_name(content: str, limit: int = 20, verb: bool = True) -> str:
    """The first clause of a duty's text (负责本县市场主体统一登记注册), cut at `limit`; without
    the leading 负责/承担 when verb is False (chart labels are short)."""
    first = content.replace("，", "，\n").replace("；", "；\n").split("\n")[0].rstrip("，；")
    if not verb:
        for word in ("负责", "承担"):
            if first.startswith(word) and len(first) > len(word) + 2:
                first = first[len(word):]
                break
    return first if len(first) <= limit else first[:limit] + "…"


def clip(text: str, limit: int = EXAMPLE_MAX_CHARS) -> str:
    text = text.rstrip("。；;，, ")
    return text if len(text) <= limit else text[:limit].rstrip("，、；,; ") + "……"


def pending_logs(db: Database, period: Period, person_ids=None) -> int:
    """Logs of P submitted and not yet finally approved (not counted in the figures)."""
    query = (select(func.count()).select_from(WorkLog)
             .where(*Q.period_filter(WorkLog.month, WorkLog.day, period),
                    WorkLog.deleted.is_(False), WorkLog.status == vocab.LOG_SUBMITTED))
    if person_ids is not None:
        query = query.where(WorkLog.person_id.in_(list(person_ids)))
    with db.read() as s:
        return s.scalar(query) or 0


# ---------------------------------------------------------------- trend
@dataclass(frozen=True)
class Trend:
    title: str                 # 各周工作饱和度 / 各月工作饱和度
    labels: list[str]          # axis labels: 10/12, 3月
    values: list[float | None]
    points: list[tuple[str, float, float]]     # (period, logged, expected) for the Excel table
    names: list[str] = field(default_factory=list)   # in sentences: 10月12日当周, 3月
    step: str = "周"

    def sentence(self, bands) -> str | None:
        """Highest and lowest week/month and those outside the green band."""
        from app.reports.model import GREEN, band_color, pct
        from app.reports.narrative import listing
        pts = [(n, v) for n, v in zip(self.names, self.values) if v is not None]
        if len(pts) < 2:
            return None
        hi, lo = max(pts, key=lambda p: p[1]), min(pts, key=lambda p: p[1])
        text = f"从各{self.step}看，工作饱和度最高的是{hi[0]}（{pct(hi[1])}）"
        if lo[0] != hi[0]:
            text += f"，最低的是{lo[0]}（{pct(lo[1])}）"
        outside = [f"{n}（{pct(v)}）" for n, v in pts if band_color(v, bands) != GREEN]
        if outside:
            text += f"；不在合理区间的{len(outside)}个{self.step}：{listing(outside, '个' + self.step)}"
        else:
            text += f"，各{self.step}均处于合理区间"
        return text + "。"


def trend(db: Database, period: Period, fig: Figures, *, level: str, key: str | None,
          person_ids=None, actor=None) -> Trend:
    """Saturation per week (periods up to a quarter, via stats.weekly_hours) or per month."""
    from app.services.stats import drill
    if period.days <= WEEKLY_TREND_MAX_DAYS:
        weeks = drill.weekly_hours(db, period, level, key, actor=actor,
                                   bands=fig.settings.bands)
        labels = [f"{w.start.month}/{w.start.day}" for w in weeks]
        return Trend("各周工作饱和度", labels, [w.saturation for w in weeks],
                     [(f"{w.start.isoformat()}至{w.end.isoformat()}", w.logged_hours,
                       w.expected_hours) for w in weeks],
                     [f"{w.start.month}月{w.start.day}日当周" for w in weeks], "周")
    return _monthly(db, period, fig, person_ids)


def _monthly(db: Database, period: Period, fig: Figures, person_ids) -> Trend:
    """Per calendar month of P: approved hours ÷ (people × working days − leave days) × H0, with
    the people counted in P (as stats.weekly_hours counts them for weeks)."""
    calendar = work_calendar(db)
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


# ---------------------------------------------------------------- figures → report model
def load_item(f: Figures) -> LoadItem:
    return LoadItem(f.name, f.logged_hours, f.expected_hours, f.section or "", f.submission_rate)


def focus_shares(f: Figures) -> FocusShares | None:
    if f.focus.get(M.CORE) is None:
        return None
    return FocusShares(f.focus[M.CORE], f.focus[M.GENERAL], f.focus[M.AUXILIARY])


def summary(f: Figures, kind: str, duties: dict[str, DutyInfo], entries: int, *,
            name: str | None = None, sections=(), persons=(), activities=(),
            previous: PeriodSummary | None = None) -> PeriodSummary:
    """The report model of one unit / section / person's figures. `sections` are section
    Figures (the group without a section is left out: it is not a 科室), `persons` person
    Figures, `duties` the unit's duties by 职责编号."""
    uncovered = tuple(duties[c].ref() if c in duties else DutyRef(c, "")
                      for c in f.uncovered_duties)
    b = f.buckets
    return PeriodSummary(
        name=name or f.name, period_label=f.period.label, kind=kind,
        working_days=f.working_days, people=f.people, logged_hours=f.logged_hours,
        expected_hours=f.expected_hours, approved_entries=entries,
        submission_rate=f.submission_rate, focus=focus_shares(f), duties_total=f.active_duties,
        uncovered=uncovered,
        sections=tuple(load_item(x) for x in sections if x.key != NO_SECTION),
        persons=tuple(load_item(x) for x in persons),
        categories=tuple((c, h) for c, h in f.hours_by_category.items()),
        daily_buckets=tuple(b.get(k, 0) for k in M.BUCKETS) if kind != "person" else None,
        duties=tuple(activities), previous=previous)


def activities(duties: list[DutyInfo], counts: EntryCounts, person_ids=None,
               texts: dict[str, list[Example]] | None = None,
               label=lambda e: e.text) -> list[DutyActivity]:
    """What was done per live duty (duties without approved entries included with zeros)."""
    per_duty = counts.by_duty(person_ids)
    out = []
    for d in duties:
        hours, n, people = per_duty.get(d.id, (0.0, 0, set()))
        shown = tuple(label(e) for e in (texts or {}).get(d.id, []))
        out.append(DutyActivity(d.code, d.content, d.duty_class, hours, len(people), n, shown))
    return out

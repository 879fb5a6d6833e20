"""What a unit, section, core-duty or person report is written from (ReportData, gathered by
app.services.reporting.unit), and how its statistics figures become the report model
(app.reports.model): summaries, duty activities, the trend's sentence.

Every figure comes from the statistics service, so a report says what `stats --json` says for
the same period; the gatherer only adds counts and texts read with the same rules (finally
approved logs only; 涉密/敏感 entries never show text).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core import metrics as M
from app.core.figures import NO_SECTION, Figures, StatsPage
from app.core.task_types import TaskTypeView
from app.core.metrics import Period
from app.core.need import Need
from app.reports.model import (GREEN, DutyActivity, DutyRef, FocusReference, FocusShares, LoadItem,
                                PeriodSummary,
                                band_color, pct)
from app.reports.narrative import listing

EXAMPLE_MAX_CHARS = 90


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
    if p.kind == "half":
        return M.half_period(p.start.year, 1) if p.start.month > 6 else M.half_period(p.start.year - 1, 2)
    if p.kind == "year":
        return M.year_period(p.start.year - 1)
    end = p.start - dt.timedelta(days=1)
    return M.range_period(end - dt.timedelta(days=p.days - 1), end)


def period_kind_name(p: Period) -> str:
    return {"month": "月报", "quarter": "季报", "half": "半年报", "year": "年报"}.get(p.kind, "")


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


@dataclass(frozen=True)
class Example:
    day: dt.date
    person_id: str
    hours: float
    text: str


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
        duties=tuple(activities), previous=previous, pending_logs=f.pending_logs,
        pending_hours=f.pending_hours, withheld=f.conclusion_withheld() or "")


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


# ---------------------------------------------------------------- what a report is written from
@dataclass
class ReportData:
    """Everything a unit, section, core-duty or person report shows, read beforehand."""
    kind: str                        # unit | section | core | person
    period: Period
    previous: Period                 # the period of the same length just before
    today: dt.date
    unit_name: str
    duties: list[DutyInfo]
    page: StatsPage                  # a person report: persons=[the person]
    prev: StatsPage
    counts: EntryCounts
    prev_counts: EntryCounts
    pending: int                     # logs submitted in P, not yet finally approved
    subject: str | None = None       # the section's or person's id
    trend: Trend | None = None       # per week or month of P (none in the core-duty report)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)   # id → (name, section)
    examples: dict[str, list[Example]] = field(default_factory=dict)   # core duty id → texts
    focus_reference: FocusReference | None = None    # external shares for this kind of unit
    need: Need | None = None         # the staffing-need verdict (unit-wide reports)
    task_types: TaskTypeView | None = None   # split by 任务类型 (unit and section reports)

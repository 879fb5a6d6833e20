"""Statistics metrics (docs/ARCHITECTURE.md "Metrics"), as pure functions whose results carry
their inputs.

Every result object keeps what it was computed from (hours, days, thresholds), so the UI and the
printed reports can explain each number and each coloured light (`explain()`), and a value that
cannot be computed (nothing expected, no hours) is None and shown as "—", never a division error.

Definitions (P = the period, W = working days of P from the unit's holiday calendar, H0 = standard
daily hours, default 8):

- Logged hours L: sum of the hours of the entries that count (finally approved logs unless a view
  says otherwise; the service decides which logs count, these functions take the sums). Entries
  on non-working days and on leave days count too: the work was done; such days only stay out
  of E. 涉密 entries count with their hours (they keep category, duty and hours).
- Leave days of a person: working days of P on which the person's counted log has a day state in
  `vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS` (请假, 公休: absences; a 出差 day is work elsewhere and
  keeps its expected hours). A leave state on a non-working day changes nothing. Leave reduces W per person:
  available days = W − leave days (never below 0).
- Expected hours E = Σ over persons (W − leave days) × H0.
- Saturation = L / E; None when E == 0. Banded by `Bands` (edges below).
- Daily average = L / available days (for a group: its L over the sum of its persons' available
  days, i.e. per person-day); None when there are no available days. Bucketed by `bucket()`.
- Submission rate = submitted days / available days, where a submitted day is a working day of P
  that is not a leave day and has a log whose review status is submitted or approved (the author
  submitted it and no reviewer has returned it). Drafts, returned logs and logs on non-working
  days do not count.
- Focus: shares of L by the class of the linked duty (核心 → core, 一般 → general, 辅助 → auxiliary);
  entries without a duty link, or linked to a duty the unit no longer knows, count as auxiliary.
- Coverage = active duties with ≥ 1 counted entry in P / active duties; None without active duties.
- Staffing need (FTE) = L / (H0 × W × target saturation), default target 1.0 (100 %). Leave is not
  subtracted: an FTE is a person present on every working day. `trustworthy` when the submission
  rate is known and ≥ the threshold (default 0.8): with fewer days submitted, L understates the work.
- Review timeliness = logs finally approved within N working days of their (last) submission /
  (finally approved logs + logs still waiting longer than N working days); N is the unit setting
  review.overdue_days (default 3). Working days are counted after the submission day up to and
  including the approval day: approved the same day = 0, on the next working day = 1; an
  approval on the weekend after the N-th working day is still on time (`review_deadline`).

Comparisons against band and bucket edges round the value to 9 decimals first, so a sum of hours
such as 6.999999999999 (binary floating point) falls in the bucket of 7.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from app.core.calendar import WorkCalendar
# Periods live in their own module; importing them from here keeps the callers' spelling.
from app.core.periods import (Period, half_period, month_period, parse_period,  # noqa: F401
                              quarter_period, range_period, year_period)
from app.core.vocab import DUTY_AUX, DUTY_CORE, DUTY_GENERAL, STANDARD_DAILY_HOURS

GREEN, YELLOW, RED = "green", "yellow", "red"
BAND_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯", None: "无灯"}
BUCKETS = ("<5", "5-7", "7-10", ">10")
BUCKET_LABELS = {"<5": "5小时以下", "5-7": "5–7小时", "7-10": "7–10小时", ">10": "10小时以上"}
CORE, GENERAL, AUXILIARY = "core", "general", "auxiliary"
FOCUS_KEYS = (CORE, GENERAL, AUXILIARY)
FOCUS_LABELS = {CORE: "核心职责", GENERAL: "一般职责", AUXILIARY: "辅助及未关联职责"}
_CLASS_KEYS = {DUTY_CORE: CORE, DUTY_GENERAL: GENERAL, DUTY_AUX: AUXILIARY}
DEFAULT_TARGET_SATURATION = 1.0
DEFAULT_TRUST_THRESHOLD = 0.8
DASH = "—"
_DIGITS = 9


def _clean(x: float) -> float:
    return round(x, _DIGITS)


def percent(value: float | None, digits: int = 1) -> str:
    """0.923 → '92.3%'; None → '—'."""
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def hours_text(value: float | None) -> str:
    return DASH if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")




# ---------------------------------------------------------------- bands and buckets
@dataclass(frozen=True)
class Bands:
    """Saturation bands as fractions (configurable). Edges:

        green   green_low ≤ s ≤ green_high                       (both edges green)
        yellow  yellow_low ≤ s < green_low  or  green_high < s ≤ yellow_high
        red     s < yellow_low  or  s > yellow_high
    Defaults: green 85–115 %, yellow 60–85 % and 115–130 %, red below 60 % or above 130 %."""
    green_low: float = 0.85
    green_high: float = 1.15
    yellow_low: float = 0.60
    yellow_high: float = 1.30

    def __post_init__(self):
        if not 0 <= self.yellow_low <= self.green_low <= self.green_high <= self.yellow_high:
            raise ValueError("饱和度分档应满足 0 ≤ 黄灯下限 ≤ 绿灯下限 ≤ 绿灯上限 ≤ 黄灯上限")

    def describe(self) -> str:
        p = lambda v: f"{v * 100:g}%"  # noqa: E731
        return (f"绿灯 {p(self.green_low)}–{p(self.green_high)}；黄灯 {p(self.yellow_low)}–"
                f"{p(self.green_low)}、{p(self.green_high)}–{p(self.yellow_high)}；"
                f"红灯 低于{p(self.yellow_low)}或高于{p(self.yellow_high)}")

    def as_dict(self) -> dict[str, float]:
        return {"green_low": self.green_low, "green_high": self.green_high,
                "yellow_low": self.yellow_low, "yellow_high": self.yellow_high}


DEFAULT_BANDS = Bands()


def band(value: float | None, bands: Bands = DEFAULT_BANDS) -> str | None:
    """'green' / 'yellow' / 'red' for a saturation fraction; None when there is no value."""
    if value is None:
        return None
    v = _clean(value)
    if bands.green_low <= v <= bands.green_high:
        return GREEN
    if bands.yellow_low <= v <= bands.yellow_high:
        return YELLOW
    return RED


def bucket(daily_average: float | None) -> str | None:
    """The 桓台 bucket of a daily average: '<5' (below 5 h), '5-7' (5 ≤ h < 7), '7-10'
    (7 ≤ h ≤ 10), '>10' (above 10 h). None when there is no average (no available days)."""
    if daily_average is None:
        return None
    v = _clean(daily_average)
    if v < 5:
        return "<5"
    if v < 7:
        return "5-7"
    if v <= 10:
        return "7-10"
    return ">10"


def empty_buckets() -> dict[str, int]:
    return {b: 0 for b in BUCKETS}


# ---------------------------------------------------------------- hours and days
def available_days(working_days: int, leave_days: int) -> int:
    """W − leave days of one person (leave days are working days, so this is never negative)."""
    return max(0, working_days - leave_days)


def expected_hours(available: int, h0: float = STANDARD_DAILY_HOURS) -> float:
    """E of one person or, with summed available days, of a group: available days × H0."""
    return available * h0


@dataclass(frozen=True)
class Saturation:
    value: float | None
    logged: float
    expected: float
    band: str | None
    thresholds: Bands = DEFAULT_BANDS

    def explain(self) -> str:
        if self.value is None:
            return f"工作饱和度 {DASH}：应出勤工时为0（本期没有应出勤的工作日），无法计算"
        return (f"工作饱和度 {percent(self.value)} = 计入工时 {hours_text(self.logged)} 小时 ÷ "
                f"应出勤工时 {hours_text(self.expected)} 小时，{BAND_LABELS[self.band]}"
                f"（{self.thresholds.describe()}）")


def saturation(logged: float, expected: float, bands: Bands = DEFAULT_BANDS) -> Saturation:
    value = logged / expected if expected > 0 else None
    return Saturation(value, logged, expected, band(value, bands), bands)


@dataclass(frozen=True)
class DailyAverage:
    value: float | None
    logged: float
    available_days: int
    bucket: str | None

    def explain(self) -> str:
        if self.value is None:
            return f"日均工时 {DASH}：本期没有应出勤的工作日"
        return (f"日均工时 {self.value:.2f} 小时 = {hours_text(self.logged)} 小时 ÷ "
                f"{self.available_days} 个应出勤人日（{BUCKET_LABELS[self.bucket]}档）")


def daily_average(logged: float, available: int) -> DailyAverage:
    value = logged / available if available > 0 else None
    return DailyAverage(value, logged, available, bucket(value))


@dataclass(frozen=True)
class SubmissionRate:
    value: float | None
    submitted_days: int
    available_days: int

    def explain(self) -> str:
        if self.value is None:
            return f"填报率 {DASH}：本期没有应出勤的工作日"
        return (f"填报率 {percent(self.value)} = 已提交日志的工作日 {self.submitted_days} 天 ÷ "
                f"应出勤 {self.available_days} 天（工作日减请假、公休）")


def submission_rate(submitted_days: int, available: int) -> SubmissionRate:
    return SubmissionRate(submitted_days / available if available > 0 else None,
                          submitted_days, available)


# ---------------------------------------------------------------- focus and coverage
def focus_key(duty_class: str | None) -> str:
    """'core' / 'general' / 'auxiliary' for a duty class; no duty or an unknown class → auxiliary."""
    return _CLASS_KEYS.get(duty_class or "", AUXILIARY)


@dataclass(frozen=True)
class Focus:
    """Shares of hours by duty class; all None when there are no hours."""
    core: float | None
    general: float | None
    auxiliary: float | None
    hours: Mapping[str, float] = field(default_factory=dict)
    total: float = 0.0

    def as_dict(self) -> dict[str, float | None]:
        return {CORE: self.core, GENERAL: self.general, AUXILIARY: self.auxiliary}

    def explain(self) -> str:
        if self.core is None:
            return f"主责主业聚焦度 {DASH}：本期没有计入的工时"
        parts = "，".join(f"{FOCUS_LABELS[k]} {hours_text(self.hours.get(k, 0.0))} 小时"
                         f"（{percent(getattr(self, k))}）" for k in FOCUS_KEYS)
        return f"主责主业聚焦度 {percent(self.core)}：共 {hours_text(self.total)} 小时，{parts}"


def focus(hours_by_class: Mapping[str, float]) -> Focus:
    """`hours_by_class` maps 'core'/'general'/'auxiliary' to hours (missing keys = 0)."""
    hours = {k: float(hours_by_class.get(k, 0.0)) for k in FOCUS_KEYS}
    total = sum(hours.values())
    if _clean(total) <= 0:
        return Focus(None, None, None, hours, total)
    return Focus(*(hours[k] / total for k in FOCUS_KEYS), hours=hours, total=total)


@dataclass(frozen=True)
class Coverage:
    value: float | None
    covered: tuple[str, ...]        # 职责编号 of active duties with ≥ 1 counted entry
    uncovered: tuple[str, ...]      # 职责编号 of active duties without any
    active: int

    def explain(self) -> str:
        if self.value is None:
            return f"履职全面度 {DASH}：没有在用的职责"
        text = (f"履职全面度 {percent(self.value)} = 有留痕的职责 {len(self.covered)} 项 ÷ "
                f"在用职责 {self.active} 项")
        return text + (f"；未留痕：{'、'.join(self.uncovered)}" if self.uncovered else "")


def coverage(active_codes: Sequence[str], used_codes: Iterable[str]) -> Coverage:
    """Coverage of the active duties (in their given order) by the duties that have entries."""
    used = set(used_codes)
    covered = tuple(c for c in active_codes if c in used)
    uncovered = tuple(c for c in active_codes if c not in used)
    value = len(covered) / len(active_codes) if active_codes else None
    return Coverage(value, covered, uncovered, len(active_codes))


# ---------------------------------------------------------------- staffing need
@dataclass(frozen=True)
class StaffingNeed:
    fte: float | None
    logged: float
    working_days: int
    h0: float
    target: float
    submission_rate: float | None
    threshold: float
    trustworthy: bool
    people: int | None = None

    def explain(self) -> str:
        if self.fte is None:
            return f"工作量折算人数 {DASH}：本期没有工作日"
        text = (f"工作量折算人数（全时当量）{self.fte:.1f} 人 = "
                f"{hours_text(self.logged)} 小时 ÷（{self.h0:g} 小时 × {self.working_days} 个工作日"
                f" × {percent(self.target, 0)}）")
        if self.people is not None:
            text += f"，实有 {self.people} 人"
        rate = percent(self.submission_rate)
        if self.trustworthy:
            return text + f"；填报率 {rate} ≥ {percent(self.threshold, 0)}（编制结论见“编制需求”）"
        return text + f"；填报率 {rate} 低于 {percent(self.threshold, 0)}，仅供参考"


def staffing_need(logged: float, working_days: int, *, h0: float = STANDARD_DAILY_HOURS,
                  target: float = DEFAULT_TARGET_SATURATION, submission: float | None = None,
                  threshold: float = DEFAULT_TRUST_THRESHOLD,
                  people: int | None = None) -> StaffingNeed:
    """FTE = L / (H0 × W × target); trustworthy iff the submission rate is known and ≥ threshold."""
    denominator = h0 * working_days * target
    fte = logged / denominator if denominator > 0 else None
    trustworthy = fte is not None and submission is not None and _clean(submission) >= threshold
    return StaffingNeed(fte, logged, working_days, h0, target, submission, threshold, trustworthy,
                        people)


# ---------------------------------------------------------------- review timeliness
def review_deadline(calendar: WorkCalendar, submitted: dt.date, overdue_days: int) -> dt.date:
    """The last day on which a final approval of a log submitted on `submitted` is on time:
    the day before the (N+1)-th working day after the submission day. So an approval is on time
    exactly when at most N working days lie after the submission day up to and including the
    approval day (a weekend after the N-th working day is still on time)."""
    day, seen = submitted, 0
    for _ in range(3660):             # a calendar without working days for ten years: give up
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            seen += 1
            if seen > overdue_days:
                return day - dt.timedelta(days=1)
    return day


def review_deadlines(calendar: WorkCalendar, first: dt.date, last: dt.date,
                     overdue_days: int) -> dict[dt.date, dt.date]:
    """review_deadline for every submission day in [first, last], in one pass."""
    working: list[dt.date] = []
    day, limit = first, last + dt.timedelta(days=3660)
    while day < limit:                 # working days after `first` until N + 1 follow `last`
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            working.append(day)
            if day > last and len(working) - bisect_right(working, last) > overdue_days:
                break
    result, current = {}, first
    while current <= last:
        i = bisect_right(working, current) + overdue_days      # the (N+1)-th after `current`
        result[current] = working[i] - dt.timedelta(days=1) if i < len(working) else day
        current += dt.timedelta(days=1)
    return result


@dataclass(frozen=True)
class ReviewTimeliness:
    value: float | None
    timely: int             # approved within `overdue_days` working days of submission
    late: int               # approved, but later
    waiting_overdue: int    # still waiting, already more than `overdue_days` working days
    overdue_days: int

    @property
    def total(self) -> int:
        return self.timely + self.late + self.waiting_overdue

    def explain(self) -> str:
        if self.value is None:
            return f"审阅及时率 {DASH}：本期没有已审定或超期待审的日志"
        return (f"审阅及时率 {percent(self.value)} = 提交后 {self.overdue_days} 个工作日内审定的日志"
                f" {self.timely} 篇 ÷ {self.total} 篇（超期审定 {self.late} 篇，超期未审"
                f" {self.waiting_overdue} 篇）")


def review_timeliness(logs: Iterable[tuple[dt.date, dt.date | None]], calendar: WorkCalendar,
                      overdue_days: int, today: dt.date) -> ReviewTimeliness:
    """`logs`: (submission day, final approval day, or None while the log waits for review)."""
    timely = late = waiting = 0
    deadlines: dict[dt.date, dt.date] = {}
    for submitted, approved in logs:
        if submitted not in deadlines:
            deadlines[submitted] = review_deadline(calendar, submitted, overdue_days)
        deadline = deadlines[submitted]
        if approved is not None:
            if approved <= deadline:
                timely += 1
            else:
                late += 1
        elif today > deadline:
            waiting += 1
    return timeliness_from_counts(timely, late, waiting, overdue_days)


def timeliness_from_counts(timely: int, late: int, waiting_overdue: int,
                           overdue_days: int) -> ReviewTimeliness:
    total = timely + late + waiting_overdue
    return ReviewTimeliness(timely / total if total else None, timely, late, waiting_overdue,
                            overdue_days)

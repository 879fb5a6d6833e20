"""Statistics figures of a person, a section, the unit or a staffing type: plain dataclasses the
GUI page, the PDF/Excel reports and the CLI share (app.services.stats builds them).

A group's figures are computed from its persons' facts (`PersonFacts`) by `combine`, so section
figures always add up to the unit's: logged and expected hours, leave, submitted and available
days, hours by category and by duty class, and bucket counts are plain sums over persons.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from app.core import metrics as M
from app.core.metrics import Bands, Period
from app.core.vocab import STANDARD_DAILY_HOURS, staffing_class

UNIT, SECTION, PERSON, STAFFING_TYPE = "unit", "section", "person", "staffing_type"
# The sections a 分管领导 is in charge of, taken together (issue 17: one who leads three
# sections compares them and sees their sum, as the 主要领导 does for the unit).
CHARGE, CHARGE_NAME = "charge", "全部分管科室"
LEVELS = (UNIT, SECTION, PERSON)
NO_SECTION = ""                    # key of the group of counted people without a section
NO_SECTION_NAME = "未分科室"        # e.g. the unit's leaders
NO_STAFFING_TYPE_NAME = "未填写编制类型"


@dataclass
class PersonFacts:
    """What the database says about one person in the period: the inputs of every metric."""
    person_id: str
    login: str
    name: str
    role: str
    section_id: str                 # NO_SECTION when none
    section_name: str
    staffing_type: str | None
    status: str
    counted: bool = True            # part of section/unit totals (see app/services/stats/compute.py "Who counts")
    leave_days: int = 0             # working days of P with a counted leave-state log
    submitted_days: int = 0         # see metrics.submission_rate
    logged_hours: float = 0.0
    hours_by_category: dict[str, float] = field(default_factory=dict)
    focus_hours: dict[str, float] = field(default_factory=dict)   # core/general/auxiliary
    used_duties: set[str] = field(default_factory=set)            # duty ids with counted entries
    task_hours: dict[str, list] = field(default_factory=dict)     # 任务类型 → [hours, entries]
    timely_logs: int = 0
    late_logs: int = 0
    waiting_overdue_logs: int = 0
    pending_logs: int = 0           # submitted, waiting for (further) review
    pending_hours: float = 0.0      # their hours


@dataclass(frozen=True)
class Settings:
    """Parameters every figure of one computation shares (shown with the numbers)."""
    bands: Bands = M.DEFAULT_BANDS
    h0: float = STANDARD_DAILY_HOURS
    target_saturation: float = M.DEFAULT_TARGET_SATURATION
    trust_threshold: float = M.DEFAULT_TRUST_THRESHOLD
    overdue_days: int = 3
    approved_only: bool = True
    min_completion: float = 0.9     # review completion below this: no conclusion (app.core.need)
    min_span_months: int = 3        # the staffing-need verdict needs this many whole months

    def thresholds(self) -> dict:
        """The `thresholds` object of the JSON figures."""
        return {**self.bands.as_dict(), "standard_hours": self.h0,
                "target_saturation": self.target_saturation,
                "trust_threshold": self.trust_threshold, "overdue_days": self.overdue_days,
                "min_completion": self.min_completion, "min_span_months": self.min_span_months}


@dataclass
class Figures:
    """The statistics of one person, section, unit or staffing type in one period.

    Fractions are 0–1 (not percent) and None where they cannot be computed (shown as "—").
    Hours are rounded to 2 decimals, fractions are exact (round when displaying)."""
    level: str                       # unit | section | person | staffing_type
    key: str                         # unit id, section id (NO_SECTION), person id, staffing type
    name: str
    period: Period
    login: str | None = None         # persons only
    role: str | None = None          # persons only
    section: str | None = None       # section name (persons and sections)
    section_id: str | None = None
    staffing_type: str | None = None
    in_totals: bool = True           # persons: counted in section/unit totals
    people: int = 0                  # counted persons
    working_days: int = 0            # W(P) of the calendar
    leave_days: int = 0              # Σ persons' leave days
    available_days: int = 0          # Σ persons' (W − leave days)
    submitted_days: int = 0
    logged_hours: float = 0.0
    expected_hours: float = 0.0
    saturation: float | None = None
    band: str | None = None          # green | yellow | red | None
    daily_average: float | None = None
    buckets: dict[str, int] = field(default_factory=M.empty_buckets)   # persons per bucket
    submission_rate: float | None = None
    review_timeliness: float | None = None
    timely_logs: int = 0
    late_logs: int = 0
    waiting_overdue_logs: int = 0
    pending_logs: int = 0            # submitted logs still waiting for review (not counted)
    pending_hours: float = 0.0
    people_by_class: dict[str, int] = field(default_factory=dict)      # 在编/编外/未填写 → people
    hours_by_class: dict[str, float] = field(default_factory=dict)     # 在编/编外/未填写 → hours
    hours_by_category: dict[str, float] = field(default_factory=dict)
    focus: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(M.FOCUS_KEYS))
    focus_hours: dict[str, float] = field(default_factory=lambda: dict.fromkeys(M.FOCUS_KEYS, 0.0))
    coverage: float | None = None
    covered_duties: list[str] = field(default_factory=list)     # 职责编号
    uncovered_duties: list[str] = field(default_factory=list)   # 职责编号
    # Logs of these people not counted because their signatures do not verify ("张三 2026-11-03：…")
    invalid_logs: list[str] = field(default_factory=list)
    active_duties: int = 0
    fte: float | None = None         # staffing need (full-time equivalents)
    fte_trustworthy: bool = False
    settings: Settings = field(default_factory=Settings)

    @property
    def review_completion(self) -> float | None:
        """Share of the period's submitted hours already finally approved: approved ÷ (approved +
        waiting). With every log counted (approved_only False) the waiting hours are inside L.
        None when nothing was submitted."""
        approved = self.logged_hours - (0.0 if self.settings.approved_only else self.pending_hours)
        total = approved + self.pending_hours
        return approved / total if total > 0 else None

    @property
    def people_needed(self) -> float | None:
        """测算需要人数 at these figures' target: people × saturation ÷ target (app.core.need)."""
        if self.saturation is None:
            return None
        return self.people * self.saturation / self.settings.target_saturation

    def backlog(self, minimum: float | None = None) -> float | None:
        """The share of submitted hours still waiting when it is too large to conclude from
        (review completion under `minimum`, default the figures' own setting), else None."""
        return waiting_over(self.review_completion,
                            self.settings.min_completion if minimum is None else minimum)

    def conclusion_withheld(self) -> str | None:
        """Why no rise, fall or staffing conclusion may be drawn from these figures (None: it
        may): the period is still running, or too much of its work still waits for review."""
        if self.period.full is not None:
            return f"本期尚未结束（数据截至{self.period.end.month}月{self.period.end.day}日）"
        waiting = self.backlog()
        if waiting is not None:
            return (f"尚有{M.percent(waiting)}的已提交工时待审（审定率低于"
                    f"{M.percent(self.settings.min_completion, 0)}）")
        return None

    @property
    def waiting_share(self) -> float | None:
        """Share of the submitted hours still waiting for review (None: nothing submitted)."""
        c = self.review_completion
        return None if c is None else 1 - c

    def pending_text(self) -> str:
        """待审 12篇、86.5小时（占已提交工时的9.8%）, or '' when nothing waits."""
        if not self.pending_logs:
            return ""
        share = self.waiting_share
        return (f"待审{self.pending_logs}篇、{M.hours_text(self.pending_hours)}小时"
                + (f"（占已提交工时的{M.percent(share)}）" if share is not None else ""))

    # -- the metric objects with their inputs, for explanations (tooltips, report footnotes)
    def saturation_result(self) -> M.Saturation:
        return M.saturation(self.logged_hours, self.expected_hours, self.settings.bands)

    def daily_average_result(self) -> M.DailyAverage:
        return M.daily_average(self.logged_hours, self.available_days)

    def submission_result(self) -> M.SubmissionRate:
        return M.submission_rate(self.submitted_days, self.available_days)

    def focus_result(self) -> M.Focus:
        return M.focus(self.focus_hours)

    def coverage_result(self) -> M.Coverage:
        active = self.covered_duties + self.uncovered_duties
        return M.Coverage(self.coverage, tuple(self.covered_duties),
                          tuple(self.uncovered_duties), len(active))

    def staffing_need(self) -> M.StaffingNeed:
        s = self.settings
        return M.staffing_need(self.logged_hours, self.working_days, h0=s.h0,
                               target=s.target_saturation, submission=self.submission_rate,
                               threshold=s.trust_threshold, people=self.people)

    def timeliness_result(self) -> M.ReviewTimeliness:
        return M.timeliness_from_counts(self.timely_logs, self.late_logs,
                                        self.waiting_overdue_logs, self.settings.overdue_days)

    def explain(self) -> list[str]:
        """One Chinese sentence per metric, with its inputs."""
        return [self.saturation_result().explain(), self.daily_average_result().explain(),
                self.submission_result().explain(), self.timeliness_result().explain(),
                self.focus_result().explain(), self.coverage_result().explain(),
                self.staffing_need().explain()]

    def fill_rates(self) -> None:
        """Saturation and its band, daily average, submission rate, review timeliness and the
        focus shares, from the sums already in place (a group of people, or a body of units)."""
        sat = self.saturation_result()
        self.saturation, self.band = sat.value, sat.band
        self.daily_average = self.daily_average_result().value
        self.submission_rate = self.submission_result().value
        self.review_timeliness = self.timeliness_result().value
        self.focus = self.focus_result().as_dict()

    def to_json(self) -> dict:
        """The JSON object of `stats --json` (fractions 0–1 with 4 decimals, hours 2 decimals)."""
        f4 = lambda v: None if v is None else round(v, 4)  # noqa: E731
        s = self.settings
        return {
            "level": self.level, "key": self.key, "name": self.name, "login": self.login,
            "role": self.role, "section": self.section, "staffing_type": self.staffing_type,
            "in_totals": self.in_totals,
            "period": {"label": self.period.label, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat()},
            "people": self.people, "working_days": self.working_days,
            "leave_days": self.leave_days, "available_days": self.available_days,
            "logged_hours": round(self.logged_hours, 2),
            "expected_hours": round(self.expected_hours, 2),
            "saturation": f4(self.saturation), "band": self.band,
            "daily_average": None if self.daily_average is None else round(self.daily_average, 2),
            "buckets": dict(self.buckets),
            "submitted_days": self.submitted_days, "submission_rate": f4(self.submission_rate),
            "review_timeliness": f4(self.review_timeliness),
            "hours_by_category": {k: round(v, 2) for k, v in self.hours_by_category.items()},
            "focus": {k: f4(v) for k, v in self.focus.items()},
            "focus_hours": {k: round(v, 2) for k, v in self.focus_hours.items()},
            "coverage": f4(self.coverage), "covered_duties": list(self.covered_duties),
            "uncovered_duties": list(self.uncovered_duties), "active_duties": self.active_duties,
            "fte": None if self.fte is None else round(self.fte, 2),
            "fte_trustworthy": self.fte_trustworthy,
            "pending_logs": self.pending_logs, "pending_hours": round(self.pending_hours, 2),
            "people_by_class": dict(self.people_by_class),
            "hours_by_class": {k: round(v, 2) for k, v in self.hours_by_class.items()},
            "thresholds": s.thresholds(),
            "approved_only": s.approved_only,
            "invalid_logs": list(self.invalid_logs),
        }


    @classmethod
    def from_json(cls, d: dict, period: Period | None = None) -> "Figures":
        """The figures a to_json() object stands for (the 编办 caches them so); `period`, when
        given, replaces the one rebuilt from the object's label and dates (which lacks its kind).
        from_json(x).to_json() == x."""
        t = d.get("thresholds") or {}
        bands = Bands(*(t[k] for k in ("green_low", "green_high", "yellow_low", "yellow_high"))) \
            if "green_low" in t else M.DEFAULT_BANDS
        settings = Settings(bands, t.get("standard_hours", STANDARD_DAILY_HOURS),
                            t.get("target_saturation", M.DEFAULT_TARGET_SATURATION),
                            t.get("trust_threshold", M.DEFAULT_TRUST_THRESHOLD),
                            t.get("overdue_days", 3), d.get("approved_only", True),
                            t.get("min_completion", 0.9), t.get("min_span_months", 3))
        if period is None:
            p = d["period"]
            period = Period(dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"]),
                            p["label"])
        return cls(
            level=d["level"], key=d["key"], name=d["name"], period=period, login=d.get("login"),
            role=d.get("role"), section=d.get("section"), staffing_type=d.get("staffing_type"),
            in_totals=d.get("in_totals", True), people=d["people"],
            working_days=d["working_days"], leave_days=d["leave_days"],
            available_days=d["available_days"], submitted_days=d["submitted_days"],
            logged_hours=d["logged_hours"], expected_hours=d["expected_hours"],
            saturation=d["saturation"], band=d["band"], daily_average=d["daily_average"],
            buckets=dict(d["buckets"]), submission_rate=d["submission_rate"],
            review_timeliness=d["review_timeliness"],
            hours_by_category=dict(d["hours_by_category"]), focus=dict(d["focus"]),
            focus_hours=dict(d["focus_hours"]), coverage=d["coverage"],
            covered_duties=list(d["covered_duties"]), uncovered_duties=list(d["uncovered_duties"]),
            active_duties=d["active_duties"], fte=d["fte"], fte_trustworthy=d["fte_trustworthy"],
            pending_logs=d.get("pending_logs", 0), pending_hours=d.get("pending_hours", 0.0),
            people_by_class=dict(d.get("people_by_class", {})),
            hours_by_class=dict(d.get("hours_by_class", {})),
            invalid_logs=list(d.get("invalid_logs", [])), settings=settings)


def waiting_over(completion: float | None, minimum: float) -> float | None:
    """1 − `completion` when the review completion is under `minimum` (too much still waits to
    read a rise, a fall or a staffing need from the hours), else None. Compared at 9 decimals,
    as every threshold here."""
    if completion is None or round(completion, 9) >= minimum:
        return None
    return 1 - completion


# The counts a group sums from its parts: people's facts for a unit or section, or the units'
# figures for a department and its institutions (app.core.bureau.bodies).
SUMMED_COUNTS = ("leave_days", "submitted_days", "logged_hours", "timely_logs", "late_logs",
                 "waiting_overdue_logs", "pending_logs", "pending_hours")


def add_counts(total, part) -> None:
    for name in SUMMED_COUNTS:
        setattr(total, name, getattr(total, name) + getattr(part, name))


def combine(level: str, key: str, name: str, facts: Sequence[PersonFacts], *, period: Period,
            working_days: int, settings: Settings,
            duties: Sequence[tuple[str, str]] | None = None,
            category_order: Sequence[str] = (), **labels) -> Figures:
    """Figures of a group of persons (or of one person: a one-element group).

    `duties`: the group's active duties as (duty id, 职责编号) in display order, or None when
    coverage does not apply (then coverage is None and the duty lists are empty). `labels` fill
    the descriptive fields (login, role, section, section_id, staffing_type, in_totals)."""
    f = Figures(level, key, name, period, working_days=working_days, settings=settings, **labels)
    f.people = len(facts)
    categories: dict[str, float] = {}
    used: set[str] = set()
    for p in facts:
        available = M.available_days(working_days, p.leave_days)
        add_counts(f, p)
        f.available_days += available
        kind = staffing_class(p.staffing_type)
        f.people_by_class[kind] = f.people_by_class.get(kind, 0) + 1
        f.hours_by_class[kind] = f.hours_by_class.get(kind, 0.0) + p.logged_hours
        for cat, hours in p.hours_by_category.items():
            categories[cat] = categories.get(cat, 0.0) + hours
        for k, hours in p.focus_hours.items():
            f.focus_hours[k] += hours
        used |= p.used_duties
        b = M.daily_average(round(p.logged_hours, 2), available).bucket
        if b is not None:
            f.buckets[b] += 1
    # Hours are entered with at most 2 decimals: rounding the sums removes binary noise only,
    # and every figure below is computed from (and explained by) the rounded sums.
    f.logged_hours = round(f.logged_hours, 2)
    f.pending_hours = round(f.pending_hours, 2)
    f.hours_by_class = {k: round(v, 2) for k, v in f.hours_by_class.items()}
    f.focus_hours = {k: round(v, 2) for k, v in f.focus_hours.items()}
    f.expected_hours = M.expected_hours(f.available_days, settings.h0)
    f.fill_rates()
    order = {c: i for i, c in enumerate(category_order)}
    f.hours_by_category = {c: round(h, 2) for c, h in sorted(
        categories.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))}
    if duties is not None:
        cov = M.coverage([code for _, code in duties], [code for d, code in duties if d in used])
        f.coverage, f.active_duties = cov.value, cov.active
        f.covered_duties, f.uncovered_duties = list(cov.covered), list(cov.uncovered)
    need = f.staffing_need()
    f.fte, f.fte_trustworthy = need.fte, need.trustworthy
    return f


@dataclass
class StatsPage:
    """Everything the statistics page shows for one period (one pass over the data)."""
    period: Period
    unit: Figures | None                  # None when the actor may not see the whole unit
    sections: list[Figures] = field(default_factory=list)
    persons: list[Figures] = field(default_factory=list)
    charge: Figures | None = None         # 全部分管科室: several sections visible, not the unit

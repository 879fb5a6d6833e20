"""Plain data the printed reports are made from: saturation bands, focus shares, period summaries.

The statistics service computes the numbers; these dataclasses carry them to the charts
(`charts.py`), the generated text (`narrative.py`) and the report builders without any database
or Qt objects. Ratios are fractions (0.965 = 96.5 %); a ratio that cannot be computed (zero
denominator, no data) is None and prints as "—".
"""
from __future__ import annotations

from dataclasses import dataclass, field

DASH = "—"

GREEN, YELLOW, RED = "green", "yellow", "red"
BAND_COLOR_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}


@dataclass(frozen=True)
class Bands:
    """Saturation bands (docs/ARCHITECTURE.md "Metrics"): green green_low–green_high, yellow down
    to yellow_low and up to yellow_high, red outside. The functions below take any object with these four
    attributes (app.core.metrics.Bands too)."""
    green_low: float = 0.85
    green_high: float = 1.15
    yellow_low: float = 0.60
    yellow_high: float = 1.30

    def __post_init__(self):
        if not (0 <= self.yellow_low <= self.green_low <= self.green_high <= self.yellow_high):
            raise ValueError(f"saturation bands out of order: {self}")


def band_color(value: float | None, bands=Bands()) -> str | None:
    """green / yellow / red (edges green_low/green_high are green, yellow_low/yellow_high
    yellow); None when the value is unknown."""
    if value is None:
        return None
    v = round(value, 9)
    if bands.green_low <= v <= bands.green_high:
        return GREEN
    if bands.yellow_low <= v <= bands.yellow_high:
        return YELLOW
    return RED


def band_level(value: float | None, bands=Bands()) -> str | None:
    """Five steps for the text: 过低 / 偏低 / 适中 / 偏高 / 过高 (None when unknown)."""
    if value is None:
        return None
    v = round(value, 9)
    if v < bands.yellow_low:
        return "过低"
    if v < bands.green_low:
        return "偏低"
    if v <= bands.green_high:
        return "适中"
    if v <= bands.yellow_high:
        return "偏高"
    return "过高"


def bands_text(bands=Bands()) -> str:
    return (f"绿灯{pct(bands.green_low, 0)}～{pct(bands.green_high, 0)}，"
            f"黄灯{pct(bands.yellow_low, 0)}～{pct(bands.green_low, 0)}或"
            f"{pct(bands.green_high, 0)}～{pct(bands.yellow_high, 0)}，其余为红灯")


@dataclass(frozen=True)
class FocusShares:
    """Shares of logged hours on core / general / auxiliary duties (entries without a duty link
    count as auxiliary). Fractions that add up to 1 when there are hours."""
    core: float
    general: float
    auxiliary: float

    LABELS = ("核心职责", "一般职责", "辅助职责")

    @classmethod
    def from_hours(cls, core: float, general: float, auxiliary: float) -> FocusShares | None:
        total = core + general + auxiliary
        if total <= 0:
            return None
        return cls(core / total, general / total, auxiliary / total)


@dataclass(frozen=True)
class FocusReference:
    """External focus shares printed beside a unit's own, for units of the kind they come from
    (resources/references/focus.json): context only, never a target."""
    label: str                 # 桓台试点 (the chart's row)
    source: str                # 桓台县市场监督管理局试点数据 (the text)
    note: str                  # 约4000条工作记录，10周
    shares: FocusShares

DAILY_BUCKETS = ("5小时以下", "5–7小时", "7–10小时", "10小时以上")   # as app.core.metrics


@dataclass(frozen=True)
class LoadItem:
    """One section's or person's load in the period."""
    name: str
    logged_hours: float
    expected_hours: float
    section: str = ""                      # persons: their section
    submission_rate: float | None = None

    @property
    def saturation(self) -> float | None:
        return self.logged_hours / self.expected_hours if self.expected_hours > 0 else None


@dataclass(frozen=True)
class DutyRef:
    code: str
    name: str
    kind: str = ""                         # 核心 / 一般 / 辅助


@dataclass(frozen=True)
class DutyActivity:
    """What was done on one duty in the period (approved entries only)."""
    code: str
    name: str
    kind: str                              # 核心 / 一般 / 辅助
    hours: float
    people: int
    entries: int
    examples: tuple[str, ...] = ()         # entry texts (approved, not 涉密/敏感)


@dataclass(frozen=True)
class PeriodSummary:
    """Headline numbers of one unit, section or person over one period.

    logged/expected hours: approved entries only; expected = (W − leave) × H0
    (docs/ARCHITECTURE.md "Metrics").
    `previous` is the same summary for the period before, for the rise/fall sentences."""
    name: str                              # 沂河县市场监督管理局 / 综合执法科 / 王昇
    period_label: str                      # 2026年10月 / 2026年第三季度
    kind: str = "unit"                     # unit / section / person
    working_days: int = 0
    people: int = 0                        # persons counted (unit/section)
    logged_hours: float = 0.0
    expected_hours: float = 0.0
    approved_entries: int = 0
    submission_rate: float | None = None
    focus: FocusShares | None = None
    duties_total: int = 0                  # active unit duties
    uncovered: tuple[DutyRef, ...] = ()    # active duties without an approved entry in the period
    sections: tuple[LoadItem, ...] = ()
    persons: tuple[LoadItem, ...] = ()
    categories: tuple[tuple[str, float], ...] = ()       # (work category, hours)
    daily_buckets: tuple[int, int, int, int] | None = None  # persons per DAILY_BUCKETS
    duties: tuple[DutyActivity, ...] = ()  # per duty with entries (for the core-duty report)
    previous: PeriodSummary | None = field(default=None, repr=False)
    pending_logs: int = 0                  # submitted, still in review: not in logged_hours
    pending_hours: float = 0.0
    withheld: str = ""                     # why no rise or fall is read from this period

    @property
    def saturation(self) -> float | None:
        return self.logged_hours / self.expected_hours if self.expected_hours > 0 else None

    @property
    def duties_covered(self) -> int:
        return self.duties_total - len(self.uncovered)

    @property
    def coverage(self) -> float | None:
        return self.duties_covered / self.duties_total if self.duties_total > 0 else None

    @property
    def has_data(self) -> bool:
        return self.approved_entries > 0 and self.logged_hours > 0


def pct(value: float | None, digits: int = 1) -> str:
    """0.9651 → '96.5%'; None → '—'."""
    if value is None:
        return DASH
    return f"{value * 100:.{digits}f}%"


def hours(value: float | None) -> str:
    """Hours without a trailing '.0': 12 → '12', 12.25 → '12.3'; None → '—'."""
    if value is None:
        return DASH
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text

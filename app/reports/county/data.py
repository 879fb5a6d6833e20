"""The numbers of the county report (机构编制执行情况和使用效益分析报告): county totals summed
from the units' rows of app.services.county.table.county_table, and the groupings the text names.

County ratios are computed from the sums of the units' inputs — saturation = ΣL ÷ ΣE,
submission = Σ submitted person-days ÷ Σ available person-days, focus = Σ core hours ÷ Σ hours,
coverage = Σ duties with a trace ÷ Σ active duties — never as averages of the units' percentages,
so a unit of 200 people weighs 200 times one person's unit, as in the unit's own statistics.
Staffing (quotas, actual staff, posts, 借调) is the roster of each unit's latest package: it has
no period and is not compared with the previous one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.bureau import county as C
from app.core import metrics as M
from app.core import vocab
from app.core.metrics import Period
from app.core.need import VERDICTS
from app.reports.model import FocusShares, band_level

# Names the 编办 goes by, longest first: 沂河县委编办 → 沂河县 (the area the report is about).
BUREAU_SUFFIXES = ("委机构编制委员会办公室", "机构编制委员会办公室", "委编办", "编办")
USAGE_LOW = 0.90        # a unit using less than this share of its quota: 编制资源使用率不高
VERDICT_ORDER = VERDICTS
BANDS = M.DEFAULT_BANDS


def area_name(bureau_name: str) -> str:
    """沂河县委编办 → 沂河县; a name without a known suffix is kept whole."""
    for suffix in BUREAU_SUFFIXES:
        if bureau_name.endswith(suffix) and len(bureau_name) > len(suffix):
            return bureau_name[:-len(suffix)]
    return bureau_name


def short_unit(name: str, area: str) -> str:
    """沂河县市场监督管理局 → 市场监督管理局 (chart labels; the area is in the title)."""
    return name[len(area):] if area and name.startswith(area) and len(name) > len(area) else name


def has_data(row) -> bool:
    """The unit has approved hours in the period (figures exist and L > 0)."""
    return C.has_data(row.figures)


def fig(row, key: str):
    return None if row.figures is None else getattr(row.figures, key)


# A unit's ratios from its inputs (hours to 2 decimals, day counts), unrounded like the unit's own
# reports: the JSON's 4-decimal ratios could print one tenth of a point apart (52.25 % → 52.2 %).
def _ratio(num, den) -> float | None:
    return num / den if num is not None and den else None


def saturation(row) -> float | None:
    return _ratio(fig(row, "logged_hours"), fig(row, "expected_hours"))


def submission(row) -> float | None:
    return _ratio(fig(row, "submitted_days"), fig(row, "available_days"))


def core_share(row) -> float | None:
    h = row.figures.focus_hours if row.figures is not None else {}
    return _ratio(h.get("core") or 0.0, sum(v or 0.0 for v in h.values()))


def focus_of(row) -> FocusShares | None:
    h = row.figures.focus_hours if row.figures is not None else {}
    return FocusShares.from_hours(h.get("core") or 0.0, h.get("general") or 0.0,
                                  h.get("auxiliary") or 0.0)


@dataclass(frozen=True)
class TypeLine:
    """One 编制类型 across the county; vacancies and over-quota are summed per unit (a vacancy in
    one unit does not cancel an excess in another)."""
    name: str
    quota: int
    actual: int
    vacancies: int
    over: int
    over_units: int

    @property
    def usage(self) -> float | None:
        return self.actual / self.quota if self.quota else None


@dataclass(frozen=True)
class CountyTotals:
    period: Period
    units: int
    reporting: tuple[str, ...]            # units with approved hours in the period
    silent: tuple[str, ...]               # units without
    people: int
    logged_hours: float
    expected_hours: float
    submitted_days: int
    available_days: int
    focus_hours: tuple[float, float, float]
    covered_duties: int
    active_duties: int
    types: tuple[TypeLine, ...]
    vacancy_units: int
    over_quota_units: tuple[str, ...]
    over_leader_units: tuple[str, ...]
    over_leaders: int
    seconded: int
    seconded_units: int
    pending_hours: float = 0.0            # submitted, still in review: not in logged_hours
    pending_logs: int = 0

    @property
    def review_completion(self) -> float | None:
        """Approved hours ÷ (approved + waiting): how much of the submitted work is counted."""
        total = self.logged_hours + self.pending_hours
        return self.logged_hours / total if total > 0 else None

    @property
    def running(self) -> bool:
        """The period has not ended (the units' figures stop at today)."""
        return self.period.full is not None

    @property
    def saturation(self) -> float | None:
        return self.logged_hours / self.expected_hours if self.expected_hours > 0 else None

    @property
    def band(self) -> str | None:
        return M.band(self.saturation, BANDS)

    @property
    def submission_rate(self) -> float | None:
        return self.submitted_days / self.available_days if self.available_days else None

    @property
    def focus(self) -> FocusShares | None:
        return FocusShares.from_hours(*self.focus_hours)

    @property
    def coverage(self) -> float | None:
        return self.covered_duties / self.active_duties if self.active_duties else None

    @property
    def quota(self) -> int:
        return sum(t.quota for t in self.types)

    @property
    def actual(self) -> int:
        return sum(t.actual for t in self.types)

    @property
    def vacancies(self) -> int:
        return sum(t.vacancies for t in self.types)

    @property
    def over_quota(self) -> int:
        return sum(t.over for t in self.types)

    @property
    def usage(self) -> float | None:
        return self.actual / self.quota if self.quota else None

    @property
    def has_data(self) -> bool:
        return self.logged_hours > 0


def totals(rows: Sequence, period: Period) -> CountyTotals:
    """The county's sums over `rows` (county_table rows of `period`); a period still running is
    the one the units' figures were cut to (本期截至…)."""
    period = next((r.figures.period for r in rows if r.figures is not None), period)
    data = [r for r in rows if has_data(r)]
    f = [r.figures for r in data]
    focus = tuple(sum(x.focus_hours.get(k) or 0.0 for x in f) for k in M.FOCUS_KEYS)
    known = [t for t in vocab.STAFFING_TYPES if any(t in r.staffing.quotas for r in rows)]
    types = []
    for t in known + sorted({t for r in rows for t in r.staffing.quotas} - set(known)):
        have = [r for r in rows if t in r.staffing.quotas]
        over = [r.staffing.over_quota.get(t, 0) for r in have]
        types.append(TypeLine(
            t, sum(r.staffing.quotas[t] for r in have),
            sum(r.staffing.actual.get(t, 0) for r in have),
            sum(max(0, r.staffing.quotas[t] - r.staffing.actual.get(t, 0)) for r in have),
            sum(over), sum(1 for n in over if n > 0)))
    return CountyTotals(
        period=period, units=len(rows), reporting=tuple(r.name for r in data),
        silent=tuple(r.name for r in rows if not has_data(r)),
        people=sum(x.people for x in f),
        logged_hours=round(sum(x.logged_hours for x in f), 2),
        expected_hours=round(sum(x.expected_hours for x in f), 2),
        submitted_days=sum(x.submitted_days for x in f),
        available_days=sum(x.available_days for x in f),
        focus_hours=tuple(round(v, 2) for v in focus),
        covered_duties=sum(len(x.covered_duties) for x in f),
        active_duties=sum(x.active_duties for x in f),
        types=tuple(types),
        vacancy_units=sum(1 for r in rows if r.staffing.vacancies > 0),
        over_quota_units=tuple(r.name for r in rows if r.staffing.over_quota),
        over_leader_units=tuple(r.name for r in rows if r.staffing.over_leaders),
        over_leaders=sum(sum(r.staffing.over_leaders.values()) for r in rows),
        seconded=sum(r.staffing.seconded for r in rows),
        seconded_units=sum(1 for r in rows if r.staffing.seconded),
        pending_hours=round(sum(r.figures.pending_hours for r in rows if r.figures), 2),
        pending_logs=sum(r.figures.pending_logs for r in rows if r.figures))


# ---------------------------------------------------------------- groupings
def by_verdict(rows: Sequence) -> dict[str, list]:
    """Rows per staffing-need verdict; 增编 by the excess over the quota, 减编 by the surplus of
    quota over the need, largest first."""
    groups: dict[str, list] = {v: [] for v in VERDICT_ORDER}
    for r in rows:
        groups.setdefault(r.need.verdict, []).append(r)
    groups["增编依据"].sort(key=lambda r: -r.need.quota_gap)
    groups["减编依据"].sort(key=lambda r: r.need.quota_gap)
    return groups


def need_order(rows: Sequence) -> list:
    groups = by_verdict(rows)
    return [r for v in groups for r in groups[v]]


def band_groups(rows: Sequence) -> dict[str, list]:
    """Rows with data per band level (过低/偏低/适中/偏高/过高), each sorted by saturation."""
    groups: dict[str, list] = {}
    for r in rows:
        if has_data(r):
            groups.setdefault(band_level(saturation(r), BANDS), []).append(r)
    for level, items in groups.items():
        items.sort(key=saturation, reverse=level in ("偏高", "过高", "适中"))
    return groups


def ratio_rows(rows: Sequence) -> tuple[list, list]:
    """(rows with a 编制任务比 sorted high to low, rows without one)."""
    with_ratio = sorted((r for r in rows if r.ratio.ratio is not None),
                        key=lambda r: -r.ratio.ratio)
    return with_ratio, [r for r in rows if r.ratio.ratio is None]


def over_quota_text(s: C.Staffing) -> str:
    return "、".join(f"{t}{n}名" for t, n in s.over_quota.items())


def over_leaders_text(s: C.Staffing) -> str:
    return "、".join(f"{k}{n}名" for k, n in s.over_leaders.items())


def over_posts_text(s: C.Staffing) -> str:
    """核定副职2名、实配4名 for each post kind filled beyond its number."""
    return "，".join(f"核定{k}{s.leader_quotas.get(k, 0)}名、实配{s.leaders.get(k, 0)}名"
                    for k in C.LEADER_ROLES if k in s.over_leaders)


def uncovered(row) -> list[str]:
    return [] if row.figures is None else list(row.figures.uncovered_duties)

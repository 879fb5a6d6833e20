"""County-level judgements on one unit (the 编办's unit table): staffing use, the 编制任务比 and the
warnings; the staffing-need verdict is app.core.need. Pure functions; the inputs are shown beside every result."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.figures import Figures
from app.core.need import Need
from app.core.bureau.reminders import ReviewRate

# 编制任务比 (镇江): one key task per 3 / 4 / 5 staffing slots by unit class.
TASK_BASE = {"服务经济": 3, "社会民生": 4, "综合保障": 5}
# Leadership posts: which roles fill which post kind.
LEADER_ROLES = {"正职": "主要领导", "副职": "分管领导"}


@dataclass
class Staffing:
    """Quota and actual staff of one unit (current roster, people 在职 or 借调)."""
    quotas: dict[str, int] = field(default_factory=dict)        # 编制类型 → 编制数
    actual: dict[str, int] = field(default_factory=dict)        # 编制类型 → 实有人数
    leader_quotas: dict[str, int] = field(default_factory=dict)  # 正职/副职 → 职数
    leaders: dict[str, int] = field(default_factory=dict)        # 正职/副职 → 实配
    seconded: int = 0                                            # 借调 out

    @property
    def quota_total(self) -> int:
        return sum(self.quotas.values())

    @property
    def actual_total(self) -> int:
        """Staff on a quota type (people without a staffing type, e.g. 编外, are not counted)."""
        return sum(n for t, n in self.actual.items() if t in self.quotas)

    @property
    def vacancies(self) -> int:
        return sum(max(0, q - self.actual.get(t, 0)) for t, q in self.quotas.items())

    @property
    def over_quota(self) -> dict[str, int]:
        return {t: n - self.quotas.get(t, 0) for t, n in self.actual.items()
                if t in self.quotas and n > self.quotas[t]}

    @property
    def over_leaders(self) -> dict[str, int]:
        return {k: n - self.leader_quotas.get(k, 0) for k, n in self.leaders.items()
                if n > self.leader_quotas.get(k, 0)}

    @property
    def usage(self) -> float | None:
        return self.actual_total / self.quota_total if self.quota_total else None

    def to_json(self) -> dict:
        return {"quotas": self.quotas, "actual": self.actual, "leader_quotas": self.leader_quotas,
                "leaders": self.leaders, "seconded": self.seconded,
                "quota_total": self.quota_total, "actual_total": self.actual_total,
                "vacancies": self.vacancies, "over_quota": self.over_quota,
                "over_leaders": self.over_leaders,
                "usage": None if self.usage is None else round(self.usage, 4)}

    @classmethod
    def from_json(cls, d: dict) -> "Staffing":
        return cls(d["quotas"], d["actual"], d["leader_quotas"], d["leaders"], d["seconded"])


@dataclass
class TaskRatio:
    task_class: str | None
    quota: int
    key_tasks: int | None
    target: float | None        # quota ÷ base
    ratio: float | None         # key tasks ÷ target: above 1 = more work per slot than the norm
    # where key_tasks came from: the unit's list of 年度重点工作 (app.core.items), or the number
    # the 编办 typed in at registration
    source: str = "登记数"


TASK_SOURCE_LIST, TASK_SOURCE_TYPED = "事项清单", "登记数"


def task_ratio(task_class: str | None, quota: int, key_tasks: int | None,
               source: str = TASK_SOURCE_TYPED) -> TaskRatio:
    base = TASK_BASE.get(task_class or "")
    if base is None or key_tasks is None or quota <= 0:
        return TaskRatio(task_class, quota, key_tasks, None, None, source)
    target = quota / base
    return TaskRatio(task_class, quota, key_tasks, target, key_tasks / target, source)


def warnings(staffing: Staffing, figures: Figures | None) -> list[str]:
    """The short warnings of a unit's row, each naming its numbers."""
    found = [f"{t}超编{n}名" for t, n in staffing.over_quota.items()]
    found += [f"超职数配备{k}领导{n}名" for k, n in staffing.over_leaders.items()]
    if figures is None:
        return found + ["本期没有上报数据"]
    if not figures.submitted_days and not figures.logged_hours:
        return found + ["本期没有已审定的日志"]
    rate = figures.submission_rate
    threshold = figures.settings.trust_threshold
    if rate is not None and rate < threshold:
        found.append(f"填报率{rate * 100:.0f}%低于{threshold * 100:.0f}%")
    waiting = figures.backlog()
    if waiting is not None:
        found.append(f"待审工时占{waiting * 100:.0f}%（{figures.pending_logs}篇未审完）")
    if figures.band == "red":
        found.append(f"饱和度{(figures.saturation or 0) * 100:.0f}%（红灯）")
    uncovered = len(figures.uncovered_duties)
    if uncovered:
        found.append(f"{uncovered}项职责无留痕")
    if staffing.seconded:
        found.append(f"借调{staffing.seconded}人")
    return found


@dataclass
class CountyRow:
    """One registered unit in the 编办's county table for a period."""
    unit_id: str
    name: str
    credit_code: str
    unit_class: str
    staffing: Staffing
    figures: Figures | None       # the unit's own figures for the period (None: no data)
    need: Need                    # the staffing-need rule (app.core.need)
    ratio: TaskRatio
    warnings: list[str]
    computed_on: str
    # ISO days the unit's calendar departs from the national one: not accepted by the 编办
    # (counted the national way) and accepted (counted the unit's way)
    calendar_days: list[str] = field(default_factory=list)
    calendar_accepted: list[str] = field(default_factory=list)
    red_items: int | None = None  # 工作事项 on red (None: the unit keeps no list)
    review: ReviewRate | None = None     # 审核率 in the period (app.core.bureau.reminders)

    def to_json(self) -> dict:
        return {"unit_id": self.unit_id, "name": self.name, "credit_code": self.credit_code,
                "unit_class": self.unit_class, "staffing": self.staffing.to_json(),
                "figures": None if self.figures is None else self.figures.to_json(),
                "need": self.need.to_json(),
                "task_ratio": {"task_class": self.ratio.task_class, "quota": self.ratio.quota,
                               "key_tasks": self.ratio.key_tasks, "target": self.ratio.target,
                               "ratio": self.ratio.ratio, "source": self.ratio.source},
                "red_items": self.red_items,
                "warnings": self.warnings, "computed_on": self.computed_on,
                "calendar_deviations": self.calendar_days, "calendar_accepted": self.calendar_accepted,
                "review": None if self.review is None else {**self.review.to_json(), "rate": self.review.rate}}


def has_data(figures: Figures | None) -> bool:
    """The unit reported approved work in the period: only such units are ranked or summed."""
    return figures is not None and figures.logged_hours > 0


def _figure(name: str):
    return lambda r: getattr(r.figures, name) if has_data(r.figures) else None


SORT_KEYS = {
    "saturation": _figure("saturation"),
    "focus": lambda r: r.figures.focus.get("core") if has_data(r.figures) else None,
    "coverage": _figure("coverage"),
    "submission_rate": _figure("submission_rate"),
    "usage": lambda r: r.staffing.usage,
    "vacancies": lambda r: r.staffing.vacancies,
}


def ranked(rows: list[CountyRow], key: str, descending: bool = True) -> list[tuple[int | None, CountyRow]]:
    """Rows sorted by a figure with their rank (1 = highest); rows without it last, unranked.
    Figures of a unit without approved work in the period are not ranked (a 0.0 % is no data)."""
    get = SORT_KEYS[key]
    with_value = sorted((r for r in rows if get(r) is not None), key=get, reverse=descending)
    without = [r for r in rows if get(r) is None]
    return [(i + 1, r) for i, r in enumerate(with_value)] + [(None, r) for r in without]

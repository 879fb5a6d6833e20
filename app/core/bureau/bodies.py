"""A department and its affiliated institutions (部门及所属事业单位) evaluated as one body
(一体化评估, seeds 002 and 004): the 编办 names a unit's 主管部门 (`Unit.parent_id`, one level
only), and the county table, the county report, evaluation rounds and `stats --scope county
--body` show the department, its institutions and the body's 合计 together.

Pure functions. How the body's 合计 combines each figure (never an average of ratios):
- people, hours (logged, expected, pending, by class, by category, by duty class), days
  (available, leave, submitted), log counts, quotas, actual staff, leadership posts, 借调: sums;
- 空编 / 超编 / 超职数: the members' own vacancies and excesses added up — one unit's vacancy does
  not absorb another unit's excess (as the county report's staffing table);
- saturation = Σ approved hours ÷ Σ expected hours; core focus = Σ core hours ÷ Σ hours on
  duties; submission rate = Σ submitted days ÷ Σ available days; 待审 = Σ pending hours ÷ Σ
  submitted hours; coverage = Σ duties with entries ÷ Σ active duties (each member's own 三定);
  review timeliness from the summed log counts; usage = Σ actual ÷ Σ quota;
- staffing need: the need rule (app.core.need) on the combined figures against Σ quota, i.e.
  N = ΣP × (ΣL ÷ ΣE) ÷ target; FTE = Σ the members' FTE;
- 编制任务比 = Σ key tasks ÷ Σ (quota ÷ base of each member's class), only when every member has one;
- evaluation scores: the average of the members' 编办 totals (each by its own indicator system), only
  when every member is fully scored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

from app.core.bureau import county as C
from app.core.bureau.reminders import ReviewRate
from app.core.figures import Figures, add_counts
from app.core.need import NeedRule, assess

T = TypeVar("T")
TOTAL_SUFFIX = "合计"


# ---------------------------------------------------------------- the register's rule
def parent_problem(unit_id: str, parent_id: str | None, parents: Mapping[str, str | None],
                   names: Mapping[str, str]) -> str | None:
    """Why `parent_id` cannot be the 主管部门 of `unit_id` given the current `parents` (unit id →
    parent id of every registered unit) — or None when it can. One level only: a 主管部门 has no
    主管部门 itself, and a unit with institutions of its own is not put under another."""
    if not parent_id:
        return None
    name = names.get(unit_id, unit_id)
    if parent_id not in names:
        return "所选主管部门不是已登记的单位"
    parent = names[parent_id]
    if parent_id == unit_id:
        return f"“{name}”不能作为自己的主管部门"
    if parents.get(parent_id) == unit_id:
        return (f"“{parent}”的主管部门是“{name}”，再把“{parent}”设为“{name}”的主管部门会形成循环"
                f"（主管部门不能互相隶属）")
    if parents.get(parent_id):
        grand = names.get(parents[parent_id], parents[parent_id])
        return (f"“{parent}”本身是“{grand}”的所属单位，不能再作为主管部门"
                f"（只支持部门—所属单位一级，请选“{grand}”）")
    children = [names.get(u, u) for u, p in parents.items() if p == unit_id and u != unit_id]
    if children:
        return (f"“{name}”下已有所属单位（{'、'.join(children)}），不能再隶属其他部门"
                f"（只支持部门—所属单位一级）")
    return None


# ---------------------------------------------------------------- grouping
@dataclass
class Group:
    """A department with its institutions (members[0] is the department), or a unit on its own."""
    head: object
    institutions: list = field(default_factory=list)
    total: object | None = None          # the body's 合计 (None for a unit on its own)

    @property
    def members(self) -> list:
        return [self.head, *self.institutions]

    @property
    def is_body(self) -> bool:
        return bool(self.institutions)


def group(items: Sequence[T], parents: Mapping[str, str | None],
          key: Callable[[T], str] = lambda r: r.unit_id) -> list[Group]:
    """Items grouped by department, in the order of their department (or of themselves); an
    institution whose department is not among `items` stands on its own."""
    present = {key(i) for i in items}
    groups: dict[str, Group] = {}
    order: list[str] = []
    for item in items:
        parent = parents.get(key(item))
        if parent and parent in present and parent != key(item):
            continue
        groups[key(item)] = Group(item)
        order.append(key(item))
    for item in items:
        parent = parents.get(key(item))
        if parent and parent in groups and parent != key(item):
            groups[parent].institutions.append(item)
    return [groups[k] for k in order]


# ---------------------------------------------------------------- combining figures
def combine_figures(members: Sequence[Figures | None], name: str, key: str) -> Figures | None:
    """The figures of a body from its members' (see the module docstring for each rule)."""
    found = [f for f in members if f is not None]
    if not found:
        return None
    first = found[0]
    s = first.settings
    f = Figures("body", key, name, first.period, working_days=first.working_days, settings=s)
    for m in found:
        f.people += m.people
        add_counts(f, m)
        f.available_days += m.available_days
        f.active_duties += m.active_duties
        for target, source in ((f.people_by_class, m.people_by_class), (f.hours_by_class, m.hours_by_class),
                               (f.hours_by_category, m.hours_by_category), (f.buckets, m.buckets),
                               (f.focus_hours, m.focus_hours)):
            for k, v in source.items():
                target[k] = (target.get(k) or 0) + (v or 0)
        prefix = m.name
        f.covered_duties += [f"{prefix}{c}" for c in m.covered_duties]
        f.uncovered_duties += [f"{prefix}{c}" for c in m.uncovered_duties]
        f.invalid_logs += list(m.invalid_logs)
    f.logged_hours = round(f.logged_hours, 2)
    f.pending_hours = round(f.pending_hours, 2)
    f.focus_hours = {k: round(v, 2) for k, v in f.focus_hours.items()}
    f.hours_by_class = {k: round(v, 2) for k, v in f.hours_by_class.items()}
    f.hours_by_category = {k: round(v, 2) for k, v in f.hours_by_category.items()}
    f.expected_hours = round(sum(m.expected_hours for m in found), 2)
    f.fill_rates()
    with_duties = [m for m in found if m.coverage is not None]
    if with_duties:
        total = sum(len(m.covered_duties) + len(m.uncovered_duties) for m in with_duties)
        f.coverage = sum(len(m.covered_duties) for m in with_duties) / total if total else None
    ftes = [m.fte for m in found]
    f.fte = None if any(v is None for v in ftes) else sum(ftes)
    f.fte_trustworthy = f.fte is not None and f.submission_rate is not None and \
        round(f.submission_rate, 9) >= s.trust_threshold
    return f


@dataclass
class BodyStaffing(C.Staffing):
    """Quotas and staff of a body: the dicts are sums; vacancies and excesses are the members' own
    added up (a vacancy in one unit does not absorb another unit's excess)."""
    members: list = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        return sum(m.vacancies for m in self.members)

    @property
    def over_quota(self) -> dict[str, int]:
        return _sum_dicts(m.over_quota for m in self.members)

    @property
    def over_leaders(self) -> dict[str, int]:
        return _sum_dicts(m.over_leaders for m in self.members)

    @property
    def actual_total(self) -> int:
        return sum(m.actual_total for m in self.members)


def _sum_dicts(dicts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def combine_staffing(members: Sequence[C.Staffing]) -> BodyStaffing:
    return BodyStaffing(_sum_dicts(m.quotas for m in members), _sum_dicts(m.actual for m in members),
                        _sum_dicts(m.leader_quotas for m in members), _sum_dicts(m.leaders for m in members),
                        sum(m.seconded for m in members), members=list(members))


def combine_ratio(members: Sequence[C.TaskRatio]) -> C.TaskRatio:
    quota = sum(r.quota for r in members)
    classes = "、".join(dict.fromkeys(r.task_class for r in members if r.task_class))
    if any(r.target is None or r.key_tasks is None for r in members):
        return C.TaskRatio(classes or None, quota, None, None, None)
    tasks = sum(r.key_tasks for r in members)
    target = sum(r.target for r in members)
    # from the lists only when every member counted its list; one typed number makes it typed
    source = (C.TASK_SOURCE_LIST if all(r.source == C.TASK_SOURCE_LIST for r in members)
              else C.TASK_SOURCE_TYPED)
    return C.TaskRatio(classes, quota, tasks, target, tasks / target if target else None, source)


def body_name(head_name: str, institutions: int) -> str:
    return f"{head_name}{TOTAL_SUFFIX}（部门及所属单位{institutions}个）"


def body_row(head: C.CountyRow, institutions: Sequence[C.CountyRow], rule: NeedRule,
             today: dt.date) -> C.CountyRow:
    """The body's 合计 as a county-table row (unit_id: the department's, name: …合计)."""
    members = [head, *institutions]
    name = body_name(head.name, len(institutions))
    staffing = combine_staffing([m.staffing for m in members])
    figures = combine_figures([m.figures for m in members], name, head.unit_id)
    need = assess(figures, staffing.quota_total, staffing.vacancies, rule, today)
    warnings = C.warnings(staffing, figures)
    row = C.CountyRow(head.unit_id, name, head.credit_code, head.unit_class, staffing, figures, need,
                      combine_ratio([m.ratio for m in members]), warnings,
                      max(m.computed_on for m in members))
    reviews = [m.review for m in members if m.review is not None]
    if reviews:     # 审核率: Σ approved ÷ Σ logs sent for review
        row.review = ReviewRate(sum(r.submitted for r in reviews), sum(r.approved for r in reviews))
    reds = [m.red_items for m in members if m.red_items is not None]
    row.red_items = sum(reds) if reds else None      # None: no member keeps a list
    return row


def county_groups(rows: Sequence[C.CountyRow], parents: Mapping[str, str | None], rule: NeedRule,
                  today: dt.date) -> list[Group]:
    """The county table grouped: every body with its 合计 row."""
    groups = group(rows, parents)
    for g in groups:
        if g.is_body:
            g.total = body_row(g.head, g.institutions, rule, today)
    return groups


def ranked_groups(groups: Sequence[Group], key: str) -> list[tuple[int | None, Group]]:
    """Groups ranked as wholes by a county-table measure (a body by its 合计)."""
    whole = {id(g.total or g.head): g for g in groups}
    return [(rank, whole[id(row)]) for rank, row in C.ranked([g.total or g.head for g in groups], key)]


# ---------------------------------------------------------------- evaluation scores
def average(values: Sequence[float | None]) -> float | None:
    """The members' average score; None unless every member has one."""
    if not values or any(v is None for v in values):
        return None
    return sum(values) / len(values)


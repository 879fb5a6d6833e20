"""任务类型: the second classification of duties (seed 002, 桓台县: 业务、党建、财务和组织人事、
信访投诉、综合性工作), beside the 职能类别 (核心/一般/辅助). Statistics group hours by it to show
how much of a unit's time goes to its 主责主业 and how much to the rest.

A duty's task type is stored on the duty (duty.task_type); a duty without one (older data, a
duty the 编办 issued without it) is classified by `guess` from its text and 职能类别. An entry
without a duty takes the type its work category suggests (`of_category`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from app.core.figures import PersonFacts
from app.core.periods import Period

BUSINESS, PARTY, FINANCE_HR, PETITION, GENERAL = (
    "业务工作", "党建工作", "财务和组织人事工作", "信访投诉", "综合性工作")
TASK_TYPES = (BUSINESS, PARTY, FINANCE_HR, PETITION, GENERAL)
ALIASES = {"业务": BUSINESS, "党建": PARTY, "财务和组织人事": FINANCE_HR, "财务人事": FINANCE_HR,
           "财务": FINANCE_HR, "组织人事": FINANCE_HR, "信访": PETITION, "信访投诉工作": PETITION,
           "综合": GENERAL, "综合性": GENERAL, "综合工作": GENERAL}

# Checked in this order: the first that matches decides. Party building first, then the
# unit's general running (its "等综合工作" names petitions too), petitions, the unit's own
# finance and personnel, other general work.
_PETITION = re.compile(r"信访|投诉|举报|来信来访|12345|12315|申诉|热线")
_RUNNING = re.compile(r"综合工作|日常运转|机关日常|综合事务")
_RULES = (
    (PARTY, re.compile(r"党建|党的建设|党风廉政|全面从严治党|意识形态|精神文明|机关党委|党员|党务|党组织")),
    (GENERAL, _RUNNING),
    (PETITION, _PETITION),
    (FINANCE_HR, re.compile(r"财务|预算|决算|国有资产|会计|内部审计|政府采购|人事|干部|"
                            r"机构编制|工资|人才队伍|队伍建设|离退休|组织人事|教育培训")),
    (GENERAL, re.compile(r"文秘|文电|公文|会务|后勤|档案|保密|政务公开|督查|督办|安全保卫|信息化|"
                         r"新闻宣传|办公室|交办的其他|其他任务")),
)
# Work categories (app.core.vocab.COMMON_CATEGORIES) of entries that name no duty.
_CATEGORY = {"业务工作": BUSINESS, "检查调研": BUSINESS, "审批服务": BUSINESS, "党建工作": PARTY,
             "信访接待": PETITION}


def guess(content: str, duty_class: str | None = None) -> str:
    """The task type a duty's text and 职能类别 suggest. Petitions and complaints (信访, 12315
    投诉举报) are 信访投诉 whatever their class; any other 核心 duty is the unit's 主责主业:
    业务工作 whatever it names (a 组织部's 干部 work, a 财政局's 预算 are their business). Other
    duties by their words; an 辅助 duty nothing names is 综合性工作, a 一般 one 业务工作."""
    content = content or ""
    if duty_class == "核心":
        return PETITION if _PETITION.search(content) and not _RUNNING.search(content) else BUSINESS
    for kind, pattern in _RULES:
        if pattern.search(content):
            return kind
    return GENERAL if duty_class == "辅助" else BUSINESS


def effective(stored: str | None, content: str, duty_class: str | None) -> str:
    """The task type a duty counts as: its own, else the guess."""
    return stored if stored in TASK_TYPES else guess(content, duty_class)


def of_category(category: str | None) -> str:
    """The task type of an entry that names no duty, by its work category."""
    return _CATEGORY.get(category or "", GENERAL)


def parse(text: str | None) -> str | None:
    """A task type from what a person typed (full name or a short form); None if unknown."""
    text = (text or "").strip()
    return text if text in TASK_TYPES else ALIASES.get(text)


# ---------------------------------------------------------------- the split of a group
@dataclass(frozen=True)
class TaskTypeRow:
    task_type: str
    hours: float
    share: float | None           # of the group's hours; None when it logged none
    entries: int
    entry_share: float | None
    people: int                   # people with hours of this type
    people_share: float | None


@dataclass(frozen=True)
class TaskTypeTable:
    name: str                     # the group: unit, section, person
    period: Period
    people: int
    hours: float                  # = the sum of rows' hours = the group's 计入工时
    entries: int
    rows: list[TaskTypeRow]

    def hours_of(self, task_type: str) -> float:
        return next(r.hours for r in self.rows if r.task_type == task_type)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def table_of(name: str, period: Period, facts: list[PersonFacts]) -> TaskTypeTable:
    """The split of a group of counted people."""
    hours, entries, people = defaultdict(float), defaultdict(int), defaultdict(int)
    for f in facts:
        for kind, (h, n) in f.task_hours.items():
            hours[kind] += h
            entries[kind] += n
            if h > 0:
                people[kind] += 1
    kinds = list(TASK_TYPES) + sorted(k for k in hours if k not in TASK_TYPES)
    total_h = round(sum(f.logged_hours for f in facts), 2)
    total_n = sum(entries.values())
    rows = [TaskTypeRow(k, round(hours[k], 2), _share(hours[k], total_h), entries[k],
                        _share(entries[k], total_n), people[k], _share(people[k], len(facts)))
            for k in kinds]
    return TaskTypeTable(name, period, len(facts), total_h, total_n, rows)


@dataclass(frozen=True)
class TaskTypeView:
    """What the statistics page shows for one group: its split and each group below it."""
    total: TaskTypeTable
    children: list[TaskTypeTable]

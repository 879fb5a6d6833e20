"""Work items (工作事项) a unit's logs link to, and the traffic light of each one.

Seeds 000/001/002: a unit's 年度重点工作 (issued by the 编办 or set by the unit), 督办事项,
审批服务事项 and 工作计划 are tied to its 三定 duties, and the work logged on them is the evidence of
how they go (三定 — 年度绩效目标任务 — 履职结果; 红黄绿灯 on lagging tasks).

The light of an item (`light`), judged on `today`:

  已办结                                        → 绿
  审批服务事项 (counts per month, last 3 months):
      any 超时 件                                → 红
      nothing 受理 nor 办结 (零办理)               → 黄
      otherwise                                  → 绿
  other kinds, with a deadline (a 年度重点工作 without one: 31 December of its year):
      past the deadline                          → 红
      deadline within 15 days, no logged work    → 红
      deadline within 15 days                    → 黄
  any open item with no logged work in 30 days   → 黄
  otherwise                                      → 绿
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KEY_TASK = "年度重点工作"
SUPERVISED = "督办事项"
APPROVAL = "审批服务事项"
PLAN = "工作计划"
KINDS = (KEY_TASK, SUPERVISED, APPROVAL, PLAN)

RED, YELLOW, GREEN = "红", "黄", "绿"
LIGHTS = (RED, YELLOW, GREEN)
NEAR_DAYS = 15          # a deadline this close makes an open item yellow (red without work)
IDLE_DAYS = 30          # an open item without logged work this long is yellow
APPROVAL_MONTHS = 3     # an 审批服务事项 is judged on its counts of the last 3 months

RULE_TEXT = (f"红灯：已过截止日期未办结；或距截止日期{NEAR_DAYS}天内仍无履职记录；审批服务事项近"
             f"{APPROVAL_MONTHS}个月有超时件。\n"
             f"黄灯：距截止日期{NEAR_DAYS}天内未办结；或{IDLE_DAYS}天以上无履职记录；审批服务事项近"
             f"{APPROVAL_MONTHS}个月零办理。\n"
             "绿灯：其余（已办结的事项均为绿灯）。年度重点工作未填截止日期的，以当年12月31日为截止日期。")


@dataclass
class MonthCount:
    """审批服务事项: 受理 / 办结 / 超时 件数 in one month ('2026-10')."""
    period: str
    accepted: int = 0
    finished: int = 0
    overdue: int = 0


@dataclass
class ItemFacts:
    """What the light of an item is judged on (plain data: the 编办 caches it per unit)."""
    kind: str
    code: str
    title: str
    year: int | None = None
    deadline: str | None = None       # ISO day
    done_on: str | None = None        # ISO day the unit reported it 办结
    entries: int = 0                  # logged entries linked to it (submitted logs)
    hours: float = 0.0
    last_day: str | None = None       # the latest day with linked work
    counts: list[MonthCount] = field(default_factory=list)
    issued: bool = False              # issued by the 编办

    def to_json(self) -> dict:
        return {"kind": self.kind, "code": self.code, "title": self.title, "year": self.year,
                "deadline": self.deadline, "done_on": self.done_on, "entries": self.entries,
                "hours": self.hours, "last_day": self.last_day, "issued": self.issued,
                "counts": [[c.period, c.accepted, c.finished, c.overdue] for c in self.counts]}

    @classmethod
    def from_json(cls, d: dict) -> "ItemFacts":
        return cls(d["kind"], d["code"], d["title"], d.get("year"), d.get("deadline"),
                   d.get("done_on"), d.get("entries", 0), d.get("hours", 0.0), d.get("last_day"),
                   [MonthCount(*c) for c in d.get("counts") or ()], bool(d.get("issued")))


def effective_deadline(f: ItemFacts) -> dt.date | None:
    if f.deadline:
        return dt.date.fromisoformat(f.deadline)
    if f.kind == KEY_TASK and f.year:
        return dt.date(f.year, 12, 31)
    return None


def recent_months(today: dt.date, months: int = APPROVAL_MONTHS) -> list[str]:
    """The last `months` months up to today's, as '2026-10' keys."""
    keys, year, month = [], today.year, today.month
    for _ in range(months):
        keys.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys


def recent_counts(f: ItemFacts, today: dt.date) -> MonthCount:
    keys = set(recent_months(today))
    total = MonthCount("近期")
    for c in f.counts:
        if c.period in keys:
            total.accepted += c.accepted
            total.finished += c.finished
            total.overdue += c.overdue
    return total


def light(f: ItemFacts, today: dt.date) -> tuple[str, str]:
    """(红/黄/绿, the reason in Chinese) by the rule in this module's docstring."""
    if f.done_on:
        return GREEN, f"已于{f.done_on}办结"
    if f.kind == APPROVAL:
        c = recent_counts(f, today)
        span = f"近{APPROVAL_MONTHS}个月"
        if c.overdue:
            return RED, f"{span}超时{c.overdue}件（受理{c.accepted}件，办结{c.finished}件）"
        if not c.accepted and not c.finished:
            return YELLOW, f"{span}零办理"
        return GREEN, f"{span}受理{c.accepted}件，办结{c.finished}件，无超时"
    deadline = effective_deadline(f)
    if deadline is not None:
        left = (deadline - today).days
        if left < 0:
            return RED, f"已超过截止日期{deadline.isoformat()}共{-left}天，尚未办结"
        if left <= NEAR_DAYS and not f.entries:
            return RED, f"距截止日期{deadline.isoformat()}仅{left}天，尚无履职记录"
        if left <= NEAR_DAYS:
            return YELLOW, f"距截止日期{deadline.isoformat()}仅{left}天，尚未办结"
    if not f.last_day:
        return YELLOW, "尚无履职记录"
    idle = (today - dt.date.fromisoformat(f.last_day)).days
    if idle > IDLE_DAYS:
        return YELLOW, f"已{idle}天无履职记录（最近一次{f.last_day}）"
    return GREEN, f"进展正常：共{f.entries}条记录、{f.hours:g}小时，最近一次{f.last_day}"


def without_work(f: ItemFacts, today: dt.date) -> bool:
    """Listed apart: an open item nobody logged work on, or an 审批服务事项 with no case lately."""
    if f.done_on:
        return False
    if f.kind == APPROVAL:
        c = recent_counts(f, today)
        return not c.accepted and not c.finished
    return not f.entries


def red_count(facts: list[ItemFacts], today: dt.date) -> int:
    return sum(1 for f in facts if light(f, today)[0] == RED)


def key_task_count(facts: list[ItemFacts], year: int) -> int:
    """The year's 年度重点工作 in the unit's list (what 编制任务比 counts when there is a list)."""
    return sum(1 for f in facts if f.kind == KEY_TASK and f.year == year)

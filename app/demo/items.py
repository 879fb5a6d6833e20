"""Demo work items (工作事项): every kind, some overdue (red), some with logged work.

Made right after the organisation, before the logs: the log writer asks `DemoItems.link` to tie
some entries to an item carrying the entry's duty (the duty follows the item, as in the editor).
Items are relative to the demo's last day, so the lights are the same whenever the demo is made:
a 督办事项 past its deadline and a 年度重点工作 past its own (red), a 督办事项 due within 15 days
(yellow), an 审批服务事项 with 超时 cases (red) and one with no case (零办理), a 工作计划 nobody
logged work on, and items reported 办结. Its own random stream: the rest of the demo stays as it was.
"""
from __future__ import annotations

import datetime as dt
import random
import re

from app.core.items import APPROVAL, KEY_TASK, PLAN, SUPERVISED
from app.db.models import WorkItem, WorkItemCount, WorkItemDone, WorkItemDuty

LINK_SHARE = 0.35      # of the entries on a duty that has an open item


def _clause(text: str, limit: int = 22) -> str:
    head = re.split(r"[，。；、,;]", text)[0]
    head = re.sub(r"^(负责|承担|组织|贯彻执行|贯彻落实)", "", head)
    return head[:limit]


# (kind, code, title pattern, deadline in days after the last day or None, done, counts, linked)
_PLAN = (
    (KEY_TASK, "ZD01", "{year}年{c}提质增效", None, False, None, True),
    (KEY_TASK, "ZD02", "{year}年{c}专项行动", -12, False, None, True),
    (KEY_TASK, "ZD03", "{year}年{c}示范创建", None, True, None, True),
    (KEY_TASK, "ZD04", "{year}年{c}数字化改革", None, False, None, True),
    (SUPERVISED, "DB01", "县委督办：{c}问题整改", -9, False, None, True),
    (SUPERVISED, "DB02", "县政府督办：{c}情况报告", 10, False, None, True),
    (SUPERVISED, "DB03", "人大建议办理：{c}", -30, True, None, True),
    (SUPERVISED, "DB04", "政协提案办理：{c}", 75, False, None, True),
    (APPROVAL, "SP01", "{c}审批服务", None, False, "busy", True),
    (APPROVAL, "SP02", "{c}备案服务", None, False, "late", True),
    (APPROVAL, "SP03", "{c}证明事项", None, False, "none", False),
    (PLAN, "JH01", "第四季度{c}工作计划", 40, False, None, True),
    (PLAN, "JH02", "{c}调研计划", 55, False, None, False),
)


class DemoItems:
    """The demo's items and which entries link to them."""

    def __init__(self, seed: int):
        self.rng = random.Random(f"demo-items-{seed}")
        self.by_duty: dict[str, list[tuple[str, dt.date | None]]] = {}   # duty → (item, until)
        self.count = 0

    def link(self, drafts, day: dt.date) -> None:
        for e in drafts:
            open_items = [i for i, until in self.by_duty.get(e.duty_id, ()) if until is None or day <= until]
            if open_items and self.rng.random() < LINK_SHARE:
                e.item_id = self.rng.choice(open_items)


def add_items(db, unit_id: str, duties, sections, start: dt.date, end: dt.date,
              seed: int) -> DemoItems:
    """Write the demo items of a unit (its duties and sections as planned); returns the linker."""
    made = DemoItems(seed)
    rng = made.rng
    core = [d for d in duties if d.duty_class == "核心"] or list(duties)
    others = [d for d in duties if d not in core] or list(duties)
    section_of = {d.id: next((s for s in sections if d in s.duties), None) for d in duties}
    used: set[str] = set()
    with db.session() as s:
        for n, (kind, code, pattern, due, done, counts, linked) in enumerate(_PLAN, start=1):
            pool = [d for d in (core if kind in (KEY_TASK, SUPERVISED) else others) if d.id not in used] \
                or list(duties)
            picked = rng.sample(pool, min(len(pool), 2 if kind == KEY_TASK else 1))
            used.update(d.id for d in picked)
            deadline = end + dt.timedelta(days=due) if due is not None else None
            section = section_of.get(picked[0].id)
            item = WorkItem(unit_id=unit_id, kind=kind, code=code, sort_order=10 + n,
                            title=pattern.format(year=end.year, c=_clause(picked[0].content)),
                            year=end.year, deadline=deadline.isoformat() if deadline else None,
                            section_id=section.id if section else None, note="")
            s.add(item)
            s.flush()
            for d in picked:
                s.add(WorkItemDuty(item_id=item.id, duty_id=d.id))
            until = deadline
            if done:
                finished = end - dt.timedelta(days=20)
                s.add(WorkItemDone(item_id=item.id, done_on=finished.isoformat(), note="已按要求办结"))
                until = finished
            if counts:
                _counts(s, rng, item.id, start, end, counts)
            if linked:
                for d in picked:
                    made.by_duty.setdefault(d.id, []).append((item.id, until))
            made.count += 1
    return made


def _counts(s, rng: random.Random, item_id: str, start: dt.date, end: dt.date, how: str) -> None:
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        accepted = 0 if how == "none" else rng.randint(8, 30)
        finished = 0 if how == "none" else max(0, accepted - rng.randint(0, 3))
        overdue = rng.randint(1, 3) if how == "late" else 0
        s.add(WorkItemCount(item_id=item_id, period=f"{month.year}-{month.month:02d}",
                            accepted=accepted, finished=finished, overdue=overdue))
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


ISSUED = ("{year}年优化营商环境攻坚任务", "{year}年安全生产专项整治任务")


def issue_key_tasks(mirror, unit_id: str, year: int) -> None:
    """The county demo's 编办 issues two 年度重点工作 to a unit before writing its 注册包 (its own
    rows in the unit's mirror): the unit starts with them and ties them to its duties itself."""
    with mirror.session() as s:
        for n, pattern in enumerate(ISSUED, start=1):
            s.add(WorkItem(unit_id=unit_id, kind=KEY_TASK, code=f"XF0{n}", title=pattern.format(year=year),
                           year=year, deadline=None, section_id=None, note="编办下发", sort_order=n))

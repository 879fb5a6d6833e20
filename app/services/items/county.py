"""What the 编办 reads of a unit's work items: its red items and its 编制任务比 on the real list.

The unit's item facts are cached with its staffing snapshot at each import
(app.services.county.figures.staffing_payload, key "items"); lights are judged on the day the
county table is read. 编制任务比 counts the year's 年度重点工作 in the list when the unit has
any, else the number the 编办 registered (TaskRatio.source says which).
"""
from __future__ import annotations

import datetime as dt

from app.core.bureau import county as C
from app.core.items import ItemFacts, key_task_count, red_count


def unit_items(info: dict, quota: int, today: dt.date, year: int) -> tuple[int | None, C.TaskRatio]:
    """(red items or None without a list, 编制任务比) from a unit's cached staffing payload."""
    facts = [ItemFacts.from_json(d) for d in info.get("items") or ()]
    red = red_count(facts, today) if facts else None
    listed = key_task_count(facts, year)
    if listed:
        return red, C.task_ratio(info.get("task_class"), quota, listed, C.TASK_SOURCE_LIST)
    return red, C.task_ratio(info.get("task_class"), quota, info.get("key_tasks"),
                             C.TASK_SOURCE_TYPED)

"""The county demo's unit that reports late, so that the 编办's reminders and 通报 name one
(app.core.bureau.reminders): the small demo county's 总工会 (the seventh unit, an under-loaded
one) sent its last 上报包 a week into the last month — its logs end with the month before, its package is dated
the day after its reviewers' last day — and nothing since, so the last month's package is
overdue once the 编办's deadline (the 5th by default) has passed. The unit whose 审核率 is low
is the 疾控 already (app.demo.workload "lagging": its reviewers are a week behind).

`hold_back(jobs, until)` bends the late unit's generation job (app.demo.county._make_unit);
`sent_at(job)` is when that worker dates the unit's 上报包.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

LATE_UNIT = 6                     # index in the county plan: 沂河县总工会 in the small demo
LATE_LABEL = "上月上报包未报"
SENT_HOUR = dt.time(9, 30)
# the fields of a county job tuple (app.demo.county._make_unit)
MONTHS, END, LOAD, UNTIL = 6, 7, 10, 11


def month_before(end: dt.date) -> dt.date:
    """The last day of the month before `end`'s."""
    return end.replace(day=1) - dt.timedelta(days=1)


def hold_back(jobs: list[tuple], until: Callable[[dt.date, str], dt.date | None]) -> list[tuple]:
    """The jobs with the late unit's logs ending a month earlier (as many months back, at least
    one) and the day its 上报包 was made appended; `until(end, workload key)` is the county's
    reviewers' last day (app.demo.county.review_until)."""
    if len(jobs) <= LATE_UNIT:
        return jobs
    job = list(jobs[LATE_UNIT])
    end = month_before(job[END])
    job[MONTHS] = max(1, job[MONTHS] - 1)
    job[END] = end
    job[UNTIL] = until(end, job[LOAD])
    sent = dt.datetime.combine((job[UNTIL] or end) + dt.timedelta(days=1), SENT_HOUR)
    return [*jobs[:LATE_UNIT], (*job, min(sent, dt.datetime.now())), *jobs[LATE_UNIT + 1:]]


def sent_at(job: tuple) -> Callable[[], dt.datetime]:
    """When the worker dates the job's 上报包: the held-back unit's day, the others' now."""
    return (lambda: job[12]) if len(job) > 12 else dt.datetime.now


def held_back_dates(jobs: list[tuple]) -> dict:
    """{unit database path: when its packages are dated} for the held-back unit, so that a later
    package of the demo (the evaluation round's) does not cover the month it failed to report."""
    return {Path(job[1]): job[12] for job in jobs if len(job) > 12}


def label(made: list) -> None:
    """Name the late unit's case in the demo summary (各单位演示情形)."""
    if len(made) > LATE_UNIT:
        made[LATE_UNIT].workload += f"，{LATE_LABEL}"

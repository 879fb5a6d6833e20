"""SQL of the statistics (app.services.stats): grouped sums over the narrow fact table.

Rules kept here (docs/ARCHITECTURE.md "Known traps"):
- rows are pruned by the integer `month` column (index ix_log_entry_month / ix_work_log_month_state)
  and, only when the period is not made of whole months, also by `day`; never substr(day, …);
- aggregation happens in SQLite (GROUP BY), Python receives groups, not entries;
- which entries count is decided by their log's derived review status (work_log.status).

Counted entries are computed as "every live entry of the period" minus "the entries of the
period's logs that do not count" (not in the counted statuses, or tombstoned). Both parts are
grouped sums; the second is small (a unit's logs still in review or in draft), so the large part
needs no join with work_log. Exact: counts of entries are subtracted too, so a group whose entries
all fall away is dropped, not left at 0.0 hours. It relies on an entry's day and month being its
log's, which app.services.logs guarantees (entries are written with their log's day and month).
tests/bench/bench_stats.py measures it against the join of every counted entry with its log.
No index was added for the statistics: a covering index log_entry(month, person_id, category,
duty_id, hours, deleted) gained little (tests/bench/README.md), and the page meets its target
without one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core import task_types, vocab
from app.core.metrics import Period
from app.db.models import (Duty, DutySection, LogEntry, Person, PostDuty, Section, Unit,
                           WorkCategory, WorkLog)

ALL_STATUSES = (vocab.LOG_DRAFT, vocab.LOG_SUBMITTED, vocab.LOG_RETURNED, vocab.LOG_APPROVED)
SUBMITTED_STATUSES = (vocab.LOG_SUBMITTED, vocab.LOG_APPROVED)


@dataclass(frozen=True)
class PersonRow:
    id: str
    login: str
    name: str
    role: str
    section_id: str | None
    staffing_type: str | None
    status: str
    is_admin: bool
    deleted: bool


@dataclass(frozen=True)
class DutyRow:
    id: str
    code: str
    duty_class: str
    active: bool
    deleted: bool
    task_type: str = ""             # the type it counts as (app.core.task_types.effective)


def _rows(s: Session, stmt) -> list:
    """Execute on the session's connection: Core rows, without the ORM's result processing, a
    noticeable share of the statistics page's time (tests/bench/README.md)."""
    return s.connection().execute(stmt).all()


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def period_filter(month_col, day_col, period: Period) -> list:
    conds = [month_col.between(period.first_month, period.last_month)]
    if not period.whole_months:
        conds.append(day_col.between(period.start.isoformat(), period.end.isoformat()))
    return conds


# ---------------------------------------------------------------- reference data
def unit_name(s: Session, unit_id: str | None) -> str:
    query = select(Unit.name).where(Unit.deleted.is_(False))
    if unit_id:
        query = query.where(Unit.id == unit_id)
    return s.scalar(query.limit(1)) or "本单位"


def persons(s: Session) -> list[PersonRow]:
    """Every person row, tombstoned ones too (a removed person's counted logs still count)."""
    return [PersonRow(*row) for row in _rows(s, select(
        Person.id, Person.login, Person.name, Person.role, Person.section_id, Person.staffing_type,
        Person.status, Person.is_admin, Person.deleted))]


def sections(s: Session) -> list[tuple[str, str]]:
    """(id, name) of live sections in display order."""
    return list(s.execute(select(Section.id, Section.name).where(Section.deleted.is_(False))
                          .order_by(Section.sort_order, Section.name)).all())


def duties(s: Session, unit_id: str | None) -> list[DutyRow]:
    """All duty rows of the unit in display order (inactive and tombstoned ones too: an entry
    linked to them keeps its duty class)."""
    query = select(Duty.id, Duty.code, Duty.duty_class, Duty.active, Duty.deleted, Duty.task_type,
                   Duty.content).order_by(Duty.sort_order, Duty.code)
    if unit_id:
        query = query.where(Duty.unit_id == unit_id)
    return [DutyRow(*row[:5], task_types.effective(row[5], row[6], row[2])) for row in _rows(s, query)]


def section_duty_links(s: Session) -> list[tuple[str, str]]:
    """(section id, duty id) of live 承担科室 links."""
    return list(s.execute(select(DutySection.section_id, DutySection.duty_id)
                          .where(DutySection.deleted.is_(False))).all())


def post_duty_links(s: Session) -> list[tuple[str, str]]:
    """(person id, duty id) of live 岗位职责 links."""
    return list(s.execute(select(PostDuty.person_id, PostDuty.duty_id)
                          .where(PostDuty.deleted.is_(False))).all())


def category_order(s: Session) -> list[str]:
    return list(s.scalars(select(WorkCategory.name).where(WorkCategory.deleted.is_(False))
                          .order_by(WorkCategory.sort_order, WorkCategory.name)))


# ---------------------------------------------------------------- entries
_ENTRY_COLUMNS = ("person_id", "category", "duty_id", "day", "month")


def _period_sql(alias: str, period: Period) -> tuple[str, list]:
    sql, params = f"{alias}.month BETWEEN ? AND ?", [period.first_month, period.last_month]
    if not period.whole_months:
        sql += f" AND {alias}.day BETWEEN ? AND ?"
        params += [period.start.isoformat(), period.end.isoformat()]
    return sql, params


def entry_sums(s: Session, period: Period, statuses: Sequence[str] | None,
               columns: Sequence[str], person_ids: Iterable[str] | None = None
               ) -> dict[tuple, list]:
    """{(values of `columns`): [hours, entries]} over the entries that count in P.

    `statuses`: the log statuses that count (None: every live log). `columns` are log_entry
    column names to group by; `person_ids` limits the authors. Plain driver SQL: these two
    statements are the statistics' floor, and building them as SQLAlchemy expressions cost
    more than executing the smaller one."""
    if not columns or any(c not in _ENTRY_COLUMNS for c in columns):
        raise ValueError(f"entry_sums: columns must be among {_ENTRY_COLUMNS}")
    cols = ", ".join(f"e.{c}" for c in columns)
    groups = ", ".join(str(i + 1) for i in range(len(columns)))
    live, live_params = "e.deleted = 0", []
    if person_ids is not None:
        ids = list(person_ids)
        if not ids:
            return {}
        live += f" AND e.person_id IN ({_marks(len(ids))})"
        live_params = ids
    conn = s.connection()
    where, params = _period_sql("e", period)
    total = (f"SELECT {cols}, sum(e.hours), count(*) FROM log_entry e "
             f"WHERE {where} AND {live} GROUP BY {groups}")
    sums = {tuple(row[:-2]): [row[-2] or 0.0, row[-1]]
            for row in conn.exec_driver_sql(total, tuple(params + live_params)).all()}
    if not sums:
        return sums
    # The entries of the period's logs that do not count: driven from work_log (its month
    # index), then the entries of each such log.
    where, params = _period_sql("w", period)
    not_counted, status_params = "w.deleted = 1", []
    if statuses is not None:
        not_counted = f"(w.deleted = 1 OR w.status NOT IN ({_marks(len(statuses))}))"
        status_params = list(statuses)
    minus = (f"SELECT {cols}, sum(e.hours), count(*) FROM work_log w "
             f"JOIN log_entry e ON e.log_id = w.id "
             f"WHERE {where} AND {not_counted} AND {live} GROUP BY {groups}")
    for row in conn.exec_driver_sql(minus, tuple(params + status_params + live_params)).all():
        key = tuple(row[:-2])
        group = sums[key]
        group[0] -= row[-2] or 0.0
        group[1] -= row[-1]
        if group[1] <= 0:
            del sums[key]
    return sums


def last_month_with_approved_logs(s: Session, before: int) -> int | None:
    """The latest `month` value (202611) below `before` with a finally approved log."""
    return s.scalar(select(func.max(WorkLog.month)).where(
        WorkLog.month < before, WorkLog.status == vocab.LOG_APPROVED, WorkLog.deleted.is_(False)))


def pending_sums(s: Session, period: Period, by_month: bool = False) -> list[tuple]:
    """(person, [month,] logs, hours) of the period's logs submitted and still waiting for review:
    the work that is done but not yet counted. Few rows (the review backlog), read by the
    work_log month index."""
    where, params = _period_sql("w", period)
    month = "w.month, " if by_month else ""
    sql = (f"SELECT w.person_id, {month}count(DISTINCT w.id), "
           f"coalesce(sum(CASE WHEN e.deleted = 0 THEN e.hours END), 0) "
           f"FROM work_log w LEFT JOIN log_entry e ON e.log_id = w.id "
           f"WHERE {where} AND w.deleted = 0 AND w.status = ? "
           f"GROUP BY w.person_id{', w.month' if by_month else ''}")
    return s.connection().exec_driver_sql(sql, tuple(params + [vocab.LOG_SUBMITTED])).all()


def entry_rows(s: Session, period: Period, statuses: Sequence[str] | None,
               person_ids: Iterable[str] | None = None, category: str | None = None,
               duty_ids: Sequence[str | None] | None = None, limit: int | None = None):
    """The counted entries themselves (for drill-down), oldest first: no text is read."""
    query = (select(LogEntry.id, LogEntry.log_id, LogEntry.person_id, LogEntry.day, LogEntry.seq,
                    LogEntry.hours, LogEntry.category, LogEntry.duty_id, LogEntry.secret,
                    WorkLog.status)
             .join(WorkLog, WorkLog.id == LogEntry.log_id)
             .where(*period_filter(LogEntry.month, LogEntry.day, period),
                    LogEntry.deleted.is_(False), WorkLog.deleted.is_(False))
             .order_by(LogEntry.day, LogEntry.person_id, LogEntry.seq))
    if statuses is not None:
        query = query.where(WorkLog.status.in_(list(statuses)))
    if person_ids is not None:
        query = query.where(LogEntry.person_id.in_(list(person_ids)))
    if category is not None:
        query = query.where(LogEntry.category == category)
    if duty_ids is not None:
        ids = [d for d in duty_ids if d]
        cond = LogEntry.duty_id.in_(ids)
        query = query.where(or_(cond, LogEntry.duty_id.is_(None)) if None in duty_ids else cond)
    if limit is not None:
        query = query.limit(limit)
    return _rows(s, query)


# ---------------------------------------------------------------- logs
# A log's group (person, on a working day?, leave state?, status), and each group's count with its
# review timeliness: approved on time, approved late, waiting past the deadline (d: the deadline
# of the log's submission day; parameters: _counts_params).
_LOG_GROUP = """w.person_id,
       {working} AS working,
       w.day_state IN ({leave_states}) AS leave,
       w.status"""
_LOG_COUNTS = """count(*),
       sum(w.status = ? AND substr(w.approved_at, 1, 10) <= d.last_day),
       sum(w.status = ? AND substr(w.approved_at, 1, 10) > d.last_day),
       sum(w.status = ? AND d.last_day < ?)"""
_LOG_FACTS = f"""
WITH deadline(day, last_day) AS MATERIALIZED (VALUES {{deadline_rows}})
SELECT {_LOG_GROUP},
       {_LOG_COUNTS}
FROM work_log w
LEFT JOIN deadline d ON d.day = substr(w.submitted_at, 1, 10)
WHERE w.deleted = 0 AND w.month BETWEEN ? AND ?{{day_filter}}
GROUP BY 1, 2, 3, 4
"""


def _counts_params(today: str) -> list[str]:
    return [vocab.LOG_APPROVED, vocab.LOG_APPROVED, vocab.LOG_SUBMITTED, today]


def _working_sql(period_days: list[str], working_days: set[str]) -> tuple[str, list[str]]:
    """SQL telling whether w.day is a working day, with the shorter of the two day lists."""
    off = [d for d in period_days if d not in working_days]
    if not off:
        return "1", []
    if len(off) < len(working_days):
        return f"w.day NOT IN ({_marks(len(off))})", off
    days = sorted(working_days)
    return (f"w.day IN ({_marks(len(days))})" if days else "0"), days


def _deadline_rows(deadlines: dict[str, str]) -> tuple[str, list[str]]:
    rows = sorted(deadlines.items()) or [("", "")]
    return ", ".join("(?, ?)" for _ in rows), [x for row in rows for x in row]


def log_facts(s: Session, period: Period, period_days: list[str], working_days: set[str],
              deadlines: dict[str, str], today: str):
    """Live logs of P counted by (person, on a working day?, leave state?, status), with the
    review timeliness of each group: (person, working, leave, status, logs, approved on time,
    approved late, waiting past the deadline). `deadlines` maps a submission day to the last day
    an approval is on time (metrics.review_deadline); a submission day outside the map (clock
    skew) leaves the log out of the timeliness counts.

    One scan of work_log by its month index; the deadline of each log is found through a small
    constant table (SQLite builds an automatic index on it). Measured on a demo unit-year: 38 ms,
    against 79 ms for the same numbers from two queries (counts, then submission and approval
    days grouped per person). Plain driver SQL with positional parameters: SQLAlchemy's text()
    took 8 ms to parse the ~800 named parameters of a year's deadline table."""
    working, days = _working_sql(period_days, working_days)
    deadline_rows, deadline_params = _deadline_rows(deadlines)
    leave = vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS
    sql = _LOG_FACTS.format(deadline_rows=deadline_rows, working=working,
                            leave_states=_marks(len(leave)),
                            day_filter="" if period.whole_months else " AND w.day BETWEEN ? AND ?")
    params = deadline_params + days + list(leave) + _counts_params(today) + [
        period.first_month, period.last_month]
    if not period.whole_months:
        params += [period.start.isoformat(), period.end.isoformat()]
    return s.connection().exec_driver_sql(sql, tuple(params)).all()


_MONTH_WINDOWS = """
WITH deadline(day, last_day) AS MATERIALIZED (VALUES {deadline_rows}),
     month_window(month, first_day, last_day) AS MATERIALIZED (VALUES {window_rows})
"""
_LOG_FACTS_BY_MONTH = _MONTH_WINDOWS + f"""
SELECT w.month, {_LOG_GROUP},
       {_LOG_COUNTS}
FROM work_log w
JOIN month_window m ON m.month = w.month
LEFT JOIN deadline d ON d.day = substr(w.submitted_at, 1, 10)
                    AND d.day BETWEEN m.first_day AND m.last_day
WHERE w.deleted = 0 AND w.month BETWEEN ? AND ?
GROUP BY 1, 2, 3, 4, 5
"""
_LOGS_OUTSIDE_THEIR_WINDOW = _MONTH_WINDOWS + f"""
SELECT w.month, {_LOG_GROUP}, substr(w.submitted_at, 1, 10), substr(w.approved_at, 1, 10)
FROM work_log w
JOIN month_window m ON m.month = w.month
WHERE w.deleted = 0 AND w.month BETWEEN ? AND ? AND w.submitted_at IS NOT NULL
  AND substr(w.submitted_at, 1, 10) NOT BETWEEN m.first_day AND m.last_day
"""


def log_facts_by_month(s: Session, span: Period, span_days: list[str], working_days: set[str],
                       deadlines: dict[str, str], windows: dict[int, tuple[str, str]], today: str):
    """log_facts for the whole months of `span` at once, for periods made of whole months.

    Returns (groups, outside): groups are log_facts rows with the `month` in front, whose
    timeliness counts only logs submitted within their own month's window (`windows`: month →
    first and last submission day that counts); `outside` lists the other submitted logs one by
    one — (month, person, working, leave, status, submission day, approval day) — for the caller
    to count against each period's wider window. A quarter's or a year's window holds each of
    its months' windows (it starts no later and ends no earlier), so the groups add up."""
    working, days = _working_sql(span_days, working_days)
    deadline_rows, deadline_params = _deadline_rows(deadlines)
    window_params = [x for month, (first, last) in sorted(windows.items()) for x in (month, first, last)]
    leave = vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS
    head = dict(deadline_rows=deadline_rows, window_rows=", ".join("(?, ?, ?)" for _ in windows),
                working=working, leave_states=_marks(len(leave)))
    common = deadline_params + window_params + days + list(leave)
    conn = s.connection()
    groups = conn.exec_driver_sql(_LOG_FACTS_BY_MONTH.format(**head), tuple(
        common + _counts_params(today) + [span.first_month, span.last_month])).all()
    outside = conn.exec_driver_sql(_LOGS_OUTSIDE_THEIR_WINDOW.format(**head), tuple(common + [
        span.first_month, span.last_month])).all()
    return groups, outside


def person_logs(s: Session, person_id: str, period: Period):
    """(log id, day, status, day state, hours, entries) of one person's live logs in P."""
    return _rows(s,
        select(WorkLog.id, WorkLog.day, WorkLog.status, WorkLog.day_state,
               func.coalesce(func.sum(LogEntry.hours), 0.0), func.count(LogEntry.id))
        .outerjoin(LogEntry, (LogEntry.log_id == WorkLog.id) & LogEntry.deleted.is_(False))
        .where(WorkLog.person_id == person_id, WorkLog.deleted.is_(False),
               *period_filter(WorkLog.month, WorkLog.day, period))
        .group_by(WorkLog.id))

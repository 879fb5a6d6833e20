"""Merging a package's rows into a database as they are read, inside the import's one transaction.

Incoming rows are validated column by column and handled in batches per table: the batch's ids
are looked up in the database (skipped for a table that held no rows when the package began, the
first import of a unit), which counts new / changed / stale rows and finds rows the sender does
not own; then, when writing, the new ids are INSERTed and the newer versions written by an
INSERT … ON CONFLICT DO UPDATE that keeps, per row id, the greater (hlc, origin): last-writer-wins,
exact because every row has a single owner (docs/ARCHITECTURE.md "Data and sync model"). A
preview does the same without writing. Rows go into the database file at once, not through
staging tables: the caller's transaction makes the package all-or-nothing (a problem found later
rolls back what was written), and the staging copy cost a third of a county import
(tests/bench/bench_sync.py).

Ownership: a row belongs to the side that created it, and only that side ever writes it, so the
`origin` of any version tells the owner — the 编办's origin, or one of the unit's PCs. A unit's
package may not carry rows with the 编办's origin nor touch rows the 编办 wrote; a 编办 package
may carry only the 编办's own rows of the tables it keeps (BUREAU_TABLES).

Remote HLCs are not fed into the local clock on purpose: single-writer rows of two owners never
compete, so a wrong clock on a unit PC cannot make its rows win over the 编办's (or the reverse).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Callable

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.engine import Connection

from app.core.errors import AppError
from app.core.table_names import table_name
from app.db.engine import in_chunks
from app.db.models import Base, SYNCED_TABLES
from app.sync import restored_days

# Tables the 编办 writes for a unit (registration, quotas, 三定 duties it issues, evaluation:
# indicator systems, rounds, its scores and the problems it found).
BUREAU_TABLES = frozenset({"unit", "staffing_quota", "duty", "indicator_template", "indicator_item",
                           "eval_round", "round_unit", "bureau_score", "problem",
                           "monthly_feedback", "work_item", "work_item_duty",
                           "score_adjustment",
                           "unit_decision"})
# Tables a unit never writes once enrolled (the 编办 owns them; duties can be either's).
UNIT_FORBIDDEN = BUREAU_TABLES - {"duty", "work_item", "work_item_duty"}
# Never leave a unit: password hashes and personal templates.
UNIT_PRIVATE = frozenset({"credential", "log_template"})
# A change here can change the review chain of any log: recompute every log's derived state.
CHAIN_TABLES = frozenset({"person", "section", "section_charge", "setting", "delegation"})
BATCH = 5000
FAR_FUTURE_MS = 30 * 86_400_000        # rows stamped more than 30 days ahead are refused
LOG_ID_COLUMN = {"work_log": "id", "review_action": "log_id"}
# Rows that change what a log says: the import re-checks their logs (app.services.exchange.recheck).
CONTENT_COLUMN = {"log_entry": "log_id", "entry_text": "id", "attachment": "entry_id"}
_HLC = re.compile(r"\d{13}-\d{5}\Z")
_HLCS = re.compile(r"(?:\d{13}-\d{5}\n)*\Z")        # HLCs joined by newlines
_HLC_LENGTH = 20                                       # with its newline
SORTED = [t.name for t in Base.metadata.sorted_tables if t.name in SYNCED_TABLES]


class MergeError(AppError):
    """The package's rows cannot be merged; nothing was written."""


def exported_columns(table: str) -> list[str]:
    """The columns a package carries for a table: everything except locally derived values."""
    return [c.name for c in Base.metadata.tables[table].columns if not c.info.get("derived")]


def _types(column) -> frozenset[type]:
    """The value types a column accepts from a package."""
    kind = column.type
    if isinstance(kind, Boolean):
        types = {bool}
    elif isinstance(kind, Integer):
        types = {int}
    elif isinstance(kind, Float):
        types = {int, float}
    elif isinstance(kind, (String, Text)):
        types = {str}
    else:
        raise TypeError(f"no package check for {column.type!r}")
    return frozenset(types | ({type(None)} if column.nullable else set()))


def _limit(column) -> int | None:
    """The length limit of a string column (None: unlimited, or not a string column)."""
    return getattr(column.type, "length", None) if isinstance(column.type, (String, Text)) else None


def _checker(column) -> Callable[[object], bool]:
    """One value against its column: its type, its length, the HLC format."""
    types, limit, hlc = _types(column), _limit(column), column.name == "hlc"
    return lambda v: (type(v) in types and (limit is None or type(v) is not str or len(v) <= limit)
                      and (not hlc or _HLC.match(v) is not None))


@dataclass
class TableCount:
    new: int = 0
    changed: int = 0
    same: int = 0          # the very version here already (skipped)
    stale: int = 0         # older than what is here already (skipped)

    @property
    def written(self) -> int:
        return self.new + self.changed


@dataclass
class MergePlan:
    counts: dict[str, TableCount] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    future_rows: int = 0   # rows stamped more than a day ahead of this PC's clock
    replaced_logs: int = 0  # logs of days a unit restored from a backup wrote again

    @property
    def written(self) -> int:
        return sum(c.written for c in self.counts.values())


@dataclass
class SenderRule:
    """Who is sending: which origins and tables its rows may have, and whose rows it may touch."""
    bureau_origin: str
    from_bureau: bool

    def origin_ok(self, origin: str) -> bool:
        return (origin == self.bureau_origin) == self.from_bureau

    def table_ok(self, table: str) -> bool:
        if self.from_bureau:
            return table in BUREAU_TABLES
        return table not in UNIT_FORBIDDEN and table not in UNIT_PRIVATE


@dataclass
class _Spec:
    """How one table's rows are checked, buffered and merged (indexes count the table name as 0)."""
    cols: list[str]
    checks: list[Callable[[object], bool]]
    types: list[frozenset[type]]       # accepted value types per column
    limits: list[tuple[int, int]]      # (index, length limit) of the limited string columns
    id: int
    hlc: int
    origin: int
    insert: str
    upsert: str                        # keeps the row with the greater (hlc, origin)
    was_empty: bool                    # no row when the package began: every id is new
    count: TableCount = field(default_factory=TableCount)
    buffer: list = field(default_factory=list)
    runs: list[tuple[int, int]] = field(default_factory=list)   # (buffer index, its line number)
    ids: set = field(default_factory=set)
    month: int | None = None           # index of `month` (logs and entries: county periods)
    log_id: int | None = None          # index of the log id (work_log.id, review_action.log_id)
    content_of: int | None = None      # index of the log or entry id a content row belongs to
    day_key: tuple[int, int] | None = None   # work_log's person and day (restored_days)

    def line(self, index: int) -> int:
        """The change line number of buffered row `index`."""
        start, line = self.runs[bisect_right(self.runs, (index, 1 << 62)) - 1]
        return line + index - start


class Merger:
    """Rows of one package: checked as they are read and, with `write`, merged into `conn`'s
    database batch by batch. finish() returns the plan; nothing is committed here."""

    def __init__(self, conn: Connection, columns: dict[str, list[str]], rule: SenderRule,
                 now_millis: int, *, write: bool):
        self.conn = conn
        self.rule = rule
        self.write = write
        self.future_limit = now_millis + 86_400_000
        self.future_rows = 0
        self.replaced_logs = 0                      # logs of days a restored unit wrote again
        self.problems: dict[str, int] = {}          # table → rows owned by the other side
        self.logs: set[str] = set()                 # logs whose derived review state may change
        self.months: set[int] = set()               # log months of the rows written
        self.content_logs: set[str] = set()         # logs whose entries were written
        self.content_entries: set[str] = set()      # entries whose text or files were written
        self.holidays: list[tuple] = []             # (day, kind, deleted) of calendar rows that win
        self.tables: dict[str, _Spec] = {}
        self._bureau_origin, self._from_bureau = rule.bureau_origin, rule.from_bureau
        # an HLC sorts as text: later than this one = its milliseconds beyond the limit
        self._future_hlc = f"{self.future_limit:013d}-99999"
        # a row stamped this far ahead wins every later edit by last-writer-wins: refused
        self._far_hlc = f"{self.future_limit + FAR_FUTURE_MS:013d}-99999"
        if write:
            self.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table, cols in columns.items():
            self._prepare(table, cols)

    def _prepare(self, table: str, cols) -> None:
        if table not in SYNCED_TABLES:
            raise MergeError(f"同步包含有本程序不认识的数据表“{table}”（发送方程序版本可能较新）")
        if not self.rule.table_ok(table):
            who = "编办" if self.rule.from_bureau else "单位"
            raise MergeError(f"同步包含有{who}无权写入的数据（表“{table}”）")
        known = {c.name: c for c in Base.metadata.tables[table].columns}
        expected = exported_columns(table)
        if not isinstance(cols, list) or any(c not in expected for c in cols) or len(set(cols)) != len(cols):
            raise MergeError(f"同步包中表“{table}”的字段与本程序不符（发送方程序版本可能不同）")
        missing = [c for c in expected if c not in cols and not known[c].nullable]
        if missing:
            raise MergeError(f"同步包中表“{table}”缺少字段：{'、'.join(missing)}，请发送方升级程序后重新导出")
        for needed in ("id", "hlc", "origin", "deleted"):
            if needed not in cols:
                raise MergeError(f"同步包中表“{table}”缺少字段 {needed}")
        quoted = ", ".join(f'"{c}"' for c in cols)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
        insert = f'INSERT INTO main."{table}" ({quoted}) VALUES ({", ".join("?" * len(cols))})'
        upsert = (f'{insert} ON CONFLICT(id) DO UPDATE SET {updates} '
                  f'WHERE (excluded.hlc, excluded.origin) > (main."{table}".hlc, main."{table}".origin)')
        was_empty = self.conn.exec_driver_sql(f'SELECT 1 FROM main."{table}" LIMIT 1').first() is None
        limits = [(i + 1, _limit(known[c])) for i, c in enumerate(cols) if _limit(known[c])]
        spec = _Spec(list(cols), [_checker(known[c]) for c in cols], [_types(known[c]) for c in cols],
                     limits, cols.index("id") + 1,
                     cols.index("hlc") + 1, cols.index("origin") + 1, insert, upsert, was_empty)
        if table in ("work_log", "log_entry") and "month" in cols:
            spec.month = cols.index("month") + 1
        if table in LOG_ID_COLUMN and LOG_ID_COLUMN[table] in cols:
            spec.log_id = cols.index(LOG_ID_COLUMN[table]) + 1
        if table in CONTENT_COLUMN and CONTENT_COLUMN[table] in cols:
            spec.content_of = cols.index(CONTENT_COLUMN[table]) + 1
        if table == "work_log" and not self._from_bureau and not was_empty:
            spec.day_key = cols.index("person_id") + 1, cols.index("day") + 1
        self.tables[table] = spec

    def add_rows(self, rows: list[list], first_line: int) -> None:
        """Take rows [table, value, …] (change lines first_line, first_line + 1, …) and buffer
        them per table, a run of one table's rows at a time; they are checked a column at a time
        when their batch is flushed (a step per row and value cost more than the merge itself)."""
        tables = self.tables
        line = first_line
        for table, run in groupby(rows, key=itemgetter(0)):
            spec = tables.get(table)
            if spec is None:
                raise MergeError(f"同步包第{line}行的数据表“{table}”不在清单中")
            spec.runs.append((len(spec.buffer), line))
            before = len(spec.buffer)
            spec.buffer.extend(run)
            line += len(spec.buffer) - before
            if len(spec.buffer) >= BATCH:
                self._flush(table, spec)

    def _check_in_full(self, spec: _Spec, row: list, line_no: int) -> None:
        """Every value of one row against its column; raises on the first bad one."""
        table = row[0]
        values = row[1:]
        if len(values) != len(spec.cols):
            raise MergeError(f"同步包第{line_no}行（表“{table}”）字段数不符")
        for col, value, ok in zip(spec.cols, values, spec.checks):
            if not ok(value):
                raise MergeError(f"同步包第{line_no}行（表“{table}”）字段“{col}”的值不合格式：{value!r:.40}")

    def _check_batch(self, table: str, spec: _Spec, rows: list[list]) -> list[tuple]:
        """Every value of the rows, a column at a time: the row length, each column's value
        types, string lengths, the HLC format, an origin that is the sender's (a bad row is
        then checked on its own, for the message). Counts rows stamped far in the future.
        Returns the columns (0: the table name)."""
        def refuse(bad) -> None:
            n = next(i for i, row in enumerate(rows) if bad(row))
            self._check_in_full(spec, rows[n], spec.line(n))
            raise MergeError(f"同步包第{spec.line(n)}行（表“{table}”）的值不合格式")

        width = len(spec.cols) + 1
        if set(map(len, rows)) != {width}:
            refuse(lambda row: len(row) != width)
        columns = list(zip(*rows))
        for i, allowed in enumerate(spec.types, start=1):
            if not set(map(type, columns[i])) <= allowed:
                refuse(lambda row: type(row[i]) not in allowed)
        for i, limit in spec.limits:
            if max(map(len, filter(None, columns[i])), default=0) > limit:
                refuse(lambda row: row[i] and len(row[i]) > limit)
        hlcs = columns[spec.hlc]
        # one regex call, not one per row; the length makes a value with a newline in it fail
        joined = "\n".join(hlcs) + "\n"
        if len(joined) != _HLC_LENGTH * len(hlcs) or _HLCS.match(joined) is None:
            refuse(lambda row: not _HLC.match(row[spec.hlc]))
        for origin in set(columns[spec.origin]):
            if (origin == self._bureau_origin) != self._from_bureau:
                n = columns[spec.origin].index(origin)
                raise MergeError(f"同步包第{spec.line(n)}行（表“{table}”）不是发送方写的数据，拒绝导入")
        if max(hlcs) > self._future_hlc:
            self.future_rows += sum(hlc > self._future_hlc for hlc in hlcs)
            if max(hlcs) > self._far_hlc:
                n = hlcs.index(max(hlcs))
                raise MergeError(f"同步包第{spec.line(n)}行（表“{table}”）的时间戳比本机时间晚"
                                 f"{FAR_FUTURE_MS // 86_400_000}天以上：发送方电脑时钟错误或数据被篡改，拒绝导入")
        return columns

    def _flush(self, table: str, spec: _Spec) -> None:
        """Count the buffered rows against the database and write the new and newer ones."""
        rows = spec.buffer
        columns = self._check_batch(table, spec, rows)
        spec.buffer, spec.runs = [], []
        ids = spec.ids
        before = len(ids)
        ids.update(columns[spec.id])
        if len(ids) - before != len(rows):
            raise MergeError(f"同步包中表“{table}”有重复的记录")
        fresh, newer = rows, []          # a table empty when the package began: every row is new
        if not spec.was_empty:
            fresh, newer = self._sort_out(table, spec, rows, self._versions(table, columns[spec.id]))
            if fresh and newer or len(fresh) + len(newer) < len(rows):
                columns = list(zip(*(fresh + newer)))     # the written rows', the new ones first
        if spec.day_key is not None and fresh:
            self._replace_restored_days(spec, fresh)
        spec.count.new += len(fresh)
        spec.count.changed += len(newer)
        if not (fresh or newer):
            return
        if spec.month is not None:
            self.months.update(columns[spec.month])
        if spec.log_id is not None:
            self.logs.update(columns[spec.log_id])
        if table == "holiday" and {"day", "kind", "deleted"} <= set(spec.cols):
            self.holidays += zip(*(columns[spec.cols.index(c) + 1] for c in ("day", "kind", "deleted")))
        if spec.content_of is not None:
            (self.content_logs if table == "log_entry" else self.content_entries).update(
                columns[spec.content_of])
        if self.write and not self.problems:
            # Plain INSERT for the rows not here (this transaction holds the write lock, so none
            # can appear meanwhile): the upsert costs half as much again with foreign keys on.
            # The values: the columns read across again (no tuple per row built in Python).
            values = list(zip(*columns[1:]))
            for statement, part in ((spec.insert, values[:len(fresh)]), (spec.upsert, values[len(fresh):])):
                if part:
                    self.conn.exec_driver_sql(statement, part)

    def _replace_restored_days(self, spec: _Spec, fresh: list[list]) -> None:
        """New logs for days the mirror has another log of (the unit was restored from a
        backup and wrote those days again): the older logs go (app.sync.restored_days)."""
        person, day = spec.day_key
        doomed = restored_days.superseded_logs(self.conn, [
            (row[spec.id], row[person], row[day], row[spec.hlc], row[spec.origin]) for row in fresh])
        self.replaced_logs += len(doomed)
        if doomed and self.write and not self.problems:
            restored_days.remove_logs(self.conn, doomed)

    def _sort_out(self, table: str, spec: _Spec, rows: list[list],
                  existing: dict[str, tuple[str, str]]) -> tuple[list, list]:
        """The rows not here and the rows newer than here; counts the stale ones and notes
        rows of the other side's as a problem."""
        fresh, newer, at, hlc, origin = [], [], spec.id, spec.hlc, spec.origin
        for row in rows:
            here = existing.get(row[at])
            if here is None:
                fresh.append(row)
            elif (here[1] == self._bureau_origin) != self._from_bureau:   # the other side's row
                self.problems[table] = self.problems.get(table, 0) + 1
            elif (row[hlc], row[origin]) > here:
                newer.append(row)
            elif (row[hlc], row[origin]) == here:
                spec.count.same += 1
            else:
                spec.count.stale += 1
        return fresh, newer

    def _versions(self, table: str, ids: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        """(hlc, origin) of the rows among `ids` the database holds."""
        found = {}
        for chunk in in_chunks(ids):
            for row_id, hlc, origin in self.conn.exec_driver_sql(
                    f'SELECT id, hlc, origin FROM main."{table}" WHERE id IN ({", ".join("?" * len(chunk))})',
                    chunk):
                found[row_id] = (hlc, origin)
        return found

    def finish(self) -> MergePlan:
        """Handle the last rows; the plan of the whole package (problems: nothing may be kept)."""
        for table, spec in self.tables.items():
            if spec.buffer:
                self._flush(table, spec)
        owner = "单位" if self._from_bureau else "编办"
        return MergePlan(counts={t: spec.count for t, spec in self.tables.items()},
                         problems=[f"{table_name(t)}中有{n}条记录属于{owner}，发送方无权修改"
                                   for t, n in self.problems.items()],
                         future_rows=self.future_rows, replaced_logs=self.replaced_logs)

    @property
    def chain_changed(self) -> bool:
        """Rows were written that can change the review chain of any log."""
        return any(self.tables[t].count.written for t in CHAIN_TABLES & self.tables.keys())

"""Benchmark: the statistics (app.services.stats) of a demo unit over a year of logs.

    .venv/bin/python tests/bench/bench_stats.py [--months 12] [--people 60] [--runs 15]
                                                [--db FILE [--reuse]] [--approve-all]

Times unit_stats for the unit, section and person levels and stats_page (all three at once: what
the statistics page loads) over the whole generated period, each the median of --runs runs, and
against the raw-sqlite3 floor measured in the same run on the same file:
  - "same SQL": the statements the service sends (reference rows, the two grouped entry sums and
    the grouped log facts), executed with plain sqlite3, no ORM and no Python figure building;
  - "naive join": the textbook form (every counted entry joined with its log, grouped by person,
    category and duty) plus the same log query: what the service's SQL is meant to beat.
Reports figures; it is not a pass/fail test (docs/ARCHITECTURE.md "Tests"). Target: < 200 ms for
the page and ≤ 2× the floor.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import metrics as M  # noqa: E402
from app.services.stats import compute as stats, drill  # noqa: E402
from app.services.org.calendar import work_calendar  # noqa: E402
from app.demo.unit import generate_demo  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402

TARGET_MS = 200.0
WARMUP = 2


def timed_together(ops: dict, runs: int) -> dict[str, list[float]]:
    """Milliseconds per call of each operation, run round-robin (one of each per round, after
    warm-up rounds) so that a busy moment of the machine weighs on all of them alike."""
    samples = {label: [] for label in ops}
    for n in range(WARMUP + runs):
        for label, fn in ops.items():
            start = time.perf_counter()
            fn()
            if n >= WARMUP:
                samples[label].append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def approve_all(path: Path) -> int:
    """Every submitted log becomes finally approved (Core UPDATE of the derived columns)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute("""update work_log set status = 'approved', pending_level = 0,
                               approved_at = coalesce(approved_at, submitted_at)
                               where state = 'submitted' and status != 'approved'""").rowcount
    finally:
        conn.close()


# ---------------------------------------------------------------- raw sqlite3 floors
class Raw:
    """The statistics' SQL with plain sqlite3 (parameters prepared once, outside the timing)."""

    def __init__(self, conn: sqlite3.Connection, db, period: M.Period, today: dt.date):
        self.conn, self.period = conn, period
        calendar = work_calendar(db)
        working = {d.isoformat() for d in calendar.working_days(period.start, period.end)}
        off = [(period.start + dt.timedelta(days=i)).isoformat() for i in range(period.days)]
        off = [d for d in off if d not in working]
        self.working_sql, self.working_params = (
            (f"w.day not in ({','.join('?' * len(off))})", off) if len(off) < len(working)
            else (f"w.day in ({','.join('?' * len(working))})", sorted(working)))
        last = min(max(period.end, today), period.end + dt.timedelta(days=366))
        deadlines = M.review_deadlines(calendar, period.start, last, 3)
        self.deadline_params = [x.isoformat() for kv in sorted(deadlines.items()) for x in kv]
        self.deadline_rows = ",".join("(?, ?)" for _ in deadlines)
        self.months = (period.first_month, period.last_month)
        self.day_sql = "" if period.whole_months else " and {t}.day between ? and ?"
        self.day_params = [] if period.whole_months else [period.start.isoformat(),
                                                          period.end.isoformat()]
        self.today = today.isoformat()

    def reference(self) -> None:
        q = self.conn.execute
        q("select value from setting where key = 'review.overdue_days' and deleted = 0").fetchall()
        q("select day, kind from holiday where deleted = 0").fetchall()
        q("select id, login, name, role, section_id, staffing_type, status, is_admin, deleted "
          "from person").fetchall()
        q("select id, name from section where deleted = 0 order by sort_order, name").fetchall()
        q("select id, code, duty_class, active, deleted from duty order by sort_order, code").fetchall()
        q("select section_id, duty_id from duty_section where deleted = 0").fetchall()
        q("select person_id, duty_id from post_duty where deleted = 0").fetchall()
        q("select name from work_category where deleted = 0 order by sort_order, name").fetchall()
        q("select name from unit where deleted = 0 limit 1").fetchall()

    def log_facts(self) -> list:
        sql = f"""with deadline(day, last_day) as materialized (values {self.deadline_rows})
            select w.person_id, {self.working_sql}, w.day_state in ('请假', '公休'),
                   w.status, count(*),
                   sum(w.status = 'approved' and substr(w.approved_at, 1, 10) <= d.last_day),
                   sum(w.status = 'approved' and substr(w.approved_at, 1, 10) > d.last_day),
                   sum(w.status = 'submitted' and d.last_day < ?)
            from work_log w left join deadline d on d.day = substr(w.submitted_at, 1, 10)
            where w.deleted = 0 and w.month between ? and ?{self.day_sql.format(t='w')}
            group by 1, 2, 3, 4"""
        return self.conn.execute(sql, [*self.deadline_params, *self.working_params, self.today,
                                       *self.months, *self.day_params]).fetchall()

    def same_sql(self) -> None:
        self.reference()
        q = self.conn.execute
        e = self.day_sql.format(t="e")
        q(f"""select person_id, category, duty_id, sum(hours), count(*) from log_entry e
              where e.month between ? and ?{e} and e.deleted = 0 group by 1, 2, 3""",
          [*self.months, *self.day_params]).fetchall()
        q(f"""select e.person_id, e.category, e.duty_id, sum(e.hours), count(*) from work_log w
              join log_entry e on e.log_id = w.id
              where w.month between ? and ?{self.day_sql.format(t='w')}
                and (w.deleted = 1 or w.status not in ('approved')) and e.deleted = 0
              group by 1, 2, 3""", [*self.months, *self.day_params]).fetchall()
        self.log_facts()

    def naive(self) -> None:
        self.reference()
        e = self.day_sql.format(t="e")
        self.conn.execute(f"""select e.person_id, e.category, e.duty_id, sum(e.hours)
            from log_entry e join work_log w on w.id = e.log_id
            where e.month between ? and ?{e} and e.deleted = 0 and w.deleted = 0
              and w.status = 'approved' group by 1, 2, 3""",
                          [*self.months, *self.day_params]).fetchall()
        self.log_facts()


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--people", type=int, default=None, help="default: the 60-person demo unit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--db", type=Path, help="where to write the demo database (default: temp dir)")
    ap.add_argument("--reuse", action="store_true", help="use an existing --db instead of generating")
    ap.add_argument("--approve-all", action="store_true",
                    help="mark every submitted log approved first (on a copy), even when the "
                         "demo already approved ≥ 90 % of them")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="lzkp-bench-")
    path = args.db or Path(tmp.name) / "bench.sqlite"
    generation = None
    if not (args.reuse and path.exists()):
        end = dt.date.today().replace(day=1) - dt.timedelta(days=1)   # whole months up to last
        info = generate_demo(path, seed=args.seed, months=args.months, people=args.people,
                             overwrite=True, end=end)
        generation = info.elapsed
    conn = sqlite3.connect(path)
    first, last, submitted, approved = conn.execute(
        "select min(day), max(day), sum(state = 'submitted'), sum(status = 'approved') "
        "from work_log").fetchone()
    conn.close()
    approved_note = f"{approved:,} of {submitted:,} submitted logs finally approved"
    if args.approve_all or approved < 0.9 * submitted:
        copy = Path(tmp.name) / "approved.sqlite"
        src = open_database(path)          # checkpoints the WAL into the file on dispose
        src.dispose()
        shutil.copyfile(path, copy)
        approved_note += f"; {approve_all(copy):,} more approved on a copy for the benchmark"
        path = copy
    first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    month_end = (last_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    period = M.range_period(first_day.replace(day=1), month_end)   # whole months of the data

    db = open_database(path)
    raw_conn = sqlite3.connect(path)
    today = dt.date.today()
    raw = Raw(raw_conn, db, period, today)
    people, logs, entries = raw_conn.execute(
        "select (select count(*) from person), (select count(*) from work_log), "
        "(select count(*) from log_entry)").fetchone()
    page = stats.stats_page(db, period, today=today)
    some_person = page.persons[len(page.persons) // 2]
    some_section = page.sections[len(page.sections) // 2]

    ops = {
        "raw: same SQL": raw.same_sql,
        "raw: naive join": raw.naive,
        "unit_stats unit": lambda: stats.unit_stats(db, period, "unit", today=today),
        "unit_stats section": lambda: stats.unit_stats(db, period, "section", today=today),
        "unit_stats person": lambda: stats.unit_stats(db, period, "person", today=today),
        "stats_page (all 3)": lambda: stats.stats_page(db, period, today=today),
        "weekly_hours unit": lambda: drill.weekly_hours(db, period),
        "by_staffing_type": lambda: stats.by_staffing_type(db, period, today=today),
        "person_days": lambda: drill.person_days(db, some_person.key, period),
        "logs_behind section": lambda: drill.logs_behind(db, period, "section", some_section.key),
    }
    samples = timed_together(ops, args.runs)
    db.dispose()
    raw_conn.close()
    size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*") if f.is_file())

    print(f"Statistics benchmark — {people} people, {period.label} ({period.days} days, "
          f"{page.unit.working_days} working days): {logs:,} logs, {entries:,} entries")
    print(f"{approved_note}; counted: {page.unit.logged_hours:,.0f} h by {page.unit.people} people "
          f"in {len(page.sections)} sections")
    print(f"database {size / 1e6:.1f} MB ({path})" +
          (f", generated in {generation:.1f} s" if generation is not None else ", reused"))
    print(f"{args.runs} rounds after {WARMUP} warm-up rounds, operations interleaved; "
          "medians and p95 in ms\n")
    fs = statistics.median(samples["raw: same SQL"])
    fn = statistics.median(samples["raw: naive join"])
    header = (f"{'operation':<22}{'median':>9}{'p95':>9}{'/ same SQL':>12}{'/ naive':>9}  target")
    print(header)
    print("-" * len(header))
    for label, xs in samples.items():
        med = statistics.median(xs)
        line = f"{label:<22}{med:>9.1f}{p95(xs):>9.1f}"
        if label.startswith(("unit_stats", "stats_page")):
            verdict = "OK" if med < TARGET_MS and med <= 2 * fs else "SLOW"
            line += (f"{med / fs:>11.2f}×{med / fn:>8.2f}×  {verdict} "
                     f"(<{TARGET_MS:.0f} ms, ≤2× floor)")
        print(line)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the daily-log page against a demo unit with a year of logs.

    .venv/bin/python tests/bench/bench_log_page.py [--months 12] [--people 60] [--runs 50]
                                                   [--db FILE [--reuse]]

Times what the page does when it opens a day (logs.load_day + logs.month_overview +
log_tools.duty_choices + logs.category_names) and when the user saves one more entry
(logs.save_day; the day is restored untimed after each run), each against the raw-sqlite3 floor:
equivalent statements on the same file with plain sqlite3. Reports figures; it is not a pass/fail
test (docs/ARCHITECTURE.md "Tests"). Target: < 150 ms for each operation.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.logrules import EntryDraft  # noqa: E402
from app.services.logs import tools as log_tools, daily as logs  # noqa: E402
from app.services.org.actor import Actor  # noqa: E402
from app.demo.unit import generate_demo  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402

TARGET_MS = 150.0
WARMUP = 3


def timed(fn, runs: int, after=None) -> list[float]:
    """Milliseconds of `runs` calls of fn (after a warm-up); `after` runs untimed after each."""
    samples = []
    for n in range(WARMUP + runs):
        start = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - start) * 1000
        if after:
            after()
        if n >= WARMUP:
            samples.append(elapsed)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pick_person(conn: sqlite3.Connection) -> tuple[tuple, dt.date]:
    """A staff member with a year of logs whose latest log is an editable draft with entries."""
    row = conn.execute(
        """select p.id, p.login, p.name, p.role, p.section_id, l.day
           from work_log l join person p on p.id = l.person_id
           where l.state = 'draft' and l.day_state = '正常' and p.role = '科室人员'
             and l.day = (select max(day) from work_log where person_id = p.id)
           order by (select count(*) from log_entry where person_id = p.id) desc limit 1""").fetchone()
    if row is None:
        raise SystemExit("no staff member with a draft log on the last day: try another --seed")
    return row[:5], dt.date.fromisoformat(row[5])


# ---------------------------------------------------------------- raw sqlite3 floor
def raw_open_page(conn: sqlite3.Connection, person_id: str, section_id: str, day: dt.date) -> None:
    q = conn.execute
    log = q("select id, day_state, state, submitted_at, version from work_log "
            "where person_id = ? and day = ?", (person_id, day.isoformat())).fetchone()
    entries = q("""select e.id, e.hours, e.category, e.duty_id, e.start_time, e.end_time, e.secret,
                   t.content from log_entry e
                   left join entry_text t on t.id = e.id and t.deleted = 0
                   where e.log_id = ? and e.deleted = 0 order by e.seq""", (log[0],)).fetchall()
    ids = [e[0] for e in entries]
    marks = ",".join("?" * len(ids))
    q(f"select entry_id, filename, sha256, size from attachment where entry_id in ({marks}) "
      "and deleted = 0", ids).fetchall()
    q("select day, kind from holiday where deleted = 0").fetchall()           # working-day flag
    duty_ids = [e[3] for e in entries if e[3]]
    q(f"select id, code, content from duty where id in ({','.join('?' * len(duty_ids))})",
      duty_ids).fetchall()
    q("""select l.day, l.state, l.day_state, coalesce(sum(e.hours), 0) from work_log l
         left join log_entry e on e.log_id = l.id and e.deleted = 0
         where l.person_id = ? and l.month = ? and l.deleted = 0 group by l.id""",
      (person_id, day.year * 100 + day.month)).fetchall()
    q("select id, code, content, duty_class from duty where deleted = 0 and active = 1 "
      "order by sort_order, code").fetchall()
    q("select duty_id from post_duty where person_id = ? and deleted = 0", (person_id,)).fetchall()
    q("select duty_id from duty_section where section_id = ? and deleted = 0", (section_id,)).fetchall()
    q("select name from work_category where deleted = 0 and active = 1 "
      "order by sort_order, name").fetchall()


class RawSave:
    """The writes of saving one more entry: read the day, insert entry + text, update the header,
    append three outbox rows, commit. `undo` removes them again (untimed)."""

    def __init__(self, conn: sqlite3.Connection, person_id: str, day: dt.date):
        self.conn, self.person_id, self.day = conn, person_id, day.isoformat()
        self.log_id, self.hash = conn.execute(
            "select id, content_hash from work_log where person_id = ? and day = ?",
            (person_id, self.day)).fetchone()
        self.entry_id = None

    def save(self) -> None:
        c = self.conn
        c.execute("begin immediate")
        c.execute("select id, seq from log_entry where log_id = ?", (self.log_id,)).fetchall()
        self.entry_id = str(uuid.uuid4())
        stamp = f"{time.time_ns() // 1_000_000:013d}-00000"
        c.execute("""insert into log_entry (id, hlc, origin, deleted, log_id, person_id, day, month,
                     seq, hours, category, secret) values (?, ?, '', 0, ?, ?, ?, ?, 99, 2.0,
                     '业务工作', 0)""", (self.entry_id, stamp, self.log_id, self.person_id,
                                        self.day, int(self.day[:7].replace("-", ""))))
        c.execute("insert into entry_text (id, hlc, origin, deleted, content) values (?, ?, '', 0, ?)",
                  (self.entry_id, stamp, "基准测试：补充一条工作内容"))
        c.execute("update work_log set content_hash = ?, hlc = ? where id = ?",
                  ("x" * 64, stamp, self.log_id))
        c.executemany("insert into outbox (table_name, row_id, hlc) values (?, ?, ?)",
                      [("log_entry", self.entry_id, stamp), ("entry_text", self.entry_id, stamp),
                       ("work_log", self.log_id, stamp)])
        c.execute("commit")

    def undo(self) -> None:
        c = self.conn
        c.execute("begin immediate")
        c.execute("delete from entry_text where id = ?", (self.entry_id,))
        c.execute("delete from log_entry where id = ?", (self.entry_id,))
        c.execute("delete from outbox where row_id in (?, ?)", (self.entry_id, self.log_id))
        c.execute("update work_log set content_hash = ? where id = ?", (self.hash, self.log_id))
        c.execute("commit")


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--people", type=int, default=None, help="default: the 60-person demo unit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--db", type=Path, help="where to write the demo database (default: temp dir)")
    ap.add_argument("--reuse", action="store_true", help="use an existing --db instead of generating")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="lzkp-bench-")
    path = args.db or Path(tmp.name) / "bench.sqlite"
    generation = None
    if not (args.reuse and path.exists()):
        info = generate_demo(path, seed=args.seed, months=args.months, people=args.people,
                             overwrite=True)
        generation = info.elapsed
    db = open_database(path)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("pragma synchronous = NORMAL")        # as the app's engine sets it on WAL files
    people, log_count, entry_count = raw.execute(
        "select (select count(*) from person), (select count(*) from work_log), "
        "(select count(*) from log_entry)").fetchone()
    (person_id, login, name, role, section_id), day = pick_person(raw)
    actor = Actor(person_id, login, name, role, section_id, False)
    own_logs = raw.execute("select count(*) from work_log where person_id = ?", (person_id,)).fetchone()[0]

    parts = {
        "load_day": lambda: logs.load_day(db, actor, day),
        "month_overview": lambda: logs.month_overview(db, actor, day.year, day.month),
        "duty_choices": lambda: log_tools.duty_choices(db, actor),
        "category_names": lambda: logs.category_names(db),
    }

    def open_page():
        for fn in parts.values():
            fn()

    original = logs.load_day(db, actor, day)
    duty_id = original.entries[0].duty_id if original.entries else None

    def save_entry():
        extra = EntryDraft(hours=2.0, category="业务工作", content="基准测试：补充一条工作内容",
                           duty_id=duty_id)
        logs.save_day(db, actor, day, original.day_state, original.entries + [extra])

    def restore():
        logs.save_day(db, actor, day, original.day_state, original.entries)

    raw_save = RawSave(raw, person_id, day)
    results = [
        ("open the log page", timed(open_page, args.runs),
         timed(lambda: raw_open_page(raw, person_id, section_id, day), args.runs)),
        *[(f"  {label}", timed(fn, args.runs), None) for label, fn in parts.items()],
        ("save one more entry", timed(save_entry, args.runs, after=restore),
         timed(raw_save.save, args.runs, after=raw_save.undo)),
    ]
    db.dispose()
    raw.close()
    size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*") if f.is_file())

    print(f"Log page benchmark — {people} people, {args.months} months: {log_count:,} logs, "
          f"{entry_count:,} entries")
    print(f"database {size / 1e6:.1f} MB ({path})" +
          (f", generated in {generation:.1f} s" if generation is not None else ", reused"))
    print(f"person {login} ({name}, {own_logs} logs), day {day.isoformat()}, "
          f"{len(original.entries)} entries; {args.runs} runs after {WARMUP} warm-up runs\n")
    header = (f"{'operation':<22}{'service median':>15}{'p95':>9}{'raw sqlite3 median':>20}"
              f"{'p95':>9}{'ratio':>7}  target")
    print(header)
    print("-" * len(header))
    for label, service, floor in results:
        med = statistics.median(service)
        line = f"{label:<22}{med:>12.2f} ms{p95(service):>9.2f}"
        if floor:
            fmed = statistics.median(floor)
            line += f"{fmed:>17.2f} ms{p95(floor):>9.2f}{med / fmed:>6.0f}×"
            line += f"  {'OK' if p95(service) < TARGET_MS else 'SLOW'} (<{TARGET_MS:.0f} ms)"
        print(line)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

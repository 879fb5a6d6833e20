"""Benchmark: assisted review flags and batch approval over one week of a large demo unit.

    .venv/bin/python tests/bench/bench_review.py [--people 240] [--months 2] [--runs 7]
                                                 [--distinct-texts] [--db FILE [--reuse]]

Builds a demo unit scaled so that one week holds ~3,000 entries (docs/ARCHITECTURE.md "Review":
桓台's pilot wrote 3,000 entries a week; the seed's bar is to review them in 5 minutes), then times:

- review_flags.compute_flags over every submitted log of the latest complete week (Mon–Sun),
  against the raw-sqlite3 floor: the same rows read with plain sqlite3 (no rules applied);
- review.approve_all_unflagged for each first-level reviewer (section heads) over that week, on
  a fresh copy of the database per run: the largest single queue and the sum over all heads.

--distinct-texts appends a different tail to every entry text first, the similarity rule's
worst case (no text repeats, so none is prepared once for several entries). The demo's own texts
are already varied: only its planted copies repeat, and about four in five logs carry no flag.
Reports figures, the flagged logs of the week by flag code among them; it is not a pass/fail
test (docs/ARCHITECTURE.md "Tests"). Target for the flags: < 500 ms for ~3,000 entries.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select, text  # noqa: E402

from app.db.models import SectionCharge  # noqa: E402
from app.services.org import chart as org_chart, unit_settings
from app.services.review import state as review_state  # noqa: E402
from app.services.org.actor import Actor  # noqa: E402
from app.demo.unit import generate_demo  # noqa: E402
from app.services.review.flags import compute_flags  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402

FLAGS_TARGET_MS = 500.0
WARMUP = 1


def last_tuesday(before: dt.date) -> dt.date:
    """The demo leaves the last two working days partly as drafts; ending it on a Tuesday keeps
    the previous week complete."""
    day = before - dt.timedelta(days=1)
    while day.weekday() != 1:
        day -= dt.timedelta(days=1)
    return day


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn, runs: int, before=None) -> tuple[list[float], object]:
    """Milliseconds of `runs` calls (after a warm-up); `before` runs untimed before each call."""
    samples, result = [], None
    for n in range(WARMUP + runs):
        if before:
            before()
        start = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - start) * 1000
        if n >= WARMUP:
            samples.append(elapsed)
    return samples, result


# ---------------------------------------------------------------- preparing the demo unit
def latest_week(path: Path) -> tuple[dt.date, dt.date]:
    """The latest complete Monday–Sunday week before the last day with logs."""
    conn = sqlite3.connect(path)
    last_day = dt.date.fromisoformat(conn.execute("select max(day) from work_log").fetchone()[0])
    conn.close()
    week_end = last_day - dt.timedelta(days=last_day.weekday() + 1)      # the Sunday before
    return week_end - dt.timedelta(days=6), week_end


def prepare(path: Path, info, week: tuple[dt.date, dt.date]) -> None:
    """Give the unit its 分管 sections if the generator did not, and put the week back to
    "waiting for review": the demo may have reviewed it already, and the batch approval is timed
    on a full week. (Bench database only: review actions are deleted with plain SQL, which the
    program itself never does.)"""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("delete from review_action where log_id in (select id from work_log "
                      "where day between ? and ?)", (week[0].isoformat(), week[1].isoformat()))
        week_logs = [r[0] for r in conn.execute(
            "select id from work_log where day between ? and ?",
            (week[0].isoformat(), week[1].isoformat()))]
    conn.close()
    db = open_database(path)
    try:
        with db.session() as s:
            if info is not None and not s.scalar(select(func.count()).select_from(SectionCharge)):
                ids = dict(s.execute(text("select login, id from person")).all())
                names = dict(s.execute(text("select name, id from section")).all())
                for deputy, sections in info.in_charge.items():
                    for name in sections:
                        s.add(SectionCharge(deputy_id=ids[deputy], section_id=names[name]))
        with db.session() as s:
            chart, levels = org_chart.load(db), unit_settings.get(db, "review.levels")
            review_state.refresh_all(s, chart, levels)
            review_state.refresh(s, week_logs, chart, levels)
    finally:
        db.dispose()


def make_texts_distinct(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tails = "甲乙丙丁戊己庚辛壬癸东南西北春夏秋冬山水田木"
    conn = sqlite3.connect(path)
    rows = conn.execute("select id, content from entry_text").fetchall()
    conn.executemany("update entry_text set content = ? where id = ?",
                     [(f"{text}（{''.join(rng.sample(tails, 3))}{n}）", entry_id)
                      for n, (entry_id, text) in enumerate(rows)])
    conn.commit()
    conn.close()


# ---------------------------------------------------------------- raw sqlite3 floor
def raw_flag_inputs(conn: sqlite3.Connection, log_ids: list[str], lookback: int = 30) -> int:
    """The rows compute_flags reads, read with plain sqlite3; returns the number of rows."""
    q = conn.execute
    marks = ",".join("?" * len(log_ids))
    logs = q(f"select id, person_id, day, day_state, submitted_at from work_log "
             f"where id in ({marks}) and deleted = 0", log_ids).fetchall()
    entries = q(f"select log_id, id, seq, hours, category, secret from log_entry "
                f"where log_id in ({marks}) and deleted = 0", log_ids).fetchall()
    days = sorted({row[2] for row in logs})
    months = sorted({int(d[:7].replace("-", "")) for d in days})
    authors = sorted({row[1] for row in logs})
    first = (dt.date.fromisoformat(days[0]) - dt.timedelta(days=lookback)).isoformat()
    text = ("select e.id, e.person_id, e.day, t.content, e.log_id from log_entry e "
            "join entry_text t on t.id = e.id where e.deleted = 0 and e.secret = 0 "
            "and t.deleted = 0 and ")
    same_day = q(text + f"e.month in ({','.join('?' * len(months))}) "
                 f"and e.day in ({','.join('?' * len(days))})", months + days).fetchall()
    history = q(text + f"e.person_id in ({','.join('?' * len(authors))}) and e.day >= ? "
                f"and e.day <= ? and e.day not in ({','.join('?' * len(days))})",
                authors + [first, days[-1]] + days).fetchall()
    rest = [q("select id from work_log where deleted = 1").fetchall(),
            q("select id, name, section_id, role from person").fetchall(),
            q("select id, name from section").fetchall(),
            q("select name, standard_hours from work_category where deleted = 0").fetchall(),
            q("select day, kind, name from holiday where deleted = 0").fetchall(),
            q("select key, value from setting where deleted = 0").fetchall()]
    return len(logs) + len(entries) + len(same_day) + len(history) + sum(map(len, rest))


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=240, help="~3,000 entries a week at 240")
    ap.add_argument("--months", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--approve-runs", type=int, default=3)
    ap.add_argument("--distinct-texts", action="store_true",
                    help="make every entry text distinct (the similarity rule's worst case)")
    ap.add_argument("--db", type=Path, help="where to write the demo database (default: temp dir)")
    ap.add_argument("--reuse", action="store_true", help="use an existing --db instead of generating")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="lzkp-bench-")
    path = args.db or Path(tmp.name) / "bench.sqlite"
    generation = None
    if not (args.reuse and path.exists()):
        end = last_tuesday(dt.date.today())
        info = generate_demo(path, seed=args.seed, months=args.months, people=args.people,
                             end=end, overwrite=True)
        generation = info.elapsed
        if args.distinct_texts:
            make_texts_distinct(path, args.seed)
    else:
        info = None
    week_start, week_end = latest_week(path)
    prepare(path, info, (week_start, week_end))
    raw = sqlite3.connect(path, isolation_level=None)
    log_ids = [r[0] for r in raw.execute(
        "select id from work_log where day between ? and ? and state = 'submitted' "
        "and deleted = 0", (week_start.isoformat(), week_end.isoformat()))]
    entries = raw.execute(f"select count(*) from log_entry where deleted = 0 and log_id in "
                          f"({','.join('?' * len(log_ids))})", log_ids).fetchone()[0]
    people, all_logs, all_entries = raw.execute(
        "select (select count(*) from person), (select count(*) from work_log), "
        "(select count(*) from log_entry)").fetchone()
    heads = raw.execute("select id, login, name, role, section_id from person "
                        "where role = '科室负责人' and status in ('在职', '借调')").fetchall()

    db = open_database(path)
    flag_samples, flags = timed(lambda: compute_flags(db, log_ids), args.runs)
    floor_samples, floor_rows = timed(lambda: raw_flag_inputs(raw, log_ids), args.runs)
    db.dispose()
    raw.close()
    results = [(f"compute_flags ({len(log_ids):,} logs, {entries:,} entries)", flag_samples,
                floor_samples, FLAGS_TARGET_MS)]

    approve_note = ""
    try:
        from app.services.review import queue as review
        approve_all_unflagged = review.approve_all_unflagged
        week_filter = review.QueueFilter(start=week_start, end=week_end)
    except (ImportError, AttributeError):
        approve_all_unflagged = None
        approve_note = "approve: review service not available yet"
    if approve_all_unflagged is not None:
        work = Path(tmp.name) / "approve.sqlite"
        totals, slowest, approved = [], [], collections.Counter()

        def fresh_copy():
            for suffix in ("-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(path, work)

        for run in range(args.approve_runs):
            fresh_copy()
            copy = open_database(work)
            per_head = []
            for head in heads:
                actor = Actor(*head, is_admin=False)
                start = time.perf_counter()
                done = approve_all_unflagged(copy, actor, week_filter, today=week_end)
                per_head.append(((time.perf_counter() - start) * 1000, len(done), head[2]))
                approved[head[2]] = len(done)
            copy.dispose()
            totals.append(sum(ms for ms, _, _ in per_head))
            slowest.append(max(per_head))
        worst = max(slowest)
        results += [
            (f"approve_all_unflagged, slowest head ({worst[2]}, {worst[1]} approved)",
             [ms for ms, _, _ in slowest], None, None),
            (f"approve_all_unflagged, all {len(heads)} heads ({sum(approved.values()):,} approved)",
             totals, None, None)]
    size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*") if f.is_file())

    print(f"Review benchmark — {people} people, {args.months} months: {all_logs:,} logs, "
          f"{all_entries:,} entries{' (texts made distinct)' if args.distinct_texts else ''}")
    print(f"database {size / 1e6:.1f} MB ({path})" +
          (f", generated in {generation:.1f} s" if generation is not None else ", reused"))
    print(f"week {week_start.isoformat()} – {week_end.isoformat()}: {len(log_ids):,} submitted "
          f"logs, {entries:,} entries; raw floor reads {floor_rows:,} rows; "
          f"{args.runs} runs after {WARMUP} warm-up\n")
    header = (f"{'operation':<58}{'median':>10}{'p95':>9}{'raw sqlite3':>13}{'ratio':>7}  target")
    print(header)
    print("-" * len(header))
    for label, samples, floor, target in results:
        med = statistics.median(samples)
        line = f"{label:<58}{med:>7.0f} ms{p95(samples):>9.0f}"
        if floor:
            fmed = statistics.median(floor)
            line += f"{fmed:>10.0f} ms{med / fmed:>6.1f}×"
        if target:
            line += f"  {'OK' if med < target else 'SLOW'} (<{target:.0f} ms)"
        print(line)
    if approve_note:
        print(approve_note)
    flagged = sum(1 for f in flags.values() if f)
    by_code = collections.Counter(f.code for fl in flags.values() for f in fl)
    print(f"\nflagged logs: {flagged:,} of {len(flags):,} ({flagged / max(1, len(flags)):.0%}); "
          + ", ".join(f"{code} {n:,}" for code, n in by_code.most_common()))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the 编办's duty analysis (app.services.county.overlap) on 50 units × 40 duties.

    .venv/bin/python tests/bench/bench_overlap.py [--units 50] [--per-unit 40] [--rounds 5]
                                                  [--demo-months N] [--db DIR [--reuse]]

The county is tests/unit/overlap_fixtures.county_duties: 50 departments, each with the 8
internal duties every organ has and 32 duties on its own subjects in the stock phrasing of 三定
texts, plus the planted near-duplicates; registered in a 编办 database, the duties written into
the mirrors. With --demo-months N one more unit is a demo unit (61 people) made from its 单位注册包
with N months of logs and sent in a 上报包, so that reading the mirrors also scans a real log
table (the last approved day of every duty).

Times, each the median of --rounds rounds (after one warm-up):
  corpus     DutyCorpus(texts, units): clauses and generic clauses, normalise, n-grams, IDF
             over units, vectors of every duty's content and of its clauses
  pairs      duty_overlap.candidates at the default threshold: every pair of duties as wholes
             at 0.5 (the 共性 groups' threshold), the groups, and clause by clause outside the
             groups (exact, prefix filtering)
  analyse    duty_overlap.analyse on freshly read data: corpus + pairs + 共性 groups +
             explanations of the listed pairs + 无人承担 + 长期不运行 (what a first run costs)
  reanalyse  analyse again with another threshold (the corpus and, from 0.5 up, its searches are
             kept: the page's spinner)
  load       duty_overlap.load with the mirrors already open (the first open is printed once)
  overlap    load + analyse, mirrors open (what `重新读取` costs)
and once: the CLI `overlap --json` as a user runs it (interpreter start, imports, opening every
mirror). Wall and process-CPU medians are printed side by side. Reports figures; it is not a
pass/fail test (docs/ARCHITECTURE.md "Tests").
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.bureau.duty_match import DutyCorpus  # noqa: E402
from app.services.county import bureau, overlap as O
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side as unit_sync  # noqa: E402
from app.services.org.setup import UnitSetup, open_database  # noqa: E402
from tests.unit.overlap_fixtures import build_county, county_duties, credit  # noqa: E402

TODAY = dt.date(2026, 10, 31)


def timed(fn, rounds: int) -> tuple[tuple[float, float], object]:
    """Median wall and process-CPU milliseconds over `rounds` calls after one warm-up call, and
    the last result (on a busy machine wall time grows, CPU time much less)."""
    result = fn()
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (statistics.median(wall), statistics.median(cpu)), result


def add_demo_unit(db, mirrors, folder: Path, months: int) -> None:
    from app.demo.unit import generate_demo
    unit_id = bureau.register_unit(db, bureau.SYSTEM, UnitSetup(
        "沂河县市场监督管理局（演示）", credit(90), staffing_quotas={"行政编制": 60}, leader_posts={"正职": 1}))
    package = enrollment.write_enrollment(db, mirrors, unit_id, folder)
    generate_demo(folder / "demo_unit.sqlite", seed=1, months=months, enrollment=package.path,
                  enrollment_code=package.code, end=TODAY)
    unit = open_database(folder / "demo_unit.sqlite")
    path = unit_sync.export_report(unit, folder).path
    bureau.import_packages(db, mirrors, [path], apply=True)
    unit.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--per-unit", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--demo-months", type=int, default=0)
    ap.add_argument("--db", type=Path, help="folder to keep the 编办 database in")
    ap.add_argument("--reuse", action="store_true", help="use the database already in --db")
    a = ap.parse_args()
    folder = a.db or Path(tempfile.mkdtemp(prefix="bench_overlap_"))
    os.environ.setdefault("LZKP_DATA_DIR", str(folder / "appdata"))
    started = time.perf_counter()
    if a.reuse:
        db = open_database(folder / "county.sqlite")
        mirrors = Mirrors(db)
    else:
        if folder.exists() and a.db:
            shutil.rmtree(folder)
        db, mirrors, _ = build_county(folder, county_duties(a.units, a.per_unit))
        if a.demo_months:
            add_demo_unit(db, mirrors, folder, a.demo_months)
        mirrors.close()
    built = time.perf_counter() - started

    start = time.perf_counter()
    data = O.load(db, mirrors, TODAY)        # opens every mirror (quick_check, migration check)
    first_open = (time.perf_counter() - start) * 1000
    duties = data.duties
    texts, groups = [d.content for d in duties], [d.unit_id for d in duties]
    print(f"{len(data.units)} units, {len(duties)} active duties "
          f"({'reused' if a.reuse else f'built in {built:.1f} s'}); {a.rounds} rounds, medians")

    rows = []
    ms, corpus = timed(lambda: DutyCorpus(texts, groups), a.rounds)
    rows.append(("corpus", ms, f"{len(corpus.corpus.idf)} distinct n-grams, {corpus.compared} texts "
                 f"compared, {sum(corpus.generic)} generic duties"))

    def search():
        corpus.forget()   # each round searches (the analysis keeps its searches for the spinner)
        return O.candidates(duties, corpus, O.DEFAULT_THRESHOLD, len(data.units))
    ms, (common, cross, _) = timed(search, a.rounds)
    by_clause = sum(m.clause_i is not None or m.clause_j is not None for m in cross)
    rows.append(("pairs", ms, f"交叉 {len(cross)} ({by_clause} by a clause), 共性 {len(common)} groups"))

    def fresh():
        return O.analyse(O.CountyDuties(data.today, data.units, data.missing))
    ms, report = timed(fresh, a.rounds)
    rows.append(("analyse", ms, f"交叉 {report.cross_total} (listed {len(report.cross)}), 共性 "
                 f"{len(report.common)} groups, 重复 {len(report.repeats)}, 无人承担 "
                 f"{len(report.unassigned)}, 长期不运行 {len(report.idle)}"))
    O.analyse(data)   # builds and keeps the corpus
    ms, strict = timed(lambda: O.analyse(data, threshold=0.7), a.rounds)
    rows.append(("reanalyse 0.7", ms, f"交叉 {strict.cross_total}"))
    ms, _ = timed(lambda: O.load(db, mirrors, TODAY), a.rounds)
    rows.append(("load", ms, f"first open of the mirrors {first_open:.0f} ms"))
    ms, _ = timed(lambda: O.overlap(db, mirrors, today=TODAY), a.rounds)
    rows.append(("overlap", ms, "load + analyse"))
    mirrors.close()

    from tests.e2e.cli_world import add_admin
    add_admin(folder / "county.sqlite")       # the CLI logs in as the 编办's account
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LZKP_PASSWORD": "abc12345"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app", "overlap", "--db", str(folder / "county.sqlite"),
                           "--today", TODAY.isoformat(), "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    cli = (time.perf_counter() - start) * 1000
    rows.append(("CLI overlap --json", (cli, None), "once, wall clock" if done.returncode == 0
                 else f"FAILED: {done.stderr.strip()[:80]}"))

    print(f"{'operation':<20}{'wall ms':>9}{'cpu ms':>8}  notes")
    for label, (wall, cpu), note in rows:
        print(f"{label:<20}{wall:>9.0f}{'' if cpu is None else f'{cpu:.0f}':>8}  {note}")
    print(f"database: {folder / 'county.sqlite'}")
    db.dispose()


if __name__ == "__main__":
    main()

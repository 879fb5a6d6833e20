"""Benchmark: the printed evaluation reports (app.reports.unit_reports.build_report) of a demo
unit over a whole calendar year of logs.

    .venv/bin/python tests/bench/bench_reports.py [--people 60] [--runs 3]
                                                  [--db FILE [--reuse]] [--xlsx] [--cli]

Generates a 12-month demo ending on 31 December of last year, so that the annual report covers a
complete year, then times build_report for the annual unit report with charts (target < 3 s) and
for the other kinds and period lengths, each the median of --runs runs after one warm-up run.
Font registration (once per process: a program that prints several reports pays it once) is
timed on its own and added in the "cold" column. --xlsx also writes each report's tables to
Excel; --cli times `python -m app report` as a subprocess (interpreter start and imports
included). Reports figures; not a pass/fail test (docs/ARCHITECTURE.md "Tests").
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.reports.typeset.fonts import register_fonts  # noqa: E402
from app.services.reporting.unit import build_report
from app.demo.unit import generate_demo  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402

TARGET_S = 3.0


def cases(year: int, section: str, login: str) -> list[tuple[str, str, dict]]:
    return [("unit", f"{year}", {}), ("unit", f"{year}-Q4", {}), ("unit", f"{year}-12", {}),
            ("section", f"{year}", {"section": section}), ("core", f"{year}", {}),
            ("core", f"{year}-12", {}), ("person", f"{year}", {"user": login}),
            ("person", f"{year}-12", {"user": login})]


def pick(db) -> tuple[str, str]:
    """The largest section and one of its staff members."""
    from sqlalchemy import func, select
    from app.db.models import Person, Section
    with db.read() as s:
        section_id, name = s.execute(
            select(Section.id, Section.name).join(Person, Person.section_id == Section.id)
            .where(Person.deleted.is_(False)).group_by(Section.id)
            .order_by(func.count().desc(), Section.name).limit(1)).one()
        login = s.scalar(select(Person.login).where(Person.section_id == section_id,
                                                    Person.role == "科室人员")
                         .order_by(Person.login).limit(1))
    return name, login


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=None, help="demo unit size (default ~60)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=Path, help="keep the demo database in this file")
    ap.add_argument("--reuse", action="store_true", help="use --db as it is (no generation)")
    ap.add_argument("--xlsx", action="store_true", help="also write each report's tables")
    ap.add_argument("--cli", action="store_true", help="also time `python -m app report`")
    args = ap.parse_args()
    year = dt.date.today().year - 1
    work = Path(tempfile.mkdtemp(prefix="bench_reports_"))
    path = args.db or work / "demo.sqlite"
    if not (args.reuse and path.exists()):
        started = time.perf_counter()
        generate_demo(path, seed=1, months=12, people=args.people,
                      end=dt.date(year, 12, 31), overwrite=True)
        print(f"demo generated in {time.perf_counter() - started:.1f} s: {path}")
    db = open_database(path)
    section, login = pick(db)
    started = time.perf_counter()
    register_fonts()
    fonts_s = time.perf_counter() - started
    print(f"year {year}, section {section}, person {login}; font registration {fonts_s:.2f} s; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print()
    head = f"{'report':<8} {'period':<8} {'pages':>5} {'median s':>9} {'max s':>7} " \
           f"{'CPU s':>6} {'cold s':>7}  target"
    print(head)
    print("-" * len(head))
    for kind, period, kw in cases(year, section, login):
        out = work / f"{kind}_{period}.pdf"
        xlsx = work / f"{kind}_{period}.xlsx" if args.xlsx else None
        build_report(db, kind, period, out, xlsx=xlsx, **kw)            # warm-up
        wall, cpu = [], []
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            info = build_report(db, kind, period, out, xlsx=xlsx, **kw)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        med = statistics.median(wall)
        verdict = ""
        if (kind, period) == ("unit", str(year)):
            verdict = "OK" if med + fonts_s < TARGET_S else "SLOW"
        print(f"{kind:<8} {period:<8} {info.pages:>5} {med:>9.2f} {max(wall):>7.2f} "
              f"{statistics.median(cpu):>6.2f} {med + fonts_s:>7.2f}  {verdict}")
    if args.cli:
        from app.demo.data import PASSWORD
        from tests.e2e.cli_world import principal_of
        # the whole unit's report is its 主要领导's to read; demo accounts share one password
        cmd = [sys.executable, "-m", "app", "report", "--db", str(path), "--kind", "unit",
               "--period", str(year), "--out", str(work / "cli.pdf"), "--as", principal_of(path)]
        started = time.perf_counter()
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                           env={**os.environ, "LZKP_PASSWORD": PASSWORD})
        print(f"\nCLI annual unit report: {time.perf_counter() - started:.2f} s wall "
              f"(rc {r.returncode}): {r.stdout.strip() or r.stderr.strip()}")
    db.dispose()
    print(f"\nPDFs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: sync packages between units and the 编办 (export, import, county dashboard).

    .venv/bin/python tests/bench/bench_sync.py                 # all parts (first run generates)
    .venv/bin/python tests/bench/bench_sync.py --part month    # one unit-month only (~2 min)
    .venv/bin/python tests/bench/bench_sync.py --part month --suite guomi   # the same in 国密
    .venv/bin/python tests/bench/bench_sync.py --part county   # county year + dashboard

Parts:
  month   export and import of one unit-month (~6,000 entries): median of --rounds, each import
          into a fresh copy of the 编办 and its mirrors; floor: raw sqlite3 SELECT of the same
          rows (export) and raw sqlite3 executemany of the package's rows into a fresh mirror copy
          (import). Target < 1 s each. --suite guomi: the unit's 编办 chose 国密 (SM2/SM3/SM4),
          so the exported package is 国密 and that one is imported (LZKP_SM2_BACKEND=pure: the
          pure-Python SM2).
  county  import of a whole county year (--units × --people × --months, ~3.75 M entries) from the
          USB folder into a fresh 编办 by --import-workers processes (default 2; with 1, a
          breakdown by phase), in a child process whose peak RSS (VmHWM) is reported; rows/s;
          floor: raw sqlite3 inserts of the same rows into fresh mirror copies, one process.
          Target < 3 min. Then the county dashboard (county.county_table) for a month, a quarter and
          the year (target < 1 s) and a cold compute of one unit-year (stats.unit_stats).
The demo folders are made with app.demo.county.generate_county (packages exported, not
imported) and cached under --cache keyed by their parameters; delete the folder to rebuild.
Reports figures; it is not a pass/fail test (docs/ARCHITECTURE.md "Tests").
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import gm  # noqa: E402
from app.core.metrics import parse_period  # noqa: E402
from app.services.county import bureau, figures as county_figures, table as county
from app.services.county.mirrors import Mirrors, registered_units
from app.services.exchange import packages
from app.services.stats import compute as stats  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402
from app.sync import container, merge  # noqa: E402
from app.sync.keys import PublicKeys  # noqa: E402
from app.sync.payload import read_payload  # noqa: E402

END = dt.date(2025, 12, 31)     # a whole calendar year ends here: month, quarter and year are whole
MONTH, QUARTER, YEAR = "2025-12", "2025-Q4", "2025"


# ---------------------------------------------------------------- the cached demo folders
def county_folder(cache: Path, units: int, people: int, months: int, seed: int, workers: int) -> Path:
    """A generated county (packages in usb/, not imported), reused when already there (for the
    same schema: a folder made by an older program would be refused or upgraded on the way)."""
    from app.db.migrate import head_revision
    from app.demo.county import generate_county
    folder = cache / f"u{units}-p{people}-m{months}-s{seed}-{END:%Y%m%d}-r{head_revision()}"
    ready = folder / "ready.json"
    if ready.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {units} units × ~{people} people × {months} months into {folder} …", flush=True)
    info = generate_county(folder, units=units, people=people, months=months, seed=seed, end=END,
                           import_packages=False, workers=workers,
                           progress=lambda stage, i, n, name: print(f"  {stage} {i}/{n} {name}", flush=True)
                           if stage == "generate" and i else None)
    ready.write_text(json.dumps({"people": info.people, "logs": info.logs, "entries": info.entries,
                                 "setup_s": info.setup_seconds, "generate_s": info.generate_seconds,
                                 "units": [[u.name, u.path.name, u.entries] for u in info.units]},
                                ensure_ascii=False))
    return folder


def facts(folder: Path) -> dict:
    return json.loads((folder / "ready.json").read_text())


def fresh_bureau(folder: Path, into: Path) -> Path:
    """A copy of the 编办 as registered (no package imported): county.sqlite and its mirrors."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm"):
        src = folder / f"county.sqlite{suffix}"
        if src.exists():
            shutil.copy2(src, into / src.name)
    shutil.copytree(folder / "county.sqlite.units", into / "county.sqlite.units")
    return into / "county.sqlite"


def packages_in(folder: Path) -> list[Path]:
    return sorted((folder / "usb").glob("*.lzkp"))


# ---------------------------------------------------------------- timing helpers
class Phases:
    """Seconds spent in chosen functions (wrapped for the run, unwrapped by close())."""

    def __init__(self):
        self.seconds: dict[str, float] = {}     # wall
        self.cpu: dict[str, float] = {}         # this process's CPU time
        self._undo = []

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - cpu
        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def standard(self) -> "Phases":
        from app.services.review import state as review_state
        self.wrap(packages, "receive", "receive (all)")
        self.wrap(merge.Merger, "add_rows", "  merger.add_rows (+ batches)")
        self.wrap(merge.Merger, "_flush", "    merger._flush (check, count, write)")
        self.wrap(merge.Merger, "finish", "  merger.finish")
        self.wrap(review_state, "refresh", "  review_state.refresh")
        self.wrap(county_figures, "refresh_unit", "refresh_unit")
        return self

    def close(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- raw sqlite3 floors
def decoded_rows(bureau_db: Path, package: Path) -> dict[str, tuple[list[str], list[list]]]:
    """The package's rows per table (decrypted with the 编办's key), in manifest column order."""
    db = open_database(bureau_db)
    try:
        keys = packages.ensure_keys(db)
    finally:
        db.dispose()
    opened = container.read_header(package)
    container.verify(opened, PublicKeys.from_dict(opened.header["sender_keys"]))
    stream = read_payload(container.open_payload(opened, keys))
    _, manifest = next(stream)
    tables = {t: (cols, []) for t, cols in manifest["columns"].items()}
    for what, item in stream:
        if what == "rows":
            for row in item:
                tables[row[0]][1].append(row[1:])
    return tables


def raw_insert(mirror: Path, tables: dict[str, tuple[list[str], list[list]]]) -> tuple[float, int]:
    """Seconds to executemany the rows into `mirror` in one transaction with plain sqlite3."""
    conn = sqlite3.connect(mirror, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    n = 0
    start = time.perf_counter()
    conn.execute("BEGIN")
    for table in merge.SORTED:
        if table not in tables:
            continue
        cols, rows = tables[table]
        quoted = ", ".join(f'"{c}"' for c in cols)
        conn.executemany(f'INSERT OR IGNORE INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(cols))})',
                         rows)
        n += len(rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, n


def raw_export_read(unit_db: Path) -> tuple[float, int]:
    """Seconds to read the rows an export carries (outbox rows, exported columns) with sqlite3."""
    conn = sqlite3.connect(unit_db)
    n = 0
    start = time.perf_counter()
    for table in merge.SORTED:
        if table in merge.UNIT_PRIVATE:
            continue
        cols = ", ".join(f'"{c}"' for c in merge.exported_columns(table))
        for _ in conn.execute(f'SELECT {cols} FROM "{table}" WHERE id IN '
                              f'(SELECT row_id FROM outbox WHERE table_name = ?)', (table,)):
            n += 1
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, n


# ---------------------------------------------------------------- part: one unit-month
def part_month(a, work: Path) -> None:
    from app.services.exchange.unit_side import export_report
    folder = county_folder(a.cache, 1, a.month_people, 1, a.seed, 1)
    info = facts(folder)
    package = packages_in(folder)[0]
    unit_file = folder / "units" / info["units"][0][1]
    print(f"\n== one unit-month: {info['people']} people, {info['entries']} entries, "
          f"{info['logs']} logs, package {package.stat().st_size / 1024:.0f} KiB")

    export_s, floor_export, export_cpu = [], [], []
    unit_copy = work / "unit.sqlite"
    shutil.copy2(unit_file, unit_copy)
    out = work / "out"
    out.mkdir(exist_ok=True)
    db = open_database(unit_copy)
    if a.suite == "guomi":
        package = _guomi_package(db, folder, work)
    for _ in range(a.rounds):
        start, cpu = time.perf_counter(), time.process_time()
        result = export_report(db, out, full=True)
        export_s.append(time.perf_counter() - start)
        export_cpu.append(time.process_time() - cpu)
        result.path.unlink()
        floor_export.append(raw_export_read(unit_copy)[0])
    db.dispose()
    print(f"suite {container.read_header(package).header['suite']}, SM2 backend "
          f"{gm.backend().name}")

    import_s, floor_import, import_cpu, phases, written = [], [], [], Phases().standard(), 0
    rows = decoded_rows(folder / "county.sqlite", package)
    for _ in range(a.rounds):
        target = fresh_bureau(folder, work / "bureau")
        bdb = open_database(target)
        mirrors = Mirrors(bdb)
        start, cpu = time.perf_counter(), time.process_time()
        results = bureau.import_packages(bdb, mirrors, [package], apply=True)
        import_s.append(time.perf_counter() - start)
        import_cpu.append(time.process_time() - cpu)
        assert results[0].status == "imported", results[0].message
        written = results[0].plan.written
        mirrors.close()
        bdb.dispose()
        target = fresh_bureau(folder, work / "bureau")
        mirror = next((target.parent / "county.sqlite.units").glob("*.sqlite"))
        floor_import.append(raw_insert(mirror, rows)[0])
    phases.close()
    print(f"{'operation':<28}{'median ms':>10}{'cpu ms':>8}{'floor ms':>10}{'× floor':>9}  target")
    for label, samples, cpu, floor in (("export 上报包 (full)", export_s, export_cpu, floor_export),
                                       ("import into the 编办", import_s, import_cpu, floor_import)):
        ms, fl = median_ms(samples), median_ms(floor)
        print(f"{label:<28}{ms:>10.0f}{median_ms(cpu):>8.0f}{fl:>10.0f}{ms / fl:>8.1f}×  "
              f"{'OK' if ms < 1000 else 'SLOW'} (< 1 s)")
    print(f"rows written per import: {written}; import phases, mean per round: {'wall ms':>8}{'CPU ms':>8}")
    for label, seconds in phases.seconds.items():
        print(f"    {label:<32}{seconds / a.rounds * 1000:>8.0f}{phases.cpu[label] / a.rounds * 1000:>8.0f}")


def _guomi_package(db, folder: Path, work: Path) -> Path:
    """The unit's 编办 announced 国密 and its SM2 key (as a 下发包 would): the full 上报包 the
    unit then writes, in 国密."""
    from sqlalchemy import select

    from app.db.models import Peer
    from app.services.exchange.unit_side import export_report
    bureau_db = open_database(fresh_bureau(folder, work / "keys"))
    bureau_keys = packages.ensure_keys(bureau_db).public_with_sm2()
    bureau_db.dispose()
    with db.session() as s:
        peer = s.scalar(select(Peer).where(Peer.kind == "bureau"))
        peer.suite_family = container.GUOMI
        peer.public_keys = json.dumps(bureau_keys.to_dict())
    out = work / "guomi"
    out.mkdir(exist_ok=True)
    return export_report(db, out, full=True).path


# ---------------------------------------------------------------- part: a county year
def child_import(target: Path, workers: int) -> None:
    """Run in a child process: import the USB folder next to `target`, print JSON figures."""
    db = open_database(target)
    mirrors = Mirrors(db)
    phases = Phases().standard()
    usb = Path(os.environ["BENCH_USB"])
    start, cpu = time.perf_counter(), time.process_time()
    results = bureau.import_packages(db, mirrors, [usb], apply=True, workers=workers)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    phases.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "cpu": cpu + children.ru_utime + children.ru_stime,
                      "peak_rss_mib": peak_rss_mib(), "worker_rss_mib": children.ru_maxrss / 1024,
                      "imported": sum(r.status == "imported" for r in results),
                      "rejected": [r.message for r in results if r.rejected],
                      "rows": sum(r.plan.written for r in results), "phases": phases.seconds,
                      "phases_cpu": phases.cpu}))


def part_county(a, work: Path) -> None:
    folder = county_folder(a.cache, a.units, a.people, a.months, a.seed, a.workers)
    info = facts(folder)
    pkgs = packages_in(folder)
    size = sum(p.stat().st_size for p in pkgs)
    print(f"\n== county year: {len(pkgs)} units, {info['people']} people, {info['entries']:,} entries, "
          f"{info['logs']:,} logs; packages {size / 2**20:.0f} MiB "
          f"(generated in {info['generate_s'] / 60:.0f} min, cached in {folder})")
    target = fresh_bureau(folder, work / "bureau")
    env = dict(os.environ, BENCH_USB=str(folder / "usb"))
    proc = subprocess.run([sys.executable, __file__, "--child-import", str(target),
                           "--import-workers", str(a.import_workers)],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(proc.stderr)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    floor, floor_cpu, n = 0.0, 0.0, 0
    for package in pkgs:     # one unit at a time: decode (untimed), insert into a fresh mirror
        scratch = fresh_bureau(folder, work / "floor")
        rows = decoded_rows(scratch, package)
        header = container.read_header(package).header
        cpu = time.process_time()
        seconds, count = raw_insert(scratch.parent / "county.sqlite.units" / f"{header['sender']}.sqlite", rows)
        floor, floor_cpu, n = floor + seconds, floor_cpu + time.process_time() - cpu, n + count
        del rows
    print(f"import of {got['imported']} packages ({got['rows']:,} rows), {a.import_workers} worker(s): "
          f"{got['seconds']:.1f} s wall, {got['cpu']:.1f} s CPU (all processes), "
          f"{got['rows'] / got['seconds']:,.0f} rows/s — {'OK' if got['seconds'] < 180 else 'SLOW'} (< 3 min)")
    print(f"floor (raw sqlite3 executemany, same {n:,} rows, one process): {floor:.1f} s wall, "
          f"{floor_cpu:.1f} s CPU, {n / floor:,.0f} rows/s; import / floor {got['seconds'] / floor:.1f}× wall, "
          f"{got['cpu'] / floor_cpu:.1f}× CPU")
    print(f"peak RSS (VmHWM) of the import process: {got['peak_rss_mib']:.0f} MiB"
          + (f"; largest worker: {got['worker_rss_mib']:.0f} MiB" if a.import_workers > 1 else ""))
    if got["rejected"]:
        print("REJECTED:", *got["rejected"], sep="\n  ")
    if a.import_workers == 1:      # the workers' time is not seen from the calling process
        print(f"phases, summed over packages: {'wall s':>8}{'CPU s':>8}")
        for label, seconds in got["phases"].items():
            print(f"    {label:<32}{seconds:>8.1f}{got['phases_cpu'][label]:>8.1f}")
    dashboard(a, target)


def dashboard(a, target: Path) -> None:
    db = open_database(target)
    mirrors = Mirrors(db)
    samples: dict[str, list[float]] = {p: [] for p in (MONTH, QUARTER, YEAR)}
    for n in range(1 + a.rounds):
        for key in samples:
            start = time.perf_counter()
            rows = county.county_table(db, mirrors, parse_period(key))
            if n:
                samples[key].append(time.perf_counter() - start)
    print(f"\n{'county dashboard (' + str(len(rows)) + ' units)':<34}{'median ms':>10}{'max ms':>9}  target")
    for key, values in samples.items():
        ms = median_ms(values)
        print(f"county_table {key:<21}{ms:>10.0f}{max(values) * 1000:>9.0f}  "
              f"{'OK' if ms < 1000 else 'SLOW'} (< 1 s)")
    largest = max(registered_units(db), key=lambda u: mirrors.path(u.unit_id).stat().st_size)
    mirror = mirrors.get(largest.unit_id)
    cold = []
    for _ in range(3):
        start = time.perf_counter()
        stats.unit_stats(mirror, parse_period(YEAR), "unit")
        cold.append(time.perf_counter() - start)
    print(f"cold unit-year (stats.unit_stats, {largest.name}): {median_ms(cold):.0f} ms median of 3")
    mirrors.close()
    db.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["all", "month", "county"], default="all")
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--people", type=int, default=120, help="≈630 entries per person-year: 50 × 120 ≈ 3.75 M")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--month-people", type=int, default=100, help="the unit-month unit (~6,000 entries)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--suite", choices=["classic", "guomi"], default="classic",
                    help="month part: the package suite (guomi = SM2/SM3/SM4)")
    ap.add_argument("--workers", type=int, default=2, help="processes generating the demo units")
    ap.add_argument("--import-workers", type=int, default=2,
                    help="processes importing the county (1: one process, with a breakdown by phase)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/lzkp_bench_county"))
    ap.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_import:
        child_import(a.child_import, a.import_workers)
        return 0
    a.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench_sync_") as tmp:
        if a.part in ("all", "month"):
            part_month(a, Path(tmp))
        if a.part in ("all", "county"):
            part_county(a, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The 编办's import of many units' 上报包 by several processes at once.

Each unit's packages go into that unit's own mirror file, so units are independent: a worker
process takes one unit, merges its packages in sequence order (each package all or nothing, as
bureau.import_packages does one by one) and computes the unit's county figures from the mirror.
Everything written to the 编办's own database — the dirty marks before, the key fingerprint and
the figures after — stays in the calling process, one unit at a time.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Collection

from app.db.engine import Database
from app.services.county import figures as county
from app.services.county.basis import bureau_values
from app.services.county.mirrors import Mirrors
from app.services.county.receive import receive_report
from app.services.county.unit_keys import sync_register
from app.services.exchange import packages as P
from app.services.org.actor import Actor
from app.services.org.setup import open_database
from app.sync import container
from app.sync.keys import KeyPair

# A worker process starts in ~2 s of CPU (interpreter, SQLAlchemy, models); a megabyte of
# packages takes ~1.3 s to import. Below this size one process is as quick.
MIN_BYTES = 8 << 20
# Each worker holds one unit's import (~120 MiB at a unit-year); more than 4 gain little on the
# disks of office PCs.
MAX_WORKERS = 4


def default_workers() -> int:
    """Processes for a folder import: one per CPU core, at most MAX_WORKERS."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def worker_pid() -> int:
    """Run in a worker by the self-test: proves worker processes start and import this module
    with the sync code (in the bundle, only with multiprocessing.freeze_support() at the
    program's entry)."""
    return os.getpid()


def worth_it(opened: list[tuple[container.OpenedPackage, P.PackageResult]]) -> bool:
    """Several units and enough bytes to repay the worker processes' start."""
    units = {package.header["sender"] for package, _ in opened}
    return len(units) > 1 and sum(r.path.stat().st_size for _, r in opened) >= MIN_BYTES


def import_parallel(db: Database, mirrors: Mirrors, opened: list[tuple[container.OpenedPackage, P.PackageResult]],
                    keys: KeyPair, *, apply: bool, actor: Actor,
                    progress: Callable[[int, int, str], None] | None, workers: int,
                    confirmed_keys: Collection[str] | None = None) -> None:
    """Import (or preview) `opened`, sorted by unit and sequence, filling in their results."""
    by_unit: dict[str, list[P.PackageResult]] = {}
    for package, result in opened:
        by_unit.setdefault(package.header["sender"], []).append(result)
    today, values = dt.date.today(), bureau_values(db)
    stale = {unit_id: county.mark_dirty(db, unit_id) if apply else set() for unit_id in by_unit}
    done = 0
    if progress:
        progress(0, len(opened), "")
    # spawn, not fork: this process holds open SQLite connections (and may be the GUI's)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        # the biggest units first, so that the last one to finish is a small one
        order = sorted(by_unit, key=lambda u: -sum(r.path.stat().st_size for r in by_unit[u]))
        pending = {pool.submit(_import_unit, str(mirrors.path(unit_id)), unit_id,
                               [str(r.path) for r in by_unit[unit_id]], keys.to_dict(), db.origin,
                               apply, actor, today, stale[unit_id], values,
                               None if confirmed_keys is None else sorted(confirmed_keys)): unit_id
                   for unit_id in order}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                unit_id = pending.pop(future)
                got, rows = future.result()
                for mine, theirs in zip(by_unit[unit_id], got):
                    mine.__dict__.update(theirs.__dict__)
                if apply:
                    sync_register(db, unit_id, mirrors.get(unit_id))
                    county.store_figures(db, unit_id, rows, today)
                done += len(got)
                if progress:
                    progress(done, len(opened), got[-1].path.name)


def _import_unit(mirror_path: str, unit_id: str, paths: list[str], keys: dict, bureau_origin: str,
                 apply: bool, actor: Actor, today: dt.date, stale: set[int],
                 values: dict, confirmed_keys: list[str] | None = None
                 ) -> tuple[list[P.PackageResult], list]:
    """Worker: one unit's packages in sequence order, then (importing) its county figures for
    the months they touched and the `stale` ones an interrupted import left behind."""
    mirror = open_database(Path(mirror_path))
    key_pair = KeyPair.from_dict(keys)
    results, months, previewed = [], set(), []
    try:
        for path in paths:
            started = time.perf_counter()
            result = P.PackageResult(Path(path))
            try:
                package = container.read_header(Path(path))
                P.describe_header(result, package.header)
            except P.FORMAT_ERRORS as exc:      # changed on disk since the caller read it
                P.reject(result, exc)
            else:
                receive_report(mirror, unit_id, package, key_pair, bureau_origin, result,
                               apply=apply, actor=actor, previewed=None if apply else previewed,
                               confirmed_keys=confirmed_keys)
            months |= county.log_months(mirror) if result.reference_changed else result.months
            result.seconds = time.perf_counter() - started
            results.append(result)
        started = time.perf_counter()
        rows = county.unit_figures(mirror, months | stale, today, values) if apply else []
        results[-1].seconds += time.perf_counter() - started
    finally:
        mirror.dispose()
    return results, rows

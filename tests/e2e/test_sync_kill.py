"""`kill -9` in the middle of a 上报包 import, fifty times: the 编办's database and the unit's
mirror stay intact (PRAGMA integrity_check, audit chain) and the mirror holds all of the package
or none of it; the county table then shows the figures of whichever state the mirror is in, and
importing the same file again (as the user would) ends in the state of an uninterrupted import.

The template (made once): a 编办 with a small unit already imported and a demo unit (30 people,
a month of logs) registered, whose first 上报包 (about 4,200 rows) is the one imported. Each run
copies the template and imports the package in a child of tests/e2e/sync_kill_worker.py, which
is killed: mostly after a random delay within the import time measured in an uninterrupted run
(a third of those around the moment the mirror commits), and one run in ten each the instant
the mirror starts committing and the instant it has committed. The child reports when a write
transaction starts and ends committing, so each kill is counted as before, during or after the
mirror's commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import CHEAP_PASSWORD_PARAMETERS

from app.core.metrics import parse_period
from app.services.org import audit, passwords
from app.services.county import table as county
from app.services.county.mirrors import Mirrors, registered_units
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.exchange import packages as P
from app.demo.unit import generate_demo
from app.services.org.setup import open_database
from tests.unit import sync_fixtures as SF

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL (POSIX)")
RUNS = 50
SEED = 20261122
PERIOD = "2026-10"
WORKER = Path(__file__).with_name("sync_kill_worker.py")
ROOT = Path(__file__).resolve().parents[2]
# Written anew by every import (times, and the audit chain's hashes over them): the same
# package imported twice differs only here.
VOLATILE = {"audit_log": {"at", "prev_hash", "hash"}, "package_ledger": {"imported_at"}}


def state_hash(path: Path) -> str:
    """SHA-256 of every row of every table in primary-key order, VOLATILE columns left out."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            cols = [f'"{c[1]}"' for c in info if c[1] not in VOLATILE.get(table, ())]
            keys = [f'"{c[1]}"' for c in sorted(info, key=lambda c: c[5]) if c[5] > 0] or cols
            digest.update(f"\x00{table}\x00".encode())
            rows = conn.execute(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY {", ".join(keys)}')
            digest.update(repr(rows.fetchall()).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)   # (recovers the WAL the killed process left, as the program would)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@dataclass
class Template:
    folder: Path          # county.sqlite + county.sqlite.units/
    package: Path
    unit_id: str          # the unit whose package is imported
    fingerprint: str      # its key


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    root = tmp_path_factory.mktemp("kill")
    folder = root / "template"
    folder.mkdir()
    mp = pytest.MonkeyPatch()
    mp.setattr(passwords, "PARAMETERS", CHEAP_PASSWORD_PARAMETERS)
    try:
        world = SF.World(folder, SF.new_bureau(folder / "county.sqlite"), None, usb=root / "usb")
        world.mirrors = Mirrors(world.bureau)
        world.usb.mkdir()
        SF.register(world, "small", 1)
        SF.fill_unit(SF.enroll(world, "small", root / "small.sqlite"), "small")
        (done,) = world.receive(world.report("small"))
        assert done.status == P.IMPORTED, done.message
        unit_id = SF.register(world, "big", 2, quotas={"行政编制": 30, "事业编制": 10})
        written = enrollment.write_enrollment(world.bureau, world.mirrors, unit_id, root)
        generate_demo(root / "big.sqlite", seed=5, months=1, people=30, end=dt.date(2026, 10, 31),
                      enrollment=written.path, enrollment_code=written.code)
        big = open_database(root / "big.sqlite")
        package = unit_sync.export_report(big, root / "usb").path
        fingerprint = P.own_fingerprint(big)
        big.dispose()
        county.county_table(world.bureau, world.mirrors, parse_period(PERIOD))   # cache warm
        world.close()
    finally:
        mp.undo()
    return Template(folder, package, unit_id, fingerprint)


# ---------------------------------------------------------------- the worker
@pytest.fixture(scope="module")
def worker():
    """One loaded program that forks a child per import (see sync_kill_worker.py)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, str(WORKER)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stdout.readline().split()
    assert line == [b"L"], proc.stderr.read().decode()[-2000:]
    yield proc
    proc.stdin.close()
    proc.wait(timeout=60)


@dataclass
class Run:
    markers: list[list[str]]   # the child's lines from R on
    code: int                  # its exit status (-9: killed)

    def times(self, tag: str, name: str) -> list[float]:
        return [float(m[1]) for m in self.markers if m[0] == tag and m[2] == name]

    @property
    def finished(self) -> bool:
        return any(m[0] == "E" for m in self.markers)


CHILD_CPU = [0.0]   # CPU seconds the worker's children used so far


def run_import(worker: subprocess.Popen, folder: Path, package: Path, delay: float | None,
               upon: list[str] | None = None) -> Run:
    """Import `package` into the 编办 in `folder` in a child of the worker; kill the child with
    SIGKILL `delay` seconds after it reports R, or as soon as it reports `upon` (e.g.
    ["D", <mirror>]: the mirror committed); delay None: let it finish."""
    worker.stdin.write(f"{folder / 'county.sqlite'}\t{package}\n".encode())
    worker.stdin.flush()
    tag, pid = worker.stdout.readline().split()
    assert tag == b"P"
    markers = [worker.stdout.readline().decode().split()]
    if delay is not None and markers[0][:1] == ["R"]:
        if upon:
            while markers[-1][:1] not in (upon[:1], ["X"]) or markers[-1][2:] != upon[1:]:
                markers.append(worker.stdout.readline().decode().split())
                assert markers[-1], "the worker is gone: " + worker.stderr.read().decode()[-2000:]
        else:
            time.sleep(delay)
        os.kill(int(pid), signal.SIGKILL)   # our own child; not reaped yet, so still that process
    worker.stdin.write(b"reap\n")
    worker.stdin.flush()
    while markers[-1][:1] != ["X"]:
        markers.append(worker.stdout.readline().decode().split())
        assert markers[-1], "the worker is gone: " + worker.stderr.read().decode()[-2000:]
    _, code, cpu = markers.pop()
    CHILD_CPU[0] = float(cpu)
    assert markers[0][:1] == ["R"], markers
    assert int(code) in ((0, -9) if delay is not None else (0,)), markers
    return Run(markers, int(code))


# ---------------------------------------------------------------- what a 编办 shows afterwards
def county_view(folder: Path) -> dict:
    """What the county table and unit list say per unit (the cache may be stale: county_table
    recomputes a unit marked dirty)."""
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    try:
        rows = county.county_table(db, mirrors, parse_period(PERIOD))
        keys = {u.unit_id: u.fingerprint for u in registered_units(db)}
        view = {r.unit_id: {**r.to_json(), "computed_on": None, "key": keys[r.unit_id]} for r in rows}
        for unit_id in keys:
            report = audit.verify(mirrors.get(unit_id))
            assert report.problem is None, report.problem
        return view
    finally:
        mirrors.close()
        db.dispose()


def mirror_of(folder: Path, unit_id: str) -> Path:
    return folder / "county.sqlite.units" / f"{unit_id}.sqlite"


def test_kill_9_during_import_leaves_all_or_nothing(template, worker, tmp_path):
    t = template
    started, cpu = time.perf_counter(), time.process_time()
    mirror_name = mirror_of(t.folder, t.unit_id).name
    others = {p.name: state_hash(p) for p in (t.folder / "county.sqlite.units").glob("*.sqlite")
              if p.name != mirror_name}
    before = state_hash(mirror_of(t.folder, t.unit_id))
    view_before = county_view(_copy(t, tmp_path / "before"))

    reference = _copy(t, tmp_path / "reference")
    ref = run_import(worker, reference, t.package, None)
    after = state_hash(mirror_of(reference, t.unit_id))
    view_after = county_view(reference)
    assert after != before and view_after[t.unit_id]["figures"] != view_before[t.unit_id]["figures"]
    assert view_after[t.unit_id]["key"] == t.fingerprint
    total = float(next(m[1] for m in ref.markers if m[0] == "E"))
    # (the mirror's session commits the import, then once more, empty, on leaving its block)
    commit_start, commit_end = ref.times("C", mirror_name)[0], ref.times("D", mirror_name)[0]
    print(f"\nuninterrupted import {total:.2f} s; mirror commit at {commit_start:.3f}–{commit_end:.3f} s")

    rng = random.Random(SEED)
    phases: Counter = Counter()
    outcomes: Counter = Counter()
    for n in range(RUNS):
        upon = None
        if n % 10 == 4:   # the moment the mirror starts committing
            delay, upon = 0.0, ["C", mirror_name]
        elif n % 10 == 9:   # the moment the mirror has committed
            delay, upon = 0.0, ["D", mirror_name]
        elif n % 3 == 2:   # around the mirror's commit
            delay = rng.uniform(max(0.0, commit_start - 0.02), commit_end + 0.02)
        else:
            delay = rng.uniform(0.0, total)
        folder = _copy(t, tmp_path / f"run{n}")
        run = run_import(worker, folder, t.package, delay, upon)
        begun, ended = run.times("C", mirror_name), run.times("D", mirror_name)
        phase = "after" if ended or run.finished else ("during" if begun else "before")
        phases[phase if run.code == -9 else "after (finished before the kill)"] += 1

        mirror = mirror_of(folder, t.unit_id)
        for path in (folder / "county.sqlite", *(folder / "county.sqlite.units").glob("*.sqlite")):
            assert integrity(path) == "ok", f"run {n} ({phase}, {delay:.3f} s): {path.name}"
        state = state_hash(mirror)
        assert state in (before, after), f"run {n} ({phase}, {delay:.3f} s): a partial import"
        if phase == "after":
            assert state == after, f"run {n}: committed, yet the import is not in the mirror"
        if phase == "before":
            assert state == before, f"run {n}: not committed, yet the mirror changed"
        for p in (folder / "county.sqlite.units").glob("*.sqlite"):
            if p.name != mirror_name:
                assert state_hash(p) == others[p.name]
        view = county_view(folder)
        expected = view_after if state == after else view_before
        if view[t.unit_id]["key"] is None and state == after:
            # killed between the mirror's commit and the register's copy of the unit's key:
            # the next import of one of the unit's packages puts it there (checked below)
            view[t.unit_id]["key"] = t.fingerprint
            outcomes["key not yet in the register"] += 1
        assert view == expected, f"run {n} ({phase}, {delay:.3f} s): " + str(
            {f"{u[:8]}.{k}": (view[u].get(k), expected[u].get(k))
             for u in expected for k in expected[u] if view[u].get(k) != expected[u].get(k)})
        outcomes[f"{phase}: {'all' if state == after else 'none'}"] += 1
        if state == after or n % 5 == 0:   # the user imports the file again
            again = run_import(worker, folder, t.package, None)
            status = next(m[2] for m in again.markers if m[0] == "E")
            assert status == (P.DUPLICATE if state == after else P.IMPORTED), f"run {n}"
            assert state_hash(mirror) == after and county_view(folder) == view_after, f"run {n}"
            outcomes["imported again"] += 1
        shutil.rmtree(folder)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu + CHILD_CPU[0]
    print(f"{RUNS} kills, by where they landed relative to the mirror's commit: {dict(phases)}")
    print(f"the package in the mirror afterwards, and repairs: {dict(sorted(outcomes.items()))}; "
          f"{took:.0f} s (CPU {cpu:.0f} s)")
    assert phases["before"] and phases["after"]   # the kills did land on both sides


def _copy(t: Template, folder: Path) -> Path:
    shutil.copytree(t.folder, folder)
    return folder

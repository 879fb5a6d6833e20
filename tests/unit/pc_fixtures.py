"""A unit of several PCs for the exchange-folder tests: the admin's PC (the enrolled unit of a
sync_fixtures World) and PCs made from snapshots of it, each with its own replica and key."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.core.hlc import HybridClock
from app.db.engine import Database
from app.services.exchange import packages, pc_sync
from app.services.org.setup import open_database
from app.sync.keys import KeyPair, generate
from app.sync.merge import SYNCED_TABLES
from tests.unit.sync_fixtures import PEOPLE, World, actor_for, add_people, build_world, review_states, snapshot, synced_rows


@dataclass
class Pc:
    name: str
    db: Database
    keys: KeyPair = field(default_factory=generate)


@dataclass
class Unit:
    world: World
    folder: Path
    unit_keys: KeyPair
    pcs: list[Pc]

    def sync(self, pc: Pc) -> pc_sync.SyncReport:
        return pc_sync.sync_once(pc.db, self.folder, pc_keys=pc.keys, unit_keys=self.unit_keys,
                                 name=pc.name)

    def settle(self, rounds: int = 3) -> None:
        """Every PC syncs, round after round (the last round moves nothing)."""
        for _ in range(rounds):
            for pc in self.pcs:
                self.sync(pc)

    def close(self) -> None:
        for pc in self.pcs[1:]:
            pc.db.dispose()
        self.world.close()


def new_unit(root: Path, n: int, *, wall_offsets: dict[int, int] | None = None,
             extra_people: list[tuple[str, str, str]] = ()) -> Unit:
    """The admin PC (PC 0) with the usual people (and `extra_people`) and logs, and n - 1 PCs
    joined from snapshots of it. Every person's account (and signing key) is made on PC 0 first,
    as the admin does."""
    world = build_world(root / "w", keys=("a",))
    admin = world.units["a"]
    if extra_people:
        add_people(admin, list(extra_people))
    for login, _, _ in [*PEOPLE, *extra_people]:
        actor_for(admin, login)
    pcs = [Pc("PC0", admin)]
    for i in range(1, n):
        db = open_database(snapshot(admin, root / f"pc{i}.sqlite"))
        pc_sync.become_new_pc(db, f"PC{i}")
        pcs.append(Pc(f"PC{i}", db))
    for i, offset in (wall_offsets or {}).items():
        set_wall_offset(pcs[i].db, offset)
    folder = root / "share"
    folder.mkdir()
    unit = Unit(world, folder, packages.ensure_keys(admin), pcs)
    unit.settle(1)      # every PC has put its card into the folder (what joining does)
    return unit


def set_wall_offset(db: Database, offset_ms: int) -> None:
    """The PC's wall clock runs `offset_ms` off the true time (negative: behind)."""
    import time
    db.clock = HybridClock(db.clock.last, wall=lambda: time.time_ns() // 1_000_000 + offset_ms)


def unit_content(db: Database) -> str:
    """Hash over the synced tables (every exported column) and the derived review states."""
    digest = hashlib.sha256()
    rows = synced_rows(db, tables=sorted(SYNCED_TABLES))
    for table in sorted(rows):
        for row_id in sorted(rows[table]):
            digest.update(repr((table, rows[table][row_id])).encode())
    for log_id, state in sorted(review_states(db).items()):
        digest.update(repr((log_id, state)).encode())
    return digest.hexdigest()


_CHILD = """
import json, sys
from pathlib import Path
from app.services.exchange import pc_sync
from app.services.org.setup import open_database
from app.sync.keys import KeyPair
db_path, folder, keys_file, name = sys.argv[1:5]
keys = json.loads(Path(keys_file).read_text())
db = open_database(Path(db_path))
print("ready", flush=True)
pc_sync.sync_once(db, Path(folder), pc_keys=KeyPair.from_dict(keys["pc"]),
                  unit_keys=KeyPair.from_dict(keys["unit"]), name=name)
print("done", flush=True)
"""


def killed_mid_sync(unit: Unit, pc: Pc, delay: float, spool: Path) -> bool:
    """One sync round of `pc` in a separate process (python -c, the replica opened there as the
    program opens it), killed with SIGKILL `delay` seconds after it opened the replica. The
    PC's database in this process is closed first and opened again afterwards — the program
    restarting after the kill. Returns whether the round had finished before the kill."""
    path = Path(pc.db.path)
    pc.db.dispose()
    keys = spool / f"{pc.name}-keys.json"
    keys.write_text(json.dumps({"pc": pc.keys.to_dict(), "unit": unit.unit_keys.to_dict()}))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(unit.folder), str(keys),
                              pc.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert child.stdout.readline() == b"ready\n", child.stderr.read().decode()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        keys.unlink(missing_ok=True)
    reopened = open_database(path)
    with reopened.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    if unit.world.units.get("a") is pc.db:
        unit.world.units["a"] = reopened
    pc.db = reopened
    return b"done" in out

"""A unit of several PCs for the exchange-folder tests: the admin's PC (the enrolled unit of a
sync_fixtures World) and PCs made from snapshots of it, each with its own replica and key."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from app.core.hlc import HybridClock
from app.db.engine import Database
from app.services.exchange import packages, pc_sync
from app.services.org.setup import open_database
from app.sync.keys import KeyPair, generate
from app.sync.merge import SYNCED_TABLES
from tests.unit.sync_fixtures import PEOPLE, World, actor_for, build_world, review_states, snapshot, synced_rows


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


def new_unit(root: Path, n: int, *, wall_offsets: dict[int, int] | None = None) -> Unit:
    """The admin PC (PC 0) with the usual people and logs, and n - 1 PCs joined from snapshots of
    it. Every person's account (and signing key) is made on PC 0 first, as the admin does."""
    world = build_world(root / "w", keys=("a",))
    admin = world.units["a"]
    for login, _, _ in PEOPLE:
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

"""A multi-PC unit's working day through the exchange folder (issue 16): N PCs each write one
person's log (submitted), every PC exports its change file, then one PC applies all N files.

    .venv/bin/python tests/bench/bench_pc_sync.py            # 60 PCs
    .venv/bin/python tests/bench/bench_pc_sync.py --pcs 20

Prints: the time to set the PCs up (not part of the figures), export time per PC, the time for
one PC to apply the N files (and per file), a second round (nothing new: listing and skipping),
the folder's size. Password hashing uses the tests' cheap parameters (logins are not timed).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.services.org import passwords  # noqa: E402
from tests.conftest import CHEAP_PASSWORD_PARAMETERS  # noqa: E402

passwords.PARAMETERS = CHEAP_PASSWORD_PARAMETERS

from app.services.exchange import pc_snapshot, pc_sync  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402
from tests.unit.pc_fixtures import Pc, Unit  # noqa: E402
from tests.unit.sync_fixtures import actor_for, add_people, build_world, snapshot, write_log  # noqa: E402
from app.services.exchange import packages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcs", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        world = build_world(root / "w", keys=("a",))
        admin = world.units["a"]
        people = [(f"u{i}", f"职工{i}", "科室人员") for i in range(args.pcs)]
        add_people(admin, people)
        for login, _, _ in people:
            actor_for(admin, login)
        pcs = [Pc("PC0", admin)]
        for i in range(1, args.pcs):
            db = open_database(snapshot(admin, root / f"pc{i}.sqlite"))
            pc_sync.become_new_pc(db, f"PC{i}")
            pcs.append(Pc(f"PC{i}", db))
        folder = root / "share"
        folder.mkdir()
        unit = Unit(world, folder, packages.ensure_keys(admin), pcs)
        for pc in pcs:
            unit.sync(pc)       # cards in, nothing to send yet
        print(f"setup of {args.pcs} PCs: {time.perf_counter() - started:.1f} s")
        day = dt.date(2026, 10, 29)
        exports = []
        for pc, (login, _, _) in zip(pcs, people):
            write_log(pc.db, login, day, f"{login}：审核食品经营许可申请材料12件，现场核查3家")
            t = time.perf_counter()
            pc_sync.export_changes(pc.db, folder, pc_keys=pc.keys, unit=unit.unit_keys.public(),
                                   name=pc.name)
            exports.append(time.perf_counter() - t)
        print(f"export of one PC's day (one log): mean {1000 * sum(exports) / len(exports):.0f} ms, "
              f"max {1000 * max(exports):.0f} ms")
        receiver = pcs[0]
        t = time.perf_counter()
        report = unit.sync(receiver)
        took = time.perf_counter() - t
        print(f"one PC applies {len(report.applied)} files ({report.rows} rows): {took:.2f} s, "
              f"{1000 * took / max(1, len(report.applied)):.0f} ms per file; problems: {report.problems}")
        t = time.perf_counter()
        again = unit.sync(receiver)
        print(f"a round with nothing new ({len(again.pcs)} PCs listed): {1000 * (time.perf_counter() - t):.0f} ms")
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"exchange folder: {sum(1 for _ in folder.rglob('*.lzkc'))} change files, {size / 1024:.0f} KiB")
        for pc in pcs[1:]:
            unit.sync(pc)
        t = time.perf_counter()
        snap = pc_snapshot.write_snapshot(receiver.db, folder, pc_keys=receiver.keys,
                                          unit_keys=unit.unit_keys)
        print(f"snapshot of a replica ({receiver.db.path.stat().st_size / 1024:.0f} KiB database): "
              f"{time.perf_counter() - t:.2f} s, {snap.stat().st_size / 1024:.0f} KiB")
        t = time.perf_counter()
        joined = pc_snapshot.join_from_snapshot(folder, root / "joined.sqlite",
                                                unit_keys=unit.unit_keys, name="新电脑")
        first = pc_sync.sync_once(joined, folder, pc_keys=Pc("x", joined).keys,
                                  unit_keys=unit.unit_keys, name="新电脑")
        print(f"a new PC joins from it and syncs ({len(first.applied)} files applied): "
              f"{time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        removed = pc_snapshot.compact(folder, unit_keys=unit.unit_keys)
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"compaction removed {removed} change files in {time.perf_counter() - t:.2f} s; "
              f"folder now {size / 1024:.0f} KiB")
        joined.dispose()
        for pc in pcs[1:]:
            pc.db.dispose()
        world.close()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()

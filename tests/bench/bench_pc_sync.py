"""A multi-PC unit's working day through the exchange folder (issue 16): N PCs each write one
person's log (submitted), every PC exports its change file, one PC applies all N files, the
leader there approves them all; then a simulated year with and without compaction.

    .venv/bin/python tests/bench/bench_pc_sync.py                       # 60 PCs, a year of 250 days
    .venv/bin/python tests/bench/bench_pc_sync.py --pcs 20 --year-days 50

Prints: the time to set the PCs up (not part of the figures), export time per PC, the time for
one PC to apply the N files (and per file) against the raw-sqlite3 floor (the same number of rows
committed in the same number of transactions), a round with nothing new, the latency from a
submit on one PC to its visibility on the reviewer's PC at the GUI's default timer (computed
from the measured times, see `latency`), a day of 60 PCs (logs and reviews) applied on a third
PC, the folder's size, snapshot, join and compaction; then `year` (see there). Password hashing
uses the tests' cheap parameters (logins are not timed).
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
from app.core.logrules import EntryDraft  # noqa: E402
from app.services.logs import daily as logs  # noqa: E402
from app.services.review import queue as review  # noqa: E402
from app.sync import pc_folder as F  # noqa: E402

# The GUI's timer (app/ui/pc_syncer.py): a first round shortly after start, then every
# PC_SYNC_SECONDS, and a round AFTER_WRITE_MS after a save or submit (debounced).
from app.ui.pc_syncer import AFTER_WRITE_MS, PC_SYNC_FIRST_MS, PC_SYNC_SECONDS  # noqa: E402

FIRST_S, EVERY_S, AFTER_SAVE_S = PC_SYNC_FIRST_MS / 1000, PC_SYNC_SECONDS, AFTER_WRITE_MS / 1000


def db_size(db) -> int:
    """The database file with its WAL (where the latest writes still are)."""
    path = Path(db.path)
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def raw_floor(tmp: Path, files: int, rows_per_file: int) -> float:
    """Plain sqlite3 (WAL, synchronous=FULL): `files` transactions of `rows_per_file` rows of 12
    columns with a UUID key — what committing the same rows costs without merge rules."""
    import sqlite3
    import uuid
    conn = sqlite3.connect(tmp / "floor.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, a, b, c, d, e, f, g, h, i, hlc, origin)")
    t = time.perf_counter()
    for _ in range(files):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         [(str(uuid.uuid4()), "u", "2026-10-29", 10, 7.5, "业务工作", "审核材料12件",
                           None, 0, 1, "0001", "pc") for _ in range(rows_per_file)])
        conn.execute("COMMIT")
    took = time.perf_counter() - t
    conn.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcs", type=int, default=60)
    parser.add_argument("--year-pcs", type=int, default=4, help="PCs simulated for the year")
    parser.add_argument("--year-days", type=int, default=250)
    parser.add_argument("--compact-every", type=int, default=20, help="working days")
    args = parser.parse_args()
    year(args, day_bench(args))


def day_bench(args) -> int:
    """Returns the mean size of a one-log change file (bytes)."""
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
        exports, sizes = [], []
        for pc, (login, _, _) in zip(pcs, people):
            write_log(pc.db, login, day, f"{login}：审核食品经营许可申请材料12件，现场核查3家")
            t = time.perf_counter()
            sent = pc_sync.export_changes(pc.db, folder, pc_keys=pc.keys, unit=unit.unit_keys.public(),
                                   name=pc.name)
            exports.append(time.perf_counter() - t)
            sizes.append(sent.stat().st_size)
        print(f"export of one PC's day (one log): mean {1000 * sum(exports) / len(exports):.0f} ms, "
              f"max {1000 * max(exports):.0f} ms")
        receiver = pcs[0]
        t = time.perf_counter()
        report = unit.sync(receiver)
        took = time.perf_counter() - t
        print(f"one PC applies {len(report.applied)} files ({report.rows} rows): {took:.2f} s, "
              f"{1000 * took / max(1, len(report.applied)):.0f} ms per file; problems: {report.problems}")
        floor = raw_floor(root, len(report.applied), report.rows // max(1, len(report.applied)))
        print(f"  raw-sqlite3 floor (same rows, same {len(report.applied)} transactions): {floor:.2f} s")
        t = time.perf_counter()
        again = unit.sync(receiver)
        idle = time.perf_counter() - t
        print(f"a round with nothing new ({len(again.pcs)} PCs listed): {1000 * idle:.0f} ms")
        latency(unit, pcs, day, exports, idle)
        # the leader on the receiving PC approves the day's logs: the reviews of the day
        ld = actor_for(receiver.db, "ld")
        t = time.perf_counter()
        review.approve_many(receiver.db, ld, [i.log_id for i in review.queue(receiver.db, ld, today=day)],
                            today=day)
        unit.sync(receiver)
        print(f"the leader approves {args.pcs} logs and his PC sends them: {time.perf_counter() - t:.2f} s")
        third = pcs[1]
        t = time.perf_counter()
        report = unit.sync(third)
        took = time.perf_counter() - t
        print(f"a PC applies the day of {args.pcs} PCs (each one log, its review; {len(report.applied)} "
              f"files, {report.rows} rows): {took:.2f} s; problems: {report.problems}")
        size = folder_size(folder)
        print(f"exchange folder: {sum(1 for _ in folder.rglob('*.lzkc'))} change files, {size / 1024:.0f} KiB")
        for pc in pcs[2:]:
            unit.sync(pc)
        t = time.perf_counter()
        snap = pc_snapshot.write_snapshot(receiver.db, folder, pc_keys=receiver.keys,
                                          unit_keys=unit.unit_keys)
        print(f"snapshot of a replica ({db_size(receiver.db) / 1024:.0f} KiB database): "
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
    return sum(sizes) // len(sizes)


def latency(unit, pcs, day, exports, idle) -> None:
    """Submit on one PC → visible on the reviewer's PC. The submitting PC's round runs ~3 s after
    the submit (export); the reviewer's PC reads the folder on its timer (EVERY_S), whose phase is
    independent: it comes 0–EVERY_S after the file is there (half that on average). Measured here: the
    submitting PC's whole round, and the reviewer's round that applies that one file with every
    other PC listed; the rest is the timer."""
    author, reviewer = pcs[2], pcs[0]
    unit.sync(author)                   # it has read the day's files: its round only sends now
    write_log(author.db, "u2", day + dt.timedelta(days=-1), "u2：起草整改通知书3份")
    t = time.perf_counter()
    unit.sync(author)
    send = time.perf_counter() - t
    t = time.perf_counter()
    got = unit.sync(reviewer)
    apply = time.perf_counter() - t
    assert len(got.applied) == 1, got.applied
    work = send + apply
    print(f"submit → reviewer's PC: the author's round {1000 * send:.0f} ms, the reviewer's round "
          f"applying it {1000 * apply:.0f} ms (a round with nothing new: {1000 * idle:.0f} ms)")
    print(f"  at the default timer ({AFTER_SAVE_S} s after a save, every {EVERY_S} s, first {FIRST_S} s "
          f"after start): typical {AFTER_SAVE_S + EVERY_S / 2 + work:.1f} s, worst {AFTER_SAVE_S + EVERY_S + work:.1f} s "
          f"(computed: {AFTER_SAVE_S} s + the reviewer's timer 0–{EVERY_S} s + the measured rounds)")


def year(args, log_file: int) -> None:
    """A year of a 60-person unit, simulated with `--year-pcs` PCs (each writes the logs of
    60 / PCs people a day — the same rows as 60 PCs, in fewer change files): every working day
    each PC writes and syncs, the leader's PC approves the day, every PC syncs again. Compaction
    (snapshot on the leader's PC, then compact) every `--compact-every` days. 'Without
    compaction' is the sum of every change file written (they would all still be there); for 60
    PCs it is scaled by the files a 60-PC unit writes (61 a day: 60 logs, the leader's reviews)
    at the measured mean size of a one-log file."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = build_world(root / "w", keys=("a",))
        admin = world.units["a"]
        per_pc = max(1, 60 // args.year_pcs)
        people = [(f"y{i}", f"职工{i}", "科室人员") for i in range(per_pc * args.year_pcs)]
        add_people(admin, people)
        for login, _, _ in people:
            actor_for(admin, login)
        pcs = [Pc("PC0", admin)]
        for i in range(1, args.year_pcs):
            db = open_database(snapshot(admin, root / f"pc{i}.sqlite"))
            pc_sync.become_new_pc(db, f"PC{i}")
            pcs.append(Pc(f"PC{i}", db))
        folder = root / "share"
        folder.mkdir()
        unit = Unit(world, folder, packages.ensure_keys(admin), pcs)
        for pc in pcs:
            unit.sync(pc)
        # each person's key unlocked once (as at login), not at every save
        actors = {login: actor_for(pcs[n // per_pc].db, login) for n, (login, _, _) in enumerate(people)}
        written, files, started = 0, 0, time.perf_counter()
        day, days, compactions = dt.date(2025, 11, 3), 0, 0
        ld = actor_for(admin, "ld")
        while days < args.year_days:
            day += dt.timedelta(days=1)
            if day.weekday() >= 5:
                continue
            days += 1
            for n, pc in enumerate(pcs):
                for login, _, _ in people[n * per_pc:(n + 1) * per_pc]:
                    entry = EntryDraft(hours=7.5, category="业务工作",
                                       content=f"{login}：{day:%m月%d日}审核材料12件，现场核查3家")
                    logs.save_day(pc.db, actors[login], day, "正常", [entry], submit=True, today=day)
            for pc in pcs + pcs[:1]:
                for path in unit.sync(pc).written:
                    written, files = written + path.stat().st_size, files + 1
            review.approve_many(admin, ld, [i.log_id for i in review.queue(admin, ld, today=day)], today=day)
            for pc in pcs:
                for path in unit.sync(pc).written:
                    written, files = written + path.stat().st_size, files + 1
            if days % args.compact_every == 0:
                pc_snapshot.write_snapshot(admin, folder, pc_keys=pcs[0].keys, unit_keys=unit.unit_keys)
                pc_snapshot.compact(folder, unit_keys=unit.unit_keys)
                compactions += 1
        took = time.perf_counter() - started
        with_compaction = folder_size(folder)
        print(f"\nyear: {days} working days, {len(people)} people on {args.year_pcs} PCs "
              f"(simulated in {took:.0f} s), compaction every {args.compact_every} days ({compactions} times)")
        print(f"  folder with compaction: {with_compaction / 2**20:.1f} MiB "
              f"(database {db_size(admin) / 2**20:.1f} MiB)")
        print(f"  without compaction: {files} change files, {written / 2**20:.1f} MiB; a 60-PC unit "
              f"(61 files a day, {log_file / 1024:.1f} KiB each as measured above): "
              f"{days * 61} files, {days * 61 * log_file / 2**20:.1f} MiB")
        t = time.perf_counter()
        joined = pc_snapshot.join_from_snapshot(folder, root / "joined.sqlite", unit_keys=unit.unit_keys,
                                                name="新电脑")
        first = pc_sync.sync_once(joined, folder, pc_keys=Pc("x", joined).keys, unit_keys=unit.unit_keys,
                                  name="新电脑")
        print(f"  a PC rejoins from the snapshot after a year and syncs ({len(first.applied)} files): "
              f"{time.perf_counter() - t:.2f} s; problems: {first.problems}")
        joined.dispose()
        for pc in pcs[1:]:
            pc.db.dispose()
        world.close()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()

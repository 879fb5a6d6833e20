"""Snapshots and compaction of the exchange folder (issue 16): attachments reach a PC joined from
a snapshot; compaction never takes a file a PC still needs; a PC away for longer than compaction
keeps (retired meanwhile) rejoins from the snapshot and misses nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest

from app.services.exchange import pc_snapshot, pc_sync
from app.services.logs.attachments import store_file, stored_path
from app.sync import pc_folder as F
from tests.unit.pc_fixtures import Pc, new_unit, unit_content
from tests.unit.sync_fixtures import DAYS, write_log

WEEK2 = [dt.date(2026, 10, d) for d in (19, 20, 21, 22, 23)]


@pytest.fixture
def unit(tmp_path):
    u = new_unit(tmp_path, 3)
    yield u
    u.close()


def _texts(db) -> set[str]:
    with db.read() as s:
        return {r[0] for r in s.connection().exec_driver_sql("SELECT content FROM entry_text WHERE deleted = 0")}


def _all_files(unit) -> dict[str, list[int]]:
    return {pc.db.origin: [seq for seq, _ in F.change_files(unit.folder, pc.db.origin)]
            for pc in unit.pcs}


def test_an_attachment_reaches_other_pcs_and_a_pc_joined_after_compaction(unit, tmp_path):
    a, b, c = unit.pcs
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    ref = store_file(b.db, scan)
    write_log(b.db, "zs", DAYS[3], "附扫描件的日志", attachments=(ref,))
    unit.settle()
    assert stored_path(c.db, ref.sha256).read_bytes() == scan.read_bytes()     # by change file
    pc_snapshot.write_snapshot(a.db, unit.folder, pc_keys=a.keys, unit_keys=unit.unit_keys)
    assert pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys) > 0
    assert not F.change_files(unit.folder, b.db.origin)      # the file with the attachment is gone
    new = pc_snapshot.join_from_snapshot(unit.folder, tmp_path / "new.sqlite",
                                         unit_keys=unit.unit_keys, name="新电脑")
    unit.pcs.append(Pc("新电脑", new))
    unit.settle()
    stored = stored_path(new, ref.sha256)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == ref.sha256
    assert len({unit_content(pc.db) for pc in unit.pcs}) == 1


def test_compaction_keeps_every_file_a_pc_away_has_not_applied(unit):
    a, b, c = unit.pcs
    unit.settle()
    for i, day in enumerate(WEEK2):                   # c is away: a and b work and sync on
        write_log(a.db, "zs", day, f"甲机第{i}天")
        write_log(b.db, "ls", day, f"乙机第{i}天")
        unit.sync(a)
        unit.sync(b)
    unit.sync(a)
    pc_snapshot.write_snapshot(a.db, unit.folder, pc_keys=a.keys, unit_keys=unit.unit_keys)
    before = _all_files(unit)
    acked = F.read_ack(unit.folder, c.db.origin)
    pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys)
    after = _all_files(unit)
    for origin, seqs in before.items():
        if origin == c.db.origin:
            continue
        needed = [s for s in seqs if s > acked.get(origin, 0)]
        assert needed and set(needed) <= set(after[origin]), origin
    report = unit.sync(c)                                # back: catches up from the files
    assert report.applied and not report.problems
    unit.settle()
    assert {"甲机第2天", "乙机第2天"} <= _texts(c.db)
    assert len({unit_content(pc.db) for pc in unit.pcs}) == 1
    # now that c has applied them, the files can go, and the older snapshot with them (a PC
    # joined from it would miss the files removed now)
    time.sleep(1.05)                    # snapshots are named to the second
    newest = pc_snapshot.write_snapshot(a.db, unit.folder, pc_keys=a.keys, unit_keys=unit.unit_keys)
    assert len(list((unit.folder / F.SNAPSHOTS).iterdir())) == 2
    assert pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys) > 0
    assert list((unit.folder / F.SNAPSHOTS).iterdir()) == [newest]


def test_a_pc_away_longer_than_compaction_keeps_rejoins_from_the_snapshot(unit, tmp_path):
    a, b, c = unit.pcs
    write_log(c.db, "ls", DAYS[1], "离开前在丙机写的")
    unit.settle()
    acked = F.read_ack(unit.folder, c.db.origin)
    for i, day in enumerate(WEEK2):
        write_log(b.db, "zs", day, f"丙机离开期间第{i}天")
        unit.sync(b)
        unit.sync(a)
    pc_sync.retire_pc(unit.folder, c.db.origin, unit_keys=unit.unit_keys)   # away for months
    unit.sync(b)
    unit.sync(a)
    pc_snapshot.write_snapshot(a.db, unit.folder, pc_keys=a.keys, unit_keys=unit.unit_keys)
    assert pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys) > 0
    first = F.change_files(unit.folder, b.db.origin)
    assert not first or first[0][0] > acked[b.db.origin] + 1        # c could no longer catch up
    report = unit.sync(c)
    assert report.problems == ["本机已被单位管理员停用，不再与其他电脑同步：请重新加入本单位"]
    assert "丙机离开期间第0天" not in _texts(c.db)
    c.db.dispose()
    again = pc_snapshot.join_from_snapshot(unit.folder, tmp_path / "c-again.sqlite",
                                           unit_keys=unit.unit_keys, name="丙机重装")
    unit.pcs[2] = Pc("丙机重装", again)
    assert not unit.sync(unit.pcs[2]).problems
    unit.settle()
    texts = _texts(again)
    assert {"离开前在丙机写的", "丙机离开期间第0天", f"丙机离开期间第{len(WEEK2) - 1}天"} <= texts
    assert len({unit_content(pc.db) for pc in unit.pcs}) == 1


def test_a_pc_joined_from_a_snapshot_does_not_read_again_what_the_snapshot_holds(unit, tmp_path):
    """The snapshot maker's own change files are in its replica; the new PC's first round reads
    only what came after (found while joining a standalone unit: its admin's first file was
    read again on every joined PC)."""
    a, b, c = unit.pcs
    for day in WEEK2[:3]:
        write_log(a.db, "zs", day, f"{day}甲机写的")
        unit.sync(a)
    unit.settle()
    pc_snapshot.write_snapshot(a.db, unit.folder, pc_keys=a.keys, unit_keys=unit.unit_keys)
    write_log(a.db, "zs", WEEK2[4], "快照之后写的")
    unit.sync(a)
    new = pc_snapshot.join_from_snapshot(unit.folder, tmp_path / "new.sqlite",
                                         unit_keys=unit.unit_keys, name="新电脑")
    pc = Pc("新电脑", new)
    unit.pcs.append(pc)
    last = F.change_files(unit.folder, a.db.origin)[-1][0]
    report = unit.sync(pc)
    assert [seq for origin, seq in report.applied if origin == a.db.origin] == [last]
    assert not report.problems
    unit.settle()
    assert len({unit_content(p.db) for p in unit.pcs}) == 1

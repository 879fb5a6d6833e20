"""The 上报包 of a multi-PC unit made on any of its PCs (issue 16): the 编办 sees one unit.

Real replicas (PC 0, the admin's, and PCs made from snapshots of it), a real exchange folder, a
real 编办 with its mirror, real keys. The 上报包 is made on PC A, then on PC B, then on A again,
then on A and B at once without syncing in between, then on a third PC; the 编办's 下发包 (its
acknowledgement) is imported on one PC or another and reaches the rest through the folder.
Every package must be imported without a fork, gap or audit-trail warning, and at the end the
编办's mirror must hold what every PC holds, and show the same logs and figures as a 编办 that
received the same work from a single-PC unit.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from pathlib import Path

from sqlalchemy import select

from app.core import vocab
from app.db.models import PackageLedger, Peer, Person, WorkLog
from app.services.county.basis import bureau_values
from app.services.county.figures import unit_figures
from app.services.county.mirrors import Mirrors
from app.services.exchange import audit_head, pc_sync, unit_side
from app.services.org.setup import open_database
from tests.unit import pc_ops as O
from tests.unit.pc_fixtures import new_unit
from tests.unit.sync_fixtures import (DAYS, TODAY, World, build_world, databases_of, snapshot,
                                     synced_rows, write_log)

# (author, day) of the logs written here, one each: the fixture's logs are on 12–14 October
SLOTS = [(login, dt.date(2026, 10, d)) for d in (15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29)
         for login in ("zs", "ls")]


def _submitted(db) -> list[tuple[str, dt.date]]:
    with db.read() as s:
        return [(login, dt.date.fromisoformat(day)) for login, day in s.execute(
            select(Person.login, WorkLog.day).join(Person, Person.id == WorkLog.person_id)
            .where(WorkLog.status == vocab.LOG_SUBMITTED).order_by(WorkLog.day, Person.login))]


def _copy_bureau(world: World, root: Path) -> World:
    """A second 编办, a copy of `world`'s before any package: the one the single-PC unit reports to."""
    root.mkdir()
    for path in databases_of(world.bureau.path):
        rel = path.relative_to(Path(world.bureau.path).parent)
        snapshot(world.mirror("a") if path.parent.name.endswith(".units") else world.bureau,
                 root / rel)
    bureau = open_database(root / Path(world.bureau.path).name)
    usb = root / "usb"
    usb.mkdir()
    return World(root, bureau, Mirrors(bureau), dict(world.unit_ids), usb=usb)


def _imported(world: World, *paths: Path) -> None:
    results = world.receive(*paths)
    for r in results:
        assert r.status == "imported", r.message
        assert not r.note and not r.audit_problem, r.message
        assert "分叉" not in r.message and "缺口" not in r.message and "审计" not in r.message, r.message


def _report(unit, pc) -> Path:
    return unit_side.export_report(pc.db, unit.world.usb).path


def _acknowledge(unit, pc) -> None:
    """The 编办's 下发包 imported on `pc` and put into the folder for the other PCs."""
    dispatch = unit.world.dispatch("a")
    results = unit_side.import_dispatch(pc.db, [dispatch], apply=True)
    assert [r.status for r in results] == ["imported"], [r.message for r in results]
    pc_sync.share_dispatch(unit.folder, dispatch)


def test_reports_from_several_pcs_reach_the_bureau_as_one_unit_once(tmp_path):
    unit = new_unit(tmp_path, 3)
    a, b, c = unit.pcs
    world = unit.world
    single = _copy_bureau(world, tmp_path / "single")
    ref = O.Reference(open_database(snapshot(a.db, tmp_path / "reference.sqlite")))
    slots = iter(SLOTS)
    try:
        def work(*pcs):
            """On each PC a new log, and on the first an approval of a log every PC has seen."""
            for pc in pcs:
                login, day = next(slots)
                assert ref.perform(pc.db, O.log_op(login, day, f"在{pc.name}上填写：办理登记9件", 7.5, True))
            login, day = _submitted(pcs[0].db)[0]
            assert ref.perform(pcs[0].db, O.review_op("ld", login, day, False, ""))

        work(a, b, c)
        unit.settle()
        _imported(world, _report(unit, a))              # A: the unit's first package
        _acknowledge(unit, b)                            # the 回执 lands on B, reaches A through the folder
        work(b, c, a)
        unit.settle()
        _imported(world, _report(unit, b))              # B: the next package
        _acknowledge(unit, a)
        work(c, a, b)
        unit.settle()
        _imported(world, _report(unit, a))              # A again
        # A and B each make a package without syncing in between: both are taken, nothing twice
        work(a, b)
        first, second = _report(unit, a), _report(unit, b)
        assert first.name != second.name
        _imported(world, second, first)
        unit.settle()
        _acknowledge(unit, c)
        unit.settle()
        work(c, b)
        unit.settle()
        _imported(world, _report(unit, c))              # a third PC

        mirror = world.mirror("a")
        for pc in unit.pcs:
            assert synced_rows(mirror) == synced_rows(pc.db), pc.name
        with mirror.read() as s:
            assert s.scalar(select(Peer.audit_note).where(Peer.peer_id == world.unit_ids["a"])) is None
            rows = [(r.line, r.seq, r.base, r.audit_seq, r.note) for r in s.scalars(select(PackageLedger))]
        assert not any(r[4] for r in rows), rows
        # numbered per PC: A 1, 2, 3; B 1, 2; C 1 — A's 2 only what followed its acknowledged 1
        # (the 回执 imported on B reached A through the folder), its 3 from the same point (no
        # 回执 in between), each continuing the audit chain its previous package brought
        assert [(line, seq) for line, seq, *_ in rows] == [
            (a.db.origin, 1), (b.db.origin, 1), (a.db.origin, 2), (b.db.origin, 2), (a.db.origin, 3),
            (c.db.origin, 1)]
        lined_a = [r for r in rows if r[0] == a.db.origin]
        assert lined_a[0][2] == 0 and lined_a[1][2] > 0 and lined_a[2][2] == lined_a[1][2]
        assert lined_a[0][3] < lined_a[1][3] < lined_a[2][3]
        for pc in unit.pcs:     # each PC took back its own line's audit head, none another's
            with pc.db.read() as s:
                assert audit_head.confirmed_problem(s) is None, pc.name

        # the same work done on one PC, reported once to a copy of the 编办
        _imported(single, unit_side.export_report(ref.db, single.usb).path)
        keys = O.all_log_keys(mirror) | O.all_log_keys(single.mirror("a"))
        assert len(keys) >= 14
        assert O.projection(mirror, keys) == O.projection(single.mirror("a"), keys)
        month = {name: json.loads(dict(unit_figures(w.mirror("a"), {202610}, TODAY,
                                                    bureau_values(w.bureau)))["2026-10"])
                 for name, w in (("pcs", world), ("single", single))}
        assert month["pcs"] == month["single"]
    finally:
        ref.db.dispose()
        single.close()
        unit.close()


def _as_before_lines(world: World) -> None:
    """The 编办's mirror of unit a as a program before report lines left it (schema 0010): the
    columns gone, the audit head only in the peer row. The next open upgrades it again."""
    from alembic import command
    from sqlalchemy import create_engine
    from app.db.migrate import alembic_config
    path = world.mirrors.path(world.unit_ids["a"])
    world.mirrors.close()
    engine = create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    engine.dispose()


def test_a_unit_that_reported_before_lines_keeps_its_numbering_and_audit_head(tmp_path):
    world = build_world(tmp_path / "w", keys=("a",))
    unit = world.units["a"]
    try:
        _imported(world, world.report("a"))
        world.unit_receives("a", world.dispatch("a"))
        write_log(unit, "zs", DAYS[3])
        _imported(world, world.report("a"))
        _as_before_lines(world)
        mirror = world.mirror("a")
        with mirror.read() as s:
            seen = s.get(Peer, world.unit_ids["a"]).audit_seq
            rows = [(r.line, r.seq, r.audit_seq) for r in s.scalars(select(PackageLedger))]
        assert seen > 40 and rows == [("", 1, 0), ("", 2, seen)]
        # the unit cuts its trail short, then makes its first package with a line: the line
        # takes the earlier packages over (no fork, no gap) and the head they brought
        conn = sqlite3.connect(unit.path)
        with conn:
            conn.execute("DELETE FROM audit_log WHERE seq > ?", (seen - 20,))
        conn.close()
        write_log(unit, "zs", DAYS[4])
        [result] = world.receive(world.report("a"))
        assert result.status == "imported" and not result.note, result.message
        assert result.audit_problem.startswith(f"审计记录被截断：上次上报到第{seen}条"), result.message
        with mirror.read() as s:
            rows = [(r.line, r.seq) for r in s.scalars(select(PackageLedger))]
        assert rows == [(unit.origin, 1), (unit.origin, 2), (unit.origin, 3)]
        same = synced_rows(mirror)
        assert same == synced_rows(unit)
    finally:
        world.close()


def test_a_preview_of_packages_from_two_pcs_takes_both(tmp_path):
    """Two PCs' packages previewed together (one USB stick): each judged on its own line."""
    unit = new_unit(tmp_path, 2)
    a, b = unit.pcs
    try:
        first = _report(unit, a)
        write_log(b.db, "zs", DAYS[3])
        second = _report(unit, b)
        previews = unit.world.receive(first, second, apply=False)
        assert [r.status for r in previews] == ["ok", "ok"], [r.message for r in previews]
        assert all(r.message.startswith("可以导入") and not r.note for r in previews), \
            [r.message for r in previews]
        _imported(unit.world, first, second)
    finally:
        unit.close()


def test_a_joined_pc_makes_the_report_with_its_own_seal_of_the_unit_key(tmp_path, monkeypatch):
    """The admin sealed the unit key under a 密钥口令; a PC joined with the join code holds its
    copy under a secret of its own. In a later run its 上报包 needs that seal opened
    (pc_unit.keys_ready, as `export-package` and the window's sync do), not the admin's passphrase.
    The 下发包 imported there is passed on to the other PCs through the folder."""
    from app.services.exchange import keystore, pc_unit
    from app.services.org.actor import SYSTEM
    from app.settings import Settings
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    world = build_world(tmp_path / "w", keys=("a",))
    admin_pc = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    other = None
    try:
        _imported(world, world.report("a"))
        keystore.protect(admin_pc, SYSTEM, "单位密钥口令2026")
        code = pc_unit.setup(admin_pc, SYSTEM, share, name="管理员电脑", settings=mine)
        other = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
        write_log(other, "zs", DAYS[3])
        keystore._opened.pop(str(other.path), None)          # a later run of the program
        with pytest.raises(keystore.KeysLocked):
            unit_side.export_report(other, world.usb)
        assert pc_unit.keys_ready(other, theirs)
        _imported(world, unit_side.export_report(other, world.usb).path)
        assert synced_rows(world.mirror("a"))["work_log"] == synced_rows(other)["work_log"]
        # the 编办's 回执 read on this PC reaches the admin's through the folder
        [back] = pc_unit.import_dispatch(other, [world.dispatch("a")], apply=True, settings=theirs)
        assert back.status == "imported", back.message
        assert [p.name for p in (share / "bureau").iterdir()] == [back.path.name]
        assert pc_unit.sync(admin_pc, settings=mine).dispatches == 1
    finally:
        if other is not None:
            other.dispose()
        world.close()

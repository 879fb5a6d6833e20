"""The audit trail cannot be cut short or re-chained unseen once it has reached the 编办: each
上报包 carries the records after the head the 编办 confirmed, the 编办 remembers the head and
sends it back, and both `audit verify` at the unit and the 编办's import compare against it."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from app.db import audit as chain
from app.db.models import Peer
from app.services.org import audit
from tests.unit.sync_fixtures import DAYS, TODAY, approve, build_world, write_log


@pytest.fixture
def world(tmp_path):
    """Unit a reported, imported, and got the 编办's 下发包 confirming its audit head."""
    w = build_world(tmp_path / "w", keys=("a",))
    [first] = w.receive(w.report("a"))
    assert first.status == "imported" and not first.audit_problem, first.message
    [back] = w.unit_receives("a", w.dispatch("a"))
    assert back.status == "imported", back.message
    yield w
    w.close()


def _head(db) -> tuple[int, str]:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()


def _remembered(db) -> tuple[int, str]:
    with db.read() as s:
        peer = s.scalars(select(Peer)).first()
        return peer.audit_seq, peer.audit_hash


def test_both_sides_remember_the_head_that_reached_the_bureau(world):
    unit = world.units["a"]
    reported = _remembered(world.mirror("a"))
    assert reported[0] > 40
    assert _remembered(unit) == reported
    assert audit.verify(unit).ok
    write_log(unit, "zs", DAYS[3])                 # more records after the confirmed head
    approve(unit, "ld", "zs", DAYS[3])
    [result] = world.receive(world.report("a"))
    assert result.status == "imported" and not result.audit_problem, result.message
    assert _remembered(world.mirror("a")) == _head(unit)


def test_deleting_the_newest_records_is_seen_at_both_ends(world):
    unit = world.units["a"]
    seen, _ = _remembered(unit)
    conn = sqlite3.connect(unit.path)
    with conn:
        conn.execute("DELETE FROM audit_log WHERE seq > ?", (seen - 40,))
    conn.close()
    report = audit.verify(unit)
    assert not report.ok
    assert f"编办确认过的第{seen}条审计记录已不存在（审计记录被截断）" in report.summary()
    [result] = world.receive(world.report("a"))
    assert result.status == "imported"           # the rows are judged on their own signatures
    assert result.audit_problem.startswith(f"审计记录被截断：上次上报到第{seen}条"), result.message
    with world.mirror("a").read() as s:
        assert s.scalars(select(Peer)).first().audit_note == result.audit_problem
    from app.core.metrics import parse_period
    from app.services.county import table
    [row] = table.county_table(world.bureau, world.mirrors, parse_period("2026-10"), today=TODAY)
    assert f"审计记录异常：{result.audit_problem}" in row.warnings


def test_an_edited_actor_rechained_is_seen_at_both_ends(world):
    """Edit who did something, then recompute every later hash: the chain on its own holds
    again, but no longer through the record the 编办 confirmed."""
    unit = world.units["a"]
    seen, _ = _remembered(unit)
    conn = sqlite3.connect(unit.path)
    with conn:
        rows = conn.execute("SELECT seq, at, actor, action, table_name, row_id, before_hash, "
                            "after_hash FROM audit_log ORDER BY seq").fetchall()
        prev = chain.GENESIS
        for seq, at, actor, action, table, row_id, before, after in rows:
            if seq == 5:
                actor = "nobody"
            digest = chain.record_hash(prev, at, actor, action, table, row_id, before, after)
            conn.execute("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         (actor, prev, digest, seq))
            prev = digest
    conn.close()
    report = audit.verify(unit)
    assert not report.ok
    assert f"第{seen}条审计记录与编办确认时不符（审计记录被改写）" in report.summary()
    write_log(unit, "zs", DAYS[3])
    [result] = world.receive(world.report("a"))
    assert result.audit_problem == f"审计记录第{seen}条与上次上报时不符（审计记录被改写）", result.message

"""Seeded convergence of a multi-PC unit (issue 16): several replicas, one exchange folder, and
every kind of work a unit does on random PCs — logs written and submitted, reviews (approve and
退回) by the leader and by his 代审 stand-in, the author's corrected resubmission, 申请修改 of an
approved log, the admin's roster changes, a delegation set and cancelled — with random sync
order, files delivered late, delivered again, half-written temp files, PCs killed with SIGKILL in
the middle of a sync round (a separate process), compaction at random points, and one PC away
for longer than compaction keeps (retired by the admin) that rejoins from the snapshot.

At the end:
- every replica holds the same synced content (hash over every synced table and the derived
  review states);
- a single-PC reference unit that performed the same successful operations in the same order
  holds the same roster, delegations and logs — compared on what a user sees (states, entries,
  reviews, kept versions; ids, clocks and origins differ by nature). A log edited or reviewed on
  a PC that had not yet seen the previous operation on it was edited concurrently; between PCs it
  is resolved by (HLC, origin), which has no counterpart on one PC, so such logs are compared
  between the replicas only (pc_ops explains the rule). The operations on causally ordered logs
  must also have succeeded on the reference;
- a 上报包 made on a randomly chosen PC (any PC holds the unit key) gives the 编办 the same rows.

The default run is sized for the suite (8 PCs, 150 steps, 2 kills: ~15 s of CPU, 40 s on this shared machine); a larger run:
    LZKP_PC_CONVERGENCE="12 1200 7 6" pytest -s tests/unit/test_pc_convergence.py
(PCs, steps, seed, kills).
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil

import pytest
from sqlalchemy import select

from app.core import vocab
from app.db.models import Person, WorkLog
from app.services.exchange import pc_snapshot, pc_sync, unit_side
from app.services.org.setup import open_database
from app.sync import pc_folder as F
from tests.unit import pc_ops as O
from tests.unit.pc_fixtures import Pc, killed_mid_sync, new_unit, unit_content
from tests.unit.sync_fixtures import review_states, snapshot, synced_rows

_ARGS = os.environ.get("LZKP_PC_CONVERGENCE", "8 150 20261206 2").split()
PCS, STEPS, SEED = (int(x) for x in _ARGS[:3])
KILLS = int(_ARGS[3]) if len(_ARGS) > 3 else 2
DAYS = [dt.date(2026, 10, d) for d in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29)]


def test_random_work_on_every_pc_converges_to_one_content_equal_to_one_pc(tmp_path):
    rng = random.Random(SEED)
    unit = new_unit(tmp_path, PCS, extra_people=[("dl", "赵代审", "科室人员")])
    ref = O.Reference(open_database(snapshot(unit.pcs[0].db, tmp_path / "reference.sqlite")))
    try:
        _run(unit, ref, rng, tmp_path)
    finally:
        ref.db.dispose()
        unit.close()


def _run(unit, ref, rng: random.Random, tmp_path) -> None:
    admin = unit.pcs[0]
    authors = ["zs", "ls"]
    aside = tmp_path / "late"
    aside.mkdir()
    held: list[tuple] = []                 # files taken out of the folder for a while
    faults = {"sync": 0, "late": 0, "again": 0, "part": 0, "compact": 0, "kill": 0,
              "kill-finished": 0, "rejoin": 0}
    kill_at = set(rng.sample(range(STEPS // 5, STEPS), KILLS))
    away = unit.pcs[rng.randrange(1, PCS)]     # the PC away from STEPS/4 to 3/4
    for step in range(STEPS):
        if step == STEPS // 4:
            unit.sync(away)                    # leaves with everything it wrote sent
        if step == 3 * STEPS // 4:
            faults["rejoin"] += _retire_compact_rejoin(unit, away, held, aside, tmp_path)
        if step == STEPS // 10:
            ref.perform(rng.choice(unit.pcs).db, O.delegate_op(dt.date.today(), dt.date.today() + dt.timedelta(days=30)))
        if step == 7 * STEPS // 10:
            ref.perform(rng.choice(unit.pcs).db, O.cancel_delegation_op())
        active = [p for p in unit.pcs if p is not away or not STEPS // 4 <= step < 3 * STEPS // 4]
        pc = rng.choice(active)
        if step in kill_at:
            faults["kill"] += 1
            faults["kill-finished"] += killed_mid_sync(unit, pc, rng.uniform(0.0, 0.06), tmp_path)
            continue
        roll = rng.random()
        if roll < 0.24:
            ref.perform(pc.db, O.log_op(rng.choice(_present(pc.db, authors)), rng.choice(DAYS),
                                        f"第{step}步在{pc.name}上填写", rng.choice([4.0, 7.5, 8.0]),
                                        rng.random() < 0.75))
        elif roll < 0.38:
            waiting = _logs(pc.db, vocab.LOG_SUBMITTED)
            if waiting:
                login, day = rng.choice(waiting)
                returned = rng.random() < 0.35
                ref.perform(pc.db, O.review_op(rng.choice(["ld", "ld", "dl"]), login, day, returned,
                                               f"第{step}步退回：请写明件数" if returned else ""))
        elif roll < 0.44:
            returned = _logs(pc.db, vocab.LOG_RETURNED)
            if returned:
                login, day = rng.choice(returned)
                ref.perform(pc.db, O.resubmit_op(login, day, f"第{step}步按退回意见补充：办理8件"))
        elif roll < 0.47:
            approved = [k for k in _logs(pc.db, vocab.LOG_APPROVED) if k[0] != "dl"]
            if approved:
                login, day = rng.choice(approved)
                ref.perform(pc.db, O.amend_op(login, day, f"第{step}步申请修改：件数有误",
                                              f"第{step}步更正后：办理9件"))
        elif roll < 0.51:
            if rng.random() < 0.6 or len(authors) == 2:
                login = f"p{step}"
                if ref.perform(admin.db, O.add_person_op(login, f"新人{step}")):
                    authors.append(login)
            else:
                ref.perform(admin.db, O.rename_op(rng.choice(authors[2:]), f"改名{step}"))
        elif roll < 0.80:
            unit.sync(pc)
            faults["sync"] += 1
        elif roll < 0.87:
            _hold_or_release(unit, rng, aside, held)
            faults["late"] += 1
        elif roll < 0.93:
            faults["again"] += _apply_again(unit, rng, pc)
        elif roll < 0.96:
            # a writer killed mid-file leaves its temp file behind
            victim = F.pc_dir(unit.folder, rng.choice(unit.pcs).db.origin)
            (victim / f"{rng.randrange(1, 99):08d}.lzkc.part").write_bytes(b"LZKPPKG\n" + os.urandom(50))
            faults["part"] += 1
        else:
            unit.sync(pc)
            pc_snapshot.write_snapshot(pc.db, unit.folder, pc_keys=pc.keys, unit_keys=unit.unit_keys)
            pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys)
            faults["compact"] += 1
    for name, path in held:
        shutil.move(aside / name, path)
    unit.settle()
    _assert_replicas_agree(unit, ref.counts, faults)
    compared = _assert_equal_to_reference(unit, ref)
    print(f"\npc convergence: {PCS} PCs {STEPS} steps seed {SEED}; operations {ref.counts}; "
          f"faults {faults}; logs compared with the one-PC reference {compared}, "
          f"concurrent (replicas only) {len(ref.concurrent)}")
    for kind in ("log", "approve", "return", "resubmit", "roster", "delegate"):
        assert ref.counts.get(kind), (kind, ref.counts)
    assert faults["kill"] == KILLS and faults["late"] and faults["again"] and faults["compact"]
    _assert_bureau_sees_the_same(unit, rng)


def _assert_replicas_agree(unit, counts, faults) -> None:
    hashes = {pc.name: unit_content(pc.db) for pc in unit.pcs}
    problems = {pc.name: unit.sync(pc).problems for pc in unit.pcs}
    if len(set(hashes.values())) != 1:
        rows = {pc.name: synced_rows(pc.db) for pc in unit.pcs}
        first = unit.pcs[0].name
        differ = {t for t in rows[first] if any(rows[n][t] != rows[first][t] for n in rows)}
        states = {pc.name: review_states(pc.db) for pc in unit.pcs}
        odd = {log: {n: states[n].get(log) for n in states} for log in states[first]
               if len({repr(states[n].get(log)) for n in states}) > 1}
        from app.services.signing import verify
        why = {}
        for pc in unit.pcs:
            with pc.db.read() as s:
                why[pc.name] = [(f.name, f.day, f.reason) for f in verify.verify_logs(s, set(odd)).findings]
        pytest.fail(f"replicas differ in {sorted(differ)}, review states {odd}; why {why}; {counts} {faults}; "
                    f"problems: {problems}")
    # quiet within a few rounds: a round of PCs deleting the entries of losing versions, then none
    rounds = 0
    while any([unit.sync(pc).written for pc in unit.pcs]):
        rounds += 1
        assert rounds < 5, "the PCs keep writing change files to each other"
    assert not any([unit.sync(pc).applied for pc in unit.pcs])
    assert len({unit_content(pc.db) for pc in unit.pcs}) == 1


def _assert_equal_to_reference(unit, ref) -> int:
    assert not ref.differed, f"operations that succeeded on a PC but not on one PC: {ref.differed}"
    keys = (O.all_log_keys(unit.pcs[0].db) | O.all_log_keys(ref.db)) - ref.concurrent
    mine, theirs = O.projection(unit.pcs[0].db, keys), O.projection(ref.db, keys)
    assert mine["roster"] == theirs["roster"]
    assert mine["delegations"] == theirs["delegations"]
    wrong = {k: (mine["logs"][k], theirs["logs"][k]) for k in keys if mine["logs"][k] != theirs["logs"][k]}
    assert not wrong, f"{len(wrong)} of {len(keys)} logs differ from the one-PC unit: {wrong}"
    assert len(keys) >= 10
    return len(keys)


def _assert_bureau_sees_the_same(unit, rng) -> None:
    """The 上报包 of a random PC (every PC holds the unit key): the 编办's mirror equals it."""
    world, pc = unit.world, rng.choice(unit.pcs)
    package = unit_side.export_report(pc.db, world.usb).path
    results = world.receive(package)
    assert [r.status for r in results] == ["imported"], [r.message for r in results]
    mirror = synced_rows(world.mirror("a"))
    for other in unit.pcs:
        assert mirror == synced_rows(other.db), (pc.name, other.name)


def _retire_compact_rejoin(unit, away, held, aside, tmp_path) -> int:
    """The admin retires the PC away, the others settle and compact past what it applied; the
    PC finds itself retired and joins again from the newest snapshot, with a new origin."""
    for name, path in held:
        shutil.move(aside / name, path)
    held.clear()
    admin = unit.pcs[0]
    acked = F.read_ack(unit.folder, away.db.origin)
    pc_sync.retire_pc(unit.folder, away.db.origin, unit_keys=unit.unit_keys)
    present = [p for p in unit.pcs if p is not away]
    for _ in range(3):      # a 代审 review waits a round for the PC that set the 代审
        for p in present:
            unit.sync(p)
    pc_snapshot.write_snapshot(admin.db, unit.folder, pc_keys=admin.keys, unit_keys=unit.unit_keys)
    before = {p.db.origin: F.change_files(unit.folder, p.db.origin) for p in present}
    pc_snapshot.compact(unit.folder, unit_keys=unit.unit_keys)
    gone = [path for origin, files in before.items() for seq, path in files
            if seq > acked.get(origin, 0) and not path.exists()]
    assert gone, "compaction should have removed files the PC away had not applied"
    assert any("停用" in p for p in unit.sync(away).problems)
    away.db.dispose()
    db = pc_snapshot.join_from_snapshot(unit.folder, tmp_path / f"{away.name}-again.sqlite",
                                        unit_keys=unit.unit_keys, name=away.name + "重装")
    unit.pcs[unit.pcs.index(away)] = Pc(away.name + "重装", db)
    return 1


def _logs(db, status: str) -> list[tuple[str, dt.date]]:
    """(author, day) of the logs in `status` on this PC (what its lists show)."""
    with db.read() as s:
        return [(login, dt.date.fromisoformat(day)) for login, day in s.execute(
            select(Person.login, WorkLog.day).join(Person, Person.id == WorkLog.person_id)
            .where(WorkLog.status == status, WorkLog.deleted.is_(False))
            .order_by(Person.login, WorkLog.day))]


def _present(db, logins: list[str]) -> list[str]:
    """The people among `logins` this PC's replica knows already."""
    with db.read() as s:
        here = set(s.scalars(select(Person.login)))
    return [login for login in logins if login in here]


def _hold_or_release(unit, rng, aside, held) -> None:
    if held and rng.random() < 0.5:
        name, path = held.pop(rng.randrange(len(held)))
        shutil.move(aside / name, path)
        return
    files = [p for pc in unit.pcs for _, p in F.change_files(unit.folder, pc.db.origin)]
    if files:
        path = rng.choice(files)
        name = f"{path.parent.name}-{path.name}"
        shutil.move(path, aside / name)
        held.append((name, path))


def _apply_again(unit, rng, pc) -> int:
    """A file this PC applied before, delivered again: nothing changes."""
    others = [p for p in unit.pcs if p is not pc]
    sender = rng.choice(others)
    done = pc_sync.applied_seqs(pc.db, sender.db.origin)
    files = [(s, p) for s, p in F.change_files(unit.folder, sender.db.origin) if s in done]
    if not files:
        return 0
    seq, path = rng.choice(files)
    card = F.read_card(unit.folder, sender.db.origin, unit.unit_keys.public())
    if card is None:
        return 0
    before = unit_content(pc.db)
    assert pc_sync.apply_file(pc.db, card, seq, path, unit.unit_keys) == (pc_sync.DUPLICATE, 0)
    assert unit_content(pc.db) == before
    return 1

"""Seeded convergence of a multi-PC unit (issue 16): several replicas, one exchange folder, random
work on random PCs, random sync order, files late, re-delivered and half-written; at the end every
replica holds the same synced content, and a 上报包 from the admin's PC gives the 编办 the same.

The default run is small (5 PCs, 160 steps) to keep the suite fast; a larger run:
    LZKP_PC_CONVERGENCE="12 1200 7" pytest tests/unit/test_pc_convergence.py   (PCs, steps, seed)
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil

import pytest

from app.core.errors import AppError
from app.services.exchange import pc_sync
from app.sync import pc_folder as F
from tests.unit.pc_fixtures import new_unit, unit_content
from tests.unit.sync_fixtures import review_states, actor_for, add_people, approve, synced_rows, write_log

PCS, STEPS, SEED = (int(x) for x in os.environ.get("LZKP_PC_CONVERGENCE", "5 160 20261206").split())
DAYS = [dt.date(2026, 10, d) for d in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29)]


def test_random_work_on_every_pc_converges_to_one_content(tmp_path):
    rng = random.Random(SEED)
    unit = new_unit(tmp_path, PCS)
    try:
        _run(unit, rng, tmp_path)
    finally:
        unit.close()


def _run(unit, rng: random.Random, tmp_path) -> None:
    admin = unit.pcs[0]
    authors = ["zs", "ls"]
    aside = tmp_path / "late"
    aside.mkdir()
    held: list[tuple] = []           # files taken out of the folder for a while (delivered late)
    counts = {"log": 0, "approve": 0, "roster": 0, "sync": 0, "late": 0, "again": 0, "refused": 0}
    for step in range(STEPS):
        pc = rng.choice(unit.pcs)
        roll = rng.random()
        try:
            if roll < 0.30:
                # any PC, synced or not: the same day may be written on two PCs meanwhile
                write_log(pc.db, rng.choice(_present(pc.db, authors)), rng.choice(DAYS),
                          f"第{step}步在{pc.name}上填写", hours=rng.choice([4.0, 7.5, 8.0]),
                          submit=rng.random() < 0.7)
                counts["log"] += 1
            elif roll < 0.45:
                waiting = _submitted(pc.db)        # what the leader's 待审 list shows on that PC
                if waiting:
                    approve(pc.db, "ld", *rng.choice(waiting))
                    counts["approve"] += 1
            elif roll < 0.50:
                login = f"p{step}"                  # the admin adds a person (account made there)
                add_people(admin.db, [(login, f"新人{step}", "科室人员")])
                actor_for(admin.db, login)
                authors.append(login)
                counts["roster"] += 1
            elif roll < 0.85:
                unit.sync(pc)
                counts["sync"] += 1
            elif roll < 0.92:
                _hold_or_release(unit, rng, aside, held)
                counts["late"] += 1
            else:
                counts["again"] += _apply_again(unit, rng, pc)
        except AppError:
            counts["refused"] += 1           # e.g. approving a log that is not pending there
        if step == STEPS // 2:               # a writer killed mid-file leaves its temp file behind
            victim = F.pc_dir(unit.folder, rng.choice(unit.pcs).db.origin)
            (victim / "00000999.lzkc.part").write_bytes(b"LZKPPKG\n" + os.urandom(50))
    for name, path in held:
        shutil.move(aside / name, path)
    unit.settle()
    hashes = {pc.name: unit_content(pc.db) for pc in unit.pcs}
    problems = {pc.name: unit.sync(pc).problems for pc in unit.pcs}
    if len(set(hashes.values())) != 1:
        rows = {pc.name: synced_rows(pc.db) for pc in unit.pcs}
        differ = {t for t in rows["PC0"] if any(rows[n][t] != rows["PC0"][t] for n in rows)}
        states = {pc.name: review_states(pc.db) for pc in unit.pcs}
        odd = {log: {n: states[n].get(log) for n in states} for log in states["PC0"]
               if len({repr(states[n].get(log)) for n in states}) > 1}
        pytest.fail(f"replicas differ in {sorted(differ)}, review states {odd}; {counts}; problems: {problems}")
    # quiet within a few rounds: a round of PCs deleting the entries of losing versions, then none
    rounds = 0
    while any([unit.sync(pc).written for pc in unit.pcs]):
        rounds += 1
        assert rounds < 5, "the PCs keep writing change files to each other"
    assert not any([unit.sync(pc).applied for pc in unit.pcs])
    print("pc convergence:", PCS, "PCs", STEPS, "steps", counts, "rounds to quiet:", rounds)
    assert counts["log"] and counts["approve"] and counts["roster"] and counts["late"], counts
    # the 编办 sees one unit, equal to every replica
    world = unit.world
    results = world.receive(world.report("a"))
    assert [r.status for r in results] == ["imported"], [r.message for r in results]
    assert synced_rows(world.mirror("a")) == synced_rows(unit.pcs[-1].db)


def _submitted(db) -> list[tuple[str, dt.date]]:
    from sqlalchemy import select
    from app.db.models import Person, WorkLog
    with db.read() as s:
        return [(login, dt.date.fromisoformat(day)) for login, day in s.execute(
            select(Person.login, WorkLog.day).join(Person, Person.id == WorkLog.person_id)
            .where(WorkLog.status == "submitted", WorkLog.deleted.is_(False))
            .order_by(Person.login, WorkLog.day))]


def _present(db, logins: list[str]) -> list[str]:
    """The people among `logins` this PC's replica knows already."""
    from app.db.models import Person
    from sqlalchemy import select
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
    before = unit_content(pc.db)
    assert pc_sync.apply_file(pc.db, card, seq, path, unit.unit_keys) == (pc_sync.DUPLICATE, 0)
    assert unit_content(pc.db) == before
    return 1

"""A review action counts at the 编办 only if its reviewer was entitled to it *at the time*: the
person the unit's own program would have asked at that level, by the roster, the 分管 charges and
the 代审 rows of the action's day (任职记录, app.db.post_history). A leader in a reviewing role
but outside the author's chain is refused; a former reviewer's decisions made before a roster
change still stand."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core import vocab
from app.db import engine
from app.db.models import Person, PostRecord, ReviewAction, WorkLog
from app.services.org.actor import SYSTEM
from app.services.org.delegation import set_delegation
from tests.unit.sync_fixtures import DAYS, actor_for, add_people, approve, build_world, reported_world
from tests.unit.test_package_attacks import _person, _refused

LATER = "2026-12-31T09:00:00"     # a roster change made after everything else in these worlds


@pytest.fixture
def world(tmp_path):
    yield from reported_world(tmp_path)


def _forge(world, reviewer: str, *, created_at: str, on_behalf_of: str | None = None) -> str:
    """An approval of ls's pending log written straight into the unit's database."""
    with world.units["a"].session(SYSTEM) as s:
        log = s.scalars(select(WorkLog).where(WorkLog.status == vocab.LOG_SUBMITTED)).first()
        s.add(ReviewAction(log_id=log.id, round=log.round, version=log.version,
                           content_hash=log.content_hash, level=1, action="approve", final=True,
                           reviewer_id=_person(s, reviewer), comment="", created_at=created_at,
                           on_behalf_of=_person(s, on_behalf_of) if on_behalf_of else None))
        return log.id


def _change_roster(db, monkeypatch, changes: dict[str, str], at: str = LATER) -> None:
    """Give people new roles, as the admin's roster import would, committed at `at`."""
    monkeypatch.setattr(engine, "now_text", lambda: at)
    with db.session(SYSTEM) as s:
        for login, role in changes.items():
            s.scalars(select(Person).where(Person.login == login)).one().role = role
    monkeypatch.undo()


def test_a_leader_outside_the_authors_chain_is_refused(world):
    """A 分管领导 (a reviewing role) approving a log whose chain never reaches him: the role alone
    passed before; now the 编办 names who should have reviewed it."""
    add_people(world.units["a"], [("fz", "赵副局长", vocab.ROLE_DEPUTY)])
    _forge(world, "fz", created_at="2026-10-20T10:00:00")
    message = _refused(world, "无权审阅")
    assert "审阅人fz" in message and "第1级应由ld审阅" in message


def test_a_roster_change_is_recorded_with_its_time(world, monkeypatch):
    db = world.units["a"]
    _change_roster(db, monkeypatch, {"ld": vocab.ROLE_DEPUTY})
    with db.read() as s:
        ld = _person(s, "ld")
        history = [(r.since, r.role) for r in s.scalars(
            select(PostRecord).where(PostRecord.person_id == ld).order_by(PostRecord.since))]
    assert history == [("", vocab.ROLE_PRINCIPAL), (LATER, vocab.ROLE_DEPUTY)]


def test_decisions_made_before_a_roster_change_still_stand(tmp_path, monkeypatch):
    """ld approved zs's logs as 主要领导; later ld became 分管领导 and xz the principal. The
    package carries the earlier approvals after the change: judged by the roster of their time,
    they are accepted and count as approved."""
    world = build_world(tmp_path / "w", keys=("a",))
    try:
        db = world.units["a"]
        add_people(db, [("xz", "新局长", vocab.ROLE_STAFF)])
        _change_roster(db, monkeypatch, {"ld": vocab.ROLE_DEPUTY, "xz": vocab.ROLE_PRINCIPAL})
        [result] = world.receive(world.report("a"))
        assert result.status == "imported", result.message
        with world.mirror("a").read() as s:
            approved = s.scalars(select(WorkLog.day).where(WorkLog.status == vocab.LOG_APPROVED))
            assert sorted(approved) == [d.isoformat() for d in DAYS[:3]]
    finally:
        world.close()


def test_a_former_reviewer_acting_after_the_change_is_refused(world, monkeypatch):
    db = world.units["a"]
    add_people(db, [("xz", "新局长", vocab.ROLE_STAFF)])
    _change_roster(db, monkeypatch, {"ld": vocab.ROLE_DEPUTY, "xz": vocab.ROLE_PRINCIPAL})
    _forge(world, "ld", created_at="2027-01-05T10:00:00")
    message = _refused(world, "无权审阅")
    assert "第1级应由xz审阅" in message


def test_a_stand_in_counts_only_on_the_days_of_the_delegation(world):
    """zs stands in for ld (代审) on 10-20..10-24: an approval on the 21st is accepted, one made
    on the 27th is refused."""
    db = world.units["a"]
    set_delegation(db, actor_for(db, "ld"), "zs", dt.date(2026, 10, 20), dt.date(2026, 10, 24))
    _forge(world, "zs", created_at="2026-10-27T10:00:00", on_behalf_of="ld")
    _refused(world, "第1级应由ld审阅")


def test_a_stand_in_within_the_delegation_is_accepted(world):
    db = world.units["a"]
    set_delegation(db, actor_for(db, "ld"), "zs", dt.date(2026, 10, 20), dt.date(2026, 10, 24))
    _forge(world, "zs", created_at="2026-10-21T10:00:00", on_behalf_of="ld")
    [result] = world.receive(world.report("a"))
    assert result.status == "imported", result.message


def test_an_honest_stand_in_approval_through_the_program_is_accepted(world):
    db = world.units["a"]
    today = dt.date.today()
    set_delegation(db, actor_for(db, "ld"), "zs", today, today + dt.timedelta(days=3))
    from app.services.review import queue as review
    review.approve(db, actor_for(db, "zs"), review.find_log(db, "ls", DAYS[0]), today=today)
    [result] = world.receive(world.report("a"))
    assert result.status == "imported", result.message
    with world.mirror("a").read() as s:
        [action] = s.scalars(select(ReviewAction).where(ReviewAction.on_behalf_of.is_not(None)))
        assert action.reviewer_id == _person(s, "zs")

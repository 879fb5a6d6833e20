"""A unit set up on its own joins a 编办 later, keeping its data (issue 17 item 11):
app.services.exchange.join."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import AppError
from app.core.metrics import parse_period
from app.db.models import Person, StaffingQuota, Unit, WorkLog
from app.services.county import table
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side
from app.services.exchange.join import join_bureau
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from app.services.stats.compute import unit_stats_many
from tests.conftest import TEST_PASSWORD
from tests.unit.sync_fixtures import TODAY, World, credit, fill_unit, new_bureau, register

PERIOD = parse_period("2026-10")


@pytest.fixture
def world(tmp_path):
    bureau = new_bureau(tmp_path / "county.sqlite")
    w = World(tmp_path, bureau, Mirrors(bureau), usb=tmp_path / "usb")
    w.usb.mkdir()
    yield w
    w.close()


def standalone(path, code: str):
    """The wizard's default 新建单位: its own id, its own quotas, an admin, people and logs."""
    db = open_database(path, create=True)
    initialise_unit(db, UnitSetup("沂河县第1局（自建）", code, staffing_quotas={"行政编制": 7}))
    accounts.add_user(db, SYSTEM, accounts.NewUser("admin", "管理员", TEST_PASSWORD, is_admin=True,
                                                   must_change=False))
    fill_unit(db, "a")
    return db


def enrollment_for(world: World, key: str):
    out = world.root / f"enroll_{key}"       # not the USB folder: that holds 上报包 only
    out.mkdir()
    written = enrollment.write_enrollment(world.bureau, world.mirrors, world.unit_ids[key], out)
    return enrollment.unlock(enrollment.read_enrollment(written.path), written.code)


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Person)),
                s.scalar(select(func.count()).select_from(WorkLog)))


def test_standalone_unit_joins_and_the_bureau_sees_its_history(world, tmp_path):
    unit = standalone(tmp_path / "unit.sqlite", credit(1))
    world.units["a"] = unit
    own_figures = unit_stats_many(unit, [PERIOD], today=TODAY)[0].to_json()
    before = counts(unit)
    assert unit_side.bureau_peer(unit) is None
    register(world, "a", 1, quotas={"行政编制": 10})      # the 编办 registers it by its credit code
    info = enrollment_for(world, "a")
    admin = accounts.login(unit, "admin", TEST_PASSWORD)

    joined = join_bureau(unit, admin, info)

    assert (joined.bureau_name, joined.old_unit_name) == ("沂河县委编办", "沂河县第1局（自建）")
    assert unit.unit_id == world.unit_ids["a"]
    assert counts(unit) == before                        # people and logs kept
    with unit.read() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["沂河县第1局"]   # the 编办's row
        assert {(q.name, q.quota) for q in s.scalars(select(StaffingQuota).where(
            StaffingQuota.kind == "staffing"))} == {("行政编制", 10)}
        assert set(s.scalars(select(Person.unit_id))) == {world.unit_ids["a"]}
    assert unit_side.bureau_peer(unit).name == "沂河县委编办"
    reopened = open_database(unit.path)              # the new identity is in the file
    assert reopened.unit_id == world.unit_ids["a"]
    reopened.dispose()

    [result] = world.receive(world.report("a"))
    assert result.status == "imported", result.message
    assert counts(world.mirror("a")) == before
    [row] = table.county_table(world.bureau, world.mirrors, PERIOD, today=TODAY)
    assert row.figures is not None
    mine = {k: v for k, v in own_figures.items() if k not in ("key", "name")}
    theirs = {k: v for k, v in row.figures.to_json().items() if k not in ("key", "name")}
    assert theirs == mine and mine["logged_hours"] > 0


def test_another_units_enrollment_changes_nothing(world, tmp_path):
    unit = standalone(tmp_path / "unit.sqlite", credit(1))
    register(world, "b", 2)                          # a different credit code
    info = enrollment_for(world, "b")
    old_id = unit.unit_id
    admin = accounts.login(unit, "admin", TEST_PASSWORD)
    with pytest.raises(AppError, match="不是本单位"):
        join_bureau(unit, admin, info)
    assert unit.unit_id == old_id and unit_side.bureau_peer(unit) is None
    with unit.read() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["沂河县第1局（自建）"]
    unit.dispose()


def test_only_a_standalone_units_admin_joins(world, tmp_path):
    unit = standalone(tmp_path / "unit.sqlite", credit(1))
    register(world, "a", 1)
    info = enrollment_for(world, "a")
    zs = accounts.login(unit, "admin", TEST_PASSWORD)
    accounts.add_user(unit, zs, accounts.NewUser("clerk", "文员", "clerk1234", must_change=False))
    from app.core.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        join_bureau(unit, accounts.login(unit, "clerk", "clerk1234"), info)
    join_bureau(unit, zs, info)
    with pytest.raises(AppError, match="已由“沂河县委编办”登记"):
        join_bureau(unit, zs, info)
    unit.dispose()


def test_a_unit_sharing_its_data_between_pcs_is_told_to_stop_first(world, tmp_path):
    from app.db.engine import now_text
    from app.db.models import Peer
    unit = standalone(tmp_path / "unit.sqlite", credit(1))
    with unit.session() as s:          # this PC's row of a 多台电脑共用 group
        s.add(Peer(peer_id=unit.origin, kind="pc", name="本机", credit_code="",
                   registered_at=now_text(), next_seq=1, acked_upto=0))
    register(world, "a", 1)
    with pytest.raises(AppError, match="多台电脑共用"):
        join_bureau(unit, accounts.login(unit, "admin", TEST_PASSWORD), enrollment_for(world, "a"))
    assert unit_side.bureau_peer(unit) is None
    unit.dispose()

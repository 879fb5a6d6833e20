"""UI test fixtures: an isolated settings file, a unit with one staff member, and a 编办 with one
registered unit."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.core.validators import make_credit_code
from tests.conftest import TEST_PASSWORD

BUREAU_CODE = make_credit_code("11371321", "MB285103")
UNIT_CODE = make_credit_code("11371321", "MB285104")
UNIT_NAME = "沂河县市场监督管理局"


@pytest.fixture
def settings(tmp_path):
    from app.settings import Settings
    return Settings(tmp_path / "settings.json")


@pytest.fixture
def staff_db(unit_db, admin):
    """unit_db plus a section, two duties (one assigned as post duty) and staff 'li'."""
    from app.db.models import Duty, DutySection, PostDuty, Section
    from app.services.org import accounts
    with unit_db.session() as s:
        section = Section(unit_id=unit_db.unit_id, name="食品安全科", summary="食品安全监管")
        s.add(section)
        s.flush()
        own = Duty(unit_id=unit_db.unit_id, code="SD-01", content="食品生产经营监督检查", duty_class="核心")
        other = Duty(unit_id=unit_db.unit_id, code="SD-02", content="投诉举报受理", duty_class="一般")
        s.add_all([own, other])
        s.flush()
        s.add(DutySection(duty_id=own.id, section_id=section.id))
    accounts.add_user(unit_db, admin, accounts.NewUser("li", "李玥", TEST_PASSWORD,
                                                       section="食品安全科", must_change=False))
    actor = accounts.login(unit_db, "li", TEST_PASSWORD)
    with unit_db.session() as s:
        s.add(PostDuty(person_id=actor.person_id, duty_id=own.id, note="负责城区食品检查"))
    return unit_db


# A fixed "today": Wednesday 2026-10-14; its previous working day is Tuesday 2026-10-13, and
# Monday 2026-10-12's previous working day is Saturday 2026-10-10 (国庆调休上班).
TODAY = dt.date(2026, 10, 14)


@dataclass
class County:
    db: object            # the 编办's Database
    mirrors: object       # its Mirrors
    unit_id: str          # the registered 沂河县市场监督管理局


@pytest.fixture
def county_db(tmp_path):
    """A 编办 database with admin 'bb' and one registered unit (no data yet)."""
    from app.services.county import bureau
    from app.services.county.mirrors import Mirrors
    from app.services.org import accounts
    from app.services.org.actor import SYSTEM
    from app.services.org.setup import UnitSetup, initialise_unit, open_database
    db = open_database(tmp_path / "county.sqlite", create=True)
    initialise_unit(db, UnitSetup("沂河县委编办", BUREAU_CODE, unit_class="党委部门", edition="bureau"))
    accounts.add_user(db, SYSTEM, accounts.NewUser("bb", "编办管理员", TEST_PASSWORD, is_admin=True,
                                                   must_change=False))
    unit_id = bureau.register_unit(db, SYSTEM, UnitSetup(UNIT_NAME, UNIT_CODE,
                                                         staffing_quotas={"行政编制": 20, "事业编制": 5},
                                                         leader_posts={"正职": 1, "副职": 3}),
                                   task_class="服务经济", key_tasks=8)
    mirrors = Mirrors(db)
    yield County(db, mirrors, unit_id)
    mirrors.close()
    db.dispose()


def bureau_admin(db):
    from app.services.org import accounts
    return accounts.login(db, "bb", TEST_PASSWORD)

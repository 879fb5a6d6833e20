"""UI test fixtures: an isolated settings file and a unit with one staff member."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import TEST_PASSWORD


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

"""The county demo delivers the 编办's monthly feedback of its last two whole months to every
unit through a real 下发包 (app.demo.feedback): the unit's leader reads them in their own file."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.db.models import Person
from app.demo.county import generate_county
from app.demo.feedback import last_months, remark_for
from app.services.county import feedback as bureau_fb
from app.services.county.mirrors import Mirrors
from app.services.org.actor import Actor
from app.services.org.setup import open_database
from app.services.reporting import feedback as unit_fb

END = dt.date(2026, 10, 31)


def test_last_months_stay_inside_the_logs():
    assert last_months(dt.date(2026, 8, 1), END) == ["2026-09", "2026-10"]
    assert last_months(dt.date(2026, 10, 1), END) == ["2026-10"]


def test_the_demo_units_received_their_feedback_by_dispatch(tmp_path):
    generate_county(tmp_path, units=2, people=30, months=2, seed=4, end=END, workers=1)
    assert len(list((tmp_path / "dispatch").glob("*下发包*.lzkp"))) == 2
    county = open_database(tmp_path / "county.sqlite")
    mirrors = Mirrors(county)
    try:
        at_bureau = {f.unit_name: f for f in bureau_fb.month_feedback(county, mirrors, "2026-10")}
    finally:
        mirrors.close()
        county.dispose()
    assert len(at_bureau) == 2
    for name, sent in at_bureau.items():
        unit = open_database(tmp_path / "units" / f"{name}.sqlite")
        try:
            with unit.read() as s:
                p = s.scalar(select(Person).where(Person.role == "主要领导"))
            leader = Actor(p.id, p.login, p.name, p.role, p.section_id, p.is_admin)
            got = unit_fb.feedback_list(unit, leader)
        finally:
            unit.dispose()
        assert [f.month for f in got] == ["2026-10", "2026-09"]
        assert got[0].content == sent.content and got[0].remark == sent.remark
        assert got[0].remark == remark_for(sent.content) and got[0].remark
        assert got[0].content["figures"]["logged_hours"] > 0

"""上半年 / 下半年 (seed 001: 季度监测 → 半年评估 → 年终考核): the half-year periods parse from
their text and their Chinese labels, step back to the half before, are cached for the county,
and their statistics on demo data are the sums of their six months."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.periods import half_period, months_of, parse_period
from app.db.models import CountyFigures
from app.demo.county import generate_county
from app.reports.report_data import period_kind_name, previous_period
from app.services.county import table as county
from app.services.county.figures import periods_for
from app.services.county.mirrors import Mirrors, registered_units
from app.services.org.setup import open_database
from app.services.stats import compute as stats

END = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 10)


@pytest.mark.parametrize("text", ["2026-H1", "2026-h1", "2026H1", "2026年上半年", "2026上半年",
                                  " 2026－H1 "])
def test_the_first_half_reads_from_its_forms(text):
    p = parse_period(text)
    assert (p.start, p.end, p.kind, p.label, p.text) == (
        dt.date(2026, 1, 1), dt.date(2026, 6, 30), "half", "2026年上半年", "2026-H1")


def test_the_second_half_its_label_text_and_months():
    p = parse_period("2026年下半年")
    assert (p.start, p.end, p.text) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31), "2026-H2")
    assert parse_period(p.label) == p == parse_period(p.text) == half_period(2026, 2)
    assert [m.text for m in months_of(p)] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
                                              "2026-12"]
    assert p.whole_months and p.whole_month_count == 6


def test_a_wrong_half_names_the_forms():
    with pytest.raises(ValueError, match="H1（上半年）或 H2（下半年）"):
        parse_period("2026-H3")
    with pytest.raises(ValueError, match="2026-H1（上半年）"):
        parse_period("2026年中")


def test_the_half_before_and_the_report_name():
    assert previous_period(parse_period("2026-H2")) == parse_period("2026-H1")
    assert previous_period(parse_period("2026-H1")) == parse_period("2025-H2")
    assert period_kind_name(parse_period("2026-H1")) == "半年报"


def test_the_county_cache_keys_hold_the_half_years():
    assert periods_for({202603, 202610}) == ["2026-03", "2026-Q1", "2026-H1", "2026", "2026-10",
                                             "2026-Q4", "2026-H2"]


@pytest.fixture(scope="module")
def county_demo(tmp_path_factory):
    """Two demo units with January–June logs, imported by the 编办."""
    folder = tmp_path_factory.mktemp("half")
    generate_county(folder, units=2, people=30, months=6, seed=5, end=END, workers=1)
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    yield folder, db, mirrors
    mirrors.close()
    db.dispose()


ADDITIVE = ("working_days", "available_days", "submitted_days", "leave_days", "logged_hours",
            "expected_hours", "pending_logs")


def test_a_units_half_year_is_the_sum_of_its_months(county_demo):
    folder, _db, _mirrors = county_demo
    unit = open_database(next((folder / "units").glob("*.sqlite")))
    try:
        half = parse_period("2026-H1")
        [whole] = stats.unit_stats(unit, half, "unit", today=TODAY)
        months = [stats.unit_stats(unit, m, "unit", today=TODAY)[0] for m in months_of(half)]
    finally:
        unit.dispose()
    assert whole.period.label == "2026年上半年" and whole.logged_hours > 0
    for name in ADDITIVE:
        assert getattr(whole, name) == pytest.approx(sum(getattr(m, name) for m in months)), name
    for key in ("core", "general", "auxiliary"):
        assert whole.focus_hours[key] == pytest.approx(sum(m.focus_hours[key] for m in months))
    assert whole.saturation == pytest.approx(sum(m.logged_hours for m in months)
                                             / sum(m.expected_hours for m in months))
    assert set(whole.covered_duties) == set().union(*(m.covered_duties for m in months))


def test_the_county_table_of_a_half_year_comes_from_the_cache_and_equals_a_live_count(county_demo):
    _folder, db, mirrors = county_demo
    with db.read() as s:
        cached = {(r.unit_id, r.period): r.computed_on for r in s.scalars(select(CountyFigures))}
    half = parse_period("2026年上半年")
    rows = county.county_table(db, mirrors, half, today=TODAY)
    assert len(rows) == 2 and all(r.figures.period.label == "2026年上半年" for r in rows)
    # read from the figures the import stored (dated the import day), not computed for TODAY
    assert [r.computed_on for r in rows] == [cached[(r.unit_id, "2026-H1")] for r in rows]
    assert TODAY.isoformat() not in {r.computed_on for r in rows}
    for row in rows:
        [live] = stats.unit_stats(mirrors.get(row.unit_id), half, "unit", today=TODAY)
        assert row.figures.logged_hours == pytest.approx(live.logged_hours, abs=0.05)
        assert row.figures.saturation == pytest.approx(live.saturation, abs=1e-3)
    months = [county.county_table(db, mirrors, m, today=TODAY) for m in months_of(half)]
    for i, unit in enumerate(registered_units(db)):
        assert rows[i].unit_id == unit.unit_id
        assert rows[i].figures.expected_hours == pytest.approx(
            sum(m[i].figures.expected_hours for m in months))

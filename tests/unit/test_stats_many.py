"""stats.unit_stats_many — what the 编办 caches for a unit's months, quarters and years, read in
one pass — gives the same figures as unit_stats asked once per period (app.services.county
relies on it: the 编办's figures for a unit must be the unit's own)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from app.core.metrics import parse_period
from app.db.models import WorkLog
from app.services import stats
from app.services.county import periods_for
from app.services.demo import generate_demo
from app.services.setup import open_database

END = dt.date(2026, 1, 31)          # four whole months across a year boundary: 2025-10 … 2026-01


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats_many") / "unit.sqlite"
    generate_demo(path, seed=3, months=4, people=30, end=END)
    db = open_database(path)
    with db.session() as s:     # some logs leave the counted set: the "minus" part of the sums
        s.execute(update(WorkLog).where(WorkLog.day.like("2025-11-1%")).values(status="submitted"))
    yield db
    db.dispose()


def test_many_periods_at_once_equal_one_period_at_a_time(demo):
    keys = periods_for({202510, 202511, 202512, 202601})
    assert keys == ["2025-10", "2025-Q4", "2025", "2025-11", "2025-12", "2026-01", "2026-Q1", "2026"]
    periods = [parse_period(k) for k in keys]
    today = dt.date(2026, 2, 10)
    together = stats.unit_stats_many(demo, periods, today=today)
    for key, period, figures in zip(keys, periods, together):
        [alone] = stats.unit_stats(demo, period, "unit", today=today)
        assert figures.to_json() == alone.to_json(), key
    year = together[keys.index("2025")].to_json()
    assert year["logged_hours"] > 0 and year["review_timeliness"] is not None
    assert year["logged_hours"] == round(sum(together[keys.index(k)].to_json()["logged_hours"]
                                             for k in ("2025-10", "2025-11", "2025-12")), 2)


def test_a_range_among_the_periods_is_read_on_its_own(demo):
    periods = [parse_period("2025-11"), parse_period("2025-11-03..2025-11-20")]
    together = stats.unit_stats_many(demo, periods, today=dt.date(2026, 2, 10))
    for period, figures in zip(periods, together):
        [alone] = stats.unit_stats(demo, period, "unit", today=dt.date(2026, 2, 10))
        assert figures.to_json() == alone.to_json()
    assert together[1].to_json()["logged_hours"] < together[0].to_json()["logged_hours"]

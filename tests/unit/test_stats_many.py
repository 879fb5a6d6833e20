"""stats.unit_stats_many — what the 编办 caches for a unit's months, quarters and years, read in
one pass — gives the same figures as unit_stats asked once per period (app.services.county
relies on it: the 编办's figures for a unit must be the unit's own)."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select, update

from app.core.metrics import parse_period
from app.db.models import WorkLog
from app.services.stats import compute as stats
from app.services.county.figures import periods_for
from app.demo.unit import generate_demo
from app.services.org.setup import open_database

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
    assert keys == ["2025-10", "2025-Q4", "2025-H2", "2025", "2025-11", "2025-12", "2026-01", "2026-Q1",
                    "2026-H1", "2026"]
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


def test_logs_submitted_outside_their_months_window_count_where_unit_stats_counts_them(demo, tmp_path):
    """A quarter's or a year's review window is wider than its months': a log of 2025-10
    submitted in late 2026 is out of its month's window (a year after the month, at most) but
    within the quarter's and the year's; one submitted before its own month began is within the
    quarter's and the year's only too. The grouped read must count them per period as
    unit_stats does."""
    copy = tmp_path / "unit.sqlite"
    with sqlite3.connect(demo.path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    db = open_database(copy)
    today = dt.date(2027, 6, 1)
    with db.session() as s:
        logs = s.scalars(select(WorkLog.id).where(WorkLog.status == "approved",
                                                  WorkLog.day.like("2025-10-2%")).order_by(WorkLog.id)).all()
        moved = {("2026-12-14 09:00:00", "2026-12-15 10:00:00"): logs[:5],    # on time, if counted
                 ("2025-09-30 17:00:00", "2025-10-01 09:00:00"): logs[5:9]}
        for (submitted, approved), ids in moved.items():
            s.execute(update(WorkLog).where(WorkLog.id.in_(ids)).values(submitted_at=submitted,
                                                                        approved_at=approved))
        s.execute(update(WorkLog).where(WorkLog.id == logs[9]).values(        # still waiting
            status="submitted", submitted_at="2026-12-14 09:00:00", approved_at=None))
    keys = periods_for({202510, 202511, 202512})
    periods = [parse_period(k) for k in keys]
    together = stats.unit_stats_many(db, periods, today=today)
    for key, period, figures in zip(keys, periods, together):
        [alone] = stats.unit_stats(db, period, "unit", today=today)
        assert figures.to_json() == alone.to_json(), key
    db.dispose()

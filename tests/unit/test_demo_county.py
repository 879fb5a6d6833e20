"""The county demo (app.demo.county) and the 编办's parallel import (app.services.county.import_pool)
on a small real county: 3 generated units, their 上报包 imported one by one and by 2 processes."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.metrics import parse_period
from app.db.models import CountyFigures, WorkLog
from app.services.county import bureau, table as county
from app.services.county.figures import DIRTY_KEY
from app.services.county.mirrors import Mirrors, registered_units
from app.services.county import import_pool
from app.services.stats import compute as stats
from app.demo.county import BUREAU_NAME, generate_county, plan_units, unit_names
from app.services.county.figures import last_month_with_data
from app.services.org.setup import open_database, unit_of

END = dt.date(2026, 10, 31)
MONTH = parse_period("2026-10")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A 3-unit county with its packages on the USB folder, not yet imported."""
    folder = tmp_path_factory.mktemp("county")
    info = generate_county(folder, units=3, people=30, months=1, seed=3, end=END, import_packages=False,
                           workers=1)
    return folder, info


@pytest.fixture(scope="module")
def serial(made, tmp_path_factory):
    """The packages imported one by one, as without workers."""
    folder, _ = made
    db, mirrors = fresh(folder, tmp_path_factory.mktemp("serial") / "bureau")
    results = bureau.import_packages(db, mirrors, [folder / "usb"], apply=True)
    yield db, mirrors, results
    mirrors.close()
    db.dispose()


def fresh(folder: Path, into: Path) -> tuple:
    """A copy of the 编办 as registered, opened, with its mirrors."""
    into.mkdir()
    shutil.copy2(folder / "county.sqlite", into / "county.sqlite")
    shutil.copytree(folder / "county.sqlite.units", into / "county.sqlite.units")
    db = open_database(into / "county.sqlite")
    return db, Mirrors(db)


def cached_figures(db) -> list[tuple]:
    with db.read() as s:
        return sorted((r.unit_id, r.period, r.payload, r.computed_on)
                      for r in s.scalars(select(CountyFigures)))


def derived_states(mirror) -> list[tuple]:
    with mirror.read() as s:
        return sorted(s.execute(select(WorkLog.id, WorkLog.status, WorkLog.pending_level,
                                       WorkLog.approved_at)).all())


def test_the_demo_county_is_registered_generated_and_exported(made):
    folder, info = made
    db = open_database(folder / "county.sqlite")
    assert unit_of(db).name == BUREAU_NAME and db.edition == "bureau"
    names = [u.name for u in registered_units(db)]
    assert names == [name for name, _, _ in unit_names(3)]
    assert [u.name for u in info.units] == names
    assert len(list((folder / "usb").glob("*.lzkp"))) == 3
    assert len(list((folder / "enrollment").glob("*.lzkp"))) == 3
    for unit in info.units:
        own = open_database(unit.path)
        assert unit_of(own).name == unit.name        # the unit started from its 单位注册包
        assert unit.entries > 1000 and unit.people >= 30
        own.dispose()
    assert info.entries == sum(u.entries for u in info.units)
    db.dispose()


def test_sizes_vary_around_people_and_the_quota_cases_come_first():
    plan = plan_units(50, 100, 1, 2026)
    assert len({u.name for u in plan}) == 50 and len({u.credit_code for u in plan}) == 50
    assert 4500 <= sum(u.people for u in plan) <= 5500
    assert min(u.people for u in plan) < 70 and max(u.people for u in plan) > 140
    assert [u.case for u in plan[:4]] == ["planned", "over", "vacant", "leaders"]
    assert {u.unit_class for u in plan} >= {"党委部门", "政府部门", "群团机关", "公益一类事业单位"}


def test_imported_county_equals_each_units_own_figures_and_warns(made, serial):
    _, info = made
    db, mirrors, results = serial
    assert [r.status for r in results] == ["imported"] * 3
    rows = {r.name: r for r in county.county_table(db, mirrors, MONTH)}
    for unit in info.units:
        own = open_database(unit.path)
        # the import computed the cache with today's date: review timeliness depends on it
        expected = stats.unit_stats(own, MONTH, "unit", today=dt.date.today())[0].to_json()
        own.dispose()
        assert rows[unit.name].figures.to_json() == expected
    planned, over, vacant = (rows[u.name] for u in info.units)
    assert not any("超编" in w for w in planned.warnings), planned.warnings
    assert any("超编" in w for w in over.warnings), over.warnings
    assert vacant.staffing.vacancies >= 3


def test_parallel_import_writes_what_the_serial_one_does(made, serial, tmp_path, monkeypatch):
    folder, _ = made
    serial_db, serial_mirrors, serial = serial
    monkeypatch.setattr(import_pool, "MIN_BYTES", 0)      # three small units: still use the pool
    called = []
    monkeypatch.setattr(import_pool, "import_parallel", _spy(import_pool.import_parallel, called))
    db, mirrors = fresh(folder, tmp_path / "parallel")
    steps = []
    parallel = bureau.import_packages(db, mirrors, [folder / "usb"], apply=True, workers=2,
                                      progress=lambda i, n, name: steps.append((i, n)))
    assert called and steps[-1] == (3, 3)
    assert [(r.path.name, r.status, r.plan.written, r.months) for r in parallel] == \
           [(r.path.name, r.status, r.plan.written, r.months) for r in serial]
    assert cached_figures(db) == cached_figures(serial_db)
    for unit in registered_units(db):
        assert derived_states(mirrors.get(unit.unit_id)) == derived_states(serial_mirrors.get(unit.unit_id))
        with db.read() as s:
            assert s.get(CountyFigures, (unit.unit_id, DIRTY_KEY)) is None
    mirrors.close()
    db.dispose()


def _spy(function, calls: list):
    def spy(*args, **kwargs):
        calls.append(1)
        return function(*args, **kwargs)
    return spy


def test_the_county_table_opens_on_the_last_month_with_data(made, serial, tmp_path_factory):
    folder, _ = made
    db, _, _ = serial
    # the import cached 2026-10, 2026-Q4 and 2026: the month, not the quarter of the same length
    assert last_month_with_data(db) == MONTH.text
    before, mirrors = fresh(folder, tmp_path_factory.mktemp("registered") / "bureau")
    try:
        assert last_month_with_data(before) is None           # registered, nothing imported yet
    finally:
        mirrors.close()
        before.dispose()

"""The county demo (app.demo.county) and the 编办's parallel import (app.services.county.import_pool)
on the small demo county: its 8 generated units (one month, 30 people each), their 上报包 imported
one by one and by 2 processes; and what the county shows the 编办: units of their own kinds, a
spread of saturation, a unit with gaps, a unit whose reviewers are behind, duties that meet."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core import vocab
from app.core.metrics import parse_period
from app.db.models import CountyFigures, Duty, Section, WorkLog
from app.services.county import bureau, table as county
from app.services.county.figures import DIRTY_KEY
from app.services.county.mirrors import Mirrors, registered_units
from app.services.county import import_pool
from app.services.county import overlap as duty_overlap
from app.services.org.calendar import work_calendar
from app.services.stats import compute as stats
from app.demo.county import BUREAU_NAME, generate_county, plan_units, unit_names
from app.services.county.figures import last_month_with_data
from app.services.org.setup import open_database, unit_of

END = dt.date(2026, 10, 31)
MONTH = parse_period("2026-10")


UNITS = 8                         # the small demo county (python -m app demo-county --units 8)
LATE = "沂河县总工会"               # sent no 上报包 for the last month (app.demo.notice)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The small demo county with its packages on the USB folder, not yet imported."""
    folder = tmp_path_factory.mktemp("county")
    info = generate_county(folder, units=UNITS, people=30, months=1, seed=3, end=END,
                           import_packages=False, workers=1)
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
    assert names == [name for name, _, _ in unit_names(UNITS)]
    assert [u.name for u in info.units] == names
    assert len(list((folder / "usb").glob("*.lzkp"))) == UNITS
    assert len(list((folder / "enrollment").glob("*.lzkp"))) == UNITS
    for unit in info.units:
        own = open_database(unit.path)
        assert unit_of(own).name == unit.name        # the unit started from its 单位注册包
        assert unit.entries > 25 * unit.people and unit.people >= 30
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
    assert [r.status for r in results] == ["imported"] * UNITS
    rows = {r.name: r for r in county.county_table(db, mirrors, MONTH)}
    for unit in info.units:
        own = open_database(unit.path)
        # the import computed the cache with today's date: review timeliness depends on it
        expected = stats.unit_stats(own, MONTH, "unit", today=dt.date.today())[0].to_json()
        own.dispose()
        assert rows[unit.name].figures.to_json() == expected
    planned, over, vacant = (rows[u.name] for u in info.units[:3])
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
    assert called and steps[-1] == (UNITS, UNITS)
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


# ---------------------------------------------------------------- what the 编办 has to look at
def own_figures(info) -> dict[str, tuple]:
    """unit name → (workload label, its figures of the month as the unit computes them)."""
    out = {}
    for unit in info.units:
        own = open_database(unit.path)
        try:
            out[unit.name] = (unit.workload, stats.unit_stats(own, MONTH, "unit")[0])
        finally:
            own.dispose()
    return out


def test_each_unit_is_of_its_own_kind(made):
    """Distinct 内设机构 and 三定 duties: only the internal duties every organ has (文电、财务、
    人事、机关党建、综合) are worded alike."""
    _, info = made
    sections, duties = {}, {}
    for unit in info.units:
        own = open_database(unit.path)
        with own.read() as s:
            sections[unit.name] = frozenset(s.scalars(select(Section.name)))
            duties[unit.name] = frozenset(s.scalars(select(Duty.content)))
        own.dispose()
    assert len(set(sections.values())) == len(set(duties.values())) == UNITS
    shared = frozenset.intersection(*duties.values())
    assert len(shared) == 5 and all(text.startswith("负责") for text in shared), shared
    assert {"医务科", "护理部", "医院感染管理科"} <= sections["沂河县人民医院"]
    assert {"组织科", "干部科", "人才工作科"} <= sections["沂河县委组织部"]
    assert "食品安全科" in sections["沂河县市场监督管理局"]
    for name, own in duties.items():
        others = set().union(*(d for n, d in duties.items() if n != name))
        assert len(own - others) >= 8, name


def test_saturation_spreads_from_under_to_over_loaded(made):
    """Saturation = approved hours ÷ expected hours: some units under-loaded, most normal, one
    over-loaded; the unit with gaps submits on well under 80 % of its days. The unit that reports
    late (app.demo.notice) has no logs of the month at all."""
    _, info = made
    figures = own_figures(info)
    late = figures.pop(LATE)[1]
    assert late.submitted_days == 0 and late.logged_hours == 0
    saturation = {name: f.saturation for name, (_, f) in figures.items()}
    submission = {name: f.submission_rate for name, (_, f) in figures.items()}
    under = [n for n, s in saturation.items() if 0.6 <= s < 0.82]
    normal = [n for n, s in saturation.items() if 0.85 <= s <= 1.1]
    over = [n for n, s in saturation.items() if 1.15 <= s <= 1.4]
    assert len(under) >= 2 and len(normal) >= 3 and len(over) >= 1, saturation
    assert "沂河县发展和改革局" in over and "沂河县市场监督管理局" in normal, saturation
    sparse = [n for n, r in submission.items() if r < 0.8]
    assert sparse == ["沂河县人民医院"] and submission["沂河县人民医院"] < 0.7, submission
    assert all(r > 0.9 for n, r in submission.items() if n not in sparse), submission


def test_one_units_last_week_still_waits_for_review(made):
    """The unit whose reviewers are behind: its logs of the last week of the month are submitted
    but not finally approved; the other units' month is reviewed to its end."""
    _, info = made
    waiting = {}
    for unit in info.units:
        if unit.name == LATE:            # no logs of the month (app.demo.notice)
            continue
        own = open_database(unit.path)
        last_week = work_calendar(own).working_days(MONTH.start, MONTH.end)[-5]
        with own.read() as s:
            submitted = select(func.count()).select_from(WorkLog).where(
                WorkLog.state == vocab.LOG_SUBMITTED, WorkLog.day >= last_week.isoformat())
            total = s.scalar(submitted)
            pending = s.scalar(submitted.where(WorkLog.status != vocab.LOG_APPROVED))
        own.dispose()
        waiting[unit.name] = pending / total
    behind = [name for name, share in waiting.items() if share > 0.5]
    assert behind == ["沂河县疾病预防控制中心"] and waiting[behind[0]] > 0.9, waiting
    assert all(share < 0.05 for name, share in waiting.items() if name not in behind), waiting


def test_the_overlap_analysis_finds_duties_that_meet(serial):
    db, mirrors, _ = serial
    report = duty_overlap.overlap(db, mirrors, today=END)
    pairs = {frozenset((p.a.unit_name, p.b.unit_name)) for p in report.cross}
    assert all(p.a.unit_id != p.b.unit_id for p in report.cross)
    assert len(pairs) >= 2 and {frozenset(("沂河县委组织部", "沂河县融媒体中心")),
                                frozenset(("沂河县疾病预防控制中心", "沂河县人民医院"))} <= pairs, pairs
    assert len(report.common) == 5          # the internal duties, listed once, not as 交叉

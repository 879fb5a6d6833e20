"""The 编办's duty analysis (app.services.county.overlap) on real 编办 databases.

- `county`: 11 registered units whose mirrors hold generated 三定 duties with the near-duplicates
  of overlap_fixtures.PLANTED and the unrelated pairs of UNRELATED put into different units.
- `enrolled`: a demo unit (30 people, October 2026) made from its 单位注册包 and sent to the
  编办 in 上报包, so the 承担科室, 岗位 and approved logs the analysis reads arrived the way they
  do in real use; the expected lists are computed with plain SQL on the unit's own file.
"""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.signers import signed
from app.core import vocab
from app.core.errors import AppError
from app.core.logrules import EntryDraft
from app.db.models import Duty, DutySection, Person, PostDuty, WorkLog
from app.services.county import bureau
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.logs import daily as logs
from app.services.org import chart as org_chart, unit_settings
from app.services.review import queue as review
from app.services.county import overlap as O
from app.services.org.actor import SYSTEM, Actor
from app.demo.unit import generate_demo
from app.services.org.setup import UnitSetup, open_database
from tests.unit.overlap_fixtures import (INTERNAL, PLANTED, UNRELATED, build_county, county_duties,
                                         credit)

KEYS = ("culture", "market", "nature", "build", "water", "agri", "edu", "urban", "health", "emerg",
        "civil")
END = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    units = county_duties(keys=KEYS)
    by_key = {u.key: u for u in units}
    for n, (a, b) in enumerate(UNRELATED):   # each side into another unit
        by_key[KEYS[n % len(KEYS)]].duties.append((f"UA-{n}", "一般", a))
        by_key[KEYS[(n + 5) % len(KEYS)]].duties.append((f"UB-{n}", "一般", b))
    db, mirrors, ids = build_county(tmp_path_factory.mktemp("county"), units)
    data = O.load(db, mirrors, END)
    yield db, mirrors, ids, data, O.analyse(data)
    mirrors.close()
    db.dispose()


# ---------------------------------------------------------------- 交叉候选
def test_planted_pairs_are_found_with_units_codes_and_phrases(county):
    _, _, ids, data, report = county
    assert report.units == len(KEYS) and report.duties == len(data.duties)
    listed = {frozenset((p.a.content, p.b.content)): p for p in report.cross}
    for key_a, text_a, key_b, text_b in PLANTED:
        pair = listed.get(frozenset((text_a, text_b)))
        assert pair is not None, text_a
        assert pair.score >= 0.7
        assert {pair.a.unit_id, pair.b.unit_id} == {ids[key_a], ids[key_b]}
        assert pair.a.unit_name.startswith("沂河县") and pair.a.code and pair.b.code
        assert pair.phrases and all(ph in pair.a.content for ph in pair.phrases)
        for duty, spans in ((pair.a, pair.spans_a), (pair.b, pair.spans_b)):
            assert spans and all(0 <= s < e <= len(duty.content) for s, e in spans)
    scores = [p.score for p in report.cross]
    assert scores == sorted(scores, reverse=True)
    assert all(p.a.unit_id != p.b.unit_id for p in report.cross)
    assert all(p.score >= O.DEFAULT_THRESHOLD for p in report.cross)


def test_unrelated_pairs_are_not_flagged(county):
    report = county[4]
    listed = {frozenset((p.a.content, p.b.content)) for p in report.cross}
    for a, b in UNRELATED:
        assert frozenset((a, b)) not in listed


def test_internal_duties_of_every_organ_are_grouped_not_paired(county):
    _, _, ids, _, report = county
    internal_words = [t.split("，")[0][2:6] for t in INTERNAL]      # 法治建设, 行政执法, 普法宣传…
    for pair in report.cross:
        assert not (any(w in pair.a.content for w in internal_words)
                    and any(w in pair.b.content for w in internal_words)), pair.a.content
    assert len(report.common) >= 6
    biggest = report.common[0]
    assert biggest.units == len(KEYS)
    assert {d.unit_id for d in biggest.duties} == set(ids.values())
    assert biggest.example in biggest.duties and biggest.lowest >= O.DEFAULT_THRESHOLD
    assert any("党风廉政建设" in g.example.content for g in report.common)


def test_threshold_and_top_change_the_list_not_the_data(county):
    *_, data, report = county
    strict = O.analyse(data, threshold=0.9)
    assert strict.cross_total < report.cross_total
    assert {(p.a.duty_id, p.b.duty_id) for p in strict.cross} <= \
        {(p.a.duty_id, p.b.duty_id) for p in report.cross}
    top3 = O.analyse(data, top=3)
    assert len(top3.cross) == 3 and top3.cross_total == report.cross_total
    assert [p.score for p in top3.cross] == [p.score for p in report.cross[:3]]
    with pytest.raises(AppError):
        O.analyse(data, threshold=0)
    with pytest.raises(AppError):
        O.analyse(data, top=0)


def test_excel_has_the_lists(county, tmp_path):
    report = county[4]
    path = O.write_excel(report, tmp_path / "职责分析.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["职责交叉候选", "共性职责", "单位内重复", "无人承担", "长期不运行"]
    rows = list(wb["职责交叉候选"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(report.cross)
    first = report.cross[0]
    assert rows[0][:8] == (1, round(first.score, 3), first.a.unit_name, first.a.code,
                           first.a.content, first.b.unit_name, first.b.code, first.b.content)
    assert len(list(wb["共性职责"].iter_rows(min_row=3))) == len(report.common)


# ---------------------------------------------------------------- which duties count
def test_inactive_deleted_and_missing_are_left_out(tmp_path):
    units = county_duties(keys=("culture", "market"))
    db, mirrors, ids = build_county(tmp_path, units)
    try:
        before = O.overlap(db, mirrors, today=END)
        text_a = PLANTED[0][1]
        assert any(text_a in (p.a.content, p.b.content) for p in before.cross)
        culture = mirrors.get(ids["culture"])
        with culture.session(SYSTEM) as s:
            s.scalar(select(Duty).where(Duty.content == text_a)).active = False
        after = O.overlap(db, mirrors, today=END)
        assert not any(text_a in (p.a.content, p.b.content) for p in after.cross)
        assert after.duties == before.duties - 1
        with culture.session(SYSTEM) as s:
            duty = s.scalar(select(Duty).where(Duty.content == text_a))
            duty.active, duty.deleted = True, True
        assert O.overlap(db, mirrors, today=END).duties == before.duties - 1
        mirrors.close()
        mirrors.path(ids["market"]).unlink()
        gone = O.overlap(db, mirrors, today=END)
        assert gone.missing == [units[1].name] and gone.units == 1 and gone.cross == []
    finally:
        mirrors.close()
        db.dispose()


def test_only_a_bureau_database(unit_db):
    with pytest.raises(AppError):
        O.load(unit_db, None)


# ---------------------------------------------------------------- a unit that reports
def _actor(db, person_id: str) -> Actor:
    with db.read() as s:
        p = s.get(Person, person_id)
    return signed(db, Actor(p.id, p.login, p.name, p.role, p.section_id, p.is_admin))


def _approve_fully(db, log_id: str, today: dt.date) -> None:
    """Approve a submitted log through every level of its chain, as its reviewers."""
    for _ in range(5):
        with db.read() as s:
            log = s.get(WorkLog, log_id)
            author, level, status = log.person_id, log.pending_level, log.status
        if status == "approved":
            return
        chart = org_chart.load(db)
        reviewer = review.current_reviewer(chart, unit_settings.get(db, "review.levels"), author, level)
        review.approve(db, _actor(db, reviewer), log_id, today=today)
    raise AssertionError("log not approved")


class Enrolled:
    def __init__(self, root):
        self.root = root
        self.bureau = open_database(root / "county.sqlite", create=True)
        from app.services.org.setup import initialise_unit
        initialise_unit(self.bureau, UnitSetup("沂河县委编办", credit(0), edition="bureau"))
        self.mirrors = Mirrors(self.bureau)
        self.unit_id = bureau.register_unit(self.bureau, SYSTEM, UnitSetup(
            "沂河县市场监督管理局", credit(1), staffing_quotas={"行政编制": 30}, leader_posts={"正职": 1}))
        (root / "usb").mkdir()
        package = enrollment.write_enrollment(self.bureau, self.mirrors, self.unit_id, root / "usb")
        generate_demo(root / "unit.sqlite", seed=5, months=1, people=30, enrollment=package.path,
                      enrollment_code=package.code, end=END)
        package.path.unlink()
        self.unit = open_database(root / "unit.sqlite")
        self.send()

    def send(self) -> None:
        path = unit_sync.export_report(self.unit, self.root / "usb").path
        [result] = bureau.import_packages(self.bureau, self.mirrors, [path], apply=True)
        assert result.status == "imported", result.message

    def raw(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(self.unit.path)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory):
    world = Enrolled(tmp_path_factory.mktemp("enrolled"))
    yield world
    world.mirrors.close()
    world.bureau.dispose()
    world.unit.dispose()


EXPECTED_UNASSIGNED = """
SELECT d.code FROM duty d WHERE d.deleted = 0 AND d.active = 1 AND (
  NOT EXISTS (SELECT 1 FROM duty_section ds JOIN section s ON s.id = ds.section_id
              WHERE ds.duty_id = d.id AND ds.deleted = 0 AND s.deleted = 0)
  OR NOT EXISTS (SELECT 1 FROM post_duty pd JOIN person p ON p.id = pd.person_id
                 WHERE pd.duty_id = d.id AND pd.deleted = 0 AND p.deleted = 0 AND p.status = '在职'))
ORDER BY d.sort_order, d.code"""

LAST_APPROVED = """
SELECT d.code, (SELECT max(e.day) FROM log_entry e JOIN work_log w ON w.id = e.log_id
                WHERE e.duty_id = d.id AND w.status = 'approved' AND e.deleted = 0
                  AND w.deleted = 0 AND e.day <= ?)
FROM duty d WHERE d.deleted = 0 AND d.active = 1 ORDER BY d.sort_order, d.code"""


def test_unassigned_duties_arrive_with_the_units_packages(enrolled):
    codes = [c for c, in enrolled.raw("SELECT code FROM duty WHERE deleted = 0 ORDER BY code")]
    no_people, no_section = codes[4], codes[5]
    # the unit admin takes the post duties of one duty and the 承担科室 of another away
    # (ORM rows, as the app writes them: stamped and put in the outbox)
    with enrolled.unit.session(SYSTEM) as s:
        ids = dict(s.execute(select(Duty.code, Duty.id)).all())
        for row in s.scalars(select(PostDuty).where(PostDuty.duty_id == ids[no_people])):
            row.deleted = True
        for row in s.scalars(select(DutySection).where(DutySection.duty_id == ids[no_section])):
            row.deleted = True
    enrolled.send()
    report = O.overlap(enrolled.bureau, enrolled.mirrors, today=END)
    expected = [c for c, in enrolled.raw(EXPECTED_UNASSIGNED)]
    assert [u.duty.code for u in report.unassigned] == expected
    listed = {u.duty.code: u for u in report.unassigned}
    assert listed[no_people].problem.endswith("未分解到岗位人员") and listed[no_people].at_work == 0
    assert listed[no_people].sections
    assert "未明确承担科室" in listed[no_section].problem and listed[no_section].sections == []
    for u in report.unassigned:
        if u.away and not u.at_work:
            assert "岗位人员均不在岗" in u.problem
    assert all(u.duty.unit_name == "沂河县市场监督管理局" for u in report.unassigned)


def test_idle_duties_count_finally_approved_logs_only(enrolled):
    first = enrolled.raw("SELECT min(day) FROM work_log WHERE deleted = 0")[0][0]
    later = dt.date(2027, 10, 20)             # 12 months back: from 2026-10-21
    start = O.window_start(later).isoformat()
    report = O.overlap(enrolled.bureau, enrolled.mirrors, today=later)
    expected = [(c, d) for c, d in enrolled.raw(LAST_APPROVED, later.isoformat())
                if d is None or d < start]
    assert [(i.duty.code, i.last_day) for i in report.idle] == expected
    assert expected and len(expected) < report.duties           # some idle, some not
    assert all(i.full_window and i.observed_since == first for i in report.idle)
    # as of the end of October the logs cover one month, not twelve
    now = O.overlap(enrolled.bureau, enrolled.mirrors, today=END)
    assert all(not i.full_window for i in now.idle)
    assert O.observed_text(report.idle[0]) == "满12个月"

    # a log linked to an idle duty counts once it is finally approved, not when submitted
    with enrolled.unit.read() as s:   # an idle duty and a member of staff whose post holds it
        code, duty_id, author = s.execute(
            select(Duty.code, Duty.id, Person.id)
            .join(PostDuty, PostDuty.duty_id == Duty.id).join(Person, Person.id == PostDuty.person_id)
            .where(Duty.code.in_([i.duty.code for i in report.idle]), Person.status == "在职",
                   Person.role == vocab.ROLE_STAFF, PostDuty.deleted.is_(False))
            .order_by(Duty.code, Person.login).limit(1)).one()
    day = dt.date(2026, 11, 2)
    entry = EntryDraft(hours=6, category="业务工作", content=f"办理{code}相关事项并形成记录", duty_id=duty_id)
    log_id = logs.save_day(enrolled.unit, _actor(enrolled.unit, author), day, "正常", [entry],
                           submit=True, today=day).log_id
    enrolled.send()
    pending = O.overlap(enrolled.bureau, enrolled.mirrors, today=later)
    assert code in {i.duty.code for i in pending.idle}
    _approve_fully(enrolled.unit, log_id, day)
    enrolled.send()
    done = O.overlap(enrolled.bureau, enrolled.mirrors, today=later)
    assert code not in {i.duty.code for i in done.idle}
    assert len(done.idle) == len(pending.idle) - 1
    # and it does not count before its day
    before = O.overlap(enrolled.bureau, enrolled.mirrors, today=dt.date(2026, 11, 1))
    assert all(i.last_day is None or i.last_day <= "2026-11-01" for i in before.idle)


def test_the_demo_units_own_duties_hold_no_repeats(enrolled):
    """The demo's 40 real 三定 duties (SD-01…SD-40): several share a subject (食品…, 特种设备…)
    but none is a near-copy of another."""
    report = O.overlap(enrolled.bureau, enrolled.mirrors, today=END)
    assert report.duties == 40 and report.repeats == [] and report.cross == []

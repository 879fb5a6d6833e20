"""三提醒一通报 at the 编办 (app.core.bureau.reminders, app.services.county.reminders, the county
table's 审核率 and the 通报 PDF) on the demo county of tests/notice_county.py: 总工会 has
sent no 上报包 for October, the 疾控's reviewers are a week behind."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core import vocab
from app.core.bureau import reminders as R
from app.core.metrics import parse_period
from app.db.models import CountyFigures, Person, WorkLog
from app.services.county import reminders, review_rate, table as county
from app.services.county.mirrors import Mirrors
from app.services.org import settings_change, unit_settings
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database
from app.services.reporting.county_notice import build_county_notice
from tests.notice_county import LAGGING, LATE, TODAY, notice_county
from tests.pdf_text import pdf_text

OCTOBER = parse_period("2026-10")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = notice_county(tmp_path_factory)
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    yield folder, db, mirrors
    mirrors.close()
    db.dispose()


# ---------------------------------------------------------------- the rules
def test_a_month_is_due_by_its_day_of_the_next_month():
    made_oct_8 = "2026-10-08T09:30:00"
    # on the deadline itself September is due (covered) and October not yet
    on_deadline = R.package_status(made_oct_8, made_oct_8, dt.date(2026, 11, 5), 5)
    assert on_deadline.due_month.text == "2026-09" and not on_deadline.late
    assert on_deadline.next_open and on_deadline.next_month.text == "2026-10"
    assert "2026年10月的上报包应于11月5日前报送（今天到期）" in on_deadline.due_text()
    late = R.package_status(made_oct_8, made_oct_8, dt.date(2026, 11, 6), 5)
    assert late.late and late.due_month.text == "2026-10" and late.days_late == 1
    assert late.late_text() == "应于11月5日前报送2026年10月的上报包，已逾期1天；最近一次上报包生成于10月8日"
    # a package made on 1 November covers October
    assert not R.package_status("2026-11-01T08:00:00", None, dt.date(2026, 11, 20), 5).late
    # never sent: late, with what it owes
    never = R.package_status(None, None, dt.date(2026, 11, 20), 5)
    assert never.late and never.late_text().endswith("尚未报送过上报包")


def test_the_settings_are_the_bureaus_and_refused_out_of_range(world):
    _, db, _ = world
    assert reminders.notice_settings(db) == R.NoticeSettings(5, 0.8, 0.8)
    with pytest.raises(Exception, match="1–28"):
        settings_change.set_value(db, SYSTEM, "notice.package_due_day", "31")
    assert reminders.notice_settings(db).due_day == 5
    unit_db = open_database(next((world[0] / "units").glob("*.sqlite")))
    try:
        with pytest.raises(Exception, match="未知的设置项"):
            settings_change.set_value(unit_db, SYSTEM, "notice.package_due_day", "10")
        assert "notice.package_due_day" not in unit_settings.all_values(unit_db)
    finally:
        unit_db.dispose()


# ---------------------------------------------------------------- 审核率
def mirror_share(mirror) -> tuple[int, int]:
    """(approved, submitted-for-review) logs of October, counted straight from the mirror."""
    with mirror.read() as s:
        base = (select(func.count()).select_from(WorkLog).join(Person, Person.id == WorkLog.person_id)
                .where(WorkLog.day.between("2026-10-01", "2026-10-31"), WorkLog.deleted.is_(False),
                       Person.role != vocab.ROLE_PRINCIPAL))
        approved = s.scalar(base.where(WorkLog.status == vocab.LOG_APPROVED))
        waiting = s.scalar(base.where(WorkLog.status == vocab.LOG_SUBMITTED))
    return approved, approved + waiting


def test_review_rate_is_the_approved_share_of_the_mirror_and_cached(world):
    _, db, mirrors = world
    rows = county.county_table(db, mirrors, OCTOBER, today=TODAY)
    seen = {}
    for r in rows:
        approved, submitted = mirror_share(mirrors.get(r.unit_id))
        assert (r.review.approved, r.review.submitted) == (approved, submitted), r.name
        if submitted:
            assert r.review.rate == pytest.approx(approved / submitted)
            seen[r.name] = r.review.rate
        with db.read() as s:       # read from the cache the import filled, not recounted
            cached = s.get(CountyFigures, (r.unit_id, review_rate.key_of(OCTOBER)))
        if r.name == LATE:         # its packages touched no October: nothing cached, nothing counted
            assert cached is None and r.review.submitted == 0
        else:
            assert cached is not None and review_rate.from_cache(cached.payload) == r.review
    assert seen[LAGGING] < 0.8 and all(rate > 0.95 for name, rate in seen.items() if name != LAGGING), seen
    assert LATE not in seen                      # no October logs at the 编办


# ---------------------------------------------------------------- reminders
def test_reminders_name_the_late_unit_and_the_low_review_rate(world):
    _, db, mirrors = world
    found = reminders.county_reminders(db, mirrors, OCTOBER, TODAY)
    assert [r.name for r in found.of_kind(R.PACKAGE_LATE)] == [LATE]
    assert "应于11月5日前报送2026年10月的上报包，已逾期5天" in found.of_kind(R.PACKAGE_LATE)[0].text
    [low] = found.of_kind(R.REVIEW_LOW)
    assert low.name == LAGGING and "低于80%" in low.text
    assert found.items[0].kind == R.PACKAGE_LATE
    # before the deadline the late unit's October is only due, and September was on time
    early = reminders.county_reminders(db, mirrors, OCTOBER, dt.date(2026, 11, 3))
    assert not early.of_kind(R.PACKAGE_LATE)
    assert [r.name for r in early.of_kind(R.PACKAGE_DUE)] == [LATE]
    assert "还有2天" in early.of_kind(R.PACKAGE_DUE)[0].text


def test_a_lower_threshold_and_a_later_deadline_change_the_reminders(world, tmp_path_factory):
    folder = notice_county(tmp_path_factory)
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    try:
        rows = county.county_table(db, mirrors, OCTOBER, today=TODAY)
        lagging = next(r for r in rows if r.name == LAGGING).review.rate
        reminders.save_settings(db, SYSTEM, R.NoticeSettings(15, lagging - 0.01, 0.8))
        found = reminders.reminders_of(db, mirrors, rows, OCTOBER, TODAY)
        assert not found.of_kind(R.REVIEW_LOW) and not found.of_kind(R.PACKAGE_LATE)
        assert [r.name for r in found.of_kind(R.PACKAGE_DUE)] == [LATE]
    finally:
        mirrors.close()
        db.dispose()


# ---------------------------------------------------------------- 通报
def test_the_notice_names_the_late_unit_and_the_low_review_rate(world, tmp_path):
    _, db, mirrors = world
    out = tmp_path / "通报.pdf"
    info = build_county_notice(db, "2026-10", out, today=TODAY, number=7)
    text = "".join(pdf_text(out).split())
    assert info.pages >= 2 and info.title == "关于2026年10月全县机关履职监测情况的通报"
    assert "沂编办通〔2026〕7号" in text and "各单位主要负责同志：" in text
    problems = text[text.index("三、存在问题"):text.index("四、下一步要求")]
    asks = text[text.index("四、下一步要求"):]
    praise = text[text.index("二、表扬"):text.index("三、存在问题")]
    rows = {r.name: r for r in county.county_table(db, mirrors, OCTOBER, today=TODAY)}
    assert LATE in problems and "已逾期5天" in problems and LATE in asks
    assert LAGGING in problems and rows[LAGGING].review.text() in problems and LAGGING in asks
    assert LATE not in praise and LAGGING not in praise
    # every unit named in the praise has none of the problems
    praised = [name for name in rows if name in praise]
    assert praised and not any(name in problems for name in praised)
    # the county's figures come from the rows
    submitted = sum(r.review.submitted for r in rows.values())
    assert f"送审日志{submitted}篇" in text


def test_a_half_year_notice_is_titled_and_closed_as_one(world, tmp_path):
    _, db, _ = world
    out = tmp_path / "下半年.pdf"
    info = build_county_notice(db, "2026-H2", out, today=dt.date(2027, 1, 10))
    text = "".join(pdf_text(out).split())
    assert info.title == "关于2026年下半年全县机关履职监测情况的通报"
    assert "沂编办通〔2027〕号" in text and "下一年度上半年再行通报" in text
    # by January nobody has sent a package for December: every unit is named as late
    problems = text[text.index("三、存在问题"):text.index("四、下一步要求")]
    assert "应于1月5日前报送2026年12月的上报包" in problems and LATE in problems

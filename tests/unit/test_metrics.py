"""Metrics (app.core.metrics, app.core.figures) on hand-computed cases, and the statistics service
on a small unit written straight into the database (tests/unit/stats_fixtures.py).

The calendar is the shipped 2026 one: October 2026 has 18 working days (国庆 1–7 off, Saturday
10-10 worked, 调休上班), so W = 18 and H0 × W = 144 hours.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import metrics as M
from app.core.calendar import WorkCalendar
from app.core.figures import NO_SECTION, NO_SECTION_NAME, Figures
from app.core.metrics import Bands, parse_period
from app.core.periods import elapsed
from app.services.stats import compute as stats, drill
from app.services.org.calendar import work_calendar
from tests.unit.stats_fixtures import Builder

OCT = parse_period("2026-10")


def calendar_2026() -> WorkCalendar:
    from app.services.org.setup import shipped_holidays
    return WorkCalendar((dt.date.fromisoformat(r["day"]), r["kind"]) for r in shipped_holidays())


# ---------------------------------------------------------------- periods
@pytest.mark.parametrize("text, start, end, label", [
    ("2026-10", "2026-10-01", "2026-10-31", "2026年10月"),
    ("2026-2", "2026-02-01", "2026-02-28", "2026年2月"),
    ("2024-02", "2024-02-01", "2024-02-29", "2024年2月"),
    ("2026-Q4", "2026-10-01", "2026-12-31", "2026年第四季度"),
    ("2026-q1", "2026-01-01", "2026-03-31", "2026年第一季度"),
    ("2026", "2026-01-01", "2026-12-31", "2026年"),
    ("2026-10-01..2026-10-15", "2026-10-01", "2026-10-15", "2026-10-01至2026-10-15"),
    (" 2026-10-08 .. 2026-10-08 ", "2026-10-08", "2026-10-08", "2026-10-08至2026-10-08"),
])
def test_parse_period(text, start, end, label):
    p = parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat(), p.label) == (start, end, label)
    assert parse_period(p.label) == p and parse_period(p.text) == p     # labels read back


def test_period_months_and_whole_months():
    assert (OCT.first_month, OCT.last_month, OCT.whole_months, OCT.days) == (202610, 202610, True, 31)
    q = parse_period("2026-Q4")
    assert (q.first_month, q.last_month, q.whole_months) == (202610, 202612, True)
    part = parse_period("2026-09-20..2026-10-15")
    assert (part.first_month, part.last_month, part.whole_months) == (202609, 202610, False)


@pytest.mark.parametrize("text, reason", [
    ("2026-13", "月份应在1–12之间"), ("2026-0", "月份应在1–12之间"),
    ("2026-Q5", "季度应为 Q1–Q4"), ("2026-Q0", "季度应为 Q1–Q4"),
    ("2026-10-15..2026-10-01", "结束日期早于开始日期"),
    ("2026-02-30..2026-03-01", "日期无效：2026-02-30"),
    ("十月", "无法识别的统计期间“十月”"), ("", "请填写统计期间"), ("26-10", "无法识别"),
    ("0999", "年份应在1900–9999之间"),
])
def test_parse_period_refuses_with_a_chinese_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_period(text)


# ---------------------------------------------------------------- bands and buckets
@pytest.mark.parametrize("value, expected", [
    (None, None), (0.0, "red"), (0.5999, "red"), (0.60, "yellow"), (0.8499, "yellow"),
    (0.85, "green"), (1.0, "green"), (1.15, "green"), (1.1501, "yellow"), (1.30, "yellow"),
    (1.3001, "red"), (136 / 160, "green"), (0.1 + 0.2 + 0.55, "green"),   # 0.8500000000000001
    (0.85 - 1e-12, "green"),                                             # binary noise
])
def test_band_edges(value, expected):
    assert M.band(value) == expected


def test_band_thresholds_are_configurable_and_checked():
    strict = Bands(green_low=0.9, green_high=1.1, yellow_low=0.7, yellow_high=1.2)
    assert [M.band(v, strict) for v in (0.89, 0.9, 1.1, 1.11, 1.21, 0.69)] == \
        ["yellow", "green", "green", "yellow", "red", "red"]
    with pytest.raises(ValueError, match="饱和度分档"):
        Bands(green_low=0.9, green_high=0.8)
    assert "绿灯 85%–115%" in M.DEFAULT_BANDS.describe()


@pytest.mark.parametrize("value, expected", [
    (None, None), (0.0, "<5"), (4.99, "<5"), (5.0, "5-7"), (6.99, "5-7"), (7.0, "7-10"),
    (7 - 1e-12, "7-10"), (10.0, "7-10"), (10.01, ">10"), (24.0, ">10"),
])
def test_bucket_edges(value, expected):
    assert M.bucket(value) == expected


# ---------------------------------------------------------------- each metric with its inputs
def test_saturation_keeps_its_inputs_and_zero_expected_is_a_dash():
    s = M.saturation(136.0, 160.0)
    assert (s.value, s.logged, s.expected, s.band, s.thresholds) == (0.85, 136.0, 160.0, "green",
                                                                     M.DEFAULT_BANDS)
    assert "85.0% = 计入工时 136 小时 ÷ 应出勤工时 160 小时，绿灯" in s.explain()
    zero = M.saturation(12.0, 0.0)
    assert (zero.value, zero.band) == (None, None)
    assert "工作饱和度 —" in zero.explain() and M.percent(zero.value) == "—"


def test_expected_hours_subtract_leave_per_person():
    # W = 18 in 2026-10; 2 leave days → 16 available days → 128 expected hours
    assert len(calendar_2026().working_days(OCT.start, OCT.end)) == 18
    assert M.available_days(18, 2) == 16 and M.expected_hours(16) == 128.0
    assert M.expected_hours(16, h0=7.5) == 120.0


def test_daily_average_and_submission_rate():
    d = M.daily_average(100.0, 16)
    assert (d.value, d.bucket, d.available_days) == (6.25, "5-7", 16)
    assert M.daily_average(5.0, 0).value is None and M.daily_average(5.0, 0).bucket is None
    r = M.submission_rate(12, 16)
    assert (r.value, r.submitted_days, r.available_days) == (0.75, 12, 16)
    assert M.submission_rate(0, 0).value is None
    assert "12 天 ÷ 应出勤 16 天" in r.explain()


def test_focus_entries_without_duty_are_auxiliary():
    assert M.focus_key(None) == M.focus_key("") == M.focus_key("未知") == "auxiliary"
    assert [M.focus_key(c) for c in ("核心", "一般", "辅助")] == ["core", "general", "auxiliary"]
    f = M.focus({"core": 51.2, "general": 33.7, "auxiliary": 15.1})      # 桓台's example
    assert (round(f.core, 3), round(f.general, 3), round(f.auxiliary, 3)) == (0.512, 0.337, 0.151)
    assert f.total == pytest.approx(100.0)
    empty = M.focus({})
    assert empty.as_dict() == {"core": None, "general": None, "auxiliary": None}
    assert "—" in empty.explain()


def test_coverage_lists_uncovered_duties_in_order():
    c = M.coverage(["SD-01", "SD-02", "SD-03", "SD-04"], {"SD-03", "SD-01", "SD-99"})
    assert (c.value, c.covered, c.uncovered, c.active) == (0.5, ("SD-01", "SD-03"),
                                                           ("SD-02", "SD-04"), 4)
    assert "未留痕：SD-02、SD-04" in c.explain()
    assert M.coverage([], {"SD-01"}).value is None


def test_staffing_need_and_its_trust_rule():
    need = M.staffing_need(1440.0, 18, submission=0.8)          # 1440 / (8 × 18 × 1.0) = 10
    assert (need.fte, need.trustworthy, need.threshold) == (10.0, True, 0.8)
    assert M.staffing_need(1440.0, 18, target=0.9, submission=0.95).fte == pytest.approx(11.1111, 1e-4)
    assert not M.staffing_need(1440.0, 18, submission=0.7999).trustworthy
    assert not M.staffing_need(1440.0, 18, submission=None).trustworthy
    assert M.staffing_need(100.0, 0, submission=1.0).fte is None
    assert "仅供参考" in M.staffing_need(1440.0, 18, submission=0.5, people=12).explain()


def test_review_deadline_counts_working_days_with_make_up_days():
    cal = calendar_2026()
    # Fri 10-09 → Sat 10-10 (调休上班) 1, Mon 10-12 2, Tue 10-13 3: on time through Tue
    assert M.review_deadline(cal, dt.date(2026, 10, 9), 3) == dt.date(2026, 10, 13)
    # Tue 10-13 → Wed 1, Thu 2, Fri 3, then the weekend is still on time (Sun 10-18)
    assert M.review_deadline(cal, dt.date(2026, 10, 13), 3) == dt.date(2026, 10, 18)
    # Wed 9-30 → 国庆 1–7 off: Thu 10-08 1, Fri 10-09 2, Sat 10-10 3 → through Sun 10-11
    assert M.review_deadline(cal, dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 11)
    t = M.review_timeliness([(dt.date(2026, 10, 9), dt.date(2026, 10, 13)),     # on time
                             (dt.date(2026, 10, 9), dt.date(2026, 10, 14)),     # late
                             (dt.date(2026, 10, 13), dt.date(2026, 10, 17)),    # Saturday: on time
                             (dt.date(2026, 10, 13), None),                     # waiting, overdue
                             (dt.date(2026, 10, 16), None)],                    # waiting, not yet
                            cal, 3, today=dt.date(2026, 10, 19))
    assert (t.timely, t.late, t.waiting_overdue, t.total, t.value) == (2, 1, 1, 4, 0.5)
    assert M.timeliness_from_counts(0, 0, 0, 3).value is None


# ---------------------------------------------------------------- a small unit, by hand
@pytest.fixture
def small_unit(unit_db):
    """p1 (甲科) with leave, a trip, unsubmitted and returned logs; p2 (乙科, 事业编制) full month;
    p3 借调 without logs; p4 借调 with one log; p5 离岗; boss without section. See the tests."""
    b = Builder(unit_db)
    b.section("甲科", 1)
    b.section("乙科", 2)
    b.person("p1", "甲科")
    b.person("p2", "乙科", staffing_type="事业编制")
    b.person("p3", "乙科", status="借调")
    b.person("p4", "乙科", status="借调")
    b.person("p5", "乙科", status="离岗")
    b.person("boss", None, role="主要领导")
    b.duty("SD-01", "核心", ("甲科",), posts=("p1",))
    b.duty("SD-02", "一般", ("甲科",))
    b.duty("SD-03", "辅助", ("乙科",))
    b.duty("SD-04", "核心", ("甲科",), active=False)
    b.duty("SD-05", "一般", ("乙科",))
    b.logs([
        ("p1", "2026-10-08", "approved", "正常", [(8, "业务工作", "SD-01")]),
        ("p1", "2026-10-09", "approved", "正常", [(4, "会议活动", None), (5, "检查调研", "SD-02")]),
        ("p1", "2026-10-10", "approved", "请假", []),                        # make-up workday
        ("p1", "2026-10-12", "approved", "出差", [(8, "业务工作", "SD-01")]),  # a trip is work: expected
        ("p1", "2026-10-13", "submitted", "正常", [(8, "业务工作", "SD-01")]),
        ("p1", "2026-10-14", "returned", "正常", [(8, "业务工作", "SD-01")]),
        ("p1", "2026-10-15", "draft", "正常", [(8, "业务工作", "SD-01")]),
        ("p1", "2026-10-16", "approved", "正常", [(2, "学习教育", "SD-04")]),  # inactive duty
        ("p1", "2026-10-17", "approved", "正常", [(4, "业务工作", "SD-03")]),  # Saturday
        ("p1", "2026-10-05", "approved", "请假", []),                        # holiday
        ("p4", "2026-10-08", "approved", "正常", [(6, "综合事务", None)]),
        ("boss", "2026-10-08", "approved", "正常", [(10, "会议活动", "SD-01")]),
        ("p2", "2026-10-08", "approved", "正常", [(8, "综合事务", None)], "2026-10-08",
         "2026-10-14"),                                                      # approved late
    ] + [("p2", d.isoformat(), "approved", "正常", [(8, "综合事务", None)])
         for d in calendar_2026().working_days(dt.date(2026, 10, 9), OCT.end)])
    return b


def by_login(figures):
    return {f.login: f for f in figures}


def test_person_figures_by_hand(small_unit):
    people = by_login(stats.unit_stats(small_unit.db, OCT, "person", today=dt.date(2026, 11, 2)))
    assert set(people) == {"p1", "p2", "p4", "boss"}     # not: p3 借调/p5 离岗 without logs, admin
    p1 = people["p1"]
    # leave: only the 请假 on the make-up workday 10-10; the 出差 day 10-12 keeps its 8 expected hours
    assert (p1.working_days, p1.leave_days, p1.available_days) == (18, 1, 17)
    assert (p1.logged_hours, p1.expected_hours) == (31.0, 136.0)      # 8+9+8+2+4; 17 × 8
    assert (p1.saturation, p1.band) == (31 / 136, "red")
    assert (p1.daily_average, p1.buckets) == (31 / 17, {"<5": 1, "5-7": 0, "7-10": 0, ">10": 0})
    assert (p1.submitted_days, p1.submission_rate) == (5, 5 / 17)     # 10-08, 09, 12, 13, 16
    assert p1.hours_by_category == {"业务工作": 20.0, "检查调研": 5.0, "学习教育": 2.0,
                                    "会议活动": 4.0}                 # in the categories' order
    assert p1.focus_hours == {"core": 18.0, "general": 5.0, "auxiliary": 8.0}
    assert p1.focus == {"core": 18 / 31, "general": 5 / 31, "auxiliary": 8 / 31}
    assert (p1.coverage, p1.covered_duties, p1.active_duties) == (1.0, ["SD-01"], 1)
    # 7 approved on the day + 10-13 waiting since Tue (deadline Sun 10-18, today 11-02)
    assert (p1.timely_logs, p1.late_logs, p1.waiting_overdue_logs) == (7, 0, 1)
    assert p1.review_timeliness == 7 / 8
    assert (p1.section, p1.staffing_type, p1.in_totals) == ("甲科", "行政编制", True)

    p2 = people["p2"]
    assert (p2.logged_hours, p2.expected_hours, p2.saturation, p2.band) == (144.0, 144.0, 1.0, "green")
    assert p2.buckets["7-10"] == 1 and p2.submission_rate == 1.0
    assert (p2.timely_logs, p2.late_logs, p2.review_timeliness) == (17, 1, 17 / 18)
    assert p2.focus == {"core": 0.0, "general": 0.0, "auxiliary": 1.0}
    assert p2.coverage is None and p2.uncovered_duties == []         # no post duties
    assert (people["p4"].logged_hours, people["p4"].expected_hours) == (6.0, 144.0)
    boss = people["boss"]
    assert boss.section == NO_SECTION_NAME and boss.review_timeliness is None   # needs no review


def test_section_and_unit_figures_by_hand(small_unit):
    today = dt.date(2026, 11, 2)
    sections = {f.name: f for f in stats.unit_stats(small_unit.db, OCT, "section", today=today)}
    assert list(sections) == [NO_SECTION_NAME, "甲科", "乙科"]
    a, b, none = sections["甲科"], sections["乙科"], sections[NO_SECTION_NAME]
    assert (a.people, a.logged_hours, a.expected_hours) == (1, 31.0, 136.0)
    assert (a.coverage, a.covered_duties, a.uncovered_duties, a.active_duties) == \
        (1.0, ["SD-01", "SD-02"], [], 2)                            # SD-04 is inactive
    assert (b.people, b.logged_hours, b.expected_hours) == (2, 150.0, 288.0)
    assert b.buckets == {"<5": 1, "5-7": 0, "7-10": 1, ">10": 0}
    # SD-03 has hours, but from 甲科's p1: 乙科 itself did not carry it
    assert (b.coverage, b.uncovered_duties) == (0.0, ["SD-03", "SD-05"])
    assert (none.key, none.people, none.logged_hours, none.coverage) == (NO_SECTION, 1, 10.0, None)

    [unit] = stats.unit_stats(small_unit.db, OCT, "unit", today=today)
    assert (unit.people, unit.logged_hours, unit.expected_hours) == (4, 191.0, 568.0)
    assert (unit.leave_days, unit.available_days, unit.submitted_days) == (1, 71, 25)
    assert (unit.saturation, unit.band) == (191 / 568, "red")
    assert unit.daily_average == 191 / 71
    assert unit.buckets == {"<5": 3, "5-7": 0, "7-10": 1, ">10": 0}
    assert unit.submission_rate == 25 / 71
    assert unit.focus_hours == {"core": 28.0, "general": 5.0, "auxiliary": 158.0}
    assert (unit.coverage, unit.covered_duties, unit.uncovered_duties) == \
        (0.75, ["SD-01", "SD-02", "SD-03"], ["SD-05"])
    assert unit.fte == pytest.approx(191 / 144) and not unit.fte_trustworthy   # 35 % submitted
    assert unit.hours_by_category == {"业务工作": 20.0, "检查调研": 5.0, "学习教育": 2.0,
                                      "会议活动": 14.0, "综合事务": 150.0}
    data = unit.to_json()
    assert (data["saturation"], data["band"], data["login"]) == (round(191 / 568, 4), "red", None)
    assert data["thresholds"]["green_low"] == 0.85


def test_all_logs_counts_unsubmitted_and_returned_hours(small_unit):
    p1 = by_login(stats.unit_stats(small_unit.db, OCT, "person", approved_only=False))["p1"]
    assert p1.logged_hours == 31.0 + 8 + 8 + 8                 # + submitted, returned, draft
    assert (p1.submitted_days, p1.leave_days) == (5, 1)        # a draft is still not submitted
    assert p1.settings.approved_only is False


def test_zero_expected_hours_show_a_dash(small_unit):
    holiday = parse_period("2026-10-01..2026-10-07")           # 国庆: no working day
    [unit] = stats.unit_stats(small_unit.db, holiday, "unit")
    assert (unit.working_days, unit.expected_hours, unit.saturation, unit.band) == (0, 0.0, None, None)
    assert unit.daily_average is None and unit.submission_rate is None and unit.fte is None
    assert unit.logged_hours == 0.0                            # 10-05 is a leave log, no hours
    assert unit.buckets == {"<5": 0, "5-7": 0, "7-10": 0, ">10": 0}
    assert unit.to_json()["saturation"] is None
    assert "—" in unit.saturation_result().explain()


def test_a_range_period_prunes_by_day_too(small_unit):
    week = parse_period("2026-10-12..2026-10-18")              # 5 working days
    p1 = by_login(stats.unit_stats(small_unit.db, week, "person"))["p1"]
    # 10-12 trip (work elsewhere, 8 h), 10-16 2 h, 10-17 Saturday 4 h; 10-13..15 not approved
    assert (p1.working_days, p1.leave_days, p1.logged_hours, p1.expected_hours) == (5, 0, 14.0, 40.0)
    assert p1.submitted_days == 3                              # 10-12, 10-13 (submitted), 10-16


# ---------------------------------------------------------------- property: sections add up
ROSTER = [("a1", "甲科", "在职"), ("a2", "甲科", "在职"), ("b1", "乙科", "在职"),
          ("b2", "乙科", "借调"), ("lead", None, "在职"), ("c1", "丙科", "离岗")]
CATEGORIES = ("业务工作", "会议活动", "综合事务")
DUTY_CODES = (None, "SD-01", "SD-02", "SD-03")


@pytest.fixture(scope="module")
def roster_template(_unit_db_template, tmp_path_factory):
    from app.services.org.setup import open_database
    path = tmp_path_factory.mktemp("roster") / "unit.sqlite"
    shutil.copyfile(_unit_db_template, path)
    db = open_database(path)
    b = Builder(db)
    for n, name in enumerate(("甲科", "乙科", "丙科")):
        b.section(name, n)
    for login, section, status in ROSTER:
        b.person(login, section, status=status, role="科室人员" if section else "分管领导")
    b.duty("SD-01", "核心", ("甲科",))
    b.duty("SD-02", "一般", ("乙科", "甲科"))
    b.duty("SD-03", "辅助", ())
    db.dispose()
    return path, dict(b.sections), dict(b.persons), dict(b.duties)


log_strategy = st.tuples(
    st.sampled_from([login for login, *_ in ROSTER]),
    st.integers(0, 30),                                           # day of October - 1
    st.sampled_from(["draft", "submitted", "returned", "approved", "approved"]),
    st.sampled_from(["正常", "正常", "请假", "出差", "公休"]),
    st.lists(st.tuples(st.integers(1, 24).map(lambda n: n / 2), st.sampled_from(CATEGORIES),
                       st.sampled_from(DUTY_CODES)), max_size=4))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs=st.lists(log_strategy, min_size=1, max_size=80, unique_by=lambda t: (t[0], t[1])),
       first=st.integers(0, 30), length=st.integers(0, 30), approved_only=st.booleans())
def test_sections_add_up_to_the_unit(roster_template, tmp_path_factory, logs, first, length,
                                     approved_only):
    from app.services.org.setup import open_database
    template, sections, persons, duties = roster_template
    path = tmp_path_factory.mktemp("prop") / "unit.sqlite"
    shutil.copyfile(template, path)
    db = open_database(path)
    try:
        b = Builder(db, sections, persons, duties)
        b.logs([(login, dt.date(2026, 10, 1 + day), status, state, items)
                for login, day, status, state, items in logs])
        start = dt.date(2026, 10, 1 + first)
        period = M.range_period(start, min(OCT.end, start + dt.timedelta(days=length)))
        page = stats.stats_page(db, period, approved_only=approved_only, today=dt.date(2026, 11, 5))
        unit, parts = page.unit, page.sections
        for level in (parts, page.persons):
            assert sum(f.people for f in level) == unit.people
            for name in ("logged_hours", "expected_hours", "leave_days", "available_days",
                         "submitted_days", "timely_logs", "late_logs", "waiting_overdue_logs"):
                assert sum(getattr(f, name) for f in level) == pytest.approx(getattr(unit, name)), name
            for bucket in M.BUCKETS:
                assert sum(f.buckets[bucket] for f in level) == unit.buckets[bucket]
            for cat in set(unit.hours_by_category) | {c for f in level for c in f.hours_by_category}:
                assert sum(f.hours_by_category.get(cat, 0) for f in level) == \
                    pytest.approx(unit.hours_by_category.get(cat, 0))
            for key in M.FOCUS_KEYS:
                assert sum(f.focus_hours[key] for f in level) == pytest.approx(unit.focus_hours[key])
        # …and the unit's hours are the plain sum of the counted entries in the period
        counted = [h for login, day, status, state, items in logs
                   if period.contains(dt.date(2026, 10, 1 + day))
                   and (status == "approved" or not approved_only) for h, _, _ in items]
        assert unit.logged_hours == pytest.approx(sum(counted))
        for person in page.persons:
            mine = [h for login, day, status, state, items in logs if login == person.login
                    and period.contains(dt.date(2026, 10, 1 + day))
                    and (status == "approved" or not approved_only) for h, _, _ in items]
            assert person.logged_hours == pytest.approx(sum(mine)), person.login
        working = len(work_calendar(db).working_days(period.start, period.end))
        assert unit.working_days == working
        assert unit.expected_hours == (unit.people * working - unit.leave_days) * 8
    finally:
        db.dispose()


def test_an_empty_unit_has_dashes_not_errors(unit_db):
    [unit] = stats.unit_stats(unit_db, OCT, "unit")           # only the admin account exists
    assert (unit.people, unit.expected_hours, unit.saturation, unit.coverage) == (0, 0.0, None, None)
    assert stats.unit_stats(unit_db, OCT, "section") == []
    [none] = stats.unit_stats(unit_db, OCT, "section", section_id=NO_SECTION)
    assert (none.people, none.saturation, none.band) == (0, None, None)
    assert stats.unit_stats(unit_db, OCT, "person") == []
    assert [w.people for w in drill.weekly_hours(unit_db, OCT)] == [0] * 5


# ---------------------------------------------------------------- work in review, honest periods
def test_hours_in_review_are_shown_beside_the_approved(small_unit):
    people = by_login(stats.unit_stats(small_unit.db, OCT, "person", today=dt.date(2026, 11, 2)))
    p1 = people["p1"]
    assert (p1.pending_logs, p1.pending_hours, p1.logged_hours) == (1, 8.0, 31.0)   # 10-13 waits
    assert p1.review_completion == 31 / 39
    assert p1.pending_text() == "待审1篇、8小时（占已提交工时的20.5%）"
    assert p1.conclusion_withheld() == "尚有20.5%的已提交工时待审（审定率低于90%）"
    [unit] = stats.unit_stats(small_unit.db, OCT, "unit", today=dt.date(2026, 11, 2))
    assert (unit.pending_logs, unit.pending_hours) == (1, 8.0)
    assert unit.people_by_class == {"在编": 4} and unit.hours_by_class == {"在编": 191.0}
    again = Figures.from_json(unit.to_json(), unit.period)
    assert (again.pending_hours, again.people_by_class) == (8.0, {"在编": 4})


def test_a_running_period_ends_at_the_last_day_that_has_passed(small_unit):
    [unit] = stats.unit_stats(small_unit.db, OCT, "unit", today=dt.date(2026, 10, 14))
    assert (unit.period.start, unit.period.end, unit.period.full) == (OCT.start, dt.date(2026, 10, 13), OCT)
    assert unit.period.label == "2026年10月（本期截至10月13日）"
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (make-up workday), 10-12 Mon, 10-13 Tue; days to come expect nothing
    assert unit.working_days == 5
    assert unit.expected_hours == (unit.people * 5 - unit.leave_days) * 8
    assert unit.conclusion_withheld() == "本期尚未结束（数据截至10月13日）"
    assert stats.unit_stats(small_unit.db, OCT, "unit", today=dt.date(2026, 11, 2))[0].period == OCT
    # a month that has not begun has no working day yet: a dash, not a red 0 %
    [ahead] = stats.unit_stats(small_unit.db, parse_period("2026-11"), "unit", today=dt.date(2026, 11, 1))
    assert (ahead.working_days, ahead.saturation, ahead.band) == (0, None, None)
    assert ahead.period.label == "2026年11月（尚未开始）"


def test_the_weekly_trend_ends_with_a_partial_week(small_unit):
    [unit] = stats.unit_stats(small_unit.db, OCT, "unit", today=dt.date(2026, 10, 14))
    weeks = drill.weekly_hours(small_unit.db, unit.period)
    assert weeks[-1].start == dt.date(2026, 10, 12) and weeks[-1].end == dt.date(2026, 10, 13)
    assert weeks[-1].partial and weeks[-1].working_days == 2 and not weeks[-2].partial


def test_today_counts_once_the_working_day_has_closed():
    today = dt.date.today()
    assert stats.as_of(None, 0) == (today, today)                      # closes at midnight
    assert stats.as_of(None, 24) == (today, today - dt.timedelta(days=1))
    assert stats.as_of(dt.date(2026, 10, 14), 0) == (dt.date(2026, 10, 14), dt.date(2026, 10, 13))


def test_statistics_open_on_the_last_complete_month_with_approved_work(small_unit):
    assert stats.default_period(small_unit.db, dt.date(2026, 12, 1)) == OCT
    assert stats.default_period(small_unit.db, dt.date(2026, 10, 20)) == OCT     # none before: this month


def test_whole_months_and_elapsed_periods():
    q4 = parse_period("2026-Q4")
    assert q4.whole_month_count == 3 and parse_period("2026-10-05..2026-12-31").whole_month_count == 2
    assert parse_period("2026-10-05..2026-10-20").whole_month_count == 0
    cut = elapsed(q4, dt.date(2026, 12, 4))
    assert (cut.end, cut.whole_month_count, cut.full) == (dt.date(2026, 12, 4), 2, q4)
    assert cut.label == "2026年第四季度（本期截至12月4日）"
    assert elapsed(q4, dt.date(2027, 1, 1)) is q4

"""The statistics service on a unit built through the real services (accounts, logs, review):
figures computed by hand, drill-down, staffing-type comparison, weekly trend and permissions.

The week of Monday 2026-10-12 to Friday 10-16 (5 working days, W = 5, E per person = 40 h).
Logs are written on 10-16 (so submitted that day); reviewers act on Monday 10-19 (the review
service's clock is pinned), and the statistics look at them on Thursday 10-22: a log submitted on
Friday 10-16 is on time through Wednesday 10-21 (3 working days: 19, 20, 21).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.core.errors import PermissionDenied
from app.core.figures import NO_SECTION_NAME
from app.core.logrules import EntryDraft
from app.core.metrics import parse_period
from app.db.models import Duty, DutySection, Person, PostDuty, Section
from app.services.logs import daily as logs
from app.services.review import queue as review
from app.services.stats import compute as stats, drill
from tests.unit.review_fixtures import TODAY, build_unit

WEEK = parse_period("2026-10-12..2026-10-16")
LOOK = dt.date(2026, 10, 22)
D = {n: dt.date(2026, 10, n) for n in range(12, 17)}


def entry(hours, duty_id=None, category="业务工作"):
    return EntryDraft(hours=hours, category=category, content="检查辖区内食品经营户并记录发现的问题",
                      duty_id=duty_id)


@pytest.fixture
def unit(unit_db, admin, monkeypatch):
    monkeypatch.setattr(review, "now_text", lambda: "2026-10-19T09:00:00")
    u = build_unit(unit_db, admin)
    with unit_db.session(admin) as s:
        sections = dict(s.execute(select(Section.name, Section.id)).all())
        d1 = Duty(unit_id=unit_db.unit_id, code="SD-01", content="食品安全监管", duty_class="核心",
                  sort_order=1)
        d2 = Duty(unit_id=unit_db.unit_id, code="SD-02", content="机关综合事务", duty_class="一般",
                  sort_order=2)
        d3 = Duty(unit_id=unit_db.unit_id, code="SD-03", content="已调整的职责", duty_class="辅助",
                  active=False, sort_order=3)
        s.add_all([d1, d2, d3])
        s.flush()
        s.add_all([DutySection(duty_id=d1.id, section_id=sections["食品安全科"]),
                   DutySection(duty_id=d2.id, section_id=sections["办公室"]),
                   PostDuty(person_id=u["staff1"].person_id, duty_id=d1.id)])
    u.sections, u.d1 = sections, d1.id

    def save(login, day, state="正常", entries=(), submit=True):
        return logs.save_day(unit_db, u[login], day, state, list(entries), submit=submit,
                             today=TODAY).log_id

    s1 = [save("staff1", D[12], entries=[entry(8, d1.id)]), save("staff1", D[13], entries=[entry(6)]),
          save("staff1", D[14], "请假")]
    returned = save("staff1", D[15], entries=[entry(9)])
    save("staff1", D[16], entries=[entry(8)], submit=False)
    s2 = [save("staff2", D[n], entries=[entry(8)]) for n in range(12, 17)]
    h1 = save("head1", D[12], entries=[entry(10)])
    review.approve_many(unit_db, u["head1"], s1 + s2, today=D[16])
    review.return_log(unit_db, u["head1"], returned, "请写明检查了哪些经营户", today=D[16])
    review.approve_many(unit_db, u["dep1"], s1 + s2[:3] + [h1], today=D[16])
    return u


def figures(unit, level, **kw):
    return {f.login or f.name: f for f in stats.unit_stats(unit.db, WEEK, level, today=LOOK, **kw)}


def test_person_figures(unit):
    people = figures(unit, "person")
    assert list(people) == ["boss", "dep1", "dep2", "head1", "staff1", "staff2", "head2", "staff3"]
    s1 = people["staff1"]
    assert (s1.working_days, s1.leave_days, s1.logged_hours, s1.expected_hours) == (5, 1, 14.0, 32.0)
    assert (s1.saturation, s1.band, s1.daily_average) == (14 / 32, "red", 3.5)
    # 10-12 and 10-13 approved; 10-14 is leave; 10-15 returned and 10-16 draft do not count
    assert (s1.submitted_days, s1.submission_rate) == (2, 0.5)
    assert s1.focus == {"core": 8 / 14, "general": 0.0, "auxiliary": 6 / 14}
    assert (s1.coverage, s1.covered_duties) == (1.0, ["SD-01"])         # post duty SD-01
    assert (s1.timely_logs, s1.review_timeliness) == (3, 1.0)
    s2 = people["staff2"]
    assert (s2.logged_hours, s2.expected_hours, s2.saturation, s2.band) == (24.0, 40.0, 0.6, "yellow")
    assert (s2.daily_average, s2.buckets["<5"], s2.submission_rate) == (4.8, 1, 1.0)
    # 3 approved on time; 10-15 and 10-16 still wait at the deputy, past Wednesday's deadline
    assert (s2.timely_logs, s2.waiting_overdue_logs, s2.review_timeliness) == (3, 2, 0.6)
    h1 = people["head1"]
    assert (h1.logged_hours, h1.submission_rate, h1.review_timeliness) == (10.0, 0.2, 1.0)
    boss = people["boss"]
    assert (boss.logged_hours, boss.expected_hours, boss.saturation, boss.band) == (0.0, 40.0, 0.0, "red")
    assert boss.section == NO_SECTION_NAME and boss.submission_rate == 0.0


def test_section_and_unit_figures(unit):
    sections = figures(unit, "section")
    assert list(sections) == [NO_SECTION_NAME, "食品安全科", "办公室"]
    food = sections["食品安全科"]
    assert (food.people, food.logged_hours, food.expected_hours) == (3, 48.0, 112.0)
    assert (food.saturation, food.band) == (48 / 112, "red")
    assert food.buckets == {"<5": 3, "5-7": 0, "7-10": 0, ">10": 0}
    assert (food.submitted_days, food.available_days, food.submission_rate) == (8, 14, 8 / 14)
    assert (food.review_timeliness, food.coverage, food.covered_duties) == (7 / 9, 1.0, ["SD-01"])
    office = sections["办公室"]
    assert (office.people, office.expected_hours, office.coverage, office.uncovered_duties) == \
        (2, 80.0, 0.0, ["SD-02"])
    assert sections[NO_SECTION_NAME].people == 3                      # boss, dep1, dep2

    [unit_f] = stats.unit_stats(unit.db, WEEK, "unit", today=LOOK)
    assert (unit_f.name, unit_f.people, unit_f.logged_hours, unit_f.expected_hours) == \
        ("测试县市场监督管理局", 8, 48.0, 312.0)
    assert unit_f.logged_hours == sum(f.logged_hours for f in sections.values())
    assert (unit_f.coverage, unit_f.uncovered_duties, unit_f.active_duties) == (0.5, ["SD-02"], 2)
    assert unit_f.focus_hours == {"core": 8.0, "general": 0.0, "auxiliary": 40.0}
    assert unit_f.hours_by_category == {"业务工作": 48.0}
    assert (unit_f.fte, unit_f.fte_trustworthy) == (48 / 40, False)   # 8 of 39 days submitted
    assert "仅供参考" in unit_f.staffing_need().explain()
    assert len(unit_f.explain()) == 7


def test_all_logs_view_and_one_page_for_all_levels(unit):
    assert figures(unit, "person", approved_only=False)["staff1"].logged_hours == 8 + 6 + 9 + 8
    page = stats.stats_page(unit.db, WEEK, today=LOOK)
    assert page.unit.to_json() == stats.unit_stats(unit.db, WEEK, today=LOOK)[0].to_json()
    assert [f.to_json() for f in page.sections] == \
        [f.to_json() for f in stats.unit_stats(unit.db, WEEK, "section", today=LOOK)]
    assert len(page.persons) == 8


def test_one_section_or_person_on_request(unit):
    food = unit.sections["食品安全科"]
    [f] = stats.unit_stats(unit.db, WEEK, "section", section_id=food, today=LOOK)
    assert f.name == "食品安全科"
    assert [p.login for p in stats.unit_stats(unit.db, WEEK, "person", section_id=food)] == \
        ["head1", "staff1", "staff2"]
    [p] = stats.unit_stats(unit.db, WEEK, "person", person_id=unit["staff2"].person_id)
    assert p.login == "staff2"
    # an admin-only account is not in the totals, but shown when asked for
    [admin] = stats.unit_stats(unit.db, WEEK, "person", person_id=unit.admin.person_id)
    assert (admin.in_totals, admin.expected_hours) == (False, 40.0)


def test_person_days_and_the_entries_behind_a_figure(unit):
    days = {d.day: d for d in drill.person_days(unit.db, unit["staff1"].person_id, WEEK)}
    assert len(days) == 5
    assert (days[D[12]].counted_hours, days[D[12]].submitted, days[D[12]].status_label) == \
        (8.0, True, "已审定")
    assert (days[D[14]].leave, days[D[14]].expected_hours) == (True, 0.0)
    assert (days[D[15]].status, days[D[15]].hours, days[D[15]].counted_hours,
            days[D[15]].submitted) == ("returned", 9.0, 0.0, False)
    assert days[D[16]].status == "draft" and not days[D[16]].submitted

    [core] = drill.logs_behind(unit.db, WEEK, focus="core")
    assert (core.login, core.day, core.duty_code, core.hours, core.status) == \
        ("staff1", D[12], "SD-01", 8.0, "approved")
    food = drill.logs_behind(unit.db, WEEK, "section", unit.sections["食品安全科"])
    assert len(food) == 6 and sum(e.hours for e in food) == 48.0
    assert [e.day for e in food] == sorted(e.day for e in food)
    assert len(drill.logs_behind(unit.db, WEEK, "unit", focus="auxiliary")) == 5
    assert drill.logs_behind(unit.db, WEEK, duty_code="SD-01")[0].log_id == core.log_id
    assert len(drill.logs_behind(unit.db, WEEK, limit=2)) == 2
    assert len(drill.logs_behind(unit.db, WEEK, approved_only=False, category="业务工作")) == 10


def test_weekly_trend_and_staffing_types(unit):
    [week] = drill.weekly_hours(unit.db, WEEK, "section", unit.sections["食品安全科"])
    assert (week.start, week.end, week.working_days, week.people, week.leave_days) == \
        (D[12], D[16], 5, 3, 1)
    assert (week.logged_hours, week.expected_hours, week.band) == (48.0, 112.0, "red")
    october = drill.weekly_hours(unit.db, parse_period("2026-10"), "person", unit["staff2"].person_id)
    assert [w.start.day for w in october] == [1, 5, 12, 19, 26] and october[-1].end.day == 31
    assert october[0].working_days == 0 and october[0].saturation is None    # 国庆
    assert october[1].working_days == 3                       # 8, 9 and Saturday 10 (调休)
    assert october[2].logged_hours == 24.0

    with unit.db.session() as s:
        s.execute(update(Person).where(Person.login.in_(["staff1", "staff2"]))
                  .values(staffing_type="事业编制"))
    groups = {f.name: f for f in stats.by_staffing_type(unit.db, WEEK, today=LOOK)}
    assert list(groups) == ["事业编制", "未填写编制类型"]
    assert (groups["事业编制"].people, groups["事业编制"].logged_hours) == (2, 38.0)
    assert (groups["未填写编制类型"].people, groups["未填写编制类型"].logged_hours) == (6, 10.0)
    assert groups["事业编制"].coverage is None


def test_what_each_role_may_see(unit):
    def names(actor, level):
        return [f.login or f.name for f in stats.unit_stats(unit.db, WEEK, level, actor=actor)]

    assert names(unit["staff1"], "person") == ["staff1"]
    assert names(unit["staff1"], "section") == []
    with pytest.raises(PermissionDenied):
        stats.unit_stats(unit.db, WEEK, "unit", actor=unit["staff1"])
    with pytest.raises(PermissionDenied):
        drill.person_days(unit.db, unit["staff2"].person_id, WEEK, actor=unit["staff1"])
    assert names(unit["head1"], "section") == ["食品安全科"]
    assert names(unit["head1"], "person") == ["head1", "staff1", "staff2"]
    assert names(unit["dep1"], "section") == ["食品安全科"]
    assert names(unit["dep1"], "person") == ["dep1", "head1", "staff1", "staff2"]
    with pytest.raises(PermissionDenied):
        stats.unit_stats(unit.db, WEEK, "section", section_id=unit.sections["办公室"],
                         actor=unit["dep1"])
    assert len(names(unit["boss"], "person")) == 8
    assert names(unit["boss"], "unit") == ["测试县市场监督管理局"]
    page = stats.stats_page(unit.db, WEEK, actor=unit["head2"])
    assert page.unit is None and [f.name for f in page.sections] == ["办公室"]


def test_unknown_keys_and_an_empty_group(unit):
    from app.core.errors import AppError
    from app.core.figures import NO_SECTION
    with pytest.raises(AppError, match="找不到该科室"):
        stats.unit_stats(unit.db, WEEK, "section", section_id="no-such-id")
    with pytest.raises(AppError, match="找不到该人员"):
        drill.person_days(unit.db, "no-such-id", WEEK)
    with pytest.raises(AppError, match="统计层级"):
        stats.unit_stats(unit.db, WEEK, "county")
    [none] = stats.unit_stats(unit.db, WEEK, "section", section_id=NO_SECTION)
    assert (none.name, none.people) == (NO_SECTION_NAME, 3)
    assert stats.unit_stats(unit.db, WEEK, "person", section_id=NO_SECTION)[0].login == "boss"


def test_the_report_menu_offers_exactly_the_reports_a_role_may_print(unit):
    """生成报告 used to list all four reports and answer 无权查看… for most of them."""
    from app.services.reporting.unit import gather
    from app.services.stats.access import unit_report_kinds

    def printable(actor, kind):
        target = {"section": {"section": "食品安全科"}, "person": {"user": actor.login}}.get(kind, {})
        try:
            gather(unit.db, kind, WEEK, actor=actor, today=LOOK, **target)
        except PermissionDenied:
            return False
        return True

    assert unit_report_kinds(unit.db, unit["staff1"]) == ["person"]
    assert unit_report_kinds(unit.db, unit["head1"]) == ["section", "person"]
    assert unit_report_kinds(unit.db, unit["dep1"]) == ["section", "person"]
    assert unit_report_kinds(unit.db, unit["boss"]) == ["unit", "section", "core", "person"]
    for login in ("staff1", "head1", "dep1", "boss"):
        offered = unit_report_kinds(unit.db, unit[login])
        assert [k for k in ("unit", "section", "core", "person") if printable(unit[login], k)] == offered

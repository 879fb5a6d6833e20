"""The staffing-need rule (app.core.need), computed by hand: a green unit is never evidence,
在编/编外 are counted as one workforce and the 编制 is compared with the need, and every reason
for withholding a verdict is named."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core import metrics as M
from app.core.figures import Figures, Settings
from app.core.need import FEWER, MATCH, MORE, UNKNOWN, NeedRule, assess
from app.core.periods import elapsed, parse_period

Q3 = parse_period("2026-Q3")
TODAY = dt.date(2026, 12, 5)
RULE = NeedRule()


def unit(saturation: float, in_quota: int, extra: int = 0, *, period=Q3, submission=0.95,
         pending=0.0, approved_only=True) -> Figures:
    """A unit's figures with `saturation` over 60 working days (E = people × 60 × 8 h)."""
    people = in_quota + extra
    expected = people * 60 * 8.0
    logged = round(expected * saturation, 2)
    return Figures("unit", "u", "沂河县某局", period, people=people, working_days=60,
                   available_days=people * 60, logged_hours=logged, expected_hours=expected,
                   saturation=logged / expected, band=M.band(logged / expected),
                   submission_rate=submission, pending_logs=1 if pending else 0,
                   pending_hours=pending,
                   people_by_class={k: n for k, n in (("在编", in_quota), ("编外", extra)) if n},
                   settings=Settings(approved_only=approved_only))


def test_a_green_unit_is_never_evidence():
    for s in (0.85, 0.86, 1.0, 1.15):                       # both edges of the green band
        need = assess(unit(s, 30), quota=30, vacancies=0, rule=RULE, today=TODAY)
        assert need.verdict == MATCH, s
    # 86 % of 30 people is 25.8: four people fewer than today, still no 减编 (the band says normal)
    need = assess(unit(0.86, 30), 30, 0, RULE, TODAY)
    assert need.need == pytest.approx(25.8) and need.gap == pytest.approx(-4.2)
    assert need.text == "测算需25.8人，在岗30人，差额-4.2；核定编制30名。工作饱和度86.0%，人员与工作量基本匹配"


def test_an_overloaded_unit_beyond_its_quota_is_evidence_for_more():
    # 28 people (25 在编 + 3 编外) at 124 %: 34.72 needed, 6.72 more than at work; quota 30
    need = assess(unit(1.24, 25, 3), quota=30, vacancies=5, rule=RULE, today=TODAY)
    assert need.verdict == MORE
    assert (need.need, need.gap, need.quota_gap) == pytest.approx((34.72, 6.72, 4.72))
    assert need.text == ("测算需34.7人，在岗28人（在编25、编外3），差额+6.7；核定编制30名，空编5名。"
                         "超出核定编制4.7名")


def test_an_overload_that_vacancies_can_absorb_is_not_more_quota():
    need = assess(unit(1.2, 20), quota=30, vacancies=10, rule=RULE, today=TODAY)   # 24 needed
    assert need.verdict == MATCH and need.gap == pytest.approx(4.0)
    assert "可由空编补充，未超出核定编制" in need.text


def test_an_idle_unit_is_evidence_for_fewer_and_extra_staff_go_first():
    # 28 at work (25 在编 + 3 编外) at 75 %: 21 needed against a quota of 25
    need = assess(unit(0.75, 25, 3), quota=25, vacancies=0, rule=RULE, today=TODAY)
    assert need.verdict == FEWER and need.quota_gap == pytest.approx(-4.0)
    assert need.text.endswith("比核定编制少4.0名（编外3人宜先于编制核减）")
    # at 83 % the surplus (4.8 people) is within the 编外: the 编制 itself is about right
    need = assess(unit(0.83, 24, 4), quota=24, vacancies=0, rule=RULE, today=TODAY)
    assert need.verdict == MATCH and need.gap == pytest.approx(-4.76)
    assert "富余人员在编外" in need.text


def test_a_gap_under_one_person_is_noise():
    need = assess(unit(0.8, 4), quota=4, vacancies=0, rule=RULE, today=TODAY)     # 3.2 needed
    assert need.verdict == MATCH and need.gap == pytest.approx(-0.8)


def test_every_reason_to_withhold_is_named():
    month = parse_period("2026-11")
    need = assess(unit(0.7, 20, period=month, submission=0.6, pending=1200.0), 20, 0, RULE, TODAY)
    assert need.verdict == UNKNOWN and not need.trustworthy
    assert need.reasons == ["统计期间只有1个月，编制需求至少按3个完整月测算",
                            "填报率60.0%低于80%",
                            "尚有15.2%的工时（1200小时）待审，审定率低于90%"]
    assert need.text.startswith("测算需14.0人，在岗20人，差额-6.0；核定编制20名（仅供参考）。不作结论：")


def test_a_backlog_over_the_threshold_withholds_the_verdict():
    # 9 600 h expected, 6 720 h approved (70 %): 1 000 h more waiting is 13 % of what was submitted
    need = assess(unit(0.7, 20, pending=1000.0), quota=20, vacancies=0, rule=RULE, today=TODAY)
    assert need.verdict == UNKNOWN
    assert need.reasons == ["尚有13.0%的工时（1000小时）待审，审定率低于90%"]
    # a county that accepts 85 % completion judges the same figures
    lenient = NeedRule(min_completion=0.85)
    assert assess(unit(0.7, 20, pending=1000.0), 20, 0, lenient, TODAY).verdict == FEWER


def test_a_quarter_with_one_incomplete_month_is_not_judged():
    q4 = parse_period("2026-Q4")
    cut = elapsed(q4, dt.date(2026, 12, 4))
    need = assess(unit(1.4, 20, period=cut), quota=20, vacancies=0, rule=RULE, today=TODAY)
    assert need.verdict == UNKNOWN
    assert need.reasons == ["统计期间尚未结束（数据截至12月4日）",
                            "统计期间只有2个月，编制需求至少按3个完整月测算"]
    # the span is configurable: a county may judge two whole months, but never a running period
    two = NeedRule(min_span_months=2)
    assert assess(unit(1.4, 20, period=cut), 20, 0, two, TODAY).reasons == [
        "统计期间尚未结束（数据截至12月4日）"]
    whole = parse_period("2026-10..2026-11".replace("..", "-01..") + "-30")
    assert assess(unit(1.4, 20, period=whole), 20, 0, two, TODAY).verdict == MORE


def test_no_figures_and_no_work():
    assert assess(None, 10, 2, RULE, TODAY).reasons == ["本期没有上报数据"]
    idle = unit(0.0, 10)
    need = assess(idle, 10, 0, RULE, TODAY)
    assert need.verdict == UNKNOWN and need.reasons[0] == "本期没有已审定的日志"


def test_the_rule_is_stated_with_its_thresholds():
    text = NeedRule(min_span_months=6, min_completion=0.95).describe()
    assert "饱和度高于115%" in text and "低于85%" in text and "含绿灯单位" in text
    assert "不少于6个完整月" in text and "审定率不低于95%" in text and "填报率不低于80%" in text

"""Retirement dates under the 2025 gradual raise (worked against the official 对照表), age bands
and 借调 spans: pure functions of app.core.bureau.retirement, with the shipped rules file."""
from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from app.core.bureau import retirement as R
from app.paths import resources_dir

D = dt.date
SHIPPED = json.loads((resources_dir() / "retirement_rules.json").read_text(encoding="utf-8"))
RULES = R.parse_rules(SHIPPED)


def retire(gender: str, staffing_type: str, birth: dt.date) -> tuple[str, dt.date, int]:
    r = RULES.retirement(gender, staffing_type, birth)
    return r.age_text, r.on, r.delay_months


@pytest.mark.parametrize("birth, age, on, delay", [
    # men: 60 → 63, one month per 4 months of birth from 1965-01
    (D(1964, 12, 10), "60岁", D(2024, 12, 10), 0),         # before the start cohort
    (D(1965, 1, 15), "60岁1个月", D(2025, 2, 15), 1),       # first delayed month (表: 2025年2月)
    (D(1965, 4, 1), "60岁1个月", D(2025, 5, 1), 1),
    (D(1965, 5, 1), "60岁2个月", D(2025, 7, 1), 2),
    (D(1965, 12, 20), "60岁3个月", D(2026, 3, 20), 3),      # 表: 1965年12月 → 2026年3月
    (D(1970, 6, 6), "61岁5个月", D(2031, 11, 6), 17),        # 65 months after: 65 // 4 + 1
    (D(1976, 8, 1), "62岁11个月", D(2039, 7, 1), 35),
    (D(1976, 9, 1), "63岁", D(2039, 9, 1), 36),             # the cap is reached
    (D(1995, 12, 1), "63岁", D(2058, 12, 1), 36),
])
def test_men(birth, age, on, delay):
    assert retire("男", "行政编制", birth) == (age, on, delay)
    assert retire("男", "工勤编制", birth) == (age, on, delay)   # men: one rule for all


@pytest.mark.parametrize("birth, age, on", [
    # women cadres (原55周岁): 55 → 58, one month per 4 months from 1970-01
    (D(1969, 12, 3), "55岁", D(2024, 12, 3)),
    (D(1970, 1, 3), "55岁1个月", D(2025, 2, 3)),
    (D(1971, 4, 9), "55岁4个月", D(2026, 8, 9)),              # 表: 1971年4月 → 2026年8月
    (D(1972, 1, 4), "55岁7个月", D(2027, 8, 4)),
    (D(1981, 8, 1), "57岁11个月", D(2039, 7, 1)),
    (D(1981, 9, 1), "58岁", D(2039, 9, 1)),
    (D(2000, 12, 1), "58岁", D(2058, 12, 1)),
])
def test_women_cadres(birth, age, on):
    assert retire("女", "行政编制", birth)[:2] == (age, on)
    assert retire("女", "事业编制", birth)[:2] == (age, on)


@pytest.mark.parametrize("birth, age, on", [
    # women workers (原50周岁): 50 → 55, one month per 2 months from 1975-01
    (D(1974, 12, 31), "50岁", D(2024, 12, 31)),
    (D(1975, 1, 10), "50岁1个月", D(2025, 2, 10)),
    (D(1975, 2, 10), "50岁1个月", D(2025, 3, 10)),
    (D(1975, 3, 10), "50岁2个月", D(2025, 5, 10)),
    (D(1977, 5, 23), "51岁3个月", D(2028, 8, 23)),            # 28 months after → 15
    (D(1984, 10, 1), "54岁11个月", D(2039, 9, 1)),
    (D(1984, 11, 1), "55岁", D(2039, 11, 1)),                 # cap: 60 months
    (D(1995, 12, 1), "55岁", D(2050, 12, 1)),
])
def test_women_workers_are_the_gongqin_staffing_type(birth, age, on):
    assert retire("女", "工勤编制", birth)[:2] == (age, on)


def test_retirement_day_is_clamped_to_the_month_end():
    assert RULES.retirement("男", "行政编制", D(1966, 10, 31)).on == D(2027, 4, 30)  # 60岁6个月
    assert RULES.retirement("男", "行政编制", D(1964, 2, 29)).on == D(2024, 2, 29)
    assert RULES.retirement("男", "行政编制", D(1963, 2, 28)).on == D(2023, 2, 28)


def test_who_has_no_rule():
    assert RULES.retirement(None, "行政编制", D(1970, 1, 1)) is None      # gender unknown
    assert RULES.retirement("男", "行政编制", None) is None               # birth unknown
    assert RULES.rule_for("女", "工勤编制").original_age == 50
    assert RULES.rule_for("女", "编外").original_age == 55
    assert RULES.rule_for("女", None).original_age == 55


def test_rules_are_data():
    edited = copy.deepcopy(SHIPPED)
    edited["rules"][2]["start_birth_month"] = None        # women cadres without the raise
    edited["rules"][0]["original_age"] = 62
    rules = R.parse_rules(edited)
    assert rules.retirement("女", "行政编制", D(1975, 6, 1)).age_text == "55岁"
    assert rules.retirement("男", "行政编制", D(1965, 12, 20)).age_text == "62岁3个月"
    assert R.parse_rules(rules.to_json()) == rules            # round trip
    assert RULES.to_json()["rules"] == SHIPPED["rules"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(rules=[]), "rules"),
    (lambda d: d["rules"][0].update(gender="M"), "gender"),
    (lambda d: d["rules"][0].update(original_age="60"), "original_age"),
    (lambda d: d["rules"][0].update(original_age=120), "original_age"),
    (lambda d: d["rules"][1].update(start_birth_month="1975/13"), "start_birth_month"),
    (lambda d: d["rules"][1].update(staffing_types="工勤编制"), "staffing_types"),
    (lambda d: d["rules"].append("男"), "第4条规则"),
])
def test_bad_rules_are_refused_in_chinese(change, message):
    data = copy.deepcopy(SHIPPED)
    change(data)
    with pytest.raises(ValueError, match=message):
        R.parse_rules(data)
    with pytest.raises(ValueError, match="规则"):
        R.parse_rules([])


@pytest.mark.parametrize("birth, band", [
    (D(1996, 10, 30), "30岁及以下"),     # 30 today
    (D(1995, 10, 31), "30岁及以下"),     # 31 tomorrow
    (D(1995, 10, 30), "31-40岁"),
    (D(1985, 10, 31), "31-40岁"),        # 40
    (D(1985, 10, 30), "41-50岁"),        # 41
    (D(1975, 10, 30), "51-55岁"),        # 51
    (D(1970, 10, 30), "55岁以上"),       # 56
    (D(1971, 10, 30), "51-55岁"),        # 55
    (None, "未知"),
])
def test_age_bands_on_a_fixed_day(birth, band):
    assert R.age_band(birth, D(2026, 10, 30)) == band


@pytest.mark.parametrize("start, months, days, text", [
    (D(2025, 8, 15), 14, 15, "1年2个月15天"),
    (D(2026, 1, 31), 8, 30, "8个月30天"),       # Jan 31 + 8 months = Sep 30
    (D(2025, 10, 30), 12, 0, "1年"),
    (D(2025, 10, 31), 11, 30, "11个月30天"),
    (D(2026, 10, 30), 0, 0, "0天"),
    (D(2026, 11, 5), 0, 0, "0天"),              # a start in the future: no time yet
])
def test_spans(start, months, days, text):
    s = R.span(start, D(2026, 10, 30))
    assert (s.months, s.days, s.text) == (months, days, text)
    assert s.total_days == max(0, (D(2026, 10, 30) - start).days)

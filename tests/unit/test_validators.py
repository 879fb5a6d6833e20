"""身份证号 (GB 11643), 统一社会信用代码 (GB 32100) and the day-log rules (app.core)."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from app.core.logrules import EntryDraft, check_day, effective_hours, hours_from_range
from app.core.validators import (credit_check_char, credit_code_problem, id_check_char,
                                 id_number_problem, make_credit_code, make_id_number,
                                 parse_id_number)

# --------------------------------------------------------------------------- 身份证号


@pytest.mark.parametrize("number", ["11010519491231002X",     # the standard's own example
                                    "11010519491231002x",     # lower-case x is accepted
                                    " 11010519491231002X "])  # surrounding blanks are ignored
def test_known_id_number(number):
    info = parse_id_number(number)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "女"            # 17th digit 2 is even
    assert id_number_problem(number) is None


def test_birth_before_1900_is_implausible():
    first17 = "11010518991231003"
    assert id_number_problem(first17 + id_check_char(first17)) == (
        "身份证号中的出生日期1899-12-31不合理")


def test_check_digit_of_standard_example():
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("seq", [0, 1, 2, 17, 998, 999])
@pytest.mark.parametrize("male", [True, False])
def test_make_id_number_round_trips(seq, male):
    birth = dt.date(1985, 2, 28)
    number = make_id_number("350102", birth, seq, male)
    assert len(number) == 18
    info = parse_id_number(number)
    assert info.birth_date == birth
    assert info.gender == ("男" if male else "女")


def test_wrong_check_digit_names_the_expected_one():
    assert id_number_problem("110105194912310021") == "身份证号校验位错误（应为X）"


@pytest.mark.parametrize("number, length", [("", 0), ("11010519491231002", 17),
                                            ("11010519491231002X1", 19)])
def test_wrong_length(number, length):
    assert id_number_problem(number) == f"身份证号应为18位，实际为{length}位"


def test_letters_inside_are_refused():
    assert id_number_problem("1101051949123100XX") == "身份证号前17位应为数字，末位为数字或X"
    assert id_number_problem("11010519491231002Y") == "身份证号前17位应为数字，末位为数字或X"


@pytest.mark.parametrize("date_part", ["19490230", "19491301", "19490000", "20230229"])
def test_impossible_birth_date(date_part):
    first17 = "110105" + date_part + "002"
    number = first17 + id_check_char(first17)     # correct check digit: only the date is wrong
    assert id_number_problem(number) == f"身份证号中的出生日期{date_part}不是有效日期"


def test_future_birth_date():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    number = first17 + id_check_char(first17)
    assert id_number_problem(number) == f"身份证号中的出生日期{tomorrow.isoformat()}不合理"


# --------------------------------------------------------------------------- 统一社会信用代码

def test_known_credit_codes_are_valid():
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100m000100y43") is None      # case-insensitive
    assert credit_code_problem("11371321MB28510360") is None      # tests/conftest.py's unit


@pytest.mark.parametrize("prefix8, org8", [("91350100", "M000100Y"), ("11371321", "MB285103"),
                                            ("12110000", "40000000"), ("5133010A", "12345678")])
def test_make_credit_code_round_trips(prefix8, org8):
    code = make_credit_code(prefix8, org8)
    if not prefix8[2:].isdigit():
        assert "行政区划" in credit_code_problem(code)
        return
    assert len(code) == 18
    assert code.startswith(prefix8 + org8)
    assert credit_code_problem(code) is None
    assert code[17] == credit_check_char(code[:17])


def test_make_credit_code_reproduces_a_real_code():
    assert make_credit_code("91350100", "M000100Y") == "91350100M000100Y43"


@pytest.mark.parametrize("letter", "IOZSV")
def test_forbidden_letters(letter):
    code = "91350100M000100Y4" + letter
    assert credit_code_problem(code) == (
        f"统一社会信用代码含有不允许的字符“{letter}”（不使用I、O、Z、S、V）")


def test_wrong_credit_check_char():
    assert credit_code_problem("91350100M000100Y44") == "统一社会信用代码校验位错误（应为3）"


def test_wrong_org_code_check_char():
    # characters 9–17 are an organisation code (GB 11714) with its own check character
    problem = credit_code_problem("91350100M000100Y53")
    assert problem == "统一社会信用代码第9–17位（组织机构代码）校验位错误（应为4）"


def test_credit_code_length_and_region():
    assert credit_code_problem("91350100M000100Y4") == "统一社会信用代码应为18位，实际为17位"
    assert credit_code_problem(None) == "统一社会信用代码应为18位，实际为0位"
    assert credit_code_problem("9135A100M000100Y43") == "统一社会信用代码第3–8位应为行政区划代码（数字）"


# --------------------------------------------------------------------------- hours and day rules

@pytest.mark.parametrize("start, end, hours", [("08:30", "12:00", 3.5), ("8:00", "9:20", 1.33),
                                               ("00:00", "23:59", 23.98), (" 14:00 ", "17:30", 3.5)])
def test_hours_from_range(start, end, hours):
    assert hours_from_range(start, end) == hours


def test_hours_from_range_errors():
    with pytest.raises(ValueError, match="结束时间08:00应晚于开始时间09:00"):
        hours_from_range("09:00", "08:00")
    with pytest.raises(ValueError, match="结束时间09:00应晚于开始时间09:00"):
        hours_from_range("09:00", "09:00")
    with pytest.raises(ValueError, match="时间格式应为“时:分”"):
        hours_from_range("9点", "10:00")
    with pytest.raises(ValueError, match="时间格式应为“时:分”"):
        hours_from_range("09:00", "24:00")


def test_time_range_wins_over_typed_hours():
    assert effective_hours(EntryDraft(hours=8, category="业务工作", start="09:00", end="10:00")) == 1.0
    with pytest.raises(ValueError, match="请填写工时或起止时间"):
        effective_hours(EntryDraft(hours=None, category="业务工作"))


TODAY = dt.date(2026, 11, 20)
CATS = {"业务工作", "会议活动"}


def _e(hours=2.0, category="业务工作", content="起草文件", **kw) -> EntryDraft:
    return EntryDraft(hours=hours, category=category, content=content, **kw)


def test_valid_day_has_no_problems():
    assert check_day(TODAY, [_e(4), _e(None, start="14:00", end="18:00")], TODAY, CATS) == []


def test_future_date_refused():
    problems = check_day(TODAY + dt.timedelta(days=1), [_e()], TODAY, CATS)
    assert problems == ["不能填写未来日期（2026-11-21）的日志"]


def test_more_than_24_hours_refused():
    problems = check_day(TODAY, [_e(12), _e(10), _e(None, start="08:00", end="11:00")], TODAY, CATS)
    assert problems == ["当日工时合计25小时，超过24小时"]
    assert check_day(TODAY, [_e(12), _e(12)], TODAY, CATS) == []    # exactly 24 is allowed


def test_content_required_unless_secret():
    problems = check_day(TODAY, [_e(content="   ")], TODAY, CATS)
    assert problems == ["第1条：请填写工作内容（涉密工作可勾选“涉密”，不记录内容）"]
    assert check_day(TODAY, [_e(content="", secret=True)], TODAY, CATS) == []


def test_unknown_and_missing_category():
    problems = check_day(TODAY, [_e(), _e(category="打麻将"), _e(category="")], TODAY, CATS)
    assert problems == ["第2条：未知的工作类别“打麻将”", "第3条：请选择工作类别"]
    assert check_day(TODAY, [_e(category="打麻将")], TODAY, None) == []   # no list: not checked


@pytest.mark.parametrize("hours", [0, -1, math.nan])
def test_hours_must_be_positive(hours):
    problems = check_day(TODAY, [_e(hours)], TODAY, CATS)
    assert problems == ["第1条：工时应大于0"]


def test_infinite_hours_refused():
    assert check_day(TODAY, [_e(math.inf)], TODAY, CATS) != []


def test_each_problem_names_its_entry():
    problems = check_day(TODAY, [_e(), _e(None), _e(None, start="10:00", end="09:00")], TODAY, CATS)
    assert problems == ["第2条：请填写工时或起止时间", "第3条：结束时间09:00应晚于开始时间10:00"]

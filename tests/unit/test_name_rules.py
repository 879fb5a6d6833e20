"""Logins and names nobody can fake: a login is ASCII letters, digits and . _ - (2–32), so a
Cyrillic "а", a right-to-left override or a zero-width space cannot make a second "admin"; person
and section names are NFKC-normalised when stored and refused when they carry invisible,
direction-control or look-alike letters. Chinese names with · keep working."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import ValidationError
from app.core.validators import (clean_person_name, clean_section_name, login_problem,
                                 person_name_problem, section_name_problem)
from app.db.models import Person, Section
from app.services.excel.duties import import_duties
from app.services.excel.roster import import_roster
from app.services.excel.templates import write_template
from app.services.org import accounts
from tests.unit.test_roster_import import PEOPLE, db, fill, person, roster_file, row_counts  # noqa: F401

CYRILLIC_A = "\u0430"


# ---------------------------------------------------------------- the rules themselves
@pytest.mark.parametrize("login", ["admin", "zhangsan", "li", "zhang.san", "wang_wu-2", "A1",
                                   "x" * 32])
def test_logins_accepted(login):
    assert login_problem(login) is None


@pytest.mark.parametrize("login, words", [
    (f"{CYRILLIC_A}dmin", "“а”（U+0430，西里尔字母）"),
    ("ad\u202emin", "不可见字符 U+202E（从右到左覆盖）"),
    ("ad\u200bmin", "不可见字符 U+200B（零宽空格）"),
    ("\uff41dmin", "全角字符"),
    ("张三", "“张”（U+5F20，汉字）"),
    ("zhang san", "空格"),
    ("a@b", "“@”"),
    ("_admin", "须以英文字母或数字开头"),
    ("a", "2–32"),
    ("x" * 33, "2–32"),
    ("", "请填写登录名"),
])
def test_logins_refused_naming_the_character(login, words):
    assert words in login_problem(login)


@pytest.mark.parametrize("typed, stored", [
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"),        # bullet typed for the middle dot
    ("阿依古丽．买买提", "阿依古丽·买买提"),       # full-width full stop
    (" 张  三 ", "张三"),
    ("张\u2f00", "张一"),                          # ⼀ KANGXI RADICAL ONE: NFKC
    ("\uff2d\uff41\uff52\uff59 Smith", "Mary Smith"),   # full-width Latin: NFKC
    ("Jean-Luc O'Brien", "Jean-Luc O'Brien"),
    ("Lü Wei", "Lü Wei"),
    ("测试1", "测试1"),
    ("钱〇", "钱〇"),
])
def test_names_normalised_and_accepted(typed, stored):
    assert clean_person_name(typed) == stored
    assert person_name_problem(stored) is None


@pytest.mark.parametrize("name, words", [
    (f"{CYRILLIC_A}nna", "西里尔字母"),              # Аnna: Cyrillic А, Latin nna
    ("Α\u03b9ko", "希腊字母"),
    ("张三\u200b", "不可见字符 U+200B"),
    ("张\u202e三", "U+202E（从右到左覆盖）"),
    ('=HYPERLINK("http://x","点我")', "“=”"),
    ("张三·", "间隔号"),
    ("山田たろう", "日文平假名"),
])
def test_names_refused_naming_the_character(name, words):
    problem = person_name_problem(clean_person_name(name))
    assert problem is not None and words in problem


@pytest.mark.parametrize("typed, stored, problem", [
    ("综合科（法规科）", "综合科（法规科）", None),      # Chinese punctuation kept as typed
    ("第\uff11科", "第1科", None),
    ("办公室\u200b", None, "不可见字符 U+200B"),
    ("\u041effice", None, "西里尔字母"),
])
def test_section_names(typed, stored, problem):
    cleaned = clean_section_name(typed)
    if problem is None:
        assert cleaned == stored and section_name_problem(cleaned) is None
    else:
        assert problem in section_name_problem(cleaned)


# ---------------------------------------------------------------- where accounts are made
def user(login="zhaoliu", name="赵六") -> accounts.NewUser:
    return accounts.NewUser(login, name, "abc12345")


@pytest.mark.parametrize("login", [f"{CYRILLIC_A}dmin", "ad\u202emin", "adm\u200bin"])
def test_add_user_refuses_look_alike_logins(unit_db, admin, login):
    with pytest.raises(ValidationError, match="登录名只能使用英文字母、数字和 . _ -"):
        accounts.add_user(unit_db, admin, user(login=login))
    with unit_db.read() as s:
        assert s.scalar(select(Person).where(Person.login == login)) is None


def test_add_user_stores_the_normalised_name_and_refuses_a_fake_one(unit_db, admin):
    pid = accounts.add_user(unit_db, admin, user(login="ayg", name="阿依古丽•买买提"))
    with unit_db.read() as s:
        assert s.get(Person, pid).name == "阿依古丽·买买提"
    with pytest.raises(ValidationError, match="西里尔字母"):
        accounts.add_user(unit_db, admin, user(login="anna", name=f"{CYRILLIC_A}nna"))


def test_roster_import_refuses_bad_logins_and_names(db, admin, tmp_path):
    rows = PEOPLE + [person(4, 登录名=f"user{CYRILLIC_A}"), person(5, 姓名="王\u200b五"),
                     person(6, 姓名="阿依古丽•买买提", 登录名="ayigul")]
    path = roster_file(tmp_path, people=rows)
    before = row_counts(db)
    with pytest.raises(ValidationError) as caught:
        import_roster(db, admin, path)
    found = {(p.row, p.column): p.reason for p in caught.value.problems}
    assert set(found) == {(5, "登录名"), (6, "姓名")}
    assert "U+0430" in found[(5, "登录名")] and "U+200B" in found[(6, "姓名")]
    assert row_counts(db) == before

    fill(path, "人员名册", PEOPLE + [person(6, 姓名="阿依古丽•买买提", 登录名="ayigul"), {}, {}])
    assert import_roster(db, admin, path, confirm_roles=True).created("人员") == 4
    with db.read() as s:
        assert s.scalar(select(Person.name).where(Person.login == "ayigul")) == "阿依古丽·买买提"


def test_duties_import_refuses_invisible_section_names(unit_db, admin, tmp_path):
    path = tmp_path / "duties.xlsx"
    write_template("duties", path)
    fill(path, "内设机构", [{"科室名称": "办公室\u200b", "科室职责概述": "概述"},
                         {"科室名称": "综合科（法规科）", "科室职责概述": "概述"}])
    fill(path, "部门职责", [{"职责编号": "1", "职责内容": "职责", "职能类别": "核心"}])
    with pytest.raises(ValidationError) as caught:
        import_duties(unit_db, admin, path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "科室名称")]
    assert "U+200B" in caught.value.problems[0].reason

    fill(path, "内设机构", [{"科室名称": "第\uff11科", "科室职责概述": "概述"},
                         {"科室名称": "综合科（法规科）", "科室职责概述": "概述"}])
    import_duties(unit_db, admin, path)
    with unit_db.read() as s:
        assert sorted(s.scalars(select(Section.name))) == sorted(["第1科", "综合科（法规科）"])

"""Staffing analysis: quota vs actual, warnings, structure, 借调 durations and the retirement
forecast on hand-built rosters at a fixed day; the unit setting that replaces the retirement
rules; who may read; the county over two mirrors; Excel; the roster's 状态起始日期 column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.signers import signed
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.validators import make_id_number
from app.db.models import Person, Section, StaffingQuota
from app.services.county import staffing as S
from app.services.org import settings_change
from app.services.org.actor import SYSTEM, Actor
from app.services.excel.templates import write_template
from app.services.excel.roster import import_roster

TODAY = dt.date(2026, 10, 30)
D = dt.date


def fill(path: Path, sheet: str, rows: list[dict], drop: str | None = None) -> None:
    """Rows under the template's header; `drop` deletes a column first (an older template)."""
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    if drop:
        ws.delete_cols(headers.index(drop) + 1)
        headers.remove(drop)
    for i, row in enumerate(rows):
        for j, name in enumerate(headers, start=1):
            ws.cell(row=2 + i, column=j).value = row.get(name)
    wb.save(path)


def roster_row(i: int, **changes) -> dict:
    birth = dt.date(1980, 1 + i, 10)
    row = {"姓名": f"借调{i}", "身份证号": make_id_number("371321", birth, i, True),
           "编制类型": "行政编制", "角色": "主要领导", "登录名": f"jd{i}", "人员状态": "借调"}
    row.update(changes)
    return row


def since_of(db, login: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(Person.status_since).where(Person.login == login))


# ---------------------------------------------------------------- roster: 状态起始日期
def test_roster_reads_the_status_since_column(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    fill(path, "人员名册", [roster_row(1, 状态起始日期="2025/3/1"), roster_row(2)])
    import_roster(unit_db, admin, path, confirm_roles=True)
    assert since_of(unit_db, "jd1") == "2025-03-01"
    assert since_of(unit_db, "jd2") is None


def test_an_older_roster_without_the_column_still_imports_and_keeps_the_date(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    fill(path, "人员名册", [roster_row(1, 状态起始日期="2025-03-01")])
    import_roster(unit_db, admin, path, confirm_roles=True)
    old = tmp_path / "old.xlsx"
    write_template("roster", old)
    fill(old, "人员名册", [roster_row(1, 职务="局长")], drop="状态起始日期")
    result = import_roster(unit_db, admin, old, confirm_roles=True)
    assert result.updated("人员") == 1
    assert since_of(unit_db, "jd1") == "2025-03-01"
    fill(path, "人员名册", [roster_row(1)])            # the column present and blank clears it
    import_roster(unit_db, admin, path, confirm_roles=True)
    assert since_of(unit_db, "jd1") is None


def test_bad_status_since_is_refused_with_its_cell(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    fill(path, "人员名册", [roster_row(1, 状态起始日期="去年三月"), roster_row(2, 状态起始日期=tomorrow)])
    with pytest.raises(ValidationError) as caught:
        import_roster(unit_db, admin, path, confirm_roles=True)
    found = {(p.row, p.column): p.reason for p in caught.value.problems}
    assert "无法识别的日期" in found[(2, "状态起始日期")]
    assert "晚于今天" in found[(3, "状态起始日期")]


# ---------------------------------------------------------------- the demo roster
def test_demo_secondments_have_a_start_and_nobody_is_past_retirement(tmp_path):
    from app.demo.unit import MIN_PEOPLE, generate_demo
    from app.services.org.setup import open_database
    end = dt.date(2026, 10, 30)
    generate_demo(tmp_path / "demo.sqlite", seed=2, months=1, people=MIN_PEOPLE, end=end)
    db = open_database(tmp_path / "demo.sqlite")
    try:
        a = S.analyse_unit(db, None, end)
        with db.read() as s:
            away = s.execute(select(Person.status, Person.status_since)
                             .where(Person.status != "在职")).all()
    finally:
        db.dispose()
    assert a.seconded and all(x.since is not None for x in a.seconded)
    assert all(60 <= (end - dt.date.fromisoformat(since)).days <= 800 for _, since in away)
    assert a.overdue == [] and a.no_rule == 0
    assert a.ages["未知"] == 0 and sum(a.ages.values()) == a.people



# ---------------------------------------------------------------- a hand-built unit
# (login, name, role, 编制类型, gender, birth, education, status, status_since)
ROSTER = [
    ("a", "王一", "主要领导", "行政编制", "男", D(1968, 5, 20), "研究生", "在职", None),
    ("b", "李二", "分管领导", "行政编制", "男", D(1970, 2, 10), "大学本科", "在职", None),
    ("c", "赵三", "分管领导", "行政编制", "女", D(1972, 1, 4), "大学本科", "在职", None),
    ("d", "钱四", "分管领导", "行政编制", "男", D(1980, 1, 1), "大学本科", "在职", None),
    ("e", "孙五", "分管领导", "行政编制", "女", D(1985, 6, 1), "研究生", "在职", None),
    ("f", "周六", "科室负责人", "事业编制", "女", D(1990, 3, 3), "大学本科", "借调", D(2025, 8, 15)),
    ("g", "吴七", "科室人员", "事业编制", "男", D(1996, 10, 30), "大学专科", "借调", D(2026, 6, 30)),
    ("h", "郑八", "科室人员", "工勤编制", "女", D(1977, 5, 23), "中专", "在职", None),
    ("i", "冯九", "科室人员", "行政编制", "男", D(1964, 12, 10), "高中及以下", "在职", None),
    ("j", "陈十", "科室人员", "编外", None, None, None, "在职", None),
    ("k", "褚离岗", "科室人员", "行政编制", "男", D(1990, 1, 1), None, "离岗", None),   # not counted
]


def add_roster(db, roster, unit_id=None, deleted=("褚删除",)) -> None:
    with db.session(SYSTEM) as s:
        section = Section(unit_id=unit_id or db.unit_id, name="综合科")
        s.add(section)
        s.flush()
        for login, name, role, kind, gender, birth, edu, status, since in roster:
            s.add(Person(unit_id=unit_id or db.unit_id, name=name, login=login, role=role,
                         staffing_type=kind, gender=gender, education=edu, status=status,
                         birth_date=birth.isoformat() if birth else None,
                         status_since=since.isoformat() if since else None,
                         section_id=section.id if role in ("科室负责人", "科室人员") else None))
        for name in deleted:
            s.add(Person(unit_id=unit_id or db.unit_id, name=name, login=name, role="科室人员",
                         staffing_type="行政编制", status="在职", deleted=True))


@pytest.fixture
def unit(unit_db):
    """Quotas 行政编制 20, 事业编制 1 (cut from 5), 正职 1, 副职 3; the roster above."""
    with unit_db.session(SYSTEM) as s:
        s.scalar(select(StaffingQuota).where(StaffingQuota.name == "事业编制")).quota = 1
    add_roster(unit_db, ROSTER)
    return unit_db


def actor(db, login: str) -> Actor:
    with db.read() as s:
        p = s.scalar(select(Person).where(Person.login == login))
    return signed(db, Actor(p.id, p.login, p.name, p.role, p.section_id, p.is_admin))


def test_quota_against_actual_and_leadership_posts(unit):
    a = S.analyse_unit(unit, None, TODAY)
    rows = {r.staffing_type: (r.quota, r.actual, r.vacancies, r.over) for r in a.types}
    assert rows == {"行政编制": (20, 6, 14, 0), "事业编制": (1, 2, 0, 1),
                    "工勤编制": (0, 1, 0, 1),      # people on a type without slots: over a quota of 0
                    "编外": (None, 1, 0, 0)}
    assert [r.staffing_type for r in a.types] == ["行政编制", "事业编制", "工勤编制", "编外"]
    assert (a.quota_total, a.actual_total, a.vacancies, a.over) == (21, 9, 14, 2)
    assert a.usage == pytest.approx(9 / 21)
    assert [(r.kind, r.quota, r.actual, r.over) for r in a.leaders] == [("正职", 1, 1, 0),
                                                                          ("副职", 3, 4, 1)]
    assert a.people == 10          # 离岗, deleted and the admin account (no 编制类型) left out


def test_structure_at_a_fixed_day(unit):
    a = S.analyse_unit(unit, None, TODAY)
    assert a.ages == {"30岁及以下": 1, "31-40岁": 1, "41-50岁": 3, "51-55岁": 1, "55岁以上": 3,
                      "未知": 1}
    assert a.education == {"研究生": 2, "大学本科": 4, "大学专科": 1, "中专": 1, "高中及以下": 1,
                           "未知": 1}
    assert a.gender == {"男": 5, "女": 4, "未知": 1}
    assert S.shares(a.gender)[0] == ("男", 5, 0.5)


def test_secondments_and_how_long(unit):
    a = S.analyse_unit(unit, None, TODAY)
    assert [(x.name, x.section, x.since, x.text, x.long) for x in a.seconded] == [
        ("周六", "综合科", D(2025, 8, 15), "1年2个月15天", True),
        ("吴七", "综合科", D(2026, 6, 30), "4个月", False)]
    assert a.to_json()["seconded"][0]["days"] == 441


def test_retirement_forecast_over_five_years(unit):
    a = S.analyse_unit(unit, None, TODAY)
    assert a.years == [2026, 2027, 2028, 2029, 2030]
    assert [(r.name, r.retirement.age_text, r.retirement.on) for r in a.retirements] == [
        ("赵三", "55岁7个月", D(2027, 8, 4)),       # woman cadre born 1972-01
        ("郑八", "51岁3个月", D(2028, 8, 23)),      # woman 工勤 born 1977-05
        ("王一", "60岁11个月", D(2029, 4, 20))]     # man born 1968-05; 李二 (2031-06) is later
    assert a.retirement_counts() == {2026: {}, 2027: {"行政编制": 1}, 2028: {"工勤编制": 1},
                                     2029: {"行政编制": 1}, 2030: {}}
    assert [(r.name, r.retirement.on) for r in a.overdue] == [("冯九", D(2024, 12, 10))]
    assert a.no_rule == 1                          # 陈十: no gender, no birth date
    assert a.to_json()["retirement_years"]["2027"] == {"行政编制": 1, "合计": 1}


def test_warnings_name_their_numbers(unit):
    assert S.analyse_unit(unit, None, TODAY).warnings == [
        "事业编制超编1名（核定1名，实有2人）",
        "工勤编制超编1名（核定0名，实有1人）",
        "超职数配备副职领导1名（核定3名，实配4名）",
        "借调人员时间较长（借调满1年1人）：周六（1年2个月15天）",
        "已达法定退休年龄仍在册1人：冯九（2024-12-10达到60岁）"]


def test_a_secondment_without_a_start_is_named(unit_db):
    add_roster(unit_db, [("x", "无日期", "科室人员", "行政编制", "男", D(1990, 1, 1), None, "借调", None)])
    a = S.analyse_unit(unit_db, None, TODAY)
    assert a.seconded[0].text == "起始日期未填" and not a.seconded[0].long
    assert "借调人员未填写借调起始日期：无日期" in a.warnings


def test_admin_and_leaders_may_read_others_may_not(unit, admin):
    for who in (admin, actor(unit, "a"), actor(unit, "b"), SYSTEM):
        assert S.analyse_unit(unit, who, TODAY).people == 10
    for login in ("f", "g"):                        # 科室负责人, 科室人员
        with pytest.raises(PermissionDenied, match="主要领导和分管领导"):
            S.analyse_unit(unit, actor(unit, login), TODAY)


def test_the_unit_setting_replaces_the_retirement_rules(unit, admin):
    custom = S.default_rules().to_json()
    custom["rules"][2]["start_birth_month"] = None           # women cadres: 55, no raise
    with pytest.raises(PermissionDenied):
        settings_change.set_value(unit, actor(unit, "a"), S.RULES_KEY, custom)
    with pytest.raises(ValidationError, match="JSON"):
        settings_change.set_value(unit, admin, S.RULES_KEY, "{rules:")
    with pytest.raises(ValidationError, match="original_age"):
        settings_change.set_value(unit, admin, S.RULES_KEY, '{"rules": [{"gender": "男"}]}')
    import json
    settings_change.set_value(unit, admin, S.RULES_KEY, json.dumps(custom, ensure_ascii=False))
    a = S.analyse_unit(unit, None, TODAY)
    assert ("赵三", D(2027, 1, 4)) in [(r.name, r.retirement.on) for r in a.retirements]
    settings_change.set_value(unit, admin, S.RULES_KEY, "")     # empty: the shipped rules again
    assert S.rules_of(unit) == S.default_rules()


def test_excel_has_every_table(unit, tmp_path):
    path = S.export_xlsx(S.analyse_unit(unit, None, TODAY), tmp_path / "x" / "编制.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["编制使用", "领导职数", "年龄结构", "学历结构", "性别结构", "借调人员",
                             "退休预测", "退休人员名单", "预警"]
    use = [[c.value for c in row] for row in wb["编制使用"].iter_rows(min_row=3)]
    assert use[-1] == ["合计（不含编外）", 21, 9, 14, 2, pytest.approx(9 / 21)]
    assert wb["编制使用"]["F3"].number_format == "0.0%"
    years = [[c.value for c in row] for row in wb["退休预测"].iter_rows(min_row=2)]
    assert years[0] == ["年度", "行政编制", "工勤编制", "合计"]
    assert years[2] == ["2027年", 1, 0, 1]
    names = [[c.value for c in row] for row in wb["退休人员名单"].iter_rows(min_row=3)]
    assert names[0][0] == "冯九" and names[0][-1] == S.OVERDUE and len(names) == 4


# ---------------------------------------------------------------- the 编办: two mirrors
def test_county_totals_over_two_mirrors(tmp_path):
    from app.services.county.mirrors import Mirrors
    from tests.unit.sync_fixtures import PEOPLE, World, add_people, enroll, new_bureau, register
    bureau = new_bureau(tmp_path / "county.sqlite")
    world = World(tmp_path, bureau, Mirrors(bureau), usb=tmp_path / "usb")
    world.usb.mkdir()
    for i, key in enumerate("ab", start=1):        # quotas 行政编制 10, 事业编制 3; 正职 1, 副职 2
        register(world, key, i)
        add_people(enroll(world, key, tmp_path / f"unit_{key}.sqlite"), PEOPLE)   # 3 行政编制, 未知
    try:
        add_roster(world.units["a"], [
            ("a1", "甲一", "科室人员", "行政编制", "男", D(1966, 6, 1), "大学本科", "在职", None),
            ("a2", "甲二", "科室人员", "事业编制", "女", D(1980, 1, 1), "研究生", "借调", D(2025, 1, 1))],
            deleted=())
        add_roster(world.units["b"], [
            ("b1", "乙一", "科室人员", "工勤编制", "女", D(1975, 1, 10), "中专", "在职", None)]
            + [(f"b{i}", f"乙副{i}", "分管领导", "行政编制", "男", D(1990, 1, i), "大学本科", "在职", None)
               for i in (2, 3, 4)], deleted=())
        with pytest.raises(AppError, match="编办版"):
            S.analyse_county(world.units["a"], None)
        assert all(r.status == "imported" for r in world.receive(world.report("a"), world.report("b")))
        county = S.analyse_county(world.bureau, world.mirrors, None, TODAY)
        own_view = S.analyse_unit(world.units["a"], None, TODAY)
    finally:
        world.close()
    first, second = county.units
    assert [u.name for u in county.units] == ["沂河县第1局", "沂河县第2局"]
    assert first.to_json() == own_view.to_json()      # the 编办 sees what the unit sees
    rows = {r.staffing_type: (r.quota, r.actual, r.vacancies, r.over) for r in county.types}
    assert rows == {"行政编制": (20, 10, 10, 0), "事业编制": (6, 1, 5, 0), "工勤编制": (0, 1, 0, 1)}
    assert [(r.kind, r.quota, r.actual, r.over) for r in county.leaders] == [("正职", 2, 2, 0),
                                                                               ("副职", 4, 3, 1)]
    assert county.people == 12 and county.gender == {"男": 4, "女": 2, "未知": 6}
    assert [(r.unit, r.name, r.retirement.on) for r in county.retirements] == [
        ("沂河县第1局", "甲一", D(2026, 11, 1))]         # 60岁5个月
    assert [(r.unit, r.name) for r in county.overdue] == [("沂河县第2局", "乙一")]
    assert [(x.unit, x.name, x.long) for x in county.seconded] == [("沂河县第1局", "甲二", True)]
    assert "沂河县第2局：超职数配备副职领导1名（核定2名，实配3名）" in county.warnings
    assert "沂河县第1局：借调人员时间较长（借调满1年1人）：甲二（1年9个月29天）" in county.warnings
    path = S.export_xlsx(county, tmp_path / "county.xlsx")
    units = [[c.value for c in row] for row in load_workbook(path)["各单位"].iter_rows(min_row=3)]
    assert [u[:5] for u in units] == [["沂河县第1局", 13, 5, 8, 0], ["沂河县第2局", 13, 7, 7, 1]]

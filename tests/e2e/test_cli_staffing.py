"""`python -m app staffing` as a unit and its 编办 run it: the roster goes in with
`import-roster` (状态起始日期 included), the unit analyses itself, sends its 上报包, and the 编办's
analysis of that unit (county rows and `--unit`) equals the unit's own, whole dict; the unit's
own retirement rules through `settings set staffing.retirement_rules`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.validators import make_id_number
from app.services.excel.templates import write_template
from tests.e2e.cli_world import add_admin
from tests.e2e.test_cli_basic import run, run_all
from tests.unit.sync_fixtures import credit

TODAY = "2026-10-30"
D = dt.date
# name, role, 编制类型, male, birth, status, 状态起始日期
ROSTER = [
    ("甲主任", "主要领导", "行政编制", True, D(1966, 6, 1), "在职", None),      # retires 2026-11-01
    ("乙借调", "分管领导", "事业编制", False, D(1980, 2, 2), "借调", "2025-01-01"),
    ("丙副职", "分管领导", "行政编制", True, D(1990, 3, 3), "在职", None),
    ("丁工勤", "分管领导", "工勤编制", False, D(1976, 3, 9), "在职", None),     # 50岁8个月: 2026-11-09
]


def ok(result, *words):
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stdout, result.stdout
    return result


def roster_file(path: Path) -> Path:
    write_template("roster", path)
    wb = load_workbook(path)
    ws = wb["人员名册"]
    headers = [c.value for c in ws[1]]
    for i, (name, role, kind, male, birth, status, since) in enumerate(ROSTER):
        row = {"姓名": name, "身份证号": make_id_number("371321", birth, i * 2, male), "编制类型": kind,
               "角色": role, "登录名": f"u{i}", "人员状态": status, "状态起始日期": since}
        for j, header in enumerate(headers, start=1):
            ws.cell(row=2 + i, column=j).value = row.get(header)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A 编办 with two registered units (made through the services: the CLI for these steps
    is tested in test_cli_sync.py); unit 1 imports its roster with the CLI and reports."""
    from app.services.county.mirrors import Mirrors
    from tests.unit.sync_fixtures import World, enroll, new_bureau, register
    root = tmp_path_factory.mktemp("staffing")
    env = root / "appdata"
    env.mkdir()
    bureau = new_bureau(root / "county.sqlite")
    world = World(root, bureau, Mirrors(bureau), usb=root / "usb")
    world.usb.mkdir()
    register(world, "a", 1, quotas={"行政编制": 1, "事业编制": 2})     # 正职 1, 副职 2
    register(world, "b", 2, quotas={"行政编制": 5})
    enroll(world, "a", root / "unit.sqlite")
    add_admin(root / "unit.sqlite")
    add_admin(root / "county.sqlite")
    try:
        ok(run("import-roster", "--db", root / "unit.sqlite", "--confirm-roles",
               roster_file(root / "roster.xlsx"),
               data_dir=env))
        assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    finally:
        world.close()
    return dict(root=root, env=env, bureau=root / "county.sqlite", unit=root / "unit.sqlite")


def test_unit_and_bureau_see_the_same_figures(county):
    env, root = county["env"], county["root"]
    base = ("staffing", "--today", TODAY)
    own, whole, one, text, wrong = run_all([
        (*base, "--db", county["unit"], "--json", "--xlsx", root / "unit.xlsx"),
        (*base, "--db", county["bureau"], "--json"),
        (*base, "--db", county["bureau"], "--json", "--unit", credit(1)),
        (*base, "--db", county["bureau"]),
        (*base, "--db", county["unit"], "--unit", credit(1))], env)
    own, whole, one = (json.loads(ok(r).stdout) for r in (own, whole, one))
    assert {t["staffing_type"]: (t["quota"], t["actual"], t["vacancies"], t["over"])
            for t in own["types"]} == {"行政编制": (1, 2, 0, 1), "事业编制": (2, 1, 1, 0),
                                       "工勤编制": (0, 1, 0, 1)}
    assert own["leaders"] == [{"kind": "正职", "quota": 1, "actual": 1, "over": 0},
                              {"kind": "副职", "quota": 2, "actual": 3, "over": 1}]
    assert [(s["name"], s["since"], s["duration"], s["over_a_year"]) for s in own["seconded"]] == [
        ("乙借调", "2025-01-01", "1年9个月29天", True)]
    assert [(r["name"], r["retirement_age"], r["retirement_date"]) for r in own["retirements"]] == [
        ("甲主任", "60岁5个月", "2026-11-01"), ("丁工勤", "50岁8个月", "2026-11-09")]
    assert own["retirement_years"]["2026"] == {"行政编制": 1, "工勤编制": 1, "合计": 2}
    assert own["people"] == 4 and own["gender"] == {"男": 2, "女": 2, "未知": 0}
    # the 编办: unit 1 equals the unit's own analysis; unit 2 has sent nothing yet
    assert one == own
    first, second = whole["units"]
    assert first == own and second["people"] == 0
    assert second["warnings"] == ["尚未收到人员名册（单位还没有上报）"]
    assert whole["quota_total"] == 8 and whole["vacancies"] == 1 + 5 and whole["over_quota"] == 2
    assert "沂河县第1局：超职数配备副职领导1名（核定2名，实配3名）" in whole["warnings"]
    ok(text, "【各单位】", "沂河县第2局", "【退休预测】", "2026年", "借调人员时间较长")
    assert wrong.returncode == 1 and "--unit 只用于编办版" in wrong.stderr
    assert load_workbook(root / "unit.xlsx")["借调人员"]["A3"].value == "乙借调"


def test_the_units_own_retirement_rules(county):
    env, unit = county["env"], county["unit"]
    rules = json.loads(Path("resources/retirement_rules.json").read_text(encoding="utf-8"))
    rules["rules"][0].update(original_age=61, start_birth_month=None)     # men: 61, no raise
    good, bad = run_all([("settings", "set", "--db", unit, "staffing.retirement_rules",
                          json.dumps(rules, ensure_ascii=False)),
                         ("settings", "set", "--db", unit, "staffing.retirement_rules", '{"rules": []}')],
                        env)
    ok(good)
    assert bad.returncode == 1 and "rules" in bad.stderr
    after = json.loads(ok(run("staffing", "--db", unit, "--today", TODAY, "--json",
                              data_dir=env)).stdout)
    assert [(r["name"], r["retirement_age"], r["retirement_date"]) for r in after["retirements"]] == [
        ("丁工勤", "50岁8个月", "2026-11-09"), ("甲主任", "61岁", "2027-06-01")]

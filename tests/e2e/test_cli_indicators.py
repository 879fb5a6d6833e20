"""`python -m app indicators …` as the 编办 runs it: install the default templates, export and
import them as Excel, and score a registered unit automatically from its mirror after its
上报包 was imported — checked against the unit's own `stats --json` by hand."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from openpyxl import load_workbook

from app.core.validators import make_credit_code
from app.services.county import bureau as B
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.org.actor import SYSTEM
from app.demo.unit import generate_demo
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.cli_world import add_admin, principal_of
from tests.e2e.test_cli_basic import run, run_all

BUREAU_CODE = make_credit_code("11371321", "MB285103")
UNIT_CODE = make_credit_code("11371321", "MB285104")
GOV = "政府部门评估指标体系"


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


def ok(*args, env_dir):
    r = run(*args, data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def county(tmp_path_factory, env_dir):
    """编办 B with the default templates and one unit U (30-person demo, October 2026) whose
    上报包 B has imported. Registration and packages go through the services (their CLI has its
    own tests); the indicator commands below run as a user runs them."""
    root = tmp_path_factory.mktemp("county")
    b, u, usb = root / "county.sqlite", root / "unit.sqlite", root / "usb"
    usb.mkdir()
    bureau = open_database(b, create=True)
    initialise_unit(bureau, UnitSetup("沂河县委编办", BUREAU_CODE, edition="bureau"))
    mirrors = Mirrors(bureau)
    unit_id = B.register_unit(bureau, SYSTEM, UnitSetup(
        "沂河县市场监督管理局", UNIT_CODE, staffing_quotas={"行政编制": 20, "事业编制": 6},
        leader_posts={"正职": 1, "副职": 2}), task_class="服务经济", key_tasks=5)
    file = enrollment.write_enrollment(bureau, mirrors, unit_id, root)
    generate_demo(u, seed=3, months=1, people=30, enrollment=file.path, enrollment_code=file.code,
                  end=dt.date(2026, 10, 31))
    unit = open_database(u)
    report = unit_sync.export_report(unit, usb).path
    unit.dispose()
    assert not B.import_packages(bureau, mirrors, [report], apply=True)[0].rejected
    mirrors.close()
    bureau.dispose()
    add_admin(b)
    r = ok("indicators", "install-defaults", "--db", b, env_dir=env_dir)
    assert r.stdout.count("已安装") == 7
    return b, u, root


def test_list_and_show(county, env_dir):
    b, _, _ = county
    listed, shown = run_all([("indicators", "list", "--db", b, "--json"),
                             ("indicators", "show", "--db", b, "--template", GOV)], env_dir)
    assert listed.returncode == 0 and shown.returncode == 0, listed.stderr + shown.stderr
    found = json.loads(listed.stdout)
    assert [t["unit_class"] for t in found] == ["党委部门", "政府部门", "直属事业单位", "公益服务类事业单位", "人大政协机关",
                                               "群团机关", "政府部门"]
    assert all((t["common"], t["individual"]) == (100, 20) for t in found)
    assert all(t["auto_leaves"] >= 10 for t in found[:6])
    assert found[6]["name"] == "江苏机关单位高质量发展绩效评价指标体系" and found[6]["auto_leaves"] == 5
    assert "3.3.1 工作饱和度  6分  [自动：工作饱和度，85%~115%得满分" in shown.stdout


def test_auto_scores_of_a_unit_from_its_mirror(county, env_dir):
    b, u, _ = county
    auto = run("indicators", "auto", "--db", b, "--unit", UNIT_CODE, "--template", GOV,
               "--period", "2026-10", "--json", data_dir=env_dir)
    # the unit's whole figures, read by its 主要领导 (a demo unit: every password is the demo's)
    own = run("stats", "--db", u, "--period", "2026-10", "--json", "--as", principal_of(u),
              data_dir=env_dir, password=DEMO_PASSWORD)
    assert auto.returncode == 0 and own.returncode == 0, auto.stderr + own.stderr
    result, figures = json.loads(auto.stdout), json.loads(own.stdout)[0]
    items = {i["code"]: i for i in result["items"]}
    assert result["unit"] == "沂河县市场监督管理局" and result["period"] == "2026-10"
    # By hand from the unit's own statistics (the mirror must give the same numbers).
    sat = figures["saturation"]
    share = 1 if 0.85 <= sat <= 1.15 else max(0, (sat - 0.6) / 0.25 if sat < 0.85 else (1.3 - sat) / 0.15)
    assert items["3.3.1"]["value"] == sat and items["3.3.1"]["score"] == round(6 * share, 2)
    sub = figures["submission_rate"]
    assert items["3.4.1"]["score"] == round(3 * min(1, max(0, (sub - 0.6) / 0.35)), 2)
    cov = figures["coverage"]
    assert items["3.1.1"]["score"] == round(6 * min(1, max(0, (cov - 0.5) / 0.4)), 2)
    core = figures["focus"]["core"]
    assert items["3.2.1"]["score"] == round(8 * min(1, max(0, (core - 0.2) / 0.3)), 2)
    # 编制任务比: the unit's listed 年度重点工作 of the year (服务经济: 3 编制 a task, 26 编制)
    listed = json.loads(run("items", "list", "--db", u, "--kind", "年度重点工作", "--json", "--as",
                            principal_of(u), data_dir=env_dir, password=DEMO_PASSWORD).stdout)
    tasks = sum(i["year"] == 2026 for i in listed)
    assert tasks and items["3.5.2"]["score"] == round(4 * min(1, max(0, (tasks / (26 / 3) - 0.5) / 0.5)), 2)
    assert result["score"] == round(sum(i["score"] for i in items.values() if i["score"] is not None), 2)
    assert items["3.3.1"]["metric_label"] == "工作饱和度" and "计入工时" in items["3.3.1"]["explanation"]


def test_excel_export_edit_import(county, env_dir):
    b, _, root = county
    path = root / "gov.xlsx"
    ok("indicators", "export", "--db", b, "--template", GOV, "--out", path, env_dir=env_dir)
    wb = load_workbook(path)
    ws = wb["指标体系"]
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["3.3.1"], 7).value = "80%~120%得满分，低于50%或高于140%得0分"
    wb["模板信息"].cell(2, 2).value = "政府部门评估指标体系（本县）"
    wb.save(path)
    r = ok("indicators", "import", "--db", b, path, env_dir=env_dir)
    assert "新增59项" in r.stdout       # 56 indicators + 3 加减分 items and "新建指标体系“政府部门评估指标体系（本县）”" in r.stdout

    ws.cell(rows["3.4.2"], 7).value = "越快越好"
    ws.cell(rows["2.3.1"], 6).value = "编制饱和度"
    wb.save(path)
    r = run("indicators", "import", "--db", b, path, data_dir=env_dir)
    assert r.returncode == 1
    assert f"工作表「指标体系」第{rows['2.3.1']}行「指标来源」：没有“编制饱和度”这个指标来源" in r.stderr
    assert f"工作表「指标体系」第{rows['3.4.2']}行「规则」：看不懂规则" in r.stderr
    con = sqlite3.connect(b)                         # the refused file changed nothing
    rule = con.execute("SELECT i.rule FROM indicator_item i JOIN indicator_template t ON "
                       "t.id = i.template_id WHERE t.name = ? AND i.code = '3.4.2'",
                       ("政府部门评估指标体系（本县）",)).fetchone()[0]
    con.close()
    assert json.loads(rule) == {"kind": "at_least", "full": 0.95, "zero": 0.6}


def test_refusals(county, env_dir):
    b, u, _ = county
    on_unit = run_all([("indicators", "install-defaults", "--db", u),
                       ("indicators", "auto", "--db", u, "--template", GOV, "--period", "2026")],
                      env_dir, password=DEMO_PASSWORD)
    on_bureau = run_all([("indicators", "auto", "--db", b, "--template", GOV, "--period", "2026"),
                         ("indicators", "export", "--db", b, "--template", "没有这套", "--out", "x.xlsx")],
                        env_dir)
    done = [on_bureau[0], *on_unit, on_bureau[1]]
    assert [r.returncode for r in done] == [1, 1, 1, 1]
    assert "--unit" in done[0].stderr
    assert "指标体系由编办制定" in done[1].stderr
    assert f"没有名为“{GOV}”的指标体系" in done[2].stderr
    assert "没有名为“没有这套”的指标体系" in done[3].stderr

"""`python -m app overlap` on a 编办 database with four registered units (generated 三定 duties
with two planted near-duplicate pairs), run as a user runs it. One unit (the 市场监督管理局) has
reported: its roster, 承担科室, 岗位 and one approved log reached the 编办 in a 上报包."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from app.services.county import overlap as O
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from tests.e2e.cli_world import add_admin
from tests.e2e.test_cli_basic import run_all
from tests.unit.overlap_fixtures import PLANTED, build_county, county_duties, credit, report_unit

TODAY = "2026-10-31"


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    units = county_duties(keys=("culture", "market", "nature", "build"))
    db, mirrors, ids = build_county(root, units)
    report_unit(db, mirrors, ids["market"], root / "market", dt.date(2026, 10, 12)).dispose()
    expected = O.overlap(db, mirrors, today=dt.date.fromisoformat(TODAY))
    expected.strict = O.overlap(db, mirrors, today=dt.date.fromisoformat(TODAY), threshold=0.3, top=1)
    mirrors.close()
    db.dispose()
    add_admin(root / "county.sqlite")
    unit = open_database(root / "unit.sqlite", create=True)
    initialise_unit(unit, UnitSetup("沂河县市场监督管理局", credit(9)))
    unit.dispose()
    add_admin(root / "unit.sqlite")
    codes = [code for code, _, _ in next(u for u in units if u.key == "market").duties]
    return root, expected, codes


@pytest.fixture(scope="module")
def results(county, env_dir):
    root = county[0]
    db = root / "county.sqlite"
    commands = [("overlap", "--db", db, "--today", TODAY, "--xlsx", root / "分析.xlsx"),
                ("overlap", "--db", db, "--today", TODAY, "--json", "--top", "1", "--threshold", "0.3"),
                ("overlap", "--db", db, "--threshold", "2"),
                ("overlap", "--db", root / "unit.sqlite")]
    return run_all(commands, env_dir)


def test_text_lists_the_planted_pairs_side_by_side(results, county):
    root, expected, codes = county
    r = results[0]
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for heading in ("一、职责交叉候选", "二、共性职责", "三、单位内重复", "四、无人承担的职责", "五、长期不运行的权责事项"):
        assert heading in out
    assert "4个单位" in out and "截至2026-10-31" in out
    for key_a, text_a, key_b, text_b in PLANTED[:2]:
        assert f"：{text_a}" in out and f"：{text_b}" in out
    first = expected.cross[0]
    assert f"相似度{first.score:.2f}" in out and f"甲 {first.a.unit_name} {first.a.code}：" in out
    assert "共同关键词：" in out
    # the three units that have not reported are named, not listed duty by duty
    market = next(u for u in expected.unassigned).duty.unit_name
    assert "尚未收到人员和科室信息的单位（未列入）：" in out and "尚无日志的单位（未列入）：" in out
    assert f"共{len(expected.unassigned)}项）" in out and f"共{len(expected.idle)}项）" in out
    assert all(u.duty.unit_name == market for u in expected.unassigned + expected.idle)
    assert f"{market} {codes[2]}（" in out and "未分解到岗位人员；承担科室：综合科" in out
    assert f"{market} {codes[3]}（" in out and "未明确承担科室；承担科室：—" in out
    assert f"{market} {codes[0]}（" not in out.split("四、")[1]           # carried and logged
    assert "最近审定日志" not in out and "从未有审定日志" in out
    assert "日志观察期：自2026-10-12起（不足12个月）" in out
    assert "2025-11-01至2026-10-31" in out
    wb = load_workbook(root / "分析.xlsx")
    assert len(list(wb["职责交叉候选"].iter_rows(min_row=3))) == len(expected.cross)
    assert "已写入Excel" in out


def test_json_matches_the_service(results, county):
    expected = county[1].strict
    r = results[1]
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["threshold"] == 0.3 and data["top"] == 1
    assert data["units"] == 4 and data["duties"] == expected.duties
    assert data["cross_total"] == expected.cross_total > county[1].cross_total  # more at 0.3
    assert [(c["a"]["code"], c["b"]["code"], c["score"]) for c in data["cross"]] == \
        [(p.a.code, p.b.code, round(p.score, 4)) for p in expected.cross] and len(data["cross"]) == 1
    assert all(c["score"] >= 0.3 for c in data["cross"])
    assert {"unit", "unit_id", "code", "content", "duty_class"} <= set(data["cross"][0]["a"])
    assert data["cross"][0]["phrases"]
    assert len(data["common"]) == len(expected.common) and data["common"][0]["units"] == 4
    assert len(data["unassigned"]) == 38 and len(data["idle"]) == 39
    assert len(data["units_without_roster"]) == 3 == len(data["units_without_logs"])
    assert data["idle_since"] == "2025-11-01"


def test_bad_arguments_and_a_unit_database_are_refused(results):
    bad, unit = results[2], results[3]
    assert bad.returncode == 2 and "相似度阈值应为0到1之间" in bad.stderr
    assert unit.returncode == 1 and "编办版" in unit.stderr

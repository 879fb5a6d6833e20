"""人员编制 page: figures, warnings, tables and charts of a hand-built unit; who is refused; the
retirement rules dialog; Excel and chart files; the 编办's county view and one unit's."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.db.models import StaffingQuota
from app.services.county import staffing as S
from app.services.org import unit_settings
from app.services.org.actor import SYSTEM, Actor
from app.ui.pages import staffing_page
from app.ui.pages.staffing_page import RulesDialog, StaffingPage
from app.ui.tasks import SyncRunner
from tests.unit.test_staffing import ROSTER, actor, add_roster

TODAY = dt.date(2026, 10, 30)


@pytest.fixture
def unit(unit_db):
    with unit_db.session(SYSTEM) as s:
        s.scalar(select(StaffingQuota).where(StaffingQuota.name == "事业编制")).quota = 1
    add_roster(unit_db, ROSTER)
    return unit_db


def rows(page, name: str) -> list[list[str]]:
    table = page.table_widgets[name]
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_unit_page_shows_figures_warnings_tables_and_charts(qtbot, unit, admin, tmp_path):
    page = StaffingPage(unit, admin, today=TODAY)
    qtbot.addWidget(page)
    summary = page.summary.text()
    assert "核定编制 <b>21</b> 名，实有 <b>9</b> 人" in summary and "空编 <b>14</b>" in summary
    assert "借调 2 人（满1年 1 人）" in summary and "到龄退休 <b>3</b> 人" in summary
    assert "超职数配备副职领导1名（核定3名，实配4名）" in page.warnings.text()
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert tabs == ["编制使用", "领导职数", "年龄结构", "学历结构", "性别结构", "借调人员（2）", "退休预测",
                    "退休人员名单（4）", "预警（5）", "决定记录（0）"]
    assert rows(page, "决定记录") == [["—", "编办尚未作出编制决定", "", "", "", ""]]
    assert rows(page, "编制使用")[1] == ["事业编制", "1", "2", "0", "1", "200.0%"]
    assert rows(page, "借调人员")[0] == ["周六", "综合科", "事业编制", "2025-08-15", "1年2个月15天", "是"]
    assert rows(page, "退休预测")[1] == ["2027年", "1", "0", "1"]
    bars = [i for i in page.retire_chart.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert len(bars) == 2                                   # 行政编制 and 工勤编制 stacked
    assert list(bars[0].opts["height"]) == [0, 1, 0, 1, 0]
    out = tmp_path / "编制.xlsx"
    page.export_excel(str(out))
    assert "退休人员名单" in load_workbook(out).sheetnames
    page.save_charts(str(tmp_path))
    assert len(list(tmp_path.glob("*.png"))) == 3


def test_section_heads_and_staff_are_told_they_may_not_see_it(qtbot, unit):
    page = StaffingPage(unit, actor(unit, "f"), today=TODAY)
    qtbot.addWidget(page)
    assert page.analysis is None and not page.denied.isHidden()
    assert "主要领导和分管领导" in page.denied.text() and page.tabs.isHidden()


def test_the_rules_dialog_saves_checks_and_resets(qtbot, unit, admin, monkeypatch):
    errors = []
    monkeypatch.setattr(staffing_page, "show_error", lambda parent, title, exc: errors.append(str(exc)))
    page = StaffingPage(unit, admin, today=TODAY)
    qtbot.addWidget(page)
    dialog = RulesDialog(unit, admin, page)
    qtbot.addWidget(dialog)
    rules = json.loads(dialog.text.toPlainText())
    assert rules == S.default_rules().to_json()
    dialog.text.setPlainText('{"rules": [{"gender": "男", "original_age": "六十"}]}')
    dialog.save()
    assert "original_age" in errors[0] and not unit_settings.get(unit, S.RULES_KEY)
    rules["rules"][2]["start_birth_month"] = None           # women cadres: 55, no raise
    dialog.text.setPlainText(json.dumps(rules, ensure_ascii=False))
    dialog.save()
    assert dialog.result() == 1
    page.reload()
    assert ["赵三", "", "行政编制", "女", "1972-01-04", "原法定退休年龄55周岁的女职工（干部）",
            "55岁", "2027-01-04", ""] in rows(page, "退休人员名单")
    RulesDialog(unit, admin, page).reset()
    assert S.rules_of(unit) == S.default_rules()
    readonly = RulesDialog(unit, actor(unit, "a"), page)    # 主要领导: reads the rules, cannot edit
    qtbot.addWidget(readonly)
    assert readonly.text.isReadOnly() and readonly.findChild(type(page.title), "saveRules") is None


def test_the_bureau_sees_the_county_and_each_unit(qtbot, tmp_path):
    from app.services.county.mirrors import Mirrors
    from tests.unit.sync_fixtures import World, enroll, new_bureau, register
    bureau = new_bureau(tmp_path / "county.sqlite")
    world = World(tmp_path, bureau, Mirrors(bureau), usb=tmp_path / "usb")
    world.usb.mkdir()
    for i, key in enumerate("ab", start=1):
        register(world, key, i)
        enroll(world, key, tmp_path / f"unit_{key}.sqlite")
    add_roster(world.units["a"], ROSTER[:4], deleted=())
    world.receive(world.report("a"))
    try:
        analyst = Actor("", "fx", "分析员", "编办", None, False)      # every 编办 account analyses
        page = StaffingPage(bureau, analyst, mirrors=world.mirrors, today=TODAY, runner=SyncRunner())
        qtbot.addWidget(page)
        assert page.analysis.scope == "county" and "（全县）" in page.title.text()
        assert [r[:3] for r in rows(page, "各单位")] == [["沂河县第1局", "13", "4"], ["沂河县第2局", "13", "0"]]
        assert "沂河县第2局：尚未收到人员名册（单位还没有上报）" in page.warnings.text()
        page.unit_picker.setCurrentIndex(1)
        assert page.analysis.scope == "unit" and page.analysis.name == "沂河县第1局"
        assert "各单位" not in page.table_widgets and page.analysis.people == 4
        assert "决定记录" in page.table_widgets         # the picked unit's decisions (none yet)
        register(world, "c", 3)                          # registered later: listed on reload
        page.reload()
        assert page.unit_picker.count() == 4 and page.analysis.name == "沂河县第1局"
    finally:
        world.close()

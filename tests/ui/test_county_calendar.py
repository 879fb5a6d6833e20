"""The 编办's window names what moves a unit's figures without being work: the import preview lists
calendar, duty-class and settings changes; the 全县分析 page accepts a unit's calendar deviations
and withdraws the acceptance, recomputing the unit's figures (real files, tests.unit.sync_fixtures)."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.calendar import HOLIDAY
from app.db.models import Duty
from app.services.org.actor import SYSTEM, Actor
from app.services.org.calendar import set_override, work_calendar
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import build_world

LATER = dt.date(2026, 11, 20)


@pytest.fixture
def world(tmp_path):
    w = build_world(tmp_path / "w", keys=("a",))
    with w.units["a"].session(SYSTEM) as s:
        s.add(Duty(unit_id=w.unit_ids["a"], code="D01", content="市场监管", duty_class="一般", active=True))
    assert [r.status for r in w.receive(w.report("a"))] == ["imported"]
    yield w
    w.close()


def test_the_preview_shows_the_changes_and_the_county_page_accepts_the_calendar(qtbot, world, settings):
    from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog
    from app.ui.pages.bureau.county_page import ACCEPT, COL_WARNINGS, WITHDRAW, CountyPage
    unit = world.units["a"]
    with unit.session(SYSTEM) as s:
        s.query(Duty).one().duty_class = "核心"
    days = work_calendar(unit).working_days(dt.date(2026, 10, 19), dt.date(2026, 10, 31))[:6]
    for day in days:
        set_override(unit, SYSTEM, day, HOLIDAY, "单位自定休息日")
    package = world.report("a")
    preview = world.receive(package, apply=False)
    dialog = ImportPreviewDialog(preview, settings)
    qtbot.addWidget(dialog)
    shown = dialog.details.toPlainText()
    assert "工作日历与国家安排不同6天" in shown and "职责类别变更：1项职责由一般改为核心（编号D01）" in shown
    assert "有影响统计的设置变更" in dialog.table.item(0, 8).text()
    assert [r.status for r in world.receive(package)] == ["imported"]

    page = CountyPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner(),
                      period="2026-10", today=lambda: LATER)
    qtbot.addWidget(page)
    national = page.rows[0].figures.working_days
    assert "按国家安排统计" in page.table.item(0, COL_WARNINGS).text()
    assert "职责类别变更" in page.table.item(0, COL_WARNINGS).text()
    assert not page.calendar_button.isEnabled()          # nothing selected yet
    page.table.selectRow(0)
    assert page.calendar_button.isEnabled()
    shown = {}

    def answer():
        box = QApplication.activeModalWidget()
        shown["text"], shown["buttons"] = box.text(), [b.text() for b in box.buttons()]
        box.reject()                                     # 取消: nothing decided
    QTimer.singleShot(0, answer)
    assert page.ask_calendar(page.selected()) is None
    assert "工作日历与国家安排不同6天" in shown["text"] and "认可差异" in shown["buttons"]
    assert "撤销认可" not in shown["buttons"]
    asked = []
    page.ask_calendar = lambda r: asked.append(r.calendar_days) or ACCEPT
    page.calendar_button.click()
    assert asked == [[d.isoformat() for d in days]]
    assert page.rows[0].figures.working_days == national - 6
    assert page.rows[0].calendar_accepted == [d.isoformat() for d in days]
    assert "编办已认可单位工作日历6天" in page.table.item(0, COL_WARNINGS).text()
    assert "已认可" in page.last_decision.summary()

    page.table.selectRow(0)
    page.ask_calendar = lambda r: WITHDRAW
    page.calendar_button.click()
    assert page.rows[0].figures.working_days == national
    assert "按国家安排统计" in page.table.item(0, COL_WARNINGS).text()

    clerk = CountyPage(world.bureau, world.mirrors, Actor("", "fx", "分析员", "", None, False), settings,
                       runner=SyncRunner(), period="2026-10", today=lambda: LATER)
    qtbot.addWidget(clerk)
    clerk.table.selectRow(0)
    assert not clerk.calendar_button.isEnabled()         # 编办管理员 only


def test_a_report_printed_from_the_drill_down_counts_by_the_bureaus_calendar(
        qtbot, world, settings, tmp_path, monkeypatch):
    """The unit declared 6 working days holidays; the 编办 has not accepted them. The unit report
    the 编办 prints from its drill-down counts the national working days, as its table does."""
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    from app.ui.pages.bureau.county_page import CountyPage
    unit = world.units["a"]
    for day in work_calendar(unit).working_days(dt.date(2026, 10, 19), dt.date(2026, 10, 31))[:6]:
        set_override(unit, SYSTEM, day, HOLIDAY, "单位自定休息日")
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    page = CountyPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner(),
                      period="2026-10", today=lambda: LATER)
    qtbot.addWidget(page)
    national = page.rows[0].figures.working_days
    page.drill(0)
    drilled = page.unit_page
    drilled.open_reports = False
    out = tmp_path / "单位报告.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    [unit_report] = [a for a in drilled.report_button.menu().actions() if a.text() == "部门履职评估分析报告"]
    unit_report.trigger()
    text = "".join(p.extract_text() for p in PdfReader(out).pages).replace("\n", "")
    assert f"本期工作日{national}天" in text
    assert f"本期工作日{national - 6}天" not in text

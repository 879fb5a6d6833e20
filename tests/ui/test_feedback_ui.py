"""月度反馈 in the windows: the 编办 opens 月度反馈… on 全县分析, issues October for every unit,
writes a remark and saves it; the unit imports its 下发包, its leader sees the notice at start
and the feedback on 统计分析 → 监测反馈 with the figures the 编办 computed, and prints it.
Staff have no such tab; the period picker offers 上半年/下半年."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PySide6.QtCore import Qt
from pypdf import PdfReader

from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM
from app.services.stats import compute as stats
from app.core.metrics import parse_period
from app.ui.tasks import SyncRunner
from tests.ui.modal import when_shown
from tests.unit.sync_fixtures import DAYS, actor_for, approve, build_world, reopen, write_log

LATER = dt.date(2026, 11, 20)
REMARK = "请于11月底前补齐未提交的日志。"


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    root = tmp_path_factory.mktemp("fb_ui") / "world"
    w = build_world(root)
    write_log(w.units["b"], "ls", DAYS[3], "办理市场主体登记变更12件")
    approve(w.units["b"], "ld", "ls", DAYS[3])
    for key in ("a", "b"):
        assert [r.status for r in w.receive(w.report(key))] == [P.IMPORTED]
    w.close()
    return root


@pytest.fixture
def world(_template, tmp_path):
    shutil.copytree(_template, tmp_path / "world")
    w = reopen(tmp_path / "world")
    yield w
    w.close()


def test_the_bureau_issues_and_the_unit_leader_reads_the_feedback(qtbot, world, settings, tmp_path):
    from app.ui.dialogs.feedback_dialog import FeedbackDialog
    from app.ui.pages.bureau.county_page import CountyPage
    page = CountyPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner(),
                      period="2026-10", today=lambda: LATER)
    qtbot.addWidget(page)
    opened = []

    def act(dialog):
        opened.append(dialog)
        assert isinstance(dialog, FeedbackDialog)
        assert dialog.month.currentText() == "2026-10"     # the last month that has ended
        assert dialog.state.text() == "2026-10：尚未生成反馈"
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
        assert dialog.table.rowCount() == 2
        assert dialog.table.item(0, 0).text() == "沂河县第1局"
        dialog.table.selectRow(0)
        assert "工作饱和度" in dialog.view.toPlainText() and "全县中位数" in dialog.view.toPlainText()
        dialog.remark.setPlainText(REMARK)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "已保存沂河县第1局的编办意见" in dialog.state.text()
        assert "已写意见" in dialog.table.item(0, 1).text()
        dialog.close()
    when_shown("月度履职监测反馈", act)
    qtbot.mouseClick(page.findChild(type(page.report_button), "monthlyFeedback"), Qt.MouseButton.LeftButton)
    assert opened, "the dialog did not open"

    [got] = world.unit_receives("a", world.dispatch("a"))
    assert got.status == P.IMPORTED, got.message
    unit = world.units["a"]
    from app.ui.main_window import MainWindow
    leader = actor_for(unit, "ld")
    window = MainWindow(unit, leader, settings, today=lambda: LATER)
    qtbot.addWidget(window)
    window.show()
    assert window.feedback_notice.startswith("编办下发了2026年10月履职监测反馈")
    assert window.statusBar().currentMessage() == window.feedback_notice
    window.go_to_page("统计分析")
    stats_page = window.stats_page
    tabs = stats_page.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "监测反馈")
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(index).center())
    tab = stats_page.feedback_tab
    assert tabs.currentWidget() is tab
    assert tab.months.count() == 1 and tab.months.item(0).text() == "2026年10月"
    own = stats.unit_stats(unit, parse_period("2026-10"), "unit", today=LATER)[0]
    shown = tab.view.toPlainText()
    assert f"{own.saturation * 100:.1f}%" in shown and REMARK in shown
    assert "2026年10月履职监测反馈" in tab.header.text()

    pdf = tmp_path / "fb.pdf"
    tab.save_pdf(str(pdf))
    assert REMARK.replace("。", "") in "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", "")

    # seen: the next start shows no notice
    again = MainWindow(unit, leader, settings, today=lambda: LATER)
    qtbot.addWidget(again)
    assert again.feedback_notice == ""


def test_staff_have_no_feedback_tab_and_the_picker_offers_half_years(qtbot, world, settings):
    from app.ui.pages.stats_page import StatsPage
    unit = world.units["a"]
    page = StatsPage(unit, actor_for(unit, "zs"), today=lambda: LATER, runner=SyncRunner())
    qtbot.addWidget(page)
    assert "监测反馈" not in [page.tabs.tabText(i) for i in range(page.tabs.count())]
    page.set_period("2026年下半年")
    assert page.picker.kind.currentText() == "半年" and page.picker.half.currentText() == "下半年"
    assert page.period().text == "2026-H2"
    page.picker.half.setCurrentIndex(0)
    assert page.period().label == "2026年上半年"

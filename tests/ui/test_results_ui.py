"""编办用单 on the pages, on real files and packages: the 用单 tab's 等次 column and the cut-offs
saved from its field (bad ones refused with the reason, nothing saved), a 加减分 item entered
from the 评单 tab's tree (capped with a message), and a decision recorded from 单位管理 →
编制决定… that the unit's 人员编制 page lists after its 下发包."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.services.county import decisions as D
from app.services.evaluation import rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.grading import grading_of
from app.services.evaluation.indicators import install_defaults
from app.services.org.actor import SYSTEM
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import build_world

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def world(tmp_path):
    """Unit a in a round over October 2026, self-assessed and submitted, the 编办 scoring every
    point at 75 %."""
    w = build_world(tmp_path / "world", keys=("a",))
    assert not w.receive(w.report("a"))[0].rejected
    install_defaults(w.bureau, SYSTEM)
    round_id = rounds.create_round(w.bureau, SYSTEM, "2026年10月评估", 2026, "2026-10")
    rounds.assign(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids["a"])
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    db = w.units["a"]
    for item in rounds.detail(db, round_id).leaves:
        rounds.set_self_score(db, SYSTEM, round_id, item.id, item.max_score, "已落实")
    rounds.submit_self(db, SYSTEM, round_id)
    assert not w.receive(w.report("a"))[0].rejected
    for item in rounds.detail(w.mirror("a"), round_id, w.unit_ids["a"]).leaves:
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids["a"], item.id,
                            round(item.max_score * 0.75, 2))
    w.round_id = round_id
    yield w
    w.close()


@pytest.fixture
def errors(monkeypatch):
    shown = []
    for module in ("app.ui.pages.bureau.rounds_page", "app.ui.pages.bureau.rounds_unit_tab",
                   "app.ui.dialogs.decision_dialog", "app.ui.pages.bureau.units_page"):
        monkeypatch.setattr(f"{module}.show_error", lambda parent, title, exc: shown.append(str(exc)))
    return shown


def click(qtbot, widget, name):
    qtbot.mouseClick(widget.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_grades_and_cutoffs_on_the_results_tab(qtbot, world, errors):
    from app.ui.pages.bureau.rounds_page import RESULT_HEADERS, RoundsPage
    w = world
    page = RoundsPage(w.bureau, w.mirrors, SYSTEM, runner=SyncRunner(), today=TODAY)
    qtbot.addWidget(page)
    col = {h: i for i, h in enumerate(RESULT_HEADERS)}
    row = [page.result_table.item(0, c).text() for c in (col["最终得分"], col["折算百分制"], col["等次"])]
    assert row == ["90", "75", "一般"]
    assert page.cutoffs.text() == "好=90，较好=80，一般=60，较差" and "等次：一般1个" in page.result_summary.text()
    page.cutoffs.setText("好=90，较好=95，一般=60，较差")
    click(qtbot, page, "saveGrades")
    assert "等次标准有误，未保存" in errors[-1] and "从高到低" in errors[-1]
    assert grading_of(w.bureau, w.round_id).cutoffs[1] == ("较好", 80.0)            # unchanged
    page.cutoffs.setText("优秀=85，良好=75，合格=60，不合格")
    click(qtbot, page, "saveGrades")
    assert page.result_table.item(0, col["等次"]).text() == "良好"                 # 75 reaches 良好
    assert page.cutoffs.text() == "优秀=85，良好=75，合格=60，不合格"

    # a 加减分 item picked in the 评单 tab's tree: its own entry instead of the score entry
    tab = page.unit_tab
    page.tabs.setCurrentWidget(tab)
    tab.tree.select_code("J1")
    assert tab.adjust_box.isVisibleTo(page) and not tab.score_box.isVisibleTo(page)
    assert tab.adjust_box.rule.text() == "加分：每次加2分，最多加5分"
    messages = []
    page.status_message.connect(messages.append)
    tab.adjust_box.times.setValue(3)
    click(qtbot, tab, "saveAdjustment")
    assert "请写明加分或扣分的理由" in errors[-1]
    tab.adjust_box.reason.setText("获省级表彰3次")
    click(qtbot, tab, "saveAdjustment")
    assert "超过上限5分，按加5分计" in messages[-1]
    assert "加减分+5分" in tab.summary.text()
    assert [page.result_table.item(0, c).text() for c in (col["加减分"], col["最终得分"], col["等次"])] == [
        "+5", "95", "良好"]
    tab.tree.select_code("1.1.1")
    assert tab.score_box.isVisibleTo(page) and not tab.adjust_box.isVisibleTo(page)


def test_a_decision_from_the_units_page_reaches_the_units_staffing_page(qtbot, world, errors, monkeypatch,
                                                                      settings):
    from app.ui.dialogs.decision_dialog import DecisionDialog
    from app.ui.pages.bureau.units_page import BureauUnitsPage
    from app.ui.pages.staffing_page import StaffingPage
    w = world
    page = BureauUnitsPage(w.bureau, w.mirrors, SYSTEM, settings, runner=SyncRunner())
    qtbot.addWidget(page)
    seen = []

    def drive(dialog):
        if not isinstance(dialog, DecisionDialog):
            return 0
        seen.append(dialog)
        texts = [dialog.evidence.item(i).text() for i in range(dialog.evidence.count())]
        assert any(t.startswith("［评估结果］2026年10月评估：") and "等次“一般”" in t for t in texts)
        dialog.kind.setCurrentText("编制核减")
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        assert "编制核减须填写编制数" in errors[-1]
        dialog.posts.setValue(2)
        dialog.doc.setText("沂编〔2026〕12号")
        dialog.evidence.item(0).setCheckState(Qt.CheckState.Checked)
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        assert dialog.history.rowCount() == 1 and dialog.history.item(0, 1).text() == "编制核减"
        return 1
    monkeypatch.setattr(page, "exec_dialog", drive)
    page.table.selectRow(0)
    click(qtbot, page, "unitDecisions")
    assert seen and "已记录对“沂河县第1局”的1项决定" in page.result.text()

    # the unit sees it on its 人员编制 page once the 下发包 is imported
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    unit_page = StaffingPage(w.units["a"], SYSTEM, today=TODAY)
    qtbot.addWidget(unit_page)
    tabs = [unit_page.tabs.tabText(i) for i in range(unit_page.tabs.count())]
    assert "决定记录（1）" in tabs
    table = unit_page.table_widgets["决定记录"]
    assert [table.item(0, c).text() for c in (1, 2, 3)] == ["编制核减", "2名", "沂编〔2026〕12号"]
    assert "等次“一般”" in table.item(0, 4).text()
    [line] = D.decisions_here(w.units["a"], SYSTEM)
    assert line.posts == 2


def test_the_unit_sees_its_adjustment_in_its_evaluation(qtbot, world):
    from app.services.evaluation import adjustments
    from app.ui.pages.eval_page import EvalPage
    w = world
    [j3] = [x for x in adjustments.lines(w.mirror("a"), w.round_id, w.unit_ids["a"]) if x.code == "J3"]
    adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["a"], j3.item_id, 1,
                               "被县委督查室通报")
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    page = EvalPage(w.units["a"], SYSTEM, runner=SyncRunner(), today=TODAY)
    qtbot.addWidget(page)
    assert "编办加减分-3分" in page.summary.text()
    page.tree.select_code("J3")
    node = page.tree.currentItem()
    assert [node.text(c) for c in (2, 5, 6)] == ["加减分", "-3", "被县委督查室通报"]

"""The evaluation pages on real files: the unit's 评估自评 page (automatic fill, a point's score
with explanation and an evidence file, submit and recall, rectification of a problem) and the
编办's 评估批次 page (create a round, assign a unit by its default template, automatic and manual
scores beside the self-score, a problem of a seed-004 category with its type and deadline,
verification, results, the reports, closing the round). Packages carry each step between them."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.services.evaluation import rounds
from app.services.org.actor import SYSTEM
from app.services.evaluation.indicators import install_defaults
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import build_world

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def world(tmp_path):
    """编办 with the default templates and unit a (政府部门, logs in October 2026, first 上报包
    imported)."""
    w = build_world(tmp_path / "world", keys=("a",))
    assert not w.receive(w.report("a"))[0].rejected
    install_defaults(w.bureau, SYSTEM)
    yield w
    w.close()


@pytest.fixture
def errors(monkeypatch):
    """Message boxes recorded instead of shown (they would block the test)."""
    shown = []
    for module in ("app.ui.pages.eval_page", "app.ui.pages.bureau.rounds_page", "app.ui.pages.bureau.rounds_unit_tab"):
        monkeypatch.setattr(f"{module}.show_error", lambda parent, title, exc: shown.append(str(exc)))
    return shown


def start_round(w) -> str:
    round_id = rounds.create_round(w.bureau, SYSTEM, "2026年10月评估", 2026, "2026-10")
    rounds.assign(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids["a"])
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    return round_id


def eval_page(qtbot, w):
    from app.ui.pages.eval_page import EvalPage
    page = EvalPage(w.units["a"], SYSTEM, runner=SyncRunner(), today=TODAY)
    qtbot.addWidget(page)
    return page


def rounds_page(qtbot, w):
    from app.ui.pages.bureau.rounds_page import RoundsPage
    page = RoundsPage(w.bureau, w.mirrors, SYSTEM, runner=SyncRunner(), today=TODAY)
    qtbot.addWidget(page)
    return page


def test_unit_page_without_a_round_says_what_it_waits_for(qtbot, world):
    page = eval_page(qtbot, world)
    assert page.empty.isVisibleTo(page) and not page.tabs.isVisibleTo(page)
    assert "目前没有评估任务" in page.empty.text() and "导入编办的下发包" in page.empty.text()
    for name in ("autoFill", "submitSelf", "recallSelf", "evalReport"):
        button = page.findChild(QPushButton, name)
        assert not button.isEnabled() and "尚无评估批次" in button.toolTip(), name


def test_unit_page_self_assesses_submits_and_rectifies(qtbot, world, errors, tmp_path):
    from app.services.evaluation import rounds_bureau as RB
    w = world
    page = eval_page(qtbot, w)
    assert page.empty.isVisibleTo(page) and not page.tabs.isVisibleTo(page)
    page.show()
    page.hide()                              # another page imports the 下发包 meanwhile
    round_id = start_round(w)
    page.show()                              # and the round is there on the next visit
    assert page.round_box.count() == 1 and page.tabs.isVisibleTo(page)
    assert "阶段：定单" in page.summary.text() and "自评0分（已评0/33项）" in page.summary.text()

    qtbot.mouseClick(page.auto_button, Qt.MouseButton.LeftButton)
    d = rounds.detail(w.units["a"], round_id)
    auto = [i for i in d.leaves if i.method == "auto" and i.self_score is not None]
    assert auto and all(i.explanation.startswith("自动评分") for i in auto)
    assert all(i.self_score is None for i in d.leaves if i.method != "auto")
    page.tree.select_code("3.3.1")           # the automatic value and its rule beside the score
    assert "工作饱和度" in page.item_auto.text() and page.tree.currentItem().text(3).endswith("%")

    page.tree.select_code("1.1.1")
    assert page.item_name.text() == "1.1.1 机构编制事项集体研究决定（满分3分）"
    page.score.setValue(2.5)
    page.explanation.setPlainText("党组会研究机构编制事项3次")
    proof = tmp_path / "党组会议纪要.pdf"
    proof.write_bytes(b"%PDF-1.4 minutes")
    page.choose_files = lambda: [str(proof)]
    qtbot.mouseClick(page.findChild(QPushButton, "addEvidence"), Qt.MouseButton.LeftButton)
    assert [page.evidence.item(i).text() for i in range(page.evidence.count())] == ["附件：党组会议纪要.pdf"]
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    line = next(i for i in rounds.detail(w.units["a"], round_id).leaves if i.code == "1.1.1")
    assert (line.self_score, line.explanation, [e["name"] for e in line.evidence]) == \
        (2.5, "党组会研究机构编制事项3次", ["党组会议纪要.pdf"])
    assert page.tree.current_line().code == "1.1.1"          # the selection survives the reload

    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert errors and "未自评" in errors[-1]
    for item in rounds.detail(w.units["a"], round_id).leaves:
        if item.self_score is None:
            rounds.set_self_score(w.units["a"], SYSTEM, round_id, item.id, item.max_score)
    page.load()
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert "阶段：接单" in page.summary.text()
    assert not page.save_button.isEnabled() and page.recall_button.isEnabled()
    assert page.save_button.toolTip() == page.submit_button.toolTip() == "自评已提交；如需修改请先撤回提交"
    page.tree.select_code("1.1.1")           # the submitted answers can be read, not typed over
    assert page.score.isReadOnly() and page.explanation.isReadOnly()
    assert page.score.toolTip() == "自评已提交；如需修改请先撤回提交"
    assert page.explanation.toPlainText() == "党组会研究机构编制事项3次"
    qtbot.mouseClick(page.recall_button, Qt.MouseButton.LeftButton)
    assert rounds.detail(w.units["a"], round_id).submitted_at is None and page.save_button.isEnabled()
    assert not page.score.isReadOnly() and not page.explanation.isReadOnly()
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)

    # the 编办 records a problem; the unit reports its rectification from the page
    assert not w.receive(w.report("a"))[0].rejected
    problem = RB.add_problem(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids["a"],
                             category="超职数配备领导干部", description="副职超职数配备1名",
                             rectify_type="限时整改", deadline=dt.date(2026, 11, 1))
    w.unit_receives("a", w.dispatch("a"))
    page.refresh_rounds()
    assert page.tabs.tabText(1) == "问题整改（改单）1"
    assert page.problems.item(0, 4).text() == "待整改（逾期）"
    page.problems.selectRow(0)
    page.owner.setText("组织人事科")
    page.measures.setPlainText("副职退休后不再补充")
    page.done.setChecked(True)
    qtbot.mouseClick(page.fix_button, Qt.MouseButton.LeftButton)
    p = next(x for x in rounds.detail(w.units["a"], round_id, today=TODAY).problems if x.id == problem)
    assert (p.owner, p.measures, p.done, p.state) == ("组织人事科", "副职退休后不再补充", True, "待核验")
    assert page.problems.item(0, 4).text() == "待核验（逾期）"


def test_bureau_page_runs_the_round(qtbot, world, errors, tmp_path):
    w = world
    unit_id = w.unit_ids["a"]
    page = rounds_page(qtbot, w)
    assert page.round_box.count() == 0 and "还没有评估批次" in page.result_summary.text()
    page.new_name.setText("2026年10月评估")
    page.new_period.setText("2026-10")
    messages = []
    page.status_message.connect(messages.append)
    qtbot.mouseClick(page.findChild(QPushButton, "createRound"), Qt.MouseButton.LeftButton)
    assert page.round_box.count() == 1
    round_id = page.round_id
    assert page.unit_table.rowCount() == 1 and page.unit_table.item(0, 3).text() == "未下达"
    page.set_checked({unit_id})
    page.assign()
    assert page.unit_table.item(0, 3).text() == "政府部门评估指标体系"
    assert [page.result_table.item(0, c).text() for c in (1, 3)] == ["沂河县第1局", "定单"]

    # the unit self-assesses and submits (接单); the 编办 scores beside it
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    db = w.units["a"]
    rounds.fill_auto_self_scores(db, SYSTEM, round_id, TODAY)
    for item in rounds.detail(db, round_id).leaves:
        if item.self_score is None:
            rounds.set_self_score(db, SYSTEM, round_id, item.id, item.max_score, "已落实")
    rounds.submit_self(db, SYSTEM, round_id)
    assert not w.receive(w.report("a"))[0].rejected
    page.refresh()
    tab = page.unit_tab
    assert tab.unit_box.currentText() == "沂河县第1局" and "（已提交）" in tab.summary.text()
    qtbot.mouseClick(tab.auto_button, Qt.MouseButton.LeftButton)
    assert messages[-1].startswith("沂河县第1局：已按统计数据填写")
    assert tab.summary.text().endswith("项）") and "已评0/" not in tab.summary.text()
    tab.tree.select_code("1.1.1")
    assert tab.self_line.text().startswith("3分。已落实")
    tab.score.setValue(2)
    tab.comment.setPlainText("会议纪要不全")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    line = next(i for i in rounds.detail(w.mirror("a"), round_id, unit_id).leaves if i.code == "1.1.1")
    assert (line.bureau_score, line.bureau_comment) == (2, "会议纪要不全")
    assert tab.tree.currentItem().text(5) == "2"

    # a problem of a seed-004 category, then its verification
    assert tab.category.findText("借调人员时间较长或人员较多") >= 0
    tab.category.setCurrentText("超职数配备领导干部")
    tab.kind.setCurrentText("限时整改")
    tab.deadline.setDate(QDate(2026, 10, 31))
    tab.description.setPlainText("副职超职数配备1名")
    tab.link_item.setChecked(True)
    qtbot.mouseClick(tab.findChild(QPushButton, "addProblem"), Qt.MouseButton.LeftButton)
    assert tab.problems.rowCount() == 1 and tab.problems.item(0, 4).text() == "待整改（逾期）"
    d = rounds.detail(w.mirror("a"), round_id, unit_id, TODAY)
    assert (d.problems[0].category, d.problems[0].deadline, d.stage) == ("超职数配备领导干部", "2026-10-31", "改单")
    assert next(i.code for i in d.items if i.id == d.problems[0].item_id) == "1.1.1"
    assert [page.result_table.item(0, c).text() for c in (3, 11, 12)] == ["改单", "1", "1"]
    tab.problems.selectRow(0)
    qtbot.mouseClick(tab.findChild(QPushButton, "reopenProblem"), Qt.MouseButton.LeftButton)
    assert "退回整改须写明理由" in errors[-1]
    tab.verify_comment.setText("请制定消化计划")
    qtbot.mouseClick(tab.findChild(QPushButton, "reopenProblem"), Qt.MouseButton.LeftButton)
    assert tab.problems.item(0, 4).text() == "退回整改（逾期）"
    tab.problems.selectRow(0)
    qtbot.mouseClick(tab.findChild(QPushButton, "closeProblem"), Qt.MouseButton.LeftButton)
    assert tab.problems.item(0, 4).text() == "已销号"
    assert [page.result_table.item(0, c).text() for c in (3, 11, 12)] == ["用单", "0", "0"]

    # reports, then the round is closed
    page.report(path=str(tmp_path / "round.pdf"))
    page.result_table.selectRow(0)
    page.report(unit=True, path=str(tmp_path / "unit.pdf"))
    assert all((tmp_path / f).stat().st_size > 10_000 for f in ("round.pdf", "round.xlsx", "unit.pdf", "unit.xlsx"))
    # closing asks, naming what is unfinished; No leaves the round open
    assert page.round_state.text() == "进行中" and page.close_button.isEnabled()
    seen = []
    answer_question("结束批次", QMessageBox.StandardButton.No, seen)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert "还有1个单位未完成评估或整改" in seen[0] and "沂河县第1局：编办未评完（已评" in seen[0]
    assert not rounds.detail(w.mirror("a"), round_id, unit_id).closed
    answer_question("结束批次", QMessageBox.StandardButton.Yes, seen)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    today = dt.date.today().isoformat()
    assert rounds.detail(w.mirror("a"), round_id, unit_id).closed
    # the page says the round is closed, and what cannot act on it is disabled, saying why
    assert page.round_state.text().startswith(f"已结束（{today}）") and page.round_box.currentText().endswith(
        f"［已于{today}结束］")
    for button in (page.close_button, page.assign_button, tab.save_button, tab.add_button, *tab.verify_buttons):
        assert not button.isEnabled() and button.toolTip() == f"评估批次已于{today}结束，不能再修改", button.text()
    assert page.findChild(QPushButton, "roundReport").isEnabled()


def answer_question(title: str, button, seen: list[str]) -> None:
    """Answer the next question box titled `title` with `button`, recording its text."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    tries = []

    def answer():
        boxes = [b for b in QApplication.topLevelWidgets()
                 if isinstance(b, QMessageBox) and b.isVisible() and b.windowTitle() == title]
        if not boxes:
            tries.append(1)
            if len(tries) < 200:
                QTimer.singleShot(10, answer)
            return
        seen.append(boxes[0].text() + "\n" + boxes[0].informativeText())
        boxes[0].button(button).click()
    QTimer.singleShot(0, answer)

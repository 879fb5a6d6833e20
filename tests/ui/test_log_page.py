"""Writing a day's log through the real widgets, as a user would (pytest-qt, offscreen)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.org import accounts
from app.services.logs import tools as log_tools, daily as logs
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.models.entries_model import COL_CATEGORY, COL_CONTENT, COL_DUTY, COL_HOURS, COL_RANGE
from app.ui.pages.log_page import LogPage
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import TODAY


def type_into_cell(qtbot, page: LogPage, row: int, col: int, text: str) -> None:
    """Select a cell, type into its editor and press Enter — keyboard only. ASCII goes in as key
    presses; Chinese arrives as an input-method commit, as it does from a real IME."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication
    index = page.model.index(row, col)
    if page.table.currentIndex() != index or page.table.state() != page.table.State.EditingState:
        page.table.setCurrentIndex(index)
        page.table.edit(index)
    editor = page.table.indexWidget(index)   # the open editor of that cell
    assert editor is not None
    editor.setFocus()
    if hasattr(editor, "lineEdit") and editor.lineEdit() is not None:
        editor = editor.lineEdit()
    editor.selectAll()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(editor, event)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on Return through a queued call


def press(qtbot, page: LogPage, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the user's focus is (shortcuts are scoped to the page)."""
    from PySide6.QtWidgets import QApplication
    target = QApplication.focusWidget()
    if target is None:  # offscreen: a closed completer popup leaves no active window behind
        activate(qtbot, page)
        target = QApplication.focusWidget()
    assert target is not None and page.isAncestorOf(target), target
    qtbot.keyClick(target, key, modifier)


def login_as(qtbot, db, login: str):
    dialog = LoginDialog(db, "测试县市场监督管理局")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.login_edit, login)
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.actor is not None, dialog.error_label.text()
    return dialog.actor


def make_page(qtbot, db, actor, settings, today=TODAY) -> LogPage:
    page = LogPage(db, actor, settings, today=lambda: today)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    activate(qtbot, page)
    return page


def activate(qtbot, page: LogPage) -> None:
    page.activateWindow()
    page.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: page.isActiveWindow(), timeout=3000)
    page.table.setFocus()


def test_wrong_password_shows_message_and_stays_open(qtbot, staff_db):
    dialog = LoginDialog(staff_db, "测试局")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.login_edit, "li")
    qtbot.keyClicks(dialog.password_edit, "wrong-pass1")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.actor is None
    assert "还可尝试4次" in dialog.error_label.text()


def test_log_in_write_two_entries_copy_previous_day_and_submit(qtbot, staff_db, settings):
    actor = login_as(qtbot, staff_db, "li")
    page = make_page(qtbot, staff_db, actor, settings)
    assert page.day == TODAY

    # First entry: hours, category by keyboard, duty by typing part of its text, content.
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(page.model.entries) == 1
    type_into_cell(qtbot, page, 0, COL_HOURS, "3.5")
    type_into_cell(qtbot, page, 0, COL_DUTY, "监督检查")
    type_into_cell(qtbot, page, 0, COL_CONTENT, "检查城区3家超市的食品经营情况，发现问题1处")
    # Second entry from a time range.
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 1, COL_RANGE, "14:00-16:30")
    page.model.setData(page.model.index(1, COL_CATEGORY), "会议活动")
    type_into_cell(qtbot, page, 1, COL_CONTENT, "参加全县食品安全工作会议")
    assert "6" in page.total_label.text()  # 3.5 + 2.5

    assert page.save(submit=False)
    saved = logs.load_day(staff_db, actor, TODAY)
    assert [e.hours for e in saved.entries] == [3.5, 2.5]
    assert saved.entries[0].duty_id is not None
    assert saved.duty_labels[saved.entries[0].duty_id].startswith("SD-01")
    assert saved.entries[1].start == "14:00" and saved.entries[1].category == "会议活动"

    # Next working day: copy from the previous one with Ctrl+D, then submit with Ctrl+Enter.
    next_day = TODAY + dt.timedelta(days=1)
    page2 = make_page(qtbot, staff_db, actor, settings, today=next_day)
    press(qtbot, page2, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [e.content for e in page2.model.entries] == [e.content for e in saved.entries]
    press(qtbot, page2, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    submitted = logs.load_day(staff_db, actor, next_day)
    assert submitted.state == "submitted"
    assert len(submitted.entries) == 2
    assert {e.entry_id for e in submitted.entries}.isdisjoint({e.entry_id for e in saved.entries})
    assert not page2.save_button.isEnabled()  # a submitted log is read-only until recalled
    assert page2.recall_button.isVisible()


def test_invalid_day_keeps_what_was_typed(qtbot, staff_db, settings, monkeypatch):
    actor = accounts.login(staff_db, "li", TEST_PASSWORD)
    page = make_page(qtbot, staff_db, actor, settings)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()))
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 0, COL_HOURS, "20")
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 1, COL_HOURS, "6")
    assert not page.save(submit=True)
    assert shown and "超过24小时" in shown[0] and "请填写工作内容" in shown[0]
    assert len(page.model.entries) == 2                      # nothing lost in the editor
    assert log_tools.load_autosave(staff_db, actor, TODAY)   # and it is in the local draft
    assert logs.load_day(staff_db, actor, TODAY).state is None


def test_draft_survives_a_crash(qtbot, staff_db, settings):
    """The window disappears without any shutdown (as in a crash); reopening restores the draft."""
    actor = accounts.login(staff_db, "li", TEST_PASSWORD)
    page = make_page(qtbot, staff_db, actor, settings)
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 0, COL_CONTENT, "起草年度食品安全抽检计划")
    qtbot.waitUntil(lambda: "自动保存" in page.autosave_label.text(), timeout=5000)
    page.autosave_timer.stop()
    page.hide()  # gone without shutdown() or save, as in a crash

    reopened = make_page(qtbot, staff_db, actor, settings)
    assert [e.content for e in reopened.model.entries] == ["起草年度食品安全抽检计划"]
    assert reopened.banner.isVisible() and "已恢复" in reopened.banner.text()
    assert reopened.save(submit=False)
    assert log_tools.load_autosave(staff_db, actor, TODAY) is None
    assert logs.load_day(staff_db, actor, TODAY).entries[0].content == "起草年度食品安全抽检计划"


def test_delete_entry_can_be_undone(qtbot, staff_db, settings):
    actor = accounts.login(staff_db, "li", TEST_PASSWORD)
    page = make_page(qtbot, staff_db, actor, settings)
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 0, COL_CONTENT, "整理执法案卷")
    page.table.setCurrentIndex(page.model.index(0, COL_CONTENT))
    press(qtbot, page, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert page.model.entries == []
    press(qtbot, page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [e.content for e in page.model.entries] == ["整理执法案卷"]


def test_secret_entry_stores_no_content(qtbot, staff_db, settings):
    actor = accounts.login(staff_db, "li", TEST_PASSWORD)
    page = make_page(qtbot, staff_db, actor, settings)
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 0, COL_CONTENT, "不应保存的内容")
    from app.ui.models.entries_model import COL_SECRET
    page.model.setData(page.model.index(0, COL_SECRET), Qt.CheckState.Checked.value,
                       Qt.ItemDataRole.CheckStateRole)
    assert page.save(submit=False)
    with staff_db.read() as s:
        texts = [t for (t,) in s.execute(__import__("sqlalchemy").text("select content from entry_text"))]
    assert "不应保存的内容" not in texts
    day = logs.load_day(staff_db, actor, TODAY)
    assert day.entries[0].secret and day.entries[0].content == ""


def answer_copy_question(button_text: str, seen: list[str]) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from PySide6.QtWidgets import QMessageBox
    tries = []

    def answer():
        # the question box, found among the top-level windows (other tests' windows may be active)
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == "复制上一工作日"]
        if not boxes:
            tries.append(1)
            if len(tries) < 200:
                QTimer.singleShot(10, answer)
            return
        box = boxes[0]
        seen.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == button_text]
        button.click()
    QTimer.singleShot(0, answer)


def test_copying_into_a_day_with_entries_asks_and_leaves_secret_work_out(qtbot, staff_db, settings):
    actor = login_as(qtbot, staff_db, "li")
    previous = TODAY - dt.timedelta(days=1)
    logs.save_day(staff_db, actor, previous, "正常",
                  [logs.EntryDraft(hours=5, category="业务工作", content="昨天的检查"),
                   logs.EntryDraft(hours=3, category="会议活动", content="", secret=True)], today=TODAY)
    page = make_page(qtbot, staff_db, actor, settings)
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_into_cell(qtbot, page, 0, COL_HOURS, "2")
    type_into_cell(qtbot, page, 0, COL_CONTENT, "今天已写的")
    said, seen = [], []
    page.status_message.connect(said.append)

    answer_copy_question("取消", seen)
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert "当天已有1条、共2小时" in seen[-1] and "1条（5小时）" in seen[-1]
    assert [e.content for e in page.model.entries] == ["今天已写的"]

    answer_copy_question("追加到后面", seen)
    press(qtbot, page, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [e.content for e in page.model.entries] == ["今天已写的", "昨天的检查"]
    assert "另有1条涉密事项未复制" in said[-1]
    press(qtbot, page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [e.content for e in page.model.entries] == ["今天已写的"]

    answer_copy_question("替换当天内容", seen)
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert [e.content for e in page.model.entries] == ["昨天的检查"] and page.model.total_hours() == 5
    press(qtbot, page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)     # undo brings it back
    assert [e.content for e in page.model.entries] == ["今天已写的"]

"""文件 → 注销/切换用户 and 打开数据库… (issue 17 item 6), triggered through the menu actions with
the login dialog answered as a user would: the new window's unit and person; and every way
opening another file can fail leaves the current window and database working."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel
from shiboken6 import isValid

from app import APP_NAME
from app.services.org import accounts
from app.services.org.setup import UnitSetup, create_database, unit_of
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import UNIT_CODE
from tests.ui.modal import click_button, when_shown

LOGIN_TITLE = f"{APP_NAME} — 登录"


def log_in_as(login: str, password: str = TEST_PASSWORD, seen: list | None = None) -> None:
    def act(dialog) -> None:
        if seen is not None:
            seen.append(dialog)
        dialog.login_edit.setText(login)
        dialog.password_edit.setText(password)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    when_shown(LOGIN_TITLE, act)


def closed(window) -> bool:
    """Closed (and, once events ran, deleted: a window replaced is not kept)."""
    return not isValid(window) or not window.isVisible()


def cancel_login() -> None:
    when_shown(LOGIN_TITLE, lambda dialog: dialog.reject())


@pytest.fixture
def session(qtbot, staff_db, admin, settings):
    quits = []
    s = Session(settings, window_class=MainWindow, quit=lambda: quits.append(1))
    s.quits = quits
    # each new window shows its login reminders (提醒) shortly after it appears: read and closed
    reminders = QTimer(interval=20)
    reminders.timeout.connect(lambda: [w.accept() for w in QApplication.allWidgets()
                                       if w.isWindow() and w.isVisible() and w.windowTitle() == "提醒"])
    reminders.start()
    s.show(staff_db, admin)
    yield s
    if s.window is not None:
        s.window.close()
    reminders.stop()


@pytest.fixture
def other_unit(tmp_path):
    """Another unit's database, with its own admin 'boss'."""
    path = tmp_path / "other" / "second.sqlite"
    path.parent.mkdir()
    db = create_database(path, UnitSetup("沂河县农业农村局", UNIT_CODE),
                         accounts.NewUser("boss", "钱主任", TEST_PASSWORD, is_admin=True, must_change=False))
    db.dispose()
    return path


def choose_file(monkeypatch, path: Path, asked: list) -> None:
    def dialog(parent, title, folder, filters):
        asked.append(folder)
        return str(path), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog)


def test_switch_user_closes_the_window_and_logs_in_someone_else(qtbot, session, staff_db):
    first = session.window
    log_in_as("li")
    first.switch_user_action.trigger()
    assert closed(first)
    new = session.window
    assert new is not first and new.isVisible()
    assert new.actor.login == "li" and new.db is staff_db
    assert new.open_database_action is None                # staff: not theirs to choose
    assert any("李玥（li）" in label.text() for label in new.statusBar().findChildren(QLabel))
    cancel_login()
    new.switch_user_action.trigger()
    assert session.quits == [1] and closed(new)


def test_open_database_replaces_the_window_and_is_remembered(qtbot, monkeypatch, session, staff_db,
                                                            other_unit, settings):
    first = session.window
    asked = []
    choose_file(monkeypatch, other_unit, asked)
    log_in_as("boss")
    first.open_database_action.trigger()
    assert asked == [str(staff_db.path.parent)]            # starts in the current file's folder
    new = session.window
    assert new is not first and closed(first) and new.isVisible()
    assert unit_of(new.db).name == "沂河县农业农村局" and new.actor.login == "boss"
    assert new.db.path == other_unit and settings.last_db == str(other_unit.resolve())
    assert "沂河县农业农村局" in new.windowTitle()


def test_a_cancelled_login_keeps_the_current_database(qtbot, monkeypatch, session, staff_db, other_unit,
                                                      settings):
    first = session.window
    choose_file(monkeypatch, other_unit, [])
    cancel_login()
    first.open_database_action.trigger()
    assert session.window is first and first.isVisible()
    assert unit_of(first.db).name == unit_of(staff_db).name          # still open and usable
    assert settings.last_db != str(other_unit.resolve())


def test_a_file_on_a_share_is_refused_and_the_current_one_stays(qtbot, monkeypatch, session, other_unit):
    from tests.unit.test_network_paths import share_at
    first = session.window
    before = other_unit.read_bytes()
    choose_file(monkeypatch, other_unit, [])
    share_at(monkeypatch, other_unit.parent)
    seen = []
    when_shown("不能打开网络上的数据库", click_button(0, seen))
    first.open_database_action.trigger()
    assert seen and "交换文件夹" in seen[0]
    assert session.window is first and first.isVisible() and other_unit.read_bytes() == before


def test_a_wrong_file_is_said_and_the_current_one_stays(qtbot, monkeypatch, session, tmp_path):
    first = session.window
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("这不是数据库", encoding="utf-8")
    choose_file(monkeypatch, text_file, [])
    seen = []
    when_shown("不是本程序的数据库", click_button(0, seen))
    first.open_database_action.trigger()
    assert session.window is first and first.isVisible() and seen

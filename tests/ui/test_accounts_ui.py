"""The admin's account actions on 单位管理 → 人员名册 (unlock, reset, 初始密码单, role confirmation)
and the forced password change, clicked as a user clicks them."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QPushButton

from app.core.errors import PermissionDenied
from app.core.logrules import EntryDraft
from app.services.logs import daily as logs
from app.services.org import accounts
from app.services.org.accounts import LoginFailed, NewUser
from app.ui.dialogs.change_password_dialog import ChangePasswordDialog
from app.ui.pages.admin_page import AdminPage
from app.ui.tasks import SyncRunner
from tests.unit.test_duties_import import DUTIES, SECTIONS, fill
from tests.unit.test_roster_import import PEOPLE, POSTS
from tests.pdf_text import pdf_text


def row_of(table, login: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == login)


def click(page, name: str, qtbot) -> None:
    qtbot.mouseClick(page.accounts.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_admin_unlocks_a_locked_account_with_the_button(qtbot, unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("boss", "王局", "boss1234", role="主要领导",
                                              must_change=False))
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(unit_db, "boss", "wrong123")
    page = AdminPage(unit_db, admin, runner=SyncRunner())
    qtbot.addWidget(page)
    row = row_of(page.people, "boss")
    assert page.people.item(row, 8).text().startswith("已锁定至")
    page.people.selectRow(row)
    click(page, "unlockAccount", qtbot)
    assert page.people.item(row_of(page.people, "boss"), 8).text() == ""
    assert accounts.login(unit_db, "boss", "boss1234").login == "boss"


def test_reset_button_writes_a_slip_and_the_old_password_stops_working(qtbot, unit_db, admin,
                                                                       tmp_path, monkeypatch):
    accounts.add_user(unit_db, admin, NewUser("li", "李玥", "li123456", must_change=False))
    page = AdminPage(unit_db, admin, runner=SyncRunner())
    qtbot.addWidget(page)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    slip_pdf = tmp_path / "slip.pdf"
    monkeypatch.setattr(page.accounts, "ask_save_path", lambda name: str(slip_pdf))
    page.people.selectRow(row_of(page.people, "li"))
    click(page, "resetPassword", qtbot)
    text = pdf_text(slip_pdf)
    assert "初始密码单" in text and "李玥" in text and "首次登录须修改密码" in text
    (password,) = re.findall(r"^[3-9a-zA-Z]{10}$", text, re.MULTILINE)   # its own line
    with pytest.raises(LoginFailed):
        accounts.login(unit_db, "li", "li123456")
    assert accounts.login(unit_db, "li", password).must_change_password
    assert page.people.item(row_of(page.people, "li"), 8).text() == "待首次登录（须修改初始密码）"


def test_forced_change_dialog_unlocks_the_program(qtbot, unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("li", "李玥", "li123456"))
    pending = accounts.login(unit_db, "li", "li123456")
    day = dt.date(2026, 11, 19)
    entry = EntryDraft(hours=2, category="业务工作", content="检查")
    with pytest.raises(PermissionDenied, match="须先修改密码"):
        logs.add_entry(unit_db, pending, day, entry)
    dialog = ChangePasswordDialog(unit_db, pending, forced=True)
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    for name, text in (("old", "li123456"), ("new", "mine2026x"), ("again", "mine2026y")):
        qtbot.keyClicks(dialog.findChild(type(dialog.old), name), text)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == "两次输入的新密码不一致"
    dialog.again.clear()
    qtbot.keyClicks(dialog.again, "mine2026x")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.actor.must_change_password
    assert logs.add_entry(unit_db, dialog.actor, day, entry).entries


def test_roster_import_asks_before_granting_leader_roles_then_prints_slips(
        qtbot, unit_db, admin, tmp_path, monkeypatch):
    page = AdminPage(unit_db, admin, runner=SyncRunner())
    qtbot.addWidget(page)
    duties_xlsx, roster_xlsx = tmp_path / "三定.xlsx", tmp_path / "人员.xlsx"
    page.save_template("duties", str(duties_xlsx))
    page.save_template("roster", str(roster_xlsx))
    fill(duties_xlsx, "内设机构", SECTIONS)
    fill(duties_xlsx, "部门职责", DUTIES)
    fill(roster_xlsx, "人员名册", PEOPLE)
    fill(roster_xlsx, "岗位职责", POSTS)
    page.import_file("duties", str(duties_xlsx))

    asked = []
    monkeypatch.setattr(page, "ask", lambda title, text: asked.append((title, text)) or False)
    page.import_file("roster", str(roster_xlsx))
    assert asked[0][0] == "确认角色变动" and "测试3（user3）：新账号 → 主要领导" in asked[0][1]
    assert "未导入任何数据" in page.import_result.text()
    assert "user3" not in {page.people.item(r, 0).text() for r in range(page.people.rowCount())}

    asked.clear()
    monkeypatch.setattr(page, "ask", lambda title, text: asked.append((title, text)) or True)
    slips_pdf = tmp_path / "slips.pdf"
    monkeypatch.setattr(page.accounts, "ask_save_path", lambda name: str(slips_pdf))
    page.import_file("roster", str(roster_xlsx))
    assert [title for title, _ in asked] == ["确认角色变动", "初始密码单"]
    assert "新增3人" in page.import_result.text()
    text = pdf_text(slips_pdf)
    assert all(login in text for login in ("user1", "user2", "user3"))
    assert page.people.item(row_of(page.people, "user3"), 8).text() == "待首次登录（须修改初始密码）"

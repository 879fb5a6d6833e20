"""The account buttons of 单位管理 → 人员名册 and of the 编办's 本办账号, clicked with their dialogs
answered as a user answers them (question boxes, the person form, the save-file dialog)."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QApplication, QDialogButtonBox, QFileDialog, QMessageBox,
                               QPushButton)

from app.db.models import Section
from app.services.org import accounts
from app.services.org.accounts import LoginFailed, NewUser
from app.ui.pages.accounts_tab import AccountsTab
from app.ui.pages.bureau.bureau_accounts_page import BureauAccountsPage
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import bureau_admin
from tests.pdf_text import pdf_text


def when_shown(title: str, act, seen: list | None = None) -> None:
    """Answer the next window titled `title` (polling, as a modal dialog blocks the test)."""
    tries = []

    def look():
        found = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == title]
        if not found:
            tries.append(1)
            if len(tries) < 1000:
                QTimer.singleShot(10, look)
            return
        if seen is not None:
            seen.append(found[0].text() if isinstance(found[0], QMessageBox) else title)
        act(found[0])
    QTimer.singleShot(0, look)


def yes(box) -> None:
    box.button(QMessageBox.StandardButton.Yes).click()


def ok(box) -> None:
    box.button(QMessageBox.StandardButton.Ok).click()


def save_as(path):
    def act(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()
    return act


def fill_form(**values):
    """Fill the person form: line edits by text, combo boxes by their shown text."""
    def act(dialog) -> None:
        for name, value in values.items():
            widget = getattr(dialog, name)
            if hasattr(widget, "setCurrentText"):
                widget.setCurrentIndex(widget.findText(value))
            else:
                widget.setText(value)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    return act


def click(page, name: str) -> None:
    button = page.findChild(QPushButton, name)
    assert button.isEnabled()
    button.click()


def row(page, login: str) -> list[str]:
    table = page.table
    r = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == login)
    table.selectRow(r)
    return [table.item(r, c).text() for c in range(table.columnCount())]


def slip_password(path) -> str:
    (password,) = re.findall(r"(?<![0-9A-Za-z])[346789a-hj-kmnp-rt-yA-HJ-NP-RT-Y]{10}(?![0-9A-Za-z])", pdf_text(path))
    return password


@pytest.fixture
def tab(qtbot, unit_db, admin):
    with unit_db.session() as s:
        s.add_all([Section(unit_id=unit_db.unit_id, name="办公室"),
                   Section(unit_id=unit_db.unit_id, name="食品安全科")])
    accounts.add_user(unit_db, admin, NewUser("li", "李玥", "li123456", section="办公室",
                                              must_change=False))
    page = AccountsTab(unit_db, admin)
    qtbot.addWidget(page)
    page.refresh()
    return page


def test_edit_button_changes_section_role_post_and_staffing_type(tab):
    row(tab, "li")
    when_shown("编辑 李玥", fill_form(section="食品安全科", role="科室负责人", post="科长",
                                     staffing="行政编制"))
    click(tab, "editPerson")
    assert row(tab, "li")[2:6] == ["食品安全科", "科室负责人", "科长", "行政编制"]


def test_deactivate_then_activate_with_the_one_button(tab, unit_db):
    row(tab, "li")
    seen = []
    when_shown("停用账号", yes, seen)
    click(tab, "toggleActive")
    assert "日志、审阅和签名记录都保留" in seen[0]
    assert row(tab, "li")[8] == "已停用"
    assert tab.findChild(QPushButton, "toggleActive").text() == "启用账号"
    with pytest.raises(LoginFailed, match="已停用"):
        accounts.login(unit_db, "li", "li123456")
    when_shown("启用账号", yes)
    click(tab, "toggleActive")
    assert row(tab, "li")[8] == ""
    assert accounts.login(unit_db, "li", "li123456").login == "li"


def test_admin_cannot_deactivate_themselves(tab, unit_db):
    row(tab, "admin")
    seen = []
    when_shown("停用账号", yes)
    when_shown("停用账号失败", ok, seen)
    click(tab, "toggleActive")
    assert seen == ["不能停用自己的账号"]
    assert accounts.login(unit_db, "admin", TEST_PASSWORD).is_admin


def test_add_with_staffing_type_then_reset_prints_slips_that_log_in(tab, unit_db, tmp_path):
    first = tmp_path / "新人.pdf"
    when_shown("添加人员", fill_form(login="wang", person_name="王芳", section="办公室",
                                    staffing="事业编制", post="科员"))
    when_shown("保存初始密码单", save_as(first))
    click(tab, "addPerson")
    assert row(tab, "wang")[1:6] == ["王芳", "办公室", "科室人员", "科员", "事业编制"]
    password = slip_password(first)
    assert accounts.login(unit_db, "wang", password).must_change_password

    second = tmp_path / "重设.pdf"
    row(tab, "wang")
    # the file dialog comes once the question is answered: look for it from then on
    when_shown("重设密码", lambda box: (when_shown("保存初始密码单", save_as(second)), yes(box)))
    click(tab, "resetPassword")
    new_password = slip_password(second)
    assert new_password != password and "王芳" in pdf_text(second)
    with pytest.raises(LoginFailed):
        accounts.login(unit_db, "wang", password)
    assert accounts.login(unit_db, "wang", new_password).must_change_password


def test_bureau_accounts_page_adds_edits_and_deactivates_with_the_bureau_roles(
        qtbot, county_db, tmp_path):
    admin = bureau_admin(county_db.db)
    page = BureauAccountsPage(county_db.db, admin)
    qtbot.addWidget(page)
    assert page.table.columnCount() == 4
    assert row(page, "bb") == ["bb", "编办管理员", "编办管理员", "在用"]
    slip = tmp_path / "slip.pdf"
    when_shown("添加账号", fill_form(login="fx", person_name="刘分析", role="编办分析员"))
    when_shown("保存初始密码单", save_as(slip))
    click(page, "addPerson")
    assert row(page, "fx") == ["fx", "刘分析", "编办分析员", "待首次登录（须修改初始密码）"]
    assert "沂河县委编办" in pdf_text(slip) and "刘分析" in pdf_text(slip)

    when_shown("编辑 刘分析", fill_form(role="编办管理员"))
    click(page, "editPerson")
    assert row(page, "fx")[2] == "编办管理员"
    when_shown("停用账号", yes)
    click(page, "toggleActive")
    assert row(page, "fx")[3] == "已停用"

    row(page, "bb")
    seen = []
    when_shown("编辑 编办管理员", fill_form(role="编办分析员"))
    when_shown("修改失败", ok, seen)
    click(page, "editPerson")
    assert "不能取消自己的编办管理员权限" in seen[0]


def test_a_bureau_analyst_is_refused_by_the_services(qtbot, county_db):
    accounts.add_user(county_db.db, bureau_admin(county_db.db),
                      NewUser("fx", "刘分析", TEST_PASSWORD, must_change=False))
    analyst = accounts.login(county_db.db, "fx", TEST_PASSWORD)
    page = BureauAccountsPage(county_db.db, analyst)
    qtbot.addWidget(page)
    row(page, "bb")
    seen = []
    when_shown("停用账号", yes)
    when_shown("停用账号失败", ok, seen)
    click(page, "toggleActive")
    assert seen == ["管理本办账号需要编办管理员权限"]
    assert row(page, "bb")[3] == "在用"


def test_bureau_main_window_lists_its_own_accounts_page(qtbot, county_db, settings):
    from app.ui.main_window import MainWindow
    window = MainWindow(county_db.db, bureau_admin(county_db.db), settings)
    qtbot.addWidget(window)
    window.go_to_page("本办账号")
    assert isinstance(window.stack.currentWidget(), BureauAccountsPage)
    analyst_titles = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert "本办账号" in analyst_titles
    window.mirrors.close()

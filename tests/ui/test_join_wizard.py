"""The first-run wizard's join route: a new PC joins a unit set up for several PCs (a real
exchange folder from pc_unit.setup), by clicking through the wizard; wrong input is said on the
page and what was typed stays; then the login works on the new local replica."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.services.exchange import pc_unit
from app.services.org.setup import unit_of
from app.settings import Settings
from app.sync.codes import new_code
from app.ui.dialogs.first_run_wizard import FirstRunWizard
from app.ui.dialogs.login_dialog import LoginDialog
from tests.conftest import TEST_PASSWORD



@pytest.fixture
def shared_unit(tmp_path, unit_db, admin):
    """The admin's PC set up with an exchange folder; returns (folder, join code)."""
    share = tmp_path / "share"
    share.mkdir()
    code = pc_unit.setup(unit_db, admin, share, name="管理员电脑", settings=Settings(tmp_path / "a.json"))
    return share, code


def _open_join_page(qtbot, wizard):
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.buttons["join"].click()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.join_page
    return wizard.join_page


def _press_join(qtbot, wizard, page):
    button = wizard.button(QWizard.WizardButton.FinishButton)
    assert button.text() == "加入" and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=20_000)   # the join runs on a worker thread


def test_a_new_pc_joins_through_the_wizard_and_logs_in(qtbot, tmp_path, shared_unit):
    share, code = shared_unit
    mine = Settings(tmp_path / "new-pc.json")
    dest = tmp_path / "new-pc.sqlite"
    wizard = FirstRunWizard(dest, settings=mine)
    page = _open_join_page(qtbot, wizard)
    assert page.name.text()                                  # the hostname by default
    button = wizard.button(QWizard.WizardButton.FinishButton)
    assert not button.isEnabled()

    # a folder that is not there
    qtbot.keyClicks(page.folder, str(tmp_path / "no-such-share"))
    qtbot.keyClicks(page.code, code)
    page.name.setText("三楼办公室")
    _press_join(qtbot, wizard, page)
    assert "交换文件夹无法访问" in page.message.text() and wizard.isVisible()
    assert not dest.exists()

    # the right folder, a wrong code: said, and what was typed stays
    page.folder.setText(str(share))
    wrong = new_code()                    # well formed, not the admin's
    page.code.setText(wrong)
    _press_join(qtbot, wizard, page)
    assert "加入码不正确" in page.message.text()
    assert (page.folder.text(), page.code.text(), page.name.text()) == (str(share), wrong, "三楼办公室")
    assert not dest.exists() and wizard.db is None

    page.code.setText(code)
    _press_join(qtbot, wizard, page)
    assert wizard.db is not None and not wizard.isVisible()
    assert wizard.result() == QWizard.DialogCode.Accepted
    db = wizard.db
    try:
        assert unit_of(db).name == "测试县市场监督管理局"
        cfg = pc_unit.config(db, mine)
        assert cfg.folder == share and cfg.name == "三楼办公室"
        login = LoginDialog(db, unit_of(db).name, mine)
        qtbot.addWidget(login)
        login.login_edit.setText("admin")
        login.password_edit.setText(TEST_PASSWORD)
        login.try_login()
        assert login.actor is not None and login.actor.login == "admin"
    finally:
        db.dispose()


def test_a_folder_without_a_snapshot_is_explained(qtbot, tmp_path, shared_unit):
    share, code = shared_unit
    for old in (share / "snapshots").iterdir():
        old.unlink()
    wizard = FirstRunWizard(tmp_path / "new-pc.sqlite", settings=Settings(tmp_path / "new-pc.json"))
    page = _open_join_page(qtbot, wizard)
    page.folder.setText(str(share))
    page.code.setText(code)
    _press_join(qtbot, wizard, page)
    assert "还没有数据快照" in page.message.text() and wizard.db is None
    assert not (tmp_path / "new-pc.sqlite").exists()


def test_a_malformed_code_keeps_the_join_button_off(qtbot, tmp_path):
    wizard = FirstRunWizard(tmp_path / "new-pc.sqlite", settings=Settings(tmp_path / "s.json"))
    page = _open_join_page(qtbot, wizard)
    page.folder.setText(str(tmp_path))
    qtbot.keyClicks(page.code, "ABCD-EFGH-JKLM-NPQR-STU0")      # 0 never appears in a code
    assert page.code_hint.text() and not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

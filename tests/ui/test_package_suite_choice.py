"""The 编办 chooses its county's package suite on the 同步包 page (issue 19): by keyboard on the
combo box, confirmed; an analyst sees the choice but cannot change it; the ledger names suites."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.exchange import suite_choice
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.settings import Settings
from app.ui.tasks import SyncRunner
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import bureau_admin


def _page(qtbot, county_db, actor, tmp_path):
    from app.ui.pages.bureau.packages_page import BureauPackagesPage
    page = BureauPackagesPage(county_db.db, county_db.mirrors, actor, Settings(tmp_path / "s.json"),
                              runner=SyncRunner())
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_bureau_admin_switches_the_county_to_guomi_by_keyboard(qtbot, county_db, tmp_path,
                                                                    monkeypatch):
    page = _page(qtbot, county_db, bureau_admin(county_db.db), tmp_path)
    messages = []
    page.status_message.connect(messages.append)
    assert page.suite_box.currentData() == "classic" and page.suite_box.isEnabled()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    page.suite_box.setFocus()
    qtbot.keyClick(page.suite_box, Qt.Key.Key_Down)           # declined: nothing changes
    assert asked and "国密" in asked[0]
    assert suite_choice.county_family(county_db.db) == "classic"
    assert page.suite_box.currentData() == "classic"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.keyClick(page.suite_box, Qt.Key.Key_Down)
    assert suite_choice.county_family(county_db.db) == "guomi"
    assert messages and "国密算法" in messages[-1]


def test_an_analyst_sees_the_suite_but_cannot_change_it(qtbot, county_db, tmp_path):
    suite_choice.set_county_family(county_db.db, SYSTEM, "guomi")
    accounts.add_user(county_db.db, SYSTEM, accounts.NewUser("fx", "编办分析员", TEST_PASSWORD,
                                                            must_change=False))
    page = _page(qtbot, county_db, accounts.login(county_db.db, "fx", TEST_PASSWORD), tmp_path)
    assert page.suite_box.currentData() == "guomi" and not page.suite_box.isEnabled()

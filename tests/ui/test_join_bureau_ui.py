"""数据交换 on a unit set up on its own: 导入编办的单位注册包… clicked, the 注册包 chosen in the file
dialog, the fingerprint confirmed and the code typed, then the page offers the exchange."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QWizard

from app.core.logrules import EntryDraft
from app.services.exchange import enrollment, unit_side
from app.services.logs import daily as logs
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from app.ui.tasks import SyncRunner
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import TODAY, UNIT_CODE
from tests.ui.test_account_buttons import ok, save_as, when_shown


def test_standalone_unit_imports_its_enrollment_from_the_sync_page(qtbot, tmp_path, county_db, settings):
    from app.ui.pages.sync_page import SyncPage
    unit = open_database(tmp_path / "unit.sqlite", create=True)
    initialise_unit(unit, UnitSetup("市场监管局（自建）", UNIT_CODE))
    accounts.add_user(unit, SYSTEM, accounts.NewUser("admin", "管理员", TEST_PASSWORD, is_admin=True,
                                                     must_change=False))
    admin = accounts.login(unit, "admin", TEST_PASSWORD)
    logs.add_entry(unit, admin, TODAY, EntryDraft(hours=3, category="业务工作", content="检查"), today=TODAY)
    out = tmp_path / "stick"
    out.mkdir()
    written = enrollment.write_enrollment(county_db.db, county_db.mirrors, county_db.unit_id, out)

    page = SyncPage(unit, admin, settings, runner=SyncRunner())
    qtbot.addWidget(page)
    seen = []

    def answer(wizard: QWizard) -> None:
        when_shown("选择单位注册包", save_as(written.path))
        wizard.page.findChild(QPushButton, "chooseEnrollment").click()
        assert wizard.page.fingerprint.text().replace("-", "").replace(" ", "") != ""
        wizard.page.findChild(QCheckBox, "fingerprintConfirmed").setChecked(True)
        qtbot.keyClicks(wizard.page.findChild(QLineEdit, "enrollmentCode"), written.code)
        when_shown("已加入编办", ok, seen)
        wizard.button(QWizard.WizardButton.FinishButton).click()

    when_shown("加入编办", answer)
    qtbot.mouseClick(page.findChild(QPushButton, "joinBureau"), Qt.MouseButton.LeftButton)

    assert seen and "沂河县委编办" in seen[0] and "已有的数据全部保留" in seen[0]
    assert unit_side.bureau_peer(unit).name == "沂河县委编办"
    assert unit.unit_id == county_db.unit_id
    assert page.findChild(QPushButton, "exportReport") is not None
    assert page.findChild(QPushButton, "joinBureau") is None or not page.findChild(
        QPushButton, "joinBureau").isVisible()
    assert logs.load_day(unit, admin, TODAY).entries[0].content == "检查"
    unit.dispose()

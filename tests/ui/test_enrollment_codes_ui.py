"""The GUI of one-time registration codes and revocation, on real files: the 编办's 单位管理 page
shows a new 注册包's code in a dialog (copy, printable sheet) and revokes a unit's key with a
reason and a new code; the unit's 数据交换 page takes the new code and makes a new key, which the
编办's next import registers (the preview dialog asks for the fingerprint check first)."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from app.services.county import bureau
from app.services.county.mirrors import registered_units
from app.services.exchange import enrollment, packages as P, unit_side as unit_sync
from app.services.org import accounts
from app.sync import codes
from app.ui.tasks import SyncRunner
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import UNIT_NAME, bureau_admin


def units_page(qtbot, county, settings):
    from app.ui.pages.bureau.units_page import BureauUnitsPage
    page = BureauUnitsPage(county.db, county.mirrors, bureau_admin(county.db), settings, runner=SyncRunner())
    qtbot.addWidget(page)
    page.select(county.unit_id)
    return page


def key_column(page) -> str:
    row = [page.table.item(r, 0).text() for r in range(page.table.rowCount())].index(UNIT_NAME)
    return page.table.item(row, 8).text()


def test_the_code_of_a_new_enrollment_is_shown_once_to_copy_and_print(qtbot, tmp_path, county_db, settings):
    from app.ui.dialogs.code_dialog import CodeDialog
    page = units_page(qtbot, county_db, settings)
    assert key_column(page) == "尚未发注册码"
    shown = []
    page.exec_dialog = lambda dialog: shown.append(dialog) or 0
    (tmp_path / "usb").mkdir()
    page.write_enrollment(str(tmp_path / "usb"))
    [dialog] = shown
    assert isinstance(dialog, CodeDialog) and dialog.code == page.last_code == codes.normalize(page.last_code)
    assert dialog.code_label.text() == page.last_code and UNIT_NAME in dialog.document_html()
    assert page.last_code in dialog.document_html() and "分开交给" in dialog.document_html()
    dialog.copy()
    assert QGuiApplication.clipboard().text() == page.last_code
    assert key_column(page).startswith("待注册") and page.last_code not in page.result.text()
    unit, _ = enrollment.init_from_enrollment(tmp_path / "unit.sqlite", page.last_path, page.last_code,
                                              "admin", "管理员", TEST_PASSWORD, must_change=False)
    assert unit.unit_id == county_db.unit_id
    unit.dispose()


def test_revoke_from_the_units_page_and_register_again_from_the_unit(qtbot, tmp_path, county_db, settings):
    from app.ui.dialogs.code_dialog import CodeDialog
    from app.ui.dialogs.text_prompt_dialog import TextPromptDialog
    from app.ui.pages.bureau.packages_page import BureauPackagesPage
    from app.ui.pages.sync_page import SyncPage
    db, mirrors = county_db.db, county_db.mirrors
    usb = tmp_path / "usb"
    usb.mkdir()
    written = enrollment.write_enrollment(db, mirrors, county_db.unit_id, usb)
    unit, _ = enrollment.init_from_enrollment(tmp_path / "unit.sqlite", written.path, written.code,
                                              "admin", "管理员", TEST_PASSWORD, must_change=False)
    first = unit_sync.export_report(unit, usb).path
    old_fp = P.own_fingerprint(unit)
    [done] = bureau.import_packages(db, mirrors, [first], apply=True, confirmed_keys=[old_fp])
    assert done.status == P.IMPORTED
    page = units_page(qtbot, county_db, settings)
    assert key_column(page) == old_fp

    page.exec_dialog = lambda dialog: 0                         # the admin cancels: nothing changes
    page.revoke_key()
    assert registered_units(db)[0].fingerprint == old_fp

    shown = []

    def answer(dialog):
        shown.append(dialog)
        if isinstance(dialog, TextPromptDialog):
            dialog.edit.setPlainText("单位电脑丢失")
            return QDialog.DialogCode.Accepted
        return 0
    page.exec_dialog = answer
    page.revoke_key()
    assert [type(d) for d in shown] == [TextPromptDialog, CodeDialog]
    new_code = shown[1].code
    assert old_fp in page.result.text() and "已撤销" in page.result.text()
    assert key_column(page).startswith("待注册") and registered_units(db)[0].fingerprint is None

    # the unit types the new code on its 数据交换 page
    actor = accounts.login(unit, "admin", TEST_PASSWORD)
    sync = SyncPage(unit, actor, settings, runner=SyncRunner())
    qtbot.addWidget(sync)
    tries = []

    def rekey(dialog):
        dialog.code.setText(new_code[:-1])                      # one character short
        dialog.rekey()
        tries.append(dialog.message.text())
        assert dialog.result() != QDialog.DialogCode.Accepted and P.own_fingerprint(unit) == old_fp
        dialog.code.setText(new_code.lower())
        dialog.rekey()
        return dialog.result()
    sync.confirm = rekey
    sync.rekey()
    new_fp = P.own_fingerprint(unit)
    assert "应为20位" in tries[0] and new_fp != old_fp
    assert sync.own_fingerprint.fingerprint == new_fp and "新指纹" in sync.rekey_result.text()
    report = unit_sync.export_report(unit, tmp_path / "usb").path

    packages = BureauPackagesPage(db, mirrors, bureau_admin(db), settings, runner=SyncRunner())
    qtbot.addWidget(packages)
    seen = {}

    def confirm(dialog):
        if dialog.import_button is None:
            seen["after"] = [r.status for r in dialog.results]
            return 0
        seen["statuses"] = {r.path.name: r.status for r in dialog.results}
        seen["keys"] = dialog.keys.toPlainText()
        assert not dialog.import_button.isEnabled()
        dialog.key_check.setChecked(True)
        return QDialog.DialogCode.Accepted
    packages.confirm = confirm
    packages.preview([usb])
    statuses = seen["statuses"]
    assert statuses[first.name] == P.REJECTED                 # signed by the revoked key
    assert statuses[report.name] == P.OK and new_fp.split("-")[0] in seen["keys"]
    assert [r.status for r in packages.last_results] == [P.IMPORTED]
    page.refresh()
    assert key_column(page) == new_fp
    unit.dispose()

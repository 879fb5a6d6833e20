"""The GUI of sync and of the 编办 edition, on real files: the wizard's enrollment and 编办 starts,
the unit's 数据交换 page (上报包 out, 下发包 in through the preview), and the 编办's pages —
register a unit through the dialog, import a folder of 上报包 through the preview, the ledger,
the county table against county.county_table, the drill-down onto the unit's mirror."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QWizard

from app.core.metrics import parse_period, percent
from app.core.validators import make_credit_code
from app.services.org import accounts
from app.services.county import bureau, table as county
from app.services.county.mirrors import find_unit
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database, quotas_of, unit_of
from app.sync import codes
from app.ui.tasks import SyncRunner
from app.ui.widgets.fingerprint import grouped
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import BUREAU_CODE, UNIT_NAME, County, bureau_admin

OTHER_CODE = make_credit_code("11371321", "MB285105")


def enrollment_file(c: County, folder):
    folder.mkdir(exist_ok=True)
    return enrollment.write_enrollment(c.db, c.mirrors, c.unit_id, folder)


def test_wizard_enrollment_start_shows_the_fingerprint_and_creates_the_unit(qtbot, tmp_path, county_db):
    from app.ui.dialogs.first_run_wizard import ADMIN, DONE, ENROLL, ENROLLED_UNIT, FirstRunWizard
    written = enrollment_file(county_db, tmp_path / "usb")
    path = written.path
    bad = tmp_path / "usb" / "不是注册包.lzkp"
    bad.write_bytes(b"not a package")
    target = tmp_path / "unit.sqlite"
    wizard = FirstRunWizard(target)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.buttons[ENROLLED_UNIT].setChecked(True)
    wizard.next()
    page = wizard.enrollment_page
    assert wizard.currentId() == ENROLL and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.load(bad)
    assert "不能使用此文件" in page.message.text() and page.info is None
    page.load(path)
    assert page.message.text() == "" and UNIT_NAME in page.unit_name.text()
    bureau_fp = P.own_fingerprint(county_db.db)
    assert page.fingerprint.text() == grouped(bureau_fp) and page.fingerprint.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()   # not yet compared
    page.confirmed.setChecked(True)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()   # no code yet
    page.code.setText(written.code[:-1] + ("2" if written.code[-1] != "2" else "3"))   # a typo
    assert "校验不符" in page.code_message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.code.setText(codes.new_code().lower())          # well formed, but not this file's code
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == ENROLL and "注册码不正确" in page.code_message.text()
    assert not target.exists()
    page.code.setText(written.code.replace("-", " "))
    wizard.next()
    assert wizard.currentId() == ADMIN
    admin = wizard.admin_page
    admin.password.setText("Admin2026")
    admin.again.setText("Admin2026")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentId() == DONE
    db = wizard.db
    assert wizard.done_page.fingerprint.text() == grouped(P.own_fingerprint(db))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert unit_of(db).name == UNIT_NAME and db.edition == "unit"
    assert unit_sync.bureau_peer(db).fingerprint == bureau_fp
    assert {q.name: q.quota for q in quotas_of(db) if q.kind == "staffing"} == {"行政编制": 20, "事业编制": 5}
    actor = accounts.login(db, "admin", "Admin2026")
    assert actor.is_admin and not actor.must_change_password   # typed in the wizard, not on a command line
    db.dispose()


def test_wizard_bureau_start(qtbot, tmp_path):
    from app.ui.dialogs.first_run_wizard import BUREAU, DONE, FirstRunWizard
    wizard = FirstRunWizard(tmp_path / "county.sqlite")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.buttons[BUREAU].setChecked(True)
    wizard.next()
    wizard.bureau_page.name.setText("沂河县委编办")
    qtbot.keyClicks(wizard.bureau_page.code, BUREAU_CODE.lower())
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.admin_page.person_name.text() == "编办管理员"
    wizard.admin_page.password.setText("Admin2026")
    wizard.admin_page.again.setText("Admin2026")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentId() == DONE
    db = wizard.db
    assert db.edition == "bureau" and unit_of(db).credit_code == BUREAU_CODE
    assert wizard.done_page.fingerprint.text() == grouped(P.own_fingerprint(db))
    db.dispose()


def test_standalone_unit_sees_an_explanation(qtbot, unit_db, admin, settings):
    from app.ui.pages.sync_page import SyncPage
    page = SyncPage(unit_db, admin, settings, runner=SyncRunner())
    qtbot.addWidget(page)
    assert "单位注册包" in page.findChild(QLabel, "standaloneNote").text()


def test_unit_sync_page_exports_a_report_and_imports_a_dispatch(qtbot, tmp_path, county_db, settings):
    from app.ui.pages.sync_page import SyncPage
    db, mirrors = county_db.db, county_db.mirrors
    usb = tmp_path / "usb"
    written = enrollment_file(county_db, usb)
    unit, _ = enrollment.init_from_enrollment(tmp_path / "unit.sqlite", written.path, written.code,
                                              "admin", "管理员", TEST_PASSWORD, must_change=False)
    actor = accounts.login(unit, "admin", TEST_PASSWORD)
    page = SyncPage(unit, actor, settings, runner=SyncRunner())
    qtbot.addWidget(page)
    assert page.bureau_fingerprint.fingerprint == P.own_fingerprint(db)
    out = tmp_path / "out"
    out.mkdir()
    page.export_report(str(out))
    exported = page.last_export.path
    assert exported.exists() and exported.parent == out and "上报包" in exported.name
    assert exported.name in page.export_result.text()
    assert settings.last_package_dir == str(out)      # remembered for next time

    # The 编办 takes the report (learning the unit's key), raises a quota, sends a 下发包.
    bureau.import_packages(db, mirrors, [exported], apply=True)
    bureau.set_quota(db, mirrors, SYSTEM, county_db.unit_id, "staffing", "行政编制", 22)
    dispatch = bureau.export_dispatch(db, mirrors, county_db.unit_id, out).path
    shown = []

    def confirm(dialog):
        shown.append([dialog.table.item(r, 5).text() for r in range(dialog.table.rowCount())])
        return QDialog.DialogCode.Accepted if dialog.import_button is not None else 0
    page.confirm = confirm
    page.preview([out])
    assert sorted(shown[0]) == ["可以导入", "跳过"]          # our own 上报包 in the folder is skipped
    assert [r.status for r in page.last_results] == [P.IMPORTED]
    assert [page.ledger.item(r, 1).text() for r in range(page.ledger.rowCount())] == ["下发包", "单位注册包"]
    assert page.ledger.item(0, 7).text() == dispatch.name
    assert page.ledger.item(0, 2).text() == "通用"
    assert "通用算法" in page.suite_label.text()      # the 编办 has not chosen 国密
    assert {q.name: q.quota for q in quotas_of(unit) if q.kind == "staffing"}["行政编制"] == 22

    from app.ui.main_window import MainWindow
    window = MainWindow(unit, actor, settings)
    qtbot.addWidget(window)
    window.go_to_page("数据交换")
    assert window.sync_page is not None and window.sync_page.ledger.rowCount() == 2
    window.close()
    unit.dispose()


def test_bureau_register_import_county_and_drill_down(qtbot, tmp_path, county_db, settings):
    from app.demo.unit import generate_demo
    from app.ui.dialogs.import_preview_dialog import REJECTED_COLOUR
    from app.ui.pages.bureau.packages_page import BureauPackagesPage
    from app.ui.pages.bureau.units_page import BureauUnitsPage
    from app.ui.pages.bureau.county_page import COL_VERDICT, CountyPage
    db, mirrors = county_db.db, county_db.mirrors
    actor = bureau_admin(db)
    units = BureauUnitsPage(db, mirrors, actor, settings, runner=SyncRunner())
    qtbot.addWidget(units)
    assert units.table.rowCount() == 1

    def fill(dialog):
        dialog.name.setText("沂河县人力资源和社会保障局")
        qtbot.keyClicks(dialog.code, OTHER_CODE[:-1] + ("1" if OTHER_CODE[-1] != "1" else "2"))
        assert "校验位错误" in dialog.code_message.text()
        dialog.quotas["行政编制"].setValue(15)
        dialog.task_class.setCurrentText("社会民生")
        dialog.key_tasks.setValue(6)
        dialog.register()                                  # refused by the service: stays open
        assert dialog.result() != QDialog.DialogCode.Accepted and "校验位" in dialog.message.text()
        assert dialog.name.text() == "沂河县人力资源和社会保障局" and dialog.quotas["行政编制"].value() == 15
        dialog.code.setText(OTHER_CODE)
        dialog.register()
        return dialog.result()
    units.exec_dialog = fill
    units.register()
    assert units.table.rowCount() == 2
    added = find_unit(db, OTHER_CODE)
    assert units.selected_unit().unit_id == added.unit_id
    row = [units.table.item(r, 0).text() for r in range(2)].index("沂河县人力资源和社会保障局")
    assert [units.table.item(row, c).text() for c in (3, 4, 5, 8)] == ["社会民生", "6", "15", "尚未发注册码"]

    # The first unit gets its 注册包 from the page, builds a month of demo logs, reports.
    usb = tmp_path / "usb"
    usb.mkdir()
    units.select(county_db.unit_id)
    shown_codes = []
    units.exec_dialog = lambda dialog: shown_codes.append(dialog.code_label.text()) or 0
    units.write_enrollment(str(usb))
    assert shown_codes == [units.last_code]                # shown in a dialog, once
    row = [units.table.item(r, 0).text() for r in range(2)].index(UNIT_NAME)
    assert units.table.item(row, 8).text().startswith("待注册")
    info = generate_demo(tmp_path / "u1.sqlite", seed=3, months=1, people=30, end=dt.date(2026, 10, 31),
                         enrollment=units.last_path, enrollment_code=units.last_code)
    assert info.entries > 0
    unit = open_database(tmp_path / "u1.sqlite")
    report = unit_sync.export_report(unit, usb)
    unit_fp = P.own_fingerprint(unit)
    unit.dispose()
    (usb / "坏包.lzkp").write_bytes(report.path.read_bytes()[:-200])   # truncated on the stick

    packages = BureauPackagesPage(db, mirrors, actor, settings, runner=SyncRunner())
    qtbot.addWidget(packages)
    seen = {}

    def confirm(dialog):
        if dialog.import_button is None:      # the result table after the import
            return 0
        rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
        bad = rows["坏包.lzkp"]
        seen["bad"] = (dialog.table.item(bad, 5).text(), dialog.table.item(bad, 8).foreground().color())
        good = rows[report.path.name]
        seen["good"] = [dialog.table.item(good, c).text() for c in (1, 5, 6)]
        seen["suite"] = dialog.table.item(good, 3).text()
        seen["keys"] = dialog.keys.toPlainText()
        assert not dialog.import_button.isEnabled()        # the unit's key is not confirmed yet
        dialog.key_check.setChecked(True)
        assert dialog.import_button.isEnabled()
        return QDialog.DialogCode.Accepted
    packages.confirm = confirm
    packages.preview([usb])
    assert seen["bad"] == ("拒绝", REJECTED_COLOUR)
    new_rows = sum(c.new for c in packages.last_results[0].plan.counts.values())
    assert seen["good"][:2] == [UNIT_NAME, "可以导入"] and int(seen["good"][2]) == new_rows > 1000
    assert seen["suite"] == "通用"
    assert " ".join(grouped(unit_fp).split()) in " ".join(seen["keys"].split())
    assert [r.status for r in packages.last_results] == [P.IMPORTED]
    assert (0, 1, report.path.name) in packages.runner.steps        # the progress dialog's steps
    assert packages.ledger.rowCount() == 1
    assert [packages.ledger.item(0, c).text() for c in (0, 1, 3, 8)] == [UNIT_NAME, "1", "通用",
                                                                        report.path.name]
    units.refresh()
    row = [units.table.item(r, 0).text() for r in range(2)].index(UNIT_NAME)
    assert units.table.item(row, 8).text() == unit_fp

    # County table: the same figures as county.county_table, and the drill-down on the mirror.
    page = CountyPage(db, mirrors, actor, settings, runner=SyncRunner(), period="2026-10")
    qtbot.addWidget(page)
    expected = {r.name: r for r in county.county_table(db, mirrors, parse_period("2026-10"))}
    saturation = expected[UNIT_NAME].figures.saturation
    row = page.row_of(county_db.unit_id)
    assert page.table.rowCount() == 2 and page.table.item(row, 1).text() == UNIT_NAME
    assert page.table.item(row, 7).text() == percent(saturation)
    assert page.table.item(row, COL_VERDICT).text() == expected[UNIT_NAME].need.verdict
    other = page.row_of(added.unit_id)
    assert page.table.item(other, 7).text() == "—" and page.table.item(other, COL_VERDICT).text() == "数据不足"
    assert page.table.item(row, 0).text() == "1"                       # ranked first by saturation
    page.table.sortItems(7)                                            # ascending: the blank goes last
    assert page.table.item(0, 1).text() == UNIT_NAME
    drills = []
    page.table.cellActivated.connect(lambda *_: drills.append(1))
    page.table.setCurrentCell(page.row_of(county_db.unit_id), 3)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)                    # Enter drills in, once
    assert page.stack.currentIndex() == 1 and drills == [1]
    assert page.unit_page.db.path == mirrors.path(county_db.unit_id)
    assert page.unit_page.page_data.unit.saturation == pytest.approx(saturation, abs=5e-5)
    assert page.unit_page.page_data.period.text == "2026-10"
    page.back()
    assert page.stack.currentIndex() == 0
    page.show()
    qtbot.waitExposed(page)
    rect = page.table.visualItemRect(page.table.item(page.row_of(added.unit_id), 2))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a hand does
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert drills == [1, 1] and page.stack.currentIndex() == 1          # double-click: once too
    assert page.unit_page.db.path == mirrors.path(added.unit_id)
    page.back()
    # the ranking picker names each measure as its column does (it said 编制使用率 over 使用率)
    headers = [page.table.horizontalHeaderItem(c).text().replace("\n", "")     # two-line titles
               for c in range(page.table.columnCount())]
    picks = [page.rank_key.itemText(i) for i in range(page.rank_key.count())]
    assert "使用率" in picks and all(p in headers for p in picks)
    xlsx = tmp_path / "全县.xlsx"
    page.export_excel(str(xlsx))
    sheet = load_workbook(xlsx)["全县各单位"]
    assert sheet.cell(1, 1).value == f"全县各单位 {page.period_shown.label}"      # said once
    values = {sheet.cell(r, 2).value: sheet.cell(r, 8).value for r in range(3, 5)}
    assert values[UNIT_NAME] == pytest.approx(saturation)


def test_bureau_main_window_pages(qtbot, county_db, settings):
    from app.ui.main_window import MainWindow
    db = county_db.db
    window = MainWindow(db, bureau_admin(db), settings)
    qtbot.addWidget(window)
    # 全县分析 is first and computes in the background: let it finish before the files close.
    qtbot.waitUntil(lambda: window.county_page is not None and window.county_page.period_shown is not None)
    assert window.county_page.table.rowCount() == 1
    titles = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert titles == ["全县分析", "人员编制", "职责交叉", "评估批次", "单位管理", "同步包", "本办账号",
                      "数据备份"] and window.log_page is None
    window.go_to_page("同步包")
    assert window.packages_page is not None
    qtbot.waitUntil(lambda: hasattr(window.packages_page, "lines"))
    window.close()


def test_unit_sets_a_key_passphrase_and_is_asked_for_it_once(qtbot, tmp_path, county_db, settings,
                                                             monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QPushButton

    from app.services.exchange import keystore
    from app.ui.pages.sync_page import SyncPage
    from app.ui.widgets.key_passphrase import PassphraseDialog
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    written = enrollment_file(county_db, tmp_path / "usb")
    unit, _ = enrollment.init_from_enrollment(tmp_path / "unit.sqlite", written.path, written.code,
                                              "admin", "管理员", TEST_PASSWORD, must_change=False)
    page = SyncPage(unit, accounts.login(unit, "admin", TEST_PASSWORD), settings, runner=SyncRunner())
    qtbot.addWidget(page)
    assert "尚未加密保存" in page.key_state.text()

    def fill(dialog):
        dialog.new.setText("county-key-2026")
        dialog.again.setText("county-key-2026")
        dialog.save()
        return dialog.result()
    monkeypatch.setattr(PassphraseDialog, "exec", fill)
    qtbot.mouseClick(page.findChild(QPushButton, "setPassphrase"), Qt.MouseButton.LeftButton)
    assert "已用密钥口令加密保存" in page.key_state.text()

    monkeypatch.setattr(keystore, "_opened", {})          # the program started again
    asked = []
    monkeypatch.setattr(QInputDialog, "getText",
                        lambda *args, **kw: asked.append(args[1]) or ("county-key-2026", True))
    out = tmp_path / "out"
    out.mkdir()
    page.folder.setText(str(out))
    for _ in range(2):
        qtbot.mouseClick(page.findChild(QPushButton, "exportReport"), Qt.MouseButton.LeftButton)
    assert asked == ["输入密钥口令"]                        # once per run
    assert page.last_export.path.exists() and page.last_export.seq == 2
    unit.dispose()

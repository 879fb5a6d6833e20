"""First-run wizard: a new install creates its unit and admin account."""
from __future__ import annotations

from PySide6.QtWidgets import QWizard

from app.services.org import accounts
from app.services.org.setup import open_database, quotas_of, unit_of
from app.ui.dialogs.first_run_wizard import FirstRunWizard
from tests.conftest import TEST_CREDIT_CODE


def test_wizard_checks_the_credit_code_and_creates_the_unit(qtbot, tmp_path):
    path = tmp_path / "new.sqlite"
    wizard = FirstRunWizard(path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()                      # the start page's default: 新建单位（单位版）
    page = wizard.unit_page
    qtbot.keyClicks(page.name, "x")
    page.name.setText("XX县市场监督管理局")
    qtbot.keyClicks(page.code, TEST_CREDIT_CODE[:-1] + "1")     # wrong check character
    assert "校验位错误" in page.message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.code.clear()
    qtbot.keyClicks(page.code, TEST_CREDIT_CODE.lower())          # lower case is accepted
    assert page.code.text() == TEST_CREDIT_CODE and page.message.text() == ""
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()

    wizard.quota_page.quotas["行政编制"].setValue(32)
    wizard.quota_page.quotas["事业编制"].setValue(6)
    wizard.quota_page.leaders["副职"].setValue(4)
    wizard.next()

    admin = wizard.admin_page
    qtbot.keyClicks(admin.password, "short1")
    assert "至少8位" in admin.message.text()
    admin.password.setText("Admin2026")
    admin.again.setText("Admin2026x")
    assert "不一致" in admin.message.text()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    admin.again.setText("Admin2026")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.db is not None
    wizard.db.dispose()

    db = open_database(path)
    assert unit_of(db).name == "XX县市场监督管理局"
    quotas = {(q.kind, q.name): q.quota for q in quotas_of(db)}
    assert quotas == {("staffing", "行政编制"): 32, ("staffing", "事业编制"): 6, ("leader", "副职"): 4}
    actor = accounts.login(db, "admin", "Admin2026")
    assert actor.is_admin and not actor.must_change_password


def test_wizard_refuses_a_look_alike_admin_login(qtbot, tmp_path):
    wizard = FirstRunWizard(tmp_path / "new.sqlite")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.unit_page.name.setText("XX县市场监督管理局")
    wizard.unit_page.code.setText(TEST_CREDIT_CODE)
    wizard.next()
    wizard.next()
    admin = wizard.admin_page
    admin.password.setText("Admin2026")
    admin.again.setText("Admin2026")
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled()
    admin.login.setText("\u0430dmin")                   # Cyrillic а
    assert "“а”（U+0430，西里尔字母）" in admin.message.text()
    assert not finish.isEnabled()
    admin.login.setText("ad\u200bmin")
    assert "不可见字符 U+200B（零宽空格）" in admin.message.text()
    admin.login.setText("admin")
    admin.person_name.setText("管理\u202e员")
    assert "U+202E（从右到左覆盖）" in admin.message.text() and not finish.isEnabled()
    admin.person_name.setText("阿依古丽•买买提")
    assert admin.message.text() == "" and finish.isEnabled()
    finish.click()
    assert wizard.db is not None
    wizard.db.dispose()
    db = open_database(tmp_path / "new.sqlite")
    assert accounts.login(db, "admin", "Admin2026").name == "阿依古丽·买买提"

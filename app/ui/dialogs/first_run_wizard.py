"""First-run wizard: create the unit (name, credit code, class, quotas, leader posts) and its admin."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget,
                               QWizard, QWizardPage)

from app import APP_NAME
from app.core import vocab
from app.core.errors import AppError
from app.core.validators import credit_code_problem
from app.services import accounts
from app.services.actor import SYSTEM
from app.services.setup import UnitSetup, initialise_unit, open_database

ERROR_STYLE = "color: #b00020"


class UnitPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第一步：单位基本信息")
        self.setSubTitle("统一社会信用代码按 GB 32100 校验，可在单位法人证书上查到。")
        form = QFormLayout(self)
        self.name = QLineEdit(objectName="unitName", placeholderText="如：XX县市场监督管理局")
        self.code = QLineEdit(objectName="creditCode", maxLength=18)
        self.unit_class = QComboBox(objectName="unitClass")
        self.unit_class.addItems(vocab.UNIT_CLASSES)
        self.unit_class.setCurrentText("政府部门")
        self.funding = QComboBox()
        self.funding.addItems(vocab.FUNDING_FORMS)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        form.addRow("单位名称", self.name)
        form.addRow("统一社会信用代码", self.code)
        form.addRow("单位类别", self.unit_class)
        form.addRow("经费形式", self.funding)
        form.addRow(self.message)
        self.name.textChanged.connect(self.completeChanged)
        self.code.textChanged.connect(self._code_changed)

    def _code_changed(self, text: str) -> None:
        self.code.setText(text.upper()) if text != text.upper() else None
        problem = credit_code_problem(text) if len(text) >= 18 else None
        self.message.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.name.text().strip()) and credit_code_problem(self.code.text()) is None


class QuotaPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第二步：核定编制与领导职数")
        self.setSubTitle("按“三定”规定填写；以后可在单位管理中修改。")
        form = QFormLayout(self)
        self.quotas: dict[str, QSpinBox] = {}
        for name in vocab.STAFFING_TYPES[:-1]:  # 编外 has no approved quota
            box = QSpinBox(maximum=9999, objectName=f"quota_{name}")
            self.quotas[name] = box
            form.addRow(name, box)
        self.leaders: dict[str, QSpinBox] = {}
        for name in vocab.LEADER_POST_KINDS:
            box = QSpinBox(maximum=99, objectName=f"leader_{name}")
            self.leaders[name] = box
            form.addRow(f"领导职数（{name}）", box)


class AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第三步：单位管理员账号")
        self.setSubTitle("管理员负责人员名册、三定职责、账号、数据包和备份。")
        form = QFormLayout(self)
        self.login = QLineEdit("admin", objectName="adminLogin")
        self.person_name = QLineEdit("单位管理员", objectName="adminName")
        self.password = QLineEdit(objectName="adminPassword", echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(objectName="adminAgain", echoMode=QLineEdit.EchoMode.Password)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        form.addRow("登录名", self.login)
        form.addRow("姓名", self.person_name)
        form.addRow("密码", self.password)
        form.addRow("再次输入", self.again)
        form.addRow(self.message)
        for edit in (self.login, self.password, self.again):
            edit.textChanged.connect(self._check)

    def _check(self) -> None:
        problem = accounts.password_problem(self.password.text()) if self.password.text() else None
        if not problem and self.again.text() and self.again.text() != self.password.text():
            problem = "两次输入的密码不一致"
        self.message.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (bool(self.login.text().strip()) and self.password.text() == self.again.text()
                and accounts.password_problem(self.password.text()) is None)


class FirstRunWizard(QWizard):
    """Creates the database file at `db_path`; `self.db` is the open database afterwards."""

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.db = None
        self.setWindowTitle(f"{APP_NAME} — 首次使用向导")
        self.unit_page, self.quota_page, self.admin_page = UnitPage(), QuotaPage(), AdminPage()
        for page in (self.unit_page, self.quota_page, self.admin_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.resize(560, 420)

    def setup(self) -> UnitSetup:
        u, q = self.unit_page, self.quota_page
        return UnitSetup(u.name.text().strip(), u.code.text().strip(), u.unit_class.currentText(),
                         u.funding.currentText(),
                         {k: b.value() for k, b in q.quotas.items() if b.value()},
                         {k: b.value() for k, b in q.leaders.items() if b.value()})

    def validateCurrentPage(self) -> bool:
        if self.currentPage() is not self.admin_page:
            return super().validateCurrentPage()
        try:
            self.create()
        except AppError as exc:
            self.admin_page.message.setText(str(exc))
            return False
        return True

    def create(self) -> None:
        if self.db_path.exists() and self.db_path.stat().st_size > 0:
            raise AppError(f"文件已存在：{self.db_path}")
        db = open_database(self.db_path, create=True)
        try:
            initialise_unit(db, self.setup())
            a = self.admin_page
            accounts.add_user(db, SYSTEM, accounts.NewUser(
                a.login.text().strip(), a.person_name.text().strip() or "单位管理员",
                a.password.text(), is_admin=True, must_change=False))
        except Exception:
            db.dispose()
            self.db_path.unlink(missing_ok=True)  # leave no half-made database behind
            raise
        self.db = db

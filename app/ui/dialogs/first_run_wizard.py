"""First-run wizard, four starts: a new unit of its own (单位版: name, credit code, class, quotas,
leader posts, admin), a unit from the 编办's 单位注册包 (单位版: the file's unit and the 编办's key
fingerprint to compare by phone, the one-time registration code that opens the file, then the
admin), a new 编办 (编办版: name, code, admin, then its fingerprint for the units to compare), or
a new PC joining its unit's exchange folder (app.ui.dialogs.join_page)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QSpinBox,
                               QVBoxLayout, QWidget, QWizard, QWizardPage)

from app import APP_NAME
from app.core import vocab
from app.core.errors import AppError
from app.core.validators import (clean_person_name, credit_code_problem, login_problem,
                                 person_name_problem)
from app.services.org import accounts
from app.services.exchange.packages import ensure_keys
from app.services.org.setup import UnitSetup, create_database
from app.ui.widgets.fingerprint import FingerprintLabel
from app.services.exchange.enrollment import code_problem, init_from_enrollment, read_enrollment, unlock
from app.services.exchange.packages import own_fingerprint
from app.settings import Settings
from app.ui.dialogs.join_page import JoinPage
from app.ui.tasks import TaskRunner
from app.ui.widgets.file_dialogs import ask_open_path

ERROR_STYLE = "color: #b00020"
NEW_UNIT, ENROLLED_UNIT, JOIN, BUREAU = "unit", "enrolled", "join", "bureau"
START, UNIT, QUOTA, ENROLL, BUREAU_INFO, ADMIN, DONE, JOIN_PAGE = range(8)


class StartPage(QWizardPage):
    CHOICES = ((NEW_UNIT, "新建单位（单位版）",
                "本单位独立使用：填写单位信息、核定编制和管理员账号。以后不能与编办交换数据包。"),
               (ENROLLED_UNIT, "用编办的单位注册包创建（单位版）",
                "编办已登记本单位并给了“单位注册包”（.lzkp 文件）：单位信息和编制来自注册包，"
                "之后可向编办报送上报包。"),
               (JOIN, "加入本单位已有的多台电脑共用（单位版）",
                "本单位已在另一台电脑上使用本软件并设置了交换文件夹：凭管理员给的加入码，"
                "本机取得本单位的数据，之后与其他电脑自动交换。"),
               (BUREAU, "新建编办（编办版）",
                "机构编制部门使用：登记各单位、生成注册包、导入上报包、全县分析。"))

    def __init__(self):
        super().__init__()
        self.setTitle("欢迎使用")
        self.setSubTitle("请选择如何开始。")
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for mode, title, text in self.CHOICES:
            button = QRadioButton(title, objectName=f"start_{mode}")
            button.setStyleSheet("font-size: 12pt; font-weight: bold")
            self.group.addButton(button)
            self.buttons[mode] = button
            note = QLabel(text, wordWrap=True, styleSheet="color:#555; margin-left: 24px")
            layout.addWidget(button)
            layout.addWidget(note)
            layout.addSpacing(8)
        layout.addStretch(1)
        self.buttons[NEW_UNIT].setChecked(True)

    def mode(self) -> str:
        return next(mode for mode, button in self.buttons.items() if button.isChecked())

    def nextId(self) -> int:
        return {NEW_UNIT: UNIT, ENROLLED_UNIT: ENROLL, JOIN: JOIN_PAGE, BUREAU: BUREAU_INFO}[self.mode()]


class EnrollmentPage(QWizardPage):
    """Pick the 单位注册包; its signature is checked against the key it carries, so what makes
    the key trustworthy is the fingerprint read aloud with the 编办 — shown big here. The file's
    content is encrypted to the one-time code the 编办 gave apart from it: checked on 下一步."""

    def __init__(self):
        super().__init__()
        self.setTitle("第一步：打开编办的单位注册包")
        self.setSubTitle("注册包由编办生成（文件名含“单位注册包”，扩展名 .lzkp），通常用U盘拷来。")
        self.info = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit(objectName="enrollmentPath", readOnly=True,
                              placeholderText="尚未选择注册包")
        choose = QPushButton("选择注册包…", objectName="chooseEnrollment")
        choose.clicked.connect(self.choose)
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        layout.addLayout(row)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True, objectName="enrollmentMessage")
        layout.addWidget(self.message)
        self.unit_name = QLabel(objectName="enrolledUnit", wordWrap=True)
        self.unit_name.setStyleSheet("font-size: 15pt; font-weight: bold")
        layout.addWidget(self.unit_name)
        self.bureau_text = QLabel(objectName="bureauText", wordWrap=True)
        layout.addWidget(self.bureau_text)
        self.fingerprint = FingerprintLabel(object_name="bureauFingerprint")
        layout.addWidget(self.fingerprint)
        self.instruction = QLabel(
            "请打电话给编办，请对方念出编办版“单位管理”页上显示的编办密钥指纹，与上面逐组核对。"
            "完全一致才说明注册包确实来自编办、途中没有被替换；不一致请不要继续，向编办重新索取。",
            wordWrap=True, styleSheet="color:#8a5a00")
        layout.addWidget(self.instruction)
        self.confirmed = QCheckBox("我已与编办电话核对，指纹完全一致", objectName="fingerprintConfirmed")
        self.confirmed.toggled.connect(self.completeChanged)
        layout.addWidget(self.confirmed)
        self.code_label = QLabel("注册码（编办与注册包分开给的20位字母和数字，如 ABCD-EFGH-JKLM-NPQR-STUV）：",
                                 wordWrap=True)
        layout.addWidget(self.code_label)
        self.code = QLineEdit(objectName="enrollmentCode", placeholderText="XXXX-XXXX-XXXX-XXXX-XXXX")
        self.code.setStyleSheet("font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 14pt")
        self.code.textChanged.connect(self._code_changed)
        layout.addWidget(self.code)
        self.code_message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True, objectName="codeMessage")
        layout.addWidget(self.code_message)
        layout.addStretch(1)
        self._show(None)

    def choose(self) -> None:
        path = ask_open_path(self, "package", "选择单位注册包", "同步包 (*.lzkp)")
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        self.path.setText(str(path))
        try:
            info = read_enrollment(path)
        except (AppError, OSError) as exc:   # package errors are AppErrors with a Chinese text
            self.message.setText(f"不能使用此文件：{exc}")
            info = None
        else:
            self.message.setText("")
        self._show(info)

    def _code_changed(self, text: str) -> None:
        typed = "".join(c for c in text if c not in " -")
        # a message only once the code could be whole (or has a letter it never holds)
        problem = code_problem(text) if text.strip() else None
        self.code_message.setText(problem if problem and (len(typed) >= 20 or "不会出现" in problem) else "")
        self.completeChanged.emit()

    def _show(self, info) -> None:
        self.info = info
        self.confirmed.setChecked(False)
        self.code_message.setText("")
        for w in (self.unit_name, self.bureau_text, self.instruction, self.confirmed, self.code_label,
                  self.code, self.code_message):
            w.setVisible(info is not None)
        if info is None:
            self.fingerprint.set_fingerprint("")
        else:
            self.unit_name.setText(f"本单位：{info.unit_name}")
            self.bureau_text.setText(f"由“{info.bureau_name}”登记。编办密钥指纹：")
            self.fingerprint.set_fingerprint(info.bureau_fingerprint)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (self.info is not None and self.confirmed.isChecked()
                and code_problem(self.code.text()) is None)

    def validatePage(self) -> bool:
        """The code must open the file (≈ 0.2 s of key derivation)."""
        try:
            unlock(self.info, self.code.text())
        except AppError as exc:
            self.code_message.setText(str(exc))
            return False
        self.code_message.setText("")
        return True

    def nextId(self) -> int:
        return ADMIN


class _IdentityPage(QWizardPage):
    """Name and 统一社会信用代码 (GB 32100-checked as typed), with room for more rows."""

    def __init__(self, title: str, subtitle: str, placeholder: str, names: tuple[str, str]):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = form = QFormLayout(self)
        self.name = QLineEdit(objectName=names[0], placeholderText=placeholder)
        self.code = QLineEdit(objectName=names[1], maxLength=18)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        form.addRow(self.name_label, self.name)
        form.addRow("统一社会信用代码", self.code)
        form.addRow(self.message)
        self.name.textChanged.connect(self.completeChanged)
        self.code.textChanged.connect(self._code_changed)

    def _code_changed(self, text: str) -> None:
        if text != text.upper():
            self.code.setText(text.upper())
        problem = credit_code_problem(text) if len(text) >= 18 else None
        self.message.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.name.text().strip()) and credit_code_problem(self.code.text()) is None


class BureauPage(_IdentityPage):
    name_label = "编办名称"

    def __init__(self):
        super().__init__("第一步：编办基本信息", "统一社会信用代码按 GB 32100 校验。",
                         "如：XX县委机构编制委员会办公室", ("bureauName", "bureauCode"))

    def nextId(self) -> int:
        return ADMIN


class UnitPage(_IdentityPage):
    name_label = "单位名称"

    def __init__(self):
        super().__init__("第一步：单位基本信息", "统一社会信用代码按 GB 32100 校验，可在单位法人证书上查到。",
                         "如：XX县市场监督管理局", ("unitName", "creditCode"))
        self.unit_class = QComboBox(objectName="unitClass")
        self.unit_class.addItems(vocab.UNIT_CLASSES)
        self.unit_class.setCurrentText("政府部门")
        self.funding = QComboBox()
        self.funding.addItems(vocab.FUNDING_FORMS)
        self.form.insertRow(2, "单位类别", self.unit_class)     # before the message row
        self.form.insertRow(3, "经费形式", self.funding)

    def nextId(self) -> int:
        return QUOTA


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

    def nextId(self) -> int:
        return ADMIN


class AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("单位管理员账号")
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
        for edit in (self.login, self.person_name, self.password, self.again):
            edit.textChanged.connect(self._check)

    def _account_problem(self) -> str | None:
        """The login or name problem the service would report, shown while typing."""
        login = self.login.text().strip()
        return ((login_problem(login) if login else None)
                or person_name_problem(clean_person_name(self.person_name.text() or "单位管理员")))

    def _check(self) -> None:
        problem = self._account_problem()
        if not problem and self.password.text():
            problem = accounts.password_problem(self.password.text())
        if not problem and self.again.text() and self.again.text() != self.password.text():
            problem = "两次输入的密码不一致"
        self.message.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (bool(self.login.text().strip()) and self._account_problem() is None
                and self.password.text() == self.again.text()
                and accounts.password_problem(self.password.text()) is None)

    def initializePage(self) -> None:
        mode = self.wizard().mode()
        if mode == BUREAU:
            self.setTitle("第二步：编办管理员账号")
            self.setSubTitle("编办管理员负责登记单位、生成注册包、导入上报包、下发编制，以及本办账号。")
            if self.person_name.text() == "单位管理员":
                self.person_name.setText("编办管理员")
        else:
            self.setTitle("第三步：单位管理员账号" if mode == NEW_UNIT else "第二步：单位管理员账号")
        # Created when this page is left: the enrollment and 编办 starts then show a fingerprint.
        self.setCommitPage(mode != NEW_UNIT)
        self.setButtonText(QWizard.WizardButton.CommitButton, "创建")

    def nextId(self) -> int:
        return -1 if self.wizard().mode() == NEW_UNIT else DONE


class DonePage(QWizardPage):
    """After an enrollment or 编办 start: this database's own fingerprint, for the other side."""

    def __init__(self):
        super().__init__()
        self.setTitle("创建完成")
        layout = QVBoxLayout(self)
        self.text = QLabel(wordWrap=True, objectName="doneText")
        self.fingerprint = FingerprintLabel(object_name="ownFingerprint")
        self.note = QLabel(wordWrap=True, styleSheet="color:#555")
        for w in (self.text, self.fingerprint, self.note):
            layout.addWidget(w)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.wizard()
        self.fingerprint.set_fingerprint(own_fingerprint(wizard.db))
        if wizard.mode() == BUREAU:
            self.text.setText(f"编办“{wizard.bureau_page.name.text().strip()}”已创建。编办密钥指纹：")
            self.note.setText("各单位用注册包创建数据库时会看到这个指纹，并会打电话与您核对；"
                              "以后也可在“单位管理”页查看。下一步：在“单位管理”页登记单位、生成注册包。")
        else:
            self.text.setText(f"“{wizard.enrollment_page.info.unit_name}”已创建。本单位密钥指纹：")
            self.note.setText("编办导入本单位第一个上报包时会看到这个指纹，请届时与编办电话核对；"
                              "以后也可在“数据交换”页查看。")


class FirstRunWizard(QWizard):
    """Creates the database file at `db_path`; `self.db` is the open database afterwards. A joining
    PC's exchange configuration goes into `settings` (None: the user's settings file)."""

    def __init__(self, db_path: Path, parent: QWidget | None = None, *, settings: Settings | None = None,
                 runner: TaskRunner | None = None):
        super().__init__(parent)
        self.db_path, self.settings = db_path, settings
        self.db = None
        self.setWindowTitle(f"{APP_NAME} — 首次使用向导")
        self.start_page, self.unit_page, self.quota_page = StartPage(), UnitPage(), QuotaPage()
        self.enrollment_page, self.bureau_page = EnrollmentPage(), BureauPage()
        self.admin_page, self.done_page, self.join_page = AdminPage(), DonePage(), JoinPage(runner)
        for page_id, page in ((START, self.start_page), (UNIT, self.unit_page), (QUOTA, self.quota_page),
                              (ENROLL, self.enrollment_page), (BUREAU_INFO, self.bureau_page),
                              (ADMIN, self.admin_page), (DONE, self.done_page), (JOIN_PAGE, self.join_page)):
            self.setPage(page_id, page)
        self.setStartId(START)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.resize(640, 520)

    def mode(self) -> str:
        return self.start_page.mode()

    def setup(self) -> UnitSetup:
        if self.mode() == BUREAU:
            b = self.bureau_page
            return UnitSetup(b.name.text().strip(), b.code.text().strip(), unit_class="党委部门",
                             edition="bureau")
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
            self.admin_page.message.setText(str(exc) if not getattr(exc, "problems", None)
                                            else "；".join(str(p) for p in exc.problems))
            return False
        return True

    def create(self) -> None:
        if self.db_path.exists() and self.db_path.stat().st_size > 0:
            raise AppError(f"文件已存在：{self.db_path}")
        a = self.admin_page
        login, name = a.login.text().strip(), a.person_name.text().strip() or "单位管理员"
        if self.mode() == ENROLLED_UNIT:
            self.db, _ = init_from_enrollment(self.db_path, self.enrollment_page.info, None, login,
                                              name, a.password.text(), must_change=False)
            return
        db = create_database(self.db_path, self.setup(),
                             accounts.NewUser(login, name, a.password.text(), is_admin=True,
                                              must_change=False))
        if self.mode() == BUREAU:
            ensure_keys(db)            # the 编办's fingerprint is shown on the next page
        self.db = db

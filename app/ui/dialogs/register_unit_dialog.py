"""编办: register a unit (identity, 编制任务比 class and key tasks, quotas, leadership posts), and
adjust a registered unit's quotas. The service validates; its messages show inline and the
dialog stays open with everything typed."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from app.core import vocab
from app.core.errors import AppError, ValidationError
from app.core.validators import credit_code_problem
from app.db.engine import Database
from app.services.county import bodies, bureau
from app.services.county.mirrors import Mirrors, RegisteredUnit, registered_units
from app.services.org.actor import Actor
from app.services.org.setup import UnitSetup
from app.settings import Settings
from app.ui.dialogs.base import PreservingDialog
from app.services.org.headcount import staffing_of

ERROR_STYLE = "color: #b00020"
NO_TASK_CLASS = "（不测算编制任务比）"
NO_PARENT = "（无，独立评估）"
QUOTA_TYPES = vocab.STAFFING_TYPES[:-1]     # 编外 has no approved quota


def quota_boxes(form: QFormLayout, values: dict[str, int], leaders: dict[str, int]):
    """Spin boxes for the quotas per 编制类型 and the leadership posts, filled with `values`."""
    quotas, posts = {}, {}
    for name in QUOTA_TYPES:
        quotas[name] = QSpinBox(maximum=9999, value=values.get(name, 0), objectName=f"quota_{name}")
        form.addRow(name, quotas[name])
    for name in vocab.LEADER_POST_KINDS:
        posts[name] = QSpinBox(maximum=99, value=leaders.get(name, 0), objectName=f"leader_{name}")
        form.addRow(f"领导职数（{name}）", posts[name])
    return quotas, posts


def parent_combo(db: Database, unit_id: str | None = None, current: str | None = None) -> QComboBox:
    """主管部门: none, or a registered unit that is not itself an institution (one level)."""
    box = QComboBox(objectName="parentUnit")
    box.addItem(NO_PARENT, None)
    links = bodies.parents(db)
    for unit in registered_units(db):
        if unit.unit_id != unit_id and not links.get(unit.unit_id):
            box.addItem(unit.name, unit.unit_id)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    box.setToolTip("所属事业单位选其主管部门：部门及所属单位在全县分析、全县报告和评估批次中一体化评估（只支持一级）")
    return box


def message_of(exc: AppError) -> str:
    problems = getattr(exc, "problems", None)
    return "；".join(str(p) for p in problems) if isinstance(exc, ValidationError) and problems else str(exc)


class RegisterUnitDialog(PreservingDialog):
    def __init__(self, db: Database, actor: Actor, settings: Settings | None = None,
                 parent: QWidget | None = None):
        super().__init__(settings, parent)
        self.db, self.actor = db, actor
        self.unit_id: str | None = None
        self.setWindowTitle("登记单位")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        ident = QGroupBox("单位信息")
        form = QFormLayout(ident)
        self.name = QLineEdit(objectName="unitName", placeholderText="如：XX县市场监督管理局")
        self.code = QLineEdit(objectName="creditCode", maxLength=18)
        self.code_message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        self.unit_class = QComboBox(objectName="unitClass")
        self.unit_class.addItems(vocab.UNIT_CLASSES)
        self.unit_class.setCurrentText("政府部门")
        self.funding = QComboBox(objectName="fundingForm")
        self.funding.addItems(vocab.FUNDING_FORMS)
        self.task_class = QComboBox(objectName="taskClass")
        self.task_class.addItems((NO_TASK_CLASS, *bureau.TASK_CLASSES))
        self.key_tasks = QSpinBox(maximum=999, objectName="keyTasks", enabled=False)
        self.task_class.currentIndexChanged.connect(
            lambda i: self.key_tasks.setEnabled(i > 0))
        form.addRow("单位名称", self.name)
        form.addRow("统一社会信用代码", self.code)
        form.addRow("", self.code_message)
        form.addRow("单位类别", self.unit_class)
        form.addRow("经费形式", self.funding)
        self.parent_unit = parent_combo(db)
        form.addRow("主管部门", self.parent_unit)
        form.addRow("编制任务比类别", self.task_class)
        form.addRow("年度重点任务数", self.key_tasks)
        form.addRow(QLabel("编制任务比 = 重点任务数 ÷（编制数 ÷ 基数）；基数：服务经济3、社会民生4、综合保障5。",
                           wordWrap=True, styleSheet="color:#666"))
        quota_box = QGroupBox("核定编制与领导职数（按“三定”规定）")
        self.quotas, self.leaders = quota_boxes(QFormLayout(quota_box), {}, {})
        top.addWidget(ident, 3)
        top.addWidget(quota_box, 2)
        layout.addLayout(top)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True, objectName="registerMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("登记", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("registerButton")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.register)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.code.textChanged.connect(self._code_changed)
        for edit in (self.name, self.code):   # 18 characters of the code must show whole
            edit.setMinimumWidth(260)
        self.resize(860, 440)
        self.restore_geometry()

    def _code_changed(self, text: str) -> None:
        if text != text.upper():
            self.code.setText(text.upper())
            return
        self.code_message.setText((credit_code_problem(text) or "") if len(text) >= 18 else "")

    def setup(self) -> UnitSetup:
        return UnitSetup(self.name.text().strip(), self.code.text().strip(), self.unit_class.currentText(),
                         self.funding.currentText(),
                         {k: b.value() for k, b in self.quotas.items() if b.value()},
                         {k: b.value() for k, b in self.leaders.items() if b.value()})

    def register(self) -> None:
        task_class = self.task_class.currentText() if self.task_class.currentIndex() > 0 else None
        try:
            self.unit_id = bureau.register_unit(self.db, self.actor, self.setup(), task_class=task_class,
                                                key_tasks=self.key_tasks.value() if task_class else None,
                                                parent_id=self.parent_unit.currentData())
        except AppError as exc:
            self.message.setText(message_of(exc))
            return
        self.accept()


class QuotaDialog(PreservingDialog):
    """调整编制: the unit's current quotas; changed values are written (they travel in the next
    下发包)."""

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, unit: RegisteredUnit,
                 settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(settings, parent)
        self.db, self.mirrors, self.actor, self.unit = db, mirrors, actor, unit
        self.changed: list[str] = []
        self.setWindowTitle(f"调整编制 — {unit.name}")
        staffing, _ = staffing_of(mirrors.get(unit.unit_id))
        self.before = {("staffing", k): v for k, v in staffing.quotas.items()}
        self.before.update({("leader", k): v for k, v in staffing.leader_quotas.items()})
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{unit.name}：修改后随下一个下发包发给单位。实有人数：" + (
            "，".join(f"{k}{v}人" for k, v in staffing.actual.items()) or "尚无上报数据"), wordWrap=True))
        form = QFormLayout()
        self.quotas, self.leaders = quota_boxes(form, staffing.quotas, staffing.leader_quotas)
        layout.addLayout(form)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.restore_geometry()

    def save(self) -> None:
        wanted = {("staffing", k): b.value() for k, b in self.quotas.items()}
        wanted.update({("leader", k): b.value() for k, b in self.leaders.items()})
        try:
            for (kind, name), value in wanted.items():
                if value != self.before.get((kind, name), 0):
                    bureau.set_quota(self.db, self.mirrors, self.actor, self.unit.unit_id, kind, name, value)
                    self.changed.append(f"{name}{self.before.get((kind, name), 0)}→{value}")
        except AppError as exc:
            self.message.setText(message_of(exc))
            return
        self.accept()


class ParentDialog(PreservingDialog):
    """主管部门: the selected unit's department (or none); the service refuses cycles and a second
    level, and its message shows here with the dialog open."""

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, unit: RegisteredUnit,
                 settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(settings, parent)
        self.db, self.mirrors, self.actor, self.unit = db, mirrors, actor, unit
        self.outcome = ""
        self.setWindowTitle(f"主管部门 — {unit.name}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"“{unit.name}”的主管部门：所属事业单位与主管部门作为一个整体评估（全县分析按部门分组、"
                                "全县报告和评估批次列在一起，并给出合计）。只支持部门—所属单位一级。", wordWrap=True))
        self.parent_unit = parent_combo(db, unit.unit_id, bodies.parents(db).get(unit.unit_id))
        form = QFormLayout()
        form.addRow("主管部门", self.parent_unit)
        layout.addLayout(form)
        self.message = QLabel(styleSheet=ERROR_STYLE, wordWrap=True, objectName="parentMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("parentOk")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 200)
        self.restore_geometry()

    def save(self) -> None:
        try:
            self.outcome = bodies.set_parent(self.db, self.mirrors, self.actor, self.unit.unit_id,
                                             self.parent_unit.currentData())
        except AppError as exc:
            self.message.setText(message_of(exc))
            return
        self.accept()

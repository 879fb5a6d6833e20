"""编制决定记录 of one unit (编办): the decisions taken on it so far, newest first, and a form to
record a new one — kind (编制核增/核减/冻结/用编计划优先/其他), number of posts, date, 文号, note —
resting on evidence ticked from the unit's round results, staffing-need verdict and period figures
as they read now (app.services.county.decisions). The decision goes to the unit in its next 下发包."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout)

from app.core.errors import AppError
from app.services.county import decisions as D
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable

HISTORY_HEADERS = ["决定日期", "决定类型", "编制数", "文号", "依据（决定时的数据）", "备注"]


def history_rows(lines: list[D.DecisionLine]) -> list[tuple]:
    return [(d.decided_on, d.kind, d.posts_text, d.doc_no or "—", d.evidence_text or "—", d.note or "—")
            for d in lines]


class DecisionDialog(QDialog):
    def __init__(self, db, mirrors, actor, unit, parent=None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.db, self.mirrors, self.actor, self.unit = db, mirrors, actor, unit
        self.today = today or dt.date.today()
        self.recorded = 0
        self.setWindowTitle(f"编制决定记录：{unit.name}")
        self.resize(1100, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("编办对本单位作出的编制决定及其依据（依据为决定时的数据，之后数据变化不影响记录）；"
                                "新记录随下一个下发包发给单位，单位在“人员编制”页可见。", wordWrap=True))
        self.history = RecordTable(HISTORY_HEADERS, 4)
        self.history.setObjectName("decisionHistory")
        layout.addWidget(self.history, 1)
        box = QGroupBox("记录新决定")
        row = QHBoxLayout(box)
        form = QFormLayout()
        self.kind = QComboBox(objectName="decisionKind")
        self.kind.addItems(D.KINDS)
        self.posts = QSpinBox(objectName="decisionPosts", minimum=0, maximum=D.MAX_POSTS, suffix=" 名")
        self.posts.setSpecialValueText("不填")
        self.posts.setToolTip("核增、核减必填；用编计划优先可填进人计划名额")
        self.date = QDateEdit(QDate(self.today.year, self.today.month, self.today.day), objectName="decisionDate",
                              calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.doc = QLineEdit(objectName="decisionDoc", placeholderText="如 沂编〔2026〕12号")
        self.note = QLineEdit(objectName="decisionNote", placeholderText="备注（决定为“其他”时写明决定内容）")
        form.addRow("决定类型：", self.kind)
        form.addRow("编制数：", self.posts)
        form.addRow("决定日期：", self.date)
        form.addRow("文号：", self.doc)
        form.addRow("备注：", self.note)
        row.addLayout(form, 2)
        right = QVBoxLayout()
        right.addWidget(QLabel("依据（勾选，按现在的数据记入）："))
        self.evidence = QListWidget(objectName="decisionEvidence")
        self.evidence.setWordWrap(True)
        right.addWidget(self.evidence, 1)
        row.addLayout(right, 3)
        layout.addWidget(box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.record_button = QPushButton("记录决定", objectName="recordDecision")
        self.record_button.clicked.connect(self.record)
        close = QPushButton("关闭", objectName="closeDecisions")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.record_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        if not actor.is_admin:
            self.record_button.setEnabled(False)
            self.record_button.setToolTip("记录编制决定由编办管理员操作")
        self.options: list[D.Evidence] = []
        self.load()

    def load(self) -> None:
        self.history.set_rows(history_rows(D.decisions_of(self.db, self.mirrors, self.unit.unit_id)))
        try:
            self.options = D.evidence_options(self.db, self.mirrors, self.unit.unit_id, today=self.today)
        except AppError as exc:
            self.options = []
            show_error(self, "读取依据失败", exc)
        self.evidence.clear()
        for e in self.options:
            item = QListWidgetItem(f"［{e.kind}］{e.label}：{e.text}")
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.evidence.addItem(item)
        if not self.options:
            self.evidence.addItem("没有可用的依据（该单位尚无评估结果和统计数据），请在备注中写明依据")

    def chosen(self) -> list[D.Evidence]:
        return [e for i, e in enumerate(self.options)
                if self.evidence.item(i).checkState() == Qt.CheckState.Checked]

    def record(self) -> None:
        try:
            D.add_decision(self.db, self.mirrors, self.actor, self.unit.unit_id, kind=self.kind.currentText(),
                           posts=self.posts.value() or None, decided_on=self.date.date().toPython(),
                           doc_no=self.doc.text(), evidence=self.chosen(), note=self.note.text())
        except AppError as exc:
            show_error(self, "记录决定失败", exc)
            return
        self.recorded += 1
        self.doc.clear()
        self.note.clear()
        self.load()

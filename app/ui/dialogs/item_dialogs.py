"""Dialogs of the 工作事项 page: an item's form, an 审批服务事项's monthly counts, the Excel
import preview."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QSpinBox, QVBoxLayout)

from app.core.items import KINDS, SUPERVISED
from app.services.items.excel import ItemsImport
from app.services.items.manage import ItemInput
from app.ui.widgets.record_table import RecordTable

NO_SECTION = "（不指定）"


class ItemDialog(QDialog):
    """Add or edit one item. An item the 编办 issued shows its fields read-only: only its duties
    can be changed here."""

    def __init__(self, duties: list[tuple[str, str]], sections: list[str],
                 current: ItemInput | None = None, issued: bool = False, today: dt.date | None = None,
                 parent=None):
        super().__init__(parent)
        today = today or dt.date.today()
        self.setWindowTitle("编辑工作事项" if current else "新增工作事项")
        self.resize(640, 560)
        form = QFormLayout()
        self.kind = QComboBox(objectName="itemKind")
        self.kind.addItems(KINDS)
        self.code = QLineEdit(objectName="itemCode", maxLength=20, placeholderText="如 ZD01、DB-3")
        self.title = QLineEdit(objectName="itemTitle", maxLength=200)
        self.duties = QListWidget(objectName="itemDuties")
        for code, label in duties:
            entry = QListWidgetItem(label)
            entry.setData(Qt.ItemDataRole.UserRole, code)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.duties.addItem(entry)
        self.section = QComboBox(objectName="itemSection")
        self.section.addItems([NO_SECTION, *sections])
        self.has_deadline = QCheckBox("有截止日期", objectName="itemHasDeadline")
        self.deadline = QDateEdit(QDate(today.year, 12, 31), calendarPopup=True,
                                  displayFormat="yyyy-MM-dd", objectName="itemDeadline")
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.year = QSpinBox(minimum=2000, maximum=2100, value=today.year, objectName="itemYear")
        self.note = QLineEdit(objectName="itemNote")
        for label, widget in (("事项类型", self.kind), ("事项编号", self.code), ("事项名称", self.title),
                              ("关联职责（勾选）", self.duties), ("责任科室", self.section),
                              ("", self.has_deadline), ("截止日期", self.deadline), ("年度", self.year),
                              ("说明", self.note)):
            form.addRow(label, widget)
        if current is not None:
            self.kind.setCurrentText(current.kind)
            self.code.setText(current.code)
            self.title.setText(current.title)
            for row in range(self.duties.count()):
                entry = self.duties.item(row)
                if entry.data(Qt.ItemDataRole.UserRole) in current.duty_codes:
                    entry.setCheckState(Qt.CheckState.Checked)
            self.section.setCurrentText(current.section or NO_SECTION)
            if current.deadline:
                d = dt.date.fromisoformat(current.deadline)
                self.deadline.setDate(QDate(d.year, d.month, d.day))
            if current.year:
                self.year.setValue(current.year)
            self.note.setText(current.note)
        self.has_deadline.setChecked(bool(current.deadline) if current else False)
        self.deadline.setEnabled(self.has_deadline.isChecked())
        self.kind.currentTextChanged.connect(
            lambda k: self.has_deadline.setChecked(True) if k == SUPERVISED else None)
        layout = QVBoxLayout(self)
        if issued:
            for w in (self.kind, self.code, self.title, self.has_deadline, self.deadline,
                      self.year, self.section, self.note):
                w.setEnabled(False)
            layout.addWidget(QLabel("此事项由编办下发：类型、编号、名称、截止日期不能在本单位修改，可增加关联职责。"))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def value(self) -> ItemInput:
        codes = [self.duties.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.duties.count())
                 if self.duties.item(r).checkState() == Qt.CheckState.Checked]
        d = self.deadline.date()
        section = self.section.currentText()
        return ItemInput(self.kind.currentText(), self.code.text(), self.title.text(), codes,
                         "" if section == NO_SECTION else section,
                         dt.date(d.year(), d.month(), d.day()).isoformat() if self.has_deadline.isChecked() else "",
                         self.year.value(), self.note.text())


class CountDialog(QDialog):
    """受理 / 办结 / 超时 件数 of one month for an 审批服务事项."""

    def __init__(self, title: str, today: dt.date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"填报办理量：{title}")
        form = QFormLayout(self)
        self.period = QLineEdit(f"{today.year}-{today.month:02d}", objectName="countPeriod",
                                placeholderText="2026-10")
        self.accepted_n = QSpinBox(maximum=100000, objectName="countAccepted")
        self.finished_n = QSpinBox(maximum=100000, objectName="countFinished")
        self.overdue_n = QSpinBox(maximum=100000, objectName="countOverdue")
        for label, widget in (("月份", self.period), ("受理件数", self.accepted_n),
                              ("办结件数", self.finished_n), ("超时件数", self.overdue_n)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> tuple[str, int, int, int]:
        return (self.period.text().strip(), self.accepted_n.value(), self.finished_n.value(),
                self.overdue_n.value())


class ItemsPreviewDialog(QDialog):
    """What an import would do, row by row; 确认导入 accepts."""

    def __init__(self, preview: ItemsImport, file_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"导入预览：{file_name}")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        text = preview.result.summary().replace("已导入", "将导入", 1)
        layout.addWidget(QLabel(text, objectName="previewSummary", wordWrap=True))
        table = RecordTable(["行", "事项类型", "事项编号", "事项名称", "导入后"], 3)
        table.setObjectName("previewTable")
        table.set_rows([(r.row, r.kind, r.code, r.title, r.status) for r in preview.rows])
        layout.addWidget(table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确认导入")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

"""月度反馈 (编办): issue a month's 履职监测反馈 for every unit with one button, read each unit's,
write the 编办's remark. The next 下发包 of each unit (同步包 page) carries them. Who may do what
is decided in app.services.county.feedback."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView,
                               QLabel, QPlainTextEdit, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from app.core import feedback as FB
from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import feedback as bureau_fb
from app.services.county.mirrors import Mirrors
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.pages.feedback_tab import sections_html

HINT = ("月度反馈按单位生成（本单位数据、全县中位数与排名、未销号问题、预警提示和编办意见），"
        "随各单位下一个下发包送达（“同步包”页导出下发包）。重新生成会更新数据，保留已写的编办意见。")


def feedback_button(page) -> QPushButton:
    """The 月度反馈… button of the 全县分析 page (shown to 编办管理员)."""
    button = QPushButton("月度反馈…", objectName="monthlyFeedback")
    button.setToolTip("为各单位生成某月的履职监测反馈，填写编办意见")
    button.setVisible(bureau_fb.may_issue(page.db, page.actor))
    button.clicked.connect(lambda: FeedbackDialog(page.db, page.mirrors, page.actor,
                                                  page.today(), page).exec())
    return button


class FeedbackDialog(QDialog):
    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, today: dt.date, parent=None):
        super().__init__(parent, objectName="feedbackDialog")
        self.setWindowTitle("月度履职监测反馈")
        self.db, self.mirrors, self.actor, self.today = db, mirrors, actor, today
        self.found: list[bureau_fb.IssuedFeedback] = []
        self.month = QComboBox(objectName="feedbackMonth")
        self.month.addItems(bureau_fb.recent_months(today))
        self.month.currentIndexChanged.connect(lambda: self.load())
        self.issue_button = QPushButton("为各单位生成该月反馈", objectName="issueFeedback")
        self.issue_button.clicked.connect(lambda: self.issue())
        top = QHBoxLayout()
        for w in (QLabel("月份"), self.month, self.issue_button):
            top.addWidget(w)
        top.addStretch(1)
        self.table = QTableWidget(0, 2, objectName="feedbackUnits")
        self.table.setHorizontalHeaderLabels(["单位", "摘要"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.view = QTextBrowser(objectName="feedbackPreview")
        self.remark = QPlainTextEdit(objectName="feedbackRemark")
        self.remark.setPlaceholderText(f"编办意见（最多{FB.REMARK_MAX}字）")
        self.remark.setFixedHeight(70)
        self.save_button = QPushButton("保存编办意见", objectName="saveRemark", enabled=False)
        self.save_button.clicked.connect(lambda: self.save_remark())
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.view, 1)
        side.addWidget(self.remark)
        side.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([420, 520])
        self.state = QLabel(objectName="feedbackState", wordWrap=True)
        hint = QLabel(HINT, wordWrap=True)
        hint.setStyleSheet("color:#444")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(split, 1)
        layout.addWidget(self.state)
        self.resize(1000, 600)
        self.load()

    def current_month(self) -> str:
        return self.month.currentText()

    def load(self) -> None:
        self.found = bureau_fb.month_feedback(self.db, self.mirrors, self.current_month())
        self.table.setRowCount(len(self.found))
        for i, f in enumerate(self.found):
            self.table.setItem(i, 0, QTableWidgetItem(f.unit_name))
            summary = QTableWidgetItem(f.summary.split("：", 1)[-1] + ("；已写意见" if f.remark else ""))
            summary.setToolTip(summary.text() + (f"\n编办意见：{f.remark}" if f.remark else ""))
            self.table.setItem(i, 1, summary)
        self.state.setText(f"{self.current_month()}：已生成{len(self.found)}个单位的反馈" if self.found
                           else f"{self.current_month()}：尚未生成反馈")
        if self.found:
            self.table.selectRow(0)
        else:
            self.view.clear()
            self.remark.clear()
            self.save_button.setEnabled(False)

    def selected(self) -> bureau_fb.IssuedFeedback | None:
        rows = self.table.selectionModel().selectedRows()
        return self.found[rows[0].row()] if rows else None

    def _selected(self) -> None:
        f = self.selected()
        if f is None:
            return
        self.view.setHtml(f"<h2>{f.unit_name}{f.content.get('label', '')}</h2>"
                          + sections_html(FB.sections(f.content, f.remark)))
        self.remark.setPlainText(f.remark)
        self.save_button.setEnabled(True)

    def issue(self) -> None:
        try:
            issued = bureau_fb.issue_month(self.db, self.mirrors, self.actor, self.current_month(),
                                           today=self.today)
        except AppError as exc:
            show_error(self, "生成月度反馈失败", exc)
            return
        self.load()
        self.state.setText(f"已生成{self.current_month()}{len(issued)}个单位的月度反馈，"
                           f"随各单位下一个下发包送达")

    def save_remark(self) -> None:
        f = self.selected()
        if f is None:
            return
        row = self.table.currentRow()
        try:
            bureau_fb.set_remark(self.db, self.mirrors, self.actor, f.unit_id, f.month,
                                 self.remark.toPlainText())
        except AppError as exc:
            show_error(self, "保存编办意见失败", exc)
            return
        self.load()
        self.table.selectRow(row)
        self.state.setText(f"已保存{f.unit_name}的编办意见，随该单位下一个下发包送达")

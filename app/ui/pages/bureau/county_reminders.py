"""The 提醒 tab of the 全县分析 page (编办版): units whose 上报包 is overdue or due, whose 审核率
or 填报率 in the period shown is below the 编办's settings (app.services.county.reminders), the
settings themselves (编办管理员 changes them), and the 通报 of the period (生成通报…, a PDF by
app.services.reporting.county_notice)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.core import metrics as M
from app.core.bureau import reminders as R
from app.core.bureau.reminders import NoticeSettings
from app.db.engine import Database
from app.services.county import reminders
from app.services.county.mirrors import Mirrors
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.file_dialogs import ask_save_path, confirm_saved

COLUMNS = ("单位", "提醒事项", "情况")
TINTS = {R.PACKAGE_LATE: "#f8d7da", R.PACKAGE_DUE: "#fff3cd", R.REVIEW_LOW: "#fde2c8",
         R.SUBMISSION_LOW: "#fde2c8"}


class RemindersPanel(QWidget):
    status_message = Signal(str)
    counted = Signal(int)             # reminders shown (the tab's title)

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, settings: Settings, today,
                 runner: TaskRunner, open_reports: bool = True, parent=None):
        super().__init__(parent)
        self.mirrors = mirrors
        self.db, self.actor, self.settings, self.today, self.runner = db, actor, settings, today, runner
        self.open_reports, self.last_notice = open_reports, None
        self.shown: reminders.CountyReminders | None = None
        self._last = None
        self.summary = QLabel(objectName="reminderSummary", wordWrap=True, styleSheet="font-size:11pt")
        self.table = QTableWidget(0, len(COLUMNS), objectName="reminderTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.due_day = QSpinBox(objectName="dueDay", minimum=1, maximum=28)
        self.min_review = QSpinBox(objectName="minReview", minimum=0, maximum=100, suffix="%")
        self.min_submission = QSpinBox(objectName="minSubmission", minimum=0, maximum=100, suffix="%")
        self.save_button = QPushButton("保存设置", objectName="saveReminderSettings")
        self.save_button.clicked.connect(lambda: self.save_settings())
        editable = bool(actor.is_admin)
        for w in (self.due_day, self.min_review, self.min_submission, self.save_button):
            w.setEnabled(editable)
        bar = QHBoxLayout()
        for w in (QLabel("上报包每月"), self.due_day, QLabel("日前报送上月数据　审核率下限"), self.min_review,
                  QLabel("　填报率下限"), self.min_submission, self.save_button):
            bar.addWidget(w)
        bar.addStretch(1)
        if not editable:
            bar.addWidget(QLabel("（编办管理员可修改）"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        self._show_settings(reminders.notice_settings(db))

    def _show_settings(self, s: NoticeSettings) -> None:
        self.due_day.setValue(s.due_day)
        self.min_review.setValue(round(s.min_review * 100))
        self.min_submission.setValue(round(s.min_submission * 100))

    # ------------------------------------------------------------------ data
    def show_for(self, period: M.Period, rows: list) -> None:
        """The reminders on today, with 审核率 and 填报率 of `period` from the county table's rows."""
        self._last = (period, rows)
        try:
            found = reminders.reminders_of(self.db, self.mirrors, rows, period, self.today())
        except Exception as exc:          # noqa: BLE001 - shown, the county table stays usable
            show_error(self, "提醒", exc)
            return
        self.shown = found
        self.summary.setText(f"{found.summary()}。审核率、填报率按{period.label}统计；{found.settings.describe()}。")
        self.table.setRowCount(len(found.items))
        for row, r in enumerate(found.items):
            for col, text in enumerate((r.name, r.label, r.text)):
                item = QTableWidgetItem(text)
                item.setToolTip(r.text)
                if col == 1:
                    item.setBackground(QColor(TINTS[r.kind]))
                self.table.setItem(row, col, item)
        self.counted.emit(len(found.items))

    def save_settings(self) -> None:
        values = NoticeSettings(self.due_day.value(), self.min_review.value() / 100,
                                self.min_submission.value() / 100)
        try:
            saved = reminders.save_settings(self.db, self.actor, values)
        except Exception as exc:          # noqa: BLE001 - e.g. not an admin: the message says so
            show_error(self, "保存提醒设置", exc)
            return
        self._show_settings(saved)
        self.status_message.emit(f"提醒设置已保存：{saved.describe()}")
        if self._last is not None:
            self.show_for(*self._last)

    # ------------------------------------------------------------------ 通报
    def make_notice(self, period: M.Period | None, path: str | None = None) -> None:
        """The 通报 of `period` as a PDF (asks where to save it)."""
        from app.services.reporting.county_notice import build_county_notice
        from app.reports.county.notice_text import period_words
        if period is None:
            return
        if path is None:
            path = ask_save_path(self, "report_pdf", "保存通报", f"全县机关履职监测情况通报-{period_words(period)}.pdf",
                                 "PDF 文件 (*.pdf)", self.settings)
        if not path:
            return
        db, today = self.db, self.today()
        self.runner.run(lambda: build_county_notice(db, period, Path(path), today=today), self._notice_done,
                        lambda exc: show_error(self, "生成通报失败", exc), parent=self,
                        label="正在生成通报…")

    def _notice_done(self, info) -> None:
        self.last_notice = info.path
        self.status_message.emit(f"通报已生成：{info.path}（{info.pages}页）")
        if self.open_reports:
            confirm_saved(self, info.path, "通报")


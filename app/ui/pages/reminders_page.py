"""提醒与通报 (三提醒一通报): the actor's reminders, and for leaders the 通报 of missing logs and
overdue reviews for a period, exportable to Excel."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QDateEdit, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from app.core import permissions as perm
from app.core.errors import AppError
from app.db.engine import Database
from app.services.review import reminders
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_save_path, confirm_saved

TARGET_PAGE = {reminders.MISSING_LOG: "工作日志", reminders.RETURNED_LOG: "工作日志",
               reminders.REVIEW_QUEUE: "履职审阅", reminders.NOTICE_SUMMARY: "提醒与通报"}


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class RemindersPage(QWidget):
    status_message = Signal(str)
    go_to = Signal(str)            # navigation title of the page a reminder points to
    count_changed = Signal(int)

    def __init__(self, db: Database, actor: Actor, today=dt.date.today, parent=None):
        super().__init__(parent)
        self.db, self.actor, self.today = db, actor, today
        self.items: list[reminders.Reminder] = []
        layout = QVBoxLayout(self)
        box = QGroupBox("我的提醒（双击前往处理）")
        bl = QVBoxLayout(box)
        self.list = QListWidget(objectName="reminderList")
        self.list.itemDoubleClicked.connect(self._open)
        bl.addWidget(self.list)
        layout.addWidget(box)
        self.notice_box = None
        if reminders.notice_scopes(actor.role) - {perm.SELF}:
            layout.addWidget(self._notice_box(), 1)
        else:
            layout.addStretch(1)
        self.refresh()

    def _notice_box(self) -> QGroupBox:
        box = QGroupBox("通报：未提交日志与超期未审")
        layout = QVBoxLayout(box)
        calendar = work_calendar(self.db)
        # up to the last working day before today: today's log is not late until the day is over
        end = calendar.previous_working_day(self.today()) or self.today()
        start = end
        for _ in range(reminders.NOTICE_DAYS - 1):
            start = calendar.previous_working_day(start) or start
        self.start = QDateEdit(QDate(start.year, start.month, start.day), calendarPopup=True,
                               displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(QDate(end.year, end.month, end.day), calendarPopup=True,
                             displayFormat="yyyy-MM-dd")
        run = QPushButton("生成通报", objectName="makeNotice")
        run.clicked.connect(self.make_notice)
        export = QPushButton("导出Excel…", objectName="exportNotice")
        export.clicked.connect(lambda: self.export_notice())     # not clicked(False) as the path
        row = QHBoxLayout()
        for w in (QLabel("期间"), self.start, QLabel("至"), self.end, run, export):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.notice_summary = QLabel(objectName="noticeSummary")
        layout.addWidget(self.notice_summary)
        self.missing = RecordTable(["姓名", "科室", "未提交天数", "未提交日期"], 3)
        self.missing.setObjectName("missingTable")
        self.overdue = RecordTable(["填报人", "科室", "日志日期", "已等待工作日", "应审阅人", "级次"], 4)
        self.overdue.setObjectName("overdueTable")
        tables = QHBoxLayout()
        tables.addWidget(self.missing)
        tables.addWidget(self.overdue)
        layout.addLayout(tables, 1)
        self.notice_box = box
        self.current_notice = None
        self.make_notice()
        return box

    def refresh(self) -> None:
        self.items = reminders.reminders_for(self.db, self.actor, self.today())
        self.list.clear()
        for r in self.items:
            text = r.text + ("\n    " + "\n    ".join(r.details) if r.details else "")
            item = QListWidgetItem(text)
            item.setData(256, r.kind)
            self.list.addItem(item)
        if not self.items:
            self.list.addItem("没有需要处理的事项")
        self.count_changed.emit(len(self.items))

    def _open(self, item: QListWidgetItem) -> None:
        kind = item.data(256)
        if kind in TARGET_PAGE:
            self.go_to.emit(TARGET_PAGE[kind])

    def make_notice(self) -> None:
        try:
            self.current_notice = reminders.notice(self.db, self.actor, _date(self.start.date()),
                                                   _date(self.end.date()), as_of=self.today())
        except AppError as exc:
            show_error(self, "生成通报失败", exc)
            return
        n = self.current_notice
        self.notice_summary.setText(
            f"{n.start}至{n.end}，{n.working_days}个工作日，{n.people}人："
            f"{len(n.missing)}人有未提交的日志；超期（超过{n.overdue_days}个工作日）未审 {len(n.overdue)} 篇")
        self.missing.set_rows([(m.name, m.section, len(m.missing_days),
                                "、".join(d.strftime("%m-%d") for d in m.missing_days))
                               for m in n.missing])
        self.overdue.set_rows([(o.author, o.section, o.day.isoformat(), o.waiting_days, o.reviewer,
                                o.level) for o in n.overdue])

    def export_notice(self, path: str | None = None) -> None:
        if self.current_notice is None:
            return
        asked = path is None    # a path chosen here is confirmed with 打开 / 打开所在文件夹
        if asked:
            path = ask_save_path(self, "excel_export", "导出通报",
                                 f"履职通报-{self.current_notice.end}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            reminders.export_notice_xlsx(self.current_notice, Path(path))
        except OSError as exc:
            show_error(self, "导出失败", AppError(f"无法写入 {path}：{exc}"))
            return
        self.status_message.emit(f"通报已导出：{path}")
        if asked:
            confirm_saved(self, path, "Excel文件")

"""代审 settings of the current reviewer: list, add, cancel."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import delegation, structure as org
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class DelegationDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("代审设置")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("外出期间，可指定他人代为审阅。代审记录会注明“代某某审阅”。"))
        self.table = RecordTable(["代审人", "开始", "结束"], 0)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.person = QComboBox(objectName="delegate")
        for p in org.persons(db):
            if p.login != actor.login and p.status in ("在职", "借调"):
                self.person.addItem(f"{p.name}（{p.login}，{p.section or p.role}）", p.login)
        today = QDate.currentDate()
        self.start = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(today.addDays(6), calendarPopup=True, displayFormat="yyyy-MM-dd")
        add = QPushButton("添加", objectName="addDelegation")
        add.clicked.connect(self.add)
        cancel = QPushButton("取消选中的代审")
        cancel.clicked.connect(self.cancel_selected)
        for w in (self.person, QLabel("从"), self.start, QLabel("至"), self.end, add, cancel):
            row.addWidget(w)
        layout.addLayout(row)
        self.resize(680, 320)
        self.refresh()

    def refresh(self) -> None:
        self.rows = delegation.my_delegations(self.db, self.actor)
        self.table.set_rows([(f"{r.delegate_name}（{r.delegate_login}）", r.start.isoformat(),
                              r.end.isoformat()) for r in self.rows])

    def add(self) -> None:
        try:
            delegation.set_delegation(self.db, self.actor, self.person.currentData(),
                                      _date(self.start.date()), _date(self.end.date()))
        except AppError as exc:
            show_error(self, "设置代审失败", exc)
        self.refresh()

    def cancel_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            delegation.cancel_delegation(self.db, self.actor, self.rows[row].id)
            self.refresh()

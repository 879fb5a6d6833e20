"""单位履职动态: finally approved logs of the whole unit, filtered and paged (200 rows a page)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from app.db.engine import Database
from app.services.logs import daily as logs, published
from app.services.org import structure as org
from app.services.org.actor import Actor
from app.ui.widgets.record_table import RecordTable


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class PublishedPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.rows: list[published.PublishedEntry] = []
        self.total = 0
        self.section = QComboBox(objectName="pubSection")
        self.section.addItem("全部科室", None)
        for s in org.sections(db):
            self.section.addItem(s.name, s.name)
        self.person = QComboBox(objectName="pubPerson")
        self.person.addItem("全部人员", None)
        for p in org.persons(db):
            self.person.addItem(f"{p.name}（{p.login}）", p.login)
        self.category = QComboBox(objectName="pubCategory")
        self.category.addItem("全部类别", None)
        for name in logs.category_names(db, include_retired=True):
            self.category.addItem(name, name)
        self.duty = QComboBox(objectName="pubDuty")
        self.duty.addItem("全部职责", None)
        for d in org.duties(db):
            self.duty.addItem(f"{d.code} {d.content[:24]}", d.code)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addMonths(-1), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.text = QLineEdit(placeholderText="内容关键词", objectName="pubText")
        search = QPushButton("查询", objectName="pubSearch")
        search.clicked.connect(self.search)
        self.text.returnPressed.connect(self.search)
        filters = QHBoxLayout()
        # combos as wide as a short name, not their longest item: the row must fit 1366 px
        for combo, letters in ((self.section, 8), (self.person, 8), (self.category, 6), (self.duty, 14)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(letters)
        for w in (self.section, self.person, self.category, self.duty, self.start, QLabel("至"),
                  self.end, self.text, search):
            filters.addWidget(w)
        self.table = RecordTable(["日期", "姓名", "科室", "工时", "类别", "关联职责", "工作内容"], 6)
        self.table.setObjectName("pubTable")
        # the duty wraps in a column of its own width; the work itself gets the rest
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(5, 260)
        self.count = QLabel(objectName="pubCount")
        self.more = QPushButton("加载更多", objectName="pubMore")
        self.more.clicked.connect(self.load_more)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.more)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("已终审的日志在单位内公开；涉密事项只显示“涉密工作”，不显示内容。"))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.search()

    def current_filter(self) -> published.PublishedFilter:
        return published.PublishedFilter(
            section=self.section.currentData(), person_login=self.person.currentData(),
            start=_date(self.start.date()), end=_date(self.end.date()),
            category=self.category.currentData(), duty_code=self.duty.currentData(),
            text=self.text.text().strip() or None)

    def search(self) -> None:
        self.rows, self.total = published.browse(self.db, self.actor, self.current_filter())
        self._show()

    def load_more(self) -> None:
        more, self.total = published.browse(self.db, self.actor, self.current_filter(),
                                             offset=len(self.rows))
        self.rows += more
        self._show()

    def _show(self) -> None:
        self.table.set_rows([(r.day.isoformat(), r.person, r.section, f"{r.hours:g}", r.category,
                              r.duty, r.content) for r in self.rows])
        self.count.setText(f"共 {self.total} 条，已显示 {len(self.rows)} 条")
        self.more.setEnabled(len(self.rows) < self.total)

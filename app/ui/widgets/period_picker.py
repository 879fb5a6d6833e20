"""Period chooser: month, quarter, half year (上半年/下半年), year or a custom range (统计分析 and
全县分析 pages)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QSpinBox, QWidget

from app.core import metrics as M

KINDS = ("月度", "季度", "半年", "年度", "自定义")
HALVES = ("上半年", "下半年")


class PeriodPicker(QWidget):
    def __init__(self, today: dt.date, parent=None):
        super().__init__(parent)
        self.kind = QComboBox(objectName="periodKind")
        self.kind.addItems(KINDS)
        self.year = QSpinBox(minimum=2000, maximum=2100, value=today.year, objectName="periodYear")
        self.part = QSpinBox(minimum=1, maximum=12, value=today.month, objectName="periodPart")
        self.half = QComboBox(objectName="periodHalf")
        self.half.addItems(HALVES)
        self.half.setCurrentIndex(0 if today.month <= 6 else 1)
        self.start = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.start.setDate(today.replace(day=1))
        self.end.setDate(today)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.kind, self.year, self.part, self.half, self.start, self.end):
            layout.addWidget(w)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentText()
        self.part.setVisible(kind in ("月度", "季度"))
        self.half.setVisible(kind == "半年")
        self.year.setVisible(kind != "自定义")
        self.part.setMaximum(12 if kind == "月度" else 4)
        if kind == "季度":
            self.part.setValue(min(self.part.value(), 4))
        for w in (self.start, self.end):
            w.setVisible(kind == "自定义")

    def period(self) -> M.Period:
        kind, year, part = self.kind.currentText(), self.year.value(), self.part.value()
        if kind == "月度":
            return M.month_period(year, part)
        if kind == "季度":
            return M.quarter_period(year, part)
        if kind == "半年":
            return M.half_period(year, self.half.currentIndex() + 1)
        if kind == "年度":
            return M.year_period(year)
        s, e = self.start.date(), self.end.date()
        return M.range_period(dt.date(s.year(), s.month(), s.day()), dt.date(e.year(), e.month(), e.day()))

    def set_text(self, text: str) -> None:
        """Select a period from its text form or label (2026-10, 2026-Q4, 2026-H1, 2026年上半年,
        2026, a..b)."""
        p = M.parse_period(text)
        if p.kind == "range":
            self.kind.setCurrentText("自定义")
            self.start.setDate(p.start)
            self.end.setDate(p.end)
        elif p.kind == "quarter":
            self.kind.setCurrentText("季度")
            self.year.setValue(p.start.year)
            self.part.setValue((p.start.month - 1) // 3 + 1)
        elif p.kind == "half":
            self.kind.setCurrentText("半年")
            self.year.setValue(p.start.year)
            self.half.setCurrentIndex(0 if p.start.month <= 6 else 1)
        elif p.kind == "month":
            self.kind.setCurrentText("月度")
            self.year.setValue(p.start.year)
            self.part.setValue(p.start.month)
        else:
            self.kind.setCurrentText("年度")
            self.year.setValue(p.start.year)

"""Month calendar that colours each day by the state of the user's log."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QCalendarWidget

from app.core import vocab
from app.services.logs.daily import DayStatus

STATE_COLOURS = {
    vocab.LOG_DRAFT: QColor("#f5c542"),
    vocab.LOG_SUBMITTED: QColor("#4a90d9"),
    vocab.LOG_RETURNED: QColor("#d9534f"),
    vocab.LOG_APPROVED: QColor("#3c9d5d"),
}
LEAVE_COLOUR = QColor("#9b9b9b")
LEGEND = [("草稿", "#f5c542"), ("已提交", "#4a90d9"), ("已退回", "#d9534f"), ("已审定", "#3c9d5d"),
          ("请假/公休", "#9b9b9b")]


def to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class LogCalendar(QCalendarWidget):
    def __init__(self, is_working_day, parent=None):
        super().__init__(parent)
        self.statuses: dict[dt.date, DayStatus] = {}
        self.is_working_day = is_working_day
        self.setGridVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setMaximumDate(QDate.currentDate())

    def set_statuses(self, statuses: dict[dt.date, DayStatus]) -> None:
        self.statuses = statuses
        self.updateCells()

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate) -> None:
        day = to_date(date)
        if not self.is_working_day(day) and date.month() == self.monthShown():
            painter.fillRect(rect, QColor("#f1f1f1"))
        super().paintCell(painter, rect, date)
        status = self.statuses.get(day)
        if status is None:
            return
        colour = (LEAVE_COLOUR if status.day_state in vocab.DAY_STATES_WITHOUT_EXPECTED_HOURS
                  and status.hours == 0 else STATE_COLOURS.get(status.state))
        if colour is not None:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect.adjusted(4, rect.height() - 7, -4, -3), 2, 2)
            painter.restore()

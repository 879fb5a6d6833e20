"""The log page's calendar legend stays on one line (a wrapped legend split 请假/公休 from its
colour and pushed the month summary down)."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QLabel

from app.reports.typeset.fonts import bundled_font_path
from tests.ui.test_log_page import login_as, make_page


def test_calendar_legend_is_one_line(qtbot, staff_db, settings):
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled_font_path())))[0]
    actor = login_as(qtbot, staff_db, "li")
    page = make_page(qtbot, staff_db, actor, settings)
    legend = page.findChild(QLabel, "calendarLegend")
    legend.setFont(QFont(family, 10))
    page.resize(1200, 700)
    page.show()
    QApplication.processEvents()
    assert not legend.wordWrap() and "请假/公休" in legend.text()
    assert legend.width() >= legend.sizeHint().width()       # nothing cut or wrapped
    assert legend.height() < 2 * legend.fontMetrics().height()

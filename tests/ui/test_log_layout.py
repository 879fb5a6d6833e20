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


def test_rows_are_measured_again_when_the_page_gets_wider(qtbot, staff_db, settings):
    """The rows were ~120 px tall at 1366×768: measured while the stretched 工作内容 column was
    still narrow (the page built before it is laid out), and never again once it had its width."""
    from app.services.logs import daily as logs
    from app.ui.pages.log_page import LogPage
    from tests.ui.test_log_page import TODAY
    actor = login_as(qtbot, staff_db, "li")
    logs.save_day(staff_db, actor, TODAY, "正常", [logs.EntryDraft(
        hours=6, category="业务工作", content="对城区9家加油站开展价格检查，重点检查富民路加油站的明码标价情况")],
        today=TODAY)
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled_font_path())))[0]
    page = LogPage(staff_db, actor, settings, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.table.setFont(QFont(family, 10))        # glyphs with widths: without them nothing wraps
    page.table.resizeRowsToContents()            # as the day's entries load, before the layout
    assert page.table.rowHeight(0) > 3 * page.table.fontMetrics().height()
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.table.rowHeight(0) <= 3 * page.table.fontMetrics().height() + 12,
                    timeout=2000)

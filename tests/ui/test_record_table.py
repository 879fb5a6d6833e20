"""RecordTable rows fit their text at the width the table is shown at: the 编办's 用单 table was
filled while its tab was hidden (narrow columns, wrapped text), and its rows stayed ~170 px tall
once shown at full width."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.reports.typeset.fonts import bundled_font_path
from app.ui.widgets.record_table import RecordTable

HEADERS = ["排名", "单位", "指标体系", "阶段", "自评得分", "编办评分", "问题", "未销号", "逾期"]
ROW = ("—", "沂河县人大常委会办公室", "人大政协机关评估指标体系", "定单", 0, "未完成（0/34）", 0, 0, 0)


def test_rows_filled_while_hidden_fit_once_shown(qtbot):
    # the CJK font the app uses where the system has none: without glyphs nothing wraps
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled_font_path())))[0]
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("定单"), "定单")
    page = QWidget()
    table = RecordTable(HEADERS, 1)
    table.setFont(QFont(family, 10))
    QVBoxLayout(page).addWidget(table)
    table.resize(160, 100)                       # not shown yet: narrow
    table.set_rows([ROW] * 3)
    one_line = table.fontMetrics().height()
    assert table.rowHeight(0) > 3 * one_line     # measured wrapped at the narrow width
    tabs.addTab(page, "用单")
    tabs.resize(1200, 600)
    tabs.show()
    tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: all(table.rowHeight(r) < 2 * one_line for r in range(3)), timeout=2000)

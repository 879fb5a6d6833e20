"""RecordTable: rows fit their text at the width the table is shown at (the 编办's 用单 table was
filled while its tab was hidden and its rows stayed ~170 px tall once shown), and a shown table
refilled with a few hundred rows stays quick (单位履职动态's 查询 took 10 s for 200 rows: every item
made it size all its columns again; found by the GUI walk)."""
from __future__ import annotations

import time

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


def test_two_hundred_rows_fill_a_shown_table_quickly_with_columns_fitting(qtbot):
    rows = [("2026-11-30", "董华军" * (1 + i % 3), "办公室", "2.5", "核心职责", "SD-01 食品生产经营监督检查",
             "起草会议纪要并报送分管领导审核，" * (1 + i % 5)) for i in range(200)]
    table = RecordTable(["日期", "姓名", "科室", "工时", "类别", "关联职责", "工作内容"], 6)
    qtbot.addWidget(table)
    table.set_rows(rows)               # refilled, as 查询 does
    table.resize(1000, 600)
    table.show()
    qtbot.waitExposed(table)
    started = time.perf_counter()
    table.set_rows(rows)
    assert time.perf_counter() - started < 3.0       # 0.07 s; 10 s before the fix
    assert table.rowCount() == 200 and table.item(199, 1).text() == rows[199][1]
    widest = max(table.fontMetrics().horizontalAdvance(r[1]) for r in rows)
    assert table.columnWidth(1) >= widest             # sized to its longest name

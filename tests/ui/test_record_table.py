"""RecordTable: a shown table refilled with a few hundred rows stays quick and still sizes its
columns to their contents (单位履职动态's 查询 took 10 s for 200 rows: every item replaced in a
shown table made it size all its columns again; found by the GUI walk)."""
from __future__ import annotations

import time

from app.ui.widgets.record_table import RecordTable


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

"""The 工时 editor of the log table shows its whole text ("10.5 小时") although the column is
only 64 px wide: it reaches over the next cell while open instead of clipping 小时."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDoubleSpinBox, QTableView

from app.reports.typeset.fonts import bundled_font_path
from app.ui.widgets.entry_delegates import HoursDelegate


def test_hours_editor_is_wide_enough_for_its_text(qtbot):
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled_font_path())))[0]
    model = QStandardItemModel(1, 2)
    model.setItem(0, 0, QStandardItem("10.5"))
    view = QTableView()
    view.setFont(QFont(family, 10))
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(0, HoursDelegate(view))
    view.setColumnWidth(0, 64)
    view.resize(400, 200)
    view.show()
    view.edit(model.index(0, 0))
    editor = view.findChild(QDoubleSpinBox)
    qtbot.waitUntil(lambda: editor.isVisible())
    assert editor.text() == "10.5 小时"
    shown = editor.lineEdit()
    assert shown.width() >= shown.fontMetrics().horizontalAdvance(editor.text()) + 4

"""A read-only table filled from plain rows (tuples), with sorting and copy-friendly selection."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


class RecordTable(QTableWidget):
    def __init__(self, headers: list[str], stretch_column: int | None = None, parent=None):
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(headers)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        head = self.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch_column is not None:
            head.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        # Row heights follow the wrapped text at the columns' current widths: a table filled while
        # hidden (a tab not shown yet) is narrow, so its rows were measured far too tall. Measure
        # again once the columns have their real widths (once per event-loop turn, not per column).
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self._fit_rows)
        head.sectionResized.connect(lambda *_: self._refit.start())

    def _fit_rows(self) -> None:
        if self.rowCount() <= 500 and self.isVisible():
            self.resizeRowsToContents()

    def set_rows(self, rows) -> None:
        """Show rows in the order given; clicking a header sorts from then on."""
        self.setSortingEnabled(False)
        head = self.horizontalHeader()
        head.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # A shown table would size its columns to their contents again after every item (7 ms
        # each: 200 rows of 单位履职动态 took 10 s); they are sized once, after the last one.
        modes = [head.sectionResizeMode(c) for c in range(self.columnCount())]
        for c, mode in enumerate(modes):
            if mode == QHeaderView.ResizeMode.ResizeToContents:
                head.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem()
                item.setData(0, value if isinstance(value, (int, float)) else str(value))
                self.setItem(r, c, item)
        for c, mode in enumerate(modes):
            head.setSectionResizeMode(c, mode)
        self.setSortingEnabled(True)
        if len(rows) <= 500:  # wrapped text needs taller rows; skip the cost on long tables
            self.resizeRowsToContents()
            self._refit.stop()

"""A figure on a card with its coloured light (统计分析 and the drill-down): clicking it explains
the figure."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

from app.ui.widgets.stats_charts import BAND_COLOURS


class MetricCard(QPushButton):
    """A figure with its light; clicking explains it."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.setMinimumHeight(66)
        self.setStyleSheet("QPushButton{padding:4px 8px; border:1px solid #ccc; border-radius:4px;"
                           "background:#fafafa} QPushButton:hover{background:#eef4ff}")
        self.label = QLabel(objectName="cardText")
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)

    def show_value(self, value: str, band: str | None = None, note: str = "") -> None:
        light = f"<span style='color:{BAND_COLOURS[band]}'>●</span> " if band is not None else ""
        self.label.setText(f"<span style='color:#666'>{self.title}</span><br>{light}"
                           f"<span style='font-size:15pt; font-weight:bold'>{value}</span>"
                           f"<span style='color:#888'> {note}</span>")

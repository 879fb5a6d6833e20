"""On-screen statistics charts (pyqtgraph). Print charts are reportlab's (app/reports/typeset/charts.py).

Each chart is a PlotWidget fed with plain numbers; `save_png` writes what is shown."""
from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from app.core import metrics as M

pg.setConfigOptions(antialias=True, background="w", foreground="#333")

BAND_COLOURS = {M.GREEN: "#3c9d5d", M.YELLOW: "#e0a526", M.RED: "#d9534f", None: "#9b9b9b"}
SERIES = ["#3b6fb6", "#e07b39", "#5aa469", "#b84c7d", "#7f6bb3", "#4db3c4", "#c9a227", "#8c8c8c",
          "#a05a2c", "#2f8f83"]


class _Chart(pg.PlotWidget):
    def __init__(self, title: str, parent=None):
        super().__init__(parent=parent)
        self.setMinimumHeight(220)
        self.setTitle(title, color="#222", size="11pt")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getPlotItem().showGrid(y=True, alpha=0.2)
        font = QFont()
        font.setPointSize(9)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setStyle(tickFont=font)

    def _category_axis(self, labels: list[str]) -> None:
        self.getAxis("bottom").setTicks([[(i, label) for i, label in enumerate(labels)]])

    def save_png(self, path: Path | str) -> None:
        self.grab().save(str(path))


def _tint(colour: str, alpha: int = 40) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class SaturationChart(_Chart):
    """Saturation of each child (section or person) as horizontal bars, the bands drawn behind."""

    def __init__(self, parent=None):
        super().__init__("工作饱和度（%）", parent)

    def show_values(self, names: list[str], values: list[float | None], bands: M.Bands,
                    band_of: list[str | None]) -> None:
        self.clear()
        right = max([v * 100 for v in values if v is not None] + [bands.yellow_high * 100]) + 10
        for low, high, colour in ((0, bands.yellow_low * 100, M.RED),
                                  (bands.yellow_low * 100, bands.green_low * 100, M.YELLOW),
                                  (bands.green_low * 100, bands.green_high * 100, M.GREEN),
                                  (bands.green_high * 100, bands.yellow_high * 100, M.YELLOW),
                                  (bands.yellow_high * 100, right, M.RED)):
            self.addItem(pg.LinearRegionItem((low, high), orientation="vertical", movable=False,
                                             brush=_tint(BAND_COLOURS[colour]), pen=pg.mkPen(None)))
        self.addItem(pg.InfiniteLine(100, angle=90, pen=pg.mkPen("#555", style=Qt.PenStyle.DashLine)))
        n = len(values)
        ys = list(range(n))[::-1]            # first child on top
        shown = [0 if v is None else v * 100 for v in values]
        self.addItem(pg.BarGraphItem(x0=[0] * n, y=ys, width=shown, height=0.6,
                                     brushes=[QColor(BAND_COLOURS[b]) for b in band_of],
                                     pens=[pg.mkPen(None)] * n))
        for y, v in zip(ys, values):
            label = pg.TextItem("—" if v is None else f"{v * 100:.1f}%", color="#222", anchor=(0, 0.5))
            label.setPos(0 if v is None else v * 100, y)
            self.addItem(label)
        self.getAxis("left").setTicks([[(y, _short(name, 10)) for y, name in zip(ys, names)]])
        self.getAxis("bottom").setTicks(None)
        self.setXRange(0, right + 12)
        self.setYRange(-0.6, n - 0.4)
        self.setMinimumHeight(max(220, 26 * n + 60))


class BucketChart(_Chart):
    def __init__(self, parent=None):
        super().__init__("日均工时分布（人数）", parent)

    def show_values(self, buckets: dict[str, int]) -> None:
        self.clear()
        counts = [buckets.get(k, 0) for k in M.BUCKETS]
        self.addItem(pg.BarGraphItem(x=list(range(4)), height=counts, width=0.6, brush=SERIES[0]))
        self._category_axis([M.BUCKET_LABELS[k] for k in M.BUCKETS])


class CategoryChart(_Chart):
    def __init__(self, parent=None):
        super().__init__("工作类别分布（小时）", parent)

    def show_values(self, hours_by_category: dict[str, float]) -> None:
        self.clear()
        items = sorted(hours_by_category.items(), key=lambda kv: -kv[1])
        self.addItem(pg.BarGraphItem(x=list(range(len(items))), height=[h for _, h in items],
                                     width=0.6, brushes=[SERIES[i % len(SERIES)] for i in range(len(items))]))
        self._category_axis([name for name, _ in items])


class FocusChart(_Chart):
    def __init__(self, parent=None):
        super().__init__("主责主业聚焦度（工时占比 %）", parent)

    def show_values(self, focus: dict[str, float | None]) -> None:
        self.clear()
        values = [(focus.get(k) or 0) * 100 for k in M.FOCUS_KEYS]
        self.addItem(pg.BarGraphItem(x=[0, 1, 2], height=values, width=0.6,
                                     brushes=["#3b6fb6", "#7fa7d9", "#c9d6ea"]))
        for i, v in enumerate(values):
            label = pg.TextItem(f"{v:.1f}%", color="#222", anchor=(0.5, 1))
            label.setPos(i, v)
            self.addItem(label)
        self._category_axis([M.FOCUS_LABELS[k] for k in M.FOCUS_KEYS])
        self.setYRange(0, max(values + [10]) * 1.15)


class TrendChart(_Chart):
    def __init__(self, parent=None):
        super().__init__("每周工时与饱和度趋势", parent)

    def show_values(self, weeks) -> None:
        self.clear()
        xs = list(range(len(weeks)))
        self.plot(xs, [w.logged_hours for w in weeks], pen=pg.mkPen(SERIES[0], width=2),
                  symbol="o", symbolSize=5, symbolBrush=SERIES[0], name="计入工时")
        self.plot(xs, [w.expected_hours for w in weeks], pen=pg.mkPen("#999", width=1,
                                                                       style=Qt.PenStyle.DashLine),
                  name="应出勤工时")
        step = max(1, len(weeks) // 8)
        # a week cut by the period's edge (or by today) is labelled with its days, so a short
        # week reads as short, not as a drop
        self.getAxis("bottom").setTicks([[(i, _week_label(w)) for i, w in enumerate(weeks)
                                          if i % step == 0 or (w.partial and i == len(weeks) - 1)]])


def _week_label(week) -> str:
    if not week.partial:
        return week.start.strftime("%m-%d")
    return f"{week.start:%m-%d}～{week.end:%d}（{week.working_days}个工作日）"


def _short(name: str, limit: int = 6) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"

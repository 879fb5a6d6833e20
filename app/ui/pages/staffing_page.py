"""人员编制 page: quota vs actual per 编制类型, leadership posts, age/education/gender structure,
借调 people and how long, the 5-year retirement forecast, warnings, charts and Excel.

单位版: the unit's own roster (admin, 主要领导, 分管领导; the service refuses others and the page
says so). 编办版 (`mirrors` given): the county totals with one row per unit, or one unit picked
from the list, read from its mirror. The retirement rules open in a dialog; the admin may edit
them (a JSON document, checked before it is saved)."""
from __future__ import annotations

import datetime as dt
import json

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout,
                               QLabel, QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout,
                               QWidget)

from app.core import metrics as M
from app.core.bureau import retirement as R
from app.core import vocab
from app.core.errors import AppError, PermissionDenied
from app.db.engine import Database
from app.services.county import staffing as S
from app.services.org import unit_settings, settings_change
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.stats_charts import SERIES, _Chart
from app.services.county.mirrors import registered_units
from app.ui.widgets.file_dialogs import ask_folder, ask_save_path, confirm_saved
from app.ui.pages.decisions_tab import TAB as DECISIONS_TAB, decision_lines, decision_table

COUNTY = ""                     # the unit picker's value for the county totals
OVER, QUOTA = "#d9534f", "#c9d6ea"


def _label(text: str, x: float, y: float, anchor=(0.5, 1)) -> pg.TextItem:
    item = pg.TextItem(text, color="#222", anchor=anchor)
    item.setPos(x, y)
    return item


def _legend(chart: _Chart, offset=(-10, 10), columns: int = 1):
    item = chart.getPlotItem()
    return item.legend or item.addLegend(offset=offset, colCount=columns)


def _type_order(kind: str) -> int:
    return vocab.STAFFING_TYPES.index(kind) if kind in vocab.STAFFING_TYPES else len(vocab.STAFFING_TYPES)


def _count_axis(chart: _Chart, top: float) -> None:
    """People are whole: integer ticks on small charts."""
    chart.setYRange(0, top)
    axis = chart.getAxis("left")
    if top <= 12:
        axis.setTickSpacing(1, 1)
    else:
        axis.setTickSpacing()


class QuotaChart(_Chart):
    """Quota (light) beside actual (blue; red when over) per 编制类型."""

    def __init__(self, parent=None):
        super().__init__("核定编制与实有人数", parent)

    def show_values(self, rows: list[S.TypeRow]) -> None:
        self.clear()
        _legend(self).clear()
        xs = list(range(len(rows)))
        quotas = [r.quota or 0 for r in rows]
        actual = [r.actual for r in rows]
        self.addItem(pg.BarGraphItem(x=[x - 0.18 for x in xs], height=quotas, width=0.34, brush=QUOTA,
                                     pen=pg.mkPen(None), name="核定编制"))
        self.addItem(pg.BarGraphItem(x=[x + 0.18 for x in xs], height=actual, width=0.34,
                                     brush=SERIES[0], brushes=[QColor(OVER if r.over else SERIES[0]) for r in rows],
                                     pens=[pg.mkPen(None)] * len(rows), name="实有人数（红色为超编）"))
        for x, r in zip(xs, rows):
            self.addItem(_label("—" if r.quota is None else str(r.quota), x - 0.18, r.quota or 0))
            self.addItem(_label(str(r.actual), x + 0.18, r.actual))
        self._category_axis([r.staffing_type for r in rows])
        self.setXRange(-0.6, max(len(rows), 1) - 0.4)
        _count_axis(self, max(quotas + actual + [1]) * 1.3)


class AgeChart(_Chart):
    def __init__(self, parent=None):
        super().__init__("年龄结构（人数）", parent)

    def show_values(self, ages: dict[str, int]) -> None:
        self.clear()
        bands = [b for b in R.AGE_BAND_NAMES if b != R.UNKNOWN or ages.get(b)]
        counts = [ages.get(b, 0) for b in bands]
        self.addItem(pg.BarGraphItem(x=list(range(len(bands))), height=counts, width=0.6,
                                     brush=SERIES[2], pen=pg.mkPen(None)))
        for x, n in enumerate(counts):
            self.addItem(_label(str(n), x, n))
        self._category_axis(bands)
        _count_axis(self, max(counts + [1]) * 1.2)


class RetirementChart(_Chart):
    """People reaching their retirement day per year, stacked by 编制类型."""

    def __init__(self, parent=None):
        super().__init__("未来5年退休人数（按编制类型）", parent)

    def show_values(self, counts: dict[int, dict[str, int]]) -> None:
        self.clear()
        _legend(self, offset=(10, 5), columns=len(vocab.STAFFING_TYPES)).clear()   # one row, top left
        years = list(counts)
        kinds = sorted({k for c in counts.values() for k in c}, key=_type_order)
        base = [0] * len(years)
        for kind in kinds:
            heights = [counts[y].get(kind, 0) for y in years]
            self.addItem(pg.BarGraphItem(x=list(range(len(years))), y0=base, height=heights, width=0.6,
                                         brush=SERIES[_type_order(kind) % len(SERIES)],
                                         pen=pg.mkPen(None), name=kind))
            base = [b + h for b, h in zip(base, heights)]
        for x, total in enumerate(base):
            self.addItem(_label(str(total), x, total))
        self._category_axis([f"{y}年" for y in years])
        _count_axis(self, max(base + [1]) * 1.3 + 1)


class StaffingPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, mirrors=None, today=dt.date.today, parent=None,
                 runner=None):
        super().__init__(parent)
        # The 编办 reads every mirror (about 25 ms a unit): with the 编办 pages' runner it does so
        # in the background; the unit's own roster is read at once.
        self.db, self.actor, self.mirrors, self.runner = db, actor, mirrors, runner
        self.today = today if callable(today) else (lambda: today)
        self.analysis: S.Analysis | None = None
        self._build()
        self.reload()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        bar = QHBoxLayout()
        self.title = QLabel(objectName="staffingTitle")
        self.title.setStyleSheet("font-size:14pt; font-weight:bold")
        bar.addWidget(self.title)
        bar.addStretch(1)
        self.unit_picker = QComboBox(objectName="unitPicker")
        self.unit_picker.setMinimumContentsLength(16)
        if self.mirrors is not None:
            self.unit_picker.currentIndexChanged.connect(lambda _i: self.reload())
            bar.addWidget(self.unit_picker)
        else:
            self.unit_picker.hide()
        for text, name, slot in (("刷新", "reload", self.reload),
                                 ("退休年龄规则…", "rules", self.edit_rules),
                                 ("保存图表…", "saveCharts", self.save_charts),
                                 ("导出Excel…", "exportExcel", self.export_excel)):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(lambda _c=False, f=slot: f())
            bar.addWidget(button)
        self.summary = QLabel(objectName="staffingSummary")
        self.summary.setWordWrap(True)
        self.warnings = QLabel(objectName="staffingWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color:#b02a2a")
        charts = QHBoxLayout()
        self.quota_chart, self.age_chart, self.retire_chart = QuotaChart(), AgeChart(), RetirementChart()
        for chart in (self.quota_chart, self.age_chart, self.retire_chart):
            chart.setMinimumHeight(230)
            charts.addWidget(chart, 1)
        self.tabs = QTabWidget(objectName="staffingTabs")
        self.denied = QLabel(objectName="denied")
        self.denied.setStyleSheet("font-size:12pt; color:#666")
        self.denied.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.denied)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addLayout(charts)
        layout.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ data
    def _fill_picker(self) -> None:
        """Registered units (the 编办 may have registered more since the page was built)."""
        wanted = [("全县（各单位合计）", COUNTY)] + [(u.name, u.unit_id) for u in registered_units(self.db)]
        shown = [(self.unit_picker.itemText(i), self.unit_picker.itemData(i))
                 for i in range(self.unit_picker.count())]
        if wanted == shown:
            return
        current = self.unit_picker.currentData()
        self.unit_picker.blockSignals(True)
        self.unit_picker.clear()
        for name, key in wanted:
            self.unit_picker.addItem(name, key)
        self.unit_picker.setCurrentIndex(max(0, self.unit_picker.findData(current)))
        self.unit_picker.blockSignals(False)

    def reload(self) -> None:
        if self.mirrors is not None:
            self._fill_picker()
        if self.runner is not None and self.mirrors is not None:
            self.runner.run(self._analyse, self._show, self._failed, parent=self,
                            label="正在计算人员编制分析…")
            return
        try:
            analysis = self._analyse()
        except PermissionDenied as exc:
            self._failed(exc)
            return
        self._show(analysis)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, PermissionDenied):
            show_error(self, "人员编制分析", exc)
            return
        self.analysis = None
        self.denied.setText(str(exc))
        self.denied.show()
        for w in (self.summary, self.warnings, self.tabs, self.quota_chart, self.age_chart,
                  self.retire_chart):
            w.hide()

    def _analyse(self) -> S.Analysis:
        today = self.today()
        if self.mirrors is None:
            return S.analyse_unit(self.db, self.actor, today)
        unit_id = self.unit_picker.currentData()
        if unit_id:
            return S.analyse_mirror(self.db, self.mirrors, unit_id, self.actor, today)
        return S.analyse_county(self.db, self.mirrors, self.actor, today)

    def _show(self, a: S.Analysis) -> None:
        self.analysis = a
        county = a.scope == "county"
        self.title.setText(f"人员编制分析 — {a.name}{'（全县）' if county else ''}")
        long = sum(s.long for s in a.seconded)
        units = f"{len(a.units)}个单位，" if county else ""
        self.summary.setText(
            f"{units}核定编制 <b>{a.quota_total}</b> 名，实有 <b>{a.actual_total}</b> 人"
            f"（使用率 {M.percent(a.usage)}），空编 <b>{a.vacancies}</b> 名，超编 <b>{a.over}</b> 名；"
            f"在职和借调 {a.people} 人（含编外），借调 {len(a.seconded)} 人（满1年 {long} 人）；"
            f"{a.years[0]}–{a.years[-1]}年到龄退休 <b>{len(a.retirements)}</b> 人"
            + (f"，已过退休日期仍在册 {len(a.overdue)} 人" if a.overdue else "")
            + f"。<span style='color:#666'>按 {a.today.isoformat()} 计算；退休规则：{a.rules.name}</span>")
        self.summary.setToolTip(a.rules.basis)
        shown = a.warnings[:12] + ([f"……另有{len(a.warnings) - 12}条，见“预警”页"] if len(a.warnings) > 12 else [])
        self.warnings.setText("<br>".join(f"⚠ {w}" for w in shown) or "")
        self.warnings.setVisible(bool(shown))
        self.quota_chart.show_values(a.types)
        self.age_chart.show_values(a.ages)
        self.retire_chart.show_values(a.retirement_counts())
        self._tables(a)

    def _tables(self, a: S.Analysis) -> None:
        current = self.tabs.tabText(self.tabs.currentIndex()) if self.tabs.count() else None
        self.tabs.clear()
        self.table_widgets: dict[str, RecordTable] = {}
        for name, headers, rows in S.tables(a):
            table = RecordTable(headers)
            table.setObjectName(f"table_{name}")
            table.set_rows([tuple(_cell(v, h) for v, h in zip(row, headers)) for row in rows])
            self.table_widgets[name] = table
            self.tabs.addTab(table, f"{name}（{len(rows)}）" if name in COUNTED_TABS else name)
        lines = decision_lines(self.db, self.actor, self.mirrors,
                               self.unit_picker.currentData() if self.mirrors is not None else None)
        if lines is not None:
            self.table_widgets[DECISIONS_TAB] = decision_table(lines)
            self.tabs.addTab(self.table_widgets[DECISIONS_TAB], f"{DECISIONS_TAB}（{len(lines)}）")
        names = [self.tabs.tabText(i) for i in range(self.tabs.count())]
        if current in names:
            self.tabs.setCurrentIndex(names.index(current))

    # ------------------------------------------------------------------ output
    def export_excel(self, path: str | None = None) -> None:
        if self.analysis is None:
            return
        asked = path is None    # a path chosen here is confirmed with 打开 / 打开所在文件夹
        if asked:
            path = ask_save_path(self, "excel_export", "导出Excel",
                                 f"人员编制分析-{self.analysis.name}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            S.export_xlsx(self.analysis, path)
        except OSError as exc:
            show_error(self, "导出失败", AppError(f"无法写入 {path}：{exc}"))
            return
        self.status_message.emit(f"已导出：{path}")
        if asked:
            confirm_saved(self, path, "Excel文件")

    def save_charts(self, folder: str | None = None) -> None:
        if self.analysis is None:
            return
        if folder is None:
            folder = ask_folder(self, "chart_png", "保存图表到文件夹")
        if not folder:
            return
        from pathlib import Path
        charts = {"编制使用": self.quota_chart, "年龄结构": self.age_chart, "退休预测": self.retire_chart}
        for name, chart in charts.items():
            chart.save_png(Path(folder) / f"{self.analysis.name}-{name}.png")
        self.status_message.emit(f"已保存 {len(charts)} 张图表到 {folder}")

    def edit_rules(self) -> None:
        dialog = RulesDialog(self.db, self.actor, self)
        if dialog.exec():
            self.reload()
            self.status_message.emit("退休年龄规则已保存")


COUNTED_TABS = {"借调人员", "退休人员名单", "预警", "各单位"}


def _cell(value, header: str):
    if value is None:
        return M.DASH
    if isinstance(value, float) and header in ("使用率", "占比"):
        return M.percent(value)
    return value


class RulesDialog(QDialog):
    """The retirement rules in force as JSON; the admin may change them or go back to the
    shipped ones. Saved through unit_settings, which checks the document first."""

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("退休年龄规则")
        self.resize(760, 620)
        rules = S.rules_of(db)
        custom = bool(unit_settings.get(db, S.RULES_KEY))
        note = QLabel(f"<b>{rules.name}</b>{'（本单位自定义）' if custom else '（内置规则）'}<br>"
                      f"{rules.basis}<br><span style='color:#666'>每条规则：gender 性别、staffing_types "
                      "适用的编制类型（空=全部）、original_age 原退休年龄、start_birth_month 开始延迟的出生年月、"
                      "months_per_delay_month 每几个月延迟1个月、max_delay_months 最多延迟月数；"
                      "按顺序取第一条适用的规则。</span>")
        note.setWordWrap(True)
        self.text = QPlainTextEdit(objectName="rulesText")
        self.text.setPlainText(json.dumps(rules.to_json(), ensure_ascii=False, indent=2))
        self.text.setReadOnly(not actor.is_admin)
        buttons = QDialogButtonBox()
        if actor.is_admin:
            buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole).setObjectName("saveRules")
            reset = buttons.addButton("恢复内置规则", QDialogButtonBox.ButtonRole.ResetRole)
            reset.setObjectName("resetRules")
            reset.clicked.connect(self.reset)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            settings_change.set_value(self.db, self.actor, S.RULES_KEY, self.text.toPlainText())
        except AppError as exc:
            show_error(self, "无法保存退休年龄规则", exc)
            return
        self.accept()

    def reset(self) -> None:
        try:
            settings_change.set_value(self.db, self.actor, S.RULES_KEY, "")
        except AppError as exc:
            show_error(self, "无法恢复内置规则", exc)
            return
        self.accept()

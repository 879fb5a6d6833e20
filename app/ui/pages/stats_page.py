"""统计分析 page: period picker, drill-down unit → section → person → day logs, the figures
with their coloured lights (each opens its explanation), charts, 编制类型 comparison and the
duties not carried out."""
from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QMenu,
                               QPushButton, QScrollArea, QTabWidget, QToolButton, QVBoxLayout,
                               QWidget)

from app.core import metrics as M
from app.core.errors import AppError
from app.core.figures import CHARGE
from app.db.engine import Database
from app.services.stats import compute as stats, drill
from app.services.stats.access import unit_report_kinds
from app.services.stats.need import rule_of, unit_need
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.pages.feedback_tab import add_feedback_tab
from app.ui.widgets.period_picker import PeriodPicker
from app.ui.pages.stats_task_types import TaskTypeTab, hr_export_button
from app.ui.widgets.metric_card import MetricCard
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.stats_charts import (BAND_COLOURS, BucketChart, CategoryChart, FocusChart,
                                         SaturationChart, TrendChart)
from app.services.org import structure as org
from app.ui.widgets.file_dialogs import ask_folder, ask_save_path, confirm_saved

UNIT, SECTION, PERSON = "unit", "section", "person"


def pct(value) -> str:
    return M.percent(value)


class StatsPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, today=dt.date.today, parent=None,
                 runner: TaskRunner | None = None, open_reports: bool = True, period: str | None = None,
                 calendar=None, background: bool = False):
        super().__init__(parent)
        self.db, self.actor, self.today = db, actor, today
        self.calendar = calendar        # the 编办 drilling into a mirror: the national calendar
        self.runner = runner or TaskRunner()
        self.open_reports = open_reports
        self.last_report = None
        self._duty_name_cache: dict[str, str] | None = None
        self.page_data: stats.StatsPage | None = None
        self._need = None               # (page_data, its staffing-need verdict)
        self.level, self.key = UNIT, None
        self._build()
        # a caller that knows the period (全县分析's drill-down) computes once; else the last
        # complete month with approved work
        self.picker.set_text(period or stats.default_period(db, self.today()).text)
        self.loading = False
        self.background = background
        if background:      # opened from the navigation: the page shows at once, figures follow
            self.reload_in_background()
        else:
            self.reload()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        today = self.today()
        self.picker = PeriodPicker(today)
        self.approved_only = QCheckBox("仅统计已审定的日志", checked=True)
        apply = QPushButton("统计", objectName="applyPeriod")
        apply.clicked.connect(lambda: self.recount())
        export = QPushButton("导出Excel…", objectName="exportExcel")
        # lambdas: clicked(bool) would land in the optional path and the handler would return
        export.clicked.connect(lambda: self.export_excel())
        save_charts = QPushButton("保存图表…", objectName="saveCharts")
        save_charts.clicked.connect(lambda: self.save_charts())
        # A 分管领导 of several sections: which one, or all of them (the service decides which)
        self.charge_box = QComboBox(objectName="chargeSections")
        self.charge_box.setVisible(False)
        self.charge_box.activated.connect(lambda _i: self._choose_charge())
        top = QHBoxLayout()
        for w in (QLabel("期间"), self.picker, self.approved_only, apply, self.charge_box):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(save_charts)
        top.addWidget(export)
        if hr := hr_export_button(self):
            top.addWidget(hr)
        self.report_button = QToolButton(objectName="reportMenu", text="生成报告 ▾")
        self.report_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.report_button)
        labels = {"unit": "部门履职评估分析报告", "section": "科室履职评估分析报告（当前科室）",
                  "core": "部门核心职能履行评估分析报告", "person": "个人履职报告（当前人员）"}
        for kind in unit_report_kinds(self.db, self.actor):     # only what this user may print
            menu.addAction(labels[kind], lambda k=kind: self.make_report(k))
        self.report_button.setMenu(menu)
        top.addWidget(self.report_button)

        self.crumbs = QLabel(objectName="breadcrumb")
        self.crumbs.setTextFormat(Qt.TextFormat.RichText)
        self.crumbs.linkActivated.connect(self._crumb)
        self.crumbs.setStyleSheet("font-size:12pt")
        cards = QGridLayout()
        self.cards = {}
        for i, (key, title) in enumerate((("saturation", "工作饱和度"), ("daily", "日均工时"),
                                          ("submission", "填报率"), ("timeliness", "审阅及时率"),
                                          ("focus", "核心职责聚焦度"), ("coverage", "履职全面度"),
                                          ("hours", "计入/应出勤工时"), ("fte", "测算需要人数"))):
            card = MetricCard(title)
            card.setObjectName(f"card_{key}")
            card.clicked.connect(lambda _c=False, k=key: self.explain(k))
            self.cards[key] = card
            cards.addWidget(card, i // 4, i % 4)

        self.table = RecordTable([], None)
        self.table.setObjectName("childTable")
        self.table.cellDoubleClicked.connect(lambda r, _c: self.drill(r))
        self.saturation_chart, self.bucket_chart = SaturationChart(), BucketChart()
        self.category_chart, self.focus_chart, self.trend_chart = CategoryChart(), FocusChart(), TrendChart()
        charts = QWidget()
        grid = QGridLayout(charts)
        for i, chart in enumerate((self.saturation_chart, self.trend_chart, self.bucket_chart,
                                   self.category_chart, self.focus_chart)):
            grid.addWidget(chart, i // 2, i % 2)
        self.staffing_table = RecordTable(["编制类型", "人数", "计入工时", "应出勤工时", "饱和度",
                                           "日均工时", "填报率", "核心职责占比"])
        self.uncovered = RecordTable(["职责编号", "职责内容"], 1)
        self.uncovered.setObjectName("uncoveredTable")
        self.tabs = QTabWidget(objectName="statsTabs")
        self.tabs.addTab(self.table, "明细（双击下钻）")
        # the five charts need ~700 px: they scroll inside the tab rather than make the window
        # taller than a 1366×768 screen (issue 17)
        chart_scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        chart_scroll.setWidget(charts)
        self.tabs.addTab(chart_scroll, "图表")
        self.tabs.addTab(self.staffing_table, "按编制类型")
        self.tabs.addTab(self.uncovered, "未履行的职责")
        self.task_tab = TaskTypeTab()
        self.tabs.addTab(self.task_tab, "按任务类型")
        add_feedback_tab(self)      # 监测反馈 (app.ui.pages.feedback_tab)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.crumbs)
        # Logs whose signatures fail (the file was edited by hand): named, never counted.
        self.signature_warning = QLabel(objectName="signatureWarning", wordWrap=True)
        self.signature_warning.setStyleSheet("color:#b00020")
        self.signature_warning.hide()
        layout.addWidget(self.signature_warning)
        layout.addLayout(cards)
        layout.addWidget(self.tabs, 1)

    def period(self) -> M.Period:
        return self.picker.period()

    def set_period(self, text: str) -> None:
        """Select a period from its text form (2026-10, 2026-Q4, 2026, a..b) and reload."""
        self.picker.set_text(text)
        self.reload()

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        try:
            period = self.period()
            self._loaded(stats.stats_page(self.db, period, approved_only=self.approved_only.isChecked(),
                                          actor=self.actor, today=self.today(), calendar=self.calendar))
        except (AppError, ValueError) as exc:
            self._load_failed(exc)

    def recount(self) -> None:
        """统计: a page opened from the navigation counts on the worker, as when it opened; a
        click while it counts is not queued again."""
        if not self.background:
            self.reload()
        elif not self.loading:
            self.reload_in_background()

    def reload_in_background(self) -> None:
        """The figures of a 12-month unit take about a second: worked out on a worker thread
        while the page is already on screen (issue 17: 统计分析 opened in 2–3 s)."""
        try:
            period = self.period()
        except ValueError as exc:
            self._load_failed(exc)
            return
        self.loading = True
        for card in self.cards.values():
            card.show_value("计算中…")
        self.crumbs.setText("<span style='color:#666'>正在统计…</span>")
        db, actor, today, calendar = self.db, self.actor, self.today(), self.calendar
        approved_only = self.approved_only.isChecked()
        self.runner.run(lambda: stats.stats_page(db, period, approved_only=approved_only, actor=actor,
                                                 today=today, calendar=calendar),
                        self._loaded, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):     # the window was closed while the worker counted
            return
        self.loading = False
        show_error(self, "统计失败", exc if isinstance(exc, AppError) else AppError(str(exc)))

    def _loaded(self, page_data) -> None:
        if not shiboken6.isValid(self):     # the window was closed while the worker counted
            return
        self.loading = False
        self.page_data = page_data
        if self.page_data.unit is not None:
            self.level, self.key = (self.level, self.key) if self.level != UNIT else (UNIT, None)
        elif self.page_data.charge is not None and self.level == UNIT:
            self.level, self.key = CHARGE, None
        elif self.page_data.sections and self.level == UNIT:
            self.level, self.key = SECTION, self.page_data.sections[0].key
        elif self.level == UNIT:
            self.level, self.key = PERSON, self.actor.person_id
        self.show_level()

    def current_figures(self) -> stats.Figures | None:
        d = self.page_data
        if self.level == UNIT:
            return d.unit
        if self.level == CHARGE:
            return d.charge
        pool = d.sections if self.level == SECTION else d.persons
        found = next((f for f in pool if f.key == self.key), None)
        if found is None and self.level == PERSON:
            found = stats.unit_stats(self.db, d.period, PERSON, person_id=self.key, actor=self.actor,
                                     approved_only=self.approved_only.isChecked(), today=self.today(),
                                     calendar=self.calendar)[0]
        return found

    def children(self) -> list[stats.Figures]:
        d = self.page_data
        if self.level in (UNIT, CHARGE):
            return d.sections
        if self.level == SECTION:
            return [p for p in d.persons if p.section_id == self.key]
        return []

    def show_level(self) -> None:
        fig = self.current_figures()
        if fig is None and self.page_data.charge is not None:
            self.level, self.key = CHARGE, None
            fig = self.page_data.charge
        elif fig is None:
            self.level, self.key = UNIT, None
            fig = self.page_data.unit
        self._crumbs(fig)
        self._show_charge_choice(fig)
        self._cards(fig)
        kids = self.children()
        if self.level == PERSON:
            days = drill.person_days(self.db, self.key, self.page_data.period,
                                     approved_only=self.approved_only.isChecked(), actor=self.actor,
                                     calendar=self.calendar)
            self.table.setColumnCount(6)
            self.table.setHorizontalHeaderLabels(["日期", "工作日", "状态", "当日状态", "工时", "计入工时"])
            self.table.set_rows([(d.day.isoformat(), "是" if d.working else "否", d.status_label,
                                  d.day_state or "", f"{d.hours:g}", f"{d.counted_hours:g}") for d in days])
        else:
            headers = ["名称", "人数", "计入工时", "待审工时", "应出勤工时", "饱和度", "灯", "日均工时",
                       "填报率", "审阅及时率", "核心占比", "履职全面度"]
            self.table.setColumnCount(len(headers))
            self.table.setHorizontalHeaderLabels(headers)
            self.table.set_rows([(k.name, k.people, k.logged_hours, k.pending_hours or "",
                                  k.expected_hours, pct(k.saturation),
                                  M.BAND_LABELS[k.band], "—" if k.daily_average is None else f"{k.daily_average:.2f}",
                                  pct(k.submission_rate), pct(k.review_timeliness),
                                  pct(k.focus.get(M.CORE)), pct(k.coverage)) for k in kids])
            light = headers.index("灯")
            for row, k in enumerate(kids):
                self.table.item(row, light).setForeground(Qt.GlobalColor.white)
                self.table.item(row, light).setBackground(QColor(BAND_COLOURS[k.band]))
        self._charts(fig, kids)
        self._staffing()
        self.task_tab.follow(self)
        names = self._duty_names()
        self.uncovered.set_rows([(code, names.get(code, "")) for code in fig.uncovered_duties])
        self.tabs.setTabText(3, f"未履行的职责（{len(fig.uncovered_duties)}）")
        self.tabs.setTabText(0, "明细（逐日）" if self.level == PERSON else "明细（双击下钻）")

    def _duty_names(self) -> dict[str, str]:
        """职责编号 → content, read once per page (drilling down only changes the level)."""
        if self._duty_name_cache is None:
            self._duty_name_cache = {d.code: d.content for d in org.duties(self.db)}
        return self._duty_name_cache

    def _crumbs(self, fig: stats.Figures) -> None:
        parts = []
        if self.page_data.unit is not None:
            parts.append(("unit:", self.page_data.unit.name))
        elif self.page_data.charge is not None:
            parts.append(("charge:", self.page_data.charge.name))
        if self.level in (SECTION, PERSON):
            section_id = fig.key if self.level == SECTION else fig.section_id
            section = next((s for s in self.page_data.sections if s.key == section_id), None)
            if section is not None:
                parts.append((f"section:{section.key}", section.name))
        if self.level == PERSON:
            parts.append((f"person:{fig.key}", fig.name))
        links = [f"<a href='{href}'>{name}</a>" for href, name in parts[:-1]]
        links.append(f"<b>{parts[-1][1]}</b>" if parts else "")
        self.crumbs.setText(" › ".join(links) + f"　<span style='color:#666'>{self.page_data.period.label}</span>")
        bad = fig.invalid_logs
        self.signature_warning.setVisible(bool(bad))
        if bad:
            more = f"等{len(bad)}篇" if len(bad) > 3 else ""
            self.signature_warning.setText(
                f"签名无效{len(bad)}篇，不计入统计（数据库文件被直接改动，可用“审计校验”查看）："
                + "；".join(bad[:3]) + more)

    def _show_charge_choice(self, fig: stats.Figures) -> None:
        """The combo of a 分管领导's sections: 全部分管科室 first, then each section."""
        d = self.page_data
        self.charge_box.setVisible(d.charge is not None)
        if d.charge is None:
            return
        self.charge_box.clear()
        self.charge_box.addItem(d.charge.name, None)
        for section in d.sections:
            self.charge_box.addItem(section.name, section.key)
        current = fig.key if self.level == SECTION else fig.section_id if self.level == PERSON else None
        self.charge_box.setCurrentIndex(max(0, self.charge_box.findData(current)) if current else 0)

    def _choose_charge(self) -> None:
        key = self.charge_box.currentData()
        self.level, self.key = (SECTION, key) if key else (CHARGE, None)
        self.show_level()

    def _crumb(self, href: str) -> None:
        level, _, key = href.partition(":")
        self.level, self.key = level, key or None
        self.show_level()

    def drill(self, row: int) -> None:
        kids = self.children()
        if self.level in (UNIT, CHARGE) and row < len(kids):
            self.level, self.key = SECTION, kids[row].key
        elif self.level == SECTION and row < len(kids):
            self.level, self.key = PERSON, kids[row].key
        else:
            if self.level == PERSON:
                self.status_message.emit("这是一个人的逐日明细，已是最末一级；"
                                         "当日日志的内容请在“工作日志”或“履职审阅”中查看")
            return
        self.show_level()

    def _cards(self, f: stats.Figures) -> None:
        c = self.cards
        waiting = f.backlog()
        c["saturation"].show_value(pct(f.saturation), f.band,
                                   note="" if waiting is None else f"{pct(waiting)}待审，不作结论")
        c["daily"].show_value("—" if f.daily_average is None else f"{f.daily_average:.2f} 小时")
        c["submission"].show_value(pct(f.submission_rate))
        c["timeliness"].show_value(pct(f.review_timeliness))
        c["focus"].show_value(pct(f.focus.get(M.CORE)),
                              note=f"一般 {pct(f.focus.get(M.GENERAL))} 辅助 {pct(f.focus.get(M.AUXILIARY))}")
        c["coverage"].show_value(pct(f.coverage), note=f"{len(f.covered_duties)}/{f.active_duties} 项")
        c["hours"].show_value(f"{f.logged_hours:g} / {f.expected_hours:g}",
                              note=f"另有待审 {f.pending_hours:g} 小时" if f.pending_logs else "")
        need = self.need() if self.level == UNIT else None
        if need is not None:
            c["fte"].show_value("—" if need.need is None else f"{need.need:.1f} 人",
                                note=need.verdict + ("" if need.trustworthy else "（不作结论）"))
        else:
            people = f.people_needed
            c["fte"].show_value("—" if people is None else f"{people:.1f} 人",
                                note="编制结论只对全单位作出")

    def need(self):
        """The staffing-need verdict of the unit's figures shown (approved logs only), worked out
        once per reload: drilling and explaining show it again without reading the roster."""
        d = self.page_data
        if d is None or d.unit is None or not self.approved_only.isChecked():
            return None
        if self._need is None or self._need[0] is not d:
            self._need = (d, unit_need(self.db, d.unit, self.today()))
        return self._need[1]

    def explain(self, key: str) -> None:
        if self.page_data is None:       # still being worked out (reload_in_background)
            return
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.explain_dialog import ExplainDialog
        f = self.current_figures()
        if f is None:
            return
        lines = f.explain()
        if f.pending_logs:
            lines.append(f"另有{f.pending_text()}，审定后计入")
        if key == "fte" and (need := self.need()) is not None:
            lines += [f"编制需求：{need.verdict}。{need.text}", rule_of(self.db).describe()]
        facts = drill.logs_behind(self.db, self.page_data.period, self.level, self.key,
                                  approved_only=self.approved_only.isChecked(), limit=2000,
                                  actor=self.actor)
        ExplainDialog(f"{self.cards[key].title} — {f.name}", lines, facts, self).exec()

    def _charts(self, fig: stats.Figures, kids: list[stats.Figures]) -> None:
        bands = fig.settings.bands
        self.saturation_chart.show_values([k.name for k in kids] or [fig.name],
                                          [k.saturation for k in kids] or [fig.saturation], bands,
                                          [k.band for k in kids] or [fig.band])
        self.bucket_chart.show_values(fig.buckets)
        self.category_chart.show_values(fig.hours_by_category)
        self.focus_chart.show_values(fig.focus)
        weeks = drill.weekly_hours(self.db, self.page_data.period, self.level, self.key,
                                   approved_only=self.approved_only.isChecked(), actor=self.actor,
                                   calendar=self.calendar)
        self.trend_chart.show_values(weeks)

    def _staffing(self) -> None:
        if self.page_data.unit is None:
            self.tabs.setTabVisible(2, False)
            return
        rows = stats.by_staffing_type(self.db, self.page_data.period, actor=self.actor,
                                      approved_only=self.approved_only.isChecked(), today=self.today(),
                                      calendar=self.calendar)
        self.staffing_table.set_rows([(f.name, f.people, f.logged_hours, f.expected_hours,
                                       pct(f.saturation), "—" if f.daily_average is None else f"{f.daily_average:.2f}",
                                       pct(f.submission_rate), pct(f.focus.get(M.CORE))) for f in rows])

    # ------------------------------------------------------------------ output
    def save_charts(self, folder: str | None = None) -> None:
        if self.page_data is None:       # still being worked out (reload_in_background)
            return
        if folder is None:
            folder = ask_folder(self, "chart_png", "保存图表到文件夹")
        if not folder:
            return
        from pathlib import Path
        names = {"饱和度": self.saturation_chart, "趋势": self.trend_chart, "日均工时分布": self.bucket_chart,
                 "工作类别": self.category_chart, "聚焦度": self.focus_chart}
        for name, chart in names.items():
            chart.save_png(Path(folder) / f"{self.page_data.period.label}-{name}.png")
        self.status_message.emit(f"已保存 {len(names)} 张图表到 {folder}")

    def report_target(self, kind: str) -> dict:
        """Section or person the report is about, from where the user has drilled to."""
        fig = self.current_figures()
        if kind == "section":
            name = fig.name if self.level == SECTION else (fig.section if fig else None)
            if not name:
                raise AppError("请先在明细中选择一个科室")
            return {"section": name}
        if kind == "person":
            if self.level != PERSON or fig is None or not fig.login:
                raise AppError("请先下钻到一位人员")
            return {"user": fig.login}
        return {}

    def make_report(self, kind: str, path: str | None = None) -> None:
        if self.page_data is None:       # still being worked out (reload_in_background)
            return
        from pathlib import Path

        # imported here: reportlab (~0.2 s), only when a report is written
        from app.services.reporting.unit import build_report
        try:
            target = self.report_target(kind)
        except AppError as exc:
            show_error(self, "生成报告", exc)
            return
        if path is None:
            path = ask_save_path(self, "report_pdf", "保存报告", f"{self.page_data.period.label}-报告.pdf",
                                 "PDF 文件 (*.pdf)")
        if not path:
            return
        period, db, actor, today = self.page_data.period, self.db, self.actor, self.today()
        calendar = self.calendar        # the 编办 counts a unit by its own calendar: so does the print
        self.runner.run(lambda: build_report(db, kind, period, Path(path), actor=actor, today=today,
                                             calendar=calendar, **target),
                        self._report_done, lambda exc: show_error(self, "生成报告失败", exc),
                        parent=self, label="正在生成报告…")

    def _report_done(self, info) -> None:
        self.last_report = info.path
        self.status_message.emit(f"报告已生成：{info.path}（{info.pages}页，用时{info.seconds:.1f}秒）")
        if self.open_reports:     # where it is, with 打开 / 打开所在文件夹 (no silent auto-open)
            confirm_saved(self, info.path, "报告")

    def export_excel(self, path: str | None = None) -> None:
        if self.page_data is None:       # still being worked out (reload_in_background)
            return
        # imported here: openpyxl (~0.3 s), only when exporting
        from app.services.stats.export import export_stats_xlsx
        asked = path is None    # a path chosen here is confirmed with 打开 / 打开所在文件夹
        if asked:
            path = ask_save_path(self, "excel_export", "导出Excel",
                                 f"统计-{self.page_data.period.label}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            export_stats_xlsx(self.db, self.page_data, path, actor=self.actor)
        except OSError as exc:
            show_error(self, "导出失败", AppError(f"无法写入 {path}：{exc}"))
            return
        self.status_message.emit(f"已导出：{path}")
        if asked:
            confirm_saved(self, path, "Excel文件")

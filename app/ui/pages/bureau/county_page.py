"""全县分析 page (编办 edition): one row per registered unit for a period — staffing, saturation
with its light, focus, coverage, submission, FTE, the staffing-need verdict, 编制任务比 and
warnings — ranked and sortable; double-click or Enter opens the unit's own statistics page on
its mirror (the same figures the unit sees), with 返回全县 to come back."""
from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QPushButton, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from app.core import metrics as M
from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import table as county
from app.services.county.bodies import parents as unit_parents
from app.ui.pages.bureau import county_bodies
from app.services.county.figures import last_month_with_data
from app.core.bureau import county as C
from app.core.bureau.county import CountyRow, ranked
from app.services.county.mirrors import Mirrors, mirror_reader
from app.services.org.actor import Actor
from app.services.county.acceptance import CalendarDecision, accept_calendar, withdraw_calendar
from app.services.org.calendar import county_calendar
from app.services.stats.need import rule_of
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.dialogs.feedback_dialog import feedback_button
from app.ui.tasks import TaskRunner
from app.core.items import RULE_TEXT as ITEM_RULE
from app.ui.widgets.period_picker import PeriodPicker
from app.ui.widgets.file_dialogs import ask_save_path, confirm_saved
from app.ui.pages.bureau.county_reminders import RemindersPanel

ROLE_UNIT = Qt.ItemDataRole.UserRole + 1
ROLE_SORT = Qt.ItemDataRole.UserRole + 2
# (column title, key for ranked or None, is a percentage)
COLUMNS = (("排名", None), ("单位", None), ("编制数", None), ("实有", None), ("使用率", "usage"),
           ("空编", "vacancies"), ("超编", None), ("饱和度", "saturation"), ("核心聚焦度", "focus"),
           ("全面度", "coverage"), ("填报率", "submission_rate"), ("审核率", None), ("待审", None),
           ("测算需（差额）", None), ("编制需求", None), ("编制任务比", None), ("红灯事项", None), ("预警", None))
TITLES = [c[0] for c in COLUMNS]
# long titles print on two header lines, so that every column fits a 1366-pixel screen
HEADER_LINES = {"核心聚焦度": "核心\n聚焦度", "测算需（差额）": "测算需\n（差额）", "编制需求": "编制\n需求",
                "编制任务比": "编制\n任务比", "红灯事项": "红灯\n事项"}
COL_NAME, COL_SATURATION = TITLES.index("单位"), TITLES.index("饱和度")
COL_PENDING, COL_NEED = TITLES.index("待审"), TITLES.index("测算需（差额）")
COL_REVIEW = TITLES.index("审核率")
COL_VERDICT, COL_RATIO, COL_WARNINGS = TITLES.index("编制需求"), TITLES.index("编制任务比"), TITLES.index("预警")
TEXT_COLUMNS = (COL_NAME, COL_VERDICT, COL_WARNINGS)      # sorted and exported as text
# The ranking picker names each measure by its column's title (it said 编制使用率 over a column
# titled 使用率), in this order.
RANK_KEYS = tuple((key, next(title for title, k in COLUMNS if k == key))
                  for key in ("saturation", "focus", "coverage", "submission_rate", "usage", "vacancies"))
BAND_TINTS = {M.GREEN: "#d4edda", M.YELLOW: "#fff3cd", M.RED: "#f8d7da", None: "#eeeeee"}
VERDICT_COLOURS = {"增编依据": "#b00020", "减编依据": "#1f5fa8", "基本匹配": "#2e7d32", "数据不足": "#888888"}
WARNING_TINT = "#fff0d9"
LEGEND = (
    "<b>编制需求</b>：{rule}测算人数带 * 的仅供参考；差额 = 测算需要人数 − 在岗人数。"
    "<b>待审</b> = 尚未审定的已提交工时占比。<b>审核率</b> = 已审定日志 ÷ 送审日志（篇）。<br>"
    "<b>编制任务比</b> = 年度重点任务数 ÷（编制数 ÷ 基数），基数：服务经济3、社会民生4、综合保障5；"
    "大于1表示每个编制承担的重点任务多于标准；注（清单）的按单位工作事项清单中本年度的年度重点工作计数，"
    "注（登记）的按编办登记的重点任务数。<b>红灯事项</b> = 单位工作事项中亮红灯的项数（悬停看规则）。"
    "<b>饱和度</b>底色为灯色（绿/黄/红，区间按各单位的设置）。使用率 = 实有 ÷ 编制数（编外不计）。"
    "排名按所选“排名依据”从高到低；点表头可按任一列排序。双击或回车查看该单位的统计分析。<br>"
    "<b>预警</b>列也列出单位自己改动、会影响统计却不是工作的设置：工作日历与国家安排不同的日子按国家安排统计"
    "（选中该单位点“工作日历…”可认可，认可后这些天按单位日历统计，也可撤销认可）；职责类别的变更"
    "（与编办首次收到时相比）；与编办不同的统计设置（按编办的设置统计）。")
ACCEPT, WITHDRAW = "accept", "withdraw"
RATIO_SOURCE_MARK = {C.TASK_SOURCE_LIST: "（清单）", C.TASK_SOURCE_TYPED: "（登记）"}
REPORT_MODULE = "app.services.reporting.county"


def pct(value) -> str:
    return M.percent(value)


class SortItem(QTableWidgetItem):
    """Shows text, sorts by a number (percentages, '—' last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(ROLE_SORT), other.data(ROLE_SORT)
        if mine is None or theirs is None:
            return mine is not None and theirs is None
        return mine < theirs


def cells(rank: int | None, r: CountyRow) -> list[tuple[str, object]]:
    """(text, sort value) per column of one unit's row."""
    f = r.figures
    s = r.staffing
    over = sum(s.over_quota.values())
    saturation, core = (f.saturation, f.focus.get(M.CORE)) if f else (None, None)
    coverage, submission = (f.coverage, f.submission_rate) if f else (None, None)
    pending = f.waiting_share if f else None
    ratio = r.ratio.ratio
    return [(str(rank) if rank else M.DASH, rank), (r.name, r.name),
            (str(s.quota_total), s.quota_total), (str(s.actual_total), s.actual_total),
            (pct(s.usage), s.usage), (str(s.vacancies), s.vacancies), (str(over) if over else "", over),
            (pct(saturation), saturation), (pct(core), core), (pct(coverage), coverage),
            (pct(submission), submission), review_cell(r),
            (pct(pending) if f and f.pending_logs else "", pending),
            (r.need.short_text(), r.need.gap),
            (r.need.verdict, r.need.verdict),
            (M.DASH if ratio is None else f"{ratio:.2f}{RATIO_SOURCE_MARK.get(r.ratio.source, '')}", ratio),
            (M.DASH if r.red_items is None else str(r.red_items), r.red_items),
            ("；".join(r.warnings), len(r.warnings))]


def review_cell(r: CountyRow) -> tuple[str, object]:
    """审核率: finally approved ÷ submitted logs of the period (app.core.bureau.reminders)."""
    rate = r.review.rate if r.review is not None else None
    return pct(rate), rate


def tooltips(r: CountyRow) -> dict[int, str]:
    s = r.staffing
    per_type = "\n".join(f"{t}：编制{q}，实有{s.actual.get(t, 0)}" for t, q in s.quotas.items())
    others = {t: n for t, n in s.actual.items() if t not in s.quotas}
    per_type += "".join(f"\n{t}：实有{n}（不计入使用率）" for t, n in others.items())
    leaders = "，".join(f"{k}职数{q}、实配{s.leaders.get(k, 0)}" for k, q in s.leader_quotas.items())
    ratio = r.ratio
    ratio_text = ("未设置编制任务比类别或重点任务数" if ratio.ratio is None else
                  f"{ratio.task_class}：重点任务{ratio.key_tasks}项 ÷（编制{ratio.quota} ÷ "
                  f"{C.TASK_BASE[ratio.task_class]}）= {ratio.ratio:.2f}")
    ratio_text += ("\n重点任务数按单位工作事项清单中本年度的年度重点工作计" if ratio.source == C.TASK_SOURCE_LIST
                   else "\n重点任务数按编办登记的数字计（单位尚无年度重点工作清单）")
    logged, expected = (r.figures.logged_hours, r.figures.expected_hours) if r.figures else (0, 0)
    pending = r.figures.pending_text() if r.figures else ""
    return {COL_NAME: f"{r.credit_code}　{r.unit_class}\n统计于{r.computed_on}",
            2: per_type + ("\n" + leaders if leaders else ""), 3: per_type,
            COL_SATURATION: f"已审定计入{logged:g}小时 / 应出勤{expected:g}小时" + (f"\n另有{pending}" if pending else ""),
            COL_PENDING: pending or "没有待审的日志",
            COL_REVIEW: r.review.text() if r.review is not None else "", COL_NEED: r.need.text, COL_VERDICT: r.need.text,
            COL_RATIO: ratio_text, COL_WARNINGS: "\n".join(r.warnings),
            TITLES.index("红灯事项"): ("单位尚无工作事项清单" if r.red_items is None else
                                    f"亮红灯的工作事项{r.red_items}项\n{ITEM_RULE}")}


class CountyPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, settings: Settings,
                 today=dt.date.today, runner: TaskRunner | None = None, parent=None,
                 period: str | None = None, open_reports: bool = True):
        super().__init__(parent)
        self.open_reports, self.last_report = open_reports, None
        self.last_decision: CalendarDecision | None = None
        self.db, self.mirrors, self.actor, self.settings, self.today = db, mirrors, actor, settings, today
        self.runner = runner or TaskRunner()
        self.rows: list[CountyRow] = []
        self.parents: dict = {}            # 主管部门 of each unit (county_bodies)
        self.group_lines = None
        self.ranked: list[tuple[int | None, CountyRow]] = []
        self.period_shown: M.Period | None = None
        self.unit_page = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._county_view())
        self.stack.addWidget(self._unit_view())
        QVBoxLayout(self).addWidget(self.stack)
        period = period or last_month_with_data(db)   # not an empty current month
        if period:
            self.picker.set_text(period)
        self.reload()

    # ------------------------------------------------------------------ layout
    def _county_view(self) -> QWidget:
        view = QWidget()
        self.picker = PeriodPicker(self.today())
        apply = QPushButton("统计", objectName="applyPeriod")
        apply.clicked.connect(self.reload)
        self.rank_key = QComboBox(objectName="rankKey")
        for key, label in RANK_KEYS:
            self.rank_key.addItem(label, key)
        self.rank_key.currentIndexChanged.connect(self.show_rows)
        self.grouped = QCheckBox("按部门分组", objectName="groupBodies", checked=True)
        self.grouped.setToolTip("部门及所属单位列在一起并给出合计（一体化评估）；取消勾选则平铺显示，可点表头排序")
        self.grouped.toggled.connect(self.show_rows)
        self.calendar_button = QPushButton("工作日历…", objectName="calendarDecision", enabled=False)
        self.calendar_button.setToolTip("认可所选单位与国家安排不同的工作日历（按单位日历统计），或撤销认可")
        self.calendar_button.clicked.connect(lambda: self.decide_calendar())
        export = QPushButton("导出Excel…", objectName="exportExcel")
        export.clicked.connect(lambda: self.export_excel())
        top = QHBoxLayout()
        for w in (QLabel("期间"), self.picker, apply, QLabel("　排名依据"), self.rank_key, self.grouped):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.calendar_button)
        top.addWidget(export)
        self.report_button = QPushButton("生成全县报告…", objectName="countyReport")
        self.report_button.clicked.connect(lambda: self.make_report())
        self.report_button.setVisible(importlib.util.find_spec(REPORT_MODULE) is not None)
        top.addWidget(self.report_button)
        top.addWidget(feedback_button(self))      # 月度反馈 (app.ui.dialogs.feedback_dialog)
        self.notice_button = QPushButton("生成通报…", objectName="countyNotice")
        self.notice_button.setToolTip("所选期间的全县机关履职监测情况通报（PDF）：表扬、存在问题、下一步要求")
        self.notice_button.clicked.connect(lambda: self.reminders.make_notice(self.period_shown))
        top.addWidget(self.notice_button)
        self.title = QLabel(objectName="countyTitle", styleSheet="font-size:12pt")
        self.table = QTableWidget(0, len(COLUMNS), objectName="countyTable")
        self.table.setHorizontalHeaderLabels([HEADER_LINES.get(t, t) for t in TITLES])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        # one line per unit: the warnings column elides, its tooltip lists them all
        self.table.setWordWrap(False)
        head.setMinimumSectionSize(40)
        # Activation is a double-click or Enter (or a single click where the desktop says so).
        self.table.cellActivated.connect(lambda row, _c: self.drill(row))
        self.table.itemSelectionChanged.connect(self._enable_calendar)
        legend = QLabel(LEGEND.format(rule=rule_of(self.db).describe()), wordWrap=True, objectName="countyLegend")
        legend.setStyleSheet("color:#444; background:#f7f7f7; border:1px solid #e2e2e2; padding:6px")
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.title)
        self.reminders = RemindersPanel(self.db, self.mirrors, self.actor, self.settings, self.today, self.runner,
                                        open_reports=self.open_reports)
        self.reminders.status_message.connect(self.status_message)
        self.tabs = QTabWidget(objectName="countyTabs")
        self.tabs.addTab(self.table, "全县各单位")
        self.tabs.addTab(self.reminders, "提醒")
        self.reminders.counted.connect(lambda n: self.tabs.setTabText(1, f"提醒（{n}）" if n else "提醒"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(legend)
        return view

    def _unit_view(self) -> QWidget:
        view = QWidget()
        back = QPushButton("← 返回全县", objectName="backToCounty")
        back.clicked.connect(self.back)
        self.unit_title = QLabel(objectName="unitTitle", styleSheet="font-size:13pt; font-weight:bold")
        bar = QHBoxLayout()
        bar.addWidget(back)
        bar.addWidget(self.unit_title, 1)
        self.unit_layout = QVBoxLayout(view)
        self.unit_layout.setContentsMargins(0, 0, 0, 0)
        self.unit_layout.addLayout(bar)
        return view

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        try:
            period = self.picker.period()
        except ValueError as exc:
            show_error(self, "统计失败", AppError(str(exc)))
            return
        db, mirrors, today = self.db, self.mirrors, self.today()
        self.runner.run(lambda: county.county_table(db, mirrors, period, today=today),
                        lambda rows: self._loaded(period, rows),
                        lambda exc: show_error(self, "全县统计失败", exc), parent=self,
                        label="正在计算全县各单位的统计…")

    def _loaded(self, period: M.Period, rows: list[CountyRow]) -> None:
        self.period_shown, self.rows = period, rows
        self.parents = unit_parents(self.db, self.mirrors)
        self.show_rows()
        self.reminders.show_for(period, rows)

    def show_rows(self) -> None:
        if self.period_shown is None:
            return
        self.ranked = ranked(self.rows, self.rank_key.currentData())
        with_data = sum(1 for r in self.rows if C.has_data(r.figures))
        self.title.setText(f"全县各单位　{self.period_shown.label}（{self.period_shown.start}至"
                           f"{self.period_shown.end}，只计已审定日志）　共{len(self.rows)}个单位，"
                           f"{with_data}个有本期数据" if self.rows else
                           "还没有登记单位：在“单位管理”页登记单位，在“同步包”页导入它们的上报包。")
        if county_bodies.show_grouped(self, sys.modules[__name__]):   # 部门及所属单位 with their 合计
            return
        table = self.table
        table.setSortingEnabled(False)
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setRowCount(len(self.ranked))
        for row, (rank, r) in enumerate(self.ranked):
            tips = tooltips(r)
            for col, (text, key) in enumerate(cells(rank, r)):
                item = SortItem(text)
                item.setData(ROLE_SORT, key)
                if col not in TEXT_COLUMNS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col in tips:
                    item.setToolTip(tips[col])
                table.setItem(row, col, item)
            self._colour(row, r)
        table.setSortingEnabled(True)
        self._enable_calendar()

    def _colour(self, row: int, r: CountyRow) -> None:
        f = r.figures
        band = f.band if f is not None and f.saturation is not None else None
        self.table.item(row, COL_SATURATION).setBackground(QColor(BAND_TINTS[band]))
        verdict = self.table.item(row, COL_VERDICT)
        verdict.setForeground(QColor(VERDICT_COLOURS.get(r.need.verdict, "#222")))
        if r.need.verdict in ("增编依据", "减编依据"):
            font = verdict.font()
            font.setBold(True)
            verdict.setFont(font)
        if r.staffing.over_quota:
            self.table.item(row, 6).setForeground(QColor("#b00020"))
        if r.warnings:
            self.table.item(row, COL_WARNINGS).setBackground(QColor(WARNING_TINT))
        self.table.item(row, 1).setData(ROLE_UNIT, r.unit_id)

    def selected(self) -> CountyRow | None:
        item = self.table.item(self.table.currentRow(), 1) if self.table.currentRow() >= 0 else None
        unit_id = item.data(ROLE_UNIT) if item is not None else None
        return next((r for r in self.rows if r.unit_id == unit_id), None)

    def row_of(self, unit_id: str) -> int:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 1).data(ROLE_UNIT) == unit_id:
                return row
        return -1

    # ------------------------------------------------------------------ calendar decisions
    def _enable_calendar(self) -> None:
        r = self.selected()
        self.calendar_button.setEnabled(bool(self.actor.is_admin and r is not None
                                             and (r.calendar_days or r.calendar_accepted)))

    def decide_calendar(self) -> None:
        """Accept the selected unit's calendar deviations or withdraw the acceptance (编办管理员);
        the unit's figures are recomputed and the table reloaded."""
        r = self.selected()
        if r is None:
            return
        choice = self.ask_calendar(r)
        if choice is None:
            return
        act = accept_calendar if choice == ACCEPT else withdraw_calendar
        db, mirrors, actor, unit_id = self.db, self.mirrors, self.actor, r.unit_id
        self.runner.run(lambda: act(db, mirrors, actor, unit_id), self._decided,
                        lambda exc: show_error(self, "工作日历", exc), parent=self,
                        label="正在按新的工作日历重新计算该单位的统计…")

    def ask_calendar(self, r: CountyRow) -> str | None:
        """ACCEPT, WITHDRAW or None (cancelled)."""
        def days(found: list[str]) -> str:
            return "、".join(found[:12]) + (f"等{len(found)}天" if len(found) > 12 else "")
        text = []
        if r.calendar_days:
            text.append(f"“{r.name}”的工作日历与国家安排不同{len(r.calendar_days)}天：{days(r.calendar_days)}。"
                        "编办目前按国家安排统计这些天。")
        if r.calendar_accepted:
            text.append(f"编办已认可该单位日历{len(r.calendar_accepted)}天：{days(r.calendar_accepted)}，"
                        "这些天按单位日历统计。")
        text.append("认可后，这些天按单位日历计算该单位的工作日数（W），记入审计记录；撤销认可则恢复按国家安排统计。")
        box = QMessageBox(QMessageBox.Icon.Question, "工作日历", "\n\n".join(text), parent=self)
        buttons = {}
        if r.calendar_days:
            buttons[box.addButton("认可差异", QMessageBox.ButtonRole.AcceptRole)] = ACCEPT
        if r.calendar_accepted:
            buttons[box.addButton("撤销认可", QMessageBox.ButtonRole.DestructiveRole)] = WITHDRAW
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return buttons.get(box.clickedButton())

    def _decided(self, decision: CalendarDecision) -> None:
        self.last_decision = decision
        self.status_message.emit(decision.summary())
        self.reload()

    # ------------------------------------------------------------------ drill-down
    def drill(self, row: int) -> None:
        item = self.table.item(row, 1)
        if item is None or self.period_shown is None:
            return
        unit_id = item.data(ROLE_UNIT)
        if unit_id is None:              # a body's 合计 row
            return
        # imported here: a page or dialog is built when it is first opened
        from app.ui.pages.stats_page import StatsPage
        try:
            mirror = self.mirrors.get(unit_id)
            reader = mirror_reader(self.db, self.actor)
            page = StatsPage(mirror, reader, today=self.today, runner=self.runner,
                             period=self.period_shown.text, calendar=county_calendar(mirror))
        except AppError as exc:
            show_error(self, "查看单位", exc)
            return
        page.status_message.connect(self.status_message)
        if self.unit_page is not None:
            self.unit_layout.removeWidget(self.unit_page)
            self.unit_page.deleteLater()
        self.unit_page = page
        self.unit_layout.addWidget(page, 1)
        self.unit_title.setText(f"{item.text()}（该单位上报数据的统计，与单位自己看到的相同）")
        self.stack.setCurrentIndex(1)

    def back(self) -> None:
        self.stack.setCurrentIndex(0)
        self.table.setFocus()

    # ------------------------------------------------------------------ output
    def table_data(self) -> tuple[list[str], list[list]]:
        """The table as shown (ranked order) with numbers as numbers, for Excel."""
        headers = [c[0] for c in COLUMNS] + ["测算人数可信", "统一社会信用代码", "测算说明"]
        rows = []
        for rank, r, shown in county_bodies.export_lines(self, cells):     # grouped as shown, or flat
            values = [text if col in TEXT_COLUMNS else key for col, (text, key) in enumerate(shown)]
            if isinstance(values[COL_RATIO], float):      # as shown: 1.38, not 1.379310344827586
                values[COL_RATIO] = round(values[COL_RATIO], 2)
            rows.append(values + ["是" if r.need.trustworthy else "否", r.credit_code, r.need.text])
        return headers, rows

    def export_excel(self, path: str | None = None) -> None:
        # imported here: openpyxl (~0.3 s), only when exporting
        from app.reports.xlsx_tables import write_tables
        if self.period_shown is None:
            return
        label = self.period_shown.label
        asked = path is None    # a path chosen here is confirmed with 打开 / 打开所在文件夹
        if asked:
            path = ask_save_path(self, "excel_export", "导出Excel", f"全县各单位-{label}.xlsx",
                                 "Excel 工作簿 (*.xlsx)", self.settings)
        if not path:
            return
        headers, rows = self.table_data()
        try:
            write_tables(Path(path), f"全县各单位 {label}", [("全县各单位", headers, rows)],
                         percent_columns={"使用率", "饱和度", "核心聚焦度", "全面度", "填报率", "审核率"},
                         decimal_columns={"编制任务比"})
        except OSError as exc:
            show_error(self, "导出失败", AppError(f"无法写入 {path}：{exc}"))
            return
        self.status_message.emit(f"已导出：{path}")
        if asked:
            confirm_saved(self, path, "Excel文件")

    def make_report(self, path: str | None = None) -> None:
        """The county PDF report of the period shown (app.reports.county.report)."""
        build = getattr(importlib.import_module(REPORT_MODULE), "build_county_report")
        if self.period_shown is None:
            return
        if path is None:
            path = ask_save_path(self, "report_pdf", "保存全县报告", f"全县履职评估报告-{self.period_shown.label}.pdf",
                                 "PDF 文件 (*.pdf)", self.settings)
        if not path:
            return
        db, period, today = self.db, self.period_shown, self.today()
        self.runner.run(lambda: build(db, period, Path(path), today=today), self._report_done,
                        lambda exc: show_error(self, "生成报告失败", exc), parent=self,
                        label="正在生成全县报告…")

    def _report_done(self, info) -> None:
        self.last_report = info.path
        self.status_message.emit(f"全县报告已生成：{info.path}（{info.pages}页，用时{info.seconds:.1f}秒）")
        if self.open_reports:     # where it is, with 打开 / 打开所在文件夹 (no silent auto-open)
            confirm_saved(self, info.path, "报告")

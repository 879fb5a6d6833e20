"""评估批次 page (编办 edition): an evaluation round by the 五单工作法 —

    定单  create a round, pick units and a template for each (default: by unit class); the round
          goes out in each unit's next 下发包 (单位管理 page)
    评单  one unit at a time: self-score beside the 编办's score entry, automatic scores from
          the unit's mirror, problems (seed 004 categories, 立查立改/限时整改/长期坚持, deadline),
          verification of the unit's rectification (rounds_unit_tab.UnitTab)
    用单  results: ranking by the 编办's total, open and overdue problems; the round report and
          the unit reports (PDF) with Excel of every score and problem; closing the round
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.county.mirrors import Mirrors, RegisteredUnit, registered_units
from app.services.evaluation import rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.rounds_bodies import result_lines
from app.core.bureau import grades as G
from app.services.evaluation.grading import grading_of, set_grading
from app.services.org.actor import Actor
from app.services.evaluation.indicators import templates
from app.ui.dialogs.base import show_error
from app.ui.pages.bureau.rounds_bodies import fill_results
from app.ui.pages.bureau.rounds_unit_tab import UnitTab
from app.ui.tasks import TaskRunner
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.revisit import RefreshOnRevisit
from app.ui.widgets.file_dialogs import ask_save_path

ROLE_UNIT = Qt.ItemDataRole.UserRole + 1
DEFAULT_TEMPLATE = "按单位类别选用（默认）"
UNIT_HEADERS = ["选择", "单位", "统一社会信用代码", "已下达的指标体系"]
RESULT_HEADERS = ["排名", "单位", "指标体系", "阶段", "自评得分", "编办评分", "加减分", "最终得分", "折算百分制",
                  "等次", "问题", "未销号", "逾期"]


def grade_counts(results: list) -> str:
    """；等次：好2个、较好3个 (empty before any unit is fully scored)."""
    grades = [r.grade for r in results if r.grade]
    return ("；等次：" + "、".join(f"{g}{grades.count(g)}个" for g in dict.fromkeys(grades))) if grades else ""


def cutoffs_text(grading) -> str:
    """The cut-offs as the 等次标准 field shows and reads them: 好=90，较好=80，一般=60，较差."""
    return "，".join([f"{n}={v:g}" for n, v in grading.cutoffs] + [grading.lowest])


def load_round(db: Database, mirrors: Mirrors, round_id: str | None, today) -> tuple:
    """(registered units, {unit id: template id} of the round, results); runs in the worker."""
    units = registered_units(db)
    if not round_id:
        return units, {}, []
    assigned = dict(rounds.assigned_units(db, mirrors, round_id))
    return units, assigned, RB.results(db, mirrors, round_id, today)


class RoundsPage(RefreshOnRevisit, QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, parent=None, *,
                 runner: TaskRunner | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.db, self.mirrors, self.actor, self.today = db, mirrors, actor, today
        self.runner = runner or TaskRunner()
        self.units: list[RegisteredUnit] = []
        self.assigned: dict[str, str] = {}
        self.results: list[RB.UnitResult] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("评估批次："))
        self.round_box = QComboBox(objectName="roundBox")
        self.round_box.setMinimumWidth(380)
        self.round_box.currentIndexChanged.connect(lambda _: self.refresh())
        top.addWidget(self.round_box)
        refresh = QPushButton("刷新", objectName="refreshRound")
        refresh.clicked.connect(lambda: self.refresh_rounds())
        top.addWidget(refresh)
        self.round_state = QLabel(objectName="roundState")
        top.addWidget(self.round_state, 1)
        layout.addLayout(top)
        self.tabs = QTabWidget(objectName="roundTabs")
        self.tabs.addTab(self._order_tab(), "定单（批次与单位）")
        self.unit_tab = UnitTab(self)
        self.unit_tab.changed.connect(self._changed)
        self.tabs.addTab(self.unit_tab, "评单（单位评估与问题）")
        self.tabs.addTab(self._results_tab(), "用单（结果）")
        layout.addWidget(self.tabs, 1)
        layout.addWidget(QLabel("流程：建立批次 → 下达单位（随下发包发出）→ 导入单位的上报包（自评）→ 评分、记录问题"
                                " → 导出下发包（问题清单）→ 导入上报包（整改情况）→ 核验销号 → 查看结果、生成报告。",
                                wordWrap=True, styleSheet="color:#555"))
        if not actor.is_admin:
            layout.addWidget(QLabel("建立批次、评分、记录问题和核验由编办管理员操作，本账号只能查看。",
                                    styleSheet="color:#8a5a00"))
        self.refresh_rounds()

    def refresh_on_revisit(self) -> None:
        # Rounds, scores and problems arrive with packages imported on another page.
        self.refresh_rounds()

    # ------------------------------------------------------------------ layout
    def _order_tab(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        box = QGroupBox("新建评估批次")
        form = QFormLayout(box)
        year = (self.today or dt.date.today()).year
        self.new_name = QLineEdit(f"{year}年度机构编制执行情况和使用效益评估", objectName="newRoundName")
        self.new_year = QSpinBox(objectName="newRoundYear", minimum=2000, maximum=2100, value=year)
        self.new_period = QLineEdit(str(year), objectName="newRoundPeriod")
        self.new_period.setToolTip("自动评分所用的统计期间：2026（全年）、2026-H1（上半年）、2026-Q4、2026-10")
        self.has_deadline = QCheckBox("自评截止", objectName="hasSelfDeadline")
        self.new_deadline = QDateEdit(QDate.currentDate().addMonths(1), objectName="newRoundDeadline",
                                      calendarPopup=True, displayFormat="yyyy-MM-dd", enabled=False)
        self.has_deadline.toggled.connect(self.new_deadline.setEnabled)
        create = QPushButton("建立批次", objectName="createRound")
        create.clicked.connect(self.create_round)
        form.addRow("批次名称：", self.new_name)
        form.addRow("评估年度：", self.new_year)
        form.addRow("统计期间：", self.new_period)
        form.addRow(self.has_deadline, self.new_deadline)
        form.addRow(create)
        layout.addWidget(box, 2)
        right = QVBoxLayout()
        right.addWidget(QLabel("勾选要评估的单位，选择指标体系后下达；已下达的单位可改用另一套指标体系（开始评分前）。"))
        self.unit_table = RecordTable(UNIT_HEADERS, 1)
        self.unit_table.setObjectName("assignTable")
        self.unit_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        right.addWidget(self.unit_table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("指标体系："))
        self.template_box = QComboBox(objectName="templateBox")
        row.addWidget(self.template_box, 1)
        assign = self.assign_button = QPushButton("下达所选单位", objectName="assignUnits")
        assign.clicked.connect(self.assign)
        row.addWidget(assign)
        right.addLayout(row)
        layout.addLayout(right, 3)
        return page

    def _results_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.result_summary = QLabel(objectName="resultSummary")
        layout.addWidget(self.result_summary)
        self.result_table = RecordTable(RESULT_HEADERS, 1)
        self.result_table.setObjectName("resultTable")
        layout.addWidget(self.result_table, 1)
        grades = QHBoxLayout()
        grades.addWidget(QLabel("等次标准（折算百分制＝最终得分÷满分×100）："))
        self.cutoffs = QLineEdit(objectName="gradeCutoffs")
        self.cutoffs.setToolTip("从高到低写等次和分数线，最后写最低等次，如 好=90，较好=80，一般=60，较差")
        grades.addWidget(self.cutoffs, 1)
        grades.addWidget(QLabel("最高等次不超过"))
        self.top_share = QSpinBox(objectName="gradeTopShare", minimum=0, maximum=100, suffix="%")
        self.top_share.setSpecialValueText("不限")
        self.top_share.setToolTip("最高等次的单位数不超过参评单位的比例；超出的按排名降为下一等次")
        grades.addWidget(self.top_share)
        self.grades_button = QPushButton("保存等次标准", objectName="saveGrades")
        self.grades_button.clicked.connect(self.save_grades)
        grades.addWidget(self.grades_button)
        layout.addLayout(grades)
        row = QHBoxLayout()
        for text, name, slot in (("生成批次工作情况报告…", "roundReport", lambda: self.report()),
                                 ("生成所选单位的评估报告…", "unitReport", lambda: self.report(unit=True)),
                                 ("结束批次", "closeRound", self.close_round)):
            b = QPushButton(text, objectName=name)
            b.clicked.connect(slot)
            row.addWidget(b)
        self.close_button = b
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # ------------------------------------------------------------------ loading
    @property
    def round_id(self) -> str | None:
        return self.round_box.currentData()

    def refresh_rounds(self, select: str | None = None) -> None:
        current = select or self.round_id
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.states = {r.id: r for r in rounds.round_states(self.db)}
        for r in self.states.values():
            self.round_box.addItem(r.label, r.id)
        if current:
            self.round_box.setCurrentIndex(max(self.round_box.findData(current), 0))
        self.round_box.blockSignals(False)
        self.template_box.clear()
        self.template_box.addItem(DEFAULT_TEMPLATE, None)
        for t in templates(self.db):
            self.template_box.addItem(f"{t.name}（{t.unit_class}）", t.id)
        self.refresh()

    def _show_state(self) -> None:
        """The round's state beside its name, and the round's buttons enabled only when they
        can act (a disabled one says why)."""
        state = self.states.get(self.round_id) if self.round_id else None
        if state is None:
            why = "请先在“定单”页建立评估批次"
            self.round_state.setText("")
        elif state.closed_on:
            why = f"评估批次已于{state.closed_on}结束，不能再修改"
            self.round_state.setText(f"已结束（{state.closed_on}）：评分、问题和核验不能再修改，可查看结果、生成报告")
            self.round_state.setStyleSheet("color:#8a5a00; font-weight:bold")
        else:
            why = ""
            self.round_state.setText("进行中")
            self.round_state.setStyleSheet("color:#1a6b2f")
        if not self.actor.is_admin and not why:
            why = "由编办管理员操作"
        for b in (self.assign_button, self.close_button, self.grades_button):
            b.setEnabled(not why)
            b.setToolTip(why)
        grading = grading_of(self.db, self.round_id) if state is not None else None
        self.cutoffs.setText(cutoffs_text(grading) if grading else "")
        self.top_share.setValue(int(grading.top_share or 0) if grading else 0)

    def refresh(self) -> None:
        self._show_state()
        db, mirrors, round_id, today = self.db, self.mirrors, self.round_id, self.today
        self.runner.run(lambda: load_round(db, mirrors, round_id, today), self._shown,
                        lambda exc: show_error(self, "读取评估批次失败", exc), parent=self, label="正在读取评估批次…")

    def _shown(self, loaded) -> None:
        self.units, self.assigned, self.results = loaded
        names = {t.id: t.name for t in templates(self.db)}
        checked = self.checked_units()
        self.unit_table.set_rows([("", u.name, u.credit_code, names.get(self.assigned.get(u.unit_id), "未下达")
                                   if u.unit_id in self.assigned else "未下达") for u in self.units])
        for row, u in enumerate(self.units):
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if u.unit_id in checked else Qt.CheckState.Unchecked)
            item.setData(ROLE_UNIT, u.unit_id)
            self.unit_table.setItem(row, 0, item)
        fill_results(self.result_table, result_lines(self.db, self.results))   # bodies together
        self.result_summary.setText(
            f"参评单位{len(self.results)}个；问题{sum(r.problems for r in self.results)}个，未销号"
            f"{sum(r.open_problems for r in self.results)}个，逾期{sum(r.overdue for r in self.results)}个"
            + grade_counts(self.results) if self.round_id else "还没有评估批次：请在“定单”页建立批次")
        order = {u.unit_id: u.name for u in self.units}
        self.unit_tab.set_units([(u, order.get(u, u)) for u in order if u in self.assigned])

    def checked_units(self) -> set[str]:
        found = set()
        for row in range(self.unit_table.rowCount()):
            item = self.unit_table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                found.add(item.data(ROLE_UNIT))
        return found

    def set_checked(self, unit_ids: set[str]) -> None:
        for row in range(self.unit_table.rowCount()):
            item = self.unit_table.item(row, 0)
            item.setCheckState(Qt.CheckState.Checked if item.data(ROLE_UNIT) in unit_ids else Qt.CheckState.Unchecked)

    # ------------------------------------------------------------------ actions
    def _changed(self, message: str) -> None:
        self.status_message.emit(message)
        db, mirrors, round_id, today = self.db, self.mirrors, self.round_id, self.today
        self.runner.run(lambda: load_round(db, mirrors, round_id, today), self._results_only,
                        lambda exc: show_error(self, "读取评估批次失败", exc))

    def _results_only(self, loaded) -> None:
        _, _, self.results = loaded
        fill_results(self.result_table, result_lines(self.db, self.results))   # bodies together

    def save_grades(self) -> None:
        if not self.round_id:
            return
        share = self.top_share.value() or None
        try:
            grading = G.parse(self.cutoffs.text(), share)
        except ValueError as exc:
            show_error(self, "保存等次标准失败", AppError(f"等次标准有误，未保存：{exc}"))
            return
        try:
            set_grading(self.db, self.actor, self.round_id, grading.cutoffs, grading.lowest, grading.top_share)
        except AppError as exc:
            show_error(self, "保存等次标准失败", exc)
            return
        self.status_message.emit(f"已保存等次标准：{grading.text()}")
        self.refresh()

    def create_round(self) -> None:
        deadline = self.new_deadline.date().toPython() if self.has_deadline.isChecked() else None
        try:
            round_id = rounds.create_round(self.db, self.actor, self.new_name.text(), self.new_year.value(),
                                           self.new_period.text().strip(), deadline)
        except AppError as exc:
            show_error(self, "建立批次失败", exc)
            return
        self.status_message.emit(f"已建立评估批次“{self.new_name.text().strip()}”")
        self.refresh_rounds(select=round_id)

    def assign(self) -> None:
        unit_ids = self.checked_units()
        if not self.round_id or not unit_ids:
            show_error(self, "下达评估任务", AppError("请先建立或选择评估批次，并勾选单位"))
            return
        chosen = [u.unit_id for u in self.units if u.unit_id in unit_ids]
        try:
            rounds.assign_units(self.db, self.mirrors, self.actor, self.round_id, chosen,
                                self.template_box.currentData())
        except AppError as exc:
            show_error(self, "下达评估任务", exc)
            return
        self.status_message.emit(f"已下达{len(chosen)}个单位，请在“单位管理”页导出下发包")
        self.refresh()

    def selected_result_unit(self) -> str | None:
        row = self.result_table.currentRow()
        return self.result_table.item(row, 1).data(ROLE_UNIT) if row >= 0 else None

    def choose_report(self, name: str) -> str:
        """Save-as picker; tests replace it."""
        return ask_save_path(self, "report_pdf", "保存评估报告", name, "PDF (*.pdf)")

    def report(self, unit: bool = False, path: str | None = None) -> None:
        if not self.round_id:
            return
        unit_id = self.selected_result_unit() if unit else None
        if unit and unit_id is None:
            show_error(self, "生成报告", AppError("请先在结果表中选择一个单位"))
            return
        if not (path := path or self.choose_report("单位评估报告.pdf" if unit else "评估工作情况报告.pdf")):
            return
        # imported here: reportlab (~0.2 s), only when a report is written
        from app.services.reporting.evaluation import build_eval_report
        db, round_id, today, target = self.db, self.round_id, self.today, Path(path)
        self.runner.run(lambda: build_eval_report(db, round_id, target, unit=unit_id,
                                                  xlsx=target.with_suffix(".xlsx"), today=today),
                        lambda info: self.status_message.emit(f"已生成《{info.title}》：{info.path}"),
                        lambda exc: show_error(self, "生成报告失败", exc), parent=self, label="正在生成评估报告…")

    def confirm(self, text: str) -> bool:
        """Yes/no question (default No)."""
        box = QMessageBox(QMessageBox.Icon.Question, "结束批次", text.split("\n\n")[0], parent=self)
        if "\n\n" in text:
            box.setInformativeText(text.split("\n\n", 1)[1])
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def close_round(self) -> None:
        if not self.round_id:
            return
        unfinished = RB.close_blockers(self.db, self.mirrors, self.round_id, self.today)
        text = "结束后各单位和编办都不能再修改本批次的评分和问题。确定结束？"
        if unfinished:
            text = (f"还有{len(unfinished)}个单位未完成评估或整改，结束后不能再评分、核验：\n\n"
                    + "\n".join(unfinished) + "\n\n仍要结束本批次吗？")
        if not self.confirm(text):
            return
        try:
            RB.close_round(self.db, self.mirrors, self.actor, self.round_id, force=True)
        except AppError as exc:
            show_error(self, "结束批次失败", exc)
            return
        self.status_message.emit("评估批次已结束，随下一个下发包通知各单位")
        self.refresh_rounds()

"""评估自评 page (unit edition): the evaluation rounds the 编办 sent in its 下发包 (定单) — the
indicator tree with max score, the automatic value and the self-score; a point's score,
explanation and evidence files (接单); submit or recall; the problems the 编办 found with the
rectification form (改单); the evaluation report.

Writing is for the unit's admin (the services check it); everyone else reads. Scores and
rectifications travel to the 编办 in the next 上报包 (数据交换 page).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.evaluation import adjustments, rounds
from app.core.bureau.evaluation import ProblemLine, RoundDetail
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.round_tree import RoundTree, fit_problem_columns
from app.ui.widgets.revisit import RefreshOnRevisit
from app.ui.widgets.file_dialogs import ask_open_paths, ask_save_path

ROLE_EVIDENCE = Qt.ItemDataRole.UserRole + 1
ROLE_PROBLEM = Qt.ItemDataRole.UserRole + 2
PURPOSE = ("<p><b>评估自评</b>：县委编办开展机构编制执行情况和使用效益评估（五单工作法）时，本单位在这里"
           "对照编办下达的指标体系逐项自评、附上佐证材料并提交（接单），再对编办发现的问题报告整改情况（改单）。</p>")
NO_ROUND = ("<p><b>目前没有评估任务。</b>编办下达评估任务（定单）后，任务随编办的下发包到达：请单位管理员在"
            "“数据交换”页导入编办的下发包，评估批次就会出现在这里。在此之前本页无需操作。</p>")
NO_ROUND_TIP = "尚无评估批次：编办下达的评估任务随下发包到达（“数据交换”页导入）"
PROBLEM_HEADERS = ["问题类别", "问题描述", "整改类型", "整改期限", "状态", "责任人/科室", "整改措施", "整改进展",
                   "编办核验意见"]
OVERDUE = QBrush(QColor("#fde2e1"))


def evidence_label(e: dict) -> str:
    if e.get("kind") == "file":
        return f"附件：{e.get('name', '')}"
    if e.get("kind") == "stats":
        return f"统计数据（{e.get('period', '')}）"
    return str(e.get("name") or e)


class EvidenceList(QListWidget):
    """Evidence entries (files and statistics links) of a score or a rectification."""

    def set_items(self, evidence: list) -> None:
        self.clear()
        for e in evidence:
            item = QListWidgetItem(evidence_label(e))
            item.setData(ROLE_EVIDENCE, e)
            self.addItem(item)

    def items(self) -> list:
        return [self.item(i).data(ROLE_EVIDENCE) for i in range(self.count())]

    def add(self, evidence: list) -> None:
        known = {e.get("sha256") for e in self.items()}
        self.set_items(self.items() + [e for e in evidence if e.get("sha256") not in known])

    def remove_selected(self) -> None:
        for item in self.selectedItems():
            self.takeItem(self.row(item))


class EvalPage(RefreshOnRevisit, QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent=None, *, runner: TaskRunner | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.db, self.actor, self.today = db, actor, today
        self.runner = runner or TaskRunner()
        self.detail: RoundDetail | None = None
        self._score_lock = NO_ROUND_TIP      # why the self-score fields cannot be edited now ('' = they can)
        self.auto: dict = {}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("评估批次："))
        self.round_box = QComboBox(objectName="roundBox")
        self.round_box.setMinimumWidth(360)
        self.round_box.currentIndexChanged.connect(lambda _: self.load())
        top.addWidget(self.round_box)
        self.summary = QLabel(objectName="roundSummary", wordWrap=True)
        top.addWidget(self.summary, 1)
        layout.addLayout(top)
        buttons = QHBoxLayout()
        self.auto_button = self._button("按统计数据自动评分", "autoFill", self.auto_fill, buttons)
        self.submit_button = self._button("提交自评", "submitSelf", lambda: self.submit(), buttons)
        self.recall_button = self._button("撤回提交", "recallSelf", lambda: self.submit(recall=True), buttons)
        self.report_button = self._button("生成评估报告…", "evalReport", lambda: self.report(), buttons)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.empty = QLabel(PURPOSE + NO_ROUND, wordWrap=True, objectName="noRound")
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setStyleSheet("font-size: 12pt; padding: 16px; background:#f6f6f6; border:1px solid #ddd")
        layout.addWidget(self.empty, 1)
        self.tabs = QTabWidget(objectName="evalTabs")
        self.tabs.addTab(self._score_tab(), "自评（接单）")
        self.tabs.addTab(self._problem_tab(), "问题整改（改单）")
        layout.addWidget(self.tabs, 1)
        if not actor.is_admin:
            layout.addWidget(QLabel("自评和整改由单位管理员填报，本账号只能查看。", styleSheet="color:#555"))
        self.refresh_rounds()

    def refresh_on_revisit(self) -> None:
        # Rounds, scores and problems arrive with packages imported on another page.
        self.refresh_rounds()

    def _button(self, text, name, slot, row) -> QPushButton:
        b = QPushButton(text, objectName=name)
        b.clicked.connect(slot)
        row.addWidget(b)
        return b

    # ------------------------------------------------------------------ layout
    def _score_tab(self) -> QWidget:
        split = QSplitter()
        self.tree = RoundTree(scoring="self")
        self.tree.setObjectName("evalTree")
        self.tree.currentItemChanged.connect(lambda *_: self._show_item())
        split.addWidget(self.tree)
        box = QGroupBox("评估要点")
        outer = QVBoxLayout(box)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)            # the form stays at the top; spare room goes below it
        self.item_name = QLabel(wordWrap=True, objectName="itemName")
        self.item_guidance = QLabel(wordWrap=True, objectName="itemGuidance", styleSheet="color:#555")
        self.item_auto = QLabel(wordWrap=True, objectName="itemAuto")
        self.score = QDoubleSpinBox(objectName="selfScore", decimals=2, singleStep=0.5)
        self.score.setSpecialValueText("未评")
        self.explanation = QPlainTextEdit(objectName="selfExplanation")
        self.explanation.setPlaceholderText("自评说明：做了什么、依据哪些材料")
        self.explanation.setMaximumHeight(160)
        self.evidence = EvidenceList(objectName="selfEvidence")
        self.evidence.setMaximumHeight(120)
        files = QHBoxLayout()
        self.score_files = [
            self._button("添加佐证材料…", "addEvidence", lambda: self.add_evidence(self.evidence), files),
            self._button("移除", "removeEvidence", self.evidence.remove_selected, files)]
        self.save_button = QPushButton("保存自评", objectName="saveSelf")
        self.save_button.clicked.connect(self.save_score)
        form.addRow(self.item_name)
        form.addRow(self.item_guidance)
        form.addRow("自动值：", self.item_auto)
        form.addRow("自评得分：", self.score)
        form.addRow("自评说明：", self.explanation)
        form.addRow("佐证材料：", self.evidence)
        form.addRow(files)
        form.addRow(self.save_button)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        return split

    def _problem_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.problems = RecordTable(PROBLEM_HEADERS, 1)
        self.problems.setObjectName("problemTable")
        fit_problem_columns(self.problems, {0: 190, 6: 200, 7: 160, 8: 160})
        self.problems.itemSelectionChanged.connect(self._show_problem)
        layout.addWidget(self.problems, 1)
        box = QGroupBox("整改情况（报编办核验）")
        form = QFormLayout(box)
        self.owner = QLineEdit(objectName="fixOwner", placeholderText="责任人或责任科室")
        self.measures = QPlainTextEdit(objectName="fixMeasures")
        self.measures.setMaximumHeight(70)
        self.progress = QPlainTextEdit(objectName="fixProgress")
        self.progress.setMaximumHeight(60)
        self.done = QCheckBox("整改已完成，请编办核验销号", objectName="fixDone")
        self.fix_evidence = EvidenceList(objectName="fixEvidence")
        self.fix_evidence.setMaximumHeight(60)
        files = QHBoxLayout()
        self.fix_files = [
            self._button("添加佐证材料…", "addFixEvidence", lambda: self.add_evidence(self.fix_evidence), files),
            self._button("移除", "removeFixEvidence", self.fix_evidence.remove_selected, files)]
        self.fix_button = self._button("报告整改情况", "saveFix", self.save_fix, files)
        files.addStretch(1)
        form.addRow("责任人/科室：", self.owner)
        form.addRow("整改措施：", self.measures)
        form.addRow("整改进展：", self.progress)
        form.addRow(self.done)
        form.addRow("佐证材料：", self.fix_evidence)
        form.addRow(files)
        layout.addWidget(box)
        return page

    # ------------------------------------------------------------------ loading
    def refresh_rounds(self) -> None:
        here = rounds.round_states(self.db)
        current = self.round_id
        self.round_box.blockSignals(True)
        self.round_box.clear()
        for r in here:
            self.round_box.addItem(r.label, r.id)
        self.round_box.blockSignals(False)
        self.round_box.setEnabled(bool(here))
        self.round_box.setToolTip("" if here else NO_ROUND_TIP)
        self.empty.setVisible(not here)
        self.tabs.setVisible(bool(here))
        if current:
            index = self.round_box.findData(current)
            self.round_box.setCurrentIndex(max(index, 0))
        self.load()

    @property
    def round_id(self) -> str | None:
        return self.round_box.currentData() if hasattr(self, "round_box") else None

    def load(self) -> None:
        round_id = self.round_id
        if not round_id:
            self._shown(None)
            return
        db, today = self.db, self.today

        def work():
            d = rounds.detail(db, round_id, today=today)
            try:
                auto = rounds.auto_preview(db, round_id, today=today)
            except AppError:                 # the template or statistics cannot be read: no values
                auto = {}
            return d, auto, adjustments.lines(db, round_id)
        self.runner.run(work, self._shown, lambda exc: show_error(self, "读取评估失败", exc), parent=self,
                        label="正在读取评估…")

    def _shown(self, result) -> None:
        self.detail, self.auto, adjusted = result if result else (None, {}, [])
        d = self.detail
        self.tree.set_detail(d, self.auto, {x.item_id: (x.points, x.reason) for x in adjusted})
        self._set_writable(d)
        if d is None:
            self.summary.setText("")
            self._show_item()
            return
        st, bt = d.self_totals, d.bureau_totals
        text = (f"《{d.template_name}》 阶段：{d.stage} ｜ 自评{st.total:g}分（已评{st.scored}/{st.leaves}项）"
                + (f" ｜ 编办评分{bt.total:g}分（已评{bt.scored}/{bt.leaves}项）" if bt.scored else ""))
        if entered := [x for x in adjusted if x.times]:
            text += f" ｜ 编办加减分{sum(x.points for x in entered):+g}分"
        if d.self_deadline:
            text += f" ｜ 自评截止{d.self_deadline}"
        if d.closed:
            text += f" ｜ 批次已于{d.closed_on}结束"
        self.summary.setText(text)
        self.problems.set_rows([(p.category, p.description, p.rectify_type, p.deadline or "—",
                                 p.state + ("（逾期）" if p.overdue else ""), p.owner, p.measures, p.progress,
                                 p.verify_comment) for p in d.problems])
        for row, p in enumerate(d.problems):
            self.problems.item(row, 0).setData(ROLE_PROBLEM, p.id)
            if p.overdue:
                for col in range(len(PROBLEM_HEADERS)):
                    self.problems.item(row, col).setBackground(OVERDUE)
        self.tabs.setTabText(1, f"问题整改（改单）{len(d.problems)}" if d.problems else "问题整改（改单）")
        self._show_item()

    def _set_writable(self, d: RoundDetail | None) -> None:
        """Enable the buttons that can act now; a disabled one says why in its tooltip."""
        if d is None:
            why = NO_ROUND_TIP
        elif not self.actor.is_admin:
            why = "自评和整改由单位管理员填报，本账号只能查看"
        elif d.closed:
            why = f"评估批次已于{d.closed_on}结束，不能再修改"
        else:
            why = ""
        scoring = why or ("自评已提交；如需修改请先撤回提交" if d.submitted_at else "")
        recall = why or ("" if not d.submitted_at else "编办已开始评分，不能撤回" if d.bureau_totals.scored else "")
        if not why and not d.submitted_at:
            recall = "自评尚未提交"
        buttons = {self.auto_button: scoring, self.submit_button: scoring, self.save_button: scoring,
                   self.recall_button: recall, self.fix_button: why,
                   self.report_button: NO_ROUND_TIP if d is None else ""}
        self._score_lock = scoring
        buttons.update({b: scoring for b in self.score_files})
        buttons.update({b: why for b in self.fix_files})
        for button, reason in buttons.items():
            button.setEnabled(not reason)
            button.setToolTip(reason)

    def _show_item(self) -> None:
        line = self.tree.current_line()
        leaf = line is not None and line.level == 3
        for w in (self.score, self.explanation, self.evidence):
            w.setEnabled(leaf)
        # read-only rather than disabled: a closed or submitted round's answers stay legible
        for w in (self.score, self.explanation):
            w.setReadOnly(bool(self._score_lock))
            w.setToolTip(self._score_lock)
        if not leaf:
            self.item_name.setText("在左侧选择一个评估要点（第三级指标）进行自评" if self.detail else "")
            self.item_guidance.setText("")
            self.item_auto.setText("")
            return
        self.item_name.setText(f"{line.code} {line.name}（满分{line.max_score:g}分）")
        self.item_guidance.setText(line.guidance or "")
        a = self.auto.get(line.id)
        self.item_auto.setText(a.explanation if a else ("人工评分" if line.method != "auto" else "—"))
        self.score.setRange(-0.01, line.max_score)     # the value under 0 shows “未评”
        self.score.setValue(line.self_score if line.self_score is not None else -0.01)
        self.explanation.setPlainText(line.explanation)
        self.evidence.set_items(line.evidence)

    def selected_problem(self) -> ProblemLine | None:
        row = self.problems.currentRow()
        if self.detail is None or row < 0:
            return None
        problem_id = self.problems.item(row, 0).data(ROLE_PROBLEM)
        return next((p for p in self.detail.problems if p.id == problem_id), None)

    def _show_problem(self) -> None:
        p = self.selected_problem()
        if p is None:
            return
        self.owner.setText(p.owner)
        self.measures.setPlainText(p.measures)
        self.progress.setPlainText(p.progress)
        self.done.setChecked(p.done and not p.reopened)
        self.fix_evidence.set_items(p.evidence)

    # ------------------------------------------------------------------ actions
    def choose_files(self) -> list[str]:
        """File picker; tests replace it."""
        return ask_open_paths(self, "attachment", "选择佐证材料")

    def add_evidence(self, target: EvidenceList) -> None:
        paths = self.choose_files()
        if not paths:
            return
        try:
            target.add(rounds.file_evidence(self.db, paths))
        except AppError as exc:
            show_error(self, "添加佐证材料失败", exc)

    def _do(self, title: str, fn, message: str) -> bool:
        try:
            fn()
        except AppError as exc:
            show_error(self, title, exc)
            return False
        self.status_message.emit(message)
        self.load()
        return True

    def save_score(self) -> None:
        line = self.tree.current_line()
        if self.detail is None or line is None or line.level != 3:
            return
        value = self.score.value()
        score = None if value < 0 else value
        self._do("保存自评失败", lambda: rounds.set_self_score(
            self.db, self.actor, self.detail.round_id, line.id, score, self.explanation.toPlainText().strip(),
            self.evidence.items()), f"已保存 {line.code} 的自评")

    def auto_fill(self) -> None:
        if self.detail is None:
            return
        result = []
        if self._do("自动评分失败", lambda: result.append(
                rounds.fill_auto_self_scores(self.db, self.actor, self.detail.round_id, self.today)), "已自动评分"):
            self.status_message.emit(result[0].summary())

    def submit(self, recall: bool = False) -> None:
        if self.detail is None:
            return
        self._do("撤回失败" if recall else "提交失败",
                 lambda: rounds.submit_self(self.db, self.actor, self.detail.round_id, recall=recall),
                 "已撤回自评" if recall else "已提交自评，请在“数据交换”页导出上报包报送编办")

    def save_fix(self) -> None:
        p = self.selected_problem()
        if p is None:
            show_error(self, "报告整改", AppError("请先在表中选择一个问题"))
            return
        self._do("报告整改失败", lambda: rounds.report_rectification(
            self.db, self.actor, p.id, owner=self.owner.text(), measures=self.measures.toPlainText(),
            progress=self.progress.toPlainText().strip(), evidence=self.fix_evidence.items(),
            done=self.done.isChecked()), "已报告整改情况，请在“数据交换”页导出上报包报送编办")

    def choose_report(self) -> str:
        """Save-as picker for the report; tests replace it."""
        return ask_save_path(self, "report_pdf", "保存评估报告", "评估报告.pdf", "PDF (*.pdf)")

    def report(self, path: str | None = None) -> None:
        if self.detail is None or not (path := path or self.choose_report()):
            return
        # imported here: reportlab (~0.2 s), only when a report is written
        from app.services.reporting.evaluation import build_eval_report
        db, round_id, today = self.db, self.detail.round_id, self.today
        target = Path(path)
        self.runner.run(lambda: build_eval_report(db, round_id, target, xlsx=target.with_suffix(".xlsx"),
                                                  today=today),
                        lambda info: self.status_message.emit(f"已生成《{info.title}》：{info.path}"),
                        lambda exc: show_error(self, "生成报告失败", exc), parent=self, label="正在生成评估报告…")

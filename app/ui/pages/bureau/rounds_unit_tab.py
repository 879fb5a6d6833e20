"""评单 tab of the 编办's 评估批次 page: one unit of the round — its indicator tree with the self-score
beside the 编办's, the point's self-assessment (explanation, evidence) and the 编办's score entry,
automatic scores from the unit's mirror, problems with the seed-004 categories and their
rectification types, and the verification of the unit's rectification (销号 or 退回)."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from app.core.bureau import evaluation as E
from app.core.errors import AppError
from app.services.evaluation import rounds
from app.core.bureau.evaluation import ProblemLine, RoundDetail
from app.services.evaluation import rounds_bureau as RB
from app.ui.dialogs.base import show_error
from app.ui.pages.eval_page import evidence_label
from app.ui.pages.bureau.rounds_adjust_box import AdjustBox
from app.services.evaluation import adjustments
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.round_tree import RoundTree, fit_problem_columns

ROLE_PROBLEM = Qt.ItemDataRole.UserRole + 2
PROBLEM_HEADERS = ["问题类别", "问题描述", "整改类型", "整改期限", "状态", "单位整改情况", "核验意见"]
OVERDUE = QBrush(QColor("#fde2e1"))


def fix_text(p: ProblemLine) -> str:
    """The unit's rectification in one cell: owner, measures, progress, evidence count."""
    if not p.measures:
        return "—"
    files = sum(1 for e in p.evidence if isinstance(e, dict) and e.get("kind") == "file")
    return (f"{p.owner}：{p.measures}" + (f"（进展：{p.progress}）" if p.progress else "")
            + (f"，佐证材料{files}个" if files else ""))


class UnitTab(QWidget):
    changed = Signal(str)          # a status message after a write

    def __init__(self, page):
        super().__init__(page)
        self.page = page
        self.detail: RoundDetail | None = None
        self.auto: dict = {}
        self.adjust_lines: list = []
        self._why = "请先选择评估批次和单位"
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("单位："))
        self.unit_box = QComboBox(objectName="unitBox")
        self.unit_box.setMinimumWidth(280)
        self.unit_box.currentIndexChanged.connect(lambda _: self.load())
        top.addWidget(self.unit_box)
        self.summary = QLabel(objectName="unitSummary", wordWrap=True)
        top.addWidget(self.summary, 1)
        self.auto_button = QPushButton("按统计数据自动评分", objectName="bureauAutoFill")
        self.auto_button.clicked.connect(self.auto_fill)
        top.addWidget(self.auto_button)
        layout.addLayout(top)
        split = QSplitter(Qt.Orientation.Vertical)
        upper = QSplitter()
        self.tree = RoundTree(scoring="bureau")
        self.tree.setObjectName("bureauTree")
        self.tree.currentItemChanged.connect(lambda *_: self._show_item())
        upper.addWidget(self.tree)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        self.score_box = self._score_box()
        self.adjust_box = AdjustBox(self)
        self.adjust_box.setVisible(False)
        column.addWidget(self.score_box)
        column.addWidget(self.adjust_box)
        upper.addWidget(right)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        split.addWidget(upper)
        split.addWidget(self._problem_box())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

    # ------------------------------------------------------------------ layout
    def _score_box(self) -> QGroupBox:
        box = QGroupBox("评估要点：单位自评与编办评分")
        form = QFormLayout(box)
        self.item_name = QLabel(wordWrap=True, objectName="bureauItemName")
        self.self_line = QLabel(wordWrap=True, objectName="selfLine")
        self.self_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.item_auto = QLabel(wordWrap=True, objectName="bureauItemAuto", styleSheet="color:#555")
        self.score = QDoubleSpinBox(objectName="bureauScore", decimals=2, singleStep=0.5)
        self.score.setSpecialValueText("未评")
        self.comment = QPlainTextEdit(objectName="bureauComment")
        self.comment.setPlaceholderText("评分意见（实地查看、座谈、调阅材料的情况）")
        self.comment.setMaximumHeight(80)
        self.save_button = QPushButton("保存评分", objectName="saveBureauScore")
        self.save_button.clicked.connect(self.save_score)
        form.addRow(self.item_name)
        form.addRow("单位自评：", self.self_line)
        form.addRow("自动值：", self.item_auto)
        form.addRow("编办评分：", self.score)
        form.addRow("评分意见：", self.comment)
        form.addRow(self.save_button)
        return box

    def _problem_box(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.problems = RecordTable(PROBLEM_HEADERS, 1)
        self.problems.setObjectName("bureauProblems")
        fit_problem_columns(self.problems, {0: 130, 5: 170, 6: 110})
        left.addWidget(self.problems, 1)
        verify = QHBoxLayout()
        self.verify_comment = QLineEdit(objectName="verifyComment", placeholderText="核验意见（退回整改必填）")
        verify.addWidget(self.verify_comment, 1)
        self.verify_buttons = []
        for text, name, close in (("核验销号", "closeProblem", True), ("退回整改", "reopenProblem", False)):
            b = QPushButton(text, objectName=name)
            b.clicked.connect(lambda _=False, c=close: self.verify(c))
            verify.addWidget(b)
            self.verify_buttons.append(b)
        left.addLayout(verify)
        layout.addLayout(left, 5)
        box = QGroupBox("记录问题（评单）")
        form = QFormLayout(box)
        self.category = QComboBox(objectName="problemCategory", editable=True)
        self.category.addItems(E.PROBLEM_CATEGORIES)
        self.kind = QComboBox(objectName="problemType")
        self.kind.addItems(E.RECTIFY_TYPES)
        self.has_deadline = QCheckBox("整改期限", objectName="hasDeadline", checked=True)
        self.deadline = QDateEdit(objectName="problemDeadline", calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.deadline.setDate(QDate.currentDate().addMonths(3))
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.description = QPlainTextEdit(objectName="problemDescription")
        self.description.setMaximumHeight(70)
        self.link_item = QCheckBox("关联当前选中的评估要点", objectName="linkItem")
        add = self.add_button = QPushButton("记录问题", objectName="addProblem")
        add.clicked.connect(self.add_problem)
        form.addRow("问题类别：", self.category)
        form.addRow("整改类型：", self.kind)
        form.addRow(self.has_deadline, self.deadline)
        form.addRow("问题描述：", self.description)
        form.addRow(self.link_item)
        form.addRow(add)
        layout.addWidget(box, 2)
        return page

    # ------------------------------------------------------------------ loading
    def set_units(self, units: list[tuple[str, str]]) -> None:
        """(unit id, name) of the round's units."""
        current = self.unit_id
        self.unit_box.blockSignals(True)
        self.unit_box.clear()
        for unit_id, name in units:
            self.unit_box.addItem(name, unit_id)
        index = self.unit_box.findData(current) if current else 0
        self.unit_box.setCurrentIndex(max(index, 0))
        self.unit_box.blockSignals(False)
        self.load()

    @property
    def unit_id(self) -> str | None:
        return self.unit_box.currentData()

    def load(self) -> None:
        round_id, unit_id = self.page.round_id, self.unit_id
        if not round_id or not unit_id:
            self._shown(None)
            return
        mirrors, today = self.page.mirrors, self.page.today

        def work():
            mirror = mirrors.get(unit_id)
            d = rounds.detail(mirror, round_id, unit_id, today)
            try:
                auto = rounds.auto_preview(mirror, round_id, unit_id, today=today)
            except AppError:
                auto = {}
            return d, auto, adjustments.lines(mirror, round_id, unit_id)
        self.page.runner.run(work, self._shown, lambda exc: show_error(self, "读取单位评估失败", exc),
                             parent=self, label="正在读取单位评估…")

    def _shown(self, result) -> None:
        self.detail, self.auto, self.adjust_lines = result if result else (None, {}, [])
        d = self.detail
        self.tree.set_detail(d, self.auto, {x.item_id: (x.points, x.reason) for x in self.adjust_lines})
        self.problems.set_rows([] if d is None else [
            (p.category, p.description, p.rectify_type, p.deadline or "—", p.state + ("（逾期）" if p.overdue else ""),
             fix_text(p), p.verify_comment) for p in d.problems])
        if d is None:
            self.summary.setText("")
            self._set_writable(None)
            self._show_item()
            return
        for row, p in enumerate(d.problems):
            self.problems.item(row, 0).setData(ROLE_PROBLEM, p.id)
            if p.overdue:
                for col in range(len(PROBLEM_HEADERS)):
                    self.problems.item(row, col).setBackground(OVERDUE)
        st, bt = d.self_totals, d.bureau_totals
        self.summary.setText(f"《{d.template_name}》 阶段：{d.stage} ｜ 自评{st.total:g}分"
                             + ("（已提交）" if d.submitted_at else "（未提交）")
                             + f" ｜ 编办评分{bt.total:g}分（已评{bt.scored}/{bt.leaves}项）"
                             + (f" ｜ 加减分{adjustments_total:+g}分" if (adjustments_total := round(
                                 sum(x.points for x in self.adjust_lines), 2)) else ""))
        self._set_writable(d)
        self._show_item()

    def _set_writable(self, d: RoundDetail | None) -> None:
        """Enable what can act on this unit now; a disabled button says why in its tooltip."""
        if d is None:
            why = "请先选择评估批次和单位"
        elif not self.page.actor.is_admin:
            why = "评分、记录问题和核验由编办管理员操作"
        elif d.closed:
            why = f"评估批次已于{d.closed_on}结束，不能再修改"
        else:
            why = ""
        self._why = why
        scoring_why = why or ("" if d.submitted_at else "该单位尚未提交自评（请先导入单位的上报包）")
        for b in (self.auto_button, self.save_button):
            b.setEnabled(not scoring_why)
            b.setToolTip(scoring_why)
        for b in (self.add_button, *self.verify_buttons):
            b.setEnabled(not why)
            b.setToolTip(why)

    def _show_item(self) -> None:
        line = self.tree.current_line()
        adjust = next((x for x in self.adjust_lines if line is not None and x.item_id == line.id), None)
        self.adjust_box.show_line(adjust, self._why)
        self.score_box.setVisible(adjust is None)
        leaf = line is not None and line.level == 3
        self.score.setEnabled(leaf)
        self.comment.setEnabled(leaf)
        if not leaf:
            self.item_name.setText("在左侧选择一个评估要点（第三级指标）评分" if self.detail else "")
            self.self_line.setText("")
            self.item_auto.setText("")
            return
        self.item_name.setText(f"{line.code} {line.name}（满分{line.max_score:g}分）\n{line.guidance}".strip())
        shown = "未评" if line.self_score is None else f"{line.self_score:g}分"
        files = "；".join(evidence_label(e) for e in line.evidence)
        self.self_line.setText(f"{shown}。{line.explanation}" + (f"\n佐证：{files}" if files else ""))
        a = self.auto.get(line.id)
        self.item_auto.setText(a.explanation if a else ("人工评分" if line.method != "auto" else "—"))
        self.score.setRange(-0.01, line.max_score)
        self.score.setValue(line.bureau_score if line.bureau_score is not None else -0.01)
        self.comment.setPlainText(line.bureau_comment)

    def selected_problem(self) -> ProblemLine | None:
        row = self.problems.currentRow()
        if self.detail is None or row < 0:
            return None
        problem_id = self.problems.item(row, 0).data(ROLE_PROBLEM)
        return next((p for p in self.detail.problems if p.id == problem_id), None)

    # ------------------------------------------------------------------ actions
    def _do(self, title: str, fn, message: str) -> bool:
        try:
            fn()
        except AppError as exc:
            show_error(self, title, exc)
            return False
        self.changed.emit(message)
        self.load()
        return True

    def _args(self):
        return self.page.db, self.page.mirrors, self.page.actor, self.detail.round_id, self.unit_id

    def save_score(self) -> None:
        line = self.tree.current_line()
        if self.detail is None or line is None or line.level != 3:
            return
        value = self.score.value()
        self._do("保存评分失败", lambda: RB.set_bureau_score(
            *self._args(), line.id, None if value < 0 else value, self.comment.toPlainText().strip()),
            f"已保存 {self.unit_box.currentText()} {line.code} 的评分")

    def auto_fill(self) -> None:
        if self.detail is None:
            return
        done = []
        if self._do("自动评分失败", lambda: done.append(RB.fill_auto_bureau_scores(*self._args(), self.page.today)),
                    "已自动评分"):
            self.changed.emit(f"{self.unit_box.currentText()}：{done[0].summary()}")

    def add_problem(self) -> None:
        if self.detail is None:
            return
        line = self.tree.current_line() if self.link_item.isChecked() else None
        deadline = self.deadline.date().toPython() if self.has_deadline.isChecked() else None
        db, mirrors, actor, round_id, unit_id = self._args()
        if self._do("记录问题失败", lambda: RB.add_problem(
                db, mirrors, actor, round_id, unit_id, category=self.category.currentText(),
                description=self.description.toPlainText(), rectify_type=self.kind.currentText(),
                deadline=deadline, item_id=line.id if line is not None and line.level == 3 else None),
                "已记录问题，随下一个下发包发给单位"):
            self.description.clear()

    def verify(self, close: bool) -> None:
        p = self.selected_problem()
        if p is None:
            show_error(self, "核验整改", AppError("请先在表中选择一个问题"))
            return
        db, mirrors, actor, _, unit_id = self._args()
        if self._do("核验失败", lambda: RB.verify_problem(db, mirrors, actor, unit_id, p.id, close=close,
                                                        comment=self.verify_comment.text()),
                    "已核验销号" if close else "已退回整改"):
            self.verify_comment.clear()

"""单位管理 → 三定职责: the unit's duties with their 职能类别 and 任务类型 (seed 002, 桓台县), and
setting the task type of the selected duties (app.services.org.duty_task_types decides who may)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import AppError
from app.core.task_types import TASK_TYPES
from app.db.engine import Database
from app.services.org import structure as org
from app.services.org.actor import Actor
from app.services.org.duty_task_types import set_task_type
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable

GUESS = "按职责内容推定"
GUESSED_MARK = "（推定）"


class DutiesTab(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.table = RecordTable(["职责编号", "职责内容", "职能类别", "任务类型", "承担科室", "承担人数"], 1)
        self.table.setObjectName("dutyTable")
        self.choice = QComboBox(objectName="taskTypeChoice")
        for kind in TASK_TYPES:
            self.choice.addItem(kind, kind)
        self.choice.addItem(GUESS, "")
        apply = QPushButton("设为所选职责的任务类型", objectName="applyTaskType")
        apply.clicked.connect(lambda: self.apply())
        row = QHBoxLayout()
        for w in (QLabel("任务类型："), self.choice, apply):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(QLabel("任务类型用于统计分析“按任务类型”；标“推定”的按职责内容和职能类别推定，未单独设置。"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.table.set_rows([(d.code, d.content, d.duty_class,
                              d.task_type + ("" if d.task_type_set else GUESSED_MARK), d.sections, d.people)
                             for d in org.duties(self.db)])

    def selected_codes(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).text() for r in rows]

    def apply(self) -> None:
        codes = self.selected_codes()
        if not codes:
            show_error(self, "设置任务类型", AppError("请先在表中选择一条或多条职责"))
            return
        chosen, done, refused = self.choice.currentData(), [], []
        for code in codes:
            try:
                set_task_type(self.db, self.actor, code, chosen)
                done.append(code)
            except AppError as exc:
                refused.append(str(exc))
        self.refresh()
        if done:
            self.status_message.emit(f"已将{len(done)}条职责的任务类型设为“{self.choice.currentText()}”")
        if refused:
            show_error(self, "设置任务类型", AppError("\n".join(refused)))

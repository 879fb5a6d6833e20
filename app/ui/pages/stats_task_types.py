"""Two parts of the 统计分析 page kept out of stats_page.py: the 按任务类型 tab (hours, share,
entries and people per 任务类型 of the group shown, and the split of each group below it) and
the 组织人事导出 button (主要领导, 分管领导, admin: app.services.stats.hr_export decides)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import AppError
from app.core.task_types import TASK_TYPES
from app.services.stats import hr_export
from app.services.stats.task_types import TaskTypeView, task_type_view
from app.ui.dialogs.base import show_error
from app.ui.widgets.file_dialogs import ask_save_path, confirm_saved
from app.ui.widgets.record_table import RecordTable


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class TaskTypeTab(QWidget):
    """The split of the group shown by 任务类型. It is worked out when the tab is shown (one
    more pass over the period's entries), not on every drill-down."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("taskTypeTab")
        self._load = None
        self.view: TaskTypeView | None = None
        self.caption = QLabel(objectName="taskTypeCaption", wordWrap=True)
        self.summary = RecordTable(["任务类型", "工时", "工时占比", "任务数（条）", "任务数占比",
                                    "参与人数", "参与人数占比"])
        self.summary.setObjectName("taskTypeSummary")
        self.breakdown = RecordTable(["名称", "计入工时", *(f"{t}工时" for t in TASK_TYPES),
                                      "非业务工作占比"])
        self.breakdown.setObjectName("taskTypeBreakdown")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.breakdown, 2)

    def set_source(self, load) -> None:
        """`load()` → TaskTypeView of the group now shown; run at once if the tab is visible."""
        self._load, self.view = load, None
        if self.isVisible():
            self.refresh()

    def follow(self, page) -> None:
        """Show the split of the group the statistics page now shows."""
        level, key, period = page.level, page.key, page.page_data.period
        db, actor, today, calendar = page.db, page.actor, page.today(), page.calendar
        approved = page.approved_only.isChecked()
        self.set_source(lambda: task_type_view(db, period, level, key, actor=actor, today=today,
                                               approved_only=approved, calendar=calendar))

    def showEvent(self, event) -> None:      # noqa: N802 (Qt)
        super().showEvent(event)
        if self.view is None and self._load is not None:
            self.refresh()

    def refresh(self) -> None:
        try:
            self.view = self._load()
        except AppError as exc:
            self.view = None
            self._load = None
            self.caption.setText(str(exc))
            self.summary.set_rows([])
            self.breakdown.set_rows([])
            return
        t = self.view.total
        self.caption.setText(f"{t.name}　{t.period.label}：计入工时{t.hours:g}小时，{t.entries}条，{t.people}人。"
                             "任务类型取自各条职责（三定职责页可查看），未关联职责的工作按工作类别归类。")
        self.summary.set_rows([(r.task_type, r.hours, _pct(r.share), r.entries, _pct(r.entry_share),
                                r.people, _pct(r.people_share)) for r in t.rows]
                              + [("合计", t.hours, _pct(1.0 if t.hours else None), t.entries,
                                  _pct(1.0 if t.entries else None), t.people, "")])
        self.breakdown.set_rows([(c.name, c.hours, *(c.hours_of(k) for k in TASK_TYPES),
                                  _pct(1 - c.hours_of(TASK_TYPES[0]) / c.hours if c.hours else None))
                                 for c in self.view.children])
        self.breakdown.setVisible(bool(self.view.children))


def hr_export_button(page) -> QPushButton | None:
    """组织人事导出… for those who may export (None for the others)."""
    if not hr_export.may_export(page.actor):
        return None
    button = QPushButton("组织人事导出…", objectName="hrExport")
    button.setToolTip("每人每季度的计入工时、饱和度、提交率、审核通过率、核心职责占比（Excel或打印表），"
                      "供组织人事部门开展公务员平时考核参考")
    button.clicked.connect(lambda: export_hr(page))
    return button


def export_hr(page, path: str | None = None) -> None:
    """Ask where (.xlsx or .pdf), then write the quarters of the period shown."""
    if page.page_data is None:
        return
    period = page.page_data.period.full or page.page_data.period
    if path is None:
        path = ask_save_path(page, "excel_export", "组织人事导出", f"干部履职情况-{period.label}.xlsx",
                             "Excel 工作簿 (*.xlsx);;PDF 打印表 (*.pdf)")
    if not path:
        return
    db, actor, today, calendar = page.db, page.actor, page.today(), page.calendar
    page.runner.run(lambda: hr_export.write_hr_export(db, actor, period, Path(path), today=today,
                                                      calendar=calendar),
                    lambda done: _exported(page, done), lambda exc: show_error(page, "组织人事导出失败", exc),
                    parent=page, label="正在导出…")


def _exported(page, done) -> None:
    path, table = done
    page.status_message.emit(f"已导出{table.period_label}干部履职情况（{len(table.rows)}行）：{path}")
    if page.open_reports:
        confirm_saved(page, path, "组织人事导出")

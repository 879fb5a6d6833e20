"""单位管理 page (admin only): Excel templates and imports, roster, duties, categories, calendar."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QDateEdit, QDoubleSpinBox, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QTabWidget, QVBoxLayout,
                               QWidget, QComboBox)

from app.core.calendar import HOLIDAY, WORKDAY
from app.core.errors import AppError, ValidationError
from app.db.engine import Database
from app.services.org import structure as org
from app.services.org.actor import Actor
from app.services.org.calendar import list_overrides, set_override
from app.ui.dialogs.base import show_error
from app.ui.pages.accounts_tab import AccountsTab
from app.ui.pages.duties_tab import DutiesTab
from app.ui.tasks import TaskRunner
from app.ui.widgets.record_table import RecordTable
from app.services.excel.templates import write_template
from app.services.excel import duties as excel_duties, roster as excel_roster
from app.ui.widgets.file_dialogs import ask_open_path, ask_save_path

KIND_LABELS = {HOLIDAY: "放假", WORKDAY: "调休上班"}


class AdminPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, runner: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.runner = runner or TaskRunner()
        tabs = QTabWidget(objectName="adminTabs")
        tabs.addTab(self._import_tab(), "导入三定与人员")
        self.accounts = AccountsTab(db, actor)
        self.accounts.status_message.connect(self.status_message)
        self.people = self.accounts.table
        tabs.addTab(self.accounts, "人员名册")
        self.duties = DutiesTab(db, actor)
        self.duties.status_message.connect(self.status_message)
        self.duty_table = self.duties.table
        tabs.addTab(self.duties, "三定职责")
        self.section_table = RecordTable(["科室", "职责概述", "人数", "职责数"], 1)
        tabs.addTab(self.section_table, "内设机构")
        # imported here: a page or dialog is built when it is first opened
        from app.ui.pages.review_settings_tab import ReviewSettingsTab
        self.review_settings = ReviewSettingsTab(db, actor)
        self.review_settings.status_message.connect(self.status_message)
        tabs.addTab(self.review_settings, "审阅设置")
        tabs.addTab(self._category_tab(), "工作类别")
        tabs.addTab(self._calendar_tab(), "节假日安排")
        QVBoxLayout(self).addWidget(tabs)
        self.refresh()

    # ------------------------------------------------------------------ import
    def _import_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("先导入“三定职责”（内设机构与部门职责），再导入“人员”（名册与岗位职责）。"
                                "任何一行有误时全部不导入，并在下表列出每处错误。"))
        row = QHBoxLayout()
        for text, name, slot in (
                ("生成三定职责模板…", "templateDuties", lambda: self.save_template("duties")),
                ("导入三定职责…", "importDuties", lambda: self.import_file("duties")),
                ("生成人员模板…", "templateRoster", lambda: self.save_template("roster")),
                ("导入人员…", "importRoster", lambda: self.import_file("roster"))):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.import_result = QLabel(objectName="importResult", wordWrap=True)
        layout.addWidget(self.import_result)
        self.problems = RecordTable(["工作表", "行", "列", "问题"], 3)
        self.problems.setObjectName("importProblems")
        layout.addWidget(self.problems, 1)
        return tab

    def save_template(self, kind: str, path: str | None = None) -> None:
        name = "三定职责导入模板.xlsx" if kind == "duties" else "人员导入模板.xlsx"
        if path is None:
            path = ask_save_path(self, "excel_template", "保存模板", name, "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            write_template(kind, Path(path))
        except OSError as exc:
            show_error(self, "生成模板失败", AppError(f"无法写入 {path}：{exc}"))
            return
        self.status_message.emit(f"模板已保存：{path}")

    def import_file(self, kind: str, path: str | None = None, confirm_roles: bool = False) -> None:
        if path is None:
            path = ask_open_path(self, "roster_import", "选择要导入的文件", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if kind == "duties":
            work = lambda: excel_duties.import_duties(self.db, self.actor, Path(path))  # noqa: E731
        else:
            work = lambda: excel_roster.import_roster(self.db, self.actor, Path(path),  # noqa: E731
                                                      confirm_roles=confirm_roles)
        self.import_result.setText("正在导入…")
        self.runner.run(work, self._imported, lambda exc: self._import_failed(exc, path),
                        parent=self, label="正在校验并导入，请稍候…")

    def _imported(self, result) -> None:
        self.problems.set_rows([])
        self.import_result.setStyleSheet("color:#1b5e20")
        self.import_result.setText(result.summary())
        self.refresh()
        self.status_message.emit("导入完成")
        if result.new_accounts and self.ask(
                "初始密码单", f"已新建{len(result.new_accounts)}个账号，尚无密码。现在生成初始密码单"
                "（随机密码，每人一张）吗？\n也可以以后在“人员名册”中点“打印初始密码单…”。"):
            self.accounts.issue_slips(result.new_accounts, "初始密码单.pdf")

    def ask(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _import_failed(self, exc: BaseException, path: str | None = None) -> None:
        if not isinstance(exc, AppError):
            raise exc
        if isinstance(exc, excel_roster.RoleChangesNeedConfirmation):
            listed = "\n".join(c.text() for c in exc.changes)
            if self.ask("确认角色变动", f"本次导入有以下角色变动（领导角色或管理员本人的角色），"
                        f"确认后才会导入，并记入审计记录：\n\n{listed}\n\n确认这些变动并导入吗？"):
                self.import_file("roster", path, confirm_roles=True)
                return
        self.import_result.setStyleSheet("color:#b00020")
        self.import_result.setText(str(exc).splitlines()[0])
        problems = exc.problems if isinstance(exc, ValidationError) else []
        self.problems.set_rows([(getattr(p, "sheet", ""), getattr(p, "row", None) or "",
                                 getattr(p, "column", None) or "", getattr(p, "reason", str(p)))
                                for p in problems])

    # ------------------------------------------------------------------ categories
    def _category_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.category_table = RecordTable(["类别", "标准工时（小时/条）", "类型", "状态"])
        layout.addWidget(self.category_table, 1)
        row = QHBoxLayout()
        self.category_name = QLineEdit(objectName="categoryName", placeholderText="新类别名称（个性指标）")
        self.category_hours = QDoubleSpinBox(minimum=0.5, maximum=24, value=2, singleStep=0.5)
        add = QPushButton("添加类别", objectName="addCategory")
        add.clicked.connect(self.add_category)
        for w in (QLabel("单位自定义类别："), self.category_name, QLabel("标准工时"),
                  self.category_hours, add):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def add_category(self) -> None:
        try:
            org.add_category(self.db, self.actor, self.category_name.text(), self.category_hours.value())
        except AppError as exc:
            show_error(self, "添加类别失败", exc)
            return
        self.category_name.clear()
        self.refresh()

    # ------------------------------------------------------------------ calendar
    def _calendar_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("法定节假日与调休上班日决定“工作日”。已内置2025–2026年国务院安排，可按需增改。"))
        self.calendar_table = RecordTable(["日期", "类型", "名称"], 2)
        layout.addWidget(self.calendar_table, 1)
        row = QHBoxLayout()
        self.override_day = QDateEdit(QDate.currentDate(), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.override_kind = QComboBox()
        self.override_kind.addItem("放假", HOLIDAY)
        self.override_kind.addItem("调休上班", WORKDAY)
        self.override_kind.addItem("恢复为普通日", None)
        self.override_name = QLineEdit(placeholderText="名称，如 春节")
        apply = QPushButton("设置", objectName="setOverride")
        apply.clicked.connect(self.apply_override)
        for w in (self.override_day, self.override_kind, self.override_name, apply):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def apply_override(self) -> None:
        q = self.override_day.date()
        try:
            set_override(self.db, self.actor, dt.date(q.year(), q.month(), q.day()),
                         self.override_kind.currentData(), self.override_name.text().strip())
        except AppError as exc:
            show_error(self, "设置失败", exc)
            return
        self.refresh()
        self.status_message.emit("节假日安排已更新（重新登录后日志页生效）")

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        self.accounts.refresh()
        self.duties.refresh()
        self.section_table.set_rows([(s.name, s.summary, s.people, s.duties) for s in org.sections(self.db)])
        self.category_table.set_rows([(c.name, c.standard_hours, "通用" if c.builtin else "单位自定义",
                                       "启用" if c.active else "停用") for c in org.categories(self.db)])
        self.calendar_table.set_rows([(d.day.isoformat(), KIND_LABELS.get(d.kind, d.kind), d.name)
                                      for d in list_overrides(self.db)])

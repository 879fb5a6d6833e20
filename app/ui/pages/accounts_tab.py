"""单位管理 → 人员名册: the roster with each account's state, and the admin's account actions:
add a person, edit, 停用/启用, reset a password, unlock, print the 初始密码单 (random initial
passwords). The 编办's 本办账号 page (app.ui.pages.bureau.bureau_accounts_page) is this tab with
the 编办's columns and roles."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import account_changes, initial_passwords, lockout
from app.services.org import structure as org
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.dialogs.person_dialog import PersonDialog
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_save_path

HEADERS = ["登录名", "姓名", "科室", "角色", "职务", "编制类型", "状态", "岗位职责数", "账号"]
NOTE = ("新账号没有密码，须打印初始密码单（随机密码，每人一张，沿虚线裁开）交给本人；首次登录须修改密码。"
        "停用的账号不能登录，其日志和审阅记录保留。密码连续输错5次锁定1分钟，再错则加倍，最长60分钟。")


class AccountsTab(QWidget):
    status_message = Signal(str)
    headers = HEADERS
    add_text = "添加人员…"
    bureau = False
    stretch_column: int | None = None
    note = NOTE

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        self.table = RecordTable(self.headers, self.stretch_column)
        self.table.setObjectName("people")
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.buttons = {}
        for text, name, slot in ((self.add_text, "addPerson", self.add_person),
                                 ("编辑…", "editPerson", self.edit_person),
                                 ("停用账号", "toggleActive", self.toggle_active),
                                 ("重设密码…", "resetPassword", self.reset_password),
                                 ("解除锁定", "unlockAccount", self.unlock),
                                 ("打印初始密码单…", "printSlips", self.print_waiting_slips)):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(lambda _checked=False, act=slot: act())
            row.addWidget(button)
            self.buttons[name] = button
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.note, wordWrap=True, styleSheet="color:#555"))
        self._people: dict[str, org.PersonRow] = {}
        self._states: dict[str, str] = {}
        self.table.itemSelectionChanged.connect(self._selection_changed)

    # ------------------------------------------------------------------ rows
    def refresh(self) -> None:
        locks = lockout.lock_states(self.db)
        self._states = initial_passwords.account_states(self.db)
        people = org.persons(self.db)
        self._people = {p.login: p for p in people}
        rows = []
        for p in people:
            lock = locks.get(p.login)
            state = lock.text() if lock and lock.locked_until else self._states.get(p.login, "")
            if self._states.get(p.login) == account_changes.DEACTIVATED:
                state = account_changes.DEACTIVATED
            rows.append(self.row_of(p, state))
        self.table.set_rows(rows)
        self._selection_changed()

    def row_of(self, p: org.PersonRow, state: str) -> tuple:
        return (p.login, p.name, p.section, p.role, p.post, p.staffing_type, p.status,
                p.post_duties, state)

    def selected_login(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else None

    def _need_selection(self) -> str | None:
        login = self.selected_login()
        if login is None:
            QMessageBox.information(self, "请选择人员", "请先在表中选中一个人员。")
        return login

    def _selection_changed(self) -> None:
        login = self.selected_login()
        stopped = self._states.get(login) == account_changes.DEACTIVATED
        self.buttons["toggleActive"].setText("启用账号" if stopped else "停用账号")

    # ------------------------------------------------------------------ actions
    def edit_person(self) -> None:
        login = self._need_selection()
        if login is None or login not in self._people:
            return
        person = self._people[login]
        dialog = PersonDialog([s.name for s in org.sections(self.db)], person, bureau=self.bureau,
                              parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            changed = self.apply_edit(login, dialog)
        except AppError as exc:
            show_error(self, "修改失败", exc)
            return
        self.refresh()
        self.status_message.emit(f"已修改 {login} 的信息" if changed else f"{login} 的信息没有变化")

    def apply_edit(self, login: str, dialog: PersonDialog) -> bool:
        return account_changes.edit_person(self.db, self.actor, login, dialog.change())

    def toggle_active(self) -> None:
        login = self._need_selection()
        if login is None:
            return
        activate = self._states.get(login) == account_changes.DEACTIVATED
        if activate:
            title, text = "启用账号", f"启用 {login}？本人可用原来的密码再次登录。"
        else:
            title, text = "停用账号", (f"停用 {login}？停用后不能登录；本人的日志、审阅和签名记录都保留，"
                                       "以后可以再启用。")
        if QMessageBox.question(self, title, text) != QMessageBox.StandardButton.Yes:
            return
        try:
            account_changes.set_active(self.db, self.actor, login, activate)
        except AppError as exc:
            show_error(self, f"{title}失败", exc)
            return
        self.refresh()
        self.status_message.emit(f"已{'启用' if activate else '停用'} {login} 的账号")

    def unlock(self) -> None:
        login = self._need_selection()
        if login is None:
            return
        try:
            lifted = lockout.unlock(self.db, self.actor, login)
        except AppError as exc:
            show_error(self, "解除锁定失败", exc)
            return
        self.refresh()
        self.status_message.emit(f"已解除 {login} 的锁定" if lifted else f"{login} 没有被锁定")

    def reset_password(self) -> None:
        login = self._need_selection()
        if login is None:
            return
        answer = QMessageBox.question(
            self, "重设密码", f"为 {login} 生成新的随机初始密码？\n原密码立即失效，本人用密码单上的"
            "新密码登录后须修改密码；本人此前的签名不受影响。")
        if answer == QMessageBox.StandardButton.Yes:
            self.issue_slips([login], f"初始密码单_{login}.pdf")

    def add_person(self) -> None:
        dialog = PersonDialog([s.name for s in org.sections(self.db)], bureau=self.bureau, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            slip = initial_passwords.create_account(self.db, self.actor, dialog.new_user())
        except AppError as exc:
            show_error(self, "添加人员失败", exc)
            return
        self.refresh()
        self.save_slips([slip], f"初始密码单_{slip.login}.pdf")

    def print_waiting_slips(self) -> None:
        count = initial_passwords.waiting_count(self.db)
        if not count:
            QMessageBox.information(self, "初始密码单", "所有账号都已发放过初始密码。要补发遗失的密码单，"
                                    "请选中该人员后点“重设密码…”。")
            return
        self.issue_slips(None, "初始密码单.pdf")

    def issue_slips(self, logins: list[str] | None, default_name: str) -> None:
        """Issue new initial passwords and save them as a PDF the admin prints."""
        path = self.ask_save_path(default_name)
        if not path:
            return
        try:
            slips = initial_passwords.issue(self.db, self.actor, logins)
        except AppError as exc:
            show_error(self, "生成初始密码失败", exc)
            return
        self.refresh()
        self._write(slips, path)

    def save_slips(self, slips, default_name: str) -> None:
        path = self.ask_save_path(default_name)
        if path:
            self._write(slips, path)
        else:
            self.status_message.emit("初始密码单未保存：可选中该人员后点“重设密码…”重新生成")

    def _write(self, slips, path: str) -> None:
        from app.reports.password_slips import write_slips     # reportlab: only when printing
        try:
            write_slips(slips, Path(path))
        except OSError as exc:
            show_error(self, "保存失败", AppError(
                f"无法写入 {path}：{exc.strerror or exc}。密码已生成但未保存，请重新生成密码单。"))
            return
        self.status_message.emit(f"已为{len(slips)}人生成初始密码，密码单：{path}（打印后沿虚线裁开）")

    def ask_save_path(self, default_name: str) -> str:
        return ask_save_path(self, "report_pdf", "保存初始密码单", default_name, "PDF 文件 (*.pdf)")

"""单位管理 → 人员名册: the roster with each account's state, and the admin's account actions:
add a person, reset a password, unlock, print the 初始密码单 (random initial passwords)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from app.core import vocab
from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import initial_passwords, lockout
from app.services.org import structure as org
from app.services.org.accounts import NewUser
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_save_path

HEADERS = ["登录名", "姓名", "科室", "角色", "职务", "编制类型", "状态", "岗位职责数", "账号"]


class AccountsTab(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        self.table = RecordTable(HEADERS)
        self.table.setObjectName("people")
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        for text, name, slot in (("添加人员…", "addPerson", self.add_person),
                                 ("重设密码…", "resetPassword", self.reset_password),
                                 ("解除锁定", "unlockAccount", self.unlock),
                                 ("打印初始密码单…", "printSlips", self.print_waiting_slips)):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("新账号没有密码，须打印初始密码单（随机密码，每人一张，沿虚线裁开）交给本人；"
                                "首次登录须修改密码。密码连续输错5次锁定1分钟，再错则加倍，最长60分钟。",
                                wordWrap=True, styleSheet="color:#555"))

    # ------------------------------------------------------------------ rows
    def refresh(self) -> None:
        locks = lockout.lock_states(self.db)
        waiting = initial_passwords.account_states(self.db)
        rows = []
        for p in org.persons(self.db):
            lock = locks.get(p.login)
            state = lock.text() if lock and lock.locked_until else waiting.get(p.login, "")
            rows.append((p.login, p.name, p.section, p.role, p.post, p.staffing_type, p.status,
                         p.post_duties, state))
        self.table.set_rows(rows)

    def selected_login(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else None

    def _need_selection(self) -> str | None:
        login = self.selected_login()
        if login is None:
            QMessageBox.information(self, "请选择人员", "请先在表中选中一个人员。")
        return login

    # ------------------------------------------------------------------ actions
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
        dialog = AddPersonDialog([s.name for s in org.sections(self.db)], self)
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


class AddPersonDialog(QDialog):
    def __init__(self, sections: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("添加人员")
        form = QFormLayout(self)
        self.login = QLineEdit(objectName="newLogin")
        self.person_name = QLineEdit(objectName="newName")
        self.section = QComboBox(objectName="newSection")
        self.section.addItem("（无）", None)
        for name in sections:
            self.section.addItem(name, name)
        self.role = QComboBox(objectName="newRole")
        self.role.addItems(vocab.ROLES)
        form.addRow("登录名", self.login)
        form.addRow("姓名", self.person_name)
        form.addRow("科室", self.section)
        form.addRow("角色", self.role)
        form.addRow(QLabel("初始密码由程序随机生成，保存为初始密码单。", styleSheet="color:#555"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def new_user(self) -> NewUser:
        return NewUser(self.login.text().strip(), self.person_name.text().strip(), None,
                       role=self.role.currentText(), section=self.section.currentData())

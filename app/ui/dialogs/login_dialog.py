"""Login window. On a demo database it lists the demo accounts (double-click to fill in)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app import APP_NAME
from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import accounts
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import PreservingDialog


class LoginDialog(PreservingDialog):
    def __init__(self, db: Database, unit_name: str, settings: Settings | None = None,
                 parent: QWidget | None = None):
        super().__init__(settings, parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(f"{APP_NAME} — 登录")
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{unit_name}</h2><p>履职考评 · 工作日志与履职审阅</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)

        form = QFormLayout()
        self.login_edit = QLineEdit(settings.last_login if settings else "")
        self.login_edit.setObjectName("login")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("登录名(&L)", self.login_edit)
        form.addRow("密码(&P)", self.password_edit)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.demo_password = accounts.demo_password(db)
        if self.demo_password:
            self._add_demo_accounts(layout)
        self.resize(560, 620 if self.demo_password else 260)
        self.restore_geometry()
        (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    def _add_demo_accounts(self, layout: QVBoxLayout) -> None:
        layout.addWidget(QLabel(f"演示账号（密码均为 <b>{self.demo_password}</b>，双击填入）："))
        rows = accounts.list_accounts(self.db)
        table = QTableWidget(len(rows), 4)
        table.setObjectName("demoAccounts")
        table.setHorizontalHeaderLabels(["登录名", "姓名", "角色", "科室"])
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        for r, acc in enumerate(rows):
            role = acc.role + ("（管理员）" if acc.is_admin else "")
            for c, text in enumerate((acc.login, acc.name, role, acc.section)):
                table.setItem(r, c, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.cellDoubleClicked.connect(lambda r, _c: self._fill(rows[r].login))
        layout.addWidget(table, 1)

    def _fill(self, login: str) -> None:
        self.login_edit.setText(login)
        self.password_edit.setText(self.demo_password or "")
        self.try_login()

    def try_login(self) -> None:
        try:
            self.actor = accounts.login(self.db, self.login_edit.text(), self.password_edit.text())
        except AppError as exc:
            self.error_label.setText(str(exc))
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        if self._settings is not None:
            self._settings.last_login = self.actor.login
        self.accept()

"""Password change, forced on first login."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import accounts
from app.services.org.actor import Actor


class ChangePasswordDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, forced: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("修改密码")
        form = QFormLayout(self)
        if forced:
            form.addRow(QLabel("首次登录或密码已被重置，请设置新密码（至少8位，含字母和数字）。"))
        self.old = QLineEdit(objectName="old")
        self.new = QLineEdit(objectName="new")
        self.again = QLineEdit(objectName="again")
        for edit in (self.old, self.new, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("再次输入", self.again)
        self.error_label = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def submit(self) -> None:
        if self.new.text() != self.again.text():
            self.error_label.setText("两次输入的新密码不一致")
            return
        try:
            self.actor = accounts.change_password(self.db, self.actor, self.old.text(), self.new.text())
        except AppError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()

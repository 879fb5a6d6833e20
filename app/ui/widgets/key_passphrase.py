"""The 密钥口令 (key passphrase) that seals this PC's package keys: asked once per run before a
package is made or read, and set or changed by the admin (app.services.exchange.keystore)."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel,
                               QLineEdit, QMessageBox, QWidget)

from app.core.errors import AppError
from app.services.exchange import keystore


def ask_to_unlock(parent: QWidget, db) -> bool:
    """True when the keys can be used now (asking for the passphrase if they are sealed)."""
    for _ in range(3):
        if keystore.is_open(db):
            return True
        text, ok = QInputDialog.getText(parent, "输入密钥口令", "本机同步密钥已加密保存，请输入密钥口令：",
                                        QLineEdit.EchoMode.Password)
        if not ok:
            return False
        try:
            keystore.unlock(db, text)
        except AppError as exc:
            QMessageBox.warning(parent, "密钥口令", str(exc))
    return keystore.is_open(db)


class PassphraseDialog(QDialog):
    """Set (or change) the passphrase: the current one when there is one, the new one twice."""

    def __init__(self, db, actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle("设置密钥口令")
        form = QFormLayout(self)
        note = QLabel("本机同步密钥（签名和解密同步包用）将用密钥口令加密保存：数据库文件或其备份被拷走，"
                      "密钥也不会泄露。之后每次启动程序，第一次导出或导入同步包时须输入口令。"
                      "请妥善保管口令，遗失后须由编办重新登记本单位的密钥。", wordWrap=True)
        note.setFixedWidth(440)
        note.setMinimumHeight(note.heightForWidth(440))   # a wrapped label in a form is cut short
        form.addRow(note)
        self.current = QLineEdit(objectName="currentPassphrase", echoMode=QLineEdit.EchoMode.Password)
        if keystore.protected(db):
            form.addRow("原口令", self.current)
        self.new = QLineEdit(objectName="newPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(objectName="againPassphrase", echoMode=QLineEdit.EchoMode.Password)
        form.addRow(f"新口令（至少{keystore.MIN_LENGTH}位）", self.new)
        form.addRow("再输入一次", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        if self.new.text() != self.again.text():
            QMessageBox.warning(self, "设置密钥口令", "两次输入的新口令不一致")
            return
        try:
            keystore.protect(self.db, self.actor, self.new.text(),
                             self.current.text() if keystore.protected(self.db) else None)
        except AppError as exc:
            QMessageBox.warning(self, "设置密钥口令", str(exc))
            return
        self.accept()

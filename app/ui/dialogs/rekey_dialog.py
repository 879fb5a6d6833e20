"""Unit edition: type the new one-time registration code the 编办 gave after revoking this unit's
key; a new key pair proving it replaces the old one (app.services.exchange.unit_side.rekey)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.errors import AppError
from app.db.engine import Database
from app.services.exchange import unit_side as unit_sync
from app.services.org.actor import Actor

EXPLANATION = (
    "只在编办撤销了本单位的密钥（如密钥泄露、注册包被他人冒用，或本单位未能完成注册）并给了新注册码时使用。\n"
    "确定后本单位生成新密钥，旧密钥作废：之后导出的上报包由新密钥签名并附注册码证明，编办导入时电话核对新指纹，"
    "即完成重新注册。编办尚未撤销旧密钥时请不要使用，否则编办会拒收本单位的上报包。")


class RekeyDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.fingerprint: str | None = None
        self.setWindowTitle("输入编办的新注册码")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(EXPLANATION, wordWrap=True))
        self.code = QLineEdit(objectName="rekeyCode", placeholderText="XXXX-XXXX-XXXX-XXXX-XXXX")
        self.code.setStyleSheet("font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 14pt")
        layout.addWidget(self.code)
        self.message = QLabel(styleSheet="color:#b00020", wordWrap=True, objectName="rekeyMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("生成新密钥", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("rekeyConfirm")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.rekey)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 260)

    def rekey(self) -> None:
        try:
            self.fingerprint = unit_sync.rekey(self.db, self.code.text(), actor=self.actor)
        except AppError as exc:        # a malformed code: the dialog stays open
            self.message.setText(str(exc))
            return
        self.accept()

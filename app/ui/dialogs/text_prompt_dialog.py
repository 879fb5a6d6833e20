"""A small dialog asking for a text (return reason, amendment reason, comment)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class TextPromptDialog(QDialog):
    def __init__(self, title: str, prompt: str, required: bool, parent: QWidget | None = None,
                 placeholder: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.required = required
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        self.edit = QPlainTextEdit(objectName="promptText")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        layout.addWidget(self.edit)
        self.message = QLabel(styleSheet="color:#b00020")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 220)

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def _accept(self) -> None:
        if self.required and not self.text():
            self.message.setText("此项必须填写")
            return
        self.accept()


def ask_text(parent, title: str, prompt: str, required: bool, placeholder: str = "") -> str | None:
    dialog = TextPromptDialog(title, prompt, required, parent, placeholder)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

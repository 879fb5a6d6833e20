"""A unit's one-time registration code (注册码), shown once by the 编办 to copy or print: written
down, it goes to the unit apart from the 单位注册包 (app.sync.codes)."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

CODE_STYLE = ("font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; font-size: 22pt;"
              "font-weight: bold; color: #7a1c1c; background: #fbf3f3; border: 1px solid #e0b4b4;"
              "border-radius: 4px; padding: 10px 16px; letter-spacing: 2px")
HANDOVER = ("注册码只显示这一次，编办不保存。请抄下或打印，与注册包分开交给单位管理员（当面或电话告知），"
            "不要和注册包放在同一个U盘或邮件里。单位创建数据库时要输入它；本单位首个上报包导入后即作废。")


class CodeDialog(QDialog):
    """`heading` says what happened (注册包 written, key revoked); `steps`: what the unit does."""

    def __init__(self, unit_name: str, code: str, heading: str, steps: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("单位注册码")
        self.unit_name, self.code = unit_name, code
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(heading, wordWrap=True, objectName="codeHeading"))
        layout.addWidget(QLabel(f"“{unit_name}”的一次性注册码：", styleSheet="font-weight:bold"))
        self.code_label = QLabel(code, objectName="enrollmentCode", styleSheet=CODE_STYLE)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label)
        layout.addWidget(QLabel(HANDOVER, wordWrap=True, styleSheet="color:#8a5a00"))
        self.steps = steps
        layout.addWidget(QLabel(steps, wordWrap=True, styleSheet="color:#555", objectName="codeSteps"))
        buttons = QDialogButtonBox()
        copy = QPushButton("复制注册码", objectName="copyCode")
        copy.clicked.connect(self.copy)
        printing = QPushButton("打印…", objectName="printCode")
        printing.clicked.connect(self.print_code)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(printing, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        close.setObjectName("closeCode")
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(620, 360)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)

    def document_html(self) -> str:
        """The printed sheet: unit, code, what to do with it."""
        e = html.escape
        return (f"<h2>单位注册码通知</h2><p>单位：{e(self.unit_name)}</p>"
                f"<p style='font-family:monospace; font-size:20pt; font-weight:bold'>{e(self.code)}</p>"
                f"<p>{e(HANDOVER)}</p><p>{e(self.steps)}</p>")

    def print_code(self) -> None:
        # imported here: printing support is loaded only when someone prints
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        printer = QPrinter()
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            document = QTextDocument()
            document.setHtml(self.document_html())
            document.print_(printer)

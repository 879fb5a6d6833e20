"""A key fingerprint shown large and grouped, to be read aloud over the phone."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

# Two lines of four groups: short enough to read aloud one line at a time.
STYLE = ("font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; font-size: 20pt;"
         "font-weight: bold; color: #1a3d7c; background: #f3f6fb; border: 1px solid #c9d6ea;"
         "border-radius: 4px; padding: 8px 14px; letter-spacing: 1px")


def grouped(fingerprint: str) -> str:
    groups = fingerprint.split("-")
    half = (len(groups) + 1) // 2
    return " ".join(groups[:half]) + "\n" + " ".join(groups[half:])


class FingerprintLabel(QLabel):
    def __init__(self, fingerprint: str = "", parent=None, object_name: str = "fingerprint"):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setStyleSheet(STYLE)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_fingerprint(fingerprint)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.setText(grouped(fingerprint) if fingerprint else "")
        self.setVisible(bool(fingerprint))

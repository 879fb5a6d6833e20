"""Answers to modal dialogs in UI tests: a QTimer finds the dialog among the top-level windows
and answers it, so a test never blocks in a modal loop."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox


def answer_file_dialog(target: Path, seen: list[str]) -> None:
    """Finds the open file dialog, notes the folder it shows, and saves to `target`."""
    tries = []

    def answer():
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QFileDialog) and w.isVisible()]
        if not dialogs:
            if len(tries) < 250:          # give up after ~5 s: the test then fails on its assert
                tries.append(1)
                QTimer.singleShot(20, answer)
            return
        dialog = dialogs[0]
        seen.append(dialog.directory().absolutePath())
        seen.append(" ".join(label.text() for label in dialog.findChildren(QLabel)))
        dialog.selectFile(str(target))
        dialog.accept()
    QTimer.singleShot(0, answer)


def answer_box(title: str, button_text: str, seen: list[str]) -> None:
    tries = []

    def answer():
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title]
        if not boxes:
            if len(tries) < 250:          # give up after ~5 s: the test then fails on its assert
                tries.append(1)
                QTimer.singleShot(20, answer)
            return
        seen.append(boxes[0].text())
        seen.append("|".join(sorted(b.text() for b in boxes[0].buttons())))
        [button] = [b for b in boxes[0].buttons() if b.text() == button_text]
        button.click()
    QTimer.singleShot(0, answer)

"""The walk's stand-in for the user at the keyboard while an action runs (tests/ui/walker.py):
a timer that finds each new dialog or menu, records it and answers it, and Qt's static file
dialogs and QDesktopServices.openUrl replaced by recorders (they are native windows, which no
timer could answer, and opening a PDF viewer is not for a test run)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QMessageBox, QProgressDialog, QWidget

DIALOG_TIMEOUT_S = 5.0


@dataclass
class Seen:
    """What the auto-answerer met during one action."""
    dialogs: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)       # file dialogs asked
    opened: list[str] = field(default_factory=list)      # QDesktopServices.openUrl
    stuck: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def alive(obj) -> bool:
    return obj is not None and shiboken6.isValid(obj)


class Answerer(QObject):
    """Polls for dialogs and menus while an action runs and answers them."""

    def __init__(self, window, temp: Path):
        super().__init__()
        self.window, self.temp = window, temp
        self.seen = Seen()
        self.destructive = False
        self._first_seen: dict[int, float] = {}
        self.timeout = DIALOG_TIMEOUT_S
        self._before: set[int] = set()
        self.timer = QTimer(self, interval=30)
        self.timer.timeout.connect(self.poll)

    def start(self, destructive: bool) -> None:
        self.seen, self.destructive = Seen(), destructive
        self._first_seen.clear()
        self._before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        self.timer.start()

    def stop(self) -> Seen:
        self.poll()
        self.timer.stop()
        return self.seen

    def poll(self) -> None:
        for w in QApplication.topLevelWidgets():
            if not alive(w) or not w.isVisible() or w is self.window or id(w) in self._before:
                continue
            if isinstance(w, QProgressDialog):
                continue          # closes itself when the background task ends
            key = id(w)
            now = time.monotonic()
            if key not in self._first_seen:
                self._first_seen[key] = now
                self._record(w)
            if now - self._first_seen[key] > self.timeout:
                self.seen.stuck.append(w.windowTitle() or type(w).__name__)
                if isinstance(w, QDialog):
                    w.done(0)
                w.hide()
                continue
            self._answer(w)

    def _record(self, w: QWidget) -> None:
        if isinstance(w, QMenu):
            self.seen.dialogs.append(f"菜单（{len([a for a in w.actions() if not a.isSeparator()])}项）")
        elif isinstance(w, QFileDialog):
            self.seen.files.append(w.windowTitle())
        elif isinstance(w, QMessageBox):
            self.seen.dialogs.append(f"{w.windowTitle()}：{w.text()[:30]}".replace("\n", " "))
        else:
            self.seen.dialogs.append(w.windowTitle() or type(w).__name__)

    def _answer(self, w: QWidget) -> None:
        if isinstance(w, QMenu):
            w.close()
        elif isinstance(w, QFileDialog):
            self._answer_file_dialog(w)
        elif isinstance(w, QMessageBox):
            self._answer_box(w)
        elif isinstance(w, QDialog):
            w.reject()
        else:
            w.close()

    def _answer_file_dialog(self, dialog: QFileDialog) -> None:
        """Like the static ones: a folder or a file to save in the temp folder; nothing to open
        (the walk imports no arbitrary file)."""
        mode = dialog.fileMode()
        if mode in (QFileDialog.FileMode.ExistingFile, QFileDialog.FileMode.ExistingFiles):
            dialog.reject()
            return
        if mode == QFileDialog.FileMode.Directory:
            dialog.selectFile(str(self.temp))
        else:
            chosen = dialog.selectedFiles()
            dialog.selectFile(str(self.temp / (Path(chosen[0]).name if chosen else "walk-file")))
        dialog.accept()

    def _answer_box(self, box: QMessageBox) -> None:
        roles = {box.buttonRole(b): b for b in box.buttons()}
        R = QMessageBox.ButtonRole
        if self.destructive:
            order = (R.RejectRole, R.NoRole, R.DestructiveRole, R.AcceptRole, R.YesRole)
        else:
            order = (R.AcceptRole, R.YesRole, R.ApplyRole, R.RejectRole, R.NoRole)
        for role in order:
            if role in roles:
                roles[role].click()
                return
        box.done(0)


def patch_static_dialogs(monkeypatch, answerer: Answerer, temp: Path) -> None:
    """Qt's static file dialogs are native (not widgets the answerer could see): they are
    answered with a path in the temp folder, and recorded."""
    def save(parent=None, caption="", directory="", filter="", *args, **kwargs):
        answerer.seen.files.append(caption or "保存")
        target = temp / (Path(directory).name or "walk-file")
        suffix = re.search(r"\*(\.\w+)", filter or "")
        if suffix and not target.suffix:
            target = target.with_suffix(suffix.group(1))
        return str(target), ""

    def folder(parent=None, caption="", *args, **kwargs):
        answerer.seen.files.append(caption or "选择文件夹")
        return str(temp)

    def open_existing(*args, **kwargs):
        answerer.seen.files.append(args[1] if len(args) > 1 else "打开")
        return ("", "")     # nothing chosen: the walk does not import arbitrary files

    def open_many(*args, **kwargs):
        answerer.seen.files.append(args[1] if len(args) > 1 else "打开")
        return ([], "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_existing))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(open_many))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    from PySide6.QtGui import QDesktopServices

    def open_url(url):
        answerer.seen.opened.append(url.toLocalFile() or url.toString())
        return True
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))

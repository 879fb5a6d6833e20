"""Who works in the program's main window, and on which database: the login at start, 文件 →
注销/切换用户 and 文件 → 打开数据库… (issue 17 item 6).

Switching user closes the window first (what was typed is saved as at any close), then asks for
a login on the same database; cancelling it quits, as cancelling the first login does. Opening
another database goes the other way round: the new file is opened with the start's checks
(app.ui.opening.open_or_restore, which refuses a network share), logged into, and only then does
the current window close — so the current database stays open and in use if anything fails."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from app.core.errors import AppError
from app.db.engine import Database
from app.db.faults import DatabaseFault
from app.services.org.actor import Actor
from app.services.org.setup import is_initialised, unit_of
from app.settings import Settings
from app.ui.opening import open_or_restore, say

log = logging.getLogger(__name__)
BACKGROUND_WAIT_MS = 30_000      # a sync round or backup of the old database finishing first


class Session:
    """Holds the one main window (`window`); `quit` ends the program (tests pass their own)."""

    def __init__(self, settings: Settings, *, window_class=None, quit: Callable[[], None] | None = None,
                 today=None):
        self.settings = settings
        # the main window's class, given by whoever starts the session (not imported here: the
        # window imports this module for its 文件 menu)
        self.window_class = window_class
        self.window = None
        self._quit = quit or QApplication.quit
        self._today = today

    # ------------------------------------------------------------ login and window
    def login(self, db: Database, parent: QWidget | None = None) -> Actor | None:
        """The login dialog on `db` (and the forced password change); None when cancelled."""
        # imported here: the start shows the login before the main window's pages load
        from app.ui.dialogs.change_password_dialog import ChangePasswordDialog
        from app.ui.dialogs.login_dialog import LoginDialog
        dialog = LoginDialog(db, unit_of(db).name, self.settings, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        actor = dialog.actor
        if actor.must_change_password:
            change = ChangePasswordDialog(db, actor, forced=True, parent=parent)
            if change.exec() != QDialog.DialogCode.Accepted:
                return None
            actor = change.actor
        return actor

    def start(self, db: Database) -> bool:
        """The program's start on an open database: login, then the window. False: cancelled."""
        actor = self.login(db)
        if actor is None:
            return False
        self.show(db, actor)
        return True

    def show(self, db: Database, actor: Actor):
        window = self.window_class(db, actor, self.settings, **({"today": self._today} if self._today else {}))
        window.session = self
        self.window = window
        window.show()
        window.start_daily_backups()
        window.start_pc_sync()
        QTimer.singleShot(300, window.show_login_reminders)
        return window

    # ------------------------------------------------------------ 注销/切换用户
    def switch_user(self) -> None:
        old = self.window
        with no_quit_between_windows():
            if old is None or not self._close(old):
                return
            actor = self.login(old.db)
            if actor is None:
                self._quit()
                return
            self.show(old.db, actor)

    # ------------------------------------------------------------ 打开数据库…
    def choose_and_open(self) -> None:
        """The file dialog starts in the current database's folder."""
        current = self.window
        path, _ = QFileDialog.getOpenFileName(current, "打开数据库", str(current.db.path.parent),
                                              "数据库文件 (*.sqlite);;所有文件 (*)")
        if path:
            with no_quit_between_windows():
                self.open_other(Path(path))

    def open_other(self, path: Path) -> bool:
        """Open `path`, log in, replace the window; True when done. Any failure (a damaged or
        foreign file, one on a network share, a cancelled login) leaves the current window."""
        current = self.window
        if Path(path).resolve() == Path(current.db.path).resolve():
            QMessageBox.information(current, "打开数据库", "这就是当前正在使用的数据库。"
                                    "要换一个账号，请用“文件 → 注销/切换用户”。")
            return False
        try:
            db = open_or_restore(Path(path))
        except DatabaseFault as exc:
            say(QMessageBox.Icon.Critical, exc.title, str(exc))
            return False
        except AppError as exc:
            say(QMessageBox.Icon.Critical, getattr(exc, "title", "不能打开数据库"), str(exc))
            return False
        if db is None:
            return False
        try:
            if not is_initialised(db):
                raise AppError(f"该文件是一个尚未建立单位的空数据库，不能打开：{path}")
            actor = self.login(db, current)
        except AppError as exc:
            db.dispose()
            say(QMessageBox.Icon.Critical, "不能打开数据库", str(exc))
            return False
        if actor is None or not self._close(current):
            db.dispose()
            return False
        current.db.dispose()
        self.settings.last_db = str(Path(path).resolve())      # the next start opens it
        self.show(db, actor)
        return True

    # ------------------------------------------------------------
    def _close(self, window) -> bool:
        """Close the window (it may refuse: unsaved work the user keeps); its timers stop and the
        background work on its database ends before anything else happens to the database."""
        if not window.close():
            return False
        for name in ("_backup_timer", "_pc_timer"):
            timer = getattr(window, name, None)
            if timer is not None:
                timer.stop()
        if not QThreadPool.globalInstance().waitForDone(BACKGROUND_WAIT_MS):
            log.warning("background work still running after the window closed")
        window.deleteLater()
        if self.window is window:
            self.window = None
        return True


@contextmanager
def no_quit_between_windows():
    """Between closing one main window and showing the next only a dialog is up, and a dialog
    closing with no other window shown would end the program (quitOnLastWindowClosed)."""
    app = QApplication.instance()
    keep = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        yield
    finally:
        app.setQuitOnLastWindowClosed(keep)

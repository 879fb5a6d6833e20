"""Screenshots for the README, taken from the real windows on a demo database.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py /tmp/demo.sqlite
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from app.services import accounts
from app.services.setup import open_database, unit_of
from app.settings import Settings
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.main import make_app
from app.ui.main_window import MainWindow

OUT = Path(__file__).parent / "screenshots"


def main(db_path: str, login: str = "gaoruicheng", day: str = "2026-11-19") -> None:
    app = make_app()
    db = open_database(Path(db_path))
    settings = Settings(Path(tempfile.mkdtemp()) / "settings.json")
    OUT.mkdir(exist_ok=True)

    dialog = LoginDialog(db, unit_of(db).name, settings)
    dialog.show()
    actor = accounts.login(db, login, accounts.demo_password(db))
    window = MainWindow(db, actor, settings)
    window.resize(1360, 820)

    def shoot_login():
        dialog.grab().save(str(OUT / "login.png"))
        dialog.hide()
        window.show()
        window.log_page.open_day(dt.date.fromisoformat(day))
        QTimer.singleShot(700, shoot_main)

    def shoot_main():
        window.grab().save(str(OUT / "log_page.png"))
        app.quit()

    QTimer.singleShot(700, shoot_login)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:])

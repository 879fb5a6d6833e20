"""The login window for the README (docs/screenshots/login.png), on a demo database.

    .venv/bin/python -m app demo --db /tmp/demo.sqlite --force
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/make_screenshots.py /tmp/demo.sqlite

Every page as each role sees it comes from tests/manual/screenshots.py.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from app.services.org.setup import open_database, unit_of
from app.settings import Settings
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.main import make_app

OUT = Path(__file__).parent / "screenshots"


def main(db_path: str) -> None:
    app = make_app()
    db = open_database(Path(db_path))
    settings = Settings(Path(tempfile.mkdtemp()) / "settings.json")
    OUT.mkdir(exist_ok=True)
    dialog = LoginDialog(db, unit_of(db).name, settings)
    dialog.show()

    def save():
        dialog.grab().save(str(OUT / "login.png"))
        print(OUT / "login.png")
        app.quit()

    QTimer.singleShot(900, save)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:])

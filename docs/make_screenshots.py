"""Screenshots for the README, taken from the real windows on a demo database.

    .venv/bin/python -m app demo --db /tmp/demo.sqlite --force
    xvfb-run -a -s "-screen 0 1500x1000x24" .venv/bin/python docs/make_screenshots.py /tmp/demo.sqlite

The demo ends yesterday; the log page shows the newest draft of a staff member, the review page
the queue of the section head with the most pending logs, the statistics page the last full month.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from app.services.org import accounts
from app.services.org.setup import open_database, unit_of
from app.settings import Settings
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.main import make_app
from app.ui.main_window import MainWindow

OUT = Path(__file__).parent / "screenshots"


def pick(db_path: str) -> tuple[str, str, str, str]:
    """(staff login, draft day, head login, principal login) from the demo file."""
    conn = sqlite3.connect(db_path)
    staff, day = conn.execute(
        "SELECT p.login, w.day FROM work_log w JOIN person p ON p.id = w.person_id "
        "JOIN log_entry e ON e.log_id = w.id WHERE w.status = 'draft' AND p.role = '科室人员' "
        "AND p.section_id IS NOT NULL AND e.start_time IS NOT NULL "
        "GROUP BY w.id HAVING count(*) >= 3 ORDER BY w.day DESC LIMIT 1").fetchone()
    head = conn.execute(
        "SELECT p.login FROM person p JOIN person a ON a.section_id = p.section_id "
        "JOIN work_log w ON w.person_id = a.id WHERE p.role = '科室负责人' AND a.role = '科室人员' "
        "AND w.status = 'submitted' AND w.pending_level = 1 "
        "GROUP BY p.login ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    boss = conn.execute("SELECT login FROM person WHERE role = '主要领导'").fetchone()[0]
    conn.close()
    return staff, day, head, boss


def main(db_path: str) -> None:
    app = make_app()
    db = open_database(Path(db_path))
    staff, day, head, boss = pick(db_path)
    settings = Settings(Path(tempfile.mkdtemp()) / "settings.json")
    password = accounts.demo_password(db)
    OUT.mkdir(exist_ok=True)
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    shots = []

    dialog = LoginDialog(db, unit_of(db).name, settings)
    dialog.show()
    shots.append(("login.png", dialog, None))
    staff_window = MainWindow(db, accounts.login(db, staff, password), settings)
    staff_window.resize(1360, 820)
    shots.append(("log_page.png", staff_window,
                  lambda: staff_window.log_page.open_day(dt.date.fromisoformat(day))))
    head_window = MainWindow(db, accounts.login(db, head, password), settings)
    head_window.resize(1360, 820)
    shots.append(("review_page.png", head_window, lambda: head_window.go_to_page("履职审阅")))
    boss_window = MainWindow(db, accounts.login(db, boss, password), settings)
    boss_window.resize(1400, 980)

    def stats_table():
        boss_window.go_to_page("统计分析")
        boss_window.stats_page.set_period(last_month)

    shots.append(("stats_page.png", boss_window, stats_table))
    shots.append(("stats_charts.png", boss_window, lambda: boss_window.stats_page.tabs.setCurrentIndex(1)))

    def next_shot():
        if not shots:
            app.quit()
            return
        name, widget, prepare = shots.pop(0)
        for other in (dialog, staff_window, head_window, boss_window):
            if other is not widget:
                other.hide()
        widget.show()
        if prepare:
            prepare()
        QTimer.singleShot(900, lambda: (widget.grab().save(str(OUT / name)), next_shot()))

    QTimer.singleShot(300, next_shot)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:])

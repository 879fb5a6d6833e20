"""Screenshots of sync and the 编办 edition, from the real windows on county demos.

    .venv/bin/python -c "from app.demo.county import generate_county as g; \
        g('/tmp/county', units=8, people=30, months=3)"                          # imported
    .venv/bin/python -c "from app.demo.county import generate_county as g; \
        g('/tmp/county_new', units=4, people=30, months=1, seed=7, import_packages=False)"
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_sync_screenshots.py \
        /tmp/county /tmp/county_new

county_page.png and county_drill.png come from the first (imported) demo; import_preview.png
previews the second demo's USB folder (first packages of four units, plus a damaged copy);
wizard_enrollment.png opens one of its 注册包; register_unit.png shows the service's refusal of a
wrong check character inline. The second demo's database is not changed (a preview writes
nothing).
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from app.core.validators import make_credit_code
from app.services.org import accounts
from app.demo import data as D
from app.services.county.mirrors import Mirrors
from app.services.county.bureau import import_packages
from app.services.org.setup import open_database
from app.settings import Settings
from app.ui.dialogs.first_run_wizard import ENROLLED_UNIT, FirstRunWizard
from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog
from app.ui.dialogs.register_unit_dialog import RegisterUnitDialog
from app.ui.main import make_app
from app.ui.main_window import MainWindow

OUT = Path(__file__).parent / "screenshots"


def main(county_dir: str, new_dir: str) -> None:
    app = make_app()
    county_dir, new_dir = Path(county_dir), Path(new_dir)
    scratch = Path(tempfile.mkdtemp())
    settings = Settings(scratch / "settings.json")
    OUT.mkdir(exist_ok=True)
    db = open_database(county_dir / "county.sqlite")
    window = MainWindow(db, accounts.login(db, "admin", D.PASSWORD), settings)
    window.resize(1560, 900)
    last_month = _last_month(db)
    shots = []

    def county():
        window.go_to_page("全县分析")
        window.county_page.picker.set_text(last_month)
        window.county_page.reload()

    shots.append(("county_page.png", window, county, 4000))

    def drill():
        page = window.county_page
        page.drill(0)

    shots.append(("county_drill.png", window, drill, 2500))
    register = RegisterUnitDialog(db, accounts.login(db, "admin", D.PASSWORD), settings)

    def fill():
        register.name.setText("沂河县应急管理局")
        register.code.setText(make_credit_code("11371321", "MB285199")[:-1] + "0")
        register.quotas["行政编制"].setValue(18)
        register.leaders["正职"].setValue(1)
        register.leaders["副职"].setValue(3)
        register.task_class.setCurrentText("社会民生")
        register.key_tasks.setValue(7)
        register.register()

    shots.append(("register_unit.png", register, fill, 800))

    # Import preview: the not yet imported demo, with a damaged copy of one package.
    usb = scratch / "usb"
    shutil.copytree(new_dir / "usb", usb)
    first = sorted(usb.glob("*.lzkp"))[0]
    (usb / "损坏的上报包.lzkp").write_bytes(first.read_bytes()[:-300])
    new_db = open_database(new_dir / "county.sqlite")
    results = import_packages(new_db, Mirrors(new_db), [usb], apply=False)
    preview = ImportPreviewDialog(results, settings)
    preview.resize(1200, 720)
    shots.append(("import_preview.png", preview, None, 800))

    wizard = FirstRunWizard(scratch / "new.sqlite")

    def enroll():
        wizard.start_page.buttons[ENROLLED_UNIT].setChecked(True)
        wizard.next()
        wizard.enrollment_page.load(sorted((county_dir / "enrollment").glob("*.lzkp"))[0])

    shots.append(("wizard_enrollment.png", wizard, enroll, 800))
    everything = [window, register, preview, wizard]

    def next_shot():
        if not shots:
            app.quit()
            return
        name, widget, prepare, wait = shots.pop(0)
        for other in everything:
            if other is not widget:
                other.hide()
        widget.show()
        if prepare:
            prepare()
        QTimer.singleShot(wait, lambda: (widget.grab().save(str(OUT / name)), print("saved", name),
                                         next_shot()))

    QTimer.singleShot(300, next_shot)
    app.exec()


def _last_month(db) -> str:
    """The newest month with logs in any mirror (the demo ends on a month's last day)."""
    import sqlite3
    months = []
    for mirror in (db.path.parent / (db.path.name + ".units")).glob("*.sqlite"):
        conn = sqlite3.connect(mirror)
        months.append(conn.execute("SELECT max(month) FROM work_log").fetchone()[0] or 0)
        conn.close()
    newest = max(months)
    return f"{newest // 100}-{newest % 100:02d}"


if __name__ == "__main__":
    main(*sys.argv[1:])

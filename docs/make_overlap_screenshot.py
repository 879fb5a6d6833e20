"""Screenshot of the 职责分析 page (docs/screenshots/overlap_page.png) on a generated county:
the test corpus of tests/unit/overlap_fixtures.py (20 departments, 40 duties each, the planted
near-duplicates), the 市场监督管理局 having reported its roster and one approved log.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_overlap_screenshot.py
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate, QTimer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.ui.main import make_app  # noqa: E402
from app.ui.pages.bureau.overlap_page import OverlapPage  # noqa: E402
from app.ui.tasks import SyncRunner  # noqa: E402
from tests.unit.overlap_fixtures import PLANTED, build_county, county_duties, report_unit  # noqa: E402

OUT = Path(__file__).parent / "screenshots" / "overlap_page.png"


def main() -> None:
    app = make_app()
    root = Path(tempfile.mkdtemp())
    keys = tuple(dict.fromkeys([k for p in PLANTED for k in (p[0], p[2])]))
    units = county_duties(keys=keys + ("finance", "tax", "commerce", "supply", "polit", "police",
                                       "grain", "forest", "disabled", "hr"))
    db, mirrors, ids = build_county(root, units)
    report_unit(db, mirrors, ids["market"], root / "market", dt.date(2026, 10, 12)).dispose()
    page = OverlapPage(db, mirrors, runner=SyncRunner())
    page.today.setDate(QDate(2026, 10, 31))
    page.resize(1500, 930)
    page.setWindowTitle("职责分析")
    page.show()
    page.cross_table.selectRow(4)

    def shoot():
        OUT.parent.mkdir(exist_ok=True)
        page.grab().save(str(OUT))
        print(OUT)
        if len(sys.argv) > 1:   # a folder: the other two tabs as well, for checking them
            for tab in (1, 2):
                page.tabs.setCurrentIndex(tab)
                app.processEvents()
                page.grab().save(str(Path(sys.argv[1]) / f"overlap_tab{tab}.png"))
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()
    mirrors.close()
    db.dispose()


if __name__ == "__main__":
    main()

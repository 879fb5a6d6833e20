"""Screenshots of the 人员编制 page: docs/screenshots/staffing_page.png on the demo unit (61
people, admin) and, with a county demo folder made by app.demo.county.generate_county,
docs/screenshots/staffing_county.png (the 编办's county view).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_staffing_screenshots.py [COUNTY_FOLDER]
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.org import accounts  # noqa: E402
from app.demo.unit import generate_demo  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402
from app.ui.main import make_app  # noqa: E402
from app.ui.pages.staffing_page import StaffingPage  # noqa: E402

OUT = Path(__file__).parent / "screenshots"
TODAY = dt.date(2026, 10, 30)


def shoot(app, page: StaffingPage, name: str) -> None:
    page.resize(1500, 950)
    page.setWindowTitle("人员编制分析")
    page.show()
    for _ in range(10):
        app.processEvents()
    page.grab().save(str(OUT / name))
    print(OUT / name)
    page.close()
    page.deleteLater()          # gone before the interpreter exits (pyqtgraph items and Qt)
    app.processEvents()


def main() -> None:
    app = make_app()
    path = Path(tempfile.mkdtemp()) / "demo.sqlite"
    info = generate_demo(path, seed=1, months=1, end=TODAY)
    db = open_database(path)
    shoot(app, StaffingPage(db, accounts.login(db, "admin", info.password), today=TODAY),
          "staffing_page.png")
    if len(sys.argv) > 1:
        from app.services.county.mirrors import Mirrors
        bureau = open_database(Path(sys.argv[1]) / "county.sqlite")
        shoot(app, StaffingPage(bureau, accounts.login(bureau, "admin", info.password),
                                mirrors=Mirrors(bureau), today=TODAY), "staffing_county.png")


if __name__ == "__main__":
    main()

"""Screenshots of every page, as each role sees it, on a 1366×768 screen (issue 17's evidence).

    Xvfb :93 -screen 0 1366x768x24 &
    DISPLAY=:93 .venv/bin/python tests/manual/screenshots.py [--out docs/screenshots/roles]

Builds the 12-month demo unit and a small demo county in a temporary folder, logs in as 科室人员,
科室负责人, 分管领导, 主要领导, 单位管理员 and 编办管理员, maximises the main window and saves one
PNG per page and per tab of the page (the whole screen, task bar area included: what the user sees) under
<out>/<role>/<nn>-<page>.png. Run it on a real X display (Xvfb), not offscreen: offscreen has no
window manager and no real fonts' hinting, so the pictures would not be what a user sees.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from app.db.models import Person  # noqa: E402
from app.demo.county import generate_county  # noqa: E402
from app.demo.data import PASSWORD  # noqa: E402
from app.demo.unit import MIN_PEOPLE, generate_demo  # noqa: E402
from app.services.org import accounts  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402
from app.settings import Settings  # noqa: E402

END = dt.date(2026, 11, 30)
UNIT_ROLES = [("staff", "科室人员"), ("head", "科室负责人"), ("deputy", "分管领导"),
              ("principal", "主要领导"), ("admin", None)]


def login_of(db, role: str | None) -> str:
    with db.read() as s:
        if role is None:
            return s.scalar(select(Person.login).where(Person.is_admin.is_(True)))
        return s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(False))
                        .order_by(Person.login).limit(1))


def shoot(app, db, login: str, out: Path, settings: Settings) -> list[Path]:
    from app.ui.main_window import MainWindow
    actor = accounts.login(db, login, PASSWORD)
    window = MainWindow(db, actor, settings, today=lambda: END)
    # Xvfb has no window manager to maximise it: the window takes the whole screen itself
    window.setGeometry(app.primaryScreen().availableGeometry())
    window.show()
    _settle(app, 1500)
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for row in range(window.nav.count()):
        title = window.nav.item(row).text().split("（")[0].strip()
        window.nav.setCurrentRow(row)
        _settle(app, 2500)                     # background loads (统计分析) fill in
        path = out / f"{row + 1:02d}-{title}.png"
        app.primaryScreen().grabWindow(0).save(str(path))
        saved.append(path)
        tabs = _page_tabs(window.stack.currentWidget())
        for index in range(1, tabs.count() if tabs else 0):
            tabs.setCurrentIndex(index)
            _settle(app, 1200)
            path = out / f"{row + 1:02d}-{title}-{index + 1}-{_tab_title(tabs, index)}.png"
            app.primaryScreen().grabWindow(0).save(str(path))
            saved.append(path)
        if tabs:
            tabs.setCurrentIndex(0)
    window.close()
    window.deleteLater()
    _settle(app, 200)
    return saved


def _page_tabs(page):
    """The page's own tab bar (the outermost QTabWidget on it), or None."""
    from PySide6.QtWidgets import QTabWidget
    found = page.findChildren(QTabWidget)
    outer = [t for t in found if not any(o is not t and o.isAncestorOf(t) for o in found)]
    return outer[0] if outer else None


def _tab_title(tabs, index: int) -> str:
    return re.sub(r"[（(].*", "", tabs.tabText(index)).replace("&", "").replace("/", "、").strip()


def _settle(app, ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/roles")
    parser.add_argument("--only", choices=("unit", "bureau"), help="只截单位版或编办版")
    parser.add_argument("--units", type=int, default=10,
                        help="演示县单位数（默认10：含卫生健康局及其所属单位、迟报的总工会）")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        sys.exit("需要一个真实的 X 显示（例如 Xvfb :93 -screen 0 1366x768x24 & 然后 DISPLAY=:93）")
    from app.ui.main import make_app
    app = make_app()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = Settings(tmp / "settings.json")
        if args.only != "bureau":
            generate_demo(tmp / "unit" / "demo.sqlite", months=12, end=END)
            unit = open_database(tmp / "unit" / "demo.sqlite")
            for name, role in UNIT_ROLES:
                shutil.rmtree(out / name, ignore_errors=True)
                for path in shoot(app, unit, login_of(unit, role), out / name, settings):
                    print(path)
            unit.dispose()
        if args.only == "unit":
            return
        generate_county(tmp / "county", units=args.units, people=MIN_PEOPLE, months=3, seed=3, end=END, workers=2)
        county = open_database(tmp / "county" / "county.sqlite")
        shutil.rmtree(out / "bureau_admin", ignore_errors=True)
        for path in shoot(app, county, login_of(county, None), out / "bureau_admin", settings):
            print(path)
        county.dispose()


if __name__ == "__main__":
    main()

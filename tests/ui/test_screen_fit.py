"""Every page fits a 1366×768 office monitor (minus a 40 px task bar), for every role of the demo
unit: no page may make the main window taller or wider than the screen (issue 17: 统计分析 forced
996–1,122 px, so the status bar with 报告已生成 was never seen; 单位履职动态's filters made the
window 1,375 px wide)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.demo.data import PASSWORD
from app.demo.unit import generate_demo
from app.services.org import accounts
from app.services.org.setup import open_database
from app.ui.main_window import MainWindow

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768 - 40
END = dt.date(2026, 11, 30)
ROLES = ["科室人员", "科室负责人", "分管领导", "主要领导", "admin"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, months=2, end=END)
    db = open_database(path)
    yield db
    db.dispose()


def someone(db, role: str) -> str:
    with db.read() as s:
        if role == "admin":
            return s.scalar(select(Person.login).where(Person.is_admin.is_(True)))
        return s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(False))
                        .order_by(Person.login).limit(1))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_1366_by_768(qtbot, demo, settings, role):
    actor = accounts.login(demo, someone(demo, role), PASSWORD)
    window = MainWindow(demo, actor, settings, today=lambda: END)
    qtbot.addWidget(window)
    window.show()                       # the window's layout sums its parts only once shown
    qtbot.waitExposed(window)
    too_big = {}
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        qtbot.wait(10)
        hint = window.minimumSizeHint()
        if hint.width() > SCREEN_WIDTH or hint.height() > SCREEN_HEIGHT:
            too_big[window.nav.item(row).text()] = (hint.width(), hint.height())
    assert not too_big, too_big

"""The 编办's drill-down into a unit fits a 1366×768 office monitor (issue 17: its charts were
clipped): with the charts tab shown, the page asks for no more than the main window leaves it
(the screen less the task bar, the navigation list, the menu and the status bar)."""
from __future__ import annotations

import pytest

from app.db.models import Duty
from app.services.org.actor import SYSTEM
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import build_world

# 1366×768 less a 40 px task bar; less the 150 px navigation and margins, the menu and status bar
ROOM_WIDTH, ROOM_HEIGHT = 1366 - 150 - 40, 768 - 40 - 80


@pytest.fixture
def world(tmp_path):
    w = build_world(tmp_path / "w", keys=("a",))
    with w.units["a"].session(SYSTEM) as s:
        s.add(Duty(unit_id=w.unit_ids["a"], code="D01", content="市场监管", duty_class="一般", active=True))
    assert [r.status for r in w.receive(w.report("a"))] == ["imported"]
    yield w
    w.close()


def test_drill_down_with_its_charts_fits_the_screen(qtbot, world, settings):
    from app.ui.pages.bureau.county_page import CountyPage
    page = CountyPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner(), period="2026-10")
    qtbot.addWidget(page)
    page.resize(ROOM_WIDTH, ROOM_HEIGHT)
    page.show()
    qtbot.waitExposed(page)
    page.drill(0)
    drilled = page.unit_page
    assert drilled is not None and drilled.isVisible()
    drilled.tabs.setCurrentIndex(1)                          # 图表: five charts
    qtbot.wait(20)
    hint = page.minimumSizeHint()
    assert hint.width() <= ROOM_WIDTH and hint.height() <= ROOM_HEIGHT, (hint.width(), hint.height())
    charts = drilled.saturation_chart
    assert charts.height() >= 200                             # shown at a readable size, not squeezed

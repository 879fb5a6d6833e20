"""Every page fits a 1366×768 office monitor (minus a 40 px task bar), for every role: no page may
make the main window taller or wider than the screen (issue 17: 统计分析 forced 996–1,122 px, so
the status bar with 报告已生成 was never seen)."""
from __future__ import annotations

import pytest

from app.ui.main_window import MainWindow
from tests.unit.review_fixtures import TODAY, build_unit, write

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768 - 40


@pytest.mark.parametrize("login", ["staff1", "head1", "dep1", "boss", "admin"])
def test_every_page_fits_1366_by_768(qtbot, unit_db, admin, settings, login):
    unit = build_unit(unit_db, admin)
    for who in ("staff1", "staff2", "staff3"):
        write(unit, who)
    actor = admin if login == "admin" else unit[login]
    window = MainWindow(unit_db, actor, settings, today=lambda: TODAY)
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

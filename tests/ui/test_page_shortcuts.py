"""A page's shortcuts act as soon as the page is shown: Ctrl+N right after login, Ctrl+Enter
right after choosing 履职审阅 in the navigation (issue 17: nothing happened until the user had
clicked inside the page). The keys go where a user's keys go: to the window's focus widget."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services.review import queue as review
from app.ui.main_window import MainWindow
from tests.unit.review_fixtures import TODAY, build_unit, write


def shown_window(qtbot, db, actor, settings) -> MainWindow:
    window = MainWindow(db, actor, settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.focusWidget() is not None
                    and window.stack.currentWidget().isAncestorOf(window.focusWidget()))
    return window


def test_ctrl_n_right_after_login_adds_an_entry(qtbot, unit_db, admin, settings):
    unit = build_unit(unit_db, admin)
    window = shown_window(qtbot, unit_db, unit["staff1"], settings)
    before = len(window.log_page.model.entries)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(window.log_page.model.entries) == before + 1


def test_ctrl_enter_after_choosing_the_review_page_approves(qtbot, unit_db, admin, settings):
    unit = build_unit(unit_db, admin)
    write(unit, "staff1")
    window = shown_window(qtbot, unit_db, unit["head1"], settings)
    row = next(r for r in range(window.nav.count()) if window.nav.item(r).text().startswith("履职审阅"))
    rect = window.nav.visualItemRect(window.nav.item(row))
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.review_page
    assert window.stack.currentWidget() is page and page.isAncestorOf(window.focusWidget())
    assert len(page.items) == 1
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.queue(unit_db, unit["head1"], today=TODAY) == []

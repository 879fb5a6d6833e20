"""A 分管领导 in charge of three sections sees all three in 统计分析: their sum under
全部分管科室 and each one through the combo, and nothing of the sections of others."""
from __future__ import annotations

from app.db.models import Section
from app.services.org import accounts, structure as org
from app.services.review import queue as review
from app.ui.pages.stats_page import SECTION, StatsPage
from tests.unit.review_fixtures import PASSWORD, TODAY, build_unit, write


def test_deputy_of_three_sections_switches_between_them(qtbot, unit_db, admin):
    unit = build_unit(unit_db, admin)
    with unit_db.session(admin) as s:
        s.add_all([Section(unit_id=unit_db.unit_id, name="法规科", sort_order=3),
                   Section(unit_id=unit_db.unit_id, name="信息科", sort_order=4)])
    accounts.add_user(unit_db, admin, accounts.NewUser("staff4", "吴琪", PASSWORD, role="科室人员",
                                                       section="法规科", must_change=False))
    org.set_section_charges(unit_db, admin, "dep1", ["食品安全科", "办公室", "法规科"])
    dep1 = accounts.login(unit_db, "dep1", PASSWORD)
    unit.people["staff4"] = accounts.login(unit_db, "staff4", PASSWORD)
    for login, hours in (("staff1", 6), ("staff3", 4), ("staff4", 7)):
        log = write(unit, login, hours=hours)
        while not review.approve(unit_db, _reviewer(unit, dep1, log), log.log_id, today=TODAY).final:
            pass
    page = StatsPage(unit_db, dep1, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    box = page.charge_box
    assert not box.isHidden()
    assert [box.itemText(i) for i in range(box.count())] == ["全部分管科室", "食品安全科", "办公室", "法规科"]
    assert page.current_figures().logged_hours == 17                 # the three sections together
    rows = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert rows == ["食品安全科", "办公室", "法规科"]                   # not 信息科, not the unit
    box.setCurrentIndex(3)
    box.activated.emit(3)
    assert page.level == SECTION and page.current_figures().name == "法规科"
    assert page.current_figures().logged_hours == 7
    box.setCurrentIndex(0)
    box.activated.emit(0)
    assert page.current_figures().logged_hours == 17


def _reviewer(unit, dep1, log):
    """Whoever's turn it is on this log: the first account whose queue holds it."""
    for actor in (unit["head1"], unit["head2"], dep1, unit["boss"]):
        if any(i.log_id == log.log_id for i in review.queue(unit.db, actor, today=TODAY)):
            return actor
    raise AssertionError("nobody can review the log")


def test_deputy_of_one_section_has_no_choice(qtbot, unit_db, admin):
    unit = build_unit(unit_db, admin)
    page = StatsPage(unit_db, unit["dep1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    assert page.charge_box.isHidden() and page.level == SECTION


def test_opened_from_the_navigation_the_page_shows_first_and_fills_in(qtbot, unit_db, admin):
    """统计分析 appears at once with 计算中… on its cards; the figures arrive from a worker."""
    unit = build_unit(unit_db, admin)
    log = write(unit, "staff1", hours=6)
    review.approve(unit_db, unit["head1"], log.log_id, today=TODAY)
    review.approve(unit_db, unit["dep1"], log.log_id, today=TODAY)
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY, background=True)
    qtbot.addWidget(page)
    assert page.loading and page.page_data is None
    assert "计算中" in page.cards["saturation"].label.text()
    page.export_excel("/nonexistent/统计.xlsx")                 # a click meanwhile does nothing
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)
    assert "计算中" not in page.cards["saturation"].label.text()
    assert page.page_data.unit is not None and page.table.rowCount() >= 2
    # 统计 counts on the worker too: the cards say so at once, the figures follow
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton
    page.approved_only.setChecked(False)
    before = page.page_data
    qtbot.mouseClick(page.findChild(QPushButton, "applyPeriod"), Qt.MouseButton.LeftButton)
    assert page.loading and "计算中" in page.cards["saturation"].label.text()
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)
    assert page.page_data is not before and "计算中" not in page.cards["saturation"].label.text()

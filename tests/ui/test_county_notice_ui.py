"""The 全县分析 page's 审核率 column, its 提醒 tab and its 生成通报… button, on the demo county of
tests/notice_county.py (总工会 sent no 上报包 for October; the 疾控's reviewers are behind),
logged in as the 编办's admin; the buttons are clicked, the save dialog answered."""
from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.core import vocab
from app.core.metrics import percent
from app.db.models import Person, WorkLog
from app.demo.data import PASSWORD
from app.services.county.mirrors import Mirrors
from app.services.org import accounts
from app.services.org.setup import open_database
from app.ui.tasks import SyncRunner
from tests.notice_county import LAGGING, LATE, TODAY, notice_county
from tests.pdf_text import pdf_text
from tests.ui.answers import answer_file_dialog


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = notice_county(tmp_path_factory)
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    admin = accounts.login(db, "admin", PASSWORD)
    yield db, mirrors, admin
    mirrors.close()
    db.dispose()


def open_page(qtbot, county, settings, actor=None):
    from app.ui.pages.bureau.county_page import CountyPage
    db, mirrors, admin = county
    page = CountyPage(db, mirrors, actor or admin, settings, runner=SyncRunner(), period="2026-10",
                      today=lambda: TODAY, open_reports=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def approved_share(mirror) -> str:
    """审核率 of October counted straight from the mirror, as the page prints it."""
    with mirror.read() as s:
        base = (select(func.count()).select_from(WorkLog).join(Person, Person.id == WorkLog.person_id)
                .where(WorkLog.month == 202610, WorkLog.deleted.is_(False), Person.role != vocab.ROLE_PRINCIPAL))
        approved = s.scalar(base.where(WorkLog.status == vocab.LOG_APPROVED))
        submitted = approved + s.scalar(base.where(WorkLog.status == vocab.LOG_SUBMITTED))
    return percent(approved / submitted) if submitted else "—"


def test_the_review_rate_column_is_the_mirrors_approved_share(qtbot, county, settings):
    from app.ui.pages.bureau.county_page import COL_NAME, COL_REVIEW
    db, mirrors, _ = county
    page = open_page(qtbot, county, settings)
    assert page.table.horizontalHeaderItem(COL_REVIEW).text() == "审核率"
    shown = {}
    for row in range(page.table.rowCount()):
        name = page.table.item(row, COL_NAME).text()
        unit_id = page.table.item(row, COL_NAME).data(Qt.ItemDataRole.UserRole + 1)
        shown[name] = page.table.item(row, COL_REVIEW).text()
        assert shown[name] == approved_share(mirrors.get(unit_id)), name
    assert float(shown[LAGGING].rstrip("%")) < 80 and shown[LATE] == "—"
    # sorting by the column puts the lagging unit first among those with a rate
    page.table.sortByColumn(COL_REVIEW, Qt.SortOrder.AscendingOrder)
    assert page.table.item(0, COL_NAME).text() == LAGGING


def test_the_reminder_tab_names_the_late_unit_and_the_low_review_rate(qtbot, county, settings):
    page = open_page(qtbot, county, settings)
    tabs, panel = page.tabs, page.reminders
    assert tabs.tabText(1) == f"提醒（{panel.table.rowCount()}）"
    tabs.setCurrentIndex(1)
    rows = {(panel.table.item(r, 0).text(), panel.table.item(r, 1).text()): panel.table.item(r, 2).text()
            for r in range(panel.table.rowCount())}
    assert "已逾期5天" in rows[(LATE, "上报包逾期未报")]
    assert "2026年10月审核率" in rows[(LAGGING, "审核率偏低")]
    assert "上报包逾期未报1个单位" in panel.summary.text()


def test_the_admin_moves_the_deadline_and_the_reminders_follow(qtbot, county, settings, tmp_path_factory):
    folder = notice_county(tmp_path_factory)          # its own copy: the setting is written
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    try:
        page = open_page(qtbot, (db, mirrors, accounts.login(db, "admin", PASSWORD)), settings)
        panel = page.reminders
        page.tabs.setCurrentIndex(1)
        panel.due_day.setValue(15)
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        kinds = {(panel.table.item(r, 0).text(), panel.table.item(r, 1).text()) for r in range(panel.table.rowCount())}
        assert (LATE, "上报包待报") in kinds and (LATE, "上报包逾期未报") not in kinds
        assert "上报包每月15日前报送" in panel.summary.text()
    finally:
        mirrors.close()
        db.dispose()


def test_an_analyst_sees_the_settings_but_cannot_change_them(qtbot, county, settings):
    _, _, admin = county
    analyst = dataclasses.replace(admin, is_admin=False)
    page = open_page(qtbot, county, settings, analyst)
    panel = page.reminders
    assert panel.due_day.value() == 5 and not panel.due_day.isEnabled()
    assert not panel.save_button.isEnabled()


def test_the_notice_button_writes_the_pdf_naming_them(qtbot, county, settings, tmp_path):
    page = open_page(qtbot, county, settings)
    target = tmp_path / "通报.pdf"
    seen: list[str] = []
    answer_file_dialog(target, seen)
    qtbot.mouseClick(page.notice_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.reminders.last_notice is not None, timeout=20000)
    assert target.exists() and page.reminders.last_notice == target
    text = "".join(pdf_text(target).split())
    assert "关于2026年10月全县机关履职监测情况的通报" in text
    problems = text[text.index("三、存在问题"):text.index("四、下一步要求")]
    assert LATE in problems and LAGGING in problems

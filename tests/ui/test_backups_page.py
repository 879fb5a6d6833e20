"""数据备份 page: back up now, preview, restore through the confirmation, the second location;
shown to admins only (unit and 编办)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.db.models import WorkLog
from app.services.logs import daily as logs
from app.services.org import accounts
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import bureau_admin

BEFORE, AFTER = dt.date(2026, 11, 16), dt.date(2026, 11, 17)
NOW = dt.datetime(2026, 11, 20, 9, 0)


def write_log(db, actor, day, text):
    logs.save_day(db, actor, day, "正常", [logs.EntryDraft(hours=2, category="业务工作", content=text)],
                  today=dt.date(2026, 11, 20))


def answer_next_box(button_text: str, seen: list) -> None:
    """Click `button_text` in the next message box the page opens (recording what it says)."""
    def click():
        box = QApplication.activeModalWidget()
        seen.append(box.text() + "\n" + box.informativeText())
        [button] = [b for b in box.buttons() if b.text() == button_text]
        button.click()
    QTimer.singleShot(0, click)


def log_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(WorkLog))


def test_back_up_preview_and_restore_through_the_buttons(qtbot, unit_db, admin, settings, tmp_path):
    from app.ui.pages.backups_page import BackupsPage
    write_log(unit_db, admin, BEFORE, "备份前的日志")
    page = BackupsPage(unit_db, admin, settings, now=lambda: NOW)
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == 0 and not page.restore_button.isEnabled()

    page.backup_button.click()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 1).text() == "每日"
    assert "2026-11-20 09:00" in page.table.item(0, 0).text()
    write_log(unit_db, admin, AFTER, "备份后的日志")

    page.table.selectRow(0)                      # selecting a backup previews it
    shown = page.preview.text()
    assert "测试县市场监督管理局" in shown and "日志：1篇" in shown and "2026-11-16" in shown
    assert "1篇日志" in shown                    # what a restore would lose, before asking

    seen: list[str] = []
    answer_next_box("取消", seen)
    page.restore_button.click()
    assert "1篇日志" in seen[0] and "安全副本" in seen[0]
    assert log_count(unit_db) == 2               # cancelled: nothing changed

    released = []
    page.restoring.connect(lambda: released.append(True))
    answer_next_box("恢复此备份", seen)
    with qtbot.waitSignal(page.restored, timeout=10_000) as signal:
        page.restore_button.click()
    result = signal.args[0]
    assert released == [True]                    # the window let go of the file first
    try:
        assert log_count(result.db) == 1
        me = accounts.login(result.db, "admin", TEST_PASSWORD)
        assert logs.load_day(result.db, me, BEFORE).entries[0].content == "备份前的日志"
    finally:
        result.db.dispose()
    assert result.safety.exists()


def test_second_location_is_saved_and_a_missing_one_only_warns(qtbot, unit_db, admin, settings, tmp_path):
    from app.ui.pages.backups_page import BackupsPage
    page = BackupsPage(unit_db, admin, settings, now=lambda: NOW)
    qtbot.addWidget(page)
    stick = tmp_path / "U盘" / "备份"
    page.second_location.setText(str(stick))
    page.second_location.editingFinished.emit()
    assert settings.backup_second_dir == str(stick)
    page.backup_button.click()
    assert page.table.rowCount() == 1             # the local backup was made
    assert "第二备份位置" in page.warning.text() and not page.warning.isHidden()
    stick.mkdir(parents=True)
    page.backup_button.click()
    assert page.warning.text() == "" and page.warning.isHidden()
    assert len(list(stick.glob("unit-*-auto.sqlite"))) == 1


def test_only_admins_see_the_page(qtbot, unit_db, admin, settings, county_db):
    from app.ui.main_window import MainWindow
    accounts.add_user(unit_db, admin, accounts.NewUser("li", "李玥", TEST_PASSWORD, must_change=False))
    li = accounts.login(unit_db, "li", TEST_PASSWORD)

    def titles(window):
        return [window.nav.item(i).text() for i in range(window.nav.count())]
    for actor, expected in ((admin, True), (li, False)):
        window = MainWindow(unit_db, actor, settings)
        qtbot.addWidget(window)
        assert ("数据备份" in titles(window)) is expected
    window = MainWindow(county_db.db, bureau_admin(county_db.db), settings)
    qtbot.addWidget(window)
    assert "数据备份" in titles(window)
    window.go_to_page("数据备份")
    assert window.backups_page is not None and window.backups_page.table is not None

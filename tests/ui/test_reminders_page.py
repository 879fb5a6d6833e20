"""提醒与通报 page: the reminders a head sees at login, the 通报 table and its Excel export."""
from __future__ import annotations

from openpyxl import load_workbook

from app.ui.main_window import MainWindow
from app.ui.pages.reminders_page import RemindersPage
from tests.ui.answers import answer_box
from tests.unit.review_fixtures import TODAY, build_unit, write


def test_head_sees_queue_reminder_and_exports_the_notice(qtbot, unit_db, admin, settings, tmp_path):
    unit = build_unit(unit_db, admin)
    write(unit, "staff1")                      # waits for head1; staff2 wrote nothing
    page = RemindersPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    texts = [page.list.item(i).text() for i in range(page.list.count())]
    assert any("1篇日志等待您审阅" in t for t in texts)
    assert any("尚未填写" in t for t in texts)           # head1's own log of the last working day
    missing = {page.missing.item(r, 0).text() for r in range(page.missing.rowCount())}
    assert "陈堃" in missing and "刘玥" in missing      # staff1 only logged DAY, not every day
    out = tmp_path / "通报.xlsx"
    page.export_notice(str(out))
    sheets = load_workbook(out).sheetnames
    assert len(sheets) == 2


def test_staff_page_has_no_notice_and_navigation_follows_a_reminder(qtbot, unit_db, admin, settings):
    unit = build_unit(unit_db, admin)
    window = MainWindow(unit_db, unit["staff1"], settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    assert window.reminders_page.notice_box is None
    assert window.review_page is None
    window.reminders_page.go_to.emit("工作日志")
    assert window.stack.currentWidget() is window.log_page
    assert window.nav.item(window.stack.indexOf(window.reminders_page)).text().startswith("提醒与通报（")


def test_the_notice_export_button_writes_the_workbook_when_clicked(qtbot, unit_db, admin, monkeypatch, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog, QPushButton
    unit = build_unit(unit_db, admin)
    write(unit, "staff1")
    page = RemindersPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    out = tmp_path / "通报.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    told = []
    answer_box("已保存", "关闭", told)      # the confirmation with 打开 / 打开所在文件夹
    qtbot.mouseClick(page.findChild(QPushButton, "exportNotice"), Qt.MouseButton.LeftButton)
    assert str(out) in told[0]
    assert len(load_workbook(out).sheetnames) == 2

"""File dialogs speak Chinese, start in 文档 and remember the folder per kind of file; a saved
workbook is confirmed with its path and 打开 / 打开所在文件夹 / 关闭."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QPushButton

from app.settings import Settings
from app.ui.widgets import file_dialogs
from tests.ui.answers import answer_box, answer_file_dialog


@pytest.fixture
def documents(tmp_path, monkeypatch):
    """A 文档 folder of the user's own, as the desktop declares it (xdg user-dirs)."""
    docs = tmp_path / "文档"
    docs.mkdir()
    config = tmp_path / "xdg"
    config.mkdir()
    (config / "user-dirs.dirs").write_text(f'XDG_DOCUMENTS_DIR="{docs}"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    assert Path(file_dialogs.documents_folder()) == docs
    return docs


def test_qt_standard_texts_are_chinese_after_make_app(qapp):
    from app.ui.main import make_app
    make_app()
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
    assert QCoreApplication.translate("QFileDialog", "Files of &type:") == "文件类型(&T)："
    assert QCoreApplication.translate("QFileDialog", "Look in:") == "查找范围："
    assert QCoreApplication.translate("QFileDialog", "Files of type:") == "文件类型："
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_first_time_in_documents_then_the_folder_used_last_per_kind(qapp, documents, tmp_path):
    settings = Settings(tmp_path / "settings.json")
    assert file_dialogs.start_folder("report_pdf", settings) == str(documents)
    reports = tmp_path / "报告"
    reports.mkdir()
    file_dialogs.remember("report_pdf", str(reports / "十月.pdf"), settings)
    again = Settings(tmp_path / "settings.json")              # the next start of the program
    assert file_dialogs.start_folder("report_pdf", again) == str(reports)
    assert file_dialogs.start_folder("excel_export", again) == str(documents)
    reports.rmdir()                                           # a folder since removed: 文档 again
    assert file_dialogs.start_folder("report_pdf", again) == str(documents)


def test_two_settings_objects_keep_each_others_changes(tmp_path):
    first, second = Settings(tmp_path / "s.json"), Settings(tmp_path / "s.json")
    first.dialog_folders = {"package": "/media/u盘"}
    second.set_geometry("MainWindow", "abc")
    reread = Settings(tmp_path / "s.json")
    assert reread.dialog_folders == {"package": "/media/u盘"} and reread.geometry("MainWindow") == "abc"


def test_export_button_asks_in_documents_writes_and_confirms(qtbot, unit_db, admin, documents):
    from openpyxl import load_workbook

    from app.ui.main import make_app
    from app.ui.pages.stats_page import StatsPage
    from tests.unit.review_fixtures import TODAY, build_unit
    make_app()
    unit = build_unit(unit_db, admin)
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    target = documents / "十月统计.xlsx"
    asked, told = [], []
    answer_file_dialog(target, asked)
    answer_box(file_dialogs.SAVED_TITLE, "关闭", told)
    qtbot.mouseClick(page.findChild(QPushButton, "exportExcel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(told) == 2, timeout=5000)
    assert asked[0] == str(documents)                          # starts in 文档
    assert "文件类型" in asked[1] and "Files of type" not in asked[1]
    assert str(target) in told[0] and told[1] == "|".join(sorted(("打开", "打开所在文件夹", "关闭")))
    assert "全单位" in load_workbook(target).sheetnames
    assert file_dialogs.start_folder("excel_export") == str(documents)

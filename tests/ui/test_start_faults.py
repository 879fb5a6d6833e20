"""The program's start (run_gui) under faults and damage, answered through its real buttons; and
the log page saving on a full disk. Faults are real: another process, a filled-up tmpfs."""
from __future__ import annotations

import logging
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.db.backup import automatic_backup, quick_check
from app.services.logs import tools as log_tools, daily as logs
from app.services.org import accounts
from app.services.org.setup import open_database
from app.ui.main import run_gui
from app.ui.models.entries_model import COL_CONTENT
from tests.conftest import TEST_PASSWORD
from tests.fault_tools import fill_up, lock_held, small_tmpfs
from tests.ui.conftest import TODAY
from tests.ui.test_log_page import make_page, press, type_into_cell
from tests.unit.test_db_faults import damage, foreign_sqlite


class Answers:
    """Answers the modal windows the program opens, in order: each step receives the window."""

    def __init__(self, qtbot, *steps):
        self.qtbot = qtbot
        self.steps = list(steps)
        self.seen: list[dict] = []
        self._current = None
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(30)

    def _poll(self) -> None:
        window = QApplication.activeModalWidget()
        if window is None or window is self._current or not window.isVisible():
            return
        self._current = window
        if isinstance(window, QMessageBox):
            self.seen.append({"title": window.windowTitle(), "text": window.text(),
                              "buttons": [b.text() for b in window.buttons()]})
        else:
            self.seen.append({"title": window.windowTitle(), "window": type(window).__name__})
        step = self.steps.pop(0) if self.steps else close_window
        step(self.qtbot, window)

    def stop(self) -> None:
        self.timer.stop()


def click(label: str):
    def step(qtbot, box: QMessageBox) -> None:
        button = next((b for b in box.buttons() if b.text() == label), None)
        if button is None:              # not the window expected: close it, the test then fails
            box.reject()
            return
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return step


def close_window(_qtbot, window) -> None:
    window.reject()


@pytest.fixture
def start(qtbot, monkeypatch):
    """run_gui on a path, answering its windows; restores the process-wide hooks it installs."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handlers = list(logging.getLogger().handlers)

    def run(path: Path, *steps) -> tuple[int, list[dict]]:
        answers = Answers(qtbot, *steps)
        try:
            code = run_gui(path)
        finally:
            answers.stop()
        return code, answers.seen
    yield run
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()


def closed_file(db) -> Path:
    db.dispose()
    return db.path


def listing(folder: Path) -> list[str]:
    """The files, without the -wal/-shm files SQLite makes beside a WAL database even to read it."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def test_a_locked_database_is_said_as_such_and_offers_no_restore(start, unit_db):
    path = closed_file(unit_db)
    automatic_backup(path, "daily")
    with lock_held(path, "exclusive") as holder:
        before, files = path.read_bytes(), listing(path.parent)
        code, seen = start(path, click("确定"))
        assert code == 1
        assert [s["title"] for s in seen] == ["数据库正被占用"]
        assert "正被其他程序占用" in seen[0]["text"] and "已损坏" not in seen[0]["text"]
        assert seen[0]["buttons"] == ["确定"]                    # no way to a restore
        assert path.read_bytes() == before and listing(path.parent) == files
        assert holder.commit() == "committed"


def test_damage_offers_the_backup_but_not_over_a_file_in_use(start, unit_db):
    path = closed_file(unit_db)
    automatic_backup(path, "daily")
    with lock_held(path, "open"):
        damage(path)
        before, files = path.read_bytes(), listing(path.parent)
        code, seen = start(path, click("用备份恢复"), click("确定"))
        assert code == 1
        assert "已损坏" in seen[0]["text"] and "用备份恢复" in seen[0]["buttons"]
        assert seen[1]["title"] == "不能恢复" and "正被其他程序打开" in seen[1]["text"]
        assert path.read_bytes() == before and listing(path.parent) == files


def test_damage_is_restored_only_when_the_user_says_so(start, unit_db):
    path = closed_file(unit_db)
    automatic_backup(path, "daily")
    damage(path)
    before = path.read_bytes()
    code, seen = start(path, click("不恢复，退出"))
    assert code == 1 and path.read_bytes() == before
    code, seen = start(path, click("用备份恢复"), close_window)
    assert code == 0                                   # restored, then the login window closed
    assert seen[1]["window"] == "LoginDialog"
    assert quick_check(path) == []
    assert any(n.startswith("unit.sqlite.damaged-") for n in listing(path.parent))


@pytest.mark.parametrize("make", [lambda p: p.write_bytes(b""), foreign_sqlite],
                         ids=["zero-bytes", "foreign-sqlite"])
def test_a_file_that_is_not_ours_is_refused_at_start(start, tmp_path, make):
    path = tmp_path / "chosen" / "unit.sqlite"
    path.parent.mkdir()
    make(path)
    before = path.read_bytes()
    code, seen = start(path, click("确定"))
    assert code == 1
    assert [s["title"] for s in seen] == ["不是本程序的数据库"]
    assert "不是本程序的数据库" in seen[0]["text"]
    assert path.read_bytes() == before and listing(path.parent) == ["unit.sqlite"]


def test_a_full_disk_at_start_is_not_damage(start, unit_db, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        path = mnt / "unit.sqlite"
        shutil.copyfile(closed_file(unit_db), path)
        fill_up(mnt)
        before = path.read_bytes()
        code, seen = start(path, click("确定"))
        assert code == 1
        assert [s["title"] for s in seen] == ["磁盘空间已满"] and seen[0]["buttons"] == ["确定"]
        assert path.read_bytes() == before


def test_saving_on_a_full_disk_keeps_what_was_typed(qtbot, staff_db, settings, tmp_path):
    with small_tmpfs(tmp_path / "mnt", size="8m") as mnt:
        path = mnt / "unit.sqlite"
        shutil.copyfile(closed_file(staff_db), path)
        db = open_database(path)
        try:
            actor = accounts.login(db, "li", TEST_PASSWORD)
            page = make_page(qtbot, db, actor, settings)
            press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
            type_into_cell(qtbot, page, 0, COL_CONTENT, "核查12家餐饮单位的食品留样记录")
            page.autosave_timer.stop()
            filler = fill_up(mnt)
            answers = Answers(qtbot, click("确定"))
            qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
            answers.stop()
            assert [s["title"] for s in answers.seen] == ["保存失败"]
            assert "磁盘空间已满" in answers.seen[0]["text"]
            assert [e.content for e in page.model.entries] == ["核查12家餐饮单位的食品留样记录"]
            assert page.has_unsaved() and "未能自动保存" in page.autosave_label.text()

            filler.unlink()                               # space again: the draft is written
            qtbot.waitUntil(lambda: "草稿已自动保存" in page.autosave_label.text(), timeout=10000)
            draft = log_tools.load_autosave(db, actor, TODAY)
            assert [e.content for e in draft.entries] == ["核查12家餐饮单位的食品留样记录"]
            qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
            assert logs.load_day(db, actor, TODAY).entries[0].content == "核查12家餐饮单位的食品留样记录"
        finally:
            db.dispose()
        assert quick_check(path) == []


def test_a_database_on_a_share_is_refused_at_start_with_the_way_to_share(start, unit_db, monkeypatch):
    from tests.unit.test_network_paths import share_at
    path = closed_file(unit_db)
    before, files = path.read_bytes(), listing(path.parent)
    share_at(monkeypatch, path.parent)
    code, seen = start(path, click("确定"))
    assert code == 1
    assert [s["title"] for s in seen] == ["不能打开网络上的数据库"]
    assert "交换文件夹" in seen[0]["text"] and "多台电脑共用" in seen[0]["text"]
    assert path.read_bytes() == before and listing(path.parent) == files
    # no database there yet: refused before the first-run wizard, which could not create it
    code, seen = start(path.parent / "new.sqlite", click("确定"))
    assert code == 1 and [s["title"] for s in seen] == ["不能打开网络上的数据库"]

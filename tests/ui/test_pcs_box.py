"""The 数据交换 page's 多台电脑共用 group: two replicas of one unit through a temporary exchange
folder; the admin clicks 立即同步 and the other PC's log arrives."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.models import Person, WorkLog
from app.services.exchange import pc_unit
from app.settings import Settings
from app.ui.pages.sync_page import SyncPage
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import DAYS, actor_for, build_world, write_log


def _admin(db):
    """The fixture's unit has no admin account: its leader, acting as the admin."""
    return dataclasses.replace(actor_for(db, "ld"), is_admin=True)


def _log_text(db, login, day):
    with db.read() as s:
        pid = s.scalar(select(Person.id).where(Person.login == login))
        return s.scalar(select(WorkLog.status).where(WorkLog.person_id == pid, WorkLog.day == day.isoformat()))


def test_sync_now_brings_the_other_pcs_log_and_shows_the_status(qtbot, tmp_path):
    world = build_world(tmp_path / "w", keys=("a",))
    admin_db = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    page = SyncPage(admin_db, _admin(admin_db), mine, runner=SyncRunner())
    qtbot.addWidget(page)
    assert not page.pcs.sync_button.isEnabled() and page.pcs.folder.text() == "（未设置）"
    code = pc_unit.setup(admin_db, _admin(admin_db), share, name="管理员电脑", settings=mine)
    other = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
    try:
        write_log(other, "zs", DAYS[3], "在二号机上填写")
        pc_unit.sync(other, settings=theirs)
        page.pcs.show_state()
        assert _log_text(admin_db, "zs", DAYS[3]) is None
        qtbot.mouseClick(page.pcs.sync_button, Qt.MouseButton.LeftButton)
        assert _log_text(admin_db, "zs", DAYS[3]) == "submitted"
        assert "看到其他电脑1台" in page.pcs.status.text() and "无异常" in page.pcs.status.text()
        assert page.pcs.folder.text() == str(share)
    finally:
        other.dispose()
        world.close()


def test_the_window_syncs_in_the_background_and_says_so_in_the_status_bar(qtbot, tmp_path):
    from app.ui.main_window import MainWindow
    world = build_world(tmp_path / "w", keys=("a",))
    admin_db = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    code = pc_unit.setup(admin_db, _admin(admin_db), share, name="管理员电脑", settings=mine)
    other = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
    try:
        write_log(other, "zs", DAYS[4], "后台同步带来的日志")
        pc_unit.sync(other, settings=theirs)
        window = MainWindow(admin_db, _admin(admin_db), mine)
        qtbot.addWidget(window)
        window.start_pc_sync(SyncRunner())
        window.pc_sync()
        assert _log_text(admin_db, "zs", DAYS[4]) == "submitted"
        assert window.statusBar().currentMessage().startswith("同步完成：写出")
        assert "读入1个" in window.statusBar().currentMessage()
    finally:
        other.dispose()
        world.close()


def _answer(title: str, yes: bool, seen: list[str]) -> None:
    """Answer the question box titled `title` once it shows (found among the top-level windows;
    by its standard button: an earlier test may have installed the Chinese translation)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    tries = []

    def answer():
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title]
        if not boxes:
            tries.append(1)
            if len(tries) < 200:
                QTimer.singleShot(10, answer)
            return
        seen.append(boxes[0].text())
        which = QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No
        boxes[0].button(which).click()
    QTimer.singleShot(0, answer)


def test_the_pcs_table_lists_the_unit_and_the_admin_retires_a_pc(qtbot, tmp_path):
    from app.sync import pc_folder as F
    world = build_world(tmp_path / "w", keys=("a",))
    admin_db = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    code = pc_unit.setup(admin_db, _admin(admin_db), share, name="管理员电脑", settings=mine)
    other = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
    try:
        write_log(other, "zs", DAYS[3], "在二号机上填写")
        pc_unit.sync(other, settings=theirs)
        page = SyncPage(admin_db, _admin(admin_db), mine, runner=SyncRunner())
        qtbot.addWidget(page)
        qtbot.mouseClick(page.pcs.sync_button, Qt.MouseButton.LeftButton)
        box = page.pcs
        cells = [[box.table.item(r, c).text() for c in range(box.table.columnCount())]
                 for r in range(box.table.rowCount())]
        assert [row[0] for row in cells] == ["管理员电脑", "二号机"]
        assert cells[0][5] == "本机" and cells[1][5] == "使用中"
        assert cells[1][1] == other.origin[-8:] and cells[1][2] != "（无）"
        assert cells[1][3] in ("一致", "尚未比较") and cells[1][4] == "已全部读入"
        box.table.selectRow(0)
        assert not box.retire_button.isEnabled()          # not this PC itself
        box.table.selectRow(1)
        assert box.retire_button.isEnabled()
        seen = []
        _answer("停用电脑", False, seen)
        qtbot.mouseClick(box.retire_button, Qt.MouseButton.LeftButton)
        assert F.read_retirement(share, other.origin, pc_unit.packages.ensure_keys(admin_db).public()) is None
        _answer("停用电脑", True, seen)
        qtbot.mouseClick(box.retire_button, Qt.MouseButton.LeftButton)
        assert "二号机" in seen[-1] and "到现在为止写出的变更文件仍然有效" in seen[-1]
        assert F.read_retirement(share, other.origin, pc_unit.packages.ensure_keys(admin_db).public()) == 1
        assert box.table.item(1, 5).text() == "已停用" and not box.retire_button.isEnabled()
        write_log(other, "ls", DAYS[4], "停用之后写的")
        assert "本机已被单位管理员停用" in pc_unit.sync(other, settings=theirs).problems[0]
    finally:
        other.dispose()
        world.close()


def test_a_new_join_code_asks_for_the_sealed_keys_passphrase_first(qtbot, tmp_path, monkeypatch):
    from app.services.exchange import keystore
    from tests.ui.modal import click_button, when_shown
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    world = build_world(tmp_path / "w", keys=("a",))
    admin_db = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine = Settings(tmp_path / "a.json")
    keystore.protect(admin_db, _admin(admin_db), "单位密钥口令2026")
    first = pc_unit.setup(admin_db, _admin(admin_db), share, settings=mine)
    keystore._opened.pop(str(admin_db.path))                 # the program started again
    try:
        page = SyncPage(admin_db, _admin(admin_db), mine, runner=SyncRunner())
        qtbot.addWidget(page)
        seen = []

        def give_passphrase(dialog):
            dialog.setTextValue("单位密钥口令2026")
            dialog.accept()
        when_shown("输入密钥口令", give_passphrase)
        when_shown("加入码", click_button(0, seen))
        when_shown("生成加入码失败", click_button(0, seen))    # a regression must not block the run
        qtbot.mouseClick(page.pcs.code_button, Qt.MouseButton.LeftButton)
        assert seen and "新的加入码：" in seen[0]
        code = seen[0].split("新的加入码：")[1].split()[0]
        assert code != first
        other = pc_unit.join(tmp_path / "b.sqlite", share, code, settings=Settings(tmp_path / "b.json"))
        other.dispose()
    finally:
        world.close()

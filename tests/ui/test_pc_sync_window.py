"""The main window of one PC of a multi-PC unit (issue 16): a round runs a few seconds after a
save, the status bar shows the exchange, and pages show what other PCs wrote without losing what
is being typed. Two replicas of one unit through a temporary exchange folder."""
from __future__ import annotations

import dataclasses
import re
from contextlib import contextmanager

from PySide6.QtCore import Qt

from app.services.exchange import pc_unit
from app.settings import Settings
from app.sync import pc_folder as F
from app.ui import pc_syncer
from app.ui.main_window import MainWindow
from app.ui.models.entries_model import COL_CONTENT, COL_HOURS
from app.ui.tasks import SyncRunner
from tests.unit.pc_fixtures import set_wall_offset
from tests.unit.sync_fixtures import DAYS, TODAY, actor_for, approve, build_world, write_log


@dataclasses.dataclass
class TwoPcs:
    a: object             # the admin's PC (PC A): a Database
    b: object             # 二号机 (PC B)
    a_settings: Settings
    b_settings: Settings
    share: object


@contextmanager
def two_pcs(tmp_path):
    world = build_world(tmp_path / "w", keys=("a",))
    a = world.units["a"]
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    admin = dataclasses.replace(actor_for(a, "ld"), is_admin=True)
    code = pc_unit.setup(a, admin, share, name="管理员电脑", settings=mine)
    b = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
    try:
        yield TwoPcs(a, b, mine, theirs, share)
    finally:
        b.dispose()
        world.close()


def window_for(qtbot, pcs: TwoPcs, login: str, *, admin=False, runner=None) -> MainWindow:
    actor = actor_for(pcs.a, login)
    if admin:
        actor = dataclasses.replace(actor, is_admin=True)
    window = MainWindow(pcs.a, actor, pcs.a_settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.start_pc_sync(runner)
    return window


def own_files(pcs: TwoPcs) -> list[int]:
    return [seq for seq, _ in F.change_files(pcs.share, pcs.a.origin)]


def type_entry(page, hours: str, content: str) -> None:
    page.add_button.click()
    row = len(page.model.entries) - 1
    page.model.setData(page.model.index(row, COL_HOURS), hours)
    page.model.setData(page.model.index(row, COL_CONTENT), content)


def test_a_save_on_the_log_page_reaches_the_folder_a_few_seconds_later(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pc_syncer, "PC_SYNC_FIRST_MS", 600_000)      # only the save starts a round
    with two_pcs(tmp_path) as pcs:
        window = window_for(qtbot, pcs, "zs")
        before = own_files(pcs)
        page = window.log_page
        page.open_day(DAYS[4])
        type_entry(page, "4", "在一号机上填写的现场检查记录")
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        page.open_day(DAYS[3])
        type_entry(page, "6", "紧接着又保存了一天")
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
        assert own_files(pcs) == before            # not at once: a moment later, both saves in one round
        qtbot.waitUntil(lambda: len(own_files(pcs)) > len(before), timeout=8000)
        qtbot.waitUntil(lambda: not window.pc_syncer.busy, timeout=5000)
        qtbot.wait(500)
        assert len(own_files(pcs)) == len(before) + 1
        pc_unit.sync(pcs.b, settings=pcs.b_settings)
        assert "在一号机上填写的现场检查记录" in _contents(pcs.b, "zs", DAYS[4])
        assert "紧接着又保存了一天" in _contents(pcs.b, "zs", DAYS[3])
        assert "上次" in window.pc_status.text() and "其他电脑 1 台" in window.pc_status.text()


def _contents(db, login, day) -> list[str]:
    from app.services.logs import daily as logs
    return [e.content for e in logs.load_day(db, actor_for(db, login), day).entries]


def test_no_round_without_a_folder(qtbot, tmp_path):
    world = build_world(tmp_path / "w", keys=("a",))
    try:
        window = MainWindow(world.units["a"], actor_for(world.units["a"], "zs"), Settings(tmp_path / "s.json"),
                            today=lambda: TODAY)
        qtbot.addWidget(window)
        window.start_pc_sync()
        window.log_page.open_day(DAYS[4])
        type_entry(window.log_page, "4", "单机使用时保存")
        qtbot.mouseClick(window.log_page.save_button, Qt.MouseButton.LeftButton)
        assert not window.pc_syncer.after_write.isActive()
        assert not window.pc_status.isVisibleTo(window)
    finally:
        world.close()


def test_a_log_submitted_on_the_other_pc_appears_in_the_review_queue_by_itself(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pc_syncer, "PC_SYNC_FIRST_MS", 100)
    with two_pcs(tmp_path) as pcs:
        write_log(pcs.b, "zs", DAYS[4], "在二号机上提交的日志")
        pc_unit.sync(pcs.b, settings=pcs.b_settings)
        window = window_for(qtbot, pcs, "ld")
        page = window.review_page
        assert DAYS[4] not in {i.day for i in page.items}
        qtbot.waitUntil(lambda: DAYS[4] in {i.day for i in page.items}, timeout=8000)
        assert any(row.text(0).startswith(DAYS[4].isoformat()) for row in page._rows())
        assert window.nav.item(window.stack.indexOf(page)).text().startswith("履职审阅（")


def test_text_being_typed_stays_when_other_pcs_changes_arrive(qtbot, tmp_path):
    with two_pcs(tmp_path) as pcs:
        window = window_for(qtbot, pcs, "zs", runner=SyncRunner())
        page = window.log_page
        page.open_day(DAYS[4])
        type_entry(page, "3", "尚未保存的草稿内容")
        write_log(pcs.b, "zs", DAYS[3], "张三在二号机上提交")
        approve(pcs.b, "ld", "zs", DAYS[3])
        pc_unit.sync(pcs.b, settings=pcs.b_settings)
        window.pc_sync()
        assert [e.content for e in page.model.entries] == ["尚未保存的草稿内容"] and page.dirty
        assert page.day == DAYS[4]
        assert page.calendar.statuses[DAYS[3]].state == "approved"     # the month view read again


def test_the_status_bar_names_the_problem_and_takes_the_admin_to_the_exchange_page(qtbot, tmp_path):
    with two_pcs(tmp_path) as pcs:
        window = window_for(qtbot, pcs, "ld", admin=True, runner=SyncRunner())
        assert window.pc_status.isVisibleTo(window)
        set_wall_offset(pcs.b, -12 * 60_000)
        write_log(pcs.b, "ls", DAYS[4], "时钟慢的电脑写的")
        pc_unit.sync(pcs.b, settings=pcs.b_settings)
        window.pc_sync()
        assert re.search(r"⚠ 电脑“二号机”的时钟比本机慢约1[12]分钟", window.pc_status.text())
        pcs.share.rename(pcs.share.with_name("share-offline"))
        window.pc_sync()
        text = window.pc_status.text()
        assert text.startswith("多台电脑同步：上次 ") and "⚠ 交换文件夹无法访问，本机照常工作" in text
        qtbot.mouseClick(window.pc_status, Qt.MouseButton.LeftButton)
        assert window.nav.currentItem().text() == "数据交换"
        assert "交换文件夹无法访问" in window.sync_page.pcs.status.text()

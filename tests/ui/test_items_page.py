"""工作事项 page: a leader adds an overdue 督办事项 through the form, a staff member links a log
entry to it in the log editor (the duty follows), the page shows it red with the work; an Excel
import with a bad row names the row and imports nothing, a good one goes through the preview."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt

from app.core.items import SUPERVISED
from app.services.items.progress import item_rows
from app.services.org import accounts
from app.ui.pages import items_page as page_module
from app.ui.pages.items_page import ItemsPage
from app.ui.pages.log_page import LogPage
from app.ui.models.entries_model import COL_CONTENT, COL_DUTY, COL_ITEM
from tests.conftest import TEST_PASSWORD
from tests.ui.modal import when_shown
from tests.ui.test_log_page import type_into_cell
from tests.unit.test_work_items import fill

TODAY = dt.date(2026, 10, 14)


def click(qtbot, page, name: str) -> None:
    from PySide6.QtWidgets import QPushButton
    qtbot.mouseClick(page.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def fill_form(dialog) -> None:
    dialog.kind.setCurrentText(SUPERVISED)
    dialog.code.setText("DB01")
    dialog.title.setText("县委督办：校园食堂整改")
    for row in range(dialog.duties.count()):
        if dialog.duties.item(row).text().startswith("SD-01"):
            dialog.duties.item(row).setCheckState(Qt.CheckState.Checked)
    dialog.deadline.setDate(QDate(2026, 10, 9))
    from PySide6.QtWidgets import QDialogButtonBox
    [box] = dialog.findChildren(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def test_an_overdue_supervised_item_with_logged_work_shows_red(qtbot, staff_db, admin, settings):
    page = ItemsPage(staff_db, admin, today=TODAY)
    qtbot.addWidget(page)
    when_shown("新增工作事项", fill_form)
    click(qtbot, page, "addItem")
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "红"
    assert page.table.item(0, 4).text() == "SD-01"

    li = accounts.login(staff_db, "li", TEST_PASSWORD)
    log = LogPage(staff_db, li, settings, today=lambda: TODAY)
    qtbot.addWidget(log)
    click(qtbot, log, "addEntry")
    type_into_cell(qtbot, log, 0, COL_ITEM, "DB01")
    assert log.model.index(0, COL_ITEM).data().startswith("DB01 县委督办")
    assert log.model.index(0, COL_DUTY).data().startswith("SD-01")      # the duty followed
    type_into_cell(qtbot, log, 0, COL_CONTENT, "督促学校食堂整改问题3处")
    click(qtbot, log, "submit")
    [row] = item_rows(staff_db, TODAY)
    assert (row.facts.entries, row.facts.last_day) == (1, TODAY.isoformat())

    mine = ItemsPage(staff_db, li, today=TODAY)          # staff read the list, manage nothing
    qtbot.addWidget(mine)
    assert mine.buttons == {}
    assert [mine.table.item(0, c).text() for c in (0, 2, 7)] == ["红", "DB01", "1"]
    assert "已超过截止日期2026-10-09" in mine.table.item(0, 0).toolTip()
    assert "红灯：已过截止日期未办结" in mine.table.item(0, 0).toolTip()


def test_the_excel_import_names_a_bad_row_then_imports_through_the_preview(qtbot, staff_db, admin,
                                                                           tmp_path, monkeypatch):
    page = ItemsPage(staff_db, admin, today=TODAY)
    qtbot.addWidget(page)
    path = tmp_path / "items.xlsx"
    monkeypatch.setattr(page_module, "ask_save_path", lambda *a, **k: str(path))
    click(qtbot, page, "itemsTemplate")
    assert path.exists()
    fill(path, [("年度重点工作", "ZD01", "食品安全放心工程", "SD-01", "食品安全科", "", 2026, ""),
                ("督办事项", "DB01", "没有截止日期的督办", "SD-02", "", "", 2026, "")])
    monkeypatch.setattr(page_module, "ask_open_path", lambda *a, **k: str(path))
    seen = []
    when_shown("导入工作事项失败", lambda box: (seen.append(box.informativeText()), box.accept()))
    click(qtbot, page, "importItems")
    assert "工作表「工作事项」第3行「截止日期」：督办事项须填写截止日期" in seen[0]
    assert page.table.rowCount() == 0

    fill(path, [("年度重点工作", "ZD01", "食品安全放心工程", "SD-01", "食品安全科", "", 2026, ""),
                ("督办事项", "DB01", "县委督办件", "SD-02", "", "2026-10-30", 2026, "")])
    previewed = []

    def confirm(dialog):
        from PySide6.QtWidgets import QDialogButtonBox, QTableWidget
        table = dialog.findChild(QTableWidget, "previewTable")
        previewed.append([table.item(r, 4).text() for r in range(table.rowCount())])
        previewed.append(item_rows(staff_db, TODAY))          # nothing written before 确认导入
        [box] = dialog.findChildren(QDialogButtonBox)
        box.button(QDialogButtonBox.StandardButton.Ok).click()
    when_shown("导入预览：items.xlsx", confirm)
    click(qtbot, page, "importItems")
    assert previewed == [["新增", "新增"], []]
    assert [page.table.item(r, 2).text() for r in range(page.table.rowCount())] == ["ZD01", "DB01"]
    page.kind.setCurrentText(SUPERVISED)
    assert page.table.rowCount() == 1


def test_the_bureau_table_shows_the_units_red_items_and_the_listed_task_ratio(qtbot, tmp_path, settings):
    from app.core.items import KEY_TASK
    from app.db.models import Duty
    from app.services.items.manage import ItemInput, save_item
    from app.services.org.actor import SYSTEM
    from app.ui.pages.bureau.county_page import TITLES, CountyPage
    from app.ui.tasks import SyncRunner
    from tests.unit.sync_fixtures import TODAY as REPORTED, actor_for, build_world

    world = build_world(tmp_path / "w", keys=("a",))
    try:
        unit = world.units["a"]
        with unit.session(SYSTEM) as s:
            s.add(Duty(unit_id=unit.unit_id, code="1", content="食品安全监督检查", duty_class="核心"))
        leader = actor_for(unit, "ld")
        save_item(unit, leader, ItemInput(SUPERVISED, "DB01", "县委督办件", ["1"], deadline="2026-10-20"))
        save_item(unit, leader, ItemInput(KEY_TASK, "ZD01", "年度重点工作", ["1"], year=2026))
        assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
        page = CountyPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner(),
                          period="2026-10", today=lambda: REPORTED)
        qtbot.addWidget(page)
        red = page.table.item(0, TITLES.index("红灯事项"))
        assert red.text() == "1" and "红灯：已过截止日期未办结" in red.toolTip()
        ratio = page.table.item(0, TITLES.index("编制任务比"))
        assert ratio.text().endswith("（清单）")
        assert "按单位工作事项清单中本年度的年度重点工作计" in ratio.toolTip()
        assert "重点任务1项" in ratio.toolTip()
    finally:
        world.close()


def test_the_bureau_issues_key_tasks_to_a_unit_from_its_units_page(qtbot, tmp_path, settings, monkeypatch):
    """单位管理 → 下发重点工作…: a workbook of 年度重点工作 goes to the selected unit after the
    preview, and reaches it, marked as issued by the 编办, in its next 下发包."""
    from PySide6.QtWidgets import QDialog
    from app.services.items import excel as items_excel
    from app.services.org.actor import SYSTEM
    from app.ui.dialogs.item_dialogs import ItemsPreviewDialog
    from app.ui.pages.bureau import units_page as units_module
    from app.ui.tasks import SyncRunner
    from tests.unit.sync_fixtures import build_world

    world = build_world(tmp_path / "w", keys=("a",))
    try:
        assert [r.status for r in world.receive(world.report("a"))] == ["imported"]   # its key is known
        path = tmp_path / "下发.xlsx"
        items_excel.write_items_template(path)
        fill(path, [("年度重点工作", "ZD90", "全县营商环境攻坚", "", "", "", 2026, "")])
        page = units_module.BureauUnitsPage(world.bureau, world.mirrors, SYSTEM, settings, runner=SyncRunner())
        qtbot.addWidget(page)
        page.select(world.unit_ids["a"])
        monkeypatch.setattr(units_module, "ask_open_path", lambda *a, **k: str(path))
        previewed = []

        def drive(dialog):
            if not isinstance(dialog, ItemsPreviewDialog):
                return QDialog.DialogCode.Rejected
            previewed.append(dialog.windowTitle())
            assert item_rows(world.mirror("a"), TODAY) == []          # the preview wrote nothing
            return QDialog.DialogCode.Accepted
        monkeypatch.setattr(page, "exec_dialog", drive)
        click(qtbot, page, "issueKeyTasks")
        assert previewed == ["导入预览：下发.xlsx"]
        assert page.result.text().endswith("随下一个下发包发给单位。")
        world.unit_receives("a", world.dispatch("a"))
        [row] = item_rows(world.units["a"], TODAY)
        assert (row.facts.code, row.facts.title, row.facts.issued) == ("ZD90", "全县营商环境攻坚", True)
    finally:
        world.close()

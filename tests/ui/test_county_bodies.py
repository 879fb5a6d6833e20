"""部门及所属单位 on the 编办's pages: 单位管理 → 主管部门… puts 第2局 under 第1局 and refuses a
second level with its message in the dialog; 全县分析 then lists 第1局, 第2局 indented and the
body's 合计 (sums of the two rows), and 按部门分组 switches back to the flat table."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QPushButton

from app.services.county import bodies
from app.services.org.actor import SYSTEM
from app.ui.tasks import SyncRunner
from tests.unit.sync_fixtures import build_world

A, B = "沂河县第1局", "沂河县第2局"


@pytest.fixture
def world(tmp_path):
    w = build_world(tmp_path / "w", keys=("a", "b"))
    for key in ("a", "b"):
        assert [r.status for r in w.receive(w.report(key))] == ["imported"]
    yield w
    w.close()


def pick(qtbot, dialog, name: str) -> None:
    dialog.show()
    box = dialog.parent_unit
    box.setCurrentIndex(box.findText(name))
    qtbot.mouseClick(dialog.findChild(QPushButton, "parentOk"), Qt.MouseButton.LeftButton)


def test_parent_set_on_the_units_page_and_the_county_table_grouped(qtbot, world, settings):
    from app.ui.pages.bureau.county_page import CountyPage
    from app.ui.pages.bureau.units_page import BureauUnitsPage
    w = world
    units = BureauUnitsPage(w.bureau, w.mirrors, SYSTEM, settings, runner=SyncRunner())
    qtbot.addWidget(units)
    units.select(w.unit_ids["b"])
    seen = []

    def choose_first(dialog):
        pick(qtbot, dialog, A)
        return dialog.result()
    units.exec_dialog = choose_first
    qtbot.mouseClick(units.findChild(QPushButton, "setParent"), Qt.MouseButton.LeftButton)
    assert bodies.parents(w.bureau)[w.unit_ids["b"]] == w.unit_ids["a"]
    assert units.result.text().startswith(f"“{B}”的主管部门设为“{A}”")
    row = [units.table.item(r, 0).text() for r in range(units.table.rowCount())].index(B)
    assert units.table.item(row, 9).text() == A

    # 第1局 has an institution: putting it under another unit is refused in the dialog
    def under_itself_child(dialog):
        names = [dialog.parent_unit.itemText(i) for i in range(dialog.parent_unit.count())]
        seen.append(names)
        pick(qtbot, dialog, "（无，独立评估）")      # allowed: leave it alone
        dialog.parent_unit.addItem(B, w.unit_ids["b"])       # as if chosen from an old list
        pick(qtbot, dialog, B)
        seen.append(dialog.message.text())
        return QDialog.DialogCode.Rejected
    units.select(w.unit_ids["a"])
    units.exec_dialog = under_itself_child
    qtbot.mouseClick(units.findChild(QPushButton, "setParent"), Qt.MouseButton.LeftButton)
    assert B not in seen[0]                     # an institution is never offered as a 主管部门
    assert seen[1].startswith(f"“{B}”的主管部门是“{A}”") and "形成循环" in seen[1]
    assert bodies.parents(w.bureau)[w.unit_ids["a"]] is None

    page = CountyPage(w.bureau, w.mirrors, SYSTEM, settings, runner=SyncRunner(), period="2026-10")
    qtbot.addWidget(page)
    table = page.table

    def column(title):
        return [c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text() == title][0]
    names = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert names == [A, "　　" + B, f"{A}合计（部门及所属单位1个）"]
    for title in ("编制数", "实有", "空编"):
        c = column(title)
        assert int(table.item(2, c).text()) == int(table.item(0, c).text()) + int(table.item(1, c).text())
    rows = {r.name: r for r in page.rows}
    logged = sum(rows[n].figures.logged_hours for n in (A, B))
    expected = sum(rows[n].figures.expected_hours for n in (A, B))
    assert table.item(2, column("饱和度")).text() == f"{logged / expected * 100:.1f}%"
    assert table.item(2, 1).data(Qt.ItemDataRole.UserRole + 1) is None     # no drill-down into a 合计
    table.setCurrentCell(2, 1)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 0
    headers, data = page.table_data()
    assert [line[1] for line in data] == names                              # Excel as shown

    qtbot.mouseClick(page.findChild(QCheckBox, "groupBodies"), Qt.MouseButton.LeftButton)
    assert sorted(table.item(r, 1).text() for r in range(table.rowCount())) == [A, B]
    assert table.isSortingEnabled()

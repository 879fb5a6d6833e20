"""统计分析 → 按任务类型 and 组织人事导出…, and 单位管理 → 三定职责's task type, clicked as a user
would on a demo unit: the tab's totals are the unit's 计入工时, drilling down changes the group,
the 主要领导 exports the workbook, a staff member has no such button; the admin sets a duty's
task type and the split moves."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from app.core.metrics import parse_period
from app.db.models import Duty, Person
from app.demo.unit import generate_demo
from app.services.org import accounts
from app.services.org.setup import open_database
from app.services.stats import compute
from app.ui.pages import stats_task_types
from app.ui.pages.admin_page import AdminPage
from app.ui.pages.stats_page import StatsPage
from app.ui.tasks import SyncRunner

TODAY = dt.date(2026, 10, 12)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui") / "demo.sqlite"
    generate_demo(path, seed=9, months=3, people=30, end=dt.date(2026, 9, 30))
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    shutil.copy(demo_file, tmp_path / "demo.sqlite")
    db = open_database(tmp_path / "demo.sqlite")
    yield db
    db.dispose()


def login(db, role, admin=False):
    with db.read() as s:
        name = s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(admin))
                        .order_by(Person.login).limit(1))
    return accounts.login(db, name, "lzkp2026")


def open_tab(qtbot, page, title: str) -> None:
    bar = page.tabs.tabBar()
    index = next(i for i in range(page.tabs.count()) if page.tabs.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentIndex() == index


def column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_task_type_tab_and_hr_export_for_the_principal(qtbot, demo, tmp_path, monkeypatch):
    page = StatsPage(demo, login(demo, "主要领导"), today=lambda: TODAY, runner=SyncRunner(), open_reports=False)
    qtbot.addWidget(page)
    page.show()
    page.set_period("2026-Q3")
    open_tab(qtbot, page, "按任务类型")
    unit = compute.unit_stats(demo, parse_period("2026-Q3"), "unit", today=TODAY)[0]
    tab = page.task_tab
    assert column(tab.summary, 0) == ["业务工作", "党建工作", "财务和组织人事工作", "信访投诉", "综合性工作", "合计"]
    assert float(tab.summary.item(5, 1).text()) == unit.logged_hours
    assert sum(float(x) for x in column(tab.summary, 1)[:5]) == pytest.approx(unit.logged_hours)
    sections = column(tab.breakdown, 0)
    assert "办公室" in sections and f"计入工时{unit.logged_hours:g}小时" in tab.caption.text()
    # drilling to a section shows that section's split, one row per person
    open_tab(qtbot, page, "明细（双击下钻）")
    names = column(page.table, 0)
    item = page.table.item(names.index("办公室"), 0)
    page.table.scrollToItem(item)
    qtbot.waitExposed(page)
    at = page.table.visualItemRect(item).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=at)      # as a hand does
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert page.level == "section"
    open_tab(qtbot, page, "按任务类型")
    office = next(f for f in page.page_data.sections if f.name == "办公室")
    assert tab.caption.text().startswith("办公室") and float(tab.summary.item(5, 1).text()) == office.logged_hours
    assert len(column(tab.breakdown, 0)) == office.people
    # 组织人事导出… writes the workbook of the quarter shown
    out = tmp_path / "组织人事.xlsx"
    monkeypatch.setattr(stats_task_types, "ask_save_path", lambda *a, **k: str(out))
    said = []
    page.status_message.connect(said.append)
    qtbot.mouseClick(page.findChild(QPushButton, "hrExport"), Qt.MouseButton.LeftButton)
    ws = load_workbook(out).active
    assert ws["B3"].value == "2026年第三季度" and said[-1].endswith(str(out))
    assert sum(1 for r in ws.iter_rows(min_col=1, max_col=1, values_only=True) if r[0] == "2026年第三季度") \
        == len(compute.unit_stats(demo, parse_period("2026-Q3"), "person", today=TODAY))


def test_staff_have_no_hr_export_and_see_their_own_split(qtbot, demo):
    page = StatsPage(demo, login(demo, "科室人员"), today=lambda: TODAY, runner=SyncRunner(), open_reports=False)
    qtbot.addWidget(page)
    page.show()
    page.set_period("2026-Q3")
    assert page.findChild(QPushButton, "hrExport") is None
    open_tab(qtbot, page, "按任务类型")
    mine = page.current_figures()
    assert page.task_tab.caption.text().startswith(mine.name)
    assert float(page.task_tab.summary.item(5, 1).text()) == mine.logged_hours
    assert not page.task_tab.breakdown.isVisible()


def test_the_admin_sets_a_duty_s_task_type_on_the_duties_tab(qtbot, demo):
    page = AdminPage(demo, login(demo, "科室人员", admin=True), runner=SyncRunner())
    qtbot.addWidget(page)
    page.show()
    tab = page.duties
    codes = column(tab.table, 0)
    row = next(r for r in range(len(codes)) if tab.table.item(r, 3).text() == "业务工作")
    tab.table.selectRow(row)
    tab.choice.setCurrentIndex(tab.choice.findText("党建工作"))
    qtbot.mouseClick(page.findChild(QPushButton, "applyTaskType"), Qt.MouseButton.LeftButton)
    with demo.read() as s:
        assert s.scalar(select(Duty.task_type).where(Duty.code == codes[row])) == "党建工作"
    shown = {tab.table.item(r, 0).text(): tab.table.item(r, 3).text() for r in range(tab.table.rowCount())}
    assert shown[codes[row]] == "党建工作"
    # back to the guess: marked 推定
    tab.table.selectRow(next(r for r in range(tab.table.rowCount()) if tab.table.item(r, 0).text() == codes[row]))
    tab.choice.setCurrentIndex(tab.choice.findText("按职责内容推定"))
    qtbot.mouseClick(page.findChild(QPushButton, "applyTaskType"), Qt.MouseButton.LeftButton)
    shown = {tab.table.item(r, 0).text(): tab.table.item(r, 3).text() for r in range(tab.table.rowCount())}
    assert shown[codes[row]] == "业务工作（推定）"

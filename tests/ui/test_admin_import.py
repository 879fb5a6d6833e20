"""Admin page: generate the templates, import a bad file (problems listed, nothing imported),
then the corrected files (roster and duties appear in the tables)."""
from __future__ import annotations

from app.services.org import structure as org
from app.ui.pages.admin_page import AdminPage
from app.ui.tasks import SyncRunner
from tests.unit.test_duties_import import DUTIES, SECTIONS, fill
from tests.unit.test_roster_import import PEOPLE, POSTS, person


def test_import_through_the_admin_page(qtbot, unit_db, admin, tmp_path, monkeypatch):
    page = AdminPage(unit_db, admin, runner=SyncRunner())
    qtbot.addWidget(page)
    # PEOPLE has a 主要领导: confirmed (see test_accounts_ui); the 初始密码单 is not saved here
    monkeypatch.setattr(page, "ask", lambda title, text: title == "确认角色变动")
    duties_xlsx, roster_xlsx = tmp_path / "三定.xlsx", tmp_path / "人员.xlsx"
    page.save_template("duties", str(duties_xlsx))
    page.save_template("roster", str(roster_xlsx))
    fill(duties_xlsx, "内设机构", SECTIONS)
    fill(duties_xlsx, "部门职责", DUTIES)

    # 人员 before 三定: every person's section is unknown → listed, nothing imported.
    fill(roster_xlsx, "人员名册", PEOPLE + [person(9, 身份证号="371321199001011230")])
    fill(roster_xlsx, "岗位职责", POSTS)
    page.import_file("roster", str(roster_xlsx))
    assert "未导入任何数据" in page.import_result.text()
    reasons = [page.problems.item(r, 3).text() for r in range(page.problems.rowCount())]
    assert any("校验位错误" in r for r in reasons)
    assert any("不存在" in r for r in reasons)
    assert page.problems.item(0, 0).text() in ("人员名册", "岗位职责")
    assert org.persons(unit_db) == [p for p in org.persons(unit_db) if p.login == "admin"]

    page.import_file("duties", str(duties_xlsx))
    assert page.problems.rowCount() == 0
    assert page.duty_table.rowCount() == len(DUTIES)
    assert page.section_table.rowCount() == len(SECTIONS)

    fill(roster_xlsx, "人员名册", PEOPLE + [{}])   # drop the bad row
    page.import_file("roster", str(roster_xlsx))
    assert "新增3人" in page.import_result.text(), page.import_result.text()
    logins = {page.people.item(r, 0).text() for r in range(page.people.rowCount())}
    assert {"user1", "user2", "user3", "admin"} <= logins


def test_a_hidden_roster_sheet_is_refused_on_the_admin_page(qtbot, unit_db, admin, tmp_path):
    from openpyxl import load_workbook

    page = AdminPage(unit_db, admin, runner=SyncRunner())
    qtbot.addWidget(page)
    duties_xlsx, roster_xlsx = tmp_path / "三定.xlsx", tmp_path / "人员.xlsx"
    page.save_template("duties", str(duties_xlsx))
    fill(duties_xlsx, "内设机构", SECTIONS)
    fill(duties_xlsx, "部门职责", DUTIES)
    page.import_file("duties", str(duties_xlsx))
    page.save_template("roster", str(roster_xlsx))
    fill(roster_xlsx, "人员名册", PEOPLE)
    fill(roster_xlsx, "岗位职责", POSTS)
    wb = load_workbook(roster_xlsx)
    wb["人员名册"].sheet_state = "hidden"       # the admin sees only 岗位职责 and 填写说明
    wb.active = 1
    wb.save(roster_xlsx)

    page.import_file("roster", str(roster_xlsx))
    text = page.import_result.text()
    assert text == "导入失败：工作表「人员名册」已被隐藏，未导入任何数据"
    assert page.problems.rowCount() == 1
    assert [page.problems.item(0, c).text() for c in range(3)] == ["人员名册", "", ""]
    assert "右击工作表标签→“取消隐藏”" in page.problems.item(0, 3).text()
    assert [p.login for p in org.persons(unit_db)] == ["admin"]

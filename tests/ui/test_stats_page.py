"""统计分析 page: figures for the period, drill-down unit → section → person → days, a light's
explanation, and the Excel export."""
from __future__ import annotations

from openpyxl import load_workbook

from app.services.review import queue as review
from app.ui.dialogs import explain_dialog
from app.ui.pages.stats_page import PERSON, SECTION, StatsPage
from tests.ui.answers import answer_box
from tests.unit.review_fixtures import DAY, TODAY, build_unit, write


def approve_fully(unit, log_id):
    """Staff chain with the default two levels: section head, then the deputy in charge."""
    review.approve(unit.db, unit["head1"], log_id, today=TODAY)
    assert review.approve(unit.db, unit["dep1"], log_id, today=TODAY).final


def test_period_drill_down_explain_and_export(qtbot, unit_db, admin, monkeypatch, tmp_path):
    unit = build_unit(unit_db, admin)
    log = write(unit, "staff1", hours=6)
    approve_fully(unit, log.log_id)
    write(unit, "staff2", hours=8)                       # submitted only: not counted
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    assert page.page_data.unit.logged_hours == 6
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert "食品安全科" in names
    page.drill(names.index("食品安全科"))
    assert page.level == SECTION and "食品安全科" in page.crumbs.text()
    people = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    page.drill(people.index("刘玥"))
    assert page.level == PERSON
    days = {page.table.item(r, 0).text(): page.table.item(r, 5).text() for r in range(page.table.rowCount())}
    assert days[DAY.isoformat()] == "6"
    shown = []
    monkeypatch.setattr(explain_dialog.ExplainDialog, "exec", lambda self: shown.append(self) or 0)
    page.cards["saturation"].click()
    text = shown[0].findChild(type(shown[0].children()[1]), "explainText").text()
    assert "工作饱和度" in text and "6" in text
    out = tmp_path / "统计.xlsx"
    page.export_excel(str(out))
    wb = load_workbook(out)
    assert {"全单位", "科室", "人员"} <= set(wb.sheetnames)
    assert wb["全单位"]["F3"].value == 6                 # 计入工时


def test_staff_sees_only_their_own_figures(qtbot, unit_db, admin):
    unit = build_unit(unit_db, admin)
    page = StatsPage(unit_db, unit["staff1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    assert page.page_data.unit is None and page.level == PERSON
    assert page.current_figures().login == "staff1"


def test_report_from_the_page_for_the_drilled_section(qtbot, unit_db, admin, tmp_path):
    from pypdf import PdfReader

    from app.ui.tasks import SyncRunner
    unit = build_unit(unit_db, admin)
    approve_fully(unit, write(unit, "staff1", hours=6).log_id)
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY, runner=SyncRunner(),
                     open_reports=False)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    page.drill(names.index("食品安全科"))
    out = tmp_path / "科室.pdf"
    page.make_report("section", str(out))
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "食品安全科" in text and page.last_report == out


def test_a_log_edited_in_the_file_is_named_and_not_counted(qtbot, unit_db, admin):
    import sqlite3

    unit = build_unit(unit_db, admin)
    log = write(unit, "staff1", hours=6)
    approve_fully(unit, log.log_id)
    conn = sqlite3.connect(unit_db.path)
    with conn:
        conn.execute("UPDATE log_entry SET hours = 12 WHERE log_id = ?", (log.log_id,))
    conn.close()
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    assert page.page_data.unit.logged_hours == 0                      # neither 6 nor 12
    assert page.signature_warning.isVisibleTo(page)
    assert page.signature_warning.text().startswith("签名无效1篇，不计入统计")
    assert f"刘玥 {DAY.isoformat()}：日志条目与提交时不符" in page.signature_warning.text()


def test_the_export_and_chart_buttons_write_files_when_clicked(qtbot, unit_db, admin, monkeypatch, tmp_path):
    """Clicked, not called: Qt passes clicked(False), which once landed in the path argument."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog, QPushButton
    unit = build_unit(unit_db, admin)
    approve_fully(unit, write(unit, "staff1", hours=6).log_id)
    page = StatsPage(unit_db, unit["boss"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_period("2026-10")
    out, charts = tmp_path / "统计.xlsx", tmp_path / "图表"
    charts.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(charts))
    said = []
    page.status_message.connect(said.append)
    told = []
    answer_box("已保存", "关闭", told)      # the confirmation with 打开 / 打开所在文件夹
    qtbot.mouseClick(page.findChild(QPushButton, "exportExcel"), Qt.MouseButton.LeftButton)
    assert str(out) in told[0]
    assert load_workbook(out)["全单位"]["F3"].value == 6 and said[-1] == f"已导出：{out}"
    qtbot.mouseClick(page.findChild(QPushButton, "saveCharts"), Qt.MouseButton.LeftButton)
    assert len(list(charts.glob("*.png"))) == 5 and "已保存 5 张图表" in said[-1]

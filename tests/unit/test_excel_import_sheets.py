"""Imports read only what the person can see: a hidden (or veryHidden) sheet that would be read,
or two sheets whose names look alike (trailing space, ideographic space, a Kangxi radical for
人, a zero-width space), stop the import with a message naming the sheet; nothing is written."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.core.errors import ValidationError
from app.db.models import Person
from app.services.excel.duties import import_duties
from app.services.excel.roster import import_roster
from app.services.excel.templates import write_template
from tests.unit.test_duties_import import DUTIES, SECTIONS, fill
from tests.unit.test_roster_import import db, roster_file, row_counts  # noqa: F401 — fixture


def rework(path, change) -> None:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


def hide(title: str, state: str):
    def change(wb):
        wb[title].sheet_state = state
        wb.active = len(wb.sheetnames) - 1     # Excel needs a visible active sheet
    return change


def twin(title: str, twin_title: str):
    """A copy of sheet `title`, named `twin_title`, after it (the one read before)."""
    def change(wb):
        wb.copy_worksheet(wb[title]).title = twin_title
    return change


@pytest.mark.parametrize("state, words", [("hidden", "已被隐藏"), ("veryHidden", "深度隐藏")])
def test_hidden_roster_sheet_is_refused(db, admin, tmp_path, state, words):
    path = roster_file(tmp_path)
    rework(path, hide("人员名册", state))
    before = row_counts(db)
    with pytest.raises(ValidationError) as caught:
        import_roster(db, admin, path)
    message = str(caught.value)
    assert "「人员名册」" in message and words in message and "未导入任何数据" in message
    assert row_counts(db) == before


def test_hidden_duties_sheet_is_refused(unit_db, admin, tmp_path):
    path = tmp_path / "duties.xlsx"
    write_template("duties", path)
    fill(path, "内设机构", SECTIONS)
    fill(path, "部门职责", DUTIES)
    rework(path, hide("部门职责", "hidden"))
    with pytest.raises(ValidationError, match="工作表「部门职责」已被隐藏"):
        import_duties(unit_db, admin, path)


def test_a_hidden_sheet_that_is_not_read_does_not_matter(db, admin, tmp_path):
    path = roster_file(tmp_path)
    rework(path, hide("填写说明", "hidden"))
    assert import_roster(db, admin, path, confirm_roles=True).created("人员") == 3   # has a 主要领导


@pytest.mark.parametrize("title, look_alike", [
    ("人员名册", "人员名册 "),
    ("人员名册", " 人员 名册"),
    ("岗位职责", "岗位职责\u3000"),
    ("人员名册", "\u2f08员名册"),           # ⼈ KANGXI RADICAL MAN
    ("人员名册", "人员\u200b名册"),          # zero-width space
])
def test_look_alike_sheet_names_are_refused(db, admin, tmp_path, title, look_alike):
    path = roster_file(tmp_path)
    rework(path, twin(title, look_alike))
    assert look_alike in load_workbook(path).sheetnames
    before = row_counts(db)
    with pytest.raises(ValidationError) as caught:
        import_roster(db, admin, path)
    message = str(caught.value)
    assert f"「{title}」" in message and "名称相近" in message and "未导入任何数据" in message
    assert row_counts(db) == before
    with db.read() as s:
        assert s.query(Person).count() == 1          # the admin only

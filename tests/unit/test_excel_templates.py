"""The Excel import templates: layout, drop-downs, example row, and the untouched round trip."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core import vocab
from app.core.errors import AppError
from app.core.validators import parse_id_number
from app.services.excel.duties import import_duties
from app.services.excel.templates import (DUTIES, EXAMPLE_ID_NUMBER, POSTS, ROSTER, SECTIONS, write_template)
from app.services.excel.roster import import_roster

REPO = Path(__file__).resolve().parents[2]


def validations(ws) -> dict[str, list[str]]:
    """Header name → choices of the list validation on its column."""
    headers = {c.column_letter: c.value for c in ws[1]}
    found = {}
    for dv in ws.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        found[headers[letter]] = dv.formula1.strip('"').split(",")
    return found


@pytest.mark.parametrize("kind, layouts", [("roster", (ROSTER, POSTS)), ("duties", (SECTIONS, DUTIES))])
def test_template_layout(tmp_path, kind, layouts):
    path = tmp_path / "sub" / f"{kind}.xlsx"          # missing folders are created
    write_template(kind, path)
    wb = load_workbook(path)
    assert wb.sheetnames == [lay.title for lay in layouts] + ["填写说明"]
    for layout in layouts:
        ws = wb[layout.title]
        assert [c.value for c in ws[1]] == list(layout.names)
        assert all(c.font.b and c.fill.fgColor.rgb.endswith(("DDEBF7", "FCE4D6")) for c in ws[1])
        assert all(c.comment is not None and c.comment.text for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert [c.value for c in ws[2]] == [col.example for col in layout.columns]
        assert all(ws.column_dimensions[c.column_letter].width == col.width
                   for c, col in zip(ws[1], layout.columns))
        assert ws.max_row == 2
    guide = wb["填写说明"]
    assert "填写说明" in guide["A1"].value
    assert any("示例" in str(c.value) for c in guide["A"] if c.value)


def test_drop_down_lists(tmp_path):
    write_template("roster", tmp_path / "r.xlsx")
    write_template("duties", tmp_path / "d.xlsx")
    roster = load_workbook(tmp_path / "r.xlsx")
    assert validations(roster["人员名册"]) == {
        "性别": list(vocab.GENDERS), "学历": list(vocab.EDUCATIONS),
        "编制类型": list(vocab.STAFFING_TYPES), "角色": list(vocab.ROLES),
        "人员状态": list(vocab.PERSON_STATUSES)}
    assert validations(load_workbook(tmp_path / "d.xlsx")["部门职责"]) == {
        "职能类别": list(vocab.DUTY_CLASSES),
        "任务类型": ["业务工作", "党建工作", "财务和组织人事工作", "信访投诉", "综合性工作"]}


def test_id_column_is_text_and_example_is_valid(tmp_path):
    write_template("roster", tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx")["人员名册"]
    assert ws["B2"].value == EXAMPLE_ID_NUMBER and ws["B2"].number_format == "@"
    info = parse_id_number(EXAMPLE_ID_NUMBER)
    assert info.birth_date.isoformat() == ws["D2"].value and info.gender == ws["C2"].value


def test_unknown_kind():
    with pytest.raises(AppError, match="未知的模板类型"):
        write_template("budget", Path("x.xlsx"))


def test_untouched_templates_import_nothing(unit_db, admin, tmp_path):
    write_template("duties", tmp_path / "d.xlsx")
    write_template("roster", tmp_path / "r.xlsx")
    before = _counts(unit_db)
    duties = import_duties(unit_db, admin, tmp_path / "d.xlsx")
    roster = import_roster(unit_db, admin, tmp_path / "r.xlsx")
    assert duties.total_rows == roster.total_rows == 0
    assert duties.summary() == "「三定职责」文件中没有可导入的数据（示例行未修改，已忽略），未做任何修改。"
    assert roster.summary() == "「人员名册」文件中没有可导入的数据（示例行未修改，已忽略），未做任何修改。"
    assert _counts(unit_db) == before


def test_example_row_counts_once_edited(unit_db, admin, tmp_path):
    """Only the untouched example is ignored: an edited row 2 is data."""
    path = tmp_path / "d.xlsx"
    write_template("duties", path)
    wb = load_workbook(path)
    wb["内设机构"]["A2"] = "办公室（党建办）"
    wb.save(path)
    result = import_duties(unit_db, admin, path)
    assert result.created("科室") == 1 and result.total_rows == 1
    assert result.ignored_examples == ["部门职责"]
    assert result.summary() == "已导入三定职责：科室新增1个。示例行未修改，已忽略。"


def _counts(db):
    from sqlalchemy import text

    from app.db.models import Base
    with db.read() as s:
        return {t: s.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in Base.metadata.tables}


def test_cli_template(tmp_path):
    out = tmp_path / "人员名册模板.xlsx"
    done = subprocess.run([sys.executable, "-m", "app", "template", "roster", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "已生成模板" in done.stdout
    assert load_workbook(out).sheetnames == ["人员名册", "岗位职责", "填写说明"]

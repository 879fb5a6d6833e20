"""三定职责 import: sections, duties and 承担科室 links; all-or-nothing validation; re-import."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.core.errors import PermissionDenied, ValidationError
from app.db.models import Base, Duty, DutySection, Section
from app.services.org.actor import Actor
from app.services.excel.duties import import_duties
from app.services.excel.templates import write_template
from app.services.excel.common import ImportProblem

REPO = Path(__file__).resolve().parents[2]

SECTIONS = [{"科室名称": "办公室", "科室职责概述": "负责机关日常运转"},
            {"科室名称": "综合科", "科室职责概述": "负责综合协调"},
            {"科室名称": "执法稽查科（法规科）", "科室职责概述": ""}]
DUTIES = [{"职责编号": "1", "职责内容": "贯彻执行法律法规", "职能类别": "核心", "承担科室": "办公室、综合科"},
          {"职责编号": "2", "职责内容": "组织市场监管执法", "职能类别": "一般",
           "承担科室": "执法稽查科（法规科）"},
          {"职责编号": "3", "职责内容": "完成上级交办的其他任务", "职能类别": "辅助", "承担科室": None}]


def fill(path: Path, sheet: str, rows: list[dict], start: int = 2) -> None:
    """Write rows from `start` (2 overwrites the example row), every column of the sheet."""
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for i, row in enumerate(rows):
        for j, name in enumerate(headers, start=1):
            ws.cell(row=start + i, column=j).value = row.get(name)   # None clears the example
    wb.save(path)


def duties_file(tmp_path: Path, sections=SECTIONS, duties=DUTIES, name="duties.xlsx") -> Path:
    path = tmp_path / name
    write_template("duties", path)
    fill(path, "内设机构", sections)
    fill(path, "部门职责", duties)
    return path


def row_counts(db) -> dict[str, int]:
    with db.read() as s:
        return {t: s.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in Base.metadata.tables}


def active_links(db) -> set[tuple[str, str]]:
    with db.read() as s:
        return set(s.execute(
            select(Duty.code, Section.name).join(DutySection, DutySection.duty_id == Duty.id)
            .join(Section, Section.id == DutySection.section_id)
            .where(DutySection.deleted.is_(False))).all())


def test_good_import_creates_sections_duties_and_links(unit_db, admin, tmp_path):
    result = import_duties(unit_db, admin, duties_file(tmp_path))
    assert (result.created("科室"), result.created("职责"), result.created("承担科室")) == (3, 3, 3)
    with unit_db.read() as s:
        sections = s.scalars(select(Section).order_by(Section.sort_order)).all()
        duties = {d.code: d for d in s.scalars(select(Duty))}
    assert [x.name for x in sections] == ["办公室", "综合科", "执法稽查科（法规科）"]
    assert sections[0].summary == "负责机关日常运转" and sections[0].unit_id == unit_db.unit_id
    assert duties["1"].duty_class == "核心" and duties["3"].duty_class == "辅助"
    assert all(d.active and not d.deleted and d.unit_id == unit_db.unit_id for d in duties.values())
    assert active_links(unit_db) == {("1", "办公室"), ("1", "综合科"), ("2", "执法稽查科（法规科）")}
    assert result.summary().startswith("已导入三定职责：科室新增3个")


def test_reimport_same_file_changes_nothing(unit_db, admin, tmp_path):
    path = duties_file(tmp_path)
    import_duties(unit_db, admin, path)
    before = row_counts(unit_db)
    result = import_duties(unit_db, admin, path)
    assert row_counts(unit_db) == before          # not even an outbox row
    assert (result.unchanged("科室"), result.unchanged("职责"), result.unchanged("承担科室")) == (3, 3, 3)
    assert "未做修改" in result.summary()


def test_reimport_updates_in_place_and_sets_links_exactly(unit_db, admin, tmp_path):
    import_duties(unit_db, admin, duties_file(tmp_path))
    before = row_counts(unit_db)
    duties = [dict(d) for d in DUTIES]
    duties[0].update(职责内容="贯彻执行国家法律法规（修订）", 承担科室="综合科")   # 办公室 removed
    duties[2].update(职能类别="一般")
    sections = [dict(x) for x in SECTIONS]
    sections[1]["科室职责概述"] = "负责综合协调和信息化"
    result = import_duties(unit_db, admin, duties_file(tmp_path, sections, duties, "v2.xlsx"))
    after = row_counts(unit_db)
    for table in ("section", "duty", "duty_section"):
        assert after[table] == before[table], table
    assert (result.updated("科室"), result.unchanged("科室")) == (1, 2)
    assert (result.updated("职责"), result.unchanged("职责")) == (2, 1)
    assert (result.removed("承担科室"), result.unchanged("承担科室")) == (1, 2)
    assert "取消1项" in result.summary()
    with unit_db.read() as s:
        assert s.scalar(select(Duty.content).where(Duty.code == "1")) == "贯彻执行国家法律法规（修订）"
        assert s.scalar(select(Duty.duty_class).where(Duty.code == "3")) == "一般"
        assert s.scalar(select(func.count()).select_from(DutySection)
                        .where(DutySection.deleted.is_(True))) == 1
    assert active_links(unit_db) == {("1", "综合科"), ("2", "执法稽查科（法规科）")}
    # Adding the link back revives the tombstone instead of inserting a new row.
    result = import_duties(unit_db, admin, duties_file(tmp_path, sections, DUTIES, "v3.xlsx"))
    assert result.created("承担科室") == 1
    assert row_counts(unit_db)["duty_section"] == before["duty_section"]
    assert ("1", "办公室") in active_links(unit_db)


def test_sections_already_in_database_and_lenient_spelling(unit_db, admin, tmp_path):
    import_duties(unit_db, admin, duties_file(tmp_path))
    duties = [{"职责编号": " ４ ", "职责内容": "负责信访工作", "职能类别": "核心职责",
               "承担科室": "办公室，执法稽查科(法规科)；综合科"}]
    result = import_duties(unit_db, admin, duties_file(tmp_path, [], duties, "more.xlsx"))
    assert result.created("职责") == 1 and result.created("承担科室") == 3
    assert {(c, n) for c, n in active_links(unit_db) if c == "4"} == {
        ("4", "办公室"), ("4", "综合科"), ("4", "执法稽查科（法规科）")}


@pytest.mark.parametrize("sheet, row, patch, column, reason", [
    ("部门职责", 3, {"职责编号": ""}, "职责编号", "必填项未填写"),
    ("部门职责", 2, {"职责内容": "  "}, "职责内容", "必填项未填写"),
    ("部门职责", 4, {"职能类别": None}, "职能类别", "必填项未填写"),
    ("部门职责", 4, {"职能类别": "重要"}, "职能类别", "无效的职能类别“重要”"),
    ("部门职责", 3, {"职责编号": "1"}, "职责编号", "职责编号“1”与第2行重复"),
    ("部门职责", 2, {"承担科室": "办公室、财务科"}, "承担科室", "“财务科”不是已有的科室"),
    ("内设机构", 3, {"科室名称": "办公室"}, "科室名称", "科室“办公室”与第2行重复"),
    ("内设机构", 4, {"科室名称": "", "科室职责概述": "负责执法"}, "科室名称", "必填项未填写"),
])
def test_each_error_names_sheet_row_column_and_writes_nothing(unit_db, admin, tmp_path, sheet, row,
                                                              patch, column, reason):
    sections, duties = [dict(x) for x in SECTIONS], [dict(d) for d in DUTIES]
    rows = sections if sheet == "内设机构" else duties
    rows[row - 2].update(patch)
    if sheet == "内设机构" and patch["科室名称"] == "":
        duties[1]["承担科室"] = None            # its section is gone; keep one problem only
    before = row_counts(unit_db)
    with pytest.raises(ValidationError) as err:
        import_duties(unit_db, admin, duties_file(tmp_path, sections, duties))
    assert str(err.value) == f"导入失败：共{len(err.value.problems)}处错误，未导入任何数据"
    problem = err.value.problems[0]
    assert isinstance(problem, ImportProblem)
    assert (problem.sheet, problem.row, problem.column) == (sheet, row, column)
    assert reason in problem.reason
    assert str(problem).startswith(f"工作表「{sheet}」第{row}行「{column}」：")
    assert row_counts(unit_db) == before


def test_many_problems_are_all_listed(unit_db, admin, tmp_path):
    duties = [{"职责编号": "1", "职责内容": "", "职能类别": "x", "承担科室": "无此科"},
              {"职责编号": "1", "职责内容": "内容", "职能类别": "核心"}]
    with pytest.raises(ValidationError) as err:
        import_duties(unit_db, admin, duties_file(tmp_path, SECTIONS, duties))
    cells = [(p.row, p.column) for p in err.value.problems]
    assert cells == [(2, "职责内容"), (2, "职能类别"), (2, "承担科室"), (3, "职责编号")]
    assert "共4处错误" in str(err.value)


def test_not_an_xlsx_file(unit_db, admin, tmp_path):
    bad = tmp_path / "职责.xlsx"
    bad.write_text("这不是Excel", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的Excel工作簿"):
        import_duties(unit_db, admin, bad)
    old = tmp_path / "职责.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValidationError, match="另存为"):
        import_duties(unit_db, admin, old)
    with pytest.raises(ValidationError, match="找不到文件"):
        import_duties(unit_db, admin, tmp_path / "none.xlsx")


def test_missing_column_and_missing_sheet(unit_db, admin, tmp_path):
    path = duties_file(tmp_path)
    wb = load_workbook(path)
    wb["部门职责"].delete_cols(3)            # 职能类别
    wb.save(path)
    with pytest.raises(ValidationError) as err:
        import_duties(unit_db, admin, path)
    assert "工作表「部门职责」缺少列「职能类别」" in str(err.value)
    assert [(p.sheet, p.column) for p in err.value.problems] == [("部门职责", "职能类别")]
    wb = load_workbook(path)
    del wb["内设机构"]
    wb.save(path)
    with pytest.raises(ValidationError, match="缺少工作表「内设机构」"):
        import_duties(unit_db, admin, path)


def test_requires_admin(unit_db, tmp_path):
    staff = Actor("p1", "li", "李四", "科室人员", None, is_admin=False)
    with pytest.raises(PermissionDenied):
        import_duties(unit_db, staff, duties_file(tmp_path))


def test_cli_import_duties(tmp_path):
    db = tmp_path / "unit.sqlite"
    env = {**os.environ, "LZKP_PASSWORD": "abc12345"}      # the admin's, as a script passes it
    run = lambda *args: subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO,  # noqa: E731
                                       capture_output=True, text=True, encoding="utf-8", env=env)
    init = run("init", "--db", str(db), "--unit-name", "测试局", "--credit-code",
               "11371321MB28510360", "--admin", "admin", "--password", "abc12345")
    assert init.returncode == 0, init.stderr
    template = tmp_path / "职责模板.xlsx"
    assert run("template", "duties", "--out", str(template)).returncode == 0
    empty = run("import-duties", "--db", str(db), str(template))
    assert empty.returncode == 0 and "没有可导入的数据" in empty.stdout

    bad = [dict(d) for d in DUTIES]
    bad[1]["职能类别"] = "重点"
    bad_path = duties_file(tmp_path, SECTIONS, bad, "bad.xlsx")
    failed = run("import-duties", "--db", str(db), str(bad_path))
    assert failed.returncode != 0
    assert "导入失败：共1处错误，未导入任何数据" in failed.stderr
    assert "工作表「部门职责」第3行「职能类别」：无效的职能类别“重点”" in failed.stderr
    assert "Traceback" not in failed.stderr

    ok = run("import-duties", "--db", str(db), str(duties_file(tmp_path)))
    assert ok.returncode == 0, ok.stderr
    assert "科室新增3个" in ok.stdout and "职责新增3条" in ok.stdout

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 broken")
    failed = run("import-duties", "--db", str(db), str(junk))
    assert failed.returncode != 0 and "无法读取文件" in failed.stderr and "Traceback" not in failed.stderr

"""人员名册 import: persons, accounts and post duties; per-cell validation; re-import in place."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from app.core.errors import PermissionDenied, ValidationError
from app.core.validators import id_check_char, make_id_number
from app.db.models import Base, Credential, Duty, Person, PostDuty, Section
from app.services.org import accounts
from app.services.org.actor import Actor
from app.services.excel.duties import import_duties
from app.services.excel.templates import write_template
from app.services.excel.common import ImportProblem
from app.services.excel import roster
from app.services.org.initial_passwords import issue

REPO = Path(__file__).resolve().parents[2]


def fill(path: Path, sheet: str, rows: list[dict], start: int = 2) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for i, row in enumerate(rows):
        for j, name in enumerate(headers, start=1):
            ws.cell(row=start + i, column=j).value = row.get(name)   # None clears the example
    wb.save(path)


def person(i: int, **changes) -> dict:
    birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
    male = i % 2 == 0
    row = {"姓名": f"测试{i}", "身份证号": make_id_number("371321", birth, i, male),
           "性别": "男" if male else "女", "出生日期": birth.isoformat(), "学历": "大学本科",
           "科室": "办公室", "职务": "一级科员", "编制类型": "行政编制", "角色": "科室人员",
           "登录名": f"user{i}", "人员状态": "在职"}
    row.update(changes)
    return row


PEOPLE = [person(1), person(2, 科室="综合科", 角色="科室负责人", 学历="研究生"),
          person(3, 科室=None, 角色="主要领导", 职务="局长", 编制类型="行政编制")]
POSTS = [{"登录名": "user1", "职责编号": "1、2", "岗位职责说明": "负责公文运转"},
         {"登录名": "user2", "职责编号": "3", "岗位职责说明": None}]


def import_roster(db, actor, path: Path):
    """The import as the admin confirms it (PEOPLE has a 主要领导: see test_account_security)."""
    return roster.import_roster(db, actor, path, confirm_roles=True)


def roster_file(tmp_path: Path, people=PEOPLE, posts=POSTS, name="roster.xlsx") -> Path:
    path = tmp_path / name
    write_template("roster", path)
    fill(path, "人员名册", people)
    fill(path, "岗位职责", posts)
    return path


def setup_duties(db, actor, tmp_path: Path) -> None:
    path = tmp_path / "duties.xlsx"
    write_template("duties", path)
    fill(path, "内设机构", [{"科室名称": n} | {"科室职责概述": "概述"} for n in ("办公室", "综合科")])
    fill(path, "部门职责", [{"职责编号": str(n), "职责内容": f"职责{n}", "职能类别": "核心"}
                        for n in (1, 2, 3)])
    import_duties(db, actor, path)


@pytest.fixture
def db(unit_db, admin, tmp_path):
    setup_duties(unit_db, admin, tmp_path)
    return unit_db


def row_counts(db) -> dict[str, int]:
    with db.read() as s:
        return {t: s.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in Base.metadata.tables}


def post_codes(db, login: str) -> dict[str, str]:
    with db.read() as s:
        return dict(s.execute(
            select(Duty.code, PostDuty.note).join(PostDuty, PostDuty.duty_id == Duty.id)
            .join(Person, Person.id == PostDuty.person_id)
            .where(Person.login == login, PostDuty.deleted.is_(False))).all())


def test_good_import_creates_people_accounts_and_post_duties(db, admin, tmp_path):
    result = import_roster(db, admin, roster_file(tmp_path))
    assert (result.created("人员"), result.created("岗位职责")) == (3, 3)
    assert "3个新账号尚无密码：请打印初始密码单" in result.summary()
    assert result.new_accounts == ["user1", "user2", "user3"]
    with db.read() as s:
        people = {p.login: p for p in s.scalars(select(Person).where(Person.login != "admin"))}
        sections = dict(s.execute(select(Section.id, Section.name)).all())
        creds = {c.person_id: c for c in s.scalars(select(Credential))}
    p1 = people["user1"]
    assert (p1.name, p1.gender, p1.education, p1.post, p1.role, p1.status) == (
        "测试1", "女", "大学本科", "一级科员", "科室人员", "在职")
    assert p1.birth_date == "1971-02-02" and p1.unit_id == db.unit_id and not p1.is_admin
    assert sections[p1.section_id] == "办公室"
    assert sections[people["user2"].section_id] == "综合科"
    assert people["user3"].section_id is None and people["user3"].role == "主要领导"
    assert all(creds[p.id].must_change for p in people.values())
    assert post_codes(db, "user1") == {"1": "负责公文运转", "2": "负责公文运转"}
    assert post_codes(db, "user2") == {"3": ""}
    slips = {slip.login: slip.password for slip in issue(db, admin)}
    actor = accounts.login(db, "user1", slips["user1"])
    assert actor.must_change_password


def test_reimport_same_file_changes_nothing(db, admin, tmp_path):
    path = roster_file(tmp_path)
    import_roster(db, admin, path)
    before = row_counts(db)
    result = import_roster(db, admin, path)
    assert row_counts(db) == before                 # no outbox noise either
    assert (result.unchanged("人员"), result.unchanged("岗位职责")) == (3, 3)
    assert "初始密码" not in result.summary()


def test_reimport_updates_in_place(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path))
    with db.read() as s:
        old_hashes = dict(s.execute(select(Credential.person_id, Credential.password_hash)).all())
    before = row_counts(db)
    people = [person(1, 职务="二级主任科员", 科室="综合科"), PEOPLE[1], PEOPLE[2]]
    posts = [{"登录名": "user1", "职责编号": "2、3", "岗位职责说明": "负责公文运转"},
             {"登录名": "user2", "职责编号": None}]         # clears user2's post duties
    result = import_roster(db, admin, roster_file(tmp_path, people, posts, "v2.xlsx"))
    after = row_counts(db)
    assert after["person"] == before["person"] and after["credential"] == before["credential"]
    assert after["post_duty"] == before["post_duty"] + 1    # 1 new pair; removed ones are tombstones
    assert (result.updated("人员"), result.unchanged("人员")) == (1, 2)
    assert (result.created("岗位职责"), result.removed("岗位职责"),
            result.unchanged("岗位职责")) == (1, 2, 1)
    with db.read() as s:
        p1 = s.scalar(select(Person).where(Person.login == "user1"))
        assert p1.post == "二级主任科员"
        assert s.scalar(select(Section.name).where(Section.id == p1.section_id)) == "综合科"
        assert dict(s.execute(select(Credential.person_id, Credential.password_hash)).all()) == old_hashes
    assert post_codes(db, "user1") == {"2": "负责公文运转", "3": "负责公文运转"}
    assert post_codes(db, "user2") == {}


def test_existing_admin_keeps_admin_flag_and_password(db, admin, tmp_path):
    with db.read() as s:
        old_hash = s.scalar(select(Credential.password_hash).where(Credential.person_id == admin.person_id))
    result = import_roster(db, admin, roster_file(tmp_path, [person(9, 登录名="admin", 姓名="王管理")], []))
    assert result.updated("人员") == 1 and "初始密码" not in result.summary()
    with db.read() as s:
        me = s.get(Person, admin.person_id)
        assert me.is_admin and me.name == "王管理"
        assert s.scalar(select(Credential.password_hash)
                        .where(Credential.person_id == me.id)) == old_hash


def test_removed_person_is_revived_with_a_fresh_initial_password(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path))
    with db.session() as s:
        s.scalar(select(Person).where(Person.login == "user1")).deleted = True
    before = row_counts(db)
    result = import_roster(db, admin, roster_file(tmp_path, name="again.xlsx"))
    assert result.created("人员") == 1 and "初始密码" in result.summary()
    assert row_counts(db)["person"] == before["person"]
    slips = {slip.login: slip.password for slip in issue(db, admin)}
    assert accounts.login(db, "user1", slips["user1"]).must_change_password


@pytest.mark.parametrize("value", [dt.datetime(1971, 2, 2), dt.date(1971, 2, 2), "1971/2/2",
                                   "19710202", 19710202, "1971年2月2日", "1971.02.02", None])
def test_birth_date_formats(db, admin, tmp_path, value):
    result = import_roster(db, admin, roster_file(tmp_path, [person(1, 出生日期=value)], []))
    assert result.created("人员") == 1


def test_lenient_spellings(db, admin, tmp_path):
    id_number = PEOPLE[0]["身份证号"]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in id_number)
    row = person(1, 姓名="测  试", 身份证号=f" {full_width} ", 性别="女性", 学历="本科", 编制类型="行政",
                 角色=" 科室人员 ", 登录名="ｕｓｅｒ1", 科室="办公室 ", 人员状态=None)
    result = import_roster(db, admin, roster_file(tmp_path, [row], [{"登录名": "user1", "职责编号": "1,２"}]))
    assert result.created("人员") == 1
    with db.read() as s:
        p = s.scalar(select(Person).where(Person.login == "user1"))
    assert (p.name, p.id_number, p.gender, p.education, p.staffing_type, p.status) == (
        "测试", id_number, "女", "大学本科", "行政编制", "在职")
    assert set(post_codes(db, "user1")) == {"1", "2"}


def _bad_id(i: int) -> str:
    good = person(i)["身份证号"]
    return good[:17] + ("0" if good[17] != "0" else "1")


ERRORS = [
    ("人员名册", 3, {"身份证号": _bad_id(2)}, "身份证号",
     f"身份证号校验位错误（应为{person(2)['身份证号'][17]}）"),
    ("人员名册", 2, {"身份证号": "37132119710202"}, "身份证号", "身份证号应为18位"),
    ("人员名册", 2, {"身份证号": 3.71321197102022e17}, "身份证号", "存成了数字"),
    ("人员名册", 2, {"性别": "男"}, "性别", "与身份证号不一致"),
    ("人员名册", 2, {"出生日期": "1971-02-03"}, "出生日期", "与身份证号不一致（身份证号显示为1971-02-02）"),
    ("人员名册", 2, {"出生日期": "七一年二月"}, "出生日期", "无法识别的日期"),
    ("人员名册", 2, {"姓名": None}, "姓名", "必填项未填写"),
    ("人员名册", 3, {"身份证号": ""}, "身份证号", "必填项未填写"),
    ("人员名册", 2, {"编制类型": None}, "编制类型", "必填项未填写"),
    ("人员名册", 2, {"角色": None}, "角色", "必填项未填写"),
    ("人员名册", 2, {"科室": None}, "科室", "必填项未填写"),
    ("人员名册", 2, {"科室": "财务科"}, "科室", "科室“财务科”在系统中不存在"),
    ("人员名册", 2, {"角色": "科长助理"}, "角色", "无效的角色“科长助理”"),
    ("人员名册", 2, {"编制类型": "合同制"}, "编制类型", "无效的编制类型“合同制”"),
    ("人员名册", 2, {"人员状态": "休假"}, "人员状态", "无效的人员状态“休假”"),
    ("人员名册", 2, {"学历": "小学"}, "学历", "无效的学历“小学”"),
    ("人员名册", 2, {"登录名": "user 1"}, "登录名", "登录名不能包含空格"),
    ("人员名册", 3, {"登录名": "user1"}, "登录名", "登录名“user1”与第2行重复"),
    ("人员名册", 3, {"身份证号": person(1)["身份证号"], "性别": None, "出生日期": None}, "身份证号",
     "身份证号与第2行重复"),
    ("岗位职责", 2, {"职责编号": "1、9"}, "职责编号", "职责编号“9”在系统中不存在"),
    ("岗位职责", 3, {"登录名": "nobody"}, "登录名", "登录名“nobody”在「人员名册」表和系统中都不存在"),
    ("岗位职责", 3, {"登录名": "user1", "职责编号": "2"}, "职责编号", "职责编号“2”已在第2行分配给此人"),
]


@pytest.mark.parametrize("sheet, row, patch, column, reason", ERRORS,
                         ids=[f"{e[3]}-{e[4][:12]}" for e in ERRORS])
def test_each_error_names_sheet_row_column_and_writes_nothing(db, admin, tmp_path, sheet, row,
                                                              patch, column, reason):
    people, posts = [dict(p) for p in PEOPLE], [dict(p) for p in POSTS]
    rows = people if sheet == "人员名册" else posts
    rows[row - 2].update(patch)
    if (sheet, column) == ("人员名册", "登录名"):
        posts = []          # else 岗位职责 would also (rightly) report the changed login
    before = row_counts(db)
    with pytest.raises(ValidationError) as err:
        import_roster(db, admin, roster_file(tmp_path, people, posts))
    assert str(err.value) == f"导入失败：共{len(err.value.problems)}处错误，未导入任何数据"
    problem = err.value.problems[0]
    assert isinstance(problem, ImportProblem)
    assert (problem.sheet, problem.row, problem.column) == (sheet, row, column), err.value.problems
    assert reason in problem.reason
    assert len(err.value.problems) == 1, [str(p) for p in err.value.problems]
    assert row_counts(db) == before


def test_problem_text_format(db, admin, tmp_path):
    people = [person(1), person(2), person(3), person(4, 身份证号=_bad_id(4))]
    with pytest.raises(ValidationError) as err:
        import_roster(db, admin, roster_file(tmp_path, people, []))
    expected = id_check_char(person(4)["身份证号"][:17])
    assert [str(p) for p in err.value.problems] == [
        f"工作表「人员名册」第5行「身份证号」：身份证号校验位错误（应为{expected}）"]


def test_id_number_already_used_by_another_login(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path))
    before = row_counts(db)
    with pytest.raises(ValidationError) as err:
        import_roster(db, admin, roster_file(tmp_path, [person(1, 登录名="other")], [], "dup.xlsx"))
    [problem] = err.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("人员名册", 2, "身份证号")
    assert "已被系统中的人员“测试1”（登录名 user1）使用" in problem.reason
    assert row_counts(db) == before
    # Moving a number between two people listed in the same file is fine.
    swap = [person(1, 身份证号=person(2)["身份证号"], 性别=None, 出生日期=None),
            person(2, 身份证号=person(1)["身份证号"], 性别=None, 出生日期=None, 科室="综合科",
                   角色="科室负责人", 学历="研究生")]
    assert import_roster(db, admin, roster_file(tmp_path, swap, [], "swap.xlsx")).updated("人员") == 2


def test_not_an_xlsx_and_missing_column(db, admin, tmp_path):
    bad = tmp_path / "名册.xlsx"
    bad.write_bytes(b"name,id\n")
    with pytest.raises(ValidationError, match="不是有效的Excel工作簿"):
        import_roster(db, admin, bad)
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))   # password-protected
    with pytest.raises(ValidationError, match="设置了打开密码"):
        import_roster(db, admin, bad)
    import zipfile
    with zipfile.ZipFile(bad, "w") as z:                # a zip, but no workbook inside
        z.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="文件已损坏或不是Excel工作簿"):
        import_roster(db, admin, bad)
    path = roster_file(tmp_path)
    wb = load_workbook(path)
    wb["人员名册"].delete_cols(2)            # 身份证号
    wb.save(path)
    with pytest.raises(ValidationError) as err:
        import_roster(db, admin, path)
    assert "工作表「人员名册」缺少列「身份证号」" in str(err.value)


def test_requires_admin(db, tmp_path):
    staff = Actor("p1", "li", "李四", "科室人员", None, is_admin=False)
    with pytest.raises(PermissionDenied):
        import_roster(db, staff, roster_file(tmp_path))


def test_cli_template_and_import_roster(tmp_path):
    db = tmp_path / "unit.sqlite"
    env = {**os.environ, "LZKP_PASSWORD": "abc12345"}      # the admin's, as a script passes it
    run = lambda *args: subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO,  # noqa: E731
                                       capture_output=True, text=True, encoding="utf-8", env=env)
    assert run("init", "--db", str(db), "--unit-name", "测试局", "--credit-code",
               "11371321MB28510360", "--admin", "admin", "--password", "abc12345").returncode == 0
    duties = tmp_path / "duties.xlsx"
    assert run("template", "duties", "--out", str(duties)).returncode == 0
    fill(duties, "内设机构", [{"科室名称": "办公室"}, {"科室名称": "综合科"}])
    fill(duties, "部门职责", [{"职责编号": str(n), "职责内容": f"职责{n}", "职能类别": "一般"}
                          for n in (1, 2, 3)])
    assert run("import-duties", "--db", str(db), str(duties)).returncode == 0

    template = tmp_path / "名册模板.xlsx"
    made = run("template", "roster", "--out", str(template))
    assert made.returncode == 0 and template.exists()
    empty = run("import-roster", "--db", str(db), str(template))
    assert empty.returncode == 0 and "没有可导入的数据" in empty.stdout

    people = [dict(p) for p in PEOPLE]
    people[1]["身份证号"] = _bad_id(2)
    people[2]["角色"] = "局长"
    failed = run("import-roster", "--db", str(db), str(roster_file(tmp_path, people, POSTS, "bad.xlsx")))
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    [line] = failed.stderr.splitlines()           # every problem, on one line
    assert line.startswith("错误：导入失败：共2处错误，未导入任何数据："
                           "工作表「人员名册」第3行「身份证号」：身份证号校验位错误")
    assert line.endswith("；工作表「人员名册」第4行「角色」：无效的角色“局长”"
                         "（可选：科室人员、科室负责人、分管领导、主要领导）")

    unconfirmed = run("import-roster", "--db", str(db), str(roster_file(tmp_path)))
    assert unconfirmed.returncode == 1 and "测试3（user3）：新账号 → 主要领导" in unconfirmed.stderr
    ok = run("import-roster", "--db", str(db), "--confirm-roles", str(roster_file(tmp_path)))
    assert ok.returncode == 0, ok.stderr
    assert "人员新增3人" in ok.stdout and "首次登录须修改" in ok.stdout

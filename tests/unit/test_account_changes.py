"""The admin edits people, 停用/启用 accounts, and the 编办's two roles (app.services.org.account_changes)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.logrules import EntryDraft
from app.db.models import AuditLog, Person, Section, WorkLog
from app.services.logs import daily as logs
from app.services.org import accounts, initial_passwords
from app.services.org.account_changes import (PersonChange, edit_person, set_active,
                                              set_bureau_role)
from app.services.org.accounts import LoginFailed, NewUser
from app.services.org.actor import SYSTEM
from tests.conftest import TEST_PASSWORD

DAY = dt.date(2026, 11, 18)


def person(db, login: str) -> Person:
    with db.read() as s:
        return s.scalar(select(Person).where(Person.login == login))


def actions(db, action: str) -> list[AuditLog]:
    with db.read() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


@pytest.fixture
def li(unit_db, admin):
    with unit_db.session() as s:
        s.add_all([Section(unit_id=unit_db.unit_id, name="办公室"),
                   Section(unit_id=unit_db.unit_id, name="食品安全科")])
    accounts.add_user(unit_db, admin, NewUser("li", "李玥", "li123456", section="办公室",
                                              must_change=False))
    return accounts.login(unit_db, "li", "li123456")


def test_admin_edits_name_section_role_post_and_staffing_type(unit_db, admin, li):
    assert edit_person(unit_db, admin, "li", PersonChange(
        name="李月", section="食品安全科", role="科室负责人", post="科长", staffing_type="行政编制"))
    p = person(unit_db, "li")
    with unit_db.read() as s:
        section = s.get(Section, p.section_id).name
    assert (p.name, section, p.role, p.post, p.staffing_type) == ("李月", "食品安全科", "科室负责人",
                                                                  "科长", "行政编制")
    updates = [a for a in actions(unit_db, "update") if a.table_name == "person" and a.row_id == p.id]
    assert updates and updates[-1].actor == "admin"
    assert not edit_person(unit_db, admin, "li", PersonChange(name="李月"))       # nothing differed
    assert edit_person(unit_db, admin, "li", PersonChange(section="", post="", staffing_type=""))
    p = person(unit_db, "li")
    assert (p.section_id, p.post, p.staffing_type, p.name) == (None, None, None, "李月")


def test_bad_edit_names_every_problem_and_changes_nothing(unit_db, admin, li):
    with pytest.raises(ValidationError) as caught:
        edit_person(unit_db, admin, "li", PersonChange(name="李月", section="不存在科",
                                                       role="处长", staffing_type="临时工"))
    text = str(caught.value)
    assert "未知的科室“不存在科”" in text and "未知的角色“处长”" in text and "未知的编制类型“临时工”" in text
    assert person(unit_db, "li").name == "李玥"


def test_only_the_admin_edits_or_deactivates(unit_db, li):
    with pytest.raises(PermissionDenied):
        edit_person(unit_db, li, "admin", PersonChange(name="我"))
    with pytest.raises(PermissionDenied):
        set_active(unit_db, li, "admin", False)


def test_deactivated_account_cannot_log_in_keeps_its_logs_and_comes_back(unit_db, admin, li):
    logs.add_entry(unit_db, li, DAY, EntryDraft(hours=3, category="业务工作", content="检查"), today=DAY)
    assert set_active(unit_db, admin, "li", False)
    assert not set_active(unit_db, admin, "li", False)          # already so
    with pytest.raises(LoginFailed, match="已停用"):
        accounts.login(unit_db, "li", "li123456")
    with pytest.raises(LoginFailed, match="用户名或密码错误"):    # a wrong password tells nothing
        accounts.login(unit_db, "li", "wrong1234")
    with unit_db.read() as s:       # the logs stay: deactivation withdrew the login, not the rows
        assert s.scalar(select(WorkLog).where(WorkLog.person_id == li.person_id)) is not None
    assert initial_passwords.account_states(unit_db)["li"] == "已停用"
    with pytest.raises(AppError, match="已停用"):
        initial_passwords.issue(unit_db, admin, ["li"])
    with pytest.raises(AppError, match="已停用"):
        accounts.set_password(unit_db, admin, "li", "new12345x")
    assert initial_passwords.issue(unit_db, admin) == []        # not among the waiting ones
    assert [a.actor for a in actions(unit_db, "deactivate")] == ["admin"]

    assert set_active(unit_db, admin, "li", True)
    assert accounts.login(unit_db, "li", "li123456").login == "li"   # the same password again
    assert [a.actor for a in actions(unit_db, "activate")] == ["admin"]


def test_nobody_deactivates_themselves_or_the_last_admin(unit_db, admin, li):
    with pytest.raises(AppError, match="不能停用自己的账号"):
        set_active(unit_db, admin, "admin", False)
    with pytest.raises(AppError, match="唯一在用的管理员"):
        set_active(unit_db, SYSTEM, "admin", False)
    accounts.add_user(unit_db, admin, NewUser("second", "赵二", "zhao12345", is_admin=True,
                                              must_change=False))
    assert set_active(unit_db, SYSTEM, "admin", False)       # another admin is still in use
    with pytest.raises(AppError, match="唯一在用的管理员"):
        set_active(unit_db, SYSTEM, "second", False)


@pytest.fixture
def bureau_db(tmp_path):
    from app.core.validators import make_credit_code
    from app.services.org.setup import UnitSetup, initialise_unit, open_database
    db = open_database(tmp_path / "county.sqlite", create=True)
    initialise_unit(db, UnitSetup("沂河县委编办", make_credit_code("11371321", "MB285103"),
                                  unit_class="党委部门", edition="bureau"))
    accounts.add_user(db, SYSTEM, NewUser("bb", "编办管理员", TEST_PASSWORD, is_admin=True,
                                          must_change=False))
    accounts.add_user(db, SYSTEM, NewUser("fx", "分析员", TEST_PASSWORD, must_change=False))
    yield db
    db.dispose()


def test_bureau_roles_change_by_an_admin_and_never_leave_it_without_one(bureau_db):
    bb = accounts.login(bureau_db, "bb", TEST_PASSWORD)
    fx = accounts.login(bureau_db, "fx", TEST_PASSWORD)
    with pytest.raises(PermissionDenied, match="编办管理员"):
        set_bureau_role(bureau_db, fx, "fx", "编办管理员")
    with pytest.raises(AppError, match="不能取消自己的编办管理员权限"):
        set_bureau_role(bureau_db, bb, "bb", "编办分析员")
    with pytest.raises(AppError, match="唯一在用的编办管理员"):
        set_bureau_role(bureau_db, SYSTEM, "bb", "编办分析员")
    with pytest.raises(ValidationError, match="未知的角色"):
        set_bureau_role(bureau_db, bb, "fx", "科室人员")
    assert set_bureau_role(bureau_db, bb, "fx", "编办管理员")
    assert accounts.login(bureau_db, "fx", TEST_PASSWORD).is_admin
    assert set_bureau_role(bureau_db, bb, "fx", "编办分析员")
    assert not accounts.login(bureau_db, "fx", TEST_PASSWORD).is_admin

"""Accounts: login, lockout, forced password change, admin-only actions (app/services/accounts)."""
from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.models import Credential, Outbox, Person
from app.services.org import accounts, passwords
from app.services.org.accounts import LoginFailed, NewUser

PW = "abc12345"
T = dt.datetime(2026, 11, 20, 9, 0, 0)


def add(db, login="zhangsan", password="zs123456", **kw) -> str:
    return accounts.add_user(db, accounts_admin(db), NewUser(login, "张三", password, **kw))


def accounts_admin(db):
    return accounts.login(db, "admin", PW)


def credential(db, login: str) -> Credential:
    with db.read() as s:
        person_id = s.scalar(select(Person.id).where(Person.login == login))
        return s.scalar(select(Credential).where(Credential.person_id == person_id))


def test_login_ok(unit_db):
    actor = accounts.login(unit_db, "admin", PW)
    assert (actor.login, actor.name, actor.is_admin) == ("admin", "管理员", True)
    assert actor.person_id and not actor.must_change_password
    assert accounts.login(unit_db, "  admin ", PW).person_id == actor.person_id


def test_wrong_password_counts_down(unit_db):
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginFailed) as err:
            accounts.login(unit_db, "admin", "wrong123", now=T)
        assert str(err.value) == f"用户名或密码错误（还可尝试{left}次）"
    # a success in between resets the count
    accounts.login(unit_db, "admin", PW, now=T)
    with pytest.raises(LoginFailed, match="还可尝试4次"):
        accounts.login(unit_db, "admin", "wrong123", now=T)


def test_unknown_user_gets_the_same_message(unit_db):
    with pytest.raises(LoginFailed) as err:
        accounts.login(unit_db, "nobody", PW, now=T)
    assert str(err.value) == "用户名或密码错误（还可尝试4次）"


def test_lock_is_per_login(unit_db):
    add(unit_db)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(unit_db, "admin", "wrong123", now=T)
    assert accounts.login(unit_db, "zhangsan", "zs123456", now=T).login == "zhangsan"


def test_login_guard_is_local_and_never_synced(unit_db):
    with unit_db.read() as s:
        before = s.scalar(select(Outbox.seq).order_by(Outbox.seq.desc()).limit(1))
    with pytest.raises(LoginFailed):
        accounts.login(unit_db, "admin", "wrong123", now=T)
    with unit_db.read() as s:
        assert s.scalar(select(Outbox.seq).order_by(Outbox.seq.desc()).limit(1)) == before


def test_new_user_must_change_password(unit_db):
    add(unit_db)
    actor = accounts.login(unit_db, "zhangsan", "zs123456")
    assert actor.must_change_password
    changed = accounts.change_password(unit_db, actor, "zs123456", "newpass99")
    assert not changed.must_change_password
    assert not changed.is_admin and changed.role == "科室人员"
    assert not accounts.login(unit_db, "zhangsan", "newpass99").must_change_password
    with pytest.raises(LoginFailed):
        accounts.login(unit_db, "zhangsan", "zs123456")


@pytest.mark.parametrize("new, reason", [
    ("abc1234", "密码至少8位"),
    ("abcdefgh", "密码须同时包含字母和数字"),
    ("12345678", "密码须同时包含字母和数字"),
    ("zs123456", "新密码不能与原密码相同"),
])
def test_change_password_enforces_policy(unit_db, new, reason):
    add(unit_db)
    actor = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(ValidationError) as err:
        accounts.change_password(unit_db, actor, "zs123456", new)
    assert str(err.value) == reason
    assert accounts.login(unit_db, "zhangsan", "zs123456").must_change_password


def test_change_password_needs_the_old_one(unit_db):
    add(unit_db)
    actor = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(ValidationError, match="原密码不正确"):
        accounts.change_password(unit_db, actor, "wrong123", "newpass99")
    assert accounts.login(unit_db, "zhangsan", "zs123456").must_change_password


def test_admin_set_password_unlocks_and_forces_a_change(unit_db, admin):
    add(unit_db)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(unit_db, "zhangsan", "bad12345", now=T)
    accounts.set_password(unit_db, admin, "zhangsan", "reset2026")
    actor = accounts.login(unit_db, "zhangsan", "reset2026", now=T)   # the reset also unlocks
    assert actor.must_change_password
    assert credential(unit_db, "zhangsan").must_change is True


def test_set_password_checks_policy_and_user(unit_db, admin):
    with pytest.raises(ValidationError, match="密码至少8位"):
        accounts.set_password(unit_db, admin, "admin", "a1")
    with pytest.raises(AppError, match="本人的密码请用“修改密码”修改"):
        accounts.set_password(unit_db, admin, "admin", "reset2026")
    with pytest.raises(AppError, match="没有登录名为“ghost”的人员"):
        accounts.set_password(unit_db, admin, "ghost", "reset2026")


def test_non_admin_cannot_add_users_or_set_passwords(unit_db, admin):
    add(unit_db, must_change=False)
    staff = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(PermissionDenied, match="需要单位管理员权限"):
        accounts.add_user(unit_db, staff, NewUser("lisi", "李四", "ls123456"))
    with pytest.raises(PermissionDenied):
        accounts.set_password(unit_db, staff, "admin", "hijack123")
    with unit_db.read() as s:
        assert s.scalar(select(Person).where(Person.login == "lisi")) is None
    assert accounts.login(unit_db, "admin", PW).is_admin


def test_add_user_validates_everything_at_once(unit_db, admin):
    with pytest.raises(ValidationError) as err:
        accounts.add_user(unit_db, admin, NewUser(
            "admin", "", "short", role="局长", id_number="110105194912310021",
            staffing_type="临时工", section="不存在科"))
    assert err.value.problems == [
        "请填写姓名", "未知的角色“局长”（可选：科室人员、科室负责人、分管领导、主要领导）",
        "未知的编制类型“临时工”（可选：行政编制、事业编制、工勤编制、政法专项编制、编外）",
        "身份证号校验位错误（应为X）", "密码至少8位",
        "登录名“admin”已存在", "未知的科室“不存在科”"]


def test_add_user_takes_gender_and_birth_from_id_number(unit_db):
    add(unit_db, id_number="11010519491231002x", staffing_type="行政编制", post="科员")
    with unit_db.read() as s:
        p = s.scalar(select(Person).where(Person.login == "zhangsan"))
    assert (p.id_number, p.gender, p.birth_date, p.status) == (
        "11010519491231002X", "女", "1949-12-31", "在职")


def test_retired_person_cannot_log_in(unit_db):
    add(unit_db)
    assert accounts.login(unit_db, "zhangsan", "zs123456")
    with unit_db.session() as s:
        s.scalar(select(Person).where(Person.login == "zhangsan")).status = "离退"
    with pytest.raises(LoginFailed, match="用户名或密码错误"):
        accounts.login(unit_db, "zhangsan", "zs123456")


def test_deleted_person_cannot_log_in(unit_db):
    add(unit_db)
    with unit_db.session() as s:
        s.scalar(select(Person).where(Person.login == "zhangsan")).deleted = True
    with pytest.raises(LoginFailed):
        accounts.login(unit_db, "zhangsan", "zs123456")


def test_passwords_are_stored_as_argon2id(unit_db):
    add(unit_db)
    stored = credential(unit_db, "zhangsan").password_hash
    assert stored.startswith("$argon2id$")
    assert "zs123456" not in stored


def test_program_hasher_is_argon2id_with_strong_parameters(real_hasher):
    # tests/unit/conftest.py swaps in cheap parameters; the program's are checked here
    assert real_hasher.type is Type.ID
    assert real_hasher.memory_cost >= 19 * 1024           # OWASP minimum for argon2id
    assert real_hasher.time_cost >= 2
    real = real_hasher.hash("abc12345")
    assert real.startswith("$argon2id$v=19$")
    assert real_hasher.verify(real, "abc12345")


def test_hash_made_with_other_parameters_still_verifies_and_is_upgraded(unit_db):
    add(unit_db)
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)   # e.g. an older release
    old_style = older.hash("zs123456")
    with unit_db.session() as s:
        person_id = s.scalar(select(Person.id).where(Person.login == "zhangsan"))
        s.scalar(select(Credential).where(Credential.person_id == person_id)).password_hash = old_style
    accounts.login(unit_db, "zhangsan", "zs123456")
    rehashed = credential(unit_db, "zhangsan").password_hash
    assert rehashed != old_style and rehashed.startswith("$argon2id$")
    assert not passwords.needs_rehash(rehashed)
    assert accounts.login(unit_db, "zhangsan", "zs123456").login == "zhangsan"


def test_list_accounts(unit_db, admin):
    add(unit_db)
    assert [(a.login, a.is_admin) for a in accounts.list_accounts(unit_db)] == [
        ("admin", True), ("zhangsan", False)]

"""Accounts a colleague cannot take over (issue 15): random initial passwords on a slip, forced
change before anything else, one argon2id cost for every hash, unknown logins as slow as real
ones, a growing lock per account that the admin can lift, leader roles granted only when
confirmed."""
from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.core.logrules import EntryDraft
from app.db.models import AuditLog, Credential, Person
from app.services.logs import daily as logs
from app.services.org import accounts, settings_change
from app.services.org.accounts import LoginFailed, NewUser
from tests.unit.test_roster_import import PEOPLE, person, roster_file, setup_duties

PW = "abc12345"
T = dt.datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def db(unit_db, admin, tmp_path):
    setup_duties(unit_db, admin, tmp_path)
    return unit_db


def import_roster(db, actor, path, **kw):
    from app.services.excel.roster import import_roster as run
    return run(db, actor, path, **kw)


def issue(db, actor, logins=None, **kw):
    from app.services.org.initial_passwords import issue as run
    return run(db, actor, logins, **kw)


def stored_hash(db, login: str) -> str:
    with db.read() as s:
        pid = s.scalar(select(Person.id).where(Person.login == login))
        return s.scalar(select(Credential.password_hash).where(Credential.person_id == pid))


def fail(db, login, password="wrong123", now=T) -> str:
    with pytest.raises(LoginFailed) as err:
        accounts.login(db, login, password, now=now)
    return str(err.value)


# ---------------------------------------------------------------- initial passwords
def test_initial_password_is_not_derived_from_the_id_number(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path, [person(1)], []))
    guess = "Lz" + PEOPLE[0]["身份证号"][-6:]        # what a colleague could work out
    slips = issue(db, admin)
    assert [s.login for s in slips] == ["user1"]
    assert slips[0].password != guess
    fail(db, "user1", guess, now=T + dt.timedelta(hours=1))
    actor = accounts.login(db, "user1", slips[0].password)
    assert actor.must_change_password


def test_a_new_account_has_no_usable_password_until_the_slip_is_issued(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path, [person(1)], []))
    for candidate in ("Lz" + PEOPLE[0]["身份证号"][-6:], "", "user1", "12345678"):
        fail(db, "user1", candidate, now=T + dt.timedelta(hours=len(candidate)))


def test_initial_passwords_are_random_readable_and_stored_only_hashed(db, admin, tmp_path):
    people = [person(i) for i in range(1, 9)]
    import_roster(db, admin, roster_file(tmp_path, people, []))
    slips = issue(db, admin)
    pw = [s.password for s in slips]
    assert len(slips) == 8 and len(set(pw)) == 8
    assert all(len(p) == 10 and not set(p) & set("0O1lI") for p in pw)
    assert all(any(c.isdigit() for c in p) and any(c.isalpha() for c in p) for p in pw)
    with db.read() as s:
        dump = "\n".join(line for line in s.connection().connection.iterdump())
    assert not any(p in dump for p in pw)
    assert slips[0].unit == "测试县市场监督管理局" and slips[0].section == "办公室"
    # issuing again for the same scope finds nobody: their slips are out
    assert issue(db, admin) == []


def test_issuing_again_replaces_the_earlier_slip(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path, [person(1)], []))
    (first,) = issue(db, admin)
    from app.services.org.initial_passwords import UNACTIVATED
    (second,) = issue(db, admin, scope=UNACTIVATED)
    assert first.password != second.password
    fail(db, "user1", first.password)
    assert accounts.login(db, "user1", second.password).must_change_password


def test_admin_reset_issues_a_random_password_that_must_be_changed(unit_db, admin):
    from app.services.org.initial_passwords import create_account
    slip = create_account(unit_db, admin, NewUser("zhangsan", "张三", None))
    me = accounts.login(unit_db, "zhangsan", slip.password)
    me = accounts.change_password(unit_db, me, slip.password, "mine2026x")
    assert not me.must_change_password
    (reset,) = issue(unit_db, admin, ["zhangsan"])
    fail(unit_db, "zhangsan", "mine2026x")
    again = accounts.login(unit_db, "zhangsan", reset.password)
    assert again.must_change_password
    with unit_db.read() as s:              # no key is sealed under a password the admin knows
        assert s.scalar(select(Credential.sealed_key).join(Person, Person.id == Credential.person_id)
                        .where(Person.login == "zhangsan")) is None
    with pytest.raises(AppError, match="本人的密码请用"):
        issue(unit_db, admin, ["admin"])


def test_set_password_by_the_admin_forces_a_change(unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    accounts.set_password(unit_db, admin, "zhangsan", "reset2026")
    assert accounts.login(unit_db, "zhangsan", "reset2026").must_change_password


def test_staff_cannot_issue_passwords(unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    staff = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(PermissionDenied):
        issue(unit_db, staff, ["admin"])


# ---------------------------------------------------------------- forced change
def test_a_pending_login_can_do_nothing_but_change_its_password(unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456"))
    accounts.add_user(unit_db, admin, NewUser("boss", "王局", "boss1234", is_admin=True))
    pending = accounts.login(unit_db, "zhangsan", "zs123456")
    day = dt.date(2026, 11, 19)
    with pytest.raises(PermissionDenied, match="须先修改密码"):
        logs.add_entry(unit_db, pending, day, EntryDraft(hours=2, category="业务工作", content="x"))
    with pytest.raises(PermissionDenied, match="须先修改密码"):
        logs.load_day(unit_db, pending, day)
    pending_admin = accounts.login(unit_db, "boss", "boss1234")
    with pytest.raises(PermissionDenied, match="须先修改密码"):
        settings_change.set_value(unit_db, pending_admin, "review.levels", "1")
    with pytest.raises(PermissionDenied, match="须先修改密码"):
        accounts.add_user(unit_db, pending_admin, NewUser("x1", "某", "abc12345"))
    changed = accounts.change_password(unit_db, pending, "zs123456", "mine2026x")
    assert logs.add_entry(unit_db, changed, day,
                          EntryDraft(hours=2, category="业务工作", content="x")).entries


# ---------------------------------------------------------------- one cost for every hash
def test_every_hash_uses_rfc9106_second_option(db, admin, tmp_path, real_password_cost):
    import_roster(db, admin, roster_file(tmp_path, [person(1)], []))
    (slip,) = issue(db, admin)
    accounts.add_user(db, admin, NewUser("zhangsan", "张三", "zs123456"))
    for login in ("user1", "zhangsan"):
        assert stored_hash(db, login).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.login(db, "user1", slip.password).must_change_password


def test_weaker_hash_is_rehashed_at_login(unit_db, admin, real_password_cost):
    from argon2 import PasswordHasher
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    with unit_db.session() as s:
        pid = s.scalar(select(Person.id).where(Person.login == "zhangsan"))
        cred = s.scalar(select(Credential).where(Credential.person_id == pid))
        cred.password_hash = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash("zs123456")
    accounts.login(unit_db, "zhangsan", "zs123456")
    assert stored_hash(unit_db, "zhangsan").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def _median_failure_seconds(db, login: str, runs: int) -> float:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        fail(db, login, now=T + dt.timedelta(hours=i))     # an hour apart: never locked
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_unknown_login_costs_as_much_as_a_wrong_password(unit_db, admin, real_password_cost):
    # verifying costs what the stored hash says: the account is made with the real parameters
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    fail(unit_db, "nobody")                     # warm-up: the dummy hash is made once
    known = _median_failure_seconds(unit_db, "zhangsan", 3)
    unknown = _median_failure_seconds(unit_db, "nobody", 3)
    print(f"wrong password {known * 1000:.0f} ms, unknown login {unknown * 1000:.0f} ms")
    assert 0.5 < unknown / known < 2


# ---------------------------------------------------------------- lockout
def test_lock_grows_and_never_exceeds_an_hour(unit_db):
    now = T
    expected = [1, 2, 4, 8, 16, 32, 60, 60]
    for minutes in expected:
        for left in (4, 3, 2, 1):
            assert fail(unit_db, "admin", now=now) == f"用户名或密码错误（还可尝试{left}次）"
        assert f"账号已锁定{minutes}分钟" in fail(unit_db, "admin", now=now)
        locked = fail(unit_db, "admin", PW, now=now + dt.timedelta(minutes=minutes) - dt.timedelta(seconds=1))
        assert "请1分钟后再试" in locked               # even the right password waits
        now += dt.timedelta(minutes=minutes)
    assert accounts.login(unit_db, "admin", PW, now=now).login == "admin"
    assert fail(unit_db, "admin", now=now) == "用户名或密码错误（还可尝试4次）"


def test_lock_message_names_its_length(unit_db):
    for _ in range(4):
        fail(unit_db, "admin")
    assert fail(unit_db, "admin") == "密码连续错误5次，账号已锁定1分钟（也可请单位管理员解除锁定）"
    assert fail(unit_db, "admin", PW, now=T + dt.timedelta(seconds=30)) == (
        "密码连续错误5次，账号已锁定，请1分钟后再试（也可请单位管理员解除锁定）")


def test_attempts_while_locked_do_not_extend_the_lock(unit_db):
    for _ in range(5):
        fail(unit_db, "admin")
    for seconds in range(0, 60, 5):
        fail(unit_db, "admin", now=T + dt.timedelta(seconds=seconds))
    assert accounts.login(unit_db, "admin", PW, now=T + dt.timedelta(minutes=1)).login == "admin"


def test_failures_for_one_account_leave_the_others_alone(unit_db, admin):
    accounts.add_user(unit_db, admin, NewUser("boss", "王局", "boss1234", role="主要领导",
                                              must_change=False))
    for _ in range(40):                       # someone hammering every other account
        for login in ("admin", "nobody"):
            try:
                accounts.login(unit_db, login, "wrong123", now=T)
            except LoginFailed:
                pass
    assert accounts.login(unit_db, "boss", "boss1234", now=T).login == "boss"


def test_admin_unlocks_and_the_lock_survives_a_restart(unit_db, admin):
    from app.services.org import lockout
    from app.services.org.setup import open_database
    accounts.add_user(unit_db, admin, NewUser("boss", "王局", "boss1234", role="主要领导",
                                              must_change=False))
    now = dt.datetime.now()
    for _ in range(10):
        try:
            accounts.login(unit_db, "boss", "wrong123", now=now)
        except LoginFailed:
            pass
    path = unit_db.path
    unit_db.dispose()
    db = open_database(path)
    try:
        assert "已锁定" in fail(db, "boss", "boss1234", now=now)
        assert lockout.lock_states(db, now)["boss"].locked_until is not None
        assert lockout.unlock(db, admin, "boss")
        assert accounts.login(db, "boss", "boss1234", now=now).login == "boss"
        with db.read() as s:
            assert s.scalar(select(AuditLog.actor).where(AuditLog.action == "unlock")) == "admin"
    finally:
        db.dispose()


def test_only_an_admin_unlocks(unit_db, admin):
    from app.services.org import lockout
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    staff = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(PermissionDenied):
        lockout.unlock(unit_db, staff, "admin")


# ---------------------------------------------------------------- leader roles by import
def _role(db, login):
    with db.read() as s:
        return s.scalar(select(Person.role).where(Person.login == login))


def test_import_making_the_admin_a_leader_needs_confirmation(db, admin, tmp_path):
    from app.services.excel.roster import RoleChangesNeedConfirmation
    path = roster_file(tmp_path, [person(9, 登录名="admin", 姓名="管理员", 科室=None,
                                         角色="主要领导")], [])
    with pytest.raises(RoleChangesNeedConfirmation) as err:
        import_roster(db, admin, path)
    assert [c.text() for c in err.value.changes] == ["管理员（admin，管理员）：科室人员 → 主要领导"]
    assert "--confirm-roles" in str(err.value)
    assert _role(db, "admin") == "科室人员"
    import_roster(db, admin, path, confirm_roles=True)
    assert _role(db, "admin") == "主要领导"
    with db.read() as s:
        assert s.scalar(select(AuditLog.actor).where(AuditLog.action == "confirm-role")) == "admin"


def test_import_making_anyone_a_leader_needs_confirmation(db, admin, tmp_path):
    from app.services.excel.roster import RoleChangesNeedConfirmation
    import_roster(db, admin, roster_file(tmp_path, [person(1)], []))
    path = roster_file(tmp_path, [person(1, 科室=None, 角色="分管领导"), person(2)], [], "v2.xlsx")
    with pytest.raises(RoleChangesNeedConfirmation) as err:
        import_roster(db, admin, path)
    assert [c.text() for c in err.value.changes] == ["测试1（user1）：科室人员 → 分管领导"]
    with db.read() as s:                      # nothing imported, not even user2
        assert s.scalar(select(Person.id).where(Person.login == "user2")) is None
    import_roster(db, admin, path, confirm_roles=True)
    assert _role(db, "user1") == "分管领导"


def test_import_of_ordinary_roles_needs_no_confirmation(db, admin, tmp_path):
    import_roster(db, admin, roster_file(tmp_path, [person(1), person(2, 角色="科室负责人")], []))
    assert _role(db, "user2") == "科室负责人"


# ---------------------------------------------------------------- argon2id outside the write lock
def _write_lock_free(db) -> bool:
    """Whether another connection could start writing now (what a second PC's sync would do)."""
    import sqlite3
    probe = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def test_login_and_password_change_do_not_hold_the_write_lock_while_hashing(unit_db, admin, monkeypatch):
    from app.services.org import passwords
    from app.services.signing import keys
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    first = accounts.login(unit_db, "zhangsan", "zs123456")       # makes and seals the person's key
    seen = []

    def probed(module, name):
        real = getattr(module, name)

        def run(*args, **kwargs):
            seen.append((name, _write_lock_free(unit_db)))
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, run)
    probed(passwords, "verify")
    probed(accounts, "hash_password")
    probed(keys, "unseal")
    me = accounts.login(unit_db, "zhangsan", "zs123456")
    me = accounts.change_password(unit_db, me, "zs123456", "mine2026x")
    again = accounts.login(unit_db, "zhangsan", "mine2026x")
    assert first.signer.key_id == me.signer.key_id == again.signer.key_id      # one key, resealed
    assert {name for name, _ in seen} == {"verify", "hash_password", "unseal"}
    assert all(free for _, free in seen), seen


@pytest.mark.parametrize("meanwhile, works", [("zs123456", True), ("other2026", False)])
def test_a_login_racing_a_change_of_the_stored_hash(unit_db, admin, monkeypatch, meanwhile, works):
    """Between the check and the write another process stores a new hash: the same password
    rehashed (another login of the account at the same moment) lets this login in; a new
    password does not."""
    from app.services.org import passwords
    accounts.add_user(unit_db, admin, NewUser("zhangsan", "张三", "zs123456", must_change=False))
    real, raced = passwords.verify, []

    def verify(stored, password):
        ok = real(stored, password)
        if not raced:
            raced.append(True)
            with unit_db.session() as s:
                pid = s.scalar(select(Person.id).where(Person.login == "zhangsan"))
                cred = s.scalar(select(Credential).where(Credential.person_id == pid))
                cred.password_hash = accounts.hash_password(meanwhile)
        return ok
    monkeypatch.setattr(passwords, "verify", verify)
    if works:
        assert accounts.login(unit_db, "zhangsan", "zs123456").name == "张三"
    else:
        with pytest.raises(LoginFailed, match="密码刚被修改"):
            accounts.login(unit_db, "zhangsan", "zs123456")

"""Initial passwords: random, handed out on a printed 初始密码单, changed at the first login.

An account the admin creates (by hand, or by a roster import) waits without any password
(passwords.NO_PASSWORD_YET) until the admin issues one here; a reset issues one to an account in
use. Each issue draws new random passwords, stores only their hashes (must change at the first
login, the person's sealed signing key dropped) and returns them once, as slips for the
admin to print (app.reports.password_slips) and cut apart. Issuing again replaces the earlier
slips: a lost slip is simply issued again.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select

from app.core.errors import AppError
from app.db.engine import Database
from app.db.models import Credential, Person, Section, Unit
from app.services.org import accounts, lockout, passwords
from app.services.org.account_changes import DEACTIVATED, deactivated_logins
from app.services.org.actor import Actor

NEW, UNACTIVATED = "new", "unactivated"
SCOPE_LABELS = {NEW: "尚未发放初始密码的账号", UNACTIVATED: "尚未首次登录（未修改过初始密码）的账号"}


@dataclass(frozen=True)
class Slip:
    unit: str
    section: str
    name: str
    login: str
    password: str


@dataclass(frozen=True)
class _Target:
    person_id: str
    login: str
    name: str
    section: str


def issue(db: Database, actor: Actor, logins: list[str] | None = None,
          scope: str = NEW) -> list[Slip]:
    """New initial passwords for the named logins (a reset), or for every account in `scope`:
    NEW (no password issued yet) or UNACTIVATED (initial or reset password not changed yet)."""
    actor.require_admin()
    unit, targets = _targets(db, actor, logins, scope)
    if not targets:
        return []
    chosen = [passwords.new_initial_password() for _ in targets]
    hashes = _hash_all(chosen)      # before the write lock: 64 MiB × 3 passes each
    with db.session(actor) as s:
        for target, password_hash in zip(targets, hashes):
            accounts.store_credential(s, target.person_id, password_hash, must_change=True)
            lockout.clear(s, target.login)
    return [Slip(unit, t.section, t.name, t.login, pw) for t, pw in zip(targets, chosen)]


def create_account(db: Database, actor: Actor, user: accounts.NewUser) -> Slip:
    """Add a person with an account and issue their initial password (the slip to print)."""
    user.password, user.must_change = None, True
    accounts.add_user(db, actor, user)
    return issue(db, actor, [user.login.strip()])[0]


def waiting_count(db: Database, scope: str = NEW) -> int:
    with db.read() as s:
        return len(_in_scope(s, scope, exclude_person_id=""))


def account_states(db: Database) -> dict[str, str]:
    """Login → 未发放初始密码 / 待修改初始密码 / 已停用 for the accounts not in use (for the roster table)."""
    with db.read() as s:
        rows = s.execute(select(Person.login, Credential.password_hash, Credential.must_change,
                                Credential.deleted)
                         .outerjoin(Credential, Credential.person_id == Person.id)
                         .where(Person.deleted.is_(False))).all()
    states = {}
    for login, password_hash, must_change, deactivated in rows:
        if deactivated:
            states[login] = DEACTIVATED
        elif password_hash is None or password_hash == passwords.NO_PASSWORD_YET:
            states[login] = "未发放初始密码"
        elif must_change:
            states[login] = "待首次登录（须修改初始密码）"
    return states


def _targets(db: Database, actor: Actor, logins: list[str] | None,
             scope: str) -> tuple[str, list[_Target]]:
    with db.read() as s:
        unit = s.scalar(select(Unit.name).where(Unit.id == db.unit_id)) or ""
        query = (select(Person.id, Person.login, Person.name, Section.name)
                 .outerjoin(Section, Section.id == Person.section_id)
                 .where(Person.deleted.is_(False), Person.status != "离退")
                 .order_by(Section.sort_order, Person.login))
        if logins is None:
            wanted = _in_scope(s, scope, exclude_person_id=actor.person_id)
            rows = [r for r in s.execute(query) if r[0] in wanted]
        else:
            names = [name.strip() for name in logins]
            rows = list(s.execute(query.where(Person.login.in_(names))))
            missing = sorted(set(names) - {r[1] for r in rows})
            if missing:
                raise AppError("没有这些登录名的在职人员：" + "、".join(missing))
            if any(r[0] == actor.person_id for r in rows):
                raise AppError("本人的密码请用“修改密码”修改（须输入原密码）")
            stopped = [r[1] for r in rows if r[1] in deactivated_logins(s)]
            if stopped:
                raise AppError("这些账号已停用，请先启用再发放密码：" + "、".join(stopped))
    return unit, [_Target(r[0], r[1], r[2], r[3] or "") for r in rows]


def _in_scope(s, scope: str, exclude_person_id: str) -> set[str]:
    if scope not in SCOPE_LABELS:
        raise AppError(f"未知的范围“{scope}”")
    creds = dict(s.execute(select(Credential.person_id, Credential)).all())
    people = s.execute(select(Person.id, Person.is_admin).where(
        Person.deleted.is_(False), Person.status != "离退")).all()
    wanted = set()
    for person_id, is_admin in people:
        cred = creds.get(person_id)
        if cred is not None and cred.deleted:
            continue            # 停用: no slip until the admin 启用s it
        waiting = cred is None or cred.password_hash == passwords.NO_PASSWORD_YET
        # an admin account is reissued only by name: its first password is often self-chosen
        if waiting or (scope == UNACTIVATED and cred.must_change and not is_admin):
            wanted.add(person_id)
    wanted.discard(exclude_person_id)
    return wanted


def _hash_all(chosen: list[str]) -> list[str]:
    if len(chosen) < 2:
        return [passwords.hash_password(pw) for pw in chosen]
    workers = min(4, os.cpu_count() or 1)     # argon2-cffi releases the GIL; 64 MiB per thread
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(passwords.hash_password, chosen))

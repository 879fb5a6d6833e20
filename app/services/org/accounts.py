"""Accounts: login with a growing lock per account, forced change of initial and reset passwords,
random initial passwords handed out on a printed slip (app.services.org.initial_passwords)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, ValidationError
from app.core.validators import (clean_person_name, login_problem, parse_id_number,
                                 person_name_problem)
from app.db.engine import Database
from app.db.models import Credential, Person, Section
from app.core.signing import Signer
from app.services.org import lockout, passwords
from app.services.org.actor import Actor
from app.services.org.lockout import LoginFailed
from app.services.org.passwords import hash_password, password_problem
from app.services.signing import keys as person_keys
from app.db.models import Setting

__all__ = ["LoginFailed", "hash_password", "password_problem"]   # re-exported


def _actor(person: Person, cred: Credential | None, signer: Signer | None) -> Actor:
    return Actor(person_id=person.id, login=person.login, name=person.name, role=person.role,
                 section_id=person.section_id, is_admin=person.is_admin,
                 must_change_password=bool(cred and cred.must_change), signer=signer)


def _find_person(session, login: str) -> Person | None:
    return session.scalar(select(Person).where(Person.login == login.strip(),
                                               Person.deleted.is_(False)))


def login(db: Database, login_name: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Check a password (lockout rules in app.services.org.lockout). A real account and an
    unknown login cost the same: one argon2id verification either way. The argon2id work (the
    check, a rehash, opening the signing key) is done between a read and a short write, so a
    login never holds the database's write lock for it (another PC's sync, a colleague saving)."""
    now = now or dt.datetime.now()
    key = lockout.guard_key(login_name)
    with db.read() as s:
        lockout.refuse_if_locked(s, key, now)
        person = _find_person(s, login_name)
        cred = s.scalar(select(Credential).where(Credential.person_id == person.id)) if person else None
        usable = person is not None and cred is not None and person.status != "离退"
        stored = cred.password_hash if usable else None
        sealed = cred.sealed_key if usable else None
        person_id = person.id if usable else None
    ok = passwords.verify(stored, password)
    rehashed = hash_password(password) if ok and passwords.needs_rehash(stored) else None
    opened = person_keys.open_key(sealed, password) if ok else None
    with db.session() as s:
        if not ok:
            message = lockout.record_failure(s, key, now)
        else:
            cred = s.scalar(select(Credential).where(Credential.person_id == person_id))
            if cred is None:
                raise LoginFailed("此账号刚被删除，不能登录")
            if cred.password_hash != stored:
                # changed between read and write: often another login of the same account that
                # rehashed the same password (several CLI commands at once); a real change is
                # told apart by checking again, inside the lock only in this rare case
                if not passwords.verify(cred.password_hash, password):
                    raise LoginFailed("此账号的密码刚被修改，请用新密码重新登录")
                rehashed = None
            if cred.deleted:      # told only to whoever knows the password
                raise LoginFailed("此账号已停用，不能登录（如需恢复请联系管理员启用）")
            lockout.clear(s, key)
            if rehashed:
                cred.password_hash = rehashed
            signer = None if cred.must_change else person_keys.unlock(
                s, cred, password, opened if cred.sealed_key == sealed else person_keys.open_key(
                    cred.sealed_key, password))
            return _actor(s.get(Person, person_id), cred, signer)
    raise LoginFailed(message)


def change_password(db: Database, actor: Actor, old: str, new: str) -> Actor:
    """The person changes a password they know; the argon2id work is done outside the write
    transaction, as in login."""
    problem = password_problem(new)
    if problem:
        raise ValidationError(problem)
    if old == new:
        raise ValidationError("新密码不能与原密码相同")
    with db.read() as s:
        cred = s.scalar(select(Credential).where(Credential.person_id == actor.pending_person_id))
        stored, sealed = (cred.password_hash, cred.sealed_key) if cred else (None, None)
    if cred is None or not passwords.verify(stored, old):
        raise ValidationError("原密码不正确")
    fresh = hash_password(new)
    resealed, opened = person_keys.resealed(sealed, old, new)
    with db.session(actor) as s:
        cred = s.scalar(select(Credential).where(Credential.person_id == actor.pending_person_id))
        if cred is None or (cred.password_hash, cred.sealed_key) != (stored, sealed):
            raise ValidationError("密码刚被他人重设或已修改，请重新登录后再改")
        cred.password_hash, cred.sealed_key, cred.must_change = fresh, resealed, False
        person = s.get(Person, actor.pending_person_id)
        return _actor(person, cred, person_keys.unlock(s, cred, new, opened))


def set_password(db: Database, actor: Actor, login_name: str, password: str) -> None:
    """The admin sets someone's password (a reset): the person must change it at their next
    login, and their lock is lifted. An admin changes their own with change_password."""
    actor.require_admin()
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem)
    stored = hash_password(password)      # outside the write transaction, as in add_user
    with db.session(actor) as s:
        person = _find_person(s, login_name)
        if person is None:
            raise AppError(f"没有登录名为“{login_name.strip()}”的人员")
        if person.id == actor.person_id:
            raise AppError("本人的密码请用“修改密码”修改（须输入原密码）")
        refuse_if_deactivated(s, person)
        store_credential(s, person.id, stored)
        lockout.clear(s, person.login)


def refuse_if_deactivated(s, person: Person) -> None:
    """A password is not reissued to a 停用 account: 启用 it first (account_changes)."""
    if s.scalar(select(Credential.deleted).where(Credential.person_id == person.id)):
        raise AppError(f"{person.name}（{person.login}）的账号已停用：请先启用再重设密码")


def store_credential(s, person_id: str, password_hash: str, must_change: bool = True) -> None:
    """A password set by someone other than the person (initial or reset)."""
    cred = s.scalar(select(Credential).where(Credential.person_id == person_id))
    if cred is None:
        s.add(Credential(person_id=person_id, password_hash=password_hash, must_change=must_change))
    else:
        cred.password_hash, cred.must_change, cred.deleted = password_hash, must_change, False
        person_keys.forget(cred)     # set by someone else: a new key at the next login


@dataclass
class NewUser:
    login: str
    name: str
    password: str | None        # None: none yet; the admin issues one (initial_passwords)
    role: str = vocab.ROLE_STAFF
    section: str | None = None       # section name
    is_admin: bool = False
    id_number: str | None = None
    staffing_type: str | None = None
    post: str | None = None
    must_change: bool = True


def add_user(db: Database, actor: Actor, user: NewUser) -> str:
    actor.require_admin()
    problems = []
    name = clean_person_name(user.name)
    for problem in (login_problem(user.login.strip()), person_name_problem(name)):
        if problem:
            problems.append(problem)
    if user.role not in vocab.ROLES:
        problems.append(f"未知的角色“{user.role}”（可选：{'、'.join(vocab.ROLES)}）")
    if user.staffing_type and user.staffing_type not in vocab.STAFFING_TYPES:
        problems.append(f"未知的编制类型“{user.staffing_type}”（可选：{'、'.join(vocab.STAFFING_TYPES)}）")
    info = None
    if user.id_number:
        try:
            info = parse_id_number(user.id_number)
        except ValueError as exc:
            problems.append(str(exc))
    pw = password_problem(user.password) if user.password is not None else None
    if pw:
        problems.append(pw)
    # Hashed before the write transaction: argon2 takes most of a second (several on a busy PC)
    # and, inside it, held every other writer of the file back (concurrent add-user refused as
    # 文件被占用 after the busy timeout).
    stored = (passwords.NO_PASSWORD_YET if user.password is None or problems
              else hash_password(user.password))
    with db.session(actor) as s:
        taken = s.scalar(select(Person).where(Person.login == user.login.strip()))
        if taken is not None:
            problems.append(f"登录名“{user.login}”已存在" if not taken.deleted else
                            f"登录名“{user.login}”曾被已删除的人员使用，请换一个登录名")
        section_id = None
        if user.section:
            section_id = s.scalar(select(Section.id).where(Section.name == user.section,
                                                           Section.deleted.is_(False)))
            if section_id is None:
                problems.append(f"未知的科室“{user.section}”")
        if problems:
            raise ValidationError("；".join(problems), problems)
        person = Person(unit_id=db.unit_id, section_id=section_id, name=name,
                        login=user.login.strip(), role=user.role, is_admin=user.is_admin,
                        id_number=user.id_number.upper() if user.id_number else None,
                        gender=info.gender if info else None,
                        birth_date=info.birth_date.isoformat() if info else None,
                        staffing_type=user.staffing_type, post=user.post, status="在职")
        s.add(person)
        s.flush()
        store_credential(s, person.id, stored, user.must_change or user.password is None)
        return person.id


@dataclass(frozen=True)
class LoginChoice:
    login: str
    name: str
    role: str
    section: str
    is_admin: bool


def list_accounts(db: Database) -> list[LoginChoice]:
    """Accounts shown on a demo database's login screen."""
    with db.read() as s:
        rows = s.execute(
            select(Person.login, Person.name, Person.role, Section.name, Person.is_admin)
            .outerjoin(Section, Section.id == Person.section_id)
            .where(Person.deleted.is_(False)).order_by(Section.sort_order, Person.login)).all()
    return [LoginChoice(r[0], r[1], r[2], r[3] or "", bool(r[4])) for r in rows]


def demo_password(db: Database) -> str | None:
    """The shared password of a demo database's accounts (None for a real unit)."""
    import json

    with db.read() as s:
        value = s.scalar(select(Setting.value).where(Setting.key == "demo.password",
                                                     Setting.deleted.is_(False)))
    return json.loads(value) if value else None

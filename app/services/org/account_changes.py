"""The admin's changes to existing accounts: edit a person's details, 停用/启用 an account, and the
编办's two roles (编办管理员 / 编办分析员).

停用 withdraws the account's password row (Credential.deleted): the person, their logs, reviews and
signatures stay, nobody can log in as them, and 启用 gives the same password back. A password
cannot be reissued while the account is 停用 (启用 it first), so a slip never revives an account
by the back door. Two rules keep a database usable: nobody deactivates or demotes themselves, and
the last 在用 admin stays an admin. Every change goes through db.session(actor), which records it
in the audit trail; 停用/启用 also leave a record of their own, named so.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.validators import clean_person_name, person_name_problem
from app.db import audit
from app.db.engine import Database
from app.db.models import Credential, Person, Section
from app.services.org import lockout
from app.services.org.actor import Actor
from app.services.review import state as review_state

BUREAU_ADMIN, BUREAU_ANALYST = "编办管理员", "编办分析员"
BUREAU_ROLES = (BUREAU_ADMIN, BUREAU_ANALYST)
DEACTIVATED = "已停用"


def require_admin(db: Database, actor: Actor) -> None:
    """The admin of this database: the unit's 单位管理员, or the 编办's 编办管理员."""
    if not actor.is_admin:
        raise PermissionDenied("管理本办账号需要编办管理员权限" if db.edition == "bureau"
                               else "此操作需要单位管理员权限")


@dataclass
class PersonChange:
    """What the admin may change of a person (None in a field: leave it as it is)."""
    name: str | None = None
    section: str | None = None          # section name; "" for none
    role: str | None = None
    post: str | None = None             # 职务; "" clears it
    staffing_type: str | None = None    # "" clears it


def edit_person(db: Database, actor: Actor, login: str, change: PersonChange) -> bool:
    """Apply `change` to the person; False when nothing differed. Bad input changes nothing."""
    require_admin(db, actor)
    problems = []
    name = clean_person_name(change.name) if change.name is not None else None
    if name is not None and (problem := person_name_problem(name)):
        problems.append(problem)
    if change.role is not None and change.role not in vocab.ROLES:
        problems.append(f"未知的角色“{change.role}”（可选：{'、'.join(vocab.ROLES)}）")
    if change.staffing_type and change.staffing_type not in vocab.STAFFING_TYPES:
        problems.append(f"未知的编制类型“{change.staffing_type}”（可选：{'、'.join(vocab.STAFFING_TYPES)}）")
    if change.post is not None and len(change.post.strip()) > 30:
        problems.append("职务不能超过30个字")
    with db.session(actor) as s:
        person = _person(s, login)
        section_id = person.section_id
        if change.section is not None:
            section_id = None
            if change.section:
                section_id = s.scalar(select(Section.id).where(Section.name == change.section,
                                                               Section.deleted.is_(False)))
                if section_id is None:
                    problems.append(f"未知的科室“{change.section}”")
        if problems:
            raise ValidationError("；".join(problems), problems)
        wanted = {}           # only the fields asked for
        if name is not None:
            wanted["name"] = name
        if change.section is not None:
            wanted["section_id"] = section_id
        if change.role is not None:
            wanted["role"] = change.role
        if change.post is not None:
            wanted["post"] = change.post.strip() or None
        if change.staffing_type is not None:
            wanted["staffing_type"] = change.staffing_type or None
        changed = [column for column, value in wanted.items() if getattr(person, column) != value]
        for column in changed:
            setattr(person, column, wanted[column])
        chain_changed = bool({"section_id", "role"} & set(changed))
        if chain_changed and db.edition == "unit":
            s.flush()
            review_state.refresh_all_for(db, s)    # who reviews a waiting log may have changed
        return bool(changed)


def set_active(db: Database, actor: Actor, login: str, active: bool) -> bool:
    """停用 (active=False) or 启用 an account; False when it already was so."""
    require_admin(db, actor)
    with db.session(actor) as s:
        person = _person(s, login)
        cred = s.scalar(select(Credential).where(Credential.person_id == person.id))
        if cred is None:
            raise AppError(f"{person.name}（{person.login}）还没有账号")
        if cred.deleted == (not active):
            return False
        if not active:
            if person.id == actor.person_id:
                raise AppError("不能停用自己的账号")
            if person.is_admin and _other_active_admins(s, person.id) == 0:
                raise AppError(f"{person.name}是唯一在用的管理员，不能停用：请先让另一个账号成为管理员")
        before = audit.row_hash({"login": person.login, "active": not active})
        cred.deleted = not active
        lockout.clear(s, person.login)
        audit.append(s, actor.login, "activate" if active else "deactivate", "credential", cred.id,
                     before, audit.row_hash({"login": person.login, "active": active}))
        return True


def set_bureau_role(db: Database, actor: Actor, login: str, role: str,
                    name: str | None = None) -> bool:
    """编办: make an account 编办管理员 or 编办分析员 (and rename it, when `name` is given), in one
    transaction; False when nothing differed."""
    if db.edition != "bureau":
        raise AppError("编办管理员/编办分析员只用于编办版")
    require_admin(db, actor)
    problems = []
    if role not in BUREAU_ROLES:
        problems.append(f"未知的角色“{role}”（可选：{'、'.join(BUREAU_ROLES)}）")
    name = clean_person_name(name) if name is not None else None
    if name is not None and (problem := person_name_problem(name)):
        problems.append(problem)
    if problems:
        raise ValidationError("；".join(problems), problems)
    with db.session(actor) as s:
        person = _person(s, login)
        make_admin = role == BUREAU_ADMIN
        if person.is_admin and not make_admin:
            if person.id == actor.person_id:
                raise AppError("不能取消自己的编办管理员权限：请由另一位编办管理员操作")
            if _other_active_admins(s, person.id) == 0:
                raise AppError(f"{person.name}是唯一在用的编办管理员，不能改为编办分析员")
        changed = person.is_admin != make_admin or (name is not None and person.name != name)
        person.is_admin = make_admin
        if name is not None:
            person.name = name
        return changed


def deactivated_logins(s) -> set[str]:
    return set(s.scalars(select(Person.login).join(Credential, Credential.person_id == Person.id)
                         .where(Credential.deleted.is_(True), Person.deleted.is_(False))))


def _other_active_admins(s, person_id: str) -> int:
    return len(s.scalars(select(Person.id).join(Credential, Credential.person_id == Person.id)
                         .where(Person.is_admin.is_(True), Person.deleted.is_(False),
                                Person.status != "离退", Credential.deleted.is_(False),
                                Person.id != person_id)).all())


def _person(s, login: str) -> Person:
    person = s.scalar(select(Person).where(Person.login == login.strip(), Person.deleted.is_(False)))
    if person is None:
        raise AppError(f"没有登录名为“{login.strip()}”的人员")
    return person

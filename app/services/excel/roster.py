"""Import of the 人员名册 workbook: persons (人员名册) and their post duties (岗位职责).

All or nothing: every row is checked against the file and the database first; any problem
aborts the import before a write. Persons are matched by 登录名 and updated in place (is_admin
is never changed); new persons get an account without a password, for which the admin then
prints a 初始密码单 (app.services.org.initial_passwords: random passwords, changed at the first
login). For every 登录名 listed in 「岗位职责」 the person's post duties become exactly the listed
ones. Making someone a leader (分管领导/主要领导), or changing an admin account's role, takes a
second confirmation and is recorded in the audit trail: a leader's logs are approved on
submission and a leader reviews others', so an admin must not be able to grant that in passing.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError
from app.db import audit
from app.core.ids import new_id
from app.core.validators import login_problem, parse_id_number, person_name_problem
from app.db.engine import Database
from app.db.models import Credential, Duty, Person, PostDuty, Section
from app.services.org.actor import Actor
from app.services.org.passwords import NO_PASSWORD_YET
from app.services.excel.templates import POSTS, ROSTER
from app.services.excel.common import (CREATED, UNCHANGED, UPDATED, ImportResult, Problems, SheetRow, assign, cell_text, check_length, choice, code_text, name_key, parse_date, person_name, read_workbook, split_list, sync_link_rows)

K_PERSON, K_POST = "人员", "岗位职责"
SINCE = "状态起始日期"        # optional column (added with schema 0004): 借调 etc. since
LEADER_ROLES = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)

GENDER_ALIASES = {"男性": "男", "女性": "女", "M": "男", "F": "女"}
EDUCATION_ALIASES = {
    "博士": "研究生", "硕士": "研究生", "博士研究生": "研究生", "硕士研究生": "研究生",
    "研究生及以上": "研究生", "本科": "大学本科", "大本": "大学本科", "专科": "大学专科",
    "大专": "大学专科", "中专及以下": "高中及以下", "高中": "高中及以下", "初中": "高中及以下",
    "初中及以下": "高中及以下", "职高": "高中及以下", "技校": "高中及以下",
}
STAFFING_ALIASES = {t.removesuffix("编制"): t for t in vocab.STAFFING_TYPES if t != "编外"}
STAFFING_ALIASES.update({"编制外": "编外", "编外人员": "编外", "政法编制": "政法专项编制"})
ROLE_ALIASES = {"科员": vocab.ROLE_STAFF, "工作人员": vocab.ROLE_STAFF, "科长": vocab.ROLE_SECTION_HEAD,
                "负责人": vocab.ROLE_SECTION_HEAD}
STATUS_ALIASES = {"在岗": "在职", "离退休": "离退", "退休": "离退", "离休": "离退"}

@dataclass(frozen=True)
class RoleChange:
    """A role change the import makes only when confirmed (to a leader role, or of an admin)."""
    person_name: str
    login: str
    old_role: str | None          # None: a new account
    new_role: str
    is_admin: bool

    def text(self) -> str:
        who = f"{self.person_name}（{self.login}{'，管理员' if self.is_admin else ''}）"
        return f"{who}：{self.old_role or '新账号'} → {self.new_role}"


class RoleChangesNeedConfirmation(AppError):
    """Nothing was imported: these role changes need the admin's second confirmation."""

    def __init__(self, changes: list[RoleChange]):
        listed = "；".join(c.text() for c in changes)
        super().__init__(f"本次导入有{len(changes)}处角色变动需要再次确认（领导角色或管理员本人的角色）："
                         f"{listed}。未导入任何数据；核对无误后请再次导入并确认这些变动"
                         "（命令行加 --confirm-roles）")
        self.changes = changes


@dataclass
class _PersonRow:
    row: int
    login: str
    values: dict            # Person attributes from the file


@dataclass
class _Posts:
    rows: dict[str, list[int]] = field(default_factory=dict)                # login → row numbers
    duties: dict[str, dict[str, str]] = field(default_factory=dict)         # login → duty_id → note


@dataclass
class _State:
    persons: dict[str, Person]                  # by login, deleted ones included
    id_owner: dict[str, Person]                 # 身份证号 → active person
    sections: dict[str, str]                    # name key → section id
    duties: dict[str, str]                      # code → duty id


def import_roster(db: Database, actor: Actor, path: Path, confirm_roles: bool = False
                  ) -> ImportResult:
    """Import a 人员名册 workbook (see excel_templates.ROSTER/POSTS). Role changes to a leader
    role or of an admin account raise RoleChangesNeedConfirmation unless `confirm_roles`."""
    actor.require_admin()
    started = time.perf_counter()
    data = read_workbook(path, (ROSTER, POSTS))
    result = ImportResult("人员名册", ((K_PERSON, "人"), (K_POST, "项")),
                          ignored_examples=data.ignored_examples)
    problems = Problems((ROSTER, POSTS))
    with db.session(actor) as s:
        state = _load(s, db)
        people = _check_people(data.sheets[ROSTER.title], problems, state)
        typed_logins = {code_text(r.get("登录名")) for r in data.sheets[ROSTER.title]}
        posts = _check_posts(data.sheets[POSTS.title], problems, state, typed_logins - {""})
        problems.raise_if_any()
        changes = role_changes(state, people)
        if changes and not confirm_roles:
            raise RoleChangesNeedConfirmation(changes)
        if people or posts.rows:
            _write(s, db, state, people, posts, result)
            _audit_role_changes(s, actor, changes)
    result.seconds = time.perf_counter() - started
    return result


def _load(s, db: Database) -> _State:
    persons = {p.login: p for p in s.scalars(select(Person))}
    id_owner = {p.id_number: p for p in persons.values() if p.id_number and not p.deleted}
    sections = {}
    active_sections = (select(Section.id, Section.name)
                       .where(Section.deleted.is_(False), Section.unit_id == db.unit_id)
                       .order_by(Section.sort_order))
    for sid, name in s.execute(active_sections):
        sections.setdefault(name_key(name), sid)
    duties = dict(s.execute(select(Duty.code, Duty.id).where(
        Duty.deleted.is_(False), Duty.unit_id == db.unit_id)).all())
    return _State(persons, id_owner, sections, duties)


# ---------------------------------------------------------------- checks
def _choice_cell(problems, r: SheetRow, column: str, choices, aliases, required: bool):
    """The drop-down value of a cell, or None (a problem is recorded when it is invalid)."""
    raw = cell_text(r.get(column))
    if not raw:
        if required:
            problems.add(ROSTER.title, r.number, column, "必填项未填写")
        return None
    value = choice(raw, choices, aliases)
    if value is None:
        problems.add(ROSTER.title, r.number, column,
                     f"无效的{column}“{raw}”（可选：{'、'.join(choices)}）")
    return value


def _check_people(rows: list[SheetRow], problems: Problems, state: _State) -> list[_PersonRow]:
    seen_login: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    file_logins = {code_text(r.get("登录名")) for r in rows}
    found = []
    for r in rows:
        person = _check_person(r, problems, state, seen_login, seen_id, file_logins)
        if person is not None:
            found.append(person)
    return found


def _check_person(r: SheetRow, problems: Problems, state: _State, seen_login: dict[str, int],
                  seen_id: dict[str, int], file_logins: set[str]) -> _PersonRow | None:
    """Checks one 人员名册 row; returns it as Person values when it has no problem."""
    sheet, n = ROSTER.title, len(problems)

    def add(column: str, reason: str) -> None:
        problems.add(sheet, r.number, column, reason)

    name = person_name(r.get("姓名"))
    if not name:
        add("姓名", "必填项未填写")
    elif problem := person_name_problem(name):
        add("姓名", problem)
    check_length(problems, sheet, r.number, "姓名", name, 30)
    post = cell_text(r.get("职务"))
    check_length(problems, sheet, r.number, "职务", post, 30)

    login = code_text(r.get("登录名"))
    if not login:
        add("登录名", "必填项未填写")
    elif login not in state.persons and (problem := login_problem(login)):
        add("登录名", problem)          # a new account; existing ones keep their login
    elif login in seen_login:
        add("登录名", f"登录名“{login}”与第{seen_login[login]}行重复")
    else:
        seen_login[login] = r.number

    id_number, info = _check_id_number(problems, r, seen_id, state, login, file_logins)
    gender = _choice_cell(problems, r, "性别", vocab.GENDERS, GENDER_ALIASES, False)
    if info and gender and gender != info.gender:
        add("性别", f"性别“{gender}”与身份证号不一致（身份证号显示为{info.gender}）")
    birth_raw = r.get("出生日期")
    if cell_text(birth_raw):
        birth = parse_date(birth_raw)
        if birth is None:
            add("出生日期", f"无法识别的日期“{cell_text(birth_raw)}”"
                "（可写作 1985-03-04、1985/3/4 或 19850304）")
        elif info and birth != info.birth_date:
            add("出生日期", f"出生日期{birth.isoformat()}与身份证号不一致"
                f"（身份证号显示为{info.birth_date.isoformat()}）")
    education = _choice_cell(problems, r, "学历", vocab.EDUCATIONS, EDUCATION_ALIASES, False)
    staffing = _choice_cell(problems, r, "编制类型", vocab.STAFFING_TYPES, STAFFING_ALIASES, True)
    role = _choice_cell(problems, r, "角色", vocab.ROLES, ROLE_ALIASES, True)
    status = _choice_cell(problems, r, "人员状态", vocab.PERSON_STATUSES, STATUS_ALIASES, False)
    since = _status_since(problems, r)

    section_name = " ".join(cell_text(r.get("科室")).split())
    section_id = None
    if section_name:
        section_id = state.sections.get(name_key(section_name))
        if section_id is None:
            add("科室", f"科室“{section_name}”在系统中不存在（请先导入三定职责或在科室管理中添加）")
    elif role and role not in LEADER_ROLES:
        add("科室", "必填项未填写（主要领导、分管领导以外的人员须填写科室）")
    if len(problems) > n:
        return None
    values = {
        "name": name, "id_number": id_number, "gender": info.gender,
        "birth_date": info.birth_date.isoformat(), "education": education,
        "section_id": section_id, "post": post or None, "staffing_type": staffing,
        "role": role, "status": status or vocab.PERSON_STATUSES[0]}
    if SINCE in r.cells:          # a file from an older template keeps the stored date
        values["status_since"] = since.isoformat() if since else None
    return _PersonRow(r.number, login, values)


def _status_since(problems: Problems, r: SheetRow) -> dt.date | None:
    raw = r.get(SINCE)
    if not cell_text(raw):
        return None
    day = parse_date(raw)
    if day is None:
        problems.add(ROSTER.title, r.number, SINCE, f"无法识别的日期“{cell_text(raw)}”"
                     "（可写作 2025-03-01、2025/3/1 或 20250301）")
    elif day > dt.date.today():
        problems.add(ROSTER.title, r.number, SINCE, f"状态起始日期{day.isoformat()}晚于今天")
    return day


def _check_id_number(problems: Problems, r: SheetRow, seen: dict[str, int], state: _State,
                     login: str, file_logins: set[str]):
    sheet, raw = ROSTER.title, r.get("身份证号")
    if isinstance(raw, float) and raw >= 1e15:
        problems.add(sheet, r.number, "身份证号", "身份证号被Excel存成了数字，末几位已丢失；"
                     "请把本列设为文本格式后重新填写")
        return None, None
    text = code_text(raw).replace(" ", "").upper()
    if not text:
        problems.add(sheet, r.number, "身份证号", "必填项未填写")
        return None, None
    try:
        info = parse_id_number(text)
    except ValueError as exc:
        problems.add(sheet, r.number, "身份证号", str(exc))
        return None, None
    if text in seen:
        problems.add(sheet, r.number, "身份证号", f"身份证号与第{seen[text]}行重复")
        return None, None
    seen[text] = r.number
    owner = state.id_owner.get(text)
    # Someone else already holds this number, unless that person is in this file too
    # (and so gets another number from it: a duplicate would be reported above).
    if owner is not None and owner.login != login and owner.login not in file_logins:
        problems.add(sheet, r.number, "身份证号",
                     f"该身份证号已被系统中的人员“{owner.name}”（登录名 {owner.login}）使用")
        return None, None
    return text, info


def _check_posts(rows: list[SheetRow], problems: Problems, state: _State,
                 file_logins: set[str]) -> _Posts:
    sheet, posts = POSTS.title, _Posts()
    seen_pair: dict[tuple[str, str], int] = {}
    known = file_logins | {lg for lg, p in state.persons.items() if not p.deleted}
    for r in rows:
        login = code_text(r.get("登录名"))
        note = cell_text(r.get("岗位职责说明"))
        codes = [code_text(c) for c in split_list(r.get("职责编号"))]
        ok = True
        if not login:
            problems.add(sheet, r.number, "登录名", "必填项未填写")
            ok = False
        elif login not in known:
            problems.add(sheet, r.number, "登录名",
                         f"登录名“{login}”在「人员名册」表和系统中都不存在")
            ok = False
        unknown = [c for c in codes if c not in state.duties]
        if unknown:
            listed = "、".join(f"“{c}”" for c in unknown)
            problems.add(sheet, r.number, "职责编号",
                         f"职责编号{listed}在系统中不存在（请先导入三定职责）")
            ok = False
        for code in codes:
            if (login, code) in seen_pair:
                problems.add(sheet, r.number, "职责编号",
                             f"职责编号“{code}”已在第{seen_pair[(login, code)]}行分配给此人")
                ok = False
            seen_pair[(login, code)] = r.number
        if ok:
            posts.rows.setdefault(login, []).append(r.number)
            duties = posts.duties.setdefault(login, {})
            for code in codes:
                duties[state.duties[code]] = note
    return posts


# ---------------------------------------------------------------- writing
def _write(s, db: Database, state: _State, people: list[_PersonRow], posts: _Posts,
           result: ImportResult) -> None:
    new_persons, need_password, person_id = [], [], {}
    for p in people:
        person = state.persons.get(p.login)
        if person is None:
            row = {"id": new_id(), "unit_id": db.unit_id, "login": p.login, "is_admin": False,
                   **p.values}
            new_persons.append(row)
            need_password.append(row["id"])
            person_id[p.login] = row["id"]
            result.add(K_PERSON, CREATED)
            continue
        revived = person.deleted
        changed = assign(person, **p.values, unit_id=db.unit_id, deleted=False)
        person_id[p.login] = person.id
        if revived:         # a removed person comes back waiting for a new initial password
            need_password.append(person.id)
        result.add(K_PERSON, CREATED if revived else UPDATED if changed else UNCHANGED)
    for login in posts.rows:
        if login not in person_id:
            person_id[login] = state.persons[login].id

    new_creds = []
    revived_ids = set(need_password) - {r["id"] for r in new_persons}
    creds = {c.person_id: c for c in s.scalars(select(Credential).where(
        Credential.person_id.in_(revived_ids)))} if revived_ids else {}
    for pid in need_password:
        cred = creds.get(pid)
        if cred is None:
            new_creds.append({"id": new_id(), "person_id": pid, "password_hash": NO_PASSWORD_YET,
                              "must_change": True})
        else:
            assign(cred, password_hash=NO_PASSWORD_YET, must_change=True, sealed_key=None,
                   deleted=False)
    new_posts = _sync_posts(s, posts, person_id, result)
    s.flush()                                   # ORM updates first, then new rows in FK order
    db.bulk_insert(s, Person, new_persons)
    db.bulk_insert(s, Credential, new_creds)
    db.bulk_insert(s, PostDuty, new_posts)
    if need_password:
        ids = set(need_password)
        result.new_accounts = sorted(lg for lg, pid in person_id.items() if pid in ids)
        result.notes.append(f"{len(need_password)}个新账号尚无密码：请打印初始密码单发给本人"
                            "（单位管理 → 人员名册 → 打印初始密码单，或命令行 initial-passwords），"
                            "首次登录须修改密码。")


def role_changes(state: _State, people: list[_PersonRow]) -> list[RoleChange]:
    """Changes that make someone a leader, or change an admin account's role."""
    changes = []
    for p in people:
        person = state.persons.get(p.login)
        old = person.role if person is not None and not person.deleted else None
        new = p.values["role"]
        is_admin = bool(person is not None and person.is_admin)
        if old != new and (new in LEADER_ROLES or is_admin):
            changes.append(RoleChange(p.values["name"], p.login, old, new, is_admin))
    return changes


def _audit_role_changes(s, actor: Actor, changes: list[RoleChange]) -> None:
    """One record per confirmed change, beside the row update the session records anyway."""
    if not changes:
        return
    s.flush()
    ids = dict(s.execute(select(Person.login, Person.id).where(
        Person.login.in_([c.login for c in changes]))).all())
    for c in changes:
        audit.append(s, actor.login, "confirm-role", "person", ids[c.login],
                     audit.row_hash({"login": c.login, "role": c.old_role}),
                     audit.row_hash({"login": c.login, "role": c.new_role, "by": actor.login}))


def _sync_posts(s, posts: _Posts, person_id: dict[str, str], result: ImportResult) -> list[dict]:
    """Make the PostDuty rows of every login listed in 岗位职责 exactly the listed ones."""
    wanted = {(person_id[login], duty_id): {"note": note}
              for login, duties in posts.duties.items() for duty_id, note in duties.items()}
    return sync_link_rows(s, PostDuty, "person_id", "duty_id",
                          [person_id[login] for login in posts.rows], wanted, result, K_POST)

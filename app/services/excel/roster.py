"""Import of the 人员名册 workbook: persons (人员名册) and their post duties (岗位职责).

All or nothing: every row is checked against the file and the database first; any problem
aborts the import before a write. Persons are matched by 登录名 and updated in place (is_admin
is never changed); new persons get an account whose initial password is "Lz" + the last 6
characters of the 身份证号 and must be changed at first login. For every 登录名 listed in
「岗位职责」 the person's post duties become exactly the listed ones.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from app.core import vocab
from app.core.ids import new_id
from app.core.validators import parse_id_number
from app.db.engine import Database
from app.db.models import Credential, Duty, Person, PostDuty, Section
from app.services.org.actor import Actor
from app.services.excel.templates import INITIAL_PASSWORD_RULE, POSTS, ROSTER
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

# The initial password is derived from the 身份证号, which is stored in plain text in the same
# database (person.id_number): whoever can read the credential table can compute it, so a costly
# hash protects nothing here. The first login forces a new password, hashed with the full
# parameters of accounts.hash_password (and login() rehashes any hash with weaker parameters).
# So initial passwords use a light argon2id (4 MiB, t=1), in threads: 1,000 new accounts take
# seconds instead of minutes (the full parameters cost 0.06–0.3 s per hash on office PCs).
_initial_hasher = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1)


def initial_password(id_number: str) -> str:
    return "Lz" + id_number[-6:]


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


def import_roster(db: Database, actor: Actor, path: Path) -> ImportResult:
    """Import a 人员名册 workbook (see excel_templates.ROSTER/POSTS)."""
    actor.require_admin()
    started = time.perf_counter()
    data = read_workbook(path, (ROSTER, POSTS))
    result = ImportResult("人员名册", ((K_PERSON, "人"), (K_POST, "项")),
                          ignored_examples=data.ignored_examples)
    problems = Problems((ROSTER, POSTS))
    with db.session() as s:
        state = _load(s, db)
        people = _check_people(data.sheets[ROSTER.title], problems, state)
        typed_logins = {code_text(r.get("登录名")) for r in data.sheets[ROSTER.title]}
        posts = _check_posts(data.sheets[POSTS.title], problems, state, typed_logins - {""})
        problems.raise_if_any()
        if people or posts.rows:
            _write(s, db, state, people, posts, result)
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
    check_length(problems, sheet, r.number, "姓名", name, 30)
    post = cell_text(r.get("职务"))
    check_length(problems, sheet, r.number, "职务", post, 30)

    login = code_text(r.get("登录名"))
    if not login:
        add("登录名", "必填项未填写")
    elif any(c.isspace() for c in login):
        add("登录名", "登录名不能包含空格")
    elif len(login) > 40:
        check_length(problems, sheet, r.number, "登录名", login, 40)
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
            need_password.append((row["id"], p.values["id_number"]))
            person_id[p.login] = row["id"]
            result.add(K_PERSON, CREATED)
            continue
        revived = person.deleted
        changed = assign(person, **p.values, unit_id=db.unit_id, deleted=False)
        person_id[p.login] = person.id
        if revived:         # a removed person comes back with a fresh initial password
            need_password.append((person.id, p.values["id_number"]))
        result.add(K_PERSON, CREATED if revived else UPDATED if changed else UNCHANGED)
    for login in posts.rows:
        if login not in person_id:
            person_id[login] = state.persons[login].id

    hashes = _hash_initial_passwords([pw for _, pw in need_password])
    new_creds = []
    revived_ids = {pid for pid, _ in need_password} - {r["id"] for r in new_persons}
    creds = {c.person_id: c for c in s.scalars(select(Credential).where(
        Credential.person_id.in_(revived_ids)))} if revived_ids else {}
    for (pid, _), pw_hash in zip(need_password, hashes):
        cred = creds.get(pid)
        if cred is None:
            new_creds.append({"id": new_id(), "person_id": pid, "password_hash": pw_hash,
                              "must_change": True})
        else:
            assign(cred, password_hash=pw_hash, must_change=True, deleted=False)
    new_posts = _sync_posts(s, posts, person_id, result)
    s.flush()                                   # ORM updates first, then new rows in FK order
    db.bulk_insert(s, Person, new_persons)
    db.bulk_insert(s, Credential, new_creds)
    db.bulk_insert(s, PostDuty, new_posts)
    if need_password:
        result.notes.append(f"新账号初始密码为 {INITIAL_PASSWORD_RULE}（末位X大写），首次登录须修改。")


def _hash_initial_passwords(id_numbers: list[str]) -> list[str]:
    passwords = [initial_password(n) for n in id_numbers]
    if len(passwords) < 4:
        return [_initial_hasher.hash(pw) for pw in passwords]
    workers = min(8, os.cpu_count() or 1)       # argon2-cffi releases the GIL while hashing
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(_initial_hasher.hash, passwords))


def _sync_posts(s, posts: _Posts, person_id: dict[str, str], result: ImportResult) -> list[dict]:
    """Make the PostDuty rows of every login listed in 岗位职责 exactly the listed ones."""
    wanted = {(person_id[login], duty_id): {"note": note}
              for login, duties in posts.duties.items() for duty_id, note in duties.items()}
    return sync_link_rows(s, PostDuty, "person_id", "duty_id",
                          [person_id[login] for login in posts.rows], wanted, result, K_POST)

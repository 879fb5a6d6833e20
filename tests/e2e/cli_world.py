"""A small unit for the command line's authentication tests, built through the services (fast):
one person per role, each with their own password, and one submitted log awaiting review.

    食品安全科: staff1 (科室人员), head1 (科室负责人)
    办公室:     admin (科室人员, the unit admin)
    no section: dep1 (分管领导, in charge of 食品安全科), boss (主要领导)

`cli(...)` runs the program's main(argv) in this process, as a script runs `python -m app`,
with LZKP_PASSWORD set to the given password (or unset).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core.logrules import EntryDraft
from app.db.models import Section
from app.services.logs import daily as logs
from app.services.org import accounts
from app.services.org import structure as org
from app.services.org.actor import SYSTEM
from app.services.org.calendar import work_calendar
from app.services.org.setup import UnitSetup, initialise_unit, open_database

CREDIT_CODE = "11371321MB28510360"
PEOPLE = {  # login: (name, role, section, is_admin)
    "staff1": ("刘玥", "科室人员", "食品安全科", False),
    "head1": ("张科长", "科室负责人", "食品安全科", False),
    "dep1": ("李副局长", "分管领导", None, False),
    "boss": ("王局长", "主要领导", None, False),
    "admin": ("赵管理", "科室人员", "办公室", True),
}
ROLES = tuple(PEOPLE)
PASSWORDS = {login: f"{login}-Pass9" for login in PEOPLE}


@dataclass(frozen=True)
class World:
    path: Path          # the database file, closed (copy it before writing to it)
    day: dt.date        # staff1's submitted log


def build_world(folder: Path) -> World:
    path = folder / "unit.sqlite"
    db = open_database(path, create=True)
    try:
        initialise_unit(db, UnitSetup("测试县市场监督管理局", CREDIT_CODE,
                                      staffing_quotas={"行政编制": 20}, leader_posts={"正职": 1, "副职": 3}))
        with db.session() as s:
            for n, name in enumerate(("食品安全科", "办公室")):
                s.add(Section(unit_id=db.unit_id, name=name, sort_order=n))
        for login, (name, role, section, is_admin) in PEOPLE.items():
            accounts.add_user(db, SYSTEM, accounts.NewUser(login, name, PASSWORDS[login], role=role,
                                                           section=section, is_admin=is_admin,
                                                           must_change=False))
        org.set_section_charges(db, SYSTEM, "dep1", ["食品安全科"])
        day = work_calendar(db).previous_working_day(dt.date.today())
        staff = accounts.login(db, "staff1", PASSWORDS["staff1"])
        logs.add_entry(db, staff, day, EntryDraft(hours=7.5, category="业务工作",
                                                  content="检查城区3家超市冷链食品进货查验记录，已责令整改"),
                       submit=True)
    finally:
        db.dispose()
    return World(path, day)


def copy_of(world: World, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(world.path, target)
    return target


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli(capsys, *argv, password: str | None = None) -> Result:
    """main(argv) in this process; LZKP_PASSWORD is `password` (unset when None)."""
    from app.cli import main
    saved = os.environ.pop("LZKP_PASSWORD", None)
    if password is not None:
        os.environ["LZKP_PASSWORD"] = password
    try:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
    finally:
        os.environ.pop("LZKP_PASSWORD", None)
        if saved is not None:
            os.environ["LZKP_PASSWORD"] = saved
    return Result(code, out, err)


def principal_of(path: Path) -> str:
    """The login of a unit's 主要领导: whole-unit statistics and reports are his to read."""
    from sqlalchemy import select

    from app.db.models import Person
    db = open_database(path)
    try:
        with db.read() as s:
            return s.scalar(select(Person.login).where(Person.role == "主要领导",
                                                       Person.deleted.is_(False)).limit(1))
    finally:
        db.dispose()


def add_admin(path: Path, login: str = "admin", password: str = "abc12345") -> None:
    """Give a database built by service-level fixtures (which make no accounts) the admin
    account a real one always has (init makes it), so admin commands can log in. Kept if there."""
    from sqlalchemy import select

    from app.db.models import Person
    db = open_database(path)
    try:
        with db.read() as s:
            if s.scalar(select(Person.id).where(Person.login == login)) is not None:
                return
        accounts.add_user(db, SYSTEM, accounts.NewUser(login, "管理员", password, is_admin=True,
                                                       must_change=False))
    finally:
        db.dispose()

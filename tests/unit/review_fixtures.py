"""A small unit with the full chain: principal, two deputies, two sections with heads and staff."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.logrules import EntryDraft
from app.db.models import Section
from app.services.org import accounts, structure as org
from app.services.logs import daily as logs
from app.services.org.actor import Actor

PASSWORD = "abc12345"
TODAY = dt.date(2026, 10, 16)      # Friday
DAY = dt.date(2026, 10, 14)        # Wednesday, a working day


@dataclass
class Unit:
    db: object
    admin: Actor
    people: dict[str, Actor]

    def __getitem__(self, login: str) -> Actor:
        return self.people[login]


def build_unit(db, admin) -> Unit:
    with db.session(admin) as s:
        s.add_all([Section(unit_id=db.unit_id, name="食品安全科", sort_order=1),
                   Section(unit_id=db.unit_id, name="办公室", sort_order=2)])
    roster = [("boss", "王局长", "主要领导", None), ("dep1", "李副局长", "分管领导", None),
              ("dep2", "赵副局长", "分管领导", None), ("head1", "张科长", "科室负责人", "食品安全科"),
              ("staff1", "刘玥", "科室人员", "食品安全科"), ("staff2", "陈堃", "科室人员", "食品安全科"),
              ("head2", "孙主任", "科室负责人", "办公室"), ("staff3", "周喆", "科室人员", "办公室")]
    for login, name, role, section in roster:
        accounts.add_user(db, admin, accounts.NewUser(login, name, PASSWORD, role=role,
                                                      section=section, must_change=False))
    org.set_section_charges(db, admin, "dep1", ["食品安全科"])
    org.set_section_charges(db, admin, "dep2", ["办公室"])
    return Unit(db, admin, {login: accounts.login(db, login, PASSWORD) for login, *_ in roster})


def write(unit: Unit, login: str, day=DAY, content="检查辖区内3家超市的食品经营情况并记录问题",
          hours=8.0, submit=True):
    return logs.save_day(unit.db, unit[login], day, "正常",
                         [EntryDraft(hours=hours, category="业务工作", content=content)],
                         submit=submit, today=TODAY)

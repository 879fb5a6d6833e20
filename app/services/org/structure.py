"""Read models of the unit's organisation for the admin pages, and work-category upkeep."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.core.errors import ValidationError
from app.db.engine import Database
from app.db.models import Duty, DutySection, Person, PostDuty, Section, WorkCategory
from app.services.org.actor import Actor
from app.core import task_types, vocab
from app.db.models import SectionCharge
from app.services.review import state as review_state


@dataclass(frozen=True)
class SectionRow:
    id: str
    name: str
    summary: str
    people: int
    duties: int


@dataclass(frozen=True)
class PersonRow:
    login: str
    name: str
    section: str
    role: str
    post: str
    staffing_type: str
    status: str
    post_duties: int
    is_admin: bool = False


@dataclass(frozen=True)
class DutyRow:
    code: str
    content: str
    duty_class: str
    sections: str
    people: int
    task_type: str = ""         # the 任务类型 it counts as
    task_type_set: bool = False  # chosen (else guessed from its text)


def sections(db: Database) -> list[SectionRow]:
    with db.read() as s:
        people = dict(s.execute(select(Person.section_id, func.count()).where(
            Person.deleted.is_(False)).group_by(Person.section_id)).all())
        duties = dict(s.execute(select(DutySection.section_id, func.count()).where(
            DutySection.deleted.is_(False)).group_by(DutySection.section_id)).all())
        rows = s.scalars(select(Section).where(Section.deleted.is_(False))
                         .order_by(Section.sort_order, Section.name))
        return [SectionRow(r.id, r.name, r.summary or "", people.get(r.id, 0), duties.get(r.id, 0))
                for r in rows]


def persons(db: Database) -> list[PersonRow]:
    with db.read() as s:
        counts = dict(s.execute(select(PostDuty.person_id, func.count()).where(
            PostDuty.deleted.is_(False)).group_by(PostDuty.person_id)).all())
        rows = s.execute(select(Person, Section.name).outerjoin(Section, Section.id == Person.section_id)
                         .where(Person.deleted.is_(False))
                         .order_by(Section.sort_order, Person.login)).all()
        return [PersonRow(p.login, p.name, sec or "", p.role, p.post or "", p.staffing_type or "",
                          p.status, counts.get(p.id, 0), bool(p.is_admin)) for p, sec in rows]


def duties(db: Database) -> list[DutyRow]:
    with db.read() as s:
        names = dict(s.execute(select(Section.id, Section.name)).all())
        links: dict[str, list[str]] = {}
        for duty_id, section_id in s.execute(select(DutySection.duty_id, DutySection.section_id)
                                             .where(DutySection.deleted.is_(False))):
            links.setdefault(duty_id, []).append(names.get(section_id, "?"))
        people = dict(s.execute(select(PostDuty.duty_id, func.count()).where(
            PostDuty.deleted.is_(False)).group_by(PostDuty.duty_id)).all())
        rows = s.scalars(select(Duty).where(Duty.deleted.is_(False)).order_by(Duty.sort_order, Duty.code))
        return [DutyRow(d.code, d.content, d.duty_class, "、".join(links.get(d.id, [])),
                        people.get(d.id, 0), task_types.effective(d.task_type, d.content, d.duty_class),
                        d.task_type in task_types.TASK_TYPES) for d in rows]


@dataclass(frozen=True)
class CategoryRow:
    name: str
    standard_hours: float
    builtin: bool
    active: bool


def categories(db: Database) -> list[CategoryRow]:
    with db.read() as s:
        rows = s.scalars(select(WorkCategory).where(WorkCategory.deleted.is_(False))
                         .order_by(WorkCategory.sort_order, WorkCategory.name))
        return [CategoryRow(c.name, c.standard_hours, c.builtin, c.active) for c in rows]


def add_category(db: Database, actor: Actor, name: str, standard_hours: float = 2.0) -> None:
    """A unit-defined work category (个性指标) beside the 9 common ones."""
    actor.require_admin()
    name = name.strip()
    if not name or len(name) > 20:
        raise ValidationError("类别名称应为1–20个字")
    if not 0 < standard_hours <= 24:
        raise ValidationError("标准工时应在0–24小时之间")
    with db.session() as s:
        row = s.scalar(select(WorkCategory).where(WorkCategory.name == name))
        if row is not None and not row.deleted and row.active:
            raise ValidationError(f"类别“{name}”已存在")
        if row is None:
            top = s.scalar(select(func.max(WorkCategory.sort_order))) or 0
            s.add(WorkCategory(name=name, standard_hours=standard_hours, builtin=False,
                               sort_order=top + 1))
        else:
            row.deleted, row.active, row.standard_hours = False, True, standard_hours


def set_category_active(db: Database, actor: Actor, name: str, active: bool) -> None:
    """Retire a unit-defined category (old entries keep it); the 9 common ones stay."""
    actor.require_admin()
    with db.session() as s:
        row = s.scalar(select(WorkCategory).where(WorkCategory.name == name))
        if row is None:
            raise ValidationError(f"没有类别“{name}”")
        if row.builtin and not active:
            raise ValidationError("9个通用类别不能停用")
        row.active = active


def section_charges(db: Database) -> dict[str, list[str]]:
    """分管: deputy login → names of the sections in their charge."""
    with db.read() as s:
        rows = s.execute(select(Person.login, Section.name)
                         .join(SectionCharge, SectionCharge.deputy_id == Person.id)
                         .join(Section, Section.id == SectionCharge.section_id)
                         .where(SectionCharge.deleted.is_(False), Person.deleted.is_(False))
                         .order_by(Person.login, Section.sort_order)).all()
    result: dict[str, list[str]] = {}
    for login, section in rows:
        result.setdefault(login, []).append(section)
    return result


def set_section_charges(db: Database, actor: Actor, deputy_login: str,
                        section_names: list[str]) -> None:
    """Make `deputy_login` in charge of exactly these sections (others are released)."""
    actor.require_admin()
    with db.session(actor) as s:
        deputy = s.scalar(select(Person).where(Person.login == deputy_login, Person.deleted.is_(False)))
        if deputy is None:
            raise ValidationError(f"没有登录名为“{deputy_login}”的人员")
        if deputy.role != vocab.ROLE_DEPUTY:
            raise ValidationError(f"{deputy.name}的角色是{deputy.role}，只有分管领导可以分管科室")
        ids = {}
        for name in section_names:
            section_id = s.scalar(select(Section.id).where(Section.name == name, Section.deleted.is_(False)))
            if section_id is None:
                raise ValidationError(f"未知的科室“{name}”")
            ids[section_id] = name
        current = {c.section_id: c for c in s.scalars(select(SectionCharge).where(
            SectionCharge.deputy_id == deputy.id))}
        for section_id, row in current.items():
            wanted = section_id in ids
            if row.deleted == wanted:
                row.deleted = not wanted
        for section_id in ids.keys() - current.keys():
            s.add(SectionCharge(deputy_id=deputy.id, section_id=section_id))
        s.flush()
        review_state.refresh_all_for(db, s)

"""The unit's reporting lines, read once per use case: who heads each section, which deputy
is in charge of it, who the principal is, and from that each author's review chain and each
actor's scope over a target person."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import permissions as perm
from app.core import vocab
from app.core.review import review_chain
from app.db.engine import Database
from app.db.models import Person, Section, SectionCharge

ACTIVE_STATUSES = ("在职", "借调")


@dataclass(frozen=True)
class PersonInfo:
    id: str
    login: str
    name: str
    role: str
    section_id: str | None
    status: str
    is_admin: bool


@dataclass
class OrgChart:
    persons: dict[str, PersonInfo]
    section_names: dict[str, str]
    heads: dict[str, str] = field(default_factory=dict)       # section → head person id
    deputies: dict[str, str] = field(default_factory=dict)    # section → deputy in charge
    charges: dict[str, set[str]] = field(default_factory=dict)  # deputy → sections
    principal_id: str | None = None

    def chain(self, author_id: str, levels: int) -> list[str]:
        p = self.persons[author_id]
        section = p.section_id
        return review_chain(author_id, p.role, levels, self.heads.get(section),
                            self.deputies.get(section), self.principal_id)

    def scope(self, actor_id: str, target_id: str) -> str:
        """Where the target lies relative to the actor (the narrowest scope that applies)."""
        if actor_id == target_id:
            return perm.SELF
        actor, target = self.persons.get(actor_id), self.persons.get(target_id)
        if actor and target and target.section_id:
            # A deputy listed in a section they are in charge of reviews it as its deputy.
            if target.section_id in self.charges.get(actor_id, set()):
                return perm.CHARGE
            if actor.section_id == target.section_id:
                return perm.SECTION
        return perm.UNIT

    def people_in_scope(self, actor_id: str, action: str) -> list[PersonInfo]:
        actor = self.persons[actor_id]
        return [p for p in self.persons.values()
                if perm.allowed(actor.role, actor.is_admin, action, self.scope(actor_id, p.id))]

    def section_name(self, person_id: str) -> str:
        p = self.persons.get(person_id)
        return self.section_names.get(p.section_id, "") if p and p.section_id else ""


def load(db: Database) -> OrgChart:
    with db.read() as s:
        return load_in(s)


def load_in(s) -> OrgChart:
    """The chart as seen by this session (including its own uncommitted writes)."""
    people = s.scalars(select(Person).where(Person.deleted.is_(False)).order_by(Person.login))
    persons = {p.id: PersonInfo(p.id, p.login, p.name, p.role, p.section_id, p.status,
                                p.is_admin) for p in people}
    names = dict(s.execute(select(Section.id, Section.name).where(Section.deleted.is_(False))).all())
    charge_rows = s.execute(select(SectionCharge.deputy_id, SectionCharge.section_id)
                            .where(SectionCharge.deleted.is_(False))).all()
    return build(persons, names, charge_rows)


def build(persons: dict[str, PersonInfo], names: dict[str, str],
          charge_rows: Iterable[tuple[str, str]]) -> OrgChart:
    """The reporting lines that follow from the roster (persons sorted by login) and the charges."""
    chart = OrgChart(persons, names)
    for p in persons.values():
        if p.status not in ACTIVE_STATUSES:
            continue
        if p.role == vocab.ROLE_SECTION_HEAD and p.section_id:
            chart.heads.setdefault(p.section_id, p.id)
        elif p.role == vocab.ROLE_PRINCIPAL and chart.principal_id is None:
            chart.principal_id = p.id
    # Several deputies in charge of one section: the first by login reviews it.
    for deputy_id, section_id in sorted(charge_rows, key=lambda r: persons[r[0]].login
                                        if r[0] in persons else ""):
        deputy = persons.get(deputy_id)
        # A charge row outlives a role change (e.g. a re-imported roster): only a current,
        # active 分管领导 is in charge, or the section's logs would wait for nobody.
        if deputy is None or deputy.status not in ACTIVE_STATUSES or deputy.role != vocab.ROLE_DEPUTY:
            continue
        chart.charges.setdefault(deputy_id, set()).add(section_id)
        chart.deputies.setdefault(section_id, deputy_id)
    return chart

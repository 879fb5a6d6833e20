"""Who may see which statistics: the log-reading rights of the permission matrix (perm.READ_LOG)
applied to the unit's reporting lines, shared by the figures (compute) and the drill-down (drill)."""
from __future__ import annotations

from app.core import permissions as perm
from app.core import vocab
from app.db.engine import Database
from app.services.org import chart as org_chart
from app.services.org.actor import Actor

ROSTER_STATUS = "在职"
DENIED = "无权查看该范围的统计（只能查看本人、本科室、分管科室；全单位统计限主要领导）"


def counted_statuses(approved_only: bool) -> tuple[str, ...] | None:
    return (vocab.LOG_APPROVED,) if approved_only else None


class Access:
    """Which persons and groups an actor may see (None actor: everything)."""

    def __init__(self, db: Database, actor: Actor | None):
        self.actor = actor if actor is not None and actor.person_id else None
        if self.actor is not None:
            self.chart = org_chart.load(db)

    def _allowed(self, scope: str) -> bool:
        return perm.allowed(self.actor.role, self.actor.is_admin, perm.READ_LOG, scope)

    def person(self, person_id: str) -> bool:
        return self.actor is None or self._allowed(self.chart.scope(self.actor.person_id, person_id))

    def section(self, section_id: str) -> bool:
        if self.actor is None:
            return True
        if section_id and section_id == self.actor.section_id:
            return self._allowed(perm.SECTION)
        if section_id in self.chart.charges.get(self.actor.person_id, set()):
            return self._allowed(perm.CHARGE)
        return self._allowed(perm.UNIT)

    def unit(self) -> bool:
        return self.actor is None or self._allowed(perm.UNIT)


def unit_report_kinds(db: Database, actor: Actor | None) -> list[str]:
    """The unit reports (app.reports.report_parts.KINDS) `actor` may print, in menu order: the
    unit-wide and core-duty reports need the whole unit's figures, a section report one section
    the actor may see (their own, or one in their charge); anyone may print their own."""
    access = Access(db, actor)
    if access.actor is None:
        return ["unit", "section", "core", "person"]
    whole = access.unit()
    sections = {access.actor.section_id} | access.chart.charges.get(access.actor.person_id, set())
    section = whole or any(s and access.section(s) for s in sections)
    return [kind for kind, shown in (("unit", whole), ("section", section), ("core", whole),
                                     ("person", True)) if shown]

"""Progress of each work item: the submitted work logged on it (entries, hours, last day), its
办结 and 审批 counts, and its light (app.core.items.light: the rule is written there and shown
in the page's tooltips). The same code reads a unit's own file and the 编办's mirror of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.core import vocab
from app.core.items import ItemFacts, MonthCount, light, without_work
from app.db.engine import Database
from app.db.exchange_models import bureau_origin
from app.db.models import LogEntry, Section, WorkItem, WorkItemCount, WorkItemDone, WorkLog
from app.services.items.links import item_duties


@dataclass
class ItemRow:
    id: str
    facts: ItemFacts
    section: str
    duties: list[str]                 # "编号 内容"
    note: str
    light: str
    reason: str
    idle: bool                        # no logged work / 零办理 (listed apart)

    @property
    def kind(self) -> str:
        return self.facts.kind


def logged_work(s) -> dict[str, tuple[int, float, str]]:
    """item id → (entries, hours, last day) over submitted logs (a draft is not yet evidence)."""
    rows = s.execute(
        select(LogEntry.item_id, func.count(), func.sum(LogEntry.hours), func.max(LogEntry.day))
        .join(WorkLog, WorkLog.id == LogEntry.log_id)
        .where(LogEntry.item_id.is_not(None), LogEntry.deleted.is_(False),
               WorkLog.deleted.is_(False), WorkLog.state == vocab.LOG_SUBMITTED,
               WorkLog.status != vocab.LOG_INVALID)
        .group_by(LogEntry.item_id)).all()
    return {item_id: (n, round(hours or 0.0, 2), last) for item_id, n, hours, last in rows}


def item_facts(db: Database) -> list[tuple[WorkItem, ItemFacts, list[str], str]]:
    """(row, facts, duty labels, section name) of every live item, in list order."""
    with db.read() as s:
        items = list(s.scalars(select(WorkItem).where(WorkItem.deleted.is_(False))
                               .order_by(WorkItem.sort_order, WorkItem.code)))
        work = logged_work(s)
        done = {d.item_id: d.done_on for d in s.scalars(
            select(WorkItemDone).where(WorkItemDone.deleted.is_(False)))}
        counts: dict[str, list[MonthCount]] = {}
        for c in s.scalars(select(WorkItemCount).where(WorkItemCount.deleted.is_(False))
                           .order_by(WorkItemCount.period)):
            counts.setdefault(c.item_id, []).append(
                MonthCount(c.period, c.accepted, c.finished, c.overdue))
        duties = item_duties(s, [i.id for i in items])
        sections = {x.id: x.name for x in s.scalars(select(Section))}
        origin = _bureau_origin(s, db)
    found = []
    for i in items:
        n, hours, last = work.get(i.id, (0, 0.0, None))
        facts = ItemFacts(i.kind, i.code, i.title, i.year, i.deadline, done.get(i.id), n, hours,
                          last, counts.get(i.id, []), issued=origin is not None and i.origin == origin)
        found.append((i, facts, [f"{d.code} {d.content}" for d in duties[i.id]],
                      sections.get(i.section_id or "", "")))
    return found


def _bureau_origin(s, db: Database) -> str | None:
    """Origin of the 编办's rows: its own in a mirror, its peer's in a unit."""
    return db.origin if db.edition == "mirror" else bureau_origin(s)


def item_rows(db: Database, today: dt.date | None = None, kind: str | None = None) -> list[ItemRow]:
    """Every item with its progress and light (everyone may read the list)."""
    today = today or dt.date.today()
    rows = []
    for item, facts, duties, section in item_facts(db):
        if kind and facts.kind != kind:
            continue
        colour, reason = light(facts, today)
        rows.append(ItemRow(item.id, facts, section, duties, item.note, colour, reason,
                            without_work(facts, today)))
    return rows


def facts_payload(db: Database) -> list[dict]:
    """What the 编办 caches of a unit's items (app.services.county.figures.staffing_payload)."""
    return [facts.to_json() for _, facts, _, _ in item_facts(db)]

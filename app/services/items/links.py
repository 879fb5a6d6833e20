"""Log entries linked to work items: the picker's choices and the check on save.

An entry linked to an item takes its duty from the item: the item's only duty, or — when the item
has several — the one among them the writer picked (the duty picker then lists only those).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.core.items import KINDS
from app.core.logrules import EntryDraft
from app.db.engine import Database
from app.db.models import Duty, PostDuty, WorkItem, WorkItemDone, WorkItemDuty
from app.services.org.actor import Actor


@dataclass(frozen=True)
class ItemChoice:
    id: str
    kind: str
    code: str
    title: str
    duty_ids: tuple[str, ...]
    duty_labels: tuple[str, ...]      # "编号 内容", in the order of duty_ids
    done: bool = False
    own: bool = False                 # tied to one of the writer's post duties

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


def item_duties(s, item_ids) -> dict[str, list[Duty]]:
    """The live duties of each item, in 三定 order."""
    ids = list(item_ids)
    found: dict[str, list[Duty]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = s.execute(select(WorkItemDuty.item_id, Duty)
                     .join(Duty, Duty.id == WorkItemDuty.duty_id)
                     .where(WorkItemDuty.item_id.in_(ids), WorkItemDuty.deleted.is_(False),
                            Duty.deleted.is_(False))
                     .order_by(Duty.sort_order, Duty.code)).all()
    for item_id, duty in rows:
        if all(d.id != duty.id for d in found[item_id]):
            found[item_id].append(duty)
    return found


def item_choices(db: Database, actor: Actor, with_done: bool = False) -> list[ItemChoice]:
    """Items the writer may link an entry to: the open ones (with_done: also those reported
    办结, which entries linked before still name), those tied to the writer's own post duties
    first."""
    with db.read() as s:
        items = list(s.scalars(select(WorkItem).where(WorkItem.deleted.is_(False))
                               .order_by(WorkItem.kind, WorkItem.sort_order, WorkItem.code)))
        done = set(s.scalars(select(WorkItemDone.item_id).where(WorkItemDone.deleted.is_(False))))
        duties = item_duties(s, [i.id for i in items])
        own = set(s.scalars(select(PostDuty.duty_id).where(PostDuty.person_id == actor.person_id,
                                                           PostDuty.deleted.is_(False))))
    rank = {k: n for n, k in enumerate(KINDS)}
    choices = [ItemChoice(i.id, i.kind, i.code, i.title, tuple(d.id for d in duties[i.id]),
                          tuple(f"{d.code} {d.content}" for d in duties[i.id]), i.id in done,
                          any(d.id in own for d in duties[i.id]))
               for i in items if with_done or i.id not in done]
    return sorted(choices, key=lambda c: (not c.own, rank.get(c.kind, 9)))


def entry_item_problems(db: Database, entries: list[EntryDraft]) -> list[str]:
    """Entries linked to an item that does not exist, or with a duty that is not the item's.
    An entry linked to an item with one duty and no duty of its own takes that duty (the
    command line names only the item)."""
    ids = {e.item_id for e in entries if e.item_id}
    if not ids:
        return []
    with db.read() as s:
        items = {i.id: i for i in s.scalars(select(WorkItem).where(WorkItem.id.in_(ids)))}
        duties = item_duties(s, ids)
    for e in entries:
        if e.item_id in duties and not e.duty_id and len(duties[e.item_id]) == 1:
            e.duty_id = duties[e.item_id][0].id
    problems = []
    for n, e in enumerate(entries, start=1):
        if not e.item_id:
            continue
        item = items.get(e.item_id)
        if item is None or item.deleted:
            problems.append(f"第{n}条：关联的工作事项已不存在，请重新选择")
            continue
        allowed = [d.id for d in duties[item.id]]
        if allowed and e.duty_id not in allowed:
            names = "、".join(d.code for d in duties[item.id])
            problems.append(f"第{n}条：工作事项“{item.code} {item.title}”关联的职责是{names}，"
                            "关联职责须从中选择")
    return problems


def apply_item(entry: EntryDraft, choice: ItemChoice | None) -> None:
    """Link `entry` to `choice` (None: unlink): its duty follows the item — kept when it is one of
    the item's duties, else the item's first."""
    if choice is None:
        entry.item_id = None
        return
    entry.item_id = choice.id
    if choice.duty_ids and entry.duty_id not in choice.duty_ids:
        entry.duty_id = choice.duty_ids[0]

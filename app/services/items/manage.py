"""The unit's list of work items: add, edit, delete, 办结, 审批 counts.

Everyone reads the list; the unit admin, the 主要领导 and the 分管领导 manage it. Items the 编办
issued (its rows) keep their type, number, name and deadline: the unit may tie them to more of
its duties, report them 办结 and report their counts (its own rows), but not change them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.items import APPROVAL, KINDS, SUPERVISED
from app.db.engine import Database
from app.db.models import Duty, Section, WorkItem, WorkItemCount, WorkItemDone, WorkItemDuty
from app.db.exchange_models import bureau_origin
from app.services.org.actor import Actor

MANAGERS = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")


def may_manage(actor: Actor) -> bool:
    return actor.is_admin or actor.role in MANAGERS


def require_manage(actor: Actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied("管理工作事项需要单位管理员、主要领导或分管领导权限")


@dataclass
class ItemInput:
    kind: str
    code: str
    title: str
    duty_codes: list[str] = field(default_factory=list)
    section: str = ""                 # 责任科室 name ("" none)
    deadline: str = ""                # ISO day ("" none)
    year: int | None = None
    note: str = ""


def check_values(data: ItemInput) -> list[tuple[str, str]]:
    """(field, reason) for every bad value of one item (no database needed)."""
    problems = []
    if data.kind not in KINDS:
        problems.append(("事项类型", f"“{data.kind}”不是可选的事项类型（可选：{'、'.join(KINDS)}）"
                         if data.kind else "请选择事项类型"))
    code = data.code.strip()
    if not code:
        problems.append(("事项编号", "请填写事项编号"))
    elif len(code) > 20:
        problems.append(("事项编号", f"事项编号最长20个字符（现有{len(code)}个）"))
    if not data.title.strip():
        problems.append(("事项名称", "请填写事项名称"))
    elif len(data.title.strip()) > 200:
        problems.append(("事项名称", "事项名称最长200个字"))
    if data.deadline:
        try:
            dt.date.fromisoformat(data.deadline)
        except ValueError:
            problems.append(("截止日期", f"“{data.deadline}”不是有效日期（格式如 2026-12-31）"))
    elif data.kind == SUPERVISED:
        problems.append(("截止日期", "督办事项须填写截止日期"))
    if data.year is not None and not 2000 <= data.year <= 2100:
        problems.append(("年度", f"年度“{data.year}”不正确（如 2026）"))
    return problems


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        lines = [f"{where}：{reason}" for where, reason in problems]
        raise ValidationError("工作事项未保存：\n" + "\n".join(lines), lines)


def lookups(s, unit_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """(duty code → id, section name → id) of the unit."""
    duties = {d.code: d.id for d in s.scalars(select(Duty).where(Duty.unit_id == unit_id,
                                                                 Duty.deleted.is_(False)))}
    sections = {x.name: x.id for x in s.scalars(select(Section).where(Section.unit_id == unit_id,
                                                                      Section.deleted.is_(False)))}
    return duties, sections


def resolve(data: ItemInput, duties: dict[str, str], sections: dict[str, str]) -> list[tuple[str, str]]:
    problems = []
    missing = [c for c in data.duty_codes if c not in duties]
    if missing:
        problems.append(("关联职责编号", f"没有编号为{'、'.join(missing)}的三定职责"))
    if data.section and data.section not in sections:
        problems.append(("责任科室", f"没有名为“{data.section}”的科室"))
    return problems


def write_item(s, unit_id: str, data: ItemInput, row: WorkItem | None, duty_ids: list[str],
               section_id: str | None, sort_order: int = 0, owned: bool = True) -> tuple[WorkItem, bool]:
    """Create or update one item and make its duty links (the writer's own link rows) exactly
    `duty_ids` — a row someone else owns stays. Returns (row, changed)."""
    values = dict(kind=data.kind, code=data.code.strip(), title=data.title.strip(),
                  year=data.year, deadline=data.deadline or None, section_id=section_id,
                  note=data.note.strip())
    changed = False
    if row is None:
        row = WorkItem(unit_id=unit_id, sort_order=sort_order, **values)
        s.add(row)
        s.flush()
        changed = True
    elif owned:
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if row.deleted:
            row.deleted, changed = False, True
    links = {l.duty_id: l for l in s.scalars(select(WorkItemDuty).where(WorkItemDuty.item_id == row.id))}
    mine = s.info["db"].origin
    for duty_id in duty_ids:
        link = links.get(duty_id)
        if link is None:
            s.add(WorkItemDuty(item_id=row.id, duty_id=duty_id))
            changed = True
        elif link.deleted and link.origin == mine:
            link.deleted, changed = False, True
    for duty_id, link in links.items():
        if duty_id not in duty_ids and not link.deleted and link.origin == mine:
            link.deleted, changed = True, True
    return row, changed


def _owned_by_bureau(s, row: WorkItem) -> bool:
    origin = bureau_origin(s)
    return origin is not None and row.origin == origin


def save_item(db: Database, actor: Actor, data: ItemInput, item_id: str | None = None) -> str:
    """Add (item_id None) or change an item; returns its id."""
    require_manage(actor)
    _raise(check_values(data))
    with db.session(actor) as s:
        duties, sections = lookups(s, db.unit_id)
        _raise(resolve(data, duties, sections))
        code = data.code.strip()
        clash = s.scalar(select(WorkItem).where(WorkItem.unit_id == db.unit_id, WorkItem.code == code,
                                                WorkItem.deleted.is_(False)))
        if clash is not None and clash.id != item_id:
            _raise([("事项编号", f"事项编号“{code}”已被“{clash.title}”使用")])
        row = None
        owned = True
        if item_id is not None:
            row = s.get(WorkItem, item_id)
            if row is None or row.deleted:
                raise AppError("该工作事项已不存在")
            if _owned_by_bureau(s, row):
                owned = False
                if (row.kind, row.code, row.title, row.deadline or "") != (
                        data.kind, code, data.title.strip(), data.deadline or ""):
                    raise AppError(f"“{row.title}”由编办下发，类型、编号、名称和截止日期不能在本单位修改"
                                   "（可以增减关联职责、报告办结）")
        order = s.scalar(select(WorkItem.sort_order).order_by(WorkItem.sort_order.desc()).limit(1)) or 0
        row, _ = write_item(s, db.unit_id, data, row, [duties[c] for c in data.duty_codes],
                            sections.get(data.section), order + 1, owned)
        return row.id


def delete_item(db: Database, actor: Actor, item_id: str) -> None:
    require_manage(actor)
    with db.session(actor) as s:
        row = s.get(WorkItem, item_id)
        if row is None or row.deleted:
            raise AppError("该工作事项已不存在")
        if _owned_by_bureau(s, row):
            raise AppError(f"“{row.title}”由编办下发，不能在本单位删除")
        row.deleted = True
        for link in s.scalars(select(WorkItemDuty).where(WorkItemDuty.item_id == item_id,
                                                         WorkItemDuty.deleted.is_(False))):
            link.deleted = True


def set_done(db: Database, actor: Actor, item_id: str, done_on: dt.date | None,
             note: str = "") -> None:
    """Report an item 办结 on `done_on`, or reopen it (None)."""
    require_manage(actor)
    with db.session(actor) as s:
        row = s.get(WorkItem, item_id)
        if row is None or row.deleted:
            raise AppError("该工作事项已不存在")
        current = s.scalar(select(WorkItemDone).where(WorkItemDone.item_id == item_id))
        if done_on is None:
            if current is not None and not current.deleted:
                current.deleted = True
            return
        if current is None:
            s.add(WorkItemDone(item_id=item_id, done_on=done_on.isoformat(), note=note))
        else:
            current.done_on, current.note, current.deleted = done_on.isoformat(), note, False


def set_count(db: Database, actor: Actor, item_id: str, period: str, accepted: int,
              finished: int, overdue: int) -> None:
    """审批服务事项: the month's 受理 / 办结 / 超时 件数 (replaces what that month had)."""
    require_manage(actor)
    problems = []
    if not _PERIOD.match(period or ""):
        problems.append(("月份", f"“{period}”不是有效月份（格式如 2026-10）"))
    for name, value in (("受理件数", accepted), ("办结件数", finished), ("超时件数", overdue)):
        if value is None or value < 0:
            problems.append((name, "应为0或正整数"))
    if not problems and overdue > finished + accepted:
        problems.append(("超时件数", "超时件数不能多于受理与办结件数之和"))
    _raise(problems)
    with db.session(actor) as s:
        row = s.get(WorkItem, item_id)
        if row is None or row.deleted:
            raise AppError("该工作事项已不存在")
        if row.kind != APPROVAL:
            raise AppError(f"“{row.title}”不是审批服务事项，没有办理件数")
        write_count(s, item_id, period, accepted, finished, overdue)


def write_count(s, item_id: str, period: str, accepted: int, finished: int, overdue: int) -> bool:
    row = s.scalar(select(WorkItemCount).where(WorkItemCount.item_id == item_id,
                                               WorkItemCount.period == period))
    if row is None:
        s.add(WorkItemCount(item_id=item_id, period=period, accepted=accepted, finished=finished,
                            overdue=overdue))
        return True
    if (row.accepted, row.finished, row.overdue, row.deleted) == (accepted, finished, overdue, False):
        return False
    row.accepted, row.finished, row.overdue, row.deleted = accepted, finished, overdue, False
    return True


def form_choices(db: Database) -> tuple[list[tuple[str, str]], list[str]]:
    """What the item form offers: the unit's live duties (code, "编号 内容") and section names."""
    with db.read() as s:
        duties = [(d.code, f"{d.code} {d.content}") for d in s.scalars(
            select(Duty).where(Duty.deleted.is_(False), Duty.active.is_(True))
            .order_by(Duty.sort_order, Duty.code))]
        sections = list(s.scalars(select(Section.name).where(Section.deleted.is_(False))
                                  .order_by(Section.sort_order, Section.name)))
    return duties, sections


def load_item(db: Database, item_id: str) -> tuple[ItemInput, bool]:
    """An item as the form edits it, and whether the 编办 issued it (then only its duties change)."""
    with db.read() as s:
        row = s.get(WorkItem, item_id)
        if row is None or row.deleted:
            raise AppError("该工作事项已不存在")
        codes = list(s.scalars(select(Duty.code).join(WorkItemDuty, WorkItemDuty.duty_id == Duty.id)
                               .where(WorkItemDuty.item_id == item_id, WorkItemDuty.deleted.is_(False),
                                      Duty.deleted.is_(False)).order_by(Duty.sort_order, Duty.code)))
        section = s.get(Section, row.section_id) if row.section_id else None
        issued = _owned_by_bureau(s, row)
        return (ItemInput(row.kind, row.code, row.title, list(dict.fromkeys(codes)),
                          section.name if section else "", row.deadline or "", row.year, row.note),
                issued)

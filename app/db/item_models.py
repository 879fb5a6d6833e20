"""Work items (工作事项) a unit's logs link to: 年度重点工作, 督办事项, 审批服务事项, 工作计划
(app.core.items). Either side may own a `work_item` (like `duty`): the 编办 issues 年度重点工作 to a
unit in its 下发包, the unit adds its own. Its links to duties travel with it and belong to
whoever wrote them. What only the unit reports — 办结 and the monthly 审批 counts — are the
unit's own rows, so it can report them on an item the 编办 issued (single writer per row).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Synced


class WorkItem(Synced, Base):
    __tablename__ = "work_item"
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(10))            # app.core.items.KINDS
    code: Mapped[str] = mapped_column(String(20))            # 事项编号, unique in the unit (service)
    title: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[str | None] = mapped_column(String(10))
    section_id: Mapped[str | None] = mapped_column(String(36))   # 责任科室
    note: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_work_item_unit", "unit_id", "kind"),)


class WorkItemDuty(Synced, Base):
    """An item tied to one of the unit's duties (an item may have several)."""
    __tablename__ = "work_item_duty"
    item_id: Mapped[str] = mapped_column(ForeignKey("work_item.id"))
    duty_id: Mapped[str] = mapped_column(ForeignKey("duty.id"))
    __table_args__ = (Index("ix_work_item_duty", "item_id", "duty_id"),)


class WorkItemDone(Synced, Base):
    """The unit reports an item 办结 (owned by the unit; `deleted` when it reopens it)."""
    __tablename__ = "work_item_done"
    item_id: Mapped[str] = mapped_column(ForeignKey("work_item.id"), index=True)
    done_on: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")


class WorkItemCount(Synced, Base):
    """审批服务事项: 受理 / 办结 / 超时 件数 of one month (owned by the unit)."""
    __tablename__ = "work_item_count"
    item_id: Mapped[str] = mapped_column(ForeignKey("work_item.id"))
    period: Mapped[str] = mapped_column(String(7))           # '2026-10'
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_work_item_count", "item_id", "period"),)

"""What the 编办 does with a round's results (编办用单, seeds 001/002/004): the 加分/扣分 it enters
for a unit (`score_adjustment`), the decisions it takes on a unit's staffing (`unit_decision`),
both bureau-owned rows in the unit's mirror that travel in the 下发包; and the grade cut-offs of
a round (`round_grading`, local to the 编办's own database: grades are ranked county-wide)."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Synced


class ScoreAdjustment(Synced, Base):
    """A 加分/扣分 item of a unit in a round: how many times it applied and the signed points it
    gives (within the item's cap), with the 编办's reason."""
    __tablename__ = "score_adjustment"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    unit_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(ForeignKey("indicator_item.id"))
    times: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)            # signed: +4 加分, -3 扣分
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(19))
    __table_args__ = (Index("ix_score_adjustment_round", "round_id", "unit_id"),)


class UnitDecision(Synced, Base):
    """A decision the 编办 took on a unit (编制核增/核减/冻结/用编计划优先/其他). `evidence` is a
    JSON list of {"kind", "label", "text"}: the figures it rested on, copied at decision time."""
    __tablename__ = "unit_decision"
    unit_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(10))
    posts: Mapped[int | None] = mapped_column(Integer)
    decided_on: Mapped[str] = mapped_column(String(10))
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    evidence: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(19))
    __table_args__ = (Index("ix_unit_decision_unit", "unit_id", "decided_on"),)


class RoundGrading(Base):
    """编办: a round's grade cut-offs (JSON [[等次, 下限], …] descending, the last grade below
    them) and the optional cap on the top grade's share of the units (percent)."""
    __tablename__ = "round_grading"
    round_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cutoffs: Mapped[str] = mapped_column(Text)
    top_share: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[str] = mapped_column(String(19))

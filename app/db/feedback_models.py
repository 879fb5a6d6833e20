"""The 编办's monthly 履职监测反馈 to a unit (app.services.county.feedback writes it in the unit's
mirror; the 下发包 carries it to the unit; merge.BUREAU_TABLES / UNIT_FORBIDDEN keep it the 编办's)."""
from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Synced


class MonthlyFeedback(Synced, Base):
    """One month's feedback to one unit. `content` is the JSON app.core.feedback builds (the
    unit's figures, the county's comparison, open problems and warnings) as computed when the
    编办 issued it; `remark` is the 编办's own word, editable until the next 下发包 and after."""
    __tablename__ = "monthly_feedback"
    unit_id: Mapped[str] = mapped_column(String(36))
    month: Mapped[str] = mapped_column(String(7))            # 2026-10
    content: Mapped[str] = mapped_column(Text, default="{}")
    remark: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[str] = mapped_column(String(19))       # when the figures were computed
    __table_args__ = (Index("ix_monthly_feedback_unit", "unit_id", "month"),)

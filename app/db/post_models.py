"""The 任职记录 table (app.db.post_history writes it)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Synced


class PostRecord(Synced, Base):
    __tablename__ = "post_record"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    since: Mapped[str] = mapped_column(String(19))
    role: Mapped[str] = mapped_column(String(10))
    section_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(4))
    charges: Mapped[str] = mapped_column(Text, default="")    # section ids, sorted, comma-joined
    __table_args__ = (Index("ix_post_record_person", "person_id", "since"),)

"""The declarative base and the columns every synced row has (app.db.models holds the tables)."""
from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# Column info marking values computed locally from synced rows (never exported, never outboxed).
DERIVED = {"derived": True}


class Synced:
    """Columns every synced row has. `app.db.models.synced_models()` lists the models using it."""
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(24), nullable=False)
    origin: Mapped[str] = mapped_column(String(36), nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

"""What the 编办 keeps beside a unit's rows (local tables: never exported, never merged): the
keys it revoked (`revoked_key`), its cache of each unit's figures (`county_figures`), and what
shows a unit moving its figures without work.

A unit can move its county figures without doing any work: by taking working days out of its
calendar or by classing its duties 核心. The 编办 counts every unit by the national calendar
unless it accepts the unit's days (`accepted_day`), and remembers the class each duty had when it
first reached the 编办 (`duty_baseline`), so a later change is named in the county table
(app.services.county.basis, app.services.exchange.figure_changes).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class DutyBaseline(Base):
    """The class a duty had when the 编办 first received it; None for a duty the unit added after
    the 编办 already held its duties (issued by the 编办 or received before)."""
    __tablename__ = "duty_baseline"
    duty_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    duty_class: Mapped[str | None] = mapped_column(String(4))
    noted_in: Mapped[int] = mapped_column(Integer)      # seq of the 上报包 it was noted at


class AcceptedDay(Base):
    """A day on which the 编办 accepted the unit's calendar over the national one: `working` is
    the unit's state of the day when accepted (a later change of that day is not accepted)."""
    __tablename__ = "accepted_day"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    accepted_at: Mapped[str] = mapped_column(String(19))
    accepted_by: Mapped[str] = mapped_column(String(40))


class RevokedKey(Base):
    """编办 mirror: a unit key the 编办 revoked; packages it signed are refused from then on."""
    __tablename__ = "revoked_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[str] = mapped_column(String(36))
    fingerprint: Mapped[str] = mapped_column(String(40))
    public_keys: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[str] = mapped_column(String(19))
    revoked_by: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_revoked_key_peer", "peer_id", "fingerprint"),)


class CountyFigures(Base):
    """编办: a unit's statistics for one period, computed from its mirror after each import so the
    county dashboard reads 50 small rows instead of scanning millions of entries. `marker` is the
    mirror's newest ledger id at computing time (stale when it differs)."""
    __tablename__ = "county_figures"
    unit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(24), primary_key=True)   # '2026-10', '2026-Q4', '2026', 'staffing'
    payload: Mapped[str] = mapped_column(Text)
    marker: Mapped[int] = mapped_column(Integer)
    computed_on: Mapped[str] = mapped_column(String(10))

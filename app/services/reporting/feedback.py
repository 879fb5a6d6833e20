"""The unit's side of the 编办's monthly 履职监测反馈: the rows the 下发包 brought
(app.services.county.feedback writes them at the 编办), read by the unit's leaders and
administrators, a notice when a new one arrived, and its one-page PDF."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core import feedback as FB
from app.core import vocab
from app.core.errors import AppError, PermissionDenied
from app.db.engine import Database
from app.db.feedback_models import MonthlyFeedback
from app.db.models import Peer
from app.reports.feedback_pdf import write_feedback_pdf
from app.services.org.actor import Actor

READERS = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)


@dataclass(frozen=True)
class UnitFeedback:
    month: str
    content: dict
    remark: str
    issued_at: str
    marker: str            # changes whenever the 编办 changes the row (its HLC)

    @property
    def label(self) -> str:
        return self.content.get("label") or self.month

    @property
    def sections(self) -> list[FB.Section]:
        return FB.sections(self.content, self.remark)

    @property
    def summary(self) -> str:
        return FB.summary(self.content)


def may_view(actor: Actor) -> bool:
    """主要领导, 分管领导 and the unit's administrators read the 编办's feedback."""
    return actor.is_admin or actor.role in READERS


def _require(actor: Actor) -> None:
    if not may_view(actor):
        raise PermissionDenied("编办的月度反馈仅主要领导、分管领导和管理员可以查看")


def feedback_list(db: Database, actor: Actor, limit: int | None = None) -> list[UnitFeedback]:
    """The unit's feedback, newest month first (the newest `limit` of them)."""
    _require(actor)
    with db.read() as s:
        rows = s.scalars(select(MonthlyFeedback).where(MonthlyFeedback.unit_id == db.unit_id,
                                                       MonthlyFeedback.deleted.is_(False))
                         .order_by(MonthlyFeedback.month.desc(), MonthlyFeedback.id).limit(limit)).all()
        return [UnitFeedback(r.month, FB.loads(r.content), r.remark, r.issued_at, r.hlc)
                for r in rows]


def new_arrival(db: Database, actor: Actor, seen: str) -> UnitFeedback | None:
    """The newest feedback when the reader has not seen it as it is now (`seen`: the marker
    of the one they saw last), else None; None for those who do not read feedback."""
    if not may_view(actor):
        return None
    found = feedback_list(db, actor, limit=1)       # at start-up: read the newest only
    if not found or found[0].marker == seen:
        return None
    return found[0]


def notice(item: UnitFeedback) -> str:
    return f"编办下发了{item.label}履职监测反馈（{item.summary.split('：', 1)[-1]}），请在“统计分析—监测反馈”查看"


def issuer_name(db: Database) -> str:
    with db.read() as s:
        name = s.scalar(select(Peer.name).where(Peer.kind == "bureau"))
    return name or "机构编制委员会办公室"


def write_pdf(db: Database, actor: Actor, month: str, path: Path) -> int:
    """The month's feedback as a PDF at `path`; returns its pages."""
    _require(actor)
    item = next((f for f in feedback_list(db, actor) if f.month == month), None)
    if item is None:
        raise AppError(f"没有{month}的月度反馈")
    issued = dt.date.fromisoformat(item.issued_at[:10]) if item.issued_at else dt.date.today()
    return write_feedback_pdf(Path(path), item.content, item.remark, issuer_name(db), issued)

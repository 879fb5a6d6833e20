"""`audit verify`: walk the hash-chained audit trail and report the first broken link."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db.audit import verify_chain
from app.db.engine import Database
from app.db.models import AuditLog


@dataclass(frozen=True)
class AuditReport:
    records: int
    checked: int
    problem: str | None

    def summary(self) -> str:
        if self.problem:
            return f"审计记录校验未通过：{self.problem}（共{self.records}条，在第{self.checked}条处发现）"
        return f"审计记录完整：共{self.records}条，哈希链校验通过"


def verify(db: Database) -> AuditReport:
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(AuditLog))
        rows = s.execute(select(AuditLog).order_by(AuditLog.seq)
                         .execution_options(yield_per=5000)).scalars()
        checked, problem = verify_chain(rows)
    return AuditReport(total, checked, problem)


def recent(db: Database, limit: int = 200) -> list[AuditLog]:
    with db.read() as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.seq.desc()).limit(limit)))

"""`audit verify`: walk the hash-chained audit trail and report the first broken link, then check
every submitted log's signatures (app.services.signing.verify) — a row edited in the file
behind the program's back leaves no audit record, but it leaves a signature that fails."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db.audit import verify_chain
from app.db.engine import Database
from app.db.models import AuditLog
from app.services.exchange import audit_head
from app.services.signing import verify as signatures


@dataclass(frozen=True)
class AuditReport:
    records: int
    checked: int
    problem: str | None
    logs_checked: int = 0
    invalid_logs: tuple[str, ...] = ()      # "张三 2026-11-03：提交签名无效"

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.invalid_logs

    def summary(self) -> str:
        if self.problem:
            chain = f"审计记录校验未通过：{self.problem}（共{self.records}条，在第{self.checked}条处发现）"
        else:
            chain = f"审计记录完整：共{self.records}条，哈希链校验通过"
        if self.invalid_logs:
            shown = "；".join(self.invalid_logs[:10])
            more = f"等共{len(self.invalid_logs)}篇" if len(self.invalid_logs) > 10 else ""
            return (f"{chain}\n签名校验未通过：{len(self.invalid_logs)}篇日志签名无效（数据库文件被直接改动），"
                    f"不计入统计：{shown}{more}")
        return f"{chain}\n签名校验通过：{self.logs_checked}篇已提交的日志均由本人和审阅人签名"


def verify(db: Database) -> AuditReport:
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(AuditLog))
        rows = s.execute(select(AuditLog).order_by(AuditLog.seq)
                         .execution_options(yield_per=5000)).scalars()
        checked, problem = verify_chain(rows)
        problem = problem or audit_head.confirmed_problem(s)
    logs = signatures.check_all(db)
    return AuditReport(total, checked, problem, logs.checked, tuple(f.text() for f in logs.findings))


def recent(db: Database, limit: int = 200) -> list[AuditLog]:
    with db.read() as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.seq.desc()).limit(limit)))

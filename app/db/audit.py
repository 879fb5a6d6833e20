"""Append-only audit trail of every write to synced rows, chained by SHA-256.

Each record names who (login), what (action, table, row), when, and the hashes of the row
before and after. Its own hash covers all of that plus the previous record's hash, so editing,
deleting or reordering records behind the program's back breaks the chain at that point
(`verify_chain`). Writers are serialised (BEGIN IMMEDIATE), so the chain has no forks.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.db.models import AuditLog

GENESIS = "0" * 64


def row_hash(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


def record_hash(prev_hash: str, at: str, actor: str, action: str, table: str, row_id: str,
                before: str | None, after: str | None) -> str:
    text = "|".join((prev_hash, at, actor, action, table, row_id, before or "", after or ""))
    return hashlib.sha256(text.encode()).hexdigest()


def _columns(obj) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs
            if not c.columns[0].info.get("derived")]


def states_of(obj, is_new: bool) -> tuple[str | None, str]:
    """(before hash, after hash) of an ORM object about to be flushed."""
    cols = _columns(obj)
    after = {c: getattr(obj, c) for c in cols}
    if is_new:
        return None, row_hash(after)
    state = inspect(obj)
    before = dict(after)
    for c in cols:
        history = state.attrs[c].history
        if history.deleted:
            before[c] = history.deleted[0]
    return row_hash(before), row_hash(after)


def append(session: Session, actor: str, action: str, table: str, row_id: str,
           before: str | None, after: str | None) -> None:
    prev = session.info.get("audit_prev")
    if prev is None:
        with session.no_autoflush:
            prev = session.scalar(select(AuditLog.hash).order_by(AuditLog.seq.desc()).limit(1))
        prev = prev or GENESIS
    at = dt.datetime.now().isoformat(timespec="microseconds")
    digest = record_hash(prev, at, actor, action, table, row_id, before, after)
    session.add(AuditLog(at=at, actor=actor, action=action, table_name=table, row_id=row_id,
                         before_hash=before, after_hash=after, prev_hash=prev, hash=digest))
    session.info["audit_prev"] = digest


def forget_chain_head(session: Session) -> None:
    """After commit or rollback the next transaction must read the chain head again."""
    session.info.pop("audit_prev", None)


def verify_chain(rows) -> tuple[int, str | None]:
    """Walk audit rows in seq order. Returns (records checked, first problem or None)."""
    prev, expected_seq, count = GENESIS, None, 0
    for r in rows:
        count += 1
        if expected_seq is not None and r.seq != expected_seq:
            return count, f"第{expected_seq}条记录缺失（下一条是第{r.seq}条）"
        if r.prev_hash != prev:
            return count, f"第{r.seq}条记录的前序哈希与上一条不符（记录被删除、插入或改动）"
        digest = record_hash(r.prev_hash, r.at, r.actor, r.action, r.table_name, r.row_id,
                             r.before_hash, r.after_hash)
        if digest != r.hash:
            return count, f"第{r.seq}条记录（{r.at[:19]} {r.actor} {r.action} {r.table_name}）内容被改动"
        prev, expected_seq = r.hash, r.seq + 1
    return count, None

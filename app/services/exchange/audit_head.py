"""The unit's audit trail travels to the 编办, so that it can no longer be cut short or re-chained
unseen (docs/ARCHITECTURE.md "Signatures").

Every 上报包 carries the unit's audit records after the last head the 编办 confirmed, as a file of
the (signed, encrypted) payload, and names its head (newest seq and hash). The 编办 walks the
records from the head it remembers: they must start no later than the record after it, hold it
with the hash it remembered, link record to record and end at the named head. It remembers the
new head and sends it back in each 下发包's acknowledgement; the unit keeps it, and `audit verify`
checks that the unit's own trail still holds that confirmed record.

A break is reported (import message, the mirror's `peer.audit_note`, an audit record at the
编办) and the package is still imported: its rows are checked on their own merits and
signatures; refusing it would stop a unit's reporting for good over a past edit.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from sqlalchemy import select

from app.db import audit
from app.db.models import AuditLog, Peer

_FIELDS = ("seq", "at", "actor", "action", "table_name", "row_id", "before_hash", "after_hash",
           "prev_hash", "hash")


def segment_file(s, after_seq: int, folder: Path) -> tuple[dict, tuple[str, Path]] | None:
    """The records after `after_seq` written to a file in `folder`: (manifest entry, (sha256,
    path)) for write_payload, or None when the trail is empty."""
    head = s.execute(select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).limit(1)).first()
    if head is None:
        return None
    # mkstemp's descriptor is the one written through: left open, it leaked one per package and
    # on Windows kept the spool folder from being deleted after the export
    fd, name = tempfile.mkstemp(prefix="audit-", suffix=".jsonl", dir=folder)
    path = Path(name)
    digest = hashlib.sha256()
    first = None
    with os.fdopen(fd, "wb") as out:
        rows = s.execute(select(*(getattr(AuditLog, f) for f in _FIELDS))
                         .where(AuditLog.seq > after_seq).order_by(AuditLog.seq)
                         .execution_options(yield_per=5000))
        for row in rows:
            first = row[0] if first is None else first
            line = (json.dumps(list(row), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            digest.update(line)
            out.write(line)
    sha = digest.hexdigest()
    entry = {"sha256": sha, "from": first or head[0] + 1, "head": [head[0], head[1]]}
    return entry, (sha, path)


def check(data: bytes, entry: dict, remembered: tuple[int, str | None]) -> tuple[tuple[int, str], str]:
    """(the new head, '' or what is wrong) for a received segment against the head remembered."""
    try:
        records = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
        head_seq, head_hash = entry["head"]
        start = int(entry["from"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return remembered, "审计记录无法读取"
    seen_seq, seen_hash = remembered
    new_head = (int(head_seq), str(head_hash))
    if seen_seq and head_seq < seen_seq:
        return new_head, f"审计记录被截断：上次上报到第{seen_seq}条，本次只到第{head_seq}条"
    if seen_seq and start > seen_seq + 1:
        return new_head, f"审计记录缺少第{seen_seq + 1}至{start - 1}条"
    # the first record after the remembered head must link to the hash remembered for it
    prev, expected = (seen_hash if seen_seq and start == seen_seq + 1 else None), start
    for r in records:
        if not isinstance(r, list) or len(r) != len(_FIELDS):
            return new_head, "审计记录格式不符"
        seq, at, actor, action, table, row_id, before, after, prev_hash, digest = r
        if seq != expected:
            return new_head, f"审计记录第{expected}条缺失"
        if prev is not None and prev_hash != prev:
            if seq == seen_seq + 1:
                return new_head, f"审计记录第{seen_seq}条与上次上报时不符（审计记录被改写）"
            return new_head, f"审计记录第{seq}条与前一条不相连（被删除、插入或改动）"
        if audit.record_hash(prev_hash, at, actor, action, table, row_id, before, after) != digest:
            return new_head, f"审计记录第{seq}条（{str(at)[:19]} {actor} {action}）内容被改动"
        if seq == seen_seq and digest != seen_hash:
            return new_head, f"审计记录第{seq}条与上次上报时不符（审计记录被改写）"
        prev, expected = digest, seq + 1
    if records and (records[-1][0], records[-1][-1]) != new_head:
        return new_head, "审计记录的末条与包中所述不符"
    return new_head, ""


def confirmed_problem(s) -> str | None:
    """The unit's side: does its trail still hold the record the 编办 last confirmed?"""
    peer = s.scalar(select(Peer).where(Peer.kind == "bureau"))
    if peer is None or not peer.audit_seq:
        return None
    found = s.scalar(select(AuditLog.hash).where(AuditLog.seq == peer.audit_seq))
    if found is None:
        return f"编办确认过的第{peer.audit_seq}条审计记录已不存在（审计记录被截断）"
    if found != peer.audit_hash:
        return f"第{peer.audit_seq}条审计记录与编办确认时不符（审计记录被改写）"
    return None

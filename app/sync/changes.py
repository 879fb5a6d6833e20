"""The export side: the current state of every row changed since the peer's last acknowledgement.

A package holds each changed row once, in its current state (not every intermediate version):
the receiver keeps the greater (hlc, origin) per row, so the newest state is all it needs, and a
later package always contains what an earlier unacknowledged one did.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Attachment, Base, Outbox
from app.sync.merge import SORTED, exported_columns
from app.sync.payload import ChangeWriter

CHUNK = 900
# Evaluation rows whose `evidence` JSON may name stored files that must travel with them.
EVIDENCE_TABLES = frozenset({"self_score", "rectification"})   # ids per IN (...) query: below SQLite's default variable limit on old builds


@dataclass
class Collected:
    writer: ChangeWriter
    base: int                  # outbox seq acknowledged by the peer
    upto: int                  # newest outbox seq included
    attachments: list[str]     # SHA-256 of the files the attachment rows name


def outbox_top(session: Session) -> int:
    return session.scalar(select(func.max(Outbox.seq))) or 0


def collect(session: Session, base: int, tables: set[str] | None = None,
            skip: frozenset[str] = frozenset()) -> Collected:
    """Rows of the outbox after `base`, grouped by table in dependency order."""
    upto = outbox_top(session)
    writer = ChangeWriter()
    conn = session.connection()
    ids_by_table: dict[str, list[str]] = {}
    for table, row_id in conn.execute(select(Outbox.table_name, Outbox.row_id)
                                      .where(Outbox.seq > base, Outbox.seq <= upto)
                                      .order_by(Outbox.seq)):
        if table in skip or (tables is not None and table not in tables):
            continue
        ids_by_table.setdefault(table, []).append(row_id)
    attachments: set[str] = set()
    for table in SORTED:
        ids = list(dict.fromkeys(ids_by_table.get(table, ())))
        if not ids:
            continue
        cols = exported_columns(table)
        t = Base.metadata.tables[table]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            rows = conn.execute(select(*[t.c[c] for c in cols]).where(t.c.id.in_(chunk))
                                .order_by(t.c.id)).all()
            writer.add(table, cols, [tuple(r) for r in rows])
            if table == Attachment.__tablename__:
                sha = cols.index("sha256")
                deleted = cols.index("deleted")
                attachments.update(r[sha] for r in rows if not r[deleted])
            elif table in EVIDENCE_TABLES:
                attachments.update(evidence_files(rows, cols.index("evidence")))
    return Collected(writer, base, upto, sorted(attachments))


def evidence_files(rows, column: int) -> set[str]:
    """SHA-256 of the files an evaluation row's evidence list names ({"kind": "file", "sha256": …})."""
    found = set()
    for row in rows:
        try:
            items = json.loads(row[column] or "[]")
        except ValueError:
            continue
        for item in items if isinstance(items, list) else ():
            sha = item.get("sha256") if isinstance(item, dict) else None
            if isinstance(sha, str) and len(sha) == 64:
                found.add(sha)
    return found


def attachment_files(files_dir: Path, shas: list[str]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(sha, path) of the files present in the store, and the SHA-256s missing from it."""
    present, missing = [], []
    for sha in shas:
        path = files_dir / sha[:2] / sha
        if path.exists():
            present.append((sha, path))
        else:
            missing.append(sha)
    return present, missing

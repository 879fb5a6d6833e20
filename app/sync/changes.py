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

# Evaluation rows whose `evidence` JSON may name stored files that must travel with them.
EVIDENCE_TABLES = frozenset({"self_score", "rectification"})


@dataclass
class Collected:
    writer: ChangeWriter
    base: int                  # outbox seq acknowledged by the peer
    upto: int                  # newest outbox seq included
    attachments: list[str]     # SHA-256 of the files the attachment rows name


def outbox_top(session: Session) -> int:
    return session.scalar(select(func.max(Outbox.seq))) or 0


def collect(session: Session, base: int, tables: set[str] | None = None,
            skip: frozenset[str] = frozenset(), origin: str | None = None) -> Collected:
    """Rows of the outbox after `base`, grouped by table in dependency order; with `origin`, only
    the rows whose current version that replica wrote (a PC's change file carries its own
    writes, not the rows it merged from the other PCs of its unit) — and every log it changed,
    changed a part of or reviewed travels whole, its entries, texts and attachment records
    whoever wrote them (app.services.exchange.pc_logs). One query per
    table with the outbox as a subquery: lists of 900 ids per IN (...) spent more time building
    the statements than SQLite took to read the rows."""
    upto = outbox_top(session)
    writer = ChangeWriter()
    conn = session.connection()
    window = (Outbox.seq > base, Outbox.seq <= upto)
    present = set(conn.execute(select(Outbox.table_name).where(*window).distinct()).scalars())
    attachments: set[str] = set()
    if origin is not None and present & LOG_TABLES:
        present |= {"work_log", *LOG_PARTS}
    for table in SORTED:
        if table not in present or table in skip or (tables is not None and table not in tables):
            continue
        cols = exported_columns(table)
        t = Base.metadata.tables[table]
        changed = select(Outbox.row_id).where(*window, Outbox.table_name == table)
        # Core, not the driver: Boolean columns must come back as bool for the receiver's checks
        query = select(*[t.c[c] for c in cols]).where(t.c.id.in_(changed))
        if origin is not None:
            query = select(*[t.c[c] for c in cols]).where(_with_logs(table, window, origin))
        rows = conn.execute(query.order_by(t.c.id)).all()
        if not rows:
            continue
        writer.add(table, cols, rows)
        if table == Attachment.__tablename__:
            sha = cols.index("sha256")
            deleted = cols.index("deleted")
            attachments.update(r[sha] for r in rows if not r[deleted])
        elif table in EVIDENCE_TABLES:
            attachments.update(evidence_files(rows, cols.index("evidence")))
    return Collected(writer, base, upto, sorted(attachments))


# The rows a log is made of, by the column naming their log (log_entry) or entry (text, files).
LOG_PARTS = {"log_entry": "log_id", "entry_text": "id", "attachment": "entry_id"}
LOG_TABLES = frozenset({"work_log", *LOG_PARTS, "review_action", "log_version"})


def _own_changed(window, origin: str, table: str):
    t = Base.metadata.tables[table]
    return select(t.c.id).where(t.c.id.in_(select(Outbox.row_id).where(*window, Outbox.table_name == table)),
                                t.c.origin == origin)


def _file_logs(window, origin: str):
    """The logs a PC's change file carries whole: those `origin` changed, or changed a part of,
    or reviewed (the receiver judges every such row against its log: app.services.exchange.pc_logs)."""
    tables = Base.metadata.tables
    entries, files = tables["log_entry"], tables["attachment"]
    changed_entries = _own_changed(window, origin, "log_entry").union(
        _own_changed(window, origin, "entry_text"),
        select(files.c.entry_id).where(files.c.id.in_(_own_changed(window, origin, "attachment"))))
    return _own_changed(window, origin, "work_log").union(
        select(entries.c.log_id).where(entries.c.id.in_(changed_entries)),
        *(select(tables[t].c.log_id).where(tables[t].c.id.in_(_own_changed(window, origin, t)))
          for t in ("review_action", "log_version")))


def _with_logs(table: str, window, origin: str):
    """The condition for `table`'s rows in `origin`'s change file."""
    t = Base.metadata.tables[table]
    own = t.c.id.in_(select(Outbox.row_id).where(*window, Outbox.table_name == table)) & (t.c.origin == origin)
    if table == "work_log":
        return t.c.id.in_(_file_logs(window, origin))
    if table == "log_entry":
        return own | t.c.log_id.in_(_file_logs(window, origin))
    if table in LOG_PARTS:
        entries = Base.metadata.tables["log_entry"]
        return own | t.c[LOG_PARTS[table]].in_(
            select(entries.c.id).where(entries.c.log_id.in_(_file_logs(window, origin))))
    return own


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

"""Logs as the database holds them — header, entries with text and attachments, review actions —
read for the checks that must not trust derived columns (app.services.exchange.recheck at the
编办's import, app.services.signing.verify at both ends)."""
from __future__ import annotations

from collections import defaultdict

from app.core.logchecks import StoredAction, StoredLog
from app.core.logrules import AttachmentRef, EntryDraft


class StoredLogs(dict):
    """StoredLog by id, with the live review actions on them."""
    actions: list[StoredAction]


def load(conn, log_ids) -> StoredLogs:
    """The live logs among `log_ids`, read through a temporary table of ids (one statement per
    table however many logs)."""
    rows = [(i,) for i in log_ids]
    if not rows:
        found = StoredLogs()
        found.actions = []
        return found
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS stored_log_ids (id TEXT PRIMARY KEY)")
    conn.exec_driver_sql("DELETE FROM stored_log_ids")
    conn.exec_driver_sql("INSERT OR IGNORE INTO stored_log_ids VALUES (?)", rows)
    try:
        return _read(conn)
    finally:
        conn.exec_driver_sql("DELETE FROM stored_log_ids")


def _rows(conn, sql: str) -> list[tuple]:
    """All rows at once: iterating a SQLAlchemy result fetches one row per call (~3 µs each)."""
    return conn.exec_driver_sql(sql).fetchall()


def _read(conn) -> StoredLogs:
    logs = StoredLogs((r[0], StoredLog(*r[:9], [], *r[9:])) for r in _rows(conn,
        "SELECT w.id, w.person_id, w.day, w.month, w.day_state, w.state, w.version, w.round, "
        "w.content_hash, w.submitted_at, w.signature_id, w.status FROM work_log w "
        "JOIN stored_log_ids r ON r.id = w.id WHERE w.deleted = 0"))
    files: dict[str, list[AttachmentRef]] = defaultdict(list)
    for entry_id, name, sha, size in _rows(conn,
            "SELECT a.entry_id, a.filename, a.sha256, a.size FROM attachment a "
            "JOIN log_entry e ON e.id = a.entry_id JOIN stored_log_ids r ON r.id = e.log_id "
            "WHERE a.deleted = 0"):
        files[entry_id].append(AttachmentRef(name, sha, size))
    for (entry_id, log_id, day, month, hours, start, end, category, duty_id, secret,
         content, item_id) in _rows(conn,
            "SELECT e.id, e.log_id, e.day, e.month, e.hours, e.start_time, e.end_time, e.category, "
            "e.duty_id, e.secret, t.content, e.item_id FROM log_entry e JOIN stored_log_ids r ON r.id = e.log_id "
            "LEFT JOIN entry_text t ON t.id = e.id AND t.deleted = 0 "
            "WHERE e.deleted = 0 ORDER BY e.log_id, e.seq"):
        log = logs.get(log_id)
        if log is not None:
            log.entries.append((EntryDraft(hours, category, content or "", duty_id, start, end,
                                           bool(secret), tuple(files.get(entry_id, ())),
                                           item_id=item_id),
                                day, month))
    logs.actions = [StoredAction(*row[:6], bool(row[6]), *row[7:]) for row in _rows(conn,
        "SELECT a.id, a.log_id, a.round, a.version, a.level, a.action, a.final, a.reviewer_id, "
        "a.on_behalf_of, a.comment, a.content_hash, a.created_at, a.signature_id "
        "FROM review_action a JOIN stored_log_ids r ON r.id = a.log_id "
        "WHERE a.deleted = 0 ORDER BY a.created_at, a.level, a.action, a.final") if row[1] in logs]
    return logs

"""Re-checking what a package wrote, inside the import's transaction and before it commits: every
log it touched and every review action on those logs must satisfy the rules a unit's own program
applies (app.core.logchecks), so a 上报包 read from a hand-edited database file cannot raise a
unit's figures at the 编办. The caller refuses the whole package when anything is found; the
message names the table, the row and the rule."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from app.core.logchecks import StoredAction, StoredLog, check_action, check_log
from app.core.logrules import AttachmentRef, EntryDraft
from app.db.engine import in_chunks
from app.db.models import LogEntry

SHOWN = 10          # problems named in the message; the rest are counted


def recheck_logs(s, log_ids: set[str], created_at: str) -> list[str]:
    """Problems of the live logs `log_ids` and their review actions, as `s` sees them now."""
    try:
        latest = dt.date.fromisoformat(created_at[:10]) + dt.timedelta(days=1)
    except (TypeError, ValueError):
        latest = dt.date.today() + dt.timedelta(days=1)
    conn = s.connection()
    people = {pid: (login, role) for pid, login, role in conn.exec_driver_sql(
        "SELECT id, login, role FROM person")}
    # the ids in a temporary table, joined: one statement per table, however many logs
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS recheck_log (id TEXT PRIMARY KEY)")
    conn.exec_driver_sql("DELETE FROM recheck_log")
    conn.exec_driver_sql("INSERT INTO recheck_log VALUES (?)", [(i,) for i in log_ids])
    logs = _logs(conn)
    conn.exec_driver_sql("DELETE FROM recheck_log")
    problems: list[str] = []
    for log in logs.values():
        who = f"{people.get(log.person_id, ('未知人员',))[0]} {log.day}"
        problems += [f"日志{log.id}（{who}）：{p}" for p in check_log(log, latest)]
    for action in logs.actions:
        log = logs[action.log_id]
        author = people.get(log.person_id, (None, None))[1]
        reviewer = people.get(action.reviewer_id, (None, None))[1]
        who = f"{people.get(log.person_id, ('未知人员',))[0]} {log.day}"
        problems += [f"审阅记录{action.id}（{who}的日志）：{p}"
                     for p in check_action(action, log, author, reviewer)]
    if len(problems) > SHOWN:
        problems = problems[:SHOWN] + [f"等共{len(problems)}处"]
    return problems


def logs_of_entries(s, entry_ids: set[str]) -> set[str]:
    """The logs the entries belong to (for rows of entry_text and attachment)."""
    found: set[str] = set()
    for chunk in in_chunks(sorted(entry_ids), 500):
        found.update(s.scalars(select(LogEntry.log_id).where(LogEntry.id.in_(chunk))))
    return found


class _Logs(dict):
    """StoredLog by id, with the review actions on them."""
    actions: list[StoredAction]


def _logs(conn) -> _Logs:
    logs = _Logs((r[0], StoredLog(*r, [])) for r in conn.exec_driver_sql(
        "SELECT w.id, w.person_id, w.day, w.month, w.day_state, w.state, w.version, w.round, "
        "w.content_hash FROM work_log w JOIN recheck_log r ON r.id = w.id WHERE w.deleted = 0"))
    files: dict[str, list[AttachmentRef]] = defaultdict(list)
    for entry_id, name, sha, size in conn.exec_driver_sql(
            "SELECT a.entry_id, a.filename, a.sha256, a.size FROM attachment a "
            "JOIN log_entry e ON e.id = a.entry_id JOIN recheck_log r ON r.id = e.log_id "
            "WHERE a.deleted = 0"):
        files[entry_id].append(AttachmentRef(name, sha, size))
    for (entry_id, log_id, day, month, hours, start, end, category, duty_id, secret,
         content) in conn.exec_driver_sql(
            "SELECT e.id, e.log_id, e.day, e.month, e.hours, e.start_time, e.end_time, e.category, "
            "e.duty_id, e.secret, t.content FROM log_entry e JOIN recheck_log r ON r.id = e.log_id "
            "LEFT JOIN entry_text t ON t.id = e.id AND t.deleted = 0 "
            "WHERE e.deleted = 0 ORDER BY e.log_id, e.seq"):
        log = logs.get(log_id)
        if log is not None:
            log.entries.append((EntryDraft(hours, category, content or "", duty_id, start, end,
                                           bool(secret), tuple(files.get(entry_id, ()))),
                                day, month))
    logs.actions = [StoredAction(*row[:6], bool(row[6]), *row[7:]) for row in conn.exec_driver_sql(
        "SELECT a.id, a.log_id, a.round, a.version, a.level, a.action, a.final, a.reviewer_id, "
        "a.on_behalf_of, a.comment FROM review_action a JOIN recheck_log r ON r.id = a.log_id "
        "WHERE a.deleted = 0") if row[1] in logs]
    return logs

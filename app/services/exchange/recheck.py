"""Re-checking what a package wrote, inside the import's transaction and before it commits: every
log it touched and every review action on those logs must satisfy the rules a unit's own program
applies (app.core.logchecks), so a 上报包 read from a hand-edited database file cannot raise a
unit's figures at the 编办. The caller refuses the whole package when anything is found; the
message names the table, the row and the rule."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core.logchecks import check_action, check_log
from app.db.engine import in_chunks
from app.db.models import LogEntry
from app.services.logs import stored
from app.services.org import chart_history

SHOWN = 10          # problems named in the message; the rest are counted


def recheck_logs(s, log_ids: set[str], created_at: str) -> list[str]:
    """Problems of the live logs `log_ids` and their review actions, as `s` sees them now."""
    try:
        latest = dt.date.fromisoformat(created_at[:10]) + dt.timedelta(days=1)
    except (TypeError, ValueError):
        latest = dt.date.today() + dt.timedelta(days=1)
    conn = s.connection()
    people, units = {}, {}
    for pid, login, role, unit in conn.exec_driver_sql("SELECT id, login, role, unit_id FROM person"):
        people[pid], units[pid] = (login, role), unit
    logs = stored.load(conn, log_ids)
    problems: list[str] = []
    for log in logs.values():
        who = f"{people.get(log.person_id, ('未知人员',))[0]} {log.day}"
        problems += [f"日志{log.id}（{who}）：{p}" for p in check_log(log, latest)]
    histories: dict[str | None, chart_history.ChartHistory] = {}
    for action in logs.actions:
        log = logs[action.log_id]
        author = people.get(log.person_id, (None, None))[1]
        reviewer = people.get(action.reviewer_id, (None, None))[1]
        who = f"{people.get(log.person_id, ('未知人员',))[0]} {log.day}"
        found = check_action(action, log, author, reviewer)
        if not found:
            unit = units.get(log.person_id)
            if unit not in histories:
                histories[unit] = chart_history.load(conn, unit)
            entitled = histories[unit].entitlement_problem(
                log.person_id, action.reviewer_id, action.on_behalf_of, action.level,
                action.created_at)
            found = [entitled] if entitled else []
        problems += [f"审阅记录{action.id}（{who}的日志）：{p}" for p in found]
    if len(problems) > SHOWN:
        problems = problems[:SHOWN] + [f"等共{len(problems)}处"]
    return problems


def logs_of_entries(s, entry_ids: set[str]) -> set[str]:
    """The logs the entries belong to (for rows of entry_text and attachment)."""
    found: set[str] = set()
    for chunk in in_chunks(sorted(entry_ids), 500):
        found.update(s.scalars(select(LogEntry.log_id).where(LogEntry.id.in_(chunk))))
    return found

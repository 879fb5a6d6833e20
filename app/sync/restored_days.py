"""A unit restored from an old backup writes again the days it lost.

The 编办 holds the logs of the packages the unit sent before its PC failed; after the restore,
the unit no longer has them, and a person who fills in such a day again makes a new log (a new
id) for the same (person, day). One unit PC cannot hold two logs of a person's day (UNIQUE
person_id, day), so two ids for one day mean exactly this: the older log belongs to the line the
restore lost. Last-writer-wins, as for every row, but keyed by the day: the newer log replaces
the older one in the mirror, with the older one's entries, texts, attachment records, review
actions and kept versions — the mirror holds what the unit holds. An incoming log older than the
one here is left to the UNIQUE refusal (a package of the lost line arriving after the new one).
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from app.db.engine import in_chunks

# (table, column naming the doomed rows, which ids): entries' own rows first, the log last
_CHILDREN = (("entry_text", "id", "entries"), ("attachment", "entry_id", "entries"),
             ("log_entry", "log_id", "logs"), ("review_action", "log_id", "logs"),
             ("log_version", "log_id", "logs"), ("work_log", "id", "logs"))


def superseded_logs(conn: Connection, incoming: list[tuple[str, str, str, str, str]]) -> list[str]:
    """Ids of logs here that an incoming log (id, person, day, hlc, origin) of the same person
    and day, with another id and a greater (hlc, origin), replaces."""
    newer = {(person, day): (log_id, hlc, origin) for log_id, person, day, hlc, origin in incoming}
    doomed = []
    for chunk in in_chunks(list(newer), 400):
        pairs = ", ".join("(?, ?)" for _ in chunk)
        for log_id, person, day, hlc, origin in conn.exec_driver_sql(
                f"SELECT id, person_id, day, hlc, origin FROM work_log WHERE (person_id, day) IN "
                f"(VALUES {pairs})", tuple(x for pair in chunk for x in pair)):
            other_id, other_hlc, other_origin = newer[(person, day)]
            if other_id != log_id and (other_hlc, other_origin) > (hlc, origin):
                doomed.append(log_id)
    return doomed


def remove_logs(conn: Connection, log_ids: list[str]) -> None:
    """Delete the logs and every row that belongs to them (inside the import's transaction)."""
    for chunk in in_chunks(log_ids):
        marks = ", ".join("?" * len(chunk))
        entries = [row[0] for row in conn.exec_driver_sql(
            f"SELECT id FROM log_entry WHERE log_id IN ({marks})", tuple(chunk))]
        ids = {"logs": list(chunk), "entries": entries}
        for table, column, which in _CHILDREN:
            for part in in_chunks(ids[which]):
                conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE "{column}" IN ({", ".join("?" * len(part))})',
                                     tuple(part))

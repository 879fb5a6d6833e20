"""Between the PCs of a unit a day's log wins whole.

Rows merge one by one, newest (hlc, origin) first — exact when every row has one writer. A log is
several rows (work_log, its log_entry rows, their entry_text and attachment rows), and a person
can open the same day on two PCs before they have synced: each PC then holds a version of the
log, with entries of its own. Merged row by row, the result would be the union of both versions'
entries, which neither PC wrote, and whose content no longer matches the log's content hash (the
re-check refuses a submitted one, so the file would never be applied).

So, as for rows: the newer version of the day wins, but with the entries it was written with.
A PC's change file carries each of its logs whole (app.sync.changes.collect, `origin`), and on
import, per incoming log:
- the same log here, older: the incoming entries, texts and files are written as they are (even
  where a row here has a newer stamp: it belongs to the losing version), and the live entries
  here that the incoming version does not have are deleted — stamped by this PC and put in its
  outbox, so the deletion reaches the other PCs and the 编办;
- the same log here, newer: the incoming log's rows of its losing version are left out;
- another log of the same person and day here (made on another PC), newer: the incoming log
  and every row of it in the file, its reviews too, are left out; older: the Merger replaces it
  (app.sync.restored_days), as a 编办 does for a unit restored from a backup.
A file carries the log of every review and entry it has (app.sync.changes.collect), so each of
them is judged with its log, also when the log lost in an earlier file.
"""
from __future__ import annotations

from app.db.engine import Database

CHILD_LOG = {"log_entry": "log_id"}                    # rows naming their log
CHILD_ENTRY = {"entry_text": "id", "attachment": "entry_id"}   # rows naming their entry
LOG_REFS = {"review_action": "log_id", "log_version": "log_id"}


class WholeLogs:
    """Sorts a PC file's rows, block by block, before they reach the Merger."""

    def __init__(self, conn, columns: dict[str, list[str]]):
        self.conn = conn
        self.columns = columns
        self.lost: set[str] = set()         # incoming logs older than the version of their day here
        self.gone: set[str] = set()         # … when that version is another log (of another PC)
        self.won: set[str] = set()          # incoming logs newer than the same log here
        self.entry_log: dict[str, str] = {}   # incoming entry → its log
        self.sent: dict[str, set[str]] = {}   # won log → the entries the file has of it
        self.forced: dict[str, list[list]] = {}   # rows of won logs, written as they are

    def _at(self, table: str, column: str) -> int:
        return self.columns[table].index(column) + 1

    def sort(self, rows: list[list]) -> list[list]:
        """The rows to merge (the file's lines of losing versions left out)."""
        kept = []
        for row in rows:
            table = row[0]
            if table == "work_log":
                if self._judge_log(row):
                    continue
            elif table in CHILD_LOG:
                log = row[self._at(table, "log_id")]
                entry = row[self._at(table, "id")]
                self.entry_log[entry] = log
                if log in self.lost:
                    continue
                if log in self.won:
                    self.sent[log].add(entry)
                    self.forced.setdefault(table, []).append(row)
            elif table in CHILD_ENTRY:
                log = self.entry_log.get(row[self._at(table, CHILD_ENTRY[table])])
                if log in self.lost:
                    continue
                if log in self.won:
                    self.forced.setdefault(table, []).append(row)
            elif table in LOG_REFS and row[self._at(table, LOG_REFS[table])] in self.gone:
                continue
            kept.append(row)
        return kept

    def _judge_log(self, row: list) -> bool:
        """Note how an incoming log stands against the version of its day here; True: leave it out."""
        log_id, hlc, origin = (row[self._at("work_log", c)] for c in ("id", "hlc", "origin"))
        person, day = row[self._at("work_log", "person_id")], row[self._at("work_log", "day")]
        here = self.conn.exec_driver_sql(
            "SELECT id, hlc, origin FROM work_log WHERE id = ? OR (person_id = ? AND day = ?)",
            (log_id, person, day)).all()
        for other_id, other_hlc, other_origin in here:
            if (other_hlc, other_origin) > (hlc, origin):
                self.lost.add(log_id)
                if other_id != log_id:
                    self.gone.add(log_id)
                return other_id != log_id       # the same log: the Merger counts it as stale
            if other_id == log_id and (other_hlc, other_origin) < (hlc, origin):
                self.won.add(log_id)
                self.sent[log_id] = set()
        return False

    @property
    def touched(self) -> set[str]:
        """Logs whose entries this sorting wrote or deleted (their state is derived again)."""
        return set(self.sent)

    def finish(self, db: Database) -> list[tuple[str, str]]:
        """After the Merger: the won logs' rows written as the file has them, and the entries
        here the winning versions do not have deleted. Returns the (table, id) of the rows this
        PC deleted (for its outbox)."""
        for table, rows in self.forced.items():
            cols = self.columns[table]
            quoted = ", ".join(f'"{c}"' for c in cols)
            updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
            self.conn.exec_driver_sql(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(cols))}) '
                f'ON CONFLICT(id) DO UPDATE SET {updates}', [tuple(r[1:]) for r in rows])
        deleted: list[tuple[str, str]] = []
        for log, sent in self.sent.items():
            here = [r[0] for r in self.conn.exec_driver_sql(
                "SELECT id FROM log_entry WHERE log_id = ? AND deleted = 0", (log,))]
            for entry in sorted(set(here) - sent):
                stamp = db.clock.now()
                self.conn.exec_driver_sql("UPDATE log_entry SET deleted = 1, hlc = ?, origin = ? WHERE id = ?",
                                          (stamp, db.origin, entry))
                deleted.append(("log_entry", entry))
                for table, column, extra in (("entry_text", "id", ", content = ''"),
                                             ("attachment", "entry_id", "")):
                    ids = [r[0] for r in self.conn.exec_driver_sql(
                        f'SELECT id FROM {table} WHERE "{column}" = ? AND deleted = 0', (entry,))]
                    for row_id in ids:
                        self.conn.exec_driver_sql(
                            f"UPDATE {table} SET deleted = 1{extra}, hlc = ?, origin = ? WHERE id = ?",
                            (db.clock.now(), db.origin, row_id))
                        deleted.append((table, row_id))
        return deleted

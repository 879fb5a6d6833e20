"""Restoring a backup over the live database, and what a backup holds.

A restore replaces the file only when no other process has it open: it takes SQLite's exclusive
lock (locking_mode=EXCLUSIVE, which in WAL mode also needs every other connection gone, idle
ones included) and keeps it from the safety copy of the current content to the end of the
copy-back, so nobody can write in between and no one's later COMMIT lands on a replaced file.
The copy-back is SQLite's backup API into the locked connection, not a file copy: readers that
start afterwards see either the old or the new database, never a half-written file.
Before the lock, app.db.inuse looks for other local processes that merely have the file open:
in rollback-journal mode (network shares) an idle connection holds no lock.
"""
from __future__ import annotations

import sqlite3
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from app.core.errors import AppError
from app.db.backup import backup_to, companion_dir, quick_check, remove_database_files
from app.db.inuse import other_processes_using
from app.paths import create_private_file, private_dir


class FileInUse(AppError):
    pass


def in_use_message(path: Path) -> str:
    return (f"数据库文件“{path.name}”正被其他程序打开（可能是另一台电脑或另一个窗口中的本程序、"
            "或正在备份/同步的程序），现在不能恢复：请先关闭其他程序后再试。当前数据没有任何改动。")


@contextmanager
def exclusive(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection holding the file's exclusive lock; FileInUse when another process (or
    another connection of this one) has it open."""
    if other_processes_using(path):
        raise FileInUse(in_use_message(path))
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")        # exclusive locking mode keeps the lock after COMMIT
    except sqlite3.OperationalError:
        conn.close()
        raise FileInUse(in_use_message(path)) from None
    try:
        yield conn
    finally:
        conn.close()


def _copy_out(conn: sqlite3.Connection, dest: Path) -> None:
    """A backup of the locked database into a new owner-only file."""
    create_private_file(dest)
    with sqlite3.connect(dest) as target:
        conn.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    target.close()


def _copy_in(backup: Path, conn: sqlite3.Connection) -> None:
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        source.backup(conn)
    finally:
        source.close()


def restore_over(backup: Path, db_path: Path, safety: Path) -> None:
    """Replace the database (and its companion mirrors) by `backup`, keeping the current content
    in `safety` (and its companion folder). Raises FileInUse before touching anything."""
    problems = quick_check(backup)
    if problems:
        raise AppError(f"备份文件已损坏，不能用来恢复：{backup.name}（{problems[0]}）")
    live_mirrors = sorted(companion_dir(db_path).glob("*.sqlite")) if companion_dir(db_path).is_dir() else []
    saved_mirrors = sorted(companion_dir(backup).glob("*.sqlite")) if companion_dir(backup).is_dir() else []
    with ExitStack() as stack:
        locked = {p.name: stack.enter_context(exclusive(p)) for p in live_mirrors}
        main = stack.enter_context(exclusive(db_path))
        _copy_out(main, safety)
        if live_mirrors:
            folder = private_dir(companion_dir(safety))
            for mirror in live_mirrors:
                _copy_out(locked[mirror.name], folder / mirror.name)
        _copy_in(backup, main)
        for mirror in saved_mirrors:
            if mirror.name in locked:
                _copy_in(mirror, locked[mirror.name])
    # Mirrors the backup did not have (units registered later) are in the safety copy now.
    wanted = {m.name for m in saved_mirrors}
    for mirror in live_mirrors:
        if mirror.name not in wanted:
            remove_database_files(mirror)
    for mirror in saved_mirrors:
        if mirror.name not in {m.name for m in live_mirrors}:
            backup_to(mirror, private_dir(companion_dir(db_path)) / mirror.name)


@dataclass(frozen=True)
class Contents:
    """What a database file holds, read without writing to it."""
    origin: str
    edition: str
    unit_name: str
    people: int
    logs: int
    latest_log_day: str | None
    schema: str | None
    units: int = 0             # a 编办 backup: unit mirrors beside it


def read_contents(path: Path) -> Contents:
    """Figures of a database or backup file (read-only; AppError when it is not readable as
    one of this program's databases)."""
    problems = quick_check(path)
    if problems:
        raise AppError(f"备份文件已损坏或不是本程序的数据库：{path.name}（{problems[0]}）")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def one(sql: str, *params):
            return conn.execute(sql, params).fetchone()
        origin, edition, unit_id = one("SELECT origin, edition, unit_id FROM replica WHERE id = 1")
        name = one("SELECT name FROM unit WHERE id = ?", unit_id) if unit_id else None
        people = one("SELECT count(*) FROM person WHERE deleted = 0")[0]
        logs, latest = one("SELECT count(*), max(day) FROM work_log WHERE deleted = 0")
        schema = one("SELECT version_num FROM alembic_version")
    except (sqlite3.DatabaseError, TypeError) as exc:
        raise AppError(f"“{path.name}”不是本程序的数据库备份（{exc}）") from None
    finally:
        conn.close()
    units = 0
    if companion_dir(path).is_dir():
        for mirror in companion_dir(path).glob("*.sqlite"):
            inner = read_contents(mirror)
            units, logs = units + 1, logs + inner.logs
            latest = max(filter(None, (latest, inner.latest_log_day)), default=None)
    return Contents(origin, edition, name[0] if name else "", people, logs, latest,
                    schema[0] if schema else None, units)


@dataclass(frozen=True)
class Changes:
    """What the live database holds that a backup does not: lost by restoring it."""
    logs: int                  # work logs written or changed since
    records: int               # audit records since (every change of any kind)
    latest_log_day: str | None


def changes_since(db_path: Path, backup: Path) -> Changes:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS b", (f"file:{backup}?mode=ro",))
        logs = conn.execute(
            "SELECT count(*) FROM main.work_log m LEFT JOIN b.work_log o ON o.id = m.id "
            "WHERE o.id IS NULL OR o.hlc IS NOT m.hlc").fetchone()[0]
        records = conn.execute(
            "SELECT count(*) FROM main.audit_log WHERE seq > "
            "(SELECT coalesce(max(seq), 0) FROM b.audit_log)").fetchone()[0]
        latest = conn.execute(
            "SELECT max(m.day) FROM main.work_log m LEFT JOIN b.work_log o ON o.id = m.id "
            "WHERE o.id IS NULL OR o.hlc IS NOT m.hlc").fetchone()[0]
    finally:
        conn.close()
    return Changes(logs, records, latest)

"""Online backup (sqlite3 backup API) and integrity checks."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from app.db.faults import DAMAGED, IN_USE, LOCKED, DatabaseFault, kind_of
from app.db.inuse import exclusive_hold

DATABASE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")

def backup_to(src: Path, dest: Path) -> Path:
    """Copy a live database consistently into `dest` (overwritten)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(tmp) as target:
        source.backup(target)
        # The copy inherits WAL mode from a live database; a backup must be one self-contained
        # file that opens read-only anywhere (WAL needs -wal/-shm files beside it, which a
        # read-only check then leaves behind, and cannot be read from write-protected media).
        target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    source.close()
    tmp.replace(dest)
    return dest


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def automatic_backup(db_path: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return backup_to(db_path, backups_dir(db_path) / f"{db_path.stem}-{stamp}-{reason}.sqlite")


def list_backups(db_path: Path) -> list[Path]:
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    # Exactly the names automatic_backup() gives: a plain f"{stem}-*" glob would also list the
    # backups of "unit-old.sqlite" as backups of "unit.sqlite" (and offer them for restore).
    own = re.compile(re.escape(db_path.stem) + r"-\d{8}-\d{6}-.*\.sqlite")
    return sorted((p for p in folder.glob("*.sqlite") if own.fullmatch(p.name)),
                  key=lambda p: p.stat().st_mtime, reverse=True)


def quick_check(db_path: Path, full: bool = False) -> list[str]:
    """Problems reported by SQLite ('ok' means none). Opens read-only; never raises on damage.
    A fault (locked, disk full, read-only place…) is no finding about the file: it raises
    DatabaseFault."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        kind = kind_of(exc, db_path)
        if kind not in (None, DAMAGED):
            raise DatabaseFault(kind, db_path) from None
        return [str(exc)]
    problems = [r[0] for r in rows if r[0] != "ok"]
    return problems


def remove_database_files(path: Path) -> None:
    """Delete a database file with its journal, WAL and shared-memory files: a half-made database
    must not stay behind, or the next attempt is refused as 文件已存在."""
    for suffix in DATABASE_FILE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def restore_from(backup: Path, db_path: Path) -> None:
    """Replace a damaged database by a backup, keeping the damaged file aside. Refused (DatabaseFault)
    while another process has the file open: its next commit would go to the renamed file, and
    what it wrote since the backup would be lost."""
    with exclusive_hold(db_path) as alone:
        if not alone:
            raise DatabaseFault(IN_USE, db_path)
        if db_path.exists():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
            # The WAL or hot journal goes along under the matching name: it may hold the last
            # commits, and SQLite finds it beside the renamed file.
            try:
                for suffix in ("", "-wal", "-journal"):
                    if Path(f"{db_path}{suffix}").exists():
                        Path(f"{db_path}{suffix}").replace(Path(f"{aside}{suffix}"))
            except OSError as exc:      # Windows: opened by someone in the instant since the check
                kind = kind_of(exc, db_path)
                raise DatabaseFault(IN_USE if kind in (None, LOCKED) else kind, db_path) from None
        remove_database_files(db_path)
        backup_to(backup, db_path)

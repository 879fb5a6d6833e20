"""Online backup (sqlite3 backup API), backup names, and integrity checks."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

from app.db.faults import DAMAGED, IN_USE, LOCKED, DatabaseFault, kind_of
from app.db.inuse import exclusive_hold
from app.paths import create_private_file, private_dir


DATABASE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")
# A 编办 database keeps one mirror database per unit in "<file>.units/"; its backups carry the
# same folder beside them ("<backup>.units/"): without the mirrors a 编办 backup is incomplete.
COMPANION_SUFFIX = ".units"
STAMP_FORMAT = "%Y%m%d-%H%M%S"


def backup_to(src: Path, dest: Path) -> Path:
    """Copy a live database consistently into `dest` (overwritten), readable by the owner only."""
    private_dir(dest.parent, tighten=False)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)
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


def companion_dir(path: Path) -> Path:
    return path.with_name(path.name + COMPANION_SUFFIX)


def backup_with_companions(src: Path, dest: Path) -> Path:
    """backup_to, plus every database in src's companion folder (a 编办's unit mirrors)."""
    backup_to(src, dest)
    source = companion_dir(src)
    if source.is_dir():
        folder = private_dir(companion_dir(dest))
        for mirror in sorted(source.glob("*.sqlite")):
            backup_to(mirror, folder / mirror.name)
    return dest


def remove_backup(path: Path) -> None:
    """Delete a backup file with its companion folder."""
    shutil.rmtree(companion_dir(path), ignore_errors=True)
    path.unlink(missing_ok=True)


def backup_size(path: Path) -> int:
    size = path.stat().st_size
    folder = companion_dir(path)
    if folder.is_dir():
        size += sum(p.stat().st_size for p in folder.glob("*.sqlite"))
    return size


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backup_name(db_path: Path, when: dt.datetime, reason: str) -> str:
    return f"{db_path.stem}-{when.strftime(STAMP_FORMAT)}-{reason}.sqlite"


def name_pattern(stem: str) -> re.Pattern:
    """Exactly the names backup_name() gives for a database named `stem`: a plain f"{stem}-*"
    glob would also list the backups of "unit-old.sqlite" as backups of "unit.sqlite" (and offer
    them for restore)."""
    return re.compile(re.escape(stem) + r"-(?P<stamp>\d{8}-\d{6})-(?P<reason>[^.]+)\.sqlite")


def parse_backup_name(path: Path, stem: str) -> tuple[dt.datetime, str] | None:
    """(when taken, reason) from a backup's name, or None for any other file."""
    match = name_pattern(stem).fullmatch(path.name)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match["stamp"], STAMP_FORMAT), match["reason"]
    except ValueError:
        return None


def automatic_backup(db_path: Path, reason: str, now: dt.datetime | None = None) -> Path:
    folder = private_dir(backups_dir(db_path))
    return backup_with_companions(db_path, folder / backup_name(db_path, now or dt.datetime.now(), reason))


def list_backups(db_path: Path) -> list[Path]:
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    own = name_pattern(db_path.stem)
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

"""Telling damage from faults.

A database that cannot be used right now is usually not damaged: another process holds its lock,
the disk is full, the stick is write-protected, the user lacks permission. Those faults get a
message of their own and must never lead to a restore (which would throw away what was written
since the backup). Only SQLite's own verdict (quick_check rows, SQLITE_CORRUPT, SQLITE_NOTADB on
a file with an SQLite header) counts as damage. A file that is not ours — empty, not SQLite, or
SQLite without our tables — is refused before anything is written to it.

SQLite's error codes alone are ambiguous (a full disk can surface as SQLITE_IOERR while the
shared-memory file is grown, a read-only mount as SQLITE_CANTOPEN), so the filesystem is asked
too: mounted read-only? space left? writable by us?
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

from app.core.errors import AppError

log = logging.getLogger(__name__)

LOCKED = "locked"
READ_ONLY = "read_only"
DISK_FULL = "disk_full"
NO_PERMISSION = "no_permission"
DEVICE = "device"
NOT_OURS = "not_ours"
IN_USE = "in_use"           # a restore refused: another process has the file open
DAMAGED = "damaged"         # met while working; at start-up damage is DatabaseDamaged
UNREADABLE = "unreadable"   # an SQLite error that is neither damage nor a known fault

SQLITE_MAGIC = b"SQLite format 3\x00"
LOCK_WAIT_SECONDS = 5       # a writer's commit takes milliseconds; a held lock, minutes
LOW_SPACE_BYTES = 1 << 20   # below this an I/O error on the disk is taken for a full disk

_UNHARMED = "数据库文件没有损坏，已保存的数据不受影响。"


def fault_message(kind: str, path: Path | None, detail: str = "") -> str:
    where = f"：{path}" if path else ""
    name = path.name if path else "该文件"
    if kind == LOCKED:
        return (f"数据库文件正被其他程序占用（已被锁定）{where}。可能是另一台电脑或另一个窗口正在"
                f"导入或保存数据。请稍后再试；如长时间如此，请关闭其他正在使用该文件的程序。{_UNHARMED}")
    if kind == READ_ONLY:
        return (f"数据库文件所在的磁盘或文件夹是只读的（如写保护的U盘、光盘或只读的网络共享）{where}。"
                f"程序不能在此保存数据。请解除写保护，或把文件复制到可写的文件夹后再打开。{_UNHARMED}")
    if kind == DISK_FULL:
        return (f"磁盘空间已满，不能写入数据库{where}。请清理该磁盘（或把数据库移到空间充足的位置）"
                f"后再试。{_UNHARMED}")
    if kind == NO_PERMISSION:
        return (f"没有写入数据库文件（或其所在文件夹）的权限{where}。请让电脑管理员授予读写权限，"
                f"或把文件复制到自己有权限的文件夹后再打开。{_UNHARMED}")
    if kind == NOT_OURS:
        return (f"“{name}”不是本程序的数据库（{detail}），未做任何修改。请选择正确的数据库文件。")
    if kind == IN_USE:
        return (f"数据库文件正被其他程序打开，不能用备份替换它{where}。请先关闭所有使用该文件的程序"
                "（包括其他电脑上的本程序），再重新打开本程序进行恢复。文件未做任何修改。")
    if kind == DAMAGED:
        return (f"读取数据库时发现文件已损坏{where}。请关闭程序后重新打开：程序会检查文件，"
                "并提示从最近的备份恢复。")
    if kind == UNREADABLE:
        return (f"无法读取数据库文件{where}（SQLite：{detail}）。程序不会因此恢复或改动该文件，"
                "请把这条信息告诉管理员。")
    return (f"读写数据库文件时设备出错（U盘或网络共享可能已断开，或磁盘有故障）{where}。"
            "请检查后重试。程序不会因此恢复或改动该文件。")


TITLES = {LOCKED: "数据库正被占用", READ_ONLY: "数据库位置只读", DISK_FULL: "磁盘空间已满",
          NO_PERMISSION: "没有权限", NOT_OURS: "不是本程序的数据库", IN_USE: "不能恢复",
          DAMAGED: "数据库损坏", DEVICE: "读写出错", UNREADABLE: "无法读取数据库"}


class DatabaseFault(AppError):
    """The database cannot be used now for a reason outside its contents (or it is not ours).
    Never a reason to restore a backup."""

    def __init__(self, kind: str, path: Path | str | None = None, detail: str = ""):
        self.kind = kind
        self.path = Path(path) if path else None
        super().__init__(fault_message(kind, self.path, detail))

    @property
    def title(self) -> str:
        """A few words for a window title or a status line."""
        return TITLES.get(self.kind, "数据库出错")


# SQLite primary result codes (sqlite3.h)
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT = 3, 5, 6, 8, 10, 11
_FULL, _CANTOPEN, _PROTOCOL, _AUTH, _NOTADB = 13, 14, 15, 23, 26
_BY_TEXT = (("locked", _BUSY), ("disk is full", _FULL), ("readonly", _READONLY),
            ("unable to open", _CANTOPEN), ("disk i/o", _IOERR), ("malformed", _CORRUPT),
            ("not a database", _NOTADB))


def kind_of(exc: BaseException, path: Path | None = None) -> str | None:
    """The fault kind of an sqlite3/SQLAlchemy/OS error, DAMAGED, or None (not a fault: a
    constraint, a programming error…)."""
    exc = getattr(exc, "orig", None) or exc           # SQLAlchemy wraps the driver's error
    if isinstance(exc, sqlite3.Error):
        return _sqlite_kind(exc, path)
    if isinstance(exc, OSError):
        return _os_kind(exc, path)
    return None


def _sqlite_kind(exc: sqlite3.Error, path: Path | None) -> str | None:
    code = getattr(exc, "sqlite_errorcode", None)     # Python 3.11+
    if isinstance(code, int):
        primary = code & 0xFF
    else:
        text = str(exc).lower()
        primary = next((c for words, c in _BY_TEXT if words in text), None)
    if primary in (_BUSY, _LOCKED, _PROTOCOL):
        return LOCKED
    if primary == _FULL:
        return DISK_FULL
    if primary in (_CORRUPT, _NOTADB):
        return DAMAGED
    if primary in (_PERM, _READONLY, _IOERR, _CANTOPEN, _AUTH):
        return (_environment_kind(path)
                or {_READONLY: READ_ONLY, _PERM: NO_PERMISSION, _AUTH: NO_PERMISSION}.get(primary, DEVICE))
    return None


def _os_kind(exc: OSError, path: Path | None) -> str | None:
    winerror = getattr(exc, "winerror", None)
    if winerror in (32, 33):        # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        return LOCKED
    if winerror == 19:              # ERROR_WRITE_PROTECT
        return READ_ONLY
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DISK_FULL
    if exc.errno == errno.EROFS:
        return READ_ONLY
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _environment_kind(path) or NO_PERMISSION
    if exc.errno == errno.EIO:
        return _environment_kind(path) or DEVICE
    return None


def _environment_kind(path: Path | None) -> str | None:
    """What the filesystem says about the place of `path`: mounted read-only, (nearly) full, or
    not writable by us. os.access answers for the real user; root passes it (except on a
    read-only mount), and on Windows it only sees the read-only attribute of files."""
    if path is None:
        return None
    folder = path.parent
    try:
        if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
            return READ_ONLY
        if shutil.disk_usage(folder).free < LOW_SPACE_BYTES:
            return DISK_FULL
    except OSError:
        return None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return NO_PERMISSION
    return None


def check_file(path: Path, *, full: bool = False, for_writing: bool = True) -> list[str]:
    """Before the program opens a database: raise DatabaseFault for a fault or a file that is
    not ours; return SQLite's damage findings ([] when sound). Reads only, never writes."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseFault(kind_of(exc, path) or DEVICE, path) from None
    if not header:
        raise DatabaseFault(NOT_OURS, path, "文件是空的")
    if header != SQLITE_MAGIC:
        raise DatabaseFault(NOT_OURS, path, "不是SQLite数据库文件")
    try:
        problems, tables = _sqlite_verdict(path, full)
    except sqlite3.Error as exc:
        kind = kind_of(exc, path)
        log.info("checking %s: %s (%s)", path, exc, kind)
        if kind == DAMAGED:
            return [str(exc)]
        # Anything else SQLite cannot read (e.g. a newer file format) is not taken for damage:
        # a restore would throw the file away on a guess.
        raise DatabaseFault(kind or UNREADABLE, path, str(exc)) from None
    if problems:
        return problems
    if not tables:
        raise DatabaseFault(NOT_OURS, path, "其中没有任何数据表")
    if "alembic_version" not in tables:
        raise DatabaseFault(NOT_OURS, path, "其中是其他程序的数据表")
    if for_writing:
        check_writable(path)
    return []


def _sqlite_verdict(path: Path, full: bool) -> tuple[list[str], set[str]]:
    # Read-only URI; the path is percent-encoded so that "?" or "#" in a folder name stay part
    # of it (SQLite decodes the escapes).
    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_SECONDS)
    try:
        rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        tables = set() if problems else {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()
    return problems, tables


def check_writable(path: Path) -> None:
    """Raise DatabaseFault when the file (or its folder, where SQLite keeps its journal) cannot
    be written. Opens the file for writing without writing anything."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        raise DatabaseFault(kind_of(exc, path) or DEVICE, path) from None
    kind = _environment_kind(path)
    if kind in (READ_ONLY, NO_PERMISSION):
        raise DatabaseFault(kind, path)


def install_fault_messages(engine, path: Path) -> None:
    """A locked, full, read-only or unwritable database raises DatabaseFault (an AppError with
    a Chinese message) from every statement, commit and connect of `engine`, in place of
    SQLAlchemy's error. Only the message is kept: the failed statement and its parameters (e.g.
    password hashes) reach no log and no crash report."""
    from sqlalchemy import event

    @event.listens_for(engine, "handle_error")
    def _fault(context):
        exc = context.original_exception
        kind = kind_of(exc, path)
        if kind is not None:
            log.info("database fault on %s: %s (%s)", path, kind, exc)
            raise DatabaseFault(kind, path) from None

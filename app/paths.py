"""Where things are: bundled resources (source tree or PyInstaller bundle) and the user data folder;
and files only their owner may read (databases, backups, packages, attachments).

Owner-only means mode 0600 for files and 0700 for folders on POSIX (Linux desktops such as UOS and
Kylin, where home folders are often world-readable). On Windows the mode bits mean nothing; the
data folder is under the user's profile (%APPDATA%), whose ACLs already restrict access to that
user and the administrators, and files created inside inherit those ACLs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def data_dir() -> Path:
    """Per-user data folder (settings, logs, default database). LZKP_DATA_DIR overrides it (tests)."""
    override = os.environ.get("LZKP_DATA_DIR")
    if override:
        path = Path(override)
    elif sys.platform == "win32":
        path = Path(os.environ.get("APPDATA", Path.home())) / "LvzhiKaoping"
    else:
        path = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "lvzhi-kaoping"
    return private_dir(path)


def default_db_path() -> Path:
    return data_dir() / "unit.sqlite"


PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_POSIX = os.name == "posix"


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create the folder `path` readable by its owner only (parents as usual). `tighten` also
    restricts a folder that already exists: right for the program's own folders (data, backups,
    attachments), wrong for a folder the user chose, such as the one holding a --db file."""
    path = Path(path)
    existed = path.is_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    if _POSIX and (tighten or not existed):
        os.chmod(path, PRIVATE_DIR_MODE)     # mkdir's mode is filtered by the umask
    return path


def create_private_file(path: Path) -> bool:
    """Create `path` empty and owner-only unless it exists (True when it was created). SQLite
    gives the -wal, -shm and journal files it makes later the same mode as the database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def private_open(path: Path, mode: str = "wb"):
    """Open `path` for writing (created or truncated) readable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
    if _POSIX:
        os.fchmod(fd, PRIVATE_FILE_MODE)      # a file that already existed keeps its old mode
    return os.fdopen(fd, mode)

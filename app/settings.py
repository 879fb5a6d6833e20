"""Typed per-user settings, declared once, stored as JSON in the data folder (never pickles).

Unit-wide settings that must travel between a unit's PCs live in the database (`setting` table);
this file holds only what belongs to one user on one PC (last database, last login, window sizes).

Saving is safe from any thread and from several Settings objects of one file (the window's, and
an exchange round's on a worker thread): a save takes the file's lock, reads the file as it is
now, changes only the keys this object set, and replaces the file whole (a temporary file of its
own, then a rename), so no writer loses another's keys and no reader sees half a file.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Generic, TypeVar

from app.paths import data_dir

log = logging.getLogger(__name__)
T = TypeVar("T")
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.RLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(Path(path).absolute()), threading.RLock())


class ConfigVar(Generic[T]):
    def __init__(self, key: str, default: T, kind: type):
        self.key, self.default, self.kind = key, default, kind

    def __set_name__(self, owner, name):
        owner._vars[self.key] = self

    def __get__(self, obj: "Settings", _owner=None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj._values.get(self.key, self.default)
        return value if isinstance(value, self.kind) else self.default

    def __set__(self, obj: "Settings", value: T) -> None:
        with obj.lock:
            obj._values[self.key] = value
            obj._changed.add(self.key)
            obj.save()


class Settings:
    _vars: dict[str, ConfigVar] = {}

    last_db = ConfigVar("last_db", "", str)
    last_login = ConfigVar("last_login", "", str)
    geometries = ConfigVar("geometries", {}, dict)       # dialog/window name → base64 geometry
    autosave_seconds = ConfigVar("autosave_seconds", 2, int)
    last_package_dir = ConfigVar("last_package_dir", "", str)   # where sync packages went last
    # A folder (e.g. on a USB stick) that receives a copy of the automatic backups; per PC,
    # because drive letters and mount points belong to the machine.
    backup_second_dir = ConfigVar("backup_second_dir", "", str)
    # Several PCs in one unit (app.services.exchange.pc_unit): per database file on this PC, the
    # exchange folder (a drive letter or mount point belongs to the machine), this PC's name and
    # signing key pair, and the last sync's outcome.
    pc_exchange = ConfigVar("pc_exchange", {}, dict)
    # File dialogs: the folder last used per kind of file (report_pdf, excel_export, package...),
    # so a report goes where the last report went (app.ui.widgets.file_dialogs).
    dialog_folders = ConfigVar("dialog_folders", {}, dict)
    feedback_seen = ConfigVar("feedback_seen", {}, dict)   # "unit id:login" → feedback marker seen

    def __init__(self, path: Path | None = None):
        self.path = path or data_dir() / "settings.json"
        self.lock = _lock_for(self.path)
        self._changed: set[str] = set()      # keys this object set: the only ones a save writes
        self._values: dict[str, Any] = self._read() or {}

    def _read(self) -> dict[str, Any] | None:
        """The file's values now; None when it cannot be read (absent: {})."""
        try:
            values = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # a damaged settings file must not stop the program
            log.warning("ignoring unreadable settings %s: %s", self.path, exc)
            return None
        return values if isinstance(values, dict) else None

    def save(self) -> None:
        with self.lock:
            current = self._read()
            merged = dict(self._values if current is None else current)
            merged.update({k: self._values[k] for k in self._changed if k in self._values})
            self._write(merged)
            self._values = merged
            self._changed.clear()

    def _write(self, values: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(values, ensure_ascii=False, indent=1))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def set_item(self, key: str, item: str, value: Any) -> None:
        """One entry of a dict-valued setting (a window's geometry, a database's exchange
        configuration), the others as the file has them now."""
        with self.lock:
            current = (self._read() or self._values).get(key)
            self._values[key] = {**(current if isinstance(current, dict) else {}), item: value}
            self._changed.add(key)
            self.save()

    def geometry(self, name: str) -> str | None:
        return self.geometries.get(name)

    def set_geometry(self, name: str, value: str) -> None:
        self.set_item("geometries", name, value)

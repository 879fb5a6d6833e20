"""Typed per-user settings, declared once, stored as JSON in the data folder (never pickles).

Unit-wide settings that must travel between a unit's PCs live in the database (`setting` table);
this file holds only what belongs to one user on one PC (last database, last login, window sizes).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Generic, TypeVar

from app.paths import data_dir

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    def __init__(self, path: Path | None = None):
        self.path = path or data_dir() / "settings.json"
        self._changed: set[str] = set()
        self._values: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            values = json.loads(self.path.read_text(encoding="utf-8"))
            return values if isinstance(values, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # a damaged settings file must not stop the program
            log.warning("ignoring unreadable settings %s: %s", self.path, exc)
            return {}

    def save(self) -> None:
        # Only the keys set through this object are written over the file's current values:
        # two Settings objects of one file (the main window's, a file dialog's) keep each
        # other's changes instead of the last one to save erasing the other's.
        on_disk = self._read()
        self._values = {**on_disk, **{k: self._values[k] for k in self._changed if k in self._values}}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def geometry(self, name: str) -> str | None:
        return self.geometries.get(name)

    def set_geometry(self, name: str, value: str) -> None:
        self.geometries = {**self.geometries, name: value}

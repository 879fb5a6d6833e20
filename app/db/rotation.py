"""Automatic rotating backups: one a day, the newest 7 days and 4 weeks before them kept.

When: the program takes the day's backup when it opens a database and, while it stays open,
checks again every hour (app/ui/main.py). An office PC is switched off at night without anyone
closing the program, or the program is left open for days: a backup at close would often never
run, and one on the first write of the day would put a full copy in the path of someone's save.
Opening the program, and the hour that passes while it runs, always happen — so every day the
program is used gets one backup, holding at least everything written up to the day before. For a
PC where nobody opens the program, `backups run` can be scheduled (Task Scheduler, cron).

The backup API copies a consistent snapshot while others read and write (sqlite.org/backup.html).
A second folder (a USB stick) receives a copy of the same files and is pruned by the same rule;
when it is missing or not writable, that is a warning and the local backup still counts.
"""
from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from app.db.backup import (automatic_backup, backup_name, backups_dir, companion_dir,
                           parse_backup_name, remove_backup)
from app.paths import private_dir, private_open

log = logging.getLogger(__name__)

AUTO = "auto"                 # the reason in the names of rotating backups
DAILY_KEPT, WEEKLY_KEPT = 7, 4


@dataclass(frozen=True)
class RotatingBackup:
    path: Path
    taken: dt.datetime
    kind: str = ""            # "daily" or "weekly" once the rotation has placed it


@dataclass
class RotationResult:
    taken: Path | None = None
    removed: list[Path] = field(default_factory=list)
    copied: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _auto_backups(folder: Path, stem: str) -> list[RotatingBackup]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.sqlite"):
        parsed = parse_backup_name(path, stem)
        if parsed and parsed[1] == AUTO:
            found.append(RotatingBackup(path, parsed[0]))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def keep(backups: list[RotatingBackup]) -> list[RotatingBackup]:
    """The backups the rotation keeps, newest first, each with its kind: the newest backup of
    each of the 7 most recent days that have one (daily), then the newest backup of each of the
    4 most recent calendar weeks (ISO, Monday to Sunday) before the week of the oldest daily one
    (weekly). As the days move on, a week's weekly backup becomes its Sunday's, so the weekly
    backups are a week apart and reach 3–4 weeks behind the daily ones."""
    ordered = sorted(backups, key=lambda b: b.taken, reverse=True)
    kept: list[RotatingBackup] = []
    days: set[dt.date] = set()
    for b in ordered:
        if len(days) == DAILY_KEPT:
            break
        if b.taken.date() not in days:
            days.add(b.taken.date())
            kept.append(RotatingBackup(b.path, b.taken, "daily"))
    if not kept:
        return kept
    before_week = min(days).isocalendar()[:2]
    weeks: set[tuple[int, int]] = set()
    for b in ordered:
        if len(weeks) == WEEKLY_KEPT:
            break
        week = b.taken.isocalendar()[:2]
        if week < before_week and week not in weeks:
            weeks.add(week)
            kept.append(RotatingBackup(b.path, b.taken, "weekly"))
    return kept


def rotating_backups(folder: Path, stem: str) -> list[RotatingBackup]:
    """The rotating backups of database `stem` in `folder` that the rotation keeps, with kinds."""
    return keep(_auto_backups(folder, stem))


def _prune(folder: Path, stem: str) -> list[Path]:
    everything = _auto_backups(folder, stem)
    kept = {b.path for b in keep(everything)}
    removed = []
    for b in everything:
        if b.path not in kept:
            remove_backup(b.path)
            removed.append(b.path)
    return removed


def run_rotation(db_path: Path, now: dt.datetime | None = None, *, second: Path | None = None,
                 force: bool = False) -> RotationResult:
    """Take today's backup unless one exists (or always, with `force`), prune to 7 daily +
    4 weekly, and bring the second folder to the same set. Raises OSError only when the local
    backup cannot be written; problems with the second folder are returned as warnings."""
    now = now or dt.datetime.now()
    db_path = Path(db_path)
    result = RotationResult()
    folder = backups_dir(db_path)
    existing = _auto_backups(folder, db_path.stem)
    if force or not any(b.taken.date() == now.date() for b in existing):
        if any(b.path.name == backup_name(db_path, now, AUTO) for b in existing):
            now += dt.timedelta(seconds=1)          # two forced backups in the same second
        result.taken = automatic_backup(db_path, AUTO, now)
        log.info("automatic backup %s", result.taken)
    result.removed = _prune(folder, db_path.stem)
    if second is not None and str(second).strip():
        _copy_to_second(folder, Path(second), db_path.stem, result)
    return result


def _copy_to_second(folder: Path, second: Path, stem: str, result: RotationResult) -> None:
    if not second.is_dir():
        result.warnings.append(f"第二备份位置不可用：{second}（U盘未插入或文件夹不存在）。"
                               "本次备份只保存在本机，插入后下次备份时会补齐。")
        return
    try:
        for b in rotating_backups(folder, stem):
            target = second / b.path.name
            if not target.exists() or target.stat().st_size != b.path.stat().st_size:
                _copy(b.path, target)
                result.copied.append(target)
        _prune(second, stem)
    except OSError as exc:
        log.info("second backup location %s: %s", second, exc)
        result.warnings.append(f"无法写入第二备份位置 {second}：{exc.strerror or exc}。"
                               "本次备份只保存在本机。")


def _copy(source: Path, target: Path) -> None:
    """Copy a backup (and its companion folder) via a .part file, so that a stick pulled out
    half-way leaves no file that looks like a complete backup."""
    parts = [(source, target)]
    if companion_dir(source).is_dir():
        private_dir(companion_dir(target))
        parts = [(m, companion_dir(target) / m.name) for m in companion_dir(source).glob("*.sqlite")] + parts
    for src, dest in parts:         # the main file last: its name makes the set visible
        part = dest.with_name(dest.name + ".part")
        with src.open("rb") as fin, private_open(part) as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
        part.replace(dest)

"""数据备份: the automatic backups as the admin sees them — list, preview, back up now, restore.

Only an administrator (the unit admin; in the 编办 edition the 编办 admin) may list, take or
restore backups: a backup is a full copy of everyone's logs, and a restore undoes other people's
work. The program's own daily backup (`daily_backup`) runs for no one in particular.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.backup import backup_name, backup_size, backups_dir, parse_backup_name
from app.db.engine import Database
from app.db.migrate import head_revision, is_known_revision
from app.db.restore import Changes, Contents, FileInUse, changes_since, read_contents, restore_over
from app.db.rotation import RotationResult, rotating_backups, run_rotation
from app.services.org.actor import Actor
from app.services.org.setup import open_database

__all__ = ["FileInUse", "BackupInfo", "BackupPreview", "RestoreResult", "list_backups",
           "back_up_now", "daily_backup", "preview", "restore"]

log = logging.getLogger(__name__)
BEFORE_RESTORE = "before-restore"
_KINDS = {"daily": "每日", "weekly": "每周", BEFORE_RESTORE: "恢复前", "manual": "手动"}


def require_backup_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("数据备份与恢复只有管理员可以操作（单位版为单位管理员，编办版为编办管理员）")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken: dt.datetime
    kind: str          # 每日 / 每周 / 恢复前 / 升级前 / 手动
    size: int          # bytes, with a 编办 backup's unit mirrors


def _kind(reason: str) -> str:
    if reason in _KINDS:
        return _KINDS[reason]
    return "升级前" if reason.startswith("before-") else reason


def list_backups(db: Database, actor: Actor) -> list[BackupInfo]:
    """This database's backups in its backup folder, newest first."""
    require_backup_admin(actor)
    folder = backups_dir(db.path)
    rotating = {b.path: _KINDS[b.kind] for b in rotating_backups(folder, db.path.stem)}
    found = []
    for path in folder.glob("*.sqlite") if folder.is_dir() else ():
        parsed = parse_backup_name(path, db.path.stem)
        if parsed is None or (parsed[1] == "auto" and path not in rotating):
            continue
        kind = rotating.get(path) or _kind(parsed[1])
        found.append(BackupInfo(path, parsed[0], kind, backup_size(path)))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def back_up_now(db: Database, actor: Actor, *, now: dt.datetime | None = None,
                second: Path | str | None = None) -> RotationResult:
    """A rotating backup now, even if today already has one (it then replaces it)."""
    require_backup_admin(actor)
    try:
        return run_rotation(db.path, now, second=Path(second) if second else None, force=True)
    except OSError as exc:
        raise AppError(f"无法写入备份文件夹 {backups_dir(db.path)}：{exc.strerror or exc}") from None


def daily_backup(db_path: Path, *, now: dt.datetime | None = None,
                 second: Path | str | None = None) -> RotationResult:
    """The program's own backup of the day (at start-up, then hourly): never stops the work —
    a failure is returned as a warning and logged."""
    try:
        return run_rotation(db_path, now, second=Path(second) if second else None)
    except OSError as exc:
        log.warning("daily backup of %s failed: %s", db_path, exc)
        result = RotationResult()
        result.warnings.append(f"今日自动备份失败：无法写入 {backups_dir(db_path)}（{exc.strerror or exc}）。"
                               "请检查磁盘空间，或在“数据备份”页手动备份。")
        return result


@dataclass(frozen=True)
class BackupPreview:
    path: Path
    contents: Contents
    lost: Changes                 # what the current database holds that the backup does not

    @property
    def unit_name(self) -> str:
        return self.contents.unit_name

    @property
    def people(self) -> int:
        return self.contents.people

    @property
    def logs(self) -> int:
        return self.contents.logs

    @property
    def latest_log_day(self) -> str | None:
        return self.contents.latest_log_day

    @property
    def schema(self) -> str | None:
        return self.contents.schema

    @property
    def logs_since(self) -> int:
        return self.lost.logs

    def summary_lines(self) -> list[str]:
        c = self.contents
        lines = [f"单位：{c.unit_name or '（未命名）'}", f"人员：{c.people}人",
                 f"日志：{c.logs}篇" + (f"，最近一篇 {c.latest_log_day}" if c.latest_log_day else "")]
        if c.units:
            lines.append(f"各单位数据：{c.units}个单位")
        version = f"数据库版本：{c.schema}"
        if c.schema != head_revision():
            version += f"（本程序为 {head_revision()}，恢复后自动升级）"
        lines.append(version)
        return lines

    def loss_text(self) -> str:
        lost = self.lost
        if not lost.records and not lost.logs:
            return "当前数据库在此备份之后没有改动，恢复不会丢失数据。"
        parts = []
        if lost.logs:
            parts.append(f"{lost.logs}篇日志（新写或改动，最晚一篇为 {lost.latest_log_day}）")
        parts.append(f"共{lost.records}项操作记录")
        return "恢复后，当前数据库在此备份之后的全部改动将丢失：" + "、".join(parts) + "。"


def preview(db: Database, actor: Actor, backup: Path | str) -> BackupPreview:
    """What the backup holds, and what restoring it would lose; reads only."""
    require_backup_admin(actor)
    backup = Path(backup)
    if not backup.is_file():
        raise AppError(f"找不到备份文件：{backup}")
    contents = read_contents(backup)
    if contents.origin != db.origin:
        raise AppError(f"“{backup.name}”不是本数据库的备份（它来自另一个数据库：{contents.unit_name}），不能用来恢复")
    if contents.schema and not is_known_revision(contents.schema):
        raise AppError(f"“{backup.name}”来自更新版本的程序（数据库版本 {contents.schema}），请先升级本程序再恢复")
    return BackupPreview(backup, contents, changes_since(db.path, backup))


@dataclass
class RestoreResult:
    db: Database          # the restored database, open (the one passed in is disposed)
    safety: Path          # the content before the restore, kept as a backup (kind 恢复前)
    preview: BackupPreview


def restore(db: Database, actor: Actor, backup: Path | str, *,
            now: dt.datetime | None = None) -> RestoreResult:
    """Replace the database by `backup`: refused for non-admins, for another database's or a
    damaged backup, and while another process has the file open (FileInUse); the current
    content is first kept as a 恢复前 backup; the restore is recorded in the restored file's
    audit trail. The caller must have closed every session of `db`; it is disposed here."""
    shown = preview(db, actor, backup)
    now = now or dt.datetime.now()
    safety = backups_dir(db.path) / backup_name(db.path, now, BEFORE_RESTORE)
    path = db.path
    db.dispose()
    restore_over(shown.path, path, safety)
    log.info("database %s restored from %s by %s (previous content kept in %s)",
                path, shown.path, actor.login, safety)
    restored = open_database(path)
    with restored.session(actor) as s:
        audit.append(s, actor.login, "restore-backup", "database", now.isoformat(timespec="seconds"),
                     audit.row_hash({"safety_copy": safety.name}),
                     audit.row_hash({"backup": shown.path.name, "logs": shown.logs,
                                     "latest_log_day": shown.latest_log_day}))
    return RestoreResult(restored, safety, shown)

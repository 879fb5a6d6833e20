"""Schema migrations at start-up: check, back up, upgrade to head (Alembic)."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.core.errors import AppError
from app.db.backup import automatic_backup

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(db_path: Path, engine: Engine) -> str | None:
    """Bring the file to the newest schema. Returns the backup path's name when one was made.

    A non-empty database is backed up (sqlite3 backup API) before any migration runs, so a failed
    or unwanted upgrade can be undone by restoring that file.
    """
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    head = script.get_current_head()
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise AppError(f"数据库版本（{current}）比本程序新，请升级程序后再打开此文件。")
    backup = None
    if current is not None:
        backup = automatic_backup(db_path, f"before-{head}")
        log.info("backed up %s to %s before migrating %s -> %s", db_path, backup, current, head)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup.name if backup else None

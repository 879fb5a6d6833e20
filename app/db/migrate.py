"""Schema migrations at start-up: check, back up, upgrade to head (Alembic)."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from app.core.errors import AppError
from app.db.backup import automatic_backup
from app.db.faults import NOT_OURS, DatabaseFault, install_fault_messages

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_scripts: dict[Path, ScriptDirectory] = {}


def script_directory() -> ScriptDirectory:
    """The revision files, parsed once per folder: Alembic compiles every file on each load
    (~0.1 s), and every package import and every opened database asks for the head."""
    if MIGRATIONS_DIR not in _scripts:
        _scripts[MIGRATIONS_DIR] = ScriptDirectory.from_config(alembic_config())
    return _scripts[MIGRATIONS_DIR]


def head_revision() -> str:
    return script_directory().get_current_head()


def is_known_revision(revision: str) -> bool:
    """False for a revision of a newer program (a file this program cannot open)."""
    try:
        return script_directory().get_revision(revision) is not None
    except Exception:    # alembic raises its own ResolutionError/CommandError kinds
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def refuse_foreign_file(db_path: Path) -> None:
    """Raise when the file holds tables but no Alembic version: another program's SQLite file,
    where creating our tables (or even switching it to WAL) must not happen. Reads only."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()
    if tables and "alembic_version" not in tables:
        raise DatabaseFault(NOT_OURS, db_path, "其中是其他程序的数据表")


def upgrade_to_head(db_path: Path, engine: Engine) -> str | None:
    """Bring the file to the newest schema. Returns the backup path's name when one was made.

    A non-empty database is backed up (sqlite3 backup API) before any migration runs, so a failed
    or unwanted upgrade can be undone by restoring that file.
    """
    script = script_directory()
    current = current_revision(engine)
    head = script.get_current_head()
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise AppError(f"数据库版本（{current}）比本程序新，请升级程序后再打开此文件。")
    if current is None:
        refuse_foreign_file(db_path)
    backup = None
    if current is not None:
        backup = automatic_backup(db_path, f"before-{head}")
        log.info("backed up %s to %s before migrating %s -> %s", db_path, backup, current, head)
    cfg = alembic_config()
    migrating = _migration_engine(engine)
    try:
        with migrating.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise AppError(f"数据库升级后有{len(broken)}处数据关联不一致，已放弃升级"
                               f"（升级前的备份：{backup.name if backup else '无'}）。")
    except AppError:        # DatabaseFault included: a locked or full disk is said as such
        raise
    except Exception as exc:
        log.exception("migration %s -> %s failed", current, head)
        raise AppError(f"数据库升级失败，文件保持原样（{exc.__class__.__name__}: {exc}）。"
                       + (f"升级前的备份：{backup.name}" if backup else "")) from exc
    finally:
        migrating.dispose()
    return backup.name if backup else None


def _migration_engine(engine: Engine) -> Engine:
    """A connection in which the whole upgrade is one SQLite transaction.

    pysqlite opens transactions only before INSERT/UPDATE/DELETE, so DDL would be committed
    statement by statement and a failed migration would leave a half-changed schema still stamped
    with the old revision (which then fails again on every start). Here the driver's own
    transaction handling is off and BEGIN is issued explicitly (the SQLAlchemy recipe for
    pysqlite). Foreign keys are off during the upgrade, as sqlite.org prescribes for table
    rebuilds (Alembic batch mode drops and recreates tables that other tables reference);
    PRAGMA foreign_key_check verifies the result before the commit.
    """
    migrating = create_engine(engine.url, poolclass=NullPool, hide_parameters=True)
    install_fault_messages(migrating, Path(engine.url.database))

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA busy_timeout=8000")
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(migrating, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating

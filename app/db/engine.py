"""Opening a unit database: engine + pragmas, sessions, and the sync bookkeeping of every write.

Every flush stamps new/changed synced rows with an HLC timestamp and this replica's origin and
appends them to the outbox in the same transaction (ORM event below). Bulk Core inserts go through
`Database.bulk_insert`, which does the same for thousands of rows at a time.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.hlc import HybridClock
from app.core.ids import new_id
from app.db import audit, post_history
from app.db.faults import install_fault_messages
from app.db.models import Outbox, Replica, Synced
from app.paths import create_private_file

log = logging.getLogger(__name__)

WRITE_OPTION = "lzkp_write"
IN_CHUNK = 500     # values per IN (…): below the 999-variable limit of older SQLite builds


def in_chunks(items, size: int = IN_CHUNK) -> Iterator:
    """Slices of `items` (a list or tuple) small enough for one IN (…) each."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
# Filesystems whose locks may not reach other clients. UOS/Kylin open shares through gvfs
# (fuse.gvfsd-fuse, under /run/user/<uid>/gvfs) or smbnetfs, which look like local FUSE mounts.
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "9p", "davfs", "ceph", "glusterfs",
               "lustre", "ncpfs", "fuse.sshfs", "fuse.smbnetfs", "fuse.gvfsd-fuse", "fuse.gvfs-fuse-daemon",
               "fuse.rclone", "fuse.curlftpfs", "fuse.davfs2", "fuse.glusterfs", "fuse.cephfs"}


def is_network_path(path: Path) -> bool:
    """True when the file lives on a network share: no database is opened there
    (app.services.org.setup.open_database refuses it), and WAL must not be used (sqlite.org)."""
    text = str(Path(path).resolve())
    if sys.platform == "win32":
        if text.startswith("\\\\"):
            return True
        import ctypes  # only on Windows
        drive = os.path.splitdrive(text)[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
    return mount_type(text, read_mounts()) in _NETWORK_FS


def read_mounts() -> str:
    """The mount table (as /proc/mounts lists it; empty where there is none). A function of its
    own so that a test can stand in a share without mounting one."""
    try:
        return Path("/proc/mounts").read_text()
    except OSError:
        return ""


def mount_type(path_text: str, mounts: str) -> str:
    """The filesystem type of the mount (lines as in /proc/mounts) that holds `path_text`."""
    best, fstype = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")          # /proc/mounts escapes spaces
        inside = path_text == point or path_text.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, parts[2]
    return fstype


def make_engine(path: Path) -> Engine:
    network = is_network_path(path.parent if not path.exists() else path)
    # A new database is created owner-only here (SQLite would create it with the umask's 0644);
    # its -wal and -shm files take the same mode from it.
    if path.parent.is_dir():
        create_private_file(path)
    # hide_parameters: a failed statement's values (names, password hashes…) stay out of the
    # error text, and so out of the log file and the crash report.
    engine = create_engine(f"sqlite:///{path}", future=True, hide_parameters=True)
    install_fault_messages(engine, path)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=8000")
        # Overwrite freed pages: text removed from an entry later marked 涉密 must not linger.
        cur.execute("PRAGMA secure_delete=ON")
        # WAL is faster and lets readers work during a write, but it needs shared memory that
        # network filesystems do not provide: use the rollback journal there.
        cur.execute("PRAGMA journal_mode=%s" % ("DELETE" if network else "WAL"))
        cur.execute("PRAGMA synchronous=%s" % ("FULL" if network else "NORMAL"))
        cur.close()
        # Transactions are begun explicitly below (SQLAlchemy's pysqlite recipe), so that a
        # writing session can take the write lock up front.
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # One writer at a time: a write session takes the lock at BEGIN, so the audit chain's
        # head it reads cannot change under it; readers use a plain deferred BEGIN.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION)
                             else "BEGIN")

    return engine


class Database:
    """A migrated, open database file with its replica identity and clock."""

    def __init__(self, path: Path | str, engine: Engine | None = None):
        self.path = Path(path)
        self.engine = engine or make_engine(self.path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self._sessions() as s:
            replica = s.get(Replica, 1)
            # Local HLCs only grow, so the newest outbox row holds the latest one issued here.
            last = s.scalar(select(Outbox.hlc).order_by(Outbox.seq.desc()).limit(1))
        self.origin = replica.origin if replica else ""
        self.edition = replica.edition if replica else "unit"
        self.unit_id = replica.unit_id if replica else None
        self.clock = HybridClock(last)
        # Called (from the committing thread) after a transaction that wrote synced rows, so a
        # unit of several PCs can send them soon (app.ui.pc_syncer); never for a quiet thread's.
        self.write_listeners: list[Callable[[], None]] = []
        self._quiet = threading.local()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Writes of this thread inside the block tell no write listener: an exchange round's own
        writes (merged rows) go out in that same round and must not start another."""
        self._quiet.on = getattr(self._quiet, "on", 0) + 1
        try:
            yield
        finally:
            self._quiet.on -= 1

    def _wrote(self) -> None:
        if getattr(self._quiet, "on", 0):
            return
        for listener in list(self.write_listeners):
            try:
                listener()
            except Exception:       # a closed window's listener: the write itself has succeeded
                log.debug("write listener failed", exc_info=True)

    @property
    def files_dir(self) -> Path:
        """Attachment store: <db name>.files/ beside the database, one file per SHA-256."""
        return self.path.with_name(self.path.name + ".files")

    def reload_identity(self) -> None:
        with self._sessions() as s:
            replica = s.get(Replica, 1)
        self.origin = replica.origin
        self.edition = replica.edition
        self.unit_id = replica.unit_id

    @contextmanager
    def session(self, actor=None) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception.

        `actor` (an Actor, or None for the program itself) is named in the audit trail."""
        s = self._sessions()
        s.info["db"] = self
        s.info["actor"] = getattr(actor, "login", None) or "system"
        try:
            s.connection(execution_options={WRITE_OPTION: True})
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A write transaction that is always rolled back, success or not: an import's preview
        merges a package and checks the merged rows exactly as the import would, then keeps
        nothing (the write lock is taken up front, as for a session)."""
        s = self._sessions()
        s.info["db"] = self
        try:
            s.connection(execution_options={WRITE_OPTION: True})
            yield s
        finally:
            s.rollback()
            s.close()

    def read(self) -> Session:
        """A session for reading only (caller closes it, e.g. with `with db.read() as s`)."""
        return self._sessions()

    def bulk_insert(self, session: Session, model, rows: list[dict]) -> None:
        """Insert many synced rows at Core speed, stamped and recorded in the outbox.

        Rows of one call must share their keys. They go through the Core table insert, which
        sends None values as NULL: the ORM bulk path leaves None out and so splits the rows into
        one executemany batch per None pattern (thousands of small statements)."""
        if not rows:
            return
        outbox = []
        for row in rows:
            if "id" not in row:
                row["id"] = new_id()
            row["hlc"] = self.clock.now()
            row["origin"] = self.origin
            row.setdefault("deleted", False)
            outbox.append({"table_name": model.__tablename__, "row_id": row["id"], "hlc": row["hlc"]})
        session.execute(insert(model.__table__), rows)
        session.execute(insert(Outbox.__table__), outbox)
        session.info[_WROTE_SYNCED] = True
        _note_post_change(session, model.__tablename__)
        audit.append(session, session.info.get("actor", "system"), f"bulk-insert {len(rows)}",
                     model.__tablename__, rows[0]["id"], None,
                     audit.row_hash([[r["id"], r["hlc"]] for r in rows]))

    def dispose(self) -> None:
        self.engine.dispose()


@event.listens_for(Session, "before_flush")
def _stamp_synced_rows(session: Session, _ctx, _instances) -> None:
    db: Database | None = session.info.get("db")
    if db is None:
        return
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise RuntimeError("synced rows are never deleted: set deleted=True (tombstone)")
    changed = [o for o in session.new if isinstance(o, Synced)]
    changed += [o for o in session.dirty if isinstance(o, Synced) and session.is_modified(o)]
    # One outbox row per changed row per transaction: a row flushed again later in the same
    # transaction (e.g. a log inserted, then its content hash set) replaces its earlier outbox
    # row, so the outbox keeps no stale duplicates and the newest seq still holds the newest hlc.
    pending: dict = session.info.setdefault(_OUTBOX_PENDING, {})
    actor = session.info.get("actor", "system")
    for obj in changed:
        is_new = obj in session.new
        if not obj.id:
            obj.id = new_id()
        if obj.deleted is None:
            obj.deleted = False
        # A new version sorts after the one it replaces even when this PC's clock is behind the
        # one that wrote it: otherwise last-writer-wins would keep the older version elsewhere.
        obj.hlc = db.clock.receive(obj.hlc) if not is_new and obj.hlc else db.clock.now()
        obj.origin = db.origin
        key = (obj.__tablename__, obj.id)
        previous = pending.get(key)
        if previous is not None:
            if previous in session.new:
                session.expunge(previous)
            else:
                session.delete(previous)
        pending[key] = Outbox(table_name=obj.__tablename__, row_id=obj.id, hlc=obj.hlc)
        session.add(pending[key])
        session.info[_WROTE_SYNCED] = True
        before, after = audit.states_of(obj, is_new)
        action = "insert" if is_new else ("delete" if obj.deleted else "update")
        audit.append(session, actor, action, obj.__tablename__, obj.id, before, after)
        _note_post_change(session, obj.__tablename__)


_OUTBOX_PENDING = "outbox_rows_this_transaction"
_POSTS_CHANGED = "posts_changed_this_transaction"
_WROTE_SYNCED = "synced_rows_written_this_transaction"


def _note_post_change(session: Session, table: str) -> None:
    db = session.info.get("db")
    if table in post_history.POST_TABLES and db is not None and db.edition == "unit":
        session.info[_POSTS_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _record_posts(session: Session) -> None:
    """A commit that changed the roster or the charges also records who now holds which post
    (任职记录), so a review action can later be checked against the posts of its own time."""
    if session.info.get("db") is None:
        return
    session.flush()     # the changes still pending are noted by the flush
    if session.info.pop(_POSTS_CHANGED, False):
        post_history.record_changes(session, now_text())
        session.flush()


@event.listens_for(Session, "after_commit")
def _tell_write_listeners(session: Session) -> None:
    db: Database | None = session.info.get("db")
    if session.info.pop(_WROTE_SYNCED, False) and db is not None:
        db._wrote()


@event.listens_for(Session, "after_transaction_end")
def _forget_pending_outbox(session: Session, transaction) -> None:
    if transaction.parent is None:      # a rolled back transaction's writes tell no one
        session.info.pop(_WROTE_SYNCED, None)
    if transaction.parent is None or transaction.nested:
        session.info.pop(_OUTBOX_PENDING, None)
        session.info.pop(_POSTS_CHANGED, None)
        audit.forget_chain_head(session)


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")

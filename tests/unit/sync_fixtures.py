"""Helpers for sync tests: a 编办 with enrolled units built through the services, package
shortcuts, snapshots of replicas, and content hashes of databases.

`content_hash` reads every table row by row in primary-key order, so it says whether the
*content* of a database (and of a 编办's mirror files and attachment stores) changed, whatever
SQLite did to its pages, WAL or free lists.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from tests.signers import signed
from app.core.logrules import AttachmentRef, EntryDraft
from app.core.validators import make_credit_code
from app.db.engine import Database
from app.db.models import Person, WorkLog
from app.services.county import bureau as B
from app.services.county.mirrors import Mirrors, registered_units
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.logs import daily as logs
from app.services.review import queue as review
from app.services.org.actor import SYSTEM, Actor
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from app.sync import container
from app.sync.keys import KeyPair, PublicKeys
from app.sync.merge import SYNCED_TABLES, UNIT_PRIVATE, exported_columns
from app.sync.payload import read_payload

TODAY = dt.date(2026, 10, 30)          # the clock the logs are written against
DAYS = [dt.date(2026, 10, d) for d in (12, 13, 14, 15, 16)]   # working days (Mon–Fri)
BUREAU_NAME = "沂河县委编办"


def credit(i: int) -> str:
    """Valid credit codes: 0 is the 编办's, 1… the units'."""
    return make_credit_code("11371321", f"MB28{5103 + i:04d}")


# ---------------------------------------------------------------- content hashes
def _hash_database(path: Path, digest) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA query_only = 1")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            columns = [c[1] for c in info]
            pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5] > 0] or columns
            order = ", ".join(f'"{c}"' for c in pk)
            digest.update(f"\x00table {table} {columns}\n".encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
                digest.update(repr(row).encode())
                digest.update(b"\n")
    finally:
        conn.close()


def _hash_store(store: Path, digest) -> None:
    if store.is_dir():
        for f in sorted(p for p in store.rglob("*") if p.is_file()):
            digest.update(f"\x00file {f.relative_to(store).as_posix()} ".encode())
            digest.update(hashlib.sha256(f.read_bytes()).digest())


def databases_of(path: Path | str) -> list[Path]:
    """A database file and, for a 编办, its mirror files; a folder: every database in it."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*.sqlite") if p.is_file())
    found = [path]
    units = path.with_name(path.name + ".units")   # app.services.county.bureau.mirrors_dir
    if units.is_dir():
        found += sorted(units.glob("*.sqlite"))
    return found


def content_hash(path: Path | str) -> str:
    """SHA-256 over the rows of every table (primary-key order) of the database at `path` and of
    every mirror file of a 编办 database (or of every database under a folder), plus their
    attachment stores."""
    digest = hashlib.sha256()
    root = Path(path)
    for db_file in databases_of(root):
        name = db_file.relative_to(root).as_posix() if root.is_dir() else db_file.name
        digest.update(f"\x00database {name}\n".encode())
        _hash_database(db_file, digest)
        _hash_store(db_file.with_name(db_file.name + ".files"), digest)
    return digest.hexdigest()


# ---------------------------------------------------------------- replicas and rows
def synced_rows(db: Database, tables=None) -> dict[str, dict[str, tuple]]:
    """{table: {id: exported columns}} of the synced tables (the unit-private ones left out)."""
    wanted = tables or [t for t in SYNCED_TABLES if t not in UNIT_PRIVATE]
    result = {}
    with db.read() as s:
        conn = s.connection()
        for table in wanted:
            cols = exported_columns(table)
            quoted = ", ".join(f'"{c}"' for c in cols)
            result[table] = {r[0]: tuple(r) for r in conn.exec_driver_sql(
                f'SELECT id, {quoted} FROM "{table}"')}
    return result


def review_states(db: Database) -> dict[str, tuple]:
    """Derived review columns per log (recomputed locally on each side)."""
    with db.read() as s:
        return {r[0]: tuple(r[1:]) for r in s.execute(
            select(WorkLog.id, WorkLog.status, WorkLog.pending_level, WorkLog.approved_at))}


def snapshot(db: Database, dest: Path) -> Path:
    """A consistent copy of an open database (sqlite3 backup API), like a user's backup file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(db.path)
    out = sqlite3.connect(dest)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()
    files = db.files_dir
    if files.is_dir():
        shutil.copytree(files, dest.with_name(dest.name + ".files"), dirs_exist_ok=True)
    return dest


def restore(db: Database, backup: Path) -> Database:
    """Put a backup copy in place of the database file (as a user restoring a backup does) and
    open it again; `db` is closed."""
    db.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{db.path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db.path)
    store = backup.with_name(backup.name + ".files")
    if store.is_dir():
        shutil.rmtree(db.files_dir, ignore_errors=True)
        shutil.copytree(store, db.files_dir)
    return open_database(db.path)


# ---------------------------------------------------------------- package files
_CONTAINER_FIELDS = ("format", "suite", "body_length", "chunk_size", "sender_key", "ephemeral",
                     "salt", "recipient", "key_check")


def decrypt(path: Path, keys: KeyPair, sender: PublicKeys | None = None) -> tuple[dict, bytes]:
    """Header and plaintext payload of a package addressed to `keys`; the signature is checked
    against `sender` (default: the keys a 上报包 carries in its header)."""
    opened = container.read_header(path)
    container.verify(opened, sender or PublicKeys.from_dict(opened.header["sender_keys"]))
    return opened.header, b"".join(container.open_payload(opened, keys))


@dataclass
class Content:
    header: dict
    manifest: dict
    rows: list[list]
    files: dict[str, bytes]
    plain: bytes

    def table(self, name: str) -> list[dict]:
        cols = self.manifest["columns"].get(name, [])
        return [dict(zip(cols, r[1:])) for r in self.rows if r[0] == name]


def content_of(path: Path, keys: KeyPair, sender: PublicKeys | None = None) -> Content:
    header, plain = decrypt(path, keys, sender)
    items = list(read_payload(iter([plain])))
    rows = [row for what, item in items if what == "rows" for row in item]
    files = dict(item for what, item in items if what == "file")
    return Content(header, items[0][1], rows, files, plain)


def rewrap(path: Path, out: Path, keys: KeyPair, *, sign_key: KeyPair, recipient: PublicKeys,
           header: dict | None = None) -> Path:
    """The package at `path` written again with another header, signer or recipient (a real,
    correctly signed file: what a different program version or another 编办's unit would send)."""
    old, plain = decrypt(path, keys)
    fields = {k: v for k, v in old.items() if k not in _CONTAINER_FIELDS}
    fields.update(header or {})
    container.write_package(out, fields, [plain], sign_key=sign_key, recipient=recipient)
    return out


# ---------------------------------------------------------------- the world
@dataclass
class World:
    """A 编办 and the units it registered, each unit with its own database."""
    root: Path
    bureau: Database
    mirrors: Mirrors
    unit_ids: dict[str, str] = field(default_factory=dict)     # key → unit id
    units: dict[str, Database] = field(default_factory=dict)   # key → unit database
    usb: Path = None

    def mirror(self, key: str) -> Database:
        return self.mirrors.get(self.unit_ids[key])

    def close(self) -> None:
        self.mirrors.close()
        self.bureau.dispose()
        for db in self.units.values():
            db.dispose()

    # packages
    def report(self, key: str, **kw) -> Path:
        return unit_sync.export_report(self.units[key], self.usb, **kw).path

    def receive(self, *paths: Path, apply: bool = True):
        return B.import_packages(self.bureau, self.mirrors, list(paths), apply=apply)

    def dispatch(self, key: str, **kw) -> Path:
        return B.export_dispatch(self.bureau, self.mirrors, self.unit_ids[key], self.usb, **kw).path

    def unit_receives(self, key: str, *paths: Path, apply: bool = True):
        return unit_sync.import_dispatch(self.units[key], list(paths), apply=apply)


def new_bureau(path: Path) -> Database:
    db = open_database(path, create=True)
    initialise_unit(db, UnitSetup(BUREAU_NAME, credit(0), edition="bureau"))
    return db


def register(world: World, key: str, i: int, *, quotas=None, task_class=None, key_tasks=None,
             name: str | None = None) -> str:
    setup = UnitSetup(name or f"沂河县第{i}局", credit(i),
                      staffing_quotas=quotas or {"行政编制": 10, "事业编制": 3},
                      leader_posts={"正职": 1, "副职": 2})
    world.unit_ids[key] = B.register_unit(world.bureau, SYSTEM, setup, task_class=task_class,
                                          key_tasks=key_tasks)
    return world.unit_ids[key]


def enroll(world: World, key: str, path: Path) -> Database:
    """The unit's database made from its 单位注册包 (as the unit's first start does)."""
    file = enrollment.write_enrollment(world.bureau, world.mirrors, world.unit_ids[key], world.usb)
    db, _ = enrollment.create_from_enrollment(path, file.path, file.code)
    file.path.unlink()   # keep the USB folder for packages only
    world.units[key] = db
    return db


def add_people(db: Database, people: list[tuple[str, str, str]]) -> None:
    """(login, name, role) rows written as the unit admin would (stamped, outboxed)."""
    with db.session(SYSTEM) as s:
        for login, name, role in people:
            s.add(Person(unit_id=db.unit_id, name=name, login=login, role=role, status="在职",
                         staffing_type="行政编制"))


def actor_for(db: Database, login: str) -> Actor:
    with db.read() as s:
        p = s.scalar(select(Person).where(Person.login == login))
    return signed(db, Actor(p.id, p.login, p.name, p.role, p.section_id, p.is_admin))


def write_log(db: Database, login: str, day: dt.date, content: str = "审核食品经营许可申请材料12件",
              hours: float = 7.5, *, submit: bool = True, secret: bool = False,
              attachments: tuple[AttachmentRef, ...] = ()) -> str:
    entry = EntryDraft(hours=hours, category="业务工作", content=content, secret=secret,
                       attachments=attachments)
    return logs.save_day(db, actor_for(db, login), day, "正常", [entry], submit=submit,
                         today=TODAY).log_id


def approve(db: Database, reviewer: str, author: str, day: dt.date) -> None:
    review.approve(db, actor_for(db, reviewer), review.find_log(db, author, day), today=TODAY)


PEOPLE = [("ld", "王局长", "主要领导"), ("zs", "张三", "科室人员"), ("ls", "李四", "科室人员")]


def fill_unit(db: Database, tag: str) -> None:
    """A few people and logs: approved, pending and draft."""
    add_people(db, PEOPLE)
    for day in DAYS[:3]:
        write_log(db, "zs", day, f"{tag}：检查辖区超市食品经营情况（{day:%m月%d日}）")
        approve(db, "ld", "zs", day)
    write_log(db, "ls", DAYS[0], f"{tag}：办理市场主体登记变更8件")
    write_log(db, "ls", DAYS[1], f"{tag}：起草季度工作总结", submit=False)


def build_world(root: Path, keys=("a", "b")) -> World:
    """编办 + registered, enrolled and filled units (no packages exchanged yet)."""
    root.mkdir(parents=True, exist_ok=True)
    bureau = new_bureau(root / "county.sqlite")
    world = World(root, bureau, Mirrors(bureau), usb=root / "usb")
    world.usb.mkdir(exist_ok=True)
    for i, key in enumerate(keys, start=1):
        register(world, key, i, task_class="服务经济", key_tasks=5 + i)
        fill_unit(enroll(world, key, root / f"unit_{key}.sqlite"), key)
    return world


def reopen(root: Path, keys=("a", "b")) -> World:
    """The world saved under `root` (built by build_world and closed), opened again."""
    bureau = open_database(root / "county.sqlite")
    world = World(root, bureau, Mirrors(bureau), usb=root / "usb")
    for unit in registered_units(bureau):
        for key in keys:
            path = root / f"unit_{key}.sqlite"
            if path.exists() and key not in world.units:
                db = open_database(path)
                if db.unit_id == unit.unit_id:
                    world.units[key], world.unit_ids[key] = db, unit.unit_id
                    break
                db.dispose()
    return world


def table_hashes(path: Path | str) -> dict[str, str]:
    """content_hash per database file and table: says *what* changed when a hash differs."""
    result = {}
    root = Path(path)
    for db_file in databases_of(root):
        conn = sqlite3.connect(db_file)
        try:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        finally:
            conn.close()
        for table in tables:
            digest = hashlib.sha256()
            conn = sqlite3.connect(db_file)
            try:
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                    digest.update(repr(row).encode())
            finally:
                conn.close()
            result[f"{db_file.name}:{table}"] = digest.hexdigest()
    return result


def reported_world(tmp_path: Path):
    """A 编办 and one unit "a" whose first 上报包 was imported (the honest start of an attack
    test); closed afterwards. For a fixture: `yield from reported_world(tmp_path)`."""
    w = build_world(tmp_path / "w", keys=("a",))
    assert [r.status for r in w.receive(w.report("a"))] == ["imported"]
    yield w
    w.close()

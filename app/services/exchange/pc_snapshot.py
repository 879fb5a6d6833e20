"""Snapshots in the exchange folder: a new PC (or one away for long) starts from one, and change
files every PC has applied and a snapshot covers can be removed (compaction).

A snapshot is a whole replica (sqlite3 backup API, so consistent while the PC works), zstd-
compressed, in the package container: signed by the PC that made it, encrypted to the unit key —
it holds the unit's data and accounts. Its `covers` header says, per PC, up to which change file
the replica holds everything; the replica's own ledger knows exactly which files it applied, so a
PC joined from it goes on with the files after those (app.services.exchange.pc_sync).

The payload is a tar archive (header `layout`: "tar"): the replica as `replica.sqlite` and the
attachment store as `files/ab/abcdef…` — the change files a snapshot replaces carried the
attachment bytes, so a PC joined from it must find them in the snapshot. (A snapshot without
`layout` is the bare replica, as the first ones were written.)
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

import zstandard
from sqlalchemy import select

from app.core.errors import AppError
from app.core.ids import new_id
from app.db.engine import Database, now_text
from app.db.models import PackageLedger
from app.db.migrate import head_revision
from app.paths import private_dir, private_open
from app.services.exchange import pc_sync
from app.services.org.setup import open_database
from app.sync import container, ledger, pc_folder as F
from app.sync.keys import KeyPair

KIND = "pc-snapshot"
SUFFIX = ".lzks"
PIECE = 1 << 20
LAYOUT = "tar"
REPLICA = "replica.sqlite"
_STORED = re.compile(r"files/([0-9a-f]{2})/(\1[0-9a-f]{62})\Z")    # files/ab/ab…: one attachment


def _covers(db: Database, folder: Path) -> dict[str, int]:
    """Per PC, the change file up to which this replica holds everything (its own: all written)."""
    covers = {}
    for origin in F.pcs(folder):
        if origin == db.origin:
            files = F.change_files(folder, origin)
            covers[origin] = files[-1][0] if files else 0
            continue
        done, top = pc_sync.applied_seqs(db, origin), 0
        while top + 1 in done:
            top += 1
        covers[origin] = top
    return covers


def write_snapshot(db: Database, folder: Path | str, *, pc_keys: KeyPair, unit_keys: KeyPair) -> Path:
    """This PC's replica as a snapshot in <folder>/snapshots/ (sync first: it should be current)."""
    folder = Path(folder)
    covers = _covers(db, folder)
    with tempfile.TemporaryDirectory() as spool:
        copy = Path(spool) / "replica.sqlite"
        src, out = sqlite3.connect(db.path), sqlite3.connect(copy)
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
        archive = Path(spool) / "snapshot.tar"
        with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(copy, REPLICA)
            for sha, path in _stored_files(db.files_dir):
                tar.add(path, f"files/{sha[:2]}/{sha}")
        when = dt.datetime.now()
        path = folder / F.SNAPSHOTS / f"{when:%Y%m%d-%H%M%S}-{db.origin}{SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"kind": KIND, "package_id": new_id(), "seq": 0, "sender": db.origin,
                  "schema": head_revision(), "created_at": when.isoformat(timespec="seconds"),
                  "covers": covers, "layout": LAYOUT}
        with open(archive, "rb") as raw:
            compressed = zstandard.ZstdCompressor(level=3).read_to_iter(raw, read_size=PIECE)
            container.write_package(path, header, compressed, sign_key=pc_keys,
                                     recipient=unit_keys.public())
    return path


def _stored_files(files_dir: Path) -> list[tuple[str, Path]]:
    """(sha, path) of every attachment in the store (its temporary .part files left out)."""
    if not files_dir.is_dir():
        return []
    return sorted((p.name, p) for p in files_dir.glob("??/*")
                  if p.is_file() and _STORED.match(f"files/{p.parent.name}/{p.name}"))


def newest_snapshot(folder: Path | str) -> Path | None:
    found = sorted((Path(folder) / F.SNAPSHOTS).glob(f"*{SUFFIX}"))
    return found[-1] if found else None


def join_from_snapshot(folder: Path | str, dest: Path, *, unit_keys: KeyPair, name: str) -> Database:
    """A new PC's replica at `dest` from the newest snapshot in the folder, with an origin of its
    own; the next sync applies the change files written after the snapshot."""
    folder = Path(folder)
    path = newest_snapshot(folder)
    if path is None:
        raise AppError(f"交换文件夹中还没有数据快照：请先在管理员电脑上同步并生成快照（{folder}）")
    if Path(dest).exists():
        raise AppError(f"本机已有数据库文件，不能覆盖：{dest}")
    opened = container.read_header(path)
    header = opened.header
    card = F.read_card(folder, str(header.get("sender", "")), unit_keys.public())
    if header.get("kind") != KIND or card is None:
        raise AppError(f"数据快照{path.name}不是本单位电脑生成的，不能使用")
    container.verify(opened, card.keys)
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    try:
        with open(part, "wb") as out:
            writer = zstandard.ZstdDecompressor().stream_writer(out, closefd=False)
            for piece in container.open_payload(opened, unit_keys):
                writer.write(piece)
            writer.flush()
        if header.get("layout") == LAYOUT:
            _unpack(part, dest)
        else:
            part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    db = open_database(dest)
    pc_sync.become_new_pc(db, name)
    _mark_covered(db, folder, str(header["sender"]), int((header.get("covers") or {}).get(header["sender"], 0)))
    return db


def _mark_covered(db: Database, folder: Path, maker: str, upto: int) -> None:
    """The snapshot maker's own change files up to `upto` are in the replica already (a PC never
    applies its own files, so its ledger does not list them): recorded as applied here, so the
    new PC does not read them all again on its first round."""
    with db.session() as s:
        done = set(s.scalars(select(PackageLedger.seq).where(PackageLedger.sender == maker)))
        for seq, path in F.change_files(folder, maker):
            if seq > upto or seq in done:
                continue
            header = container.read_header(path).header
            ledger.record(s, sender=maker, seq=seq, package_id=str(header.get("package_id", "")),
                          kind=F.KIND, base=int(header.get("base", 0)), upto=int(header.get("upto", 0)),
                          created_at=str(header.get("created_at", ""))[:19], imported_at=now_text(),
                          file_name=f"{maker}/{path.name}", rows=0, note="数据快照已包含")


def _unpack(archive: Path, dest: Path) -> None:
    """The replica and the attachment store out of a snapshot's tar archive (only those names:
    nothing else of an archive is written anywhere)."""
    files_dir = dest.with_name(dest.name + ".files")
    replica = dest.with_name(dest.name + ".replica.part")
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar:
                stored = _STORED.match(member.name)
                if not member.isfile() or (member.name != REPLICA and not stored):
                    continue
                if member.name == REPLICA:
                    target = replica
                else:
                    target = private_dir(private_dir(files_dir) / stored[1]) / stored[2]
                with tar.extractfile(member) as src, private_open(target) as out:
                    shutil.copyfileobj(src, out, PIECE)
                    out.flush()
                    os.fsync(out.fileno())
        if not replica.exists():
            raise AppError("数据快照中没有数据库，不能使用")
        replica.replace(dest)
    finally:
        replica.unlink(missing_ok=True)


def compact(folder: Path | str, *, unit_keys: KeyPair) -> int:
    """Remove the change files the newest snapshot covers and every PC (but a retired one) has
    applied; returns how many. A PC away for long keeps its files from going (it has not
    acknowledged them) until the admin retires it; it then rejoins from a snapshot.

    The older snapshots go too: they cover less than the newest, so a PC joined from one would
    miss the change files removed here — and kept, one per compaction, they would make the
    folder grow more than the change files they replace."""
    folder = Path(folder)
    path = newest_snapshot(folder)
    if path is None:
        return 0
    covers = container.read_header(path).header.get("covers") or {}
    origins = [o for o in F.pcs(folder) if F.read_card(folder, o, unit_keys.public())]
    removed = 0
    for origin in origins:
        limit = covers.get(origin, 0) if type(covers.get(origin, 0)) is int else 0
        for reader in origins:
            if reader != origin and F.read_retirement(folder, reader, unit_keys.public()) is None:
                limit = min(limit, F.read_ack(folder, reader).get(origin, 0))
        for seq, file in F.change_files(folder, origin):
            if seq <= limit:
                file.unlink(missing_ok=True)
                removed += 1
    for older in sorted((folder / F.SNAPSHOTS).glob(f"*{SUFFIX}")):
        if older != path:
            try:
                older.unlink(missing_ok=True)
            except OSError:         # being read on another PC (a share may refuse): next time
                pass
    return removed

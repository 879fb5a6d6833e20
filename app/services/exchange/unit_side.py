"""The unit edition's side of sync: 上报包 out to the 编办, 下发包 in from it."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.engine import Database, now_text
from app.db.models import Peer, SyncKey
from app.sync import codes, container
from app.sync.keys import generate
from app.services.exchange import keystore, packages as P
from app.services.org.actor import SYSTEM, Actor
from app.services.org.setup import unit_of
from app.sync.merge import UNIT_PRIVATE, SenderRule
from app.db.models import PackageLedger
from app.services.county.bureau import LedgerLine


def bureau_peer(db: Database) -> Peer | None:
    """The 编办 this unit was enrolled by (None for a unit set up on its own)."""
    with db.read() as s:
        return s.scalar(select(Peer).where(Peer.kind == "bureau"))


def _require(db: Database, actor: Actor) -> Peer:
    if db.edition != "unit":
        raise AppError("上报包只能由单位版导出")
    if not actor.is_admin:
        raise PermissionDenied("导出、导入同步包需要单位管理员权限")
    peer = bureau_peer(db)
    if peer is None:
        raise AppError("本单位尚未加入编办，不能与编办交换数据：请编办登记本单位并生成单位注册包，"
                       "再在“数据交换”页点“导入编办的单位注册包…”（或命令 join-bureau）导入，已有数据全部保留")
    return peer


def export_report(db: Database, out_dir: Path, *, actor: Actor = SYSTEM, full: bool = False,
                  now: Callable[[], dt.datetime] = dt.datetime.now) -> P.ExportResult:
    """The 上报包: every change the 编办 has not acknowledged yet (full=True: everything). Its
    header carries this unit's public keys and their proof of the one-time code, with which the
    编办 registers them from the first package it imports. `now`: when it is made (its header's
    created_at; the county demo dates a unit's package back)."""
    peer = _require(db, actor)
    keys = P.ensure_keys(db)
    unit = unit_of(db)
    extra = {"sender_keys": keys.public().to_dict()}
    with db.read() as s:
        proof = s.get(SyncKey, 1).enroll_proof
    if proof:
        extra["enroll_proof"] = proof
    return P.export_to(db, peer.peer_id, out_dir, kind=P.KIND_REPORT, keys=keys, sender_id=unit.id,
                       sender_name=unit.name, file_unit_name=unit.name, skip=UNIT_PRIVATE,
                       extra_header=extra, full=full, actor=actor, now=now)


def rekey(db: Database, code: str, *, actor: Actor = SYSTEM) -> str:
    """After the 编办 revoked this unit's key (or had no pending code for it) and gave a new
    one-time code: a new key pair, with its proof of that code, replaces the old one; the next
    上报包 registers it. Always a new pair — the revoked key may be the one that leaked, and the
    编办 refuses whatever it signs from now on. Returns the new fingerprint (to confirm by
    phone). Packages the 编办 encrypted to the old key can no longer be opened here: the 编办's
    next 下发包 repeats every change this unit has not acknowledged."""
    _require(db, actor)
    code_keys = codes.derive(code, db.unit_id)      # CodeError: malformed, with what is wrong
    P.ensure_keys(db)
    fresh = generate()
    with db.session(actor) as s:
        row = s.get(SyncKey, 1)
        before = row.fingerprint
        row.secret = keystore.stored_form(db, fresh, row.secret)
        row.fingerprint = fresh.public().fingerprint()
        row.created_at = now_text()
        row.enroll_proof = codes.prove(code_keys, fresh.public())
        audit.append(s, s.info.get("actor", "system"), "rekey", "sync_key", "1",
                     audit.row_hash({"fingerprint": before}), audit.row_hash({"fingerprint": row.fingerprint}))
    return fresh.public().fingerprint()


def ledger_lines(db: Database):
    """The packages this unit received from its 编办 (注册包, 下发包), newest first."""
    peer = bureau_peer(db)
    with db.read() as s:
        # (the change files of the unit's other PCs are in the ledger too: not from the 编办)
        rows = s.scalars(select(PackageLedger).where(PackageLedger.kind != "pc-change")
                         .order_by(PackageLedger.id.desc())).all()
    return [LedgerLine(peer.name if peer else "", r.seq, P.KIND_NAMES.get(r.kind, r.kind), r.created_at,
                       r.imported_at, r.rows, r.note, r.file_name,
                       container.suite_label(r.suite) if r.suite else "") for r in rows]


def import_dispatch(db: Database, paths: Iterable[Path], *, apply: bool,
                    actor: Actor = SYSTEM) -> list[P.PackageResult]:
    """Preview or import 下发包 files from the 编办, in sequence order."""
    peer = _require(db, actor)
    keys = P.ensure_keys(db)
    opened, results = P.open_packages(
        paths, P.KIND_DISPATCH,
        lambda h: None if h["sender"] == peer.peer_id
        else f"此包来自“{h['sender_name']}”，不是本单位登记的编办“{peer.name}”")
    previewed: list = []
    for package, result in opened:
        started = time.perf_counter()
        try:
            P.receive(db, peer.peer_id, package, keys, SenderRule(peer.origin, from_bureau=True),
                      result, apply=apply, actor=actor, previewed=None if apply else previewed)
        except P.FORMAT_ERRORS as exc:
            P.reject(result, exc)
        result.seconds = time.perf_counter() - started
    return results

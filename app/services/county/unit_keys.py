"""The 编办's hold on each unit's key: one-time registration codes and revocation
(docs/ARCHITECTURE.md "Registering a unit's key").

A unit's key is registered when the 编办 imports the unit's first 上报包 — only if the package
proves the one-time code the 编办 issued for that unit (app.sync.codes); that import spends the
code. A code is issued with every 单位注册包 and by `revoke_key`, which also forgets the unit's
registered key: the packages it signed are refused from then on, and the next package proving
the new code registers the unit's new key.

The mirror holds what an import checks (the code's public verifier, the revoked keys) so that the
check, the registration and the spending of the code are one transaction; the register in the
编办's own database shows the state (fingerprint, code issued at). Both audit trails record each
act.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.engine import Database, now_text
from app.db.models import Peer, RevokedKey
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org.actor import SYSTEM, Actor
from app.sync import codes


@dataclass
class IssuedCode:
    unit_id: str
    unit_name: str
    code: str                         # shown once, never stored
    revoked: str | None = None        # fingerprint of the key revoked with it


def _unit(db: Database, unit_id: str):
    unit = next((u for u in registered_units(db) if u.unit_id == unit_id), None)
    if unit is None:
        raise AppError("该单位未登记")
    return unit


def registered_key(mirrors: Mirrors, unit_id: str) -> str | None:
    """The fingerprint of the unit's registered key (the mirror's, which imports check)."""
    with mirrors.get(unit_id).read() as s:
        return s.get(Peer, unit_id).fingerprint


def store_code(db: Database, mirrors: Mirrors, unit_id: str, keys: codes.CodeKeys, actor: Actor,
               *, revoke_reason: str | None = None) -> str | None:
    """Make `keys`' code the unit's pending one (replacing any earlier one). With revoke_reason
    (not None) the registered key is revoked in the same transaction; returns its fingerprint."""
    login = getattr(actor, "login", None) or "system"
    when = now_text()
    revoked = None
    with mirrors.get(unit_id).session(actor) as s:
        peer = s.get(Peer, unit_id)
        if revoke_reason is not None and peer.public_keys is not None:
            revoked = peer.fingerprint
            s.add(RevokedKey(peer_id=unit_id, fingerprint=peer.fingerprint, public_keys=peer.public_keys,
                             revoked_at=when, revoked_by=login, reason=revoke_reason))
            audit.append(s, login, "revoke-key", "peer", unit_id,
                         audit.row_hash({"fingerprint": revoked, "public_keys": peer.public_keys}), None)
            peer.public_keys = peer.fingerprint = None
        elif peer.public_keys is not None:
            raise AppError(f"“{peer.name}”已注册了密钥（指纹{peer.fingerprint}），注册码只用于首次注册：单位重装、"
                           "密钥泄露或被冒用时，请先撤销该单位的密钥（会同时发放新注册码）")
        peer.enroll_verifier, peer.code_issued_at = keys.verifier(), when
        audit.append(s, login, "issue-code", "peer", unit_id, None,
                     audit.row_hash({"verifier": peer.enroll_verifier, "issued_at": when}))
    with db.session(actor) as s:
        peer = s.get(Peer, unit_id)
        if revoked is not None:
            audit.append(s, login, "revoke-key", "peer", unit_id,
                         audit.row_hash({"fingerprint": revoked, "reason": revoke_reason}), None)
            peer.fingerprint = None
        peer.code_issued_at = when
        audit.append(s, login, "issue-code", "peer", unit_id, None,
                     audit.row_hash({"verifier": keys.verifier(), "issued_at": when}))
    return revoked


def revoke_key(db: Database, mirrors: Mirrors, unit_id: str, *, actor: Actor = SYSTEM,
               reason: str = "") -> IssuedCode:
    """Forget the unit's registered key (if any) and issue a new one-time code for it. The unit
    types the code into its 数据交换 page (or `rekey --code`), which makes it a new key pair; its
    next 上报包 then registers that key. Packages signed by the revoked key are refused."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("撤销单位密钥需要编办管理员权限")
    unit = _unit(db, unit_id)
    code = codes.new_code()
    revoked = store_code(db, mirrors, unit_id, codes.derive(code, unit_id), actor,
                         revoke_reason=reason.strip())
    return IssuedCode(unit_id, unit.name, code, revoked)


@dataclass
class Revocation:
    fingerprint: str
    revoked_at: str
    revoked_by: str
    reason: str


def revocations(mirrors: Mirrors, unit_id: str) -> list[Revocation]:
    with mirrors.get(unit_id).read() as s:
        rows = s.scalars(select(RevokedKey).where(RevokedKey.peer_id == unit_id).order_by(RevokedKey.id))
        return [Revocation(r.fingerprint, r.revoked_at, r.revoked_by, r.reason) for r in rows]


def key_state(fingerprint: str | None, code_issued_at: str | None) -> str:
    """A register line's key column in words."""
    if fingerprint:
        return fingerprint
    if code_issued_at:
        return f"待注册（注册码{code_issued_at[:16].replace('T', ' ')}发出，等待单位首个上报包）"
    return "尚未发注册码"


def sync_register(db: Database, unit_id: str, mirror: Database) -> None:
    """The register shows the key fingerprint and code state the unit's mirror holds. Compared
    after every import, not only a first one: an import killed between the mirror's commit and
    this copy is repaired by the next import of any package of that unit (e.g. the same file
    again). A key that appears is audited as registered in the 编办's own trail too."""
    with mirror.read() as s:
        peer = s.get(Peer, unit_id)
        fingerprint, issued, keys = peer.fingerprint, peer.code_issued_at, peer.public_keys
    with db.read() as s:
        row = s.get(Peer, unit_id)
        if (row.fingerprint, row.code_issued_at) == (fingerprint, issued):
            return
    with db.session() as s:
        row = s.get(Peer, unit_id)
        if fingerprint and row.fingerprint != fingerprint:
            audit.append(s, "system", "register-key", "peer", unit_id,
                         audit.row_hash({"fingerprint": row.fingerprint}) if row.fingerprint else None,
                         audit.row_hash({"fingerprint": fingerprint, "public_keys": json.loads(keys)}))
        row.fingerprint, row.code_issued_at = fingerprint, issued

"""Receiving one unit's 上报包 into its mirror, shared by the one-by-one import (bureau) and the
worker processes of a folder import (import_pool)."""
from __future__ import annotations

from typing import Collection

from app.db.engine import Database
from app.db.models import Peer
from app.services.exchange import packages as P
from app.services.org.actor import Actor
from app.sync import container
from app.sync.keys import KeyFormatError, KeyPair, PublicKeys
from app.sync.merge import SenderRule


def receive_report(mirror: Database, unit_id: str, package: container.OpenedPackage, keys: KeyPair,
                   bureau_origin: str, result: P.PackageResult, *, apply: bool, actor: Actor,
                   previewed: list | None = None, confirmed_keys: Collection[str] | None = None) -> None:
    """Check or merge one 上报包 into the unit's mirror; a refused package is recorded in result.
    `previewed`, `confirmed_keys`: see packages.receive."""
    try:
        P.receive(mirror, unit_id, package, keys, SenderRule(bureau_origin, from_bureau=False), result,
                  apply=apply, actor=actor, new_peer_keys=first_key(mirror, unit_id, package.header),
                  previewed=previewed, confirmed_keys=confirmed_keys)
    except P.FORMAT_ERRORS as exc:
        P.reject(result, exc)


def first_key(mirror: Database, unit_id: str, header: dict) -> PublicKeys | None:
    """The keys a unit's first package brings (None once the mirror knows the unit's keys)."""
    with mirror.read() as s:
        if s.get(Peer, unit_id).public_keys is not None:
            return None
    try:
        return PublicKeys.from_dict(header.get("sender_keys") or {})
    except KeyFormatError as exc:   # a damaged header: refuse this file, import the others
        raise container.PackageError("header", f"同步包包头中的单位公钥损坏（{exc}）") from None

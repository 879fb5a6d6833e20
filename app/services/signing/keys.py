"""Each person's signing key: made at their first login with a password only they know, sealed
under that password, resealed when they change it, replaced when the admin resets it.

A password set by someone else (a new account, a roster import's initial password, an admin's
reset) drops the sealed key; the next login makes a new one. The old `person_key` rows stay, so
everything signed before still verifies.
"""
from __future__ import annotations

from sqlalchemy import select

from app.core.signing import SealError, Signer, new_private_key, public_text, seal, unseal
from app.db.engine import now_text
from app.db.models import Credential, PersonKey


def _newest_key_id(s, person_id: str, public: str) -> str | None:
    return s.scalar(select(PersonKey.id).where(PersonKey.person_id == person_id,
                                               PersonKey.public_key == public,
                                               PersonKey.deleted.is_(False)).limit(1))


def provision(s, cred: Credential, password: str) -> Signer:
    """A new key for the credential's person, sealed under `password`."""
    private = new_private_key()
    key = PersonKey(person_id=cred.person_id, public_key=public_text(private), created_at=now_text())
    s.add(key)
    s.flush()
    cred.sealed_key = seal(private, password)
    return Signer(cred.person_id, key.id, private)


def unlock(s, cred: Credential, password: str) -> Signer:
    """The person's key (made now if they have none), the password already checked. A sealed
    key that does not open or whose public half is not on the roster any more is replaced: the
    person can still sign from now on; what they signed before keeps its own key row."""
    if cred.sealed_key:
        try:
            private = unseal(cred.sealed_key, password)
        except SealError:
            private = None
        if private is not None:
            key_id = _newest_key_id(s, cred.person_id, public_text(private))
            if key_id is not None:
                return Signer(cred.person_id, key_id, private)
    return provision(s, cred, password)


def reseal(cred: Credential, old: str, new: str) -> None:
    """The same key under a new password (the person changed it and knew the old one)."""
    if not cred.sealed_key:
        return
    try:
        cred.sealed_key = seal(unseal(cred.sealed_key, old), new)
    except SealError:
        cred.sealed_key = None      # made anew at the next login


def forget(cred: Credential) -> None:
    """The password was set by someone else: the next login makes a new key."""
    cred.sealed_key = None

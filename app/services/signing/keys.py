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


def open_key(sealed_key: str | None, password: str):
    """The private key sealed under `password`, or None (no key, or it does not open). Needs no
    session: callers open it before taking the write lock (argon2id costs ~0.1 s)."""
    if not sealed_key:
        return None
    try:
        return unseal(sealed_key, password)
    except SealError:
        return None


_NOT_OPENED = object()


def unlock(s, cred: Credential, password: str, opened=_NOT_OPENED) -> Signer:
    """The person's key (made now if they have none), the password already checked; `opened` is
    open_key(cred.sealed_key, password) when the caller already has it. A sealed key that does
    not open or whose public half is not on the roster any more is replaced: the person can
    still sign from now on; what they signed before keeps its own key row."""
    private = open_key(cred.sealed_key, password) if opened is _NOT_OPENED else opened
    if private is not None:
        key_id = _newest_key_id(s, cred.person_id, public_text(private))
        if key_id is not None:
            return Signer(cred.person_id, key_id, private)
    return provision(s, cred, password)


def resealed(sealed_key: str | None, old: str, new: str) -> tuple[str | None, object]:
    """(the same key sealed under the new password, the opened key) for a person who changed a
    password they knew; (None, None) when there was no key or it did not open (made anew at the
    next login). Needs no session, like open_key."""
    private = open_key(sealed_key, old)
    return (None, None) if private is None else (seal(private, new), private)


def forget(cred: Credential) -> None:
    """The password was set by someone else: the next login makes a new key."""
    cred.sealed_key = None

"""Actors that can sign, for tests that build an Actor without logging in (the program's own
way is accounts.login, which unlocks the person's key)."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from app.db.models import Credential
from app.services.org.actor import Actor
from app.services.signing import keys as person_keys

KEY_PASSWORD = "abc12345"


def signed(db, actor: Actor) -> Actor:
    """`actor` holding its person's key (made now, sealed under KEY_PASSWORD, when it has none
    that opens with it)."""
    if not actor.person_id:
        return actor
    with db.session() as s:
        cred = s.scalar(select(Credential).where(Credential.person_id == actor.person_id))
        if cred is None:
            from app.services.org.accounts import hash_password
            cred = Credential(person_id=actor.person_id, password_hash=hash_password(KEY_PASSWORD),
                              must_change=False)
            s.add(cred)
            s.flush()
        signer = person_keys.unlock(s, cred, KEY_PASSWORD)
    return dataclasses.replace(actor, signer=signer)

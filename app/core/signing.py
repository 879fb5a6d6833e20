"""Personal signatures: what a person signs, how it is sealed under their password, how it is
checked (docs/ARCHITECTURE.md "Signatures").

A statement is one person's signature over canonical item lines — one line per log submitted
(`submit_item`) or per review action taken (`review_item`). A line names everything that decides
whether a log counts: the log, its author, day, submission round, version and content hash (the
hash of its entries, app.core.logrules.content_hash); for an action also its level, verdict and
whether it completed the chain. Editing any of these by hand, or the entries behind the hash,
leaves a line no statement signed.

The private key is sealed with AES-GCM under a key derived from the password with argon2id, so
a copy of the database file does not let anyone sign as the person.

Two algorithms sign (the county's 通用/国密 choice, app.services.exchange.suite_choice): Ed25519
over the items' SHA-256 (ALG_ED25519), or SM2 over their SM3 (ALG_SM2, app.core.gm). The SM2 key
is derived from the Ed25519 one (HKDF-SM3: no second secret to seal) and endorsed by it (an
Ed25519 signature over its public key), so trust stays in the key the roster carries.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.core import gm
from app.core.errors import AppError

SUBMIT, REVIEW = "submit", "review"
ALG_ED25519, ALG_SM2 = "ed25519", "sm2"
_DOMAIN = b"lzkp-statement-v1\n"
_DOMAIN_SM2 = b"lzkp-statement-sm2-v1\n"
_SM2_DERIVATION = b"lzkp-person-sm2-v1"
_SM2_ENDORSEMENT = b"lzkp-person-sm2-endorsement-v1\x00"
_SEAL_AD = b"lzkp-sealed-key-v1"
# argon2id cost of sealing: RFC 9106's second recommended option scaled to an office PC
# (64 MiB, 3 passes: ~0.1 s); stored with each sealed key so it can be raised later.
SEAL_COST = {"memory_cost": 65536, "iterations": 3, "lanes": 4}


class SealError(AppError):
    """A sealed key could not be opened (wrong password or damaged)."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return None


# ---------------------------------------------------------------- what is signed
def submit_item(log_id: str, person_id: str, day: str, round_: int, version: int,
                content_hash: str | None) -> str:
    return "\t".join(("S", log_id, person_id, day, str(round_), str(version), content_hash or ""))


def review_item(action_id: str, log_id: str, round_: int, version: int, content_hash: str | None,
                level: int, action: str, final: bool, reviewer_id: str,
                on_behalf_of: str | None) -> str:
    return "\t".join(("R", action_id, log_id, str(round_), str(version), content_hash or "",
                      str(level), action, "1" if final else "0", reviewer_id, on_behalf_of or ""))


def items_text(items: list[str]) -> str:
    return "\n".join(items)


def message(statement_id: str, person_id: str, key_id: str, kind: str, created_at: str,
            items: str, alg: str | None = ALG_ED25519) -> bytes:
    """The bytes a statement's signature covers: the items by their SHA-256 (Ed25519) or by
    their SM3 (SM2), under a domain string of their own."""
    if alg == ALG_SM2:
        domain, digest = _DOMAIN_SM2, gm.sm3(items.encode("utf-8")).hex()
    else:
        domain, digest = _DOMAIN, hashlib.sha256(items.encode("utf-8")).hexdigest()
    return domain + "\n".join((statement_id, person_id, key_id, kind, created_at, digest)).encode()


# ---------------------------------------------------------------- signing and checking
@dataclass(frozen=True)
class Signer:
    """A person's unsealed key, held by their logged-in Actor."""
    person_id: str
    key_id: str
    private: Ed25519PrivateKey = field(repr=False)

    def sign(self, statement_id: str, kind: str, created_at: str, items: str,
             alg: str = ALG_ED25519) -> str:
        msg = message(statement_id, self.person_id, self.key_id, kind, created_at, items, alg)
        if alg == ALG_SM2:
            return _b64(gm.sign(self.sm2_private(), msg))
        return _b64(self.private.sign(msg))

    def sm2_private(self) -> bytes:
        return sm2_private_of(self.private)

    def sm2_public(self) -> str:
        """Base64 of the derived SM2 public key (65 bytes 04‖x‖y)."""
        return _b64(gm.public_of(self.sm2_private()))

    def sm2_endorsement(self) -> str:
        """Base64 of this key's Ed25519 signature over the derived SM2 public key."""
        return _b64(self.private.sign(_SM2_ENDORSEMENT + gm.public_of(self.sm2_private())))


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_text(private: Ed25519PrivateKey) -> str:
    return _b64(private.public_key().public_bytes_raw())


def signature_valid(public_key: str, signature: str, msg: bytes) -> bool:
    raw_key, raw_sig = _unb64(public_key), _unb64(signature)
    if raw_key is None or raw_sig is None or len(raw_key) != 32 or len(raw_sig) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_sig, msg)
    except (InvalidSignature, ValueError):
        return False
    return True


def sm2_private_of(private: Ed25519PrivateKey) -> bytes:
    """The person's SM2 key, derived from their Ed25519 one (HKDF-SM3 with its own info)."""
    return gm.private_from_seed(private.private_bytes_raw(), _SM2_DERIVATION)


def sm2_endorsed(public_key: str, sm2_public: str | None, endorsement: str | None) -> bool:
    """True when `endorsement` is the Ed25519 key `public_key`'s signature over `sm2_public`,
    a point on the SM2 curve (all base64)."""
    raw_sm2 = _unb64(sm2_public)
    if raw_sm2 is None or not gm.valid_public(raw_sm2) or endorsement is None:
        return False
    return signature_valid(public_key, endorsement, _SM2_ENDORSEMENT + raw_sm2)


def sm2_signature_valid(sm2_public: str, signature: str, msg: bytes) -> bool:
    return sm2_signatures_valid([(sm2_public, signature, msg)])[0]


def sm2_signatures_valid(items: list[tuple[str, str, bytes]]) -> list[bool]:
    """sm2_signature_valid of each (SM2 public key, signature, message), at once: the verifier
    may use every core (gm.verify_many)."""
    decoded = [(_unb64(key), _unb64(sig), msg) for key, sig, msg in items]
    usable = [i for i, (key, sig, _) in enumerate(decoded) if key is not None and sig is not None
              and len(sig) == gm.SIGNATURE_LENGTH and gm.valid_public(key)]
    results = [False] * len(items)
    for i, ok in zip(usable, gm.verify_many([(decoded[i][0], decoded[i][2], decoded[i][1])
                                             for i in usable])):
        results[i] = ok
    return results


# ---------------------------------------------------------------- sealing under a password
def derive(password: str, salt: bytes, cost: dict) -> bytes:
    return Argon2id(salt=salt, length=32, **cost).derive(password.encode("utf-8"))


def seal_bytes(raw: bytes, password: str, *, derived: tuple[bytes, bytes] | None = None,
               cost: dict | None = None) -> str:
    """JSON text of `raw` sealed under `password`. `derived`: (salt, key) already derived from
    the password with `cost` (the demo seals a county's people under one password, derived once)."""
    cost = dict(cost or SEAL_COST)
    if derived is None:
        salt = os.urandom(16)
        key = derive(password, salt, cost)
    else:
        salt, key = derived
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, raw, _SEAL_AD)
    return json.dumps({"v": 1, "kdf": "argon2id", **cost, "salt": _b64(salt), "nonce": _b64(nonce),
                       "sealed": _b64(sealed)}, sort_keys=True)


def is_sealed(text: str | None) -> bool:
    try:
        return isinstance(text, str) and json.loads(text).get("kdf") == "argon2id"
    except (ValueError, AttributeError):
        return False


def unseal_bytes(text: str, password: str, what: str = "个人签名密钥") -> bytes:
    try:
        data = json.loads(text)
        cost = {k: int(data[k]) for k in ("memory_cost", "iterations", "lanes")}
    except (TypeError, ValueError, KeyError):
        raise SealError(f"{what}已损坏") from None
    salt, nonce, sealed = (_unb64(data.get(k)) for k in ("salt", "nonce", "sealed"))
    if data.get("kdf") != "argon2id" or not salt or not nonce or not sealed:
        raise SealError(f"{what}已损坏")
    try:
        return AESGCM(derive(password, salt, cost)).decrypt(nonce, sealed, _SEAL_AD)
    except InvalidTag:
        raise SealError(f"{what}无法用此密码打开") from None


def seal(private: Ed25519PrivateKey, password: str, **options) -> str:
    return seal_bytes(private.private_bytes_raw(), password, **options)


def unseal(text: str, password: str) -> Ed25519PrivateKey:
    raw = unseal_bytes(text, password)
    try:
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        raise SealError("个人签名密钥已损坏，请联系单位管理员重置密码") from None

"""One-time registration codes (注册码): what makes a unit's first key trustworthy to its 编办.

The 编办 makes a code when it writes a unit's 单位注册包 (or revokes the unit's key), shows it
once and hands it to the unit apart from the file. Everything else comes from the code:

- a 32-byte key the 注册包's payload is encrypted to (`CodeKeys.box`), so a copy of the file
  without the code is useless;
- an Ed25519 key pair (`CodeKeys.proof`) whose private half only someone who knows the code can
  make. The unit signs its own public keys with it (`prove`); the 编办 keeps only the public half
  (`CodeKeys.verifier()`) and registers a unit's first key only when that signature verifies
  (`check_proof`). A copy of the 编办's database therefore cannot forge a proof either.

Derivation: argon2id(code, salt = SHA-256(domain + unit id)[:16]), 64 MiB × 3 passes × 4 lanes
(the cost of a password, docs/ARCHITECTURE.md "Signatures"), then HKDF-SHA256 for each use. The
salt is fixed per unit, so a code typed in alone (after a revocation, no file) derives the same
keys at both ends.

A code is 20 characters from a 32-letter alphabet without 0/O and 1/I, shown in five groups of
four: 19 random characters (95 bits) and one check character (5 bits of SHA-256), which catches
almost every typo before anything is derived.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.errors import AppError
from app.sync.keys import PublicKeys

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"    # 32 letters: no 0/O, no 1/I
LENGTH = 20                                      # 19 random + 1 check character
GROUP = 4
ARGON2_MEMORY_KIB = 65536
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
_SALT_DOMAIN = b"lzkp-enroll-code-salt-v1\x00"
_PROOF_DOMAIN = b"lzkp-enroll-proof-v1\x00"
_SPACES = " -\u2010\u2011\u2012\u2013\u2014\uff0d\u3000\t"   # separators people type or paste


class CodeError(AppError):
    """A code that cannot be right as typed (wrong length, a letter not used, a typo)."""


def _check_char(body: str) -> str:
    return ALPHABET[hashlib.sha256(b"lzkp-code-check" + body.encode("ascii")).digest()[0] % 32]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return format_code(body + _check_char(body))


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def normalize(text: str) -> str:
    """The code as printed (“ABCD-EFGH-…”) from what someone typed: case, spaces and dashes do not
    matter. CodeError, in words a person can act on, otherwise."""
    raw = "".join(c for c in (text or "") if c not in _SPACES).upper()
    if not raw:
        raise CodeError("请输入编办给的注册码（20位字母和数字）")
    wrong = sorted({c for c in raw if c not in ALPHABET})
    if wrong:
        hint = "（注册码中没有数字0、1和字母O、I）" if set(wrong) & set("01OI") else ""
        raise CodeError(f"注册码中有不会出现的字符：{'、'.join(wrong[:5])}{hint}")
    if len(raw) != LENGTH:
        raise CodeError(f"注册码应为{LENGTH}位，输入了{len(raw)}位")
    if _check_char(raw[:-1]) != raw[-1]:
        raise CodeError("注册码有误（校验不符）：请逐组核对后重新输入")
    return format_code(raw)


def is_well_formed(text: str) -> bool:
    try:
        normalize(text)
    except CodeError:
        return False
    return True


@dataclass(frozen=True)
class CodeKeys:
    """The keys one code derives for one unit. Never stored whole: the 编办 keeps `verifier()`."""
    unit_id: str
    box: bytes                   # 32 bytes: the 注册包's payload key
    proof: Ed25519PrivateKey

    def verifier(self) -> str:
        return base64.b64encode(self.proof.public_key().public_bytes_raw()).decode("ascii")

    def __repr__(self) -> str:   # never print secret material, even by accident
        return f"CodeKeys(unit_id={self.unit_id!r})"


def _expand(master: bytes, what: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"lzkp-enroll-code-v1/" + what).derive(master)


def derive(code: str, unit_id: str) -> CodeKeys:
    """The keys of `code` for the unit (≈ 0.15 s: argon2id). CodeError for a malformed code."""
    raw = normalize(code).replace("-", "").encode("ascii")
    salt = hashlib.sha256(_SALT_DOMAIN + unit_id.encode("utf-8")).digest()[:16]
    master = Argon2id(salt=salt, length=32, iterations=ARGON2_ITERATIONS, lanes=ARGON2_LANES,
                      memory_cost=ARGON2_MEMORY_KIB).derive(raw)
    return CodeKeys(unit_id, _expand(master, b"box"),
                    Ed25519PrivateKey.from_private_bytes(_expand(master, b"proof")))


def _proof_message(unit_id: str, public: PublicKeys) -> bytes:
    return _PROOF_DOMAIN + unit_id.encode("utf-8") + b"\x00" + public.sign + public.box


def prove(keys: CodeKeys, public: PublicKeys) -> str:
    """The unit's proof that whoever made `public` knew the code (base64 of 64 bytes)."""
    return base64.b64encode(keys.proof.sign(_proof_message(keys.unit_id, public))).decode("ascii")


def check_proof(verifier: str, proof: object, unit_id: str, public: PublicKeys) -> bool:
    """Does `proof` (from a package header: anything) show that `public` was made by someone who
    knew the code whose verifier the 编办 holds?"""
    if not isinstance(proof, str) or not isinstance(verifier, str):
        return False
    try:
        signature = base64.b64decode(proof.encode("ascii"), validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(verifier.encode("ascii"), validate=True))
        key.verify(signature, _proof_message(unit_id, public))
    except (UnicodeEncodeError, binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def same_fingerprint(a: str, b: str) -> bool:
    """Fingerprints compared as people type them: case, spaces and dashes do not matter."""
    def clean(text: str) -> str:
        return "".join(c for c in (text or "") if c not in _SPACES).upper()
    return bool(clean(a)) and hmac.compare_digest(clean(a).encode(), clean(b).encode())

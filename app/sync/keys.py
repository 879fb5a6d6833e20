"""A replica's signing and encryption keys, their public halves and fingerprints.

Each replica has an Ed25519 key (signs the packages it sends) and an X25519 key (packages sent to
it are encrypted to it). For the 国密 suite it also has an SM2 key, derived from those two (so
every existing replica has one without a new secret to store) and endorsed by the Ed25519 key:
the other side learns the SM2 public key from an endorsed package header, and the fingerprint
people read aloud stays the one of the Ed25519 and X25519 keys. Secret keys are stored by the caller (in the database) as the dict from
`KeyPair.to_dict`; public keys travel in enrollment files and are compared by fingerprint, which
people read aloud to each other over the phone to confirm a key really belongs to the other side.

Primitives come from the `cryptography` package only.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.core import gm
from app.core.errors import AppError

KEY_LENGTH = 32
_FINGERPRINT_DOMAIN = b"lzkp-key-v1"
_SM2_DERIVATION = b"lzkp-replica-sm2-v1"
_SM2_ENDORSEMENT = b"lzkp-sm2-endorsement-v1\x00"


class KeyFormatError(AppError):
    """A stored or received key could not be read."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(d: object, name: str, what: str, length: int = KEY_LENGTH) -> bytes:
    """The raw key bytes stored base64-encoded under d[name]; KeyFormatError otherwise."""
    if not isinstance(d, dict):
        raise KeyFormatError(f"密钥格式错误：{what}不是键值表")
    value = d.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"密钥格式错误：{what}缺少“{name}”")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise KeyFormatError(f"密钥格式错误：{what}的“{name}”不是有效的Base64文本") from None
    if len(raw) != length:
        raise KeyFormatError(
            f"密钥格式错误：{what}的“{name}”应为{length}字节，实际为{len(raw)}字节")
    return raw


@dataclass(frozen=True)
class PublicKeys:
    """The public halves of a replica's keys, as raw bytes."""

    sign: bytes   # 32 raw Ed25519 public bytes
    box: bytes    # 32 raw X25519 public bytes
    sm2: bytes | None = None   # 65 bytes 04‖x‖y once known (国密 suite), endorsed by `sign`

    def __post_init__(self) -> None:
        for name in ("sign", "box"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != KEY_LENGTH:
                raise KeyFormatError(f"密钥格式错误：公钥“{name}”应为{KEY_LENGTH}字节")
        if self.sm2 is not None and not (isinstance(self.sm2, bytes)
                                         and len(self.sm2) == gm.PUBLIC_LENGTH):
            raise KeyFormatError(f"密钥格式错误：SM2公钥应为{gm.PUBLIC_LENGTH}字节")

    def to_dict(self) -> dict:
        d = {"sign": _b64(self.sign), "box": _b64(self.box)}
        if self.sm2 is not None:
            d["sm2"] = _b64(self.sm2)
        return d

    @classmethod
    def from_dict(cls, d: object) -> PublicKeys:
        sign = _unb64(d, "sign", "公钥")
        box = _unb64(d, "box", "公钥")
        try:
            Ed25519PublicKey.from_public_bytes(sign)
            X25519PublicKey.from_public_bytes(box)
        except ValueError:
            raise KeyFormatError("密钥格式错误：公钥无效") from None
        sm2 = None
        if isinstance(d, dict) and d.get("sm2") is not None:
            sm2 = _unb64(d, "sm2", "公钥", gm.PUBLIC_LENGTH)
            if not gm.valid_public(sm2):
                raise KeyFormatError("密钥格式错误：SM2公钥不在曲线上")
        return cls(sign=sign, box=box, sm2=sm2)

    def with_sm2(self, sm2: bytes) -> PublicKeys:
        return PublicKeys(sign=self.sign, box=self.box, sm2=sm2)

    def endorses_sm2(self, sm2: bytes, endorsement: bytes) -> bool:
        """True when `endorsement` is this key's Ed25519 signature over the SM2 public key."""
        try:
            self.sign_key().verify(endorsement, _SM2_ENDORSEMENT + sm2)
        except InvalidSignature:
            return False
        return gm.valid_public(sm2)

    def sign_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.sign)

    def box_key(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(self.box)

    def fingerprint(self) -> str:
        """32 uppercase hex digits in 8 groups of 4, e.g. "3F2A-91B0-…" (to be read aloud)."""
        digest = hashlib.sha256(_FINGERPRINT_DOMAIN + self.sign + self.box).digest()[:16]
        text = digest.hex().upper()
        return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def short_fingerprint(fp: str) -> str:
    """The first two groups of a fingerprint ("3F2A-91B0"), for lists and log lines."""
    return "-".join(fp.split("-")[:2])


@dataclass(frozen=True)
class KeyPair:
    """This replica's secret keys."""

    sign: Ed25519PrivateKey
    box: X25519PrivateKey

    def public(self) -> PublicKeys:
        return PublicKeys(sign=self.sign.public_key().public_bytes_raw(),
                          box=self.box.public_key().public_bytes_raw())

    def sm2_private(self) -> bytes:
        return gm.private_from_seed(self.sign.private_bytes_raw() + self.box.private_bytes_raw(),
                                    _SM2_DERIVATION)

    def sm2_public(self) -> bytes:
        return gm.public_of(self.sm2_private())

    def public_with_sm2(self) -> PublicKeys:
        """The public keys with the SM2 one (one elliptic-curve multiplication, then cached)."""
        return self.public().with_sm2(self.sm2_public())

    def endorse_sm2(self) -> bytes:
        return self.sign.sign(_SM2_ENDORSEMENT + self.sm2_public())

    def to_dict(self) -> dict:
        return {"sign": _b64(self.sign.private_bytes_raw()),
                "box": _b64(self.box.private_bytes_raw())}

    @classmethod
    def from_dict(cls, d: object) -> KeyPair:
        sign = _unb64(d, "sign", "私钥")
        box = _unb64(d, "box", "私钥")
        try:
            return cls(sign=Ed25519PrivateKey.from_private_bytes(sign),
                       box=X25519PrivateKey.from_private_bytes(box))
        except ValueError:
            raise KeyFormatError("密钥格式错误：私钥无效") from None

    def __repr__(self) -> str:   # never print secret material, even by accident
        return f"KeyPair(public={self.public().fingerprint()})"


def generate() -> KeyPair:
    return KeyPair(sign=Ed25519PrivateKey.generate(), box=X25519PrivateKey.generate())

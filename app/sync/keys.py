"""A replica's signing and encryption keys, their public halves and fingerprints.

Each replica has an Ed25519 key (signs the packages it sends) and an X25519 key (packages sent to
it are encrypted to it). Secret keys are stored by the caller (in the database) as the dict from
`KeyPair.to_dict`; public keys travel in enrollment files and are compared by fingerprint, which
people read aloud to each other over the phone to confirm a key really belongs to the other side.

Primitives come from the `cryptography` package only.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.core.errors import AppError

KEY_LENGTH = 32
_FINGERPRINT_DOMAIN = b"lzkp-key-v1"


class KeyFormatError(AppError):
    """A stored or received key could not be read."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(d: object, name: str, what: str) -> bytes:
    """The 32 raw key bytes stored base64-encoded under d[name]; KeyFormatError otherwise."""
    if not isinstance(d, dict):
        raise KeyFormatError(f"密钥格式错误：{what}不是键值表")
    value = d.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"密钥格式错误：{what}缺少“{name}”")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise KeyFormatError(f"密钥格式错误：{what}的“{name}”不是有效的Base64文本") from None
    if len(raw) != KEY_LENGTH:
        raise KeyFormatError(
            f"密钥格式错误：{what}的“{name}”应为{KEY_LENGTH}字节，实际为{len(raw)}字节")
    return raw


@dataclass(frozen=True)
class PublicKeys:
    """The public halves of a replica's keys, as raw bytes."""

    sign: bytes   # 32 raw Ed25519 public bytes
    box: bytes    # 32 raw X25519 public bytes

    def __post_init__(self) -> None:
        for name in ("sign", "box"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != KEY_LENGTH:
                raise KeyFormatError(f"密钥格式错误：公钥“{name}”应为{KEY_LENGTH}字节")

    def to_dict(self) -> dict:
        return {"sign": _b64(self.sign), "box": _b64(self.box)}

    @classmethod
    def from_dict(cls, d: object) -> PublicKeys:
        sign = _unb64(d, "sign", "公钥")
        box = _unb64(d, "box", "公钥")
        try:
            Ed25519PublicKey.from_public_bytes(sign)
            X25519PublicKey.from_public_bytes(box)
        except ValueError:
            raise KeyFormatError("密钥格式错误：公钥无效") from None
        return cls(sign=sign, box=box)

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

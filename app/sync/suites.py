"""Cipher suites of the package file (app.sync.container): how the body is sealed, which hash
covers the body and the header, which algorithm signs. Listed, with their header fields, in
container.py's docstring."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterator

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core import gm
from app.core.errors import AppError
from app.sync.keys import KeyPair, PublicKeys

CHUNK_SIZE = 65536
READ_BLOCK = 1 << 20
CLASSIC, GUOMI = "classic", "guomi"          # suite families a county chooses between
FAMILY_LABELS = {CLASSIC: "通用算法（Ed25519、X25519、ChaCha20-Poly1305、SHA-256）",
                 GUOMI: "国密算法（SM2、SM3、SM4）"}


class PackageError(AppError):
    """A package that cannot be used. `code`: not_package, header, future_format, suite,
    truncated, trailing, wrong_key, signature, wrong_recipient, wrong_secret, decrypt (and the
    receiving service's own: unknown_sender, revoked_key, enroll_proof, unconfirmed_key…)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _decrypt_failed() -> PackageError:
    return PackageError("decrypt", "同步包解密失败：内容被改动或不完整")


def _signature_failed() -> PackageError:
    return PackageError("signature", "签名校验失败：同步包在生成后被改动过")


def _bad_header() -> PackageError:
    return PackageError("header", "同步包包头损坏")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64field(header: dict, name: str, length: int) -> bytes:
    try:
        raw = base64.b64decode(header[name].encode("ascii"), validate=True)
    except (KeyError, AttributeError, UnicodeEncodeError, binascii.Error, ValueError):
        raise _bad_header() from None
    if len(raw) != length:
        raise _bad_header()
    return raw


Reader = Callable[[int], bytes]   # read(n): up to n more bytes, b"" at the end


@dataclass(frozen=True)
class SharedSecret:
    """A 32-byte key both sides know beforehand: the "recipient" of the secret suite."""
    key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != 32:
            raise ValueError("a shared secret is 32 bytes")

    def __repr__(self) -> str:   # never print secret material, even by accident
        return "SharedSecret(…)"


Recipient = PublicKeys | SharedSecret          # what a package is sealed to
Opener = KeyPair | SharedSecret                # what opens it


class CipherSuite:
    """One way of sealing the body; a fresh instance per package. Writing: prepare (→ header
    fields), sealed_length, seal_stream. Reading: check_header (in read_header, → "header"),
    begin_open (when open_payload is called: recipient check, key derivation), open_stream.
    The defaults copy the body unchanged (suite "none")."""

    name: ClassVar[str]
    needs_recipient: ClassVar[bool]
    family: ClassVar[str] = CLASSIC

    @staticmethod
    def new_hash():
        return hashlib.sha256()

    def sign(self, keys: KeyPair, message: bytes) -> bytes:
        return keys.sign.sign(message)

    def check_signature(self, header: dict, sender: PublicKeys, message: bytes,
                        signature: bytes) -> None:
        try:
            sender.sign_key().verify(signature, message)
        except InvalidSignature:
            raise _signature_failed() from None

    def prepare(self, recipient: Recipient | None) -> dict:
        return {}

    def sealed_length(self, plain_length: int) -> int:
        return plain_length

    def seal_stream(self, header_bytes: bytes, read: Reader, plain_length: int) -> Iterator[bytes]:
        while block := read(READ_BLOCK):
            yield block

    def check_header(self, header: dict) -> None:
        pass

    def begin_open(self, header: dict, keys: Opener | None) -> None:
        pass

    def open_stream(self, header: dict, header_bytes: bytes, read: Reader) -> Iterator[bytes]:
        while block := read(READ_BLOCK):
            yield block


class PlainSuite(CipherSuite):
    """Body = plaintext, still signed (the unit enrollment file only)."""

    name = "none"
    needs_recipient = False


class _Chunked(CipherSuite):
    """An AEAD (ChaCha20-Poly1305 or SM4-GCM) in CHUNK_SIZE chunks, nonce = 11-byte big-endian
    chunk counter + last-chunk flag byte, AAD = the suite's hash of the header. Subclasses set
    self._aead (prepare, begin_open)."""

    needs_recipient = True
    TAG = 16
    SALT = 16
    _aead: ChaCha20Poly1305 | gm.Sm4Gcm

    @staticmethod
    def _nonce(counter: int, last: bool) -> bytes:
        return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")

    def _chunks(self, plain_length: int) -> int:
        return max(1, -(-plain_length // CHUNK_SIZE))

    def sealed_length(self, plain_length):
        return plain_length + self.TAG * self._chunks(plain_length)

    def _aad(self, header_bytes: bytes) -> bytes:
        digest = self.new_hash()
        digest.update(header_bytes)
        return digest.digest()

    def seal_stream(self, header_bytes, read, plain_length):
        aad = self._aad(header_bytes)
        count = self._chunks(plain_length)
        for counter in range(count):
            plain = read(CHUNK_SIZE)
            yield self._aead.encrypt(self._nonce(counter, counter == count - 1), plain, aad)

    def check_header(self, header):
        if header["chunk_size"] != CHUNK_SIZE:
            raise _bad_header()

    def open_stream(self, header, header_bytes, read):
        aead = self._aead
        aad = self._aad(header_bytes)
        step, remaining, counter = CHUNK_SIZE + self.TAG, header["body_length"], 0
        if remaining < self.TAG:
            raise _decrypt_failed()
        while remaining > 0:
            # Position decides the flag: a non-final chunk sealed as last, or a final chunk sealed
            # as not last (reordered, dropped or appended chunks), fails authentication.
            size = min(step, remaining)
            last = size == remaining
            sealed = read(size)
            if len(sealed) != size:
                raise _decrypt_failed()
            try:
                plain = aead.decrypt(self._nonce(counter, last), sealed, aad)
            except InvalidTag:
                raise _decrypt_failed() from None
            if last and counter > 0 and not plain:   # only an empty payload has an empty chunk
                raise _decrypt_failed()
            remaining, counter = remaining - size, counter + 1
            yield plain


def _check_recipient_field(header: dict) -> None:
    if not isinstance(header.get("recipient"), str):
        raise _bad_header()


def _require_recipient(header: dict, keys: Opener | None) -> KeyPair:
    """This replica's keys, if the package is sealed to them (PackageError "wrong_recipient")."""
    if not isinstance(keys, KeyPair) or header["recipient"] != keys.public().fingerprint():
        raise PackageError("wrong_recipient",
                           f"此包是发给另一接收方（指纹{header['recipient']}）的，不是本机")
    return keys


class X25519ChaChaSuite(_Chunked):
    name = "x25519-hkdf-sha256-chacha20poly1305"

    def prepare(self, recipient):
        if not isinstance(recipient, PublicKeys):
            raise ValueError(f"suite {self.name!r} seals to public keys")
        eph = X25519PrivateKey.generate()
        eph_pub = eph.public_key().public_bytes_raw()
        salt = os.urandom(self.SALT)
        shared = eph.exchange(recipient.box_key())
        self._aead = ChaCha20Poly1305(self._derive(shared, salt, eph_pub, recipient.box))
        return {"ephemeral": _b64(eph_pub), "salt": _b64(salt),
                "recipient": recipient.fingerprint()}

    @staticmethod
    def _derive(shared: bytes, salt: bytes, eph_pub: bytes, recipient_box: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                    info=b"lzkp-pkg-v1" + eph_pub + recipient_box).derive(shared)

    def check_header(self, header):
        super().check_header(header)
        _b64field(header, "salt", self.SALT)
        _b64field(header, "ephemeral", 32)
        _check_recipient_field(header)

    def begin_open(self, header, keys):
        keys = _require_recipient(header, keys)
        eph_pub = _b64field(header, "ephemeral", 32)
        own_box = keys.box.public_key().public_bytes_raw()
        try:
            shared = keys.box.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        except ValueError:   # low-order point: no usable shared secret
            raise _decrypt_failed() from None
        self._aead = ChaCha20Poly1305(
            self._derive(shared, _b64field(header, "salt", self.SALT), eph_pub, own_box))


class SecretChaChaSuite(_Chunked):
    """Sealed to a `SharedSecret` (the unit enrollment file, to its one-time code)."""

    name = "secret-hkdf-sha256-chacha20poly1305"
    CHECK = 16

    @staticmethod
    def _derive(secret: bytes, salt: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                    info=b"lzkp-pkg-secret-v1").derive(secret)

    @classmethod
    def _check(cls, secret: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=cls.CHECK, salt=None,
                    info=b"lzkp-pkg-secret-check-v1").derive(secret)

    def prepare(self, recipient):
        if not isinstance(recipient, SharedSecret):
            raise ValueError(f"suite {self.name!r} seals to a shared secret")
        salt = os.urandom(self.SALT)
        self._aead = self._cipher(self._derive(recipient.key, salt))
        return {"salt": _b64(salt), "key_check": _b64(self._check(recipient.key))}

    def check_header(self, header):
        super().check_header(header)
        _b64field(header, "salt", self.SALT)
        _b64field(header, "key_check", self.CHECK)

    def begin_open(self, header, keys):
        if not isinstance(keys, SharedSecret) or not hmac.compare_digest(
                self._check(keys.key), _b64field(header, "key_check", self.CHECK)):
            raise PackageError("wrong_secret", "密钥不符，无法打开此包")
        self._aead = self._cipher(self._derive(keys.key, _b64field(header, "salt", self.SALT)))

    _cipher = ChaCha20Poly1305


def sm2_sender_fields(keys: KeyPair) -> dict:
    """The header fields announcing the sender's SM2 key, endorsed by its Ed25519 key."""
    return {"sender_sm2": _b64(keys.sm2_public()), "sm2_endorsement": _b64(keys.endorse_sm2())}


def check_sm2_fields(header: dict, required: bool = False) -> None:
    """The announced SM2 key and its endorsement are well formed (PackageError "header"): always
    in a 国密 package, when present in any other."""
    if required or "sender_sm2" in header:
        _b64field(header, "sender_sm2", gm.PUBLIC_LENGTH)
        _b64field(header, "sm2_endorsement", 64)


def endorsed_sm2(header: dict, sender: PublicKeys) -> bytes | None:
    """The SM2 key the header announces, if any and endorsed by the sender's registered key;
    PackageError("signature") when announced but not endorsed."""
    if "sender_sm2" not in header:
        return None
    public = _b64field(header, "sender_sm2", gm.PUBLIC_LENGTH)
    if not sender.endorses_sm2(public, _b64field(header, "sm2_endorsement", 64)):
        raise PackageError("signature", "签名校验失败：国密签名公钥未经发送方密钥认可")
    return public


class _Sm2Signed:
    """Mixin of the 国密 suites: SM3 hashes, SM2 signs (write_package puts sm2_sender_fields in
    their header). The SM2 key is always the one the header announces with the sender's endorsement (checked on every package: the fingerprint people
    compared covers the Ed25519 and X25519 keys only)."""

    family = GUOMI
    new_hash = staticmethod(gm.Sm3)

    def sign(self, keys, message):
        return gm.sign(keys.sm2_private(), message)

    def check_header(self, header):
        super().check_header(header)
        check_sm2_fields(header, required=True)

    def check_signature(self, header, sender, message, signature):
        public = endorsed_sm2(header, sender)
        if sender.sm2 is not None and public != sender.sm2:
            raise PackageError("wrong_key", "国密签名公钥与登记的不符")
        if not gm.verify(public, message, signature):
            raise _signature_failed()


class Sm2Sm4Suite(_Sm2Signed, _Chunked):
    name = "sm2-sm4gcm-sm3"
    KEY = 16
    WRAPPED = KEY + 97   # C1 (04‖x‖y) ‖ C3 (32) ‖ C2

    def prepare(self, recipient):
        if not isinstance(recipient, PublicKeys) or recipient.sm2 is None:
            raise ValueError(f"suite {self.name!r} seals to public keys with an SM2 key")
        key = os.urandom(self.KEY)
        self._aead = gm.Sm4Gcm(key)
        return {"wrapped_key": _b64(gm.encrypt(recipient.sm2, key)),
                "recipient": recipient.fingerprint()}

    def check_header(self, header):
        super().check_header(header)
        _b64field(header, "wrapped_key", self.WRAPPED)
        _check_recipient_field(header)

    def begin_open(self, header, keys):
        keys = _require_recipient(header, keys)
        try:
            key = gm.decrypt(keys.sm2_private(), _b64field(header, "wrapped_key", self.WRAPPED))
        except gm.Sm2Error:
            raise _decrypt_failed() from None
        if len(key) != self.KEY:
            raise _decrypt_failed()
        self._aead = gm.Sm4Gcm(key)


class SecretSm4Suite(_Sm2Signed, SecretChaChaSuite):
    """The shared-secret suite in 国密: HKDF-SM3, SM4-GCM, SM2 signature."""

    name = "secret-hkdf-sm3-sm4gcm"
    _cipher = gm.Sm4Gcm

    @staticmethod
    def _derive(secret: bytes, salt: bytes) -> bytes:
        return gm.hkdf_sm3(secret, length=16, salt=salt, info=b"lzkp-pkg-secret-sm-v1")

    @classmethod
    def _check(cls, secret: bytes) -> bytes:
        return gm.hkdf_sm3(secret, length=cls.CHECK, salt=None, info=b"lzkp-pkg-secret-check-sm-v1")


SUITES: dict[str, type[CipherSuite]] = {s.name: s for s in (
    X25519ChaChaSuite, SecretChaChaSuite, Sm2Sm4Suite, SecretSm4Suite, PlainSuite)}


def suite_for(family: str | None, recipient: Recipient | None) -> str:
    """The suite a package to `recipient` is written in when the county chose `family`: 国密 when
    chosen and the recipient's SM2 key is known (else the classic suite, which every program
    reads; the SM2 key is learnt from the recipient's first 国密 package)."""
    if recipient is None:
        return PlainSuite.name
    if isinstance(recipient, SharedSecret):
        return SecretSm4Suite.name if family == GUOMI else SecretChaChaSuite.name
    if family == GUOMI and recipient.sm2 is not None:
        return Sm2Sm4Suite.name
    return X25519ChaChaSuite.name


def suite_label(name: str) -> str:
    """How the ledger and the import preview name a package's suite."""
    suite = SUITES.get(name)
    if suite is None:
        return name
    return "国密" if suite.family == GUOMI else "通用" if suite.needs_recipient else "未加密"

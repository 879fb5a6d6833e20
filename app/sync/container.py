"""The package file: signed first, then (normally) encrypted to one recipient.

Layout::

    MAGIC  b"LZKPPKG\\n"                        8 bytes
    u32    header length, big-endian            4 bytes
    header UTF-8 JSON object, sorted keys, compact
    body   the sealed payload (body_length bytes, from the header)
    sig    Ed25519 over SIG_DOMAIN + header + SHA-256(body), 64 bytes

The signature is checked (`verify`) before anything is decrypted (`open_payload`). Hashing the body
first lets a huge file be verified in bounded memory (Ed25519 in `cryptography` is not streaming).

Cipher suites are looked up by the header's "suite" in `SUITES` (name → `CipherSuite` class with
`seal_stream` and `open_stream`), so another suite — e.g. 国密 SM2 + SM3 + SM4 should it be
demanded — can be registered beside these two without changing the container:

- "x25519-hkdf-sha256-chacha20poly1305" (like age): an ephemeral X25519 key agreed with the
  recipient's box key, HKDF-SHA256 → ChaCha20-Poly1305 key; the payload in 64 KiB chunks, nonce =
  11-byte big-endian chunk counter + last-chunk flag byte, AAD = SHA-256(header).
- "secret-hkdf-sha256-chacha20poly1305": the same chunks under a key agreed beforehand (a
  `SharedSecret`, e.g. derived from the one-time code of a unit enrollment file, app.sync.codes):
  HKDF-SHA256 with a fresh salt → ChaCha20-Poly1305 key. The header's "key_check" (16 bytes from
  the secret) tells a wrong secret ("wrong_secret") from a damaged body ("decrypt").
- "none": the body is the plaintext. Still signed. (Enrollment files were written so before they
  were encrypted to their one-time code; no package kind accepts it now.)

Primitives come from the `cryptography` package only.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, ClassVar, Iterable, Iterator

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.errors import AppError
from app.paths import private_open
from app.sync.keys import KeyPair, PublicKeys

MAGIC = b"LZKPPKG\n"
FORMAT = 1
CHUNK_SIZE = 65536
SIG_LENGTH = 64
SIG_DOMAIN = b"lzkp-pkg-sig-v1\x00"
MAX_HEADER = 1 << 20
_PREFIX = len(MAGIC) + 4
_READ_BLOCK = 1 << 20
_RESERVED = ("format", "suite", "body_length", "chunk_size", "sender_key")


class PackageError(AppError):
    """A package that cannot be used. `code`: not_package, header, future_format, suite,
    truncated, trailing, wrong_key, signature, wrong_recipient, wrong_secret, decrypt (and the
    receiving service's own: unknown_sender, revoked_key, enroll_proof, unconfirmed_key…)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _decrypt_failed() -> PackageError:
    return PackageError("decrypt", "同步包解密失败：内容被改动或不完整")


def _bad_header() -> PackageError:
    return PackageError("header", "同步包包头损坏")


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

    def prepare(self, recipient: Recipient | None) -> dict:
        return {}

    def sealed_length(self, plain_length: int) -> int:
        return plain_length

    def seal_stream(self, header_bytes: bytes, read: Reader, plain_length: int) -> Iterator[bytes]:
        while block := read(_READ_BLOCK):
            yield block

    def check_header(self, header: dict) -> None:
        pass

    def begin_open(self, header: dict, keys: Opener | None) -> None:
        pass

    def open_stream(self, header: dict, header_bytes: bytes, read: Reader) -> Iterator[bytes]:
        while block := read(_READ_BLOCK):
            yield block


class PlainSuite(CipherSuite):
    """Body = plaintext, still signed (the unit enrollment file only)."""

    name = "none"
    needs_recipient = False


class _ChunkedChaCha(CipherSuite):
    """ChaCha20-Poly1305 in CHUNK_SIZE chunks, nonce = 11-byte big-endian chunk counter +
    last-chunk flag byte, AAD = SHA-256(header). Subclasses set self._aead (prepare, begin_open)."""

    needs_recipient = True
    TAG = 16
    SALT = 16
    _aead: ChaCha20Poly1305

    @staticmethod
    def _nonce(counter: int, last: bool) -> bytes:
        return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")

    def _chunks(self, plain_length: int) -> int:
        return max(1, -(-plain_length // CHUNK_SIZE))

    def sealed_length(self, plain_length):
        return plain_length + self.TAG * self._chunks(plain_length)

    def seal_stream(self, header_bytes, read, plain_length):
        aad = hashlib.sha256(header_bytes).digest()
        count = self._chunks(plain_length)
        for counter in range(count):
            plain = read(CHUNK_SIZE)
            yield self._aead.encrypt(self._nonce(counter, counter == count - 1), plain, aad)

    def check_header(self, header):
        _b64field(header, "salt", self.SALT)
        if header["chunk_size"] != CHUNK_SIZE:
            raise _bad_header()

    def open_stream(self, header, header_bytes, read):
        aead = self._aead
        aad = hashlib.sha256(header_bytes).digest()
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


class X25519ChaChaSuite(_ChunkedChaCha):
    name = "x25519-hkdf-sha256-chacha20poly1305"

    def prepare(self, recipient):
        if not isinstance(recipient, PublicKeys):
            raise ValueError(f"suite {self.name!r} seals to public keys")
        eph = X25519PrivateKey.generate()
        eph_pub = eph.public_key().public_bytes_raw()
        salt = os.urandom(self.SALT)
        shared = eph.exchange(recipient.box_key())
        self._aead = ChaCha20Poly1305(self._derive(shared, salt, eph_pub, recipient.box))
        return {"ephemeral": base64.b64encode(eph_pub).decode("ascii"),
                "salt": base64.b64encode(salt).decode("ascii"),
                "recipient": recipient.fingerprint()}

    @staticmethod
    def _derive(shared: bytes, salt: bytes, eph_pub: bytes, recipient_box: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                    info=b"lzkp-pkg-v1" + eph_pub + recipient_box).derive(shared)

    def check_header(self, header):
        super().check_header(header)
        _b64field(header, "ephemeral", 32)
        if not isinstance(header.get("recipient"), str):
            raise _bad_header()

    def begin_open(self, header, keys):
        if not isinstance(keys, KeyPair) or header["recipient"] != keys.public().fingerprint():
            raise PackageError("wrong_recipient",
                               f"此包是发给另一接收方（指纹{header['recipient']}）的，不是本机")
        eph_pub = _b64field(header, "ephemeral", 32)
        own_box = keys.box.public_key().public_bytes_raw()
        try:
            shared = keys.box.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        except ValueError:   # low-order point: no usable shared secret
            raise _decrypt_failed() from None
        self._aead = ChaCha20Poly1305(
            self._derive(shared, _b64field(header, "salt", self.SALT), eph_pub, own_box))


class SecretChaChaSuite(_ChunkedChaCha):
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
        self._aead = ChaCha20Poly1305(self._derive(recipient.key, salt))
        return {"salt": base64.b64encode(salt).decode("ascii"),
                "key_check": base64.b64encode(self._check(recipient.key)).decode("ascii")}

    def check_header(self, header):
        super().check_header(header)
        _b64field(header, "key_check", self.CHECK)

    def begin_open(self, header, keys):
        if not isinstance(keys, SharedSecret) or not hmac.compare_digest(
                self._check(keys.key), _b64field(header, "key_check", self.CHECK)):
            raise PackageError("wrong_secret", "密钥不符，无法打开此包")
        self._aead = ChaCha20Poly1305(self._derive(keys.key, _b64field(header, "salt", self.SALT)))


SUITES: dict[str, type[CipherSuite]] = {s.name: s for s in (X25519ChaChaSuite, SecretChaChaSuite,
                                                              PlainSuite)}
DEFAULT_SUITE = X25519ChaChaSuite.name


def encode_header(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def signed_message(header_bytes: bytes, body_digest: bytes) -> bytes:
    return SIG_DOMAIN + header_bytes + body_digest


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":   # directories cannot be opened for fsync on Windows
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_package(path: Path, header: dict, payload: Iterable[bytes], *, sign_key: KeyPair,
                  recipient: Recipient | None, suite: str | None = None) -> dict:
    """Write a package atomically (via path + ".part"); returns the full header written.

    The payload is spooled to a temporary file first (its length goes into the header, which
    precedes the body), then sealed in a second pass: memory use stays bounded.
    """
    path = Path(path)
    clash = [k for k in _RESERVED + ("ephemeral", "salt", "recipient", "key_check") if k in header]
    if clash:
        raise ValueError(f"header keys reserved for the container: {clash}")
    default = (SecretChaChaSuite.name if isinstance(recipient, SharedSecret)
               else DEFAULT_SUITE if recipient is not None else PlainSuite.name)
    cipher = SUITES[suite or default]()
    if cipher.needs_recipient != (recipient is not None):
        raise ValueError(f"suite {cipher.name!r} and recipient {recipient!r} do not go together")
    part = path.with_name(path.name + ".part")
    with tempfile.TemporaryFile() as spool:
        plain_length = 0
        for piece in payload:
            plain_length += spool.write(piece)
        spool.seek(0)
        full = dict(header)
        full.update(cipher.prepare(recipient))
        full.update(format=FORMAT, suite=cipher.name, chunk_size=CHUNK_SIZE,
                    body_length=cipher.sealed_length(plain_length),
                    sender_key=sign_key.public().fingerprint())
        header_bytes = encode_header(full)
        if len(header_bytes) > MAX_HEADER:
            raise ValueError("package header too large")
        try:
            # owner-only: a package holds the unit's data (and a 注册包 its first keys' secret)
            with private_open(part) as out:
                out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
                digest = hashlib.sha256()
                written = 0
                for block in cipher.seal_stream(header_bytes, spool.read, plain_length):
                    out.write(block)
                    digest.update(block)
                    written += len(block)
                if written != full["body_length"]:
                    raise RuntimeError("sealed body length differs from the header")
                out.write(sign_key.sign.sign(signed_message(header_bytes, digest.digest())))
                out.flush()
                os.fsync(out.fileno())
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    _fsync_dir(path.parent)
    return full


@dataclass
class OpenedPackage:
    path: Path
    header: dict
    header_bytes: bytes
    body_offset: int
    body_length: int
    body_digest: bytes | None = None   # set by a successful verify()


def _truncated(expected: int, actual: int, at_least: bool = False) -> PackageError:
    return PackageError("truncated", f"同步包不完整：应有{'至少' if at_least else ''}{expected}字节，"
                                     f"实际只有{actual}字节（可能拷贝未完成）")


def read_header(path: Path) -> OpenedPackage:
    """Read and sanity-check the header and the file's size. Nothing is trusted yet."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        prefix = f.read(_PREFIX)
        if prefix[:len(MAGIC)] != MAGIC[:len(prefix)]:
            raise PackageError("not_package", "不是履职考评同步包：文件开头不符")
        if len(prefix) < _PREFIX:
            raise _truncated(_PREFIX + SIG_LENGTH, size, at_least=True)
        (header_length,) = struct.unpack(">I", prefix[len(MAGIC):])
        if not 2 <= header_length <= MAX_HEADER:
            raise _bad_header()
        if size < _PREFIX + header_length:
            raise _truncated(_PREFIX + header_length + SIG_LENGTH, size, at_least=True)
        header_bytes = f.read(header_length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad_header() from None
    fmt = header.get("format") if isinstance(header, dict) else None
    if type(fmt) is not int or fmt < 1:
        raise _bad_header()
    if fmt != FORMAT:
        raise PackageError("future_format", f"同步包格式版本为{fmt}，本程序只支持{FORMAT}，请升级程序")
    body_length, chunk_size = header.get("body_length"), header.get("chunk_size")
    if (type(body_length) is not int or body_length < 0 or type(chunk_size) is not int
            or not isinstance(header.get("suite"), str)
            or not isinstance(header.get("sender_key"), str)):
        raise _bad_header()
    if header["suite"] not in SUITES:
        raise PackageError("suite", f"同步包使用了本程序不支持的加密方式“{header['suite']}”，请升级程序")
    SUITES[header["suite"]]().check_header(header)
    expected = _PREFIX + header_length + body_length + SIG_LENGTH
    if size < expected:
        raise _truncated(expected, size)
    if size > expected:
        raise PackageError("trailing", "同步包末尾有多余数据")
    return OpenedPackage(path=path, header=header, header_bytes=header_bytes,
                         body_offset=_PREFIX + header_length, body_length=body_length)


class _BodyReader:
    """Reads exactly the body, hashing what it hands out."""

    def __init__(self, f: BinaryIO, opened: OpenedPackage):
        f.seek(opened.body_offset)
        self._f, self.remaining, self.digest = f, opened.body_length, hashlib.sha256()

    def read(self, n: int) -> bytes:
        block = self._f.read(min(n, self.remaining))
        self.remaining -= len(block)
        self.digest.update(block)
        return block


def verify(opened: OpenedPackage, sender: PublicKeys) -> None:
    """Check the Ed25519 signature against the sender's registered key (body read once)."""
    if opened.header["sender_key"] != sender.fingerprint():
        raise PackageError("wrong_key", f"签名密钥与登记的不符：包由指纹为{opened.header['sender_key']}"
                                        f"的密钥签名，登记的是{sender.fingerprint()}")
    with open(opened.path, "rb") as f:
        body = _BodyReader(f, opened)
        while body.read(_READ_BLOCK):
            pass
        signature = f.read(SIG_LENGTH)
    if body.remaining or len(signature) != SIG_LENGTH:
        raise _truncated(opened.body_offset + opened.body_length + SIG_LENGTH,
                         opened.body_offset + opened.body_length - body.remaining + len(signature))
    digest = body.digest.digest()
    try:
        sender.sign_key().verify(signature, signed_message(opened.header_bytes, digest))
    except InvalidSignature:
        raise PackageError("signature", "签名校验失败：同步包在生成后被改动过") from None
    opened.body_digest = digest


def open_payload(opened: OpenedPackage, keys: Opener | None) -> Iterator[bytes]:
    """The plaintext in pieces (≤ 1 MiB). Only after a successful verify().

    Recipient and key checks happen at the call; decryption errors while iterating. The body is
    read again from the file; if it differs from what verify() hashed, PackageError("signature")
    is raised at the end — so a caller must treat an exception at any point of the stream as
    "discard everything read" (its import is one transaction).
    """
    if opened.body_digest is None:
        raise RuntimeError("open_payload() called before a successful verify()")
    cipher = SUITES[opened.header["suite"]]()
    cipher.begin_open(opened.header, keys)
    return _open_stream(opened, cipher)


def check_opener(opened: OpenedPackage, keys: Opener | None) -> None:
    """Raise the PackageError open_payload would (wrong_recipient, wrong_secret) without reading
    the body: e.g. a typed code is checked before anything is created from the package."""
    SUITES[opened.header["suite"]]().begin_open(opened.header, keys)


def _open_stream(opened: OpenedPackage, cipher: CipherSuite) -> Iterator[bytes]:
    with open(opened.path, "rb") as f:
        body = _BodyReader(f, opened)
        yield from cipher.open_stream(opened.header, opened.header_bytes, body.read)
        if body.remaining or body.digest.digest() != opened.body_digest:
            raise PackageError("signature", "签名校验失败：同步包在生成后被改动过")

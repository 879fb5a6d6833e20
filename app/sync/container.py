"""The package file: signed first, then (normally) encrypted to one recipient.

Layout::

    MAGIC  b"LZKPPKG\\n"                        8 bytes
    u32    header length, big-endian            4 bytes
    header UTF-8 JSON object, sorted keys, compact
    body   the sealed payload (body_length bytes, from the header)
    sig    Ed25519 over SIG_DOMAIN + header + SHA-256(body), 64 bytes

The signature is checked (`verify`) before anything is decrypted (`open_payload`). Hashing the body
first lets a huge file be verified in bounded memory (Ed25519 in `cryptography` is not streaming).

Cipher suites are looked up by the header's "suite" in `SUITES` (name → `CipherSuite` class); a
suite decides the body's encryption, the hash of the body and of the header, and the signature:

- "x25519-hkdf-sha256-chacha20poly1305" (like age): an ephemeral X25519 key agreed with the
  recipient's box key, HKDF-SHA256 → ChaCha20-Poly1305 key; the payload in 64 KiB chunks, nonce =
  11-byte big-endian chunk counter + last-chunk flag byte, AAD = SHA-256(header). Ed25519 signs.
- "secret-hkdf-sha256-chacha20poly1305": the same chunks under a key agreed beforehand (a
  `SharedSecret`, e.g. derived from the one-time code of a unit enrollment file, app.sync.codes):
  HKDF-SHA256 with a fresh salt → ChaCha20-Poly1305 key. The header's "key_check" (16 bytes from
  the secret) tells a wrong secret ("wrong_secret") from a damaged body ("decrypt").
- 国密 (GB/T 32918 SM2, GB/T 32905 SM3, GB/T 32907 SM4; app.core.gm):
  "sm2-sm4gcm-sm3": a fresh SM4 key per package, SM2-encrypted to the recipient's SM2 key
  ("wrapped_key"); the same chunks, nonce and last-chunk rule in SM4-GCM, AAD = SM3(header);
  the signature is SM2 (user ID 1234567812345678) over the same message with SM3(body).
  "secret-hkdf-sm3-sm4gcm": the shared-secret suite with HKDF-SM3 and SM4-GCM, signed with SM2.
  An SM2-signed header carries the sender's SM2 public key and its Ed25519 endorsement
  ("sender_sm2", "sm2_endorsement", app.sync.keys), so a receiver that knows only the sender's
  registered keys learns the SM2 key from the first such package: a county switches suites
  without re-registering anyone. Every program reads every suite.
- "none": the body is the plaintext. Still signed. (Enrollment files were written so before they
  were encrypted to their one-time code; no package kind accepts it now.)

Primitives come from `cryptography`, SM2 from app.core.gm.
"""
from __future__ import annotations

import contextlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from app.paths import private_open
from app.sync.keys import KeyPair, PublicKeys
from app.sync.suites import (  # noqa: F401  (re-exported: the package file's vocabulary)
    CHUNK_SIZE, CLASSIC, GUOMI, READ_BLOCK, SUITES, CipherSuite, Opener, PackageError, PlainSuite,
    Recipient, SecretChaChaSuite, SecretSm4Suite, SharedSecret, Sm2Sm4Suite, X25519ChaChaSuite,
    _bad_header, _signature_failed, check_sm2_fields, endorsed_sm2, sm2_sender_fields, suite_for,
    suite_label)

MAGIC = b"LZKPPKG\n"
FORMAT = 1
SIG_LENGTH = 64
SIG_DOMAIN = b"lzkp-pkg-sig-v1\x00"
MAX_HEADER = 1 << 20
_PREFIX = len(MAGIC) + 4
_RESERVED = ("format", "suite", "body_length", "chunk_size", "sender_key", "sender_sm2",
             "sm2_endorsement", "wrapped_key")


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
                  recipient: Recipient | None, suite: str | None = None,
                  announce_sm2: bool = False) -> dict:
    """Write a package atomically (via path + ".part"); returns the full header written.
    `announce_sm2`: name the sender's endorsed SM2 key in the header even when the suite is not
    国密 (a county switching: the other side learns the key to seal 国密 packages to).

    The payload is spooled to a temporary file first (its length goes into the header, which
    precedes the body), then sealed in a second pass: memory use stays bounded.
    """
    path = Path(path)
    clash = [k for k in _RESERVED + ("ephemeral", "salt", "recipient", "key_check") if k in header]
    if clash:
        raise ValueError(f"header keys reserved for the container: {clash}")
    cipher = SUITES[suite or suite_for(None, recipient)]()
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
        if announce_sm2 or cipher.family == GUOMI:
            full.update(sm2_sender_fields(sign_key))
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
                digest = cipher.new_hash()
                written = 0
                for block in cipher.seal_stream(header_bytes, spool.read, plain_length):
                    out.write(block)
                    digest.update(block)
                    written += len(block)
                if written != full["body_length"]:
                    raise RuntimeError("sealed body length differs from the header")
                out.write(cipher.sign(sign_key, signed_message(header_bytes, digest.digest())))
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
    check_sm2_fields(header)        # announced by any suite (a county switching to 国密)
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
        self._f, self.remaining = f, opened.body_length
        self.digest = SUITES[opened.header["suite"]].new_hash()

    def read(self, n: int) -> bytes:
        block = self._f.read(min(n, self.remaining))
        self.remaining -= len(block)
        self.digest.update(block)
        return block


def verify(opened: OpenedPackage, sender: PublicKeys) -> None:
    """Check the signature (Ed25519, or SM2 for the 国密 suites) against the sender's registered
    keys (body read once)."""
    if opened.header["sender_key"] != sender.fingerprint():
        raise PackageError("wrong_key", f"签名密钥与登记的不符：包由指纹为{opened.header['sender_key']}"
                                        f"的密钥签名，登记的是{sender.fingerprint()}")
    with open(opened.path, "rb") as f:
        body = _BodyReader(f, opened)
        while body.read(READ_BLOCK):
            pass
        signature = f.read(SIG_LENGTH)
    if body.remaining or len(signature) != SIG_LENGTH:
        raise _truncated(opened.body_offset + opened.body_length + SIG_LENGTH,
                         opened.body_offset + opened.body_length - body.remaining + len(signature))
    digest = body.digest.digest()
    SUITES[opened.header["suite"]]().check_signature(
        opened.header, sender, signed_message(opened.header_bytes, digest), signature)
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
            raise _signature_failed()


def sender_sm2(opened: OpenedPackage, sender: PublicKeys) -> bytes | None:
    """The sender's SM2 public key a verified package announced (国密 suites always do; others
    when the sender's county is switching), endorsed by `sender`'s key; None when not announced."""
    if opened.body_digest is None:
        raise RuntimeError("sender_sm2() called before a successful verify()")
    return endorsed_sm2(opened.header, sender)

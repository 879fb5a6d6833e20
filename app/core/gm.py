"""商用密码 (国密) primitives: SM2 signatures and encryption, SM3, SM4-GCM.

SM3 and SM4 come from `cryptography` (its bundled OpenSSL has them; cryptography has no SM2:
"Curve 1.2.156.10197.1.301 is not supported"). SM2 sits behind one small interface with two
backends:

- "pure": gmalg (MIT, pure Python, no compiled code) — runs on every platform the program does,
  Windows and arm64 included; the reference. ~10–60 signatures a second.
- "fast": gmssl-fast (Apache-2.0, GmSSL compiled in; wheels for x86_64, aarch64 and Windows) —
  used when installed, ~2,500 a second. Interoperates with the pure one and with OpenSSL.

Verifying prefers a third implementation when it is there: the system's OpenSSL (libcrypto 3,
through ctypes: app.core.gm_openssl), ~5x faster than gmssl-fast at checking signatures — the
编办 checks every SM2 statement of a unit's year. `LZKP_SM2_BACKEND=pure` (or `fast`) forces
that backend for everything, verifying included; `openssl` asks for OpenSSL's verifier. Both use the default user ID 1234567812345678 of
GB/T 35276 (what OpenSSL calls distid), raw signatures r‖s (64 bytes) and ciphertexts
C1‖C3‖C2 with C1 = 04‖x‖y (GB/T 32918.4).

These are the algorithms of GB/T 32918 (SM2), 32905 (SM3) and 32907 (SM4) — not a certified
cryptographic module: 密评 (GB/T 39786) also judges key management and certified products.
"""
from __future__ import annotations

import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

UID = b"1234567812345678"
PRIVATE_LENGTH = 32
PUBLIC_LENGTH = 65          # 04 ‖ x ‖ y
SIGNATURE_LENGTH = 64       # r ‖ s
# the SM2 curve of GB/T 32918.5: y² = x³ + ax + b over F_p, order n (private keys are 1 … n-2)
PRIME = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = PRIME - 3
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


# ---------------------------------------------------------------- SM3
class Sm3:
    """hashlib-like SM3 (update / digest / copy)."""

    digest_size = 32

    def __init__(self, data: bytes = b"", _ctx=None):
        self._ctx = _ctx or hashes.Hash(hashes.SM3())
        if data:
            self._ctx.update(data)

    def update(self, data: bytes) -> None:
        self._ctx.update(data)

    def copy(self) -> Sm3:
        return Sm3(_ctx=self._ctx.copy())

    def digest(self) -> bytes:
        return self._ctx.copy().finalize()


def sm3(data: bytes) -> bytes:
    return Sm3(data).digest()


def hkdf_sm3(secret: bytes, *, length: int, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=salt, info=info).derive(secret)


# ---------------------------------------------------------------- SM4-GCM
class Sm4Gcm:
    """SM4 in GCM mode with the interface of cryptography's AEAD classes: encrypt(nonce, data,
    aad) → ciphertext ‖ 16-byte tag; decrypt raises InvalidTag."""

    TAG = 16

    def __init__(self, key: bytes):
        if len(key) != 16:
            raise ValueError("an SM4 key is 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        enc = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        if aad:
            enc.authenticate_additional_data(aad)
        return enc.update(data) + enc.finalize() + enc.tag

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        if len(data) < self.TAG:
            raise InvalidTag()
        dec = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, data[-self.TAG:])).decryptor()
        if aad:
            dec.authenticate_additional_data(aad)
        return dec.update(data[:-self.TAG]) + dec.finalize()


# ---------------------------------------------------------------- SM2
class Sm2Error(ValueError):
    """A key, signature or ciphertext SM2 cannot use."""


class _Pure:
    name = "pure"

    def __init__(self):
        import gmalg
        self._gmalg = gmalg

    def public_of(self, private: bytes) -> bytes:
        return self._gmalg.SM2().generate_pk(private)

    def sign(self, private: bytes, public: bytes, message: bytes, k: int | None = None) -> bytes:
        rnd = (lambda _n: k) if k is not None else None
        r, s = self._gmalg.SM2(sk=private, uid=UID, pk=public, rnd_fn=rnd).sign(message)
        # gmalg gives r and s without leading zero bytes (1 signature in 128 has one short)
        return r.rjust(32, b"\0") + s.rjust(32, b"\0")

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            return self._gmalg.SM2(pk=public, uid=UID).verify(message, signature[:32], signature[32:])
        except Exception:
            return False

    def encrypt(self, public: bytes, plain: bytes) -> bytes:
        return self._gmalg.SM2(pk=public).encrypt(plain)

    def decrypt(self, private: bytes, cipher: bytes) -> bytes:
        try:
            return self._gmalg.SM2(sk=private).decrypt(cipher)
        except Exception:
            raise Sm2Error("SM2 解密失败") from None


class _Fast:
    name = "fast"

    def __init__(self):
        import gmssl_fast
        self._mod = gmssl_fast
        self._pure = _Pure()     # d·G and fixed-k signatures (tests): gmssl-fast exposes neither

    @lru_cache(maxsize=64)
    def _key(self, private: bytes | None, public: bytes | None):
        return self._mod.SM2(private_key=private.hex() if private else None,
                             public_key=public.hex() if public else None)

    def public_of(self, private: bytes) -> bytes:
        return self._pure.public_of(private)   # once per key (gm.public_of caches it)

    def sign(self, private, public, message, k=None):
        if k is not None:
            return self._pure.sign(private, public, message, k)
        return self._key(private, public).sign(message)

    def verify(self, public, message, signature):
        try:
            return bool(self._key(None, public).verify(message, signature))
        except Exception:
            return False

    def encrypt(self, public, plain):
        # gmssl-fast writes C1 without the 04 byte; the standard form (and gmalg's) has it
        return b"\x04" + self._key(None, public).encrypt(plain)

    def decrypt(self, private, cipher):
        try:   # without the 04 byte: gmssl-fast tries that form first (and says nothing)
            return self._key(private, None).decrypt(cipher[1:] if cipher[:1] == b"\x04" else cipher)
        except Exception:
            raise Sm2Error("SM2 解密失败") from None


@lru_cache(maxsize=None)
def backend(name: str | None = None):
    """The SM2 backend: `name` ("pure"/"fast"), else LZKP_SM2_BACKEND, else fast when installed."""
    wanted = name or os.environ.get("LZKP_SM2_BACKEND", "")
    if wanted != "pure":
        try:
            return _Fast()
        except ImportError:
            if wanted == "fast":
                raise
    return _Pure()


def new_private() -> bytes:
    return (secrets.randbelow(ORDER - 2) + 1).to_bytes(PRIVATE_LENGTH, "big")


def private_from_seed(seed: bytes, info: bytes) -> bytes:
    """A private key derived from other secret key material (HKDF-SM3, reduced into 1 … n-2)."""
    wide = hkdf_sm3(seed, length=48, salt=None, info=info)
    return (int.from_bytes(wide, "big") % (ORDER - 2) + 1).to_bytes(PRIVATE_LENGTH, "big")


@lru_cache(maxsize=256)
def public_of(private: bytes) -> bytes:
    return backend().public_of(private)


def valid_public(public: bytes) -> bool:
    """An uncompressed point on the curve (the curve's cofactor is 1: every such point other
    than infinity generates the whole group, so nothing more needs checking)."""
    if not (isinstance(public, bytes) and len(public) == PUBLIC_LENGTH and public[0] == 4):
        return False
    x, y = int.from_bytes(public[1:33], "big"), int.from_bytes(public[33:], "big")
    return x < PRIME and y < PRIME and (y * y - (x * x * x + A * x + B)) % PRIME == 0


def sign(private: bytes, message: bytes) -> bytes:
    return backend().sign(private, public_of(private), message)


@lru_cache(maxsize=None)
def _openssl():
    from app.core import gm_openssl
    return gm_openssl.load(UID, public_der, signature_der)


def verifier():
    """What verifies SM2 signatures: OpenSSL's libcrypto when it loads and no backend is forced
    (LZKP_SM2_BACKEND unset or "openssl"), else backend()."""
    if os.environ.get("LZKP_SM2_BACKEND", "") in ("", "openssl"):
        found = _openssl()
        if found is not None:
            return found
    return backend()


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    return len(signature) == SIGNATURE_LENGTH and verifier().verify(public, message, signature)


def verify_many(items: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    """verify() of each (public, message, signature), on every core when the verifier lets go
    of the GIL (OpenSSL's does; gmssl-fast and gmalg do not, so they verify one by one)."""
    v = verifier()

    def check(chunk):
        return [len(sig) == SIGNATURE_LENGTH and v.verify(pub, msg, sig) for pub, msg, sig in chunk]

    workers = min(4, os.cpu_count() or 1)
    if not getattr(v, "releases_gil", False) or workers < 2 or len(items) < 64:
        return check(items)
    from concurrent.futures import ThreadPoolExecutor
    size = -(-len(items) // workers)
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(check, [items[i:i + size] for i in range(0, len(items), size)])
    return [ok for part in parts for ok in part]


def encrypt(public: bytes, plain: bytes) -> bytes:
    return backend().encrypt(public, plain)


def decrypt(private: bytes, cipher: bytes) -> bytes:
    return backend().decrypt(private, cipher)


# DER forms, for the OpenSSL command line (tests, and anyone checking a package by hand)
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def public_der(public: bytes) -> bytes:
    """SubjectPublicKeyInfo of an SM2 public key (id-ecPublicKey, curve 1.2.156.10197.1.301)."""
    return _SPKI_PREFIX + public


def signature_der(signature: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    return encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                int.from_bytes(signature[32:], "big"))

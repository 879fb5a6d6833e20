"""SM2 signature verification by the system's OpenSSL (libcrypto 3), through ctypes.

`cryptography` has no SM2, but the libcrypto 3 most Linux systems carry does, and verifies about
five times faster than gmssl-fast here (0.6 ms against 3.3 ms a signature on the 2-core test
machine): what the 编办 needs when it checks a unit's whole year of SM2-signed statements. Used
only for verifying (app.core.gm.verify), only when it loads and passes the GB/T 32918.2 example
on load; otherwise the chosen backend verifies. On Windows it is the libcrypto-3 DLL Python's
own _hashlib uses (in the bundle too); systems without a libcrypto 3 with SM2 simply do not have it. Same conventions as gm: user ID 1234567812345678, raw r‖s signatures.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading

_EXAMPLE = {   # GB/T 32918.2-2016 example (also in tests/unit/test_guomi_suite.py)
    "public": "04" "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
              "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13",
    "signature": "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
                 "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA",
    "message": b"message digest",
}
_MAX_KEYS = 4096       # public keys kept loaded (a county's people, a few times over)


class OpenSslVerifier:
    name = "openssl"
    releases_gil = True     # ctypes lets go of it during each call: threads verify in parallel

    def __init__(self, uid: bytes, public_der, signature_der, path: str):
        lib = ctypes.CDLL(path)
        vp = ctypes.c_void_p
        for fn, restype, argtypes in (
                ("d2i_PUBKEY", vp, [vp, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]),
                ("EVP_PKEY_free", None, [vp]),
                ("EVP_PKEY_CTX_new", vp, [vp, vp]),
                ("EVP_PKEY_CTX_free", None, [vp]),
                ("EVP_PKEY_CTX_set1_id", ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_int]),
                ("EVP_MD_CTX_new", vp, []),
                ("EVP_MD_CTX_free", None, [vp]),
                ("EVP_MD_CTX_set_pkey_ctx", None, [vp, vp]),
                ("EVP_sm3", vp, []),
                ("EVP_DigestVerifyInit", ctypes.c_int, [vp, vp, vp, vp, vp]),
                ("EVP_DigestVerify", ctypes.c_int,
                 [vp, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t])):
            f = getattr(lib, fn)        # AttributeError: an older libcrypto (1.1 has macros)
            f.restype, f.argtypes = restype, argtypes
        self._lib, self._uid = lib, uid
        self._public_der, self._signature_der = public_der, signature_der
        self._sm3 = lib.EVP_sm3()
        self._keys: dict[bytes, int] = {}
        self._lock = threading.Lock()
        example = (bytes.fromhex(_EXAMPLE["public"]), _EXAMPLE["message"],
                   bytes.fromhex(_EXAMPLE["signature"]))
        if not self.verify(*example) or self.verify(example[0], b"message digesT", example[2]):
            raise OSError("libcrypto does not verify the GB/T 32918.2 SM2 example")

    def _key(self, public: bytes) -> tuple[int | None, bool]:
        """The loaded key and whether the caller must free it (the cache is full: keys in the
        cache are never freed, so another thread may be using any of them)."""
        key = self._keys.get(public)
        if key is not None:
            return key, False
        der = self._public_der(public)
        buf = ctypes.c_char_p(der)
        key = self._lib.d2i_PUBKEY(None, ctypes.byref(buf), len(der))
        if not key:
            return None, False
        with self._lock:
            if public in self._keys:
                self._lib.EVP_PKEY_free(key)
                return self._keys[public], False
            if len(self._keys) < _MAX_KEYS:
                self._keys[public] = key
                return key, False
        return key, True

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            der = self._signature_der(signature)
            key, owned = self._key(public)
        except Exception:
            return False
        if key is None:
            return False
        lib = self._lib
        md, pctx = lib.EVP_MD_CTX_new(), lib.EVP_PKEY_CTX_new(key, None)
        try:
            if not md or not pctx or lib.EVP_PKEY_CTX_set1_id(pctx, self._uid, len(self._uid)) != 1:
                return False
            lib.EVP_MD_CTX_set_pkey_ctx(md, pctx)
            if lib.EVP_DigestVerifyInit(md, None, self._sm3, None, key) != 1:
                return False
            return lib.EVP_DigestVerify(md, der, len(der), message, len(message)) == 1
        finally:
            lib.EVP_MD_CTX_free(md)
            lib.EVP_PKEY_CTX_free(pctx)
            if owned:
                lib.EVP_PKEY_free(key)


def _libraries() -> list[str]:
    """Where a libcrypto 3 may be: the system's (Linux), and on Windows the one Python's own
    _hashlib was built with (python.org's installers and embeddable packages carry
    libcrypto-3*.dll beside it; PyInstaller bundles it the same way)."""
    found = [ctypes.util.find_library("crypto")]
    if sys.platform == "win32":
        try:
            import _hashlib
        except ImportError:
            return [p for p in found if p]
        folder = os.path.dirname(getattr(_hashlib, "__file__", "") or "")
        found += [os.path.join(folder, name) for name in ("libcrypto-3-x64.dll", "libcrypto-3.dll")
                  if os.path.exists(os.path.join(folder, name))]
    return [p for p in found if p]


def load(uid: bytes, public_der, signature_der) -> OpenSslVerifier | None:
    if sys.platform == "darwin":    # /usr/lib/libcrypto there is a stub that aborts the process
        return None
    for path in _libraries():
        try:
            return OpenSslVerifier(uid, public_der, signature_der, path)
        except (OSError, AttributeError):
            continue
    return None

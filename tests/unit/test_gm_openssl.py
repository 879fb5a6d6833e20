"""SM2 verification by the system's OpenSSL (app.core.gm_openssl): the standard's example, the
other implementations' signatures, and nothing else; forced backends keep verifying themselves."""
from __future__ import annotations

import pytest

from app.core import gm
from tests.unit.test_guomi_suite import SM2_EXAMPLE

pytestmark = pytest.mark.skipif(gm._openssl() is None, reason="no libcrypto 3 with SM2 here")
SIGNERS = ["pure"] + (["fast"] if gm.backend().name == "fast" else [])


def test_openssl_accepts_the_standard_example_and_nothing_changed():
    v = gm._openssl()
    public = b"\x04" + bytes.fromhex(SM2_EXAMPLE["x"] + SM2_EXAMPLE["y"])
    signature = bytes.fromhex(SM2_EXAMPLE["r"] + SM2_EXAMPLE["s"])
    assert v.verify(public, b"message digest", signature)
    assert not v.verify(public, b"message digesT", signature)
    assert not v.verify(public, b"message digest", signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not v.verify(public[:-1] + bytes([public[-1] ^ 1]), b"message digest", signature)
    assert not v.verify(b"\x04" + bytes(64), b"message digest", signature)
    assert not v.verify(public, b"message digest", bytes(64))
    assert not v.verify(public, b"message digest", b"\xff" * 64)


@pytest.mark.parametrize("name", SIGNERS)
def test_openssl_verifies_what_the_backends_sign(name):
    d = gm.new_private()
    public = gm.public_of(d)
    for size in (0, 1, 300, 70_000):
        message = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        signature = gm.backend(name).sign(d, public, message)
        assert gm._openssl().verify(public, message, signature)
        assert not gm._openssl().verify(gm.public_of(gm.new_private()), message, signature)


def test_the_verifier_is_openssl_unless_a_backend_is_forced(monkeypatch):
    try:
        monkeypatch.delenv("LZKP_SM2_BACKEND", raising=False)
        assert gm.verifier().name == "openssl"
        monkeypatch.setenv("LZKP_SM2_BACKEND", "pure")
        gm.backend.cache_clear()
        assert gm.verifier().name == "pure" and gm.backend().name == "pure"
        monkeypatch.setenv("LZKP_SM2_BACKEND", "openssl")
        gm.backend.cache_clear()
        assert gm.verifier().name == "openssl" and gm.backend().name in ("fast", "pure")
    finally:
        monkeypatch.delenv("LZKP_SM2_BACKEND", raising=False)
        gm.backend.cache_clear()

"""The signed, encrypted package file (app/sync/container.py) and keys (app/sync/keys.py).

Real cryptography throughout, no mocks. Every error code is provoked by a real change to a
written file. A small independent implementation of the brief's sealing (`spec_seal`) pins the
format and lets tests re-sign bodies they manipulate, so the decryption layer's own checks are
exercised behind a valid signature.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import AppError
from app.sync import container
from app.sync.container import (
    CHUNK_SIZE, MAGIC, PackageError, open_payload, read_header, verify, write_package,
)
from app.sync.keys import KeyPair, PublicKeys, generate, short_fingerprint

SENDER = generate()
RECIPIENT = generate()
OTHER = generate()
HEADER = {"kind": "changes", "package_id": "0192f0c4-0000-7000-8000-000000000001", "seq": 7,
          "sender": "某某县司法局", "schema": 3}
ENCRYPTING = "x25519-hkdf-sha256-chacha20poly1305"
SECRET = "secret-hkdf-sha256-chacha20poly1305"


def write(path: Path, payload: bytes | list[bytes], recipient: PublicKeys | None = None,
          header: dict | None = None) -> dict:
    pieces = payload if isinstance(payload, list) else [payload]
    return write_package(path, dict(header or HEADER), iter(pieces), sign_key=SENDER,
                         recipient=RECIPIENT.public() if recipient is None else recipient)


def read_all(path: Path, sender: PublicKeys | None = None, keypair: KeyPair | None = RECIPIENT,
             got: list | None = None) -> bytes:
    """The full import sequence; plaintext pieces go to `got` as they are yielded."""
    got = [] if got is None else got
    opened = read_header(path)
    verify(opened, sender or SENDER.public())
    for piece in open_payload(opened, keypair):
        got.append(piece)
    return b"".join(got)


def expect(code: str, path: Path, authentic: list[bytes] = (), **kwargs) -> PackageError:
    """Reading fails with `code`; nothing but the `authentic` chunks before the failure (which
    passed authentication; the caller's import transaction discards them) was yielded."""
    got: list[bytes] = []
    with pytest.raises(PackageError) as info:
        read_all(path, got=got, **kwargs)
    assert info.value.code == code, (info.value.code, str(info.value))
    assert got == list(authentic), "plaintext was yielded from a rejected package"
    return info.value


def parts(path: Path) -> tuple[bytes, bytes, bytes]:
    """(header bytes, body, signature) of a written file."""
    data = path.read_bytes()
    (n,) = struct.unpack(">I", data[8:12])
    return data[12:12 + n], data[12 + n:-64], data[-64:]


def assemble(path: Path, header: dict, body: bytes, signer: KeyPair = SENDER) -> None:
    """Test-only: write a validly signed file around any header and body."""
    hb = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sig = signer.sign.sign(b"lzkp-pkg-sig-v1\x00" + hb + hashlib.sha256(body).digest())
    path.write_bytes(MAGIC + struct.pack(">I", len(hb)) + hb + body + sig)


def spec_key(header: dict, keypair: KeyPair) -> ChaCha20Poly1305:
    """The brief's key derivation, written independently of the module (recipient side)."""
    eph = base64.b64decode(header["ephemeral"])
    shared = keypair.box.exchange(X25519PublicKey.from_public_bytes(eph))
    info = b"lzkp-pkg-v1" + eph + keypair.public().box
    key = HKDF(hashes.SHA256(), 32, base64.b64decode(header["salt"]), info).derive(shared)
    return ChaCha20Poly1305(key)


def nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal_chunks(header: dict, chunks: list[tuple[int, bool, bytes]]) -> tuple[dict, bytes]:
    """Seal chosen (counter, last flag, plaintext) chunks under header's key; fix body_length."""
    aead = spec_key(header, RECIPIENT)
    header = dict(header)
    header["body_length"] = sum(len(p) + 16 for _, _, p in chunks)
    hb = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    aad = hashlib.sha256(hb).digest()
    return header, b"".join(aead.encrypt(nonce(c, last), p, aad) for c, last, p in chunks)


# ---------------------------------------------------------------- keys

def test_keys_round_trip_and_fingerprint():
    pair = generate()
    again = KeyPair.from_dict(json.loads(json.dumps(pair.to_dict())))
    assert again.public() == pair.public()
    pub = PublicKeys.from_dict(pair.public().to_dict())
    assert pub == pair.public() and len(pub.sign) == len(pub.box) == 32
    fp = pub.fingerprint()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){7}", fp)
    digest = hashlib.sha256(b"lzkp-key-v1" + pub.sign + pub.box).digest()[:16]
    assert fp.replace("-", "") == digest.hex().upper()
    assert short_fingerprint(fp) == fp[:9] and fp != OTHER.public().fingerprint()
    assert "sign" not in repr(pair) and fp in repr(pair)


@pytest.mark.parametrize("bad", [None, [], {}, {"sign": "AAAA"}, {"sign": 1, "box": 2},
                                 {"sign": "不是base64", "box": "x"},
                                 {"sign": base64.b64encode(b"x" * 31).decode(), "box": "x"}])
def test_bad_key_dicts_are_refused(bad):
    for cls in (PublicKeys, KeyPair):
        with pytest.raises(AppError, match="密钥格式错误"):
            cls.from_dict(bad)


# ---------------------------------------------------------------- round trips

@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1])
def test_round_trip_sizes(tmp_path, size):
    payload = os.urandom(size)
    path = tmp_path / "p.lzkp"
    header = write(path, payload)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert header["body_length"] == size + 16 * chunks
    assert path.stat().st_size == 12 + len(parts(path)[0]) + header["body_length"] + 64
    assert read_all(path) == payload
    assert not (tmp_path / "p.lzkp.part").exists()


def test_round_trip_large_payload_in_odd_pieces(tmp_path):
    data = os.urandom(1_000_003)
    pieces, i, n = [], 0, 1
    while i < len(data):
        pieces.append(data[i:i + n])
        i, n = i + n, n * 3 + 7
    path = tmp_path / "big.lzkp"
    write(path, pieces)
    got: list[bytes] = []
    assert read_all(path, got=got) == data
    assert max(len(p) for p in got) <= CHUNK_SIZE


def test_header_fields_and_format_match_the_spec(tmp_path):
    path = tmp_path / "p.lzkp"
    payload = os.urandom(CHUNK_SIZE + 100)
    full = write(path, payload)
    hb, body, sig = parts(path)
    assert json.loads(hb) == full and hb == json.dumps(
        full, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert {k: full[k] for k in HEADER} == HEADER
    assert full["format"] == 1 and full["suite"] == ENCRYPTING and full["chunk_size"] == 65536
    assert full["recipient"] == RECIPIENT.public().fingerprint()
    assert full["sender_key"] == SENDER.public().fingerprint()
    assert len(base64.b64decode(full["salt"])) == 16
    SENDER.public().sign_key().verify(
        sig, b"lzkp-pkg-sig-v1\x00" + hb + hashlib.sha256(body).digest())
    # Decrypt with the independent implementation of the brief.
    aead, aad = spec_key(full, RECIPIENT), hashlib.sha256(hb).digest()
    first = aead.decrypt(nonce(0, False), body[:CHUNK_SIZE + 16], aad)
    second = aead.decrypt(nonce(1, True), body[CHUNK_SIZE + 16:], aad)
    assert first + second == payload
    assert read_header(path).header == full


def test_two_packages_of_same_payload_differ(tmp_path):
    write(tmp_path / "a", b"same")
    write(tmp_path / "b", b"same")
    assert parts(tmp_path / "a")[1] != parts(tmp_path / "b")[1]


def test_suite_none_round_trip(tmp_path):
    path = tmp_path / "enroll.lzkp"
    payload = "单位登记".encode() * 1000
    full = write_package(path, {"kind": "enrollment"}, [payload[:5], payload[5:]],
                         sign_key=SENDER, recipient=None)
    assert full["suite"] == "none" and "recipient" not in full and "ephemeral" not in full
    assert parts(path)[1] == payload
    assert read_all(path, keypair=None) == payload
    # Plain but signed: a changed body is refused.
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01
    path.write_bytes(bytes(data))
    expect("signature", path, keypair=None)


def test_writer_refuses_reserved_keys_and_mismatched_suite(tmp_path):
    with pytest.raises(ValueError):
        write(tmp_path / "p", b"x", header={**HEADER, "body_length": 1})
    with pytest.raises(ValueError):
        write_package(tmp_path / "p", {}, [b"x"], sign_key=SENDER, recipient=None, suite=ENCRYPTING)


def test_failed_write_leaves_no_file(tmp_path):
    def payload():
        yield b"abc"
        raise OSError("disk gone")
    path = tmp_path / "p.lzkp"
    with pytest.raises(OSError):
        write_package(path, HEADER, payload(), sign_key=SENDER, recipient=RECIPIENT.public())
    assert list(tmp_path.iterdir()) == []


def test_overwrite_replaces_whole_file(tmp_path):
    path = tmp_path / "p.lzkp"
    write(path, os.urandom(5000))
    write(path, b"new")
    assert read_all(path) == b"new" and list(tmp_path.iterdir()) == [path]


def test_open_payload_requires_verify(tmp_path):
    path = tmp_path / "p.lzkp"
    write(path, b"secret")
    with pytest.raises(RuntimeError):
        open_payload(read_header(path), RECIPIENT)


# ---------------------------------------------------------------- rejected files

def flip(path: Path, offset: int, bit: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 1 << bit
    path.write_bytes(bytes(data))


@pytest.fixture
def pkg(tmp_path) -> Path:
    path = tmp_path / "p.lzkp"
    write(path, os.urandom(CHUNK_SIZE * 2 + 500))
    return path


def test_not_a_package(tmp_path):
    path = tmp_path / "x.lzkp"
    path.write_bytes(b"PK\x03\x04 a zip file, not a package" * 10)
    err = expect("not_package", path)
    assert str(err) == "不是履职考评同步包：文件开头不符"


def test_magic_bit_flip(pkg):
    flip(pkg, 3)
    expect("not_package", pkg)


def test_header_bit_flips(pkg):
    hb = parts(pkg)[0]
    flip(pkg, 12)                               # the opening "{": no longer JSON
    assert str(expect("header", pkg)) == "同步包包头损坏"
    flip(pkg, 12)
    flip(pkg, 12 + hb.index(b'"changes"') + 2)  # a letter of a caller value: still JSON
    expect("signature", pkg)


def test_absurd_header_length(pkg):
    data = bytearray(pkg.read_bytes())
    data[8:12] = struct.pack(">I", 5 << 20)
    pkg.write_bytes(bytes(data))
    expect("header", pkg)


@pytest.mark.parametrize("header", [[1, 2], {"format": "1"}, {"format": 1, "body_length": -1},
                                    {"format": 1, "suite": "none", "body_length": 0}])
def test_malformed_headers(tmp_path, header):
    path = tmp_path / "p.lzkp"
    assemble(path, header, b"")
    expect("header", path)


def test_encrypting_suite_fields_checked(tmp_path, pkg):
    full = read_header(pkg).header
    no_recipient = {k: v for k, v in full.items() if k != "recipient"}
    for broken in ({**full, "salt": "AAAA"}, {**full, "ephemeral": 5},
                   {**full, "chunk_size": 1024}, no_recipient):
        assemble(tmp_path / "q", broken, parts(pkg)[1])
        expect("header", tmp_path / "q")


def test_future_format(tmp_path):
    path = tmp_path / "p.lzkp"
    assemble(path, {"format": 2, "suite": "sm2-sm3-sm4", "whatever": True}, b"xx")
    assert str(expect("future_format", path)) == "同步包格式版本为2，本程序只支持1，请升级程序"


def test_unknown_suite(tmp_path):
    path = tmp_path / "p.lzkp"
    assemble(path, {"format": 1, "suite": "sm2-sm3-sm4", "body_length": 2, "chunk_size": 65536,
                    "sender_key": SENDER.public().fingerprint()}, b"xx")
    expect("suite", path)


@pytest.mark.parametrize("keep", [0, 5, 8, 11, 12, 40, "header_end", "mid_body", "no_sig",
                                  "one_short"])
def test_truncation(pkg, keep):
    data = pkg.read_bytes()
    header_end = 12 + len(parts(pkg)[0])
    keep = {"header_end": header_end, "mid_body": header_end + 70000, "no_sig": len(data) - 64,
            "one_short": len(data) - 1}.get(keep, keep)
    pkg.write_bytes(data[:keep])
    err = expect("truncated", pkg)
    assert str(err).startswith("同步包不完整：应有") and f"实际只有{keep}字节" in str(err)
    if keep >= header_end:
        assert f"应有{len(data)}字节" in str(err)


def test_appended_byte(pkg):
    pkg.write_bytes(pkg.read_bytes() + b"\n")
    assert str(expect("trailing", pkg)) == "同步包末尾有多余数据"


@pytest.mark.parametrize("where", [0, CHUNK_SIZE + 20, -65])
def test_body_bit_flip(pkg, where):
    header_end = 12 + len(parts(pkg)[0])
    flip(pkg, header_end + where if where >= 0 else pkg.stat().st_size + where, 5)
    assert str(expect("signature", pkg)) == "签名校验失败：同步包在生成后被改动过"


@pytest.mark.parametrize("where", [-64, -33, -1])
def test_signature_bit_flip(pkg, where):
    flip(pkg, pkg.stat().st_size + where, 7)
    expect("signature", pkg)


def test_swapped_headers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, os.urandom(1000))
    write(b, os.urandom(1000), header={**HEADER, "seq": 8})
    ha, body_a, sig_a = parts(a)
    hb = parts(b)[0]
    assert len(ha) == len(hb)
    a.write_bytes(MAGIC + struct.pack(">I", len(hb)) + hb + body_a + sig_a)
    expect("signature", a)


def test_wrong_sender_key(pkg, tmp_path):
    err = expect("wrong_key", pkg, sender=OTHER.public())
    assert SENDER.public().fingerprint() in str(err) and OTHER.public().fingerprint() in str(err)
    # Header claims the registered key, but another key signed it.
    hb, body, _ = parts(pkg)
    assemble(tmp_path / "q", json.loads(hb), body, signer=OTHER)
    expect("signature", tmp_path / "q")


def test_wrong_recipient(pkg):
    err = expect("wrong_recipient", pkg, keypair=OTHER)
    assert RECIPIENT.public().fingerprint() in str(err)
    expect("wrong_recipient", pkg, keypair=None)
    expect("wrong_recipient", pkg, keypair=SENDER)


# ------------------------------------------- decryption checks behind a valid signature

def _resigned(tmp_path: Path, pkg: Path, chunks) -> Path:
    header, body = seal_chunks(json.loads(parts(pkg)[0]), chunks)
    path = tmp_path / "resigned.lzkp"
    assemble(path, header, body)
    return path


def test_resigned_honest_chunks_decrypt(tmp_path, pkg):
    """Control for the tests below: the helper itself produces acceptable packages."""
    a, b = b"a" * CHUNK_SIZE, b"b" * 10
    assert read_all(_resigned(tmp_path, pkg, [(0, False, a), (1, True, b)])) == a + b


def test_reordered_chunks(tmp_path, pkg):
    hb, body, _ = parts(pkg)
    step = CHUNK_SIZE + 16
    c0, c1, c2 = body[:step], body[step:2 * step], body[2 * step:]
    path = tmp_path / "q"
    assemble(path, json.loads(hb), c1 + c0 + c2)   # same length, valid signature
    expect("decrypt", path)


def test_dropped_last_chunk(tmp_path, pkg):
    hb, body, _ = parts(pkg)
    header = json.loads(hb)
    header["body_length"] = 2 * (CHUNK_SIZE + 16)
    path = tmp_path / "q"
    assemble(path, header, body[:2 * (CHUNK_SIZE + 16)])
    expect("decrypt", path)


FULL = b"x" * CHUNK_SIZE


@pytest.mark.parametrize("chunks, authentic", [
    ([(0, True, FULL), (1, True, b"y")], []),         # a chunk after the last-flag chunk
    ([(0, False, FULL)], []),                         # stream ends without a last flag
    ([(0, False, FULL), (1, False, b"y")], [FULL]),   # ... after an authentic first chunk
    ([(0, False, FULL), (1, True, b"")], [FULL]),     # empty last chunk after data
    ([(1, True, b"x")], []),                          # counter does not start at 0
    ([(0, False, b"x" * 100), (1, True, b"y")], []),  # short chunk before the end
])
def test_bad_chunk_sequences(tmp_path, pkg, chunks, authentic):
    expect("decrypt", _resigned(tmp_path, pkg, chunks), authentic)


def test_body_too_short_for_a_tag(tmp_path, pkg):
    header = json.loads(parts(pkg)[0])
    header["body_length"] = 5
    assemble(tmp_path / "q", header, b"12345")
    expect("decrypt", tmp_path / "q")


def test_secret_suite_round_trip_and_wrong_secret(tmp_path):
    """The enrollment file's suite: sealed to a 32-byte secret (from a one-time code). A wrong
    secret is told apart from damage before any chunk is opened; the body is still signed."""
    secret = container.SharedSecret(os.urandom(32))
    path = tmp_path / "enroll.lzkp"
    payload = os.urandom(CHUNK_SIZE * 2 + 5)
    full = write_package(path, {"kind": "enrollment"}, [payload], sign_key=SENDER, recipient=secret)
    assert full["suite"] == SECRET and "recipient" not in full and "ephemeral" not in full
    assert payload[:64] not in path.read_bytes()
    assert read_all(path, keypair=secret) == payload
    expect("wrong_secret", path, keypair=container.SharedSecret(os.urandom(32)))
    expect("wrong_secret", path, keypair=RECIPIENT)        # a key pair does not open it
    opened = read_header(path)
    with pytest.raises(PackageError) as info:
        container.check_opener(opened, container.SharedSecret(os.urandom(32)))
    assert info.value.code == "wrong_secret"
    container.check_opener(opened, secret)
    # a chunk changed and the file signed again: the AEAD refuses it
    header, body, _ = parts(path)
    changed = bytearray(body)
    changed[10] ^= 0x01
    assemble(tmp_path / "q", json.loads(header), bytes(changed))
    expect("decrypt", tmp_path / "q", keypair=secret)
    flip(path, len(path.read_bytes()) - 100)
    expect("signature", path, keypair=secret)
    # a secret cannot open a package sealed to a key pair
    write(tmp_path / "p", b"x")
    expect("wrong_recipient", tmp_path / "p", keypair=secret)
    assert "…" in repr(secret) and secret.key.hex() not in repr(secret)


def test_file_changed_after_verify(tmp_path):
    path = tmp_path / "enroll.lzkp"
    write_package(path, {"kind": "enrollment"}, [b"hello world"], sign_key=SENDER, recipient=None)
    opened = read_header(path)
    verify(opened, SENDER.public())
    flip(path, opened.body_offset)
    with pytest.raises(PackageError) as info:
        list(open_payload(opened, None))
    assert info.value.code == "signature"


# ---------------------------------------------------------------- fuzz

_SMALL: dict[str, bytes] = {}


def _small_package() -> bytes:
    if not _SMALL:
        with tempfile.TemporaryDirectory() as d:
            write(Path(d) / "p", os.urandom(300))
            _SMALL["data"] = (Path(d) / "p").read_bytes()
    return _SMALL["data"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_damage_is_always_a_package_error(data):
    original = _small_package()
    kind = data.draw(st.sampled_from(["flip", "flips", "truncate", "append"]))
    damaged = bytearray(original)
    if kind == "flip" or kind == "flips":
        for _ in range(1 if kind == "flip" else data.draw(st.integers(2, 8))):
            damaged[data.draw(st.integers(0, len(original) - 1))] ^= 1 << data.draw(
                st.integers(0, 7))
    elif kind == "truncate":
        damaged = damaged[:data.draw(st.integers(0, len(original) - 1))]
    else:
        damaged += data.draw(st.binary(min_size=1, max_size=100))
    if bytes(damaged) == original:   # several flips of the same bit cancelled out
        return
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p"
        path.write_bytes(bytes(damaged))
        got: list[bytes] = []
        with pytest.raises(PackageError):
            read_all(path, got=got)
        assert got == []


def test_registry_names_the_suites():
    assert set(container.SUITES) == {ENCRYPTING, SECRET, "none", "sm2-sm4gcm-sm3",
                                     "secret-hkdf-sm3-sm4gcm"}

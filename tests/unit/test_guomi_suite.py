"""国密 suite (issue 19): the standards' test vectors, both SM2 backends and OpenSSL agreeing,
packages of every kind sealed and signed in SM2/SM3/SM4, and a county switching to it without
anyone re-registering."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest
from sqlalchemy import select

from app.core import gm
from app.db.models import PackageLedger, Peer
from app.services.exchange import suite_choice
from app.services.org.actor import SYSTEM
from app.sync import container
from app.sync.keys import generate
from tests.unit.sync_fixtures import DAYS, build_world, write_log

SM2_EXAMPLE = {   # GB/T 32918.2-2016 example on the recommended curve (also GM/T 0003.5)
    "d": "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8",
    "x": "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020",
    "y": "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13",
    "k": 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21,
    "r": "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3",
    "s": "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA",
}
BACKENDS = ["pure"] + (["fast"] if gm.backend().name == "fast" else [])


def test_sm3_and_sm4_give_the_standards_examples():
    assert gm.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert gm.sm3(b"abcd" * 16).hex() == \
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_refuses_a_changed_byte_or_aad():
    from cryptography.exceptions import InvalidTag
    aead = gm.Sm4Gcm(b"k" * 16)
    sealed = aead.encrypt(b"n" * 12, b"plain text", b"aad")
    assert aead.decrypt(b"n" * 12, sealed, b"aad") == b"plain text"
    for bad_sealed, aad in ((sealed[:-1] + bytes([sealed[-1] ^ 1]), b"aad"), (sealed, b"aae")):
        with pytest.raises(InvalidTag):
            aead.decrypt(b"n" * 12, bad_sealed, aad)


@pytest.mark.parametrize("name", BACKENDS)
def test_sm2_gives_and_accepts_the_standard_signature(name):
    d = bytes.fromhex(SM2_EXAMPLE["d"])
    public = b"\x04" + bytes.fromhex(SM2_EXAMPLE["x"] + SM2_EXAMPLE["y"])
    assert gm.backend(name).public_of(d) == public
    expected = bytes.fromhex(SM2_EXAMPLE["r"] + SM2_EXAMPLE["s"])
    assert gm.backend("pure").sign(d, public, b"message digest", SM2_EXAMPLE["k"]) == expected
    assert gm.backend(name).verify(public, b"message digest", expected)
    assert not gm.backend(name).verify(public, b"message digesT", expected)


SM2_ENCRYPTION_EXAMPLE = (   # GB/T 32918.4-2016 example: the same key and k, "encryption standard"
    "04" "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"      # C1 = kG
    "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"      # C3
    "21886CA989CA9C7D58087307CA93092D651EFA")                               # C2


@pytest.mark.parametrize("name", BACKENDS)
def test_sm2_encryption_gives_and_opens_the_standard_ciphertext(name):
    import gmalg
    d = bytes.fromhex(SM2_EXAMPLE["d"])
    public = gm.public_of(d)
    made = gmalg.SM2(pk=public, rnd_fn=lambda _n: SM2_EXAMPLE["k"]).encrypt(b"encryption standard")
    assert made.hex().upper() == SM2_ENCRYPTION_EXAMPLE
    assert gm.backend(name).decrypt(d, bytes.fromhex(SM2_ENCRYPTION_EXAMPLE)) == b"encryption standard"


def test_a_pure_signature_with_a_short_r_is_still_64_bytes_and_verifies():
    """gmalg drops r's leading zero byte (k = 56 gives a 31-byte r for this key and message):
    the raw form is fixed-length, else a package signed with it came out one byte short."""
    d = bytes.fromhex(SM2_EXAMPLE["d"])
    public = gm.public_of(d)
    signature = gm.backend("pure").sign(d, public, b"lzkp", 56)
    assert len(signature) == gm.SIGNATURE_LENGTH and signature[0] == 0
    for name in BACKENDS:
        assert gm.backend(name).verify(public, b"lzkp", signature)


@pytest.mark.skipif(len(BACKENDS) < 2, reason="gmssl-fast not installed here")
def test_the_two_backends_read_each_other():
    d = gm.new_private()
    public = gm.public_of(d)
    for a, b in (("pure", "fast"), ("fast", "pure")):
        signature = gm.backend(a).sign(d, public, b"lzkp")
        assert gm.backend(b).verify(public, b"lzkp", signature)
        sealed = gm.backend(a).encrypt(public, b"sixteen byte key")
        assert sealed[0] == 4 and len(sealed) == 16 + 97
        assert gm.backend(b).decrypt(d, sealed) == b"sixteen byte key"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")
@pytest.mark.parametrize("name", BACKENDS)
def test_openssl_verifies_our_sm2_signature(tmp_path, name):
    d = gm.new_private()
    message = "履职考评同步包".encode()
    (tmp_path / "pub.der").write_bytes(gm.public_der(gm.public_of(d)))
    (tmp_path / "msg").write_bytes(message)
    signature = gm.backend(name).sign(d, gm.public_of(d), message)
    (tmp_path / "sig").write_bytes(gm.signature_der(signature))

    def openssl_verifies() -> subprocess.CompletedProcess:
        return subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-keyform", "DER",
             "-rawin", "-in", "msg", "-sigfile", "sig", "-digest", "sm3",
             "-pkeyopt", "distid:1234567812345678"], cwd=tmp_path, capture_output=True, text=True)

    done = openssl_verifies()
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stderr
    (tmp_path / "msg").write_bytes(message + b"!")
    assert openssl_verifies().returncode != 0


# ---------------------------------------------------------------- the package file
def _round_trip(tmp_path, suite, recipient, opener, sender):
    path = tmp_path / f"{suite}.lzkp"
    payload = bytes(range(256)) * 700          # three chunks
    container.write_package(path, {"kind": "x"}, [payload], sign_key=sender, recipient=recipient,
                            suite=suite)
    opened = container.read_header(path)
    container.verify(opened, sender.public())
    return path, opened, b"".join(container.open_payload(opened, opener))


def test_packages_in_the_guomi_suites_open_and_name_the_endorsed_sm2_key(tmp_path):
    sender, receiver = generate(), generate()
    secret = container.SharedSecret(b"s" * 32)
    for suite, recipient, opener in (("sm2-sm4gcm-sm3", receiver.public_with_sm2(), receiver),
                                     ("secret-hkdf-sm3-sm4gcm", secret, secret)):
        _, opened, plain = _round_trip(tmp_path, suite, recipient, opener, sender)
        assert plain == bytes(range(256)) * 700
        assert container.sender_sm2(opened, sender.public()) == sender.sm2_public()
        assert container.suite_label(opened.header["suite"]) == "国密"


def test_a_guomi_package_with_another_sm2_key_is_refused_even_with_the_right_fingerprint(tmp_path):
    """An attacker keeps the header's Ed25519/X25519 identity (the fingerprint people compared)
    but signs with an SM2 key of its own: the endorsement does not hold."""
    sender, receiver, attacker = generate(), generate(), generate()
    path, _, _ = _round_trip(tmp_path, "sm2-sm4gcm-sm3", receiver.public_with_sm2(), receiver,
                             sender)
    raw = path.read_bytes()
    header_length = int.from_bytes(raw[8:12], "big")
    header = json.loads(raw[12:12 + header_length])
    header["sender_sm2"] = base64.b64encode(attacker.sm2_public()).decode()
    header_bytes = container.encode_header(header)
    body = raw[12 + header_length:-64]
    message = container.signed_message(header_bytes, gm.sm3(body))
    forged = (raw[:8] + len(header_bytes).to_bytes(4, "big") + header_bytes + body
              + gm.sign(attacker.sm2_private(), message))
    path.write_bytes(forged)
    with pytest.raises(container.PackageError) as refused:
        container.verify(container.read_header(path), sender.public())
    assert refused.value.code == "signature" and "未经发送方密钥认可" in str(refused.value)


def test_a_changed_byte_anywhere_in_a_guomi_package_is_refused(tmp_path):
    sender, receiver = generate(), generate()
    path, _, _ = _round_trip(tmp_path, "sm2-sm4gcm-sm3", receiver.public_with_sm2(), receiver,
                             sender)
    raw = path.read_bytes()
    for at in (20, len(raw) // 2, len(raw) - 70, len(raw) - 1):
        damaged = bytearray(raw)
        damaged[at] ^= 0x40
        path.write_bytes(bytes(damaged))
        with pytest.raises(container.PackageError):
            opened = container.read_header(path)
            container.verify(opened, sender.public())
            b"".join(container.open_payload(opened, receiver))


# ---------------------------------------------------------------- a county switching
def _suites(db) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(PackageLedger.suite).order_by(PackageLedger.id)))


def test_a_county_switches_to_guomi_without_re_registering_anyone(tmp_path):
    world = build_world(tmp_path / "w", keys=("a",))
    unit, mirror = world.units["a"], world.mirror("a")
    try:
        first = world.report("a")                      # before the switch: classic
        assert world.receive(first)[0].suite == "x25519-hkdf-sha256-chacha20poly1305"
        suite_choice.set_county_family(world.bureau, SYSTEM, "guomi")

        announcing = world.dispatch("a")               # the unit's SM2 key is not known yet
        header = container.read_header(announcing).header
        assert header["suite"] == "x25519-hkdf-sha256-chacha20poly1305"
        assert header["suite_family"] == "guomi" and "sender_sm2" in header
        world.unit_receives("a", announcing)
        with unit.read() as s:
            bureau_row = s.scalar(select(Peer).where(Peer.kind == "bureau"))
            assert bureau_row.suite_family == "guomi"
            assert json.loads(bureau_row.public_keys).get("sm2")

        write_log(unit, "zs", DAYS[4], "国密：检查辖区农贸市场")
        report = world.report("a")                     # now 国密, teaching the 编办 its SM2 key
        assert container.read_header(report).header["suite"] == "sm2-sm4gcm-sm3"
        result = world.receive(report)[0]
        assert result.status == "imported" and result.suite == "sm2-sm4gcm-sm3", result.message
        with mirror.read() as s:
            assert json.loads(s.get(Peer, world.unit_ids["a"]).public_keys).get("sm2")

        dispatch = world.dispatch("a")                 # and back, in 国密 too
        assert container.read_header(dispatch).header["suite"] == "sm2-sm4gcm-sm3"
        assert world.unit_receives("a", dispatch)[0].status == "imported"
        assert _suites(mirror)[-2:] == ["x25519-hkdf-sha256-chacha20poly1305", "sm2-sm4gcm-sm3"][-2:]
        assert _suites(unit)[-1] == "sm2-sm4gcm-sm3"
    finally:
        world.close()


def test_a_unit_enrolled_in_a_guomi_county_reports_in_guomi_from_its_first_package(tmp_path):
    from tests.unit.sync_fixtures import World, enroll, new_bureau, register
    from app.services.county.mirrors import Mirrors
    bureau = new_bureau(tmp_path / "county.sqlite")
    suite_choice.set_county_family(bureau, SYSTEM, "guomi")
    world = World(tmp_path, bureau, Mirrors(bureau), usb=tmp_path / "usb")
    world.usb.mkdir()
    try:
        register(world, "a", 1)
        unit = enroll(world, "a", tmp_path / "unit.sqlite")
        with unit.read() as s:
            assert s.scalar(select(PackageLedger.suite)) == "secret-hkdf-sm3-sm4gcm"
        report = world.report("a")
        assert container.read_header(report).header["suite"] == "sm2-sm4gcm-sm3"
        result = world.receive(report)[0]
        assert result.status == "imported", result.message
        assert world.unit_receives("a", world.dispatch("a"))[0].status == "imported"
    finally:
        world.close()


def test_only_the_bureau_admin_chooses_the_suite(tmp_path):
    from app.core.errors import AppError
    world = build_world(tmp_path / "w", keys=("a",))
    try:
        with pytest.raises(AppError):
            suite_choice.set_county_family(world.units["a"], SYSTEM, "guomi")
        with pytest.raises(AppError):
            suite_choice.set_county_family(world.bureau, SYSTEM, "des")
        assert suite_choice.county_family(world.bureau) == "classic"
    finally:
        world.close()


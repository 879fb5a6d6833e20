"""The 编办's hold on a unit's key (app/services/county/unit_keys.py, exchange/admission.py):
a first key is registered only with a proof of the unit's one-time code — an insider holding a
copy of the 单位注册包, or a key of its own, registers nothing and the real unit still can —
only with the fingerprint confirmed when asked, the code is spent by it, and a revoked key is
refused until the unit re-registers with a new code. Every refusal leaves each of the 编办's
databases as it was (content hashes of all rows and files).

Real databases and cryptography, no mocks.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.db.models import AuditLog, Peer
from app.services.county.basis import bureau_values
from app.services.county import bureau as B, import_pool
from app.services.county.mirrors import Mirrors, registered_units
from app.services.county.unit_keys import revocations, revoke_key
from app.services.exchange import enrollment, packages as P, unit_side as unit_sync
from app.services.org.actor import Actor
from app.sync import codes, container
from app.sync.keys import KeyPair, generate
from tests.unit.sync_fixtures import (DAYS, World, content_hash, decrypt, fill_unit, new_bureau, register,
                                      write_log)

_CONTAINER = ("format", "suite", "body_length", "chunk_size", "sender_key", "ephemeral", "salt",
              "recipient")


@pytest.fixture
def world(tmp_path):
    """编办 + unit "a" made from its 注册包 and code (world.code), with people and logs."""
    root = tmp_path / "world"
    (root / "enroll").mkdir(parents=True)
    w = World(root, new_bureau(root / "county.sqlite"), None, usb=root / "usb")
    w.mirrors = Mirrors(w.bureau)
    w.usb.mkdir()
    register(w, "a", 1)
    written = enrollment.write_enrollment(w.bureau, w.mirrors, w.unit_ids["a"], root / "enroll")
    w.units["a"], _ = enrollment.create_from_enrollment(root / "unit_a.sqlite", written.path, written.code)
    w.code = written.code
    fill_unit(w.units["a"], "a")
    yield w
    w.close()


def forge(world: World, real, out, signer: KeyPair, proof: str | None):
    """The unit's real 上报包 sent again under another key with `proof` (None: none) — what an
    insider who made a key of his own would send."""
    bureau = P.ensure_keys(world.bureau)
    header, plain = decrypt(real, bureau)
    fields = {k: v for k, v in header.items() if k not in _CONTAINER and k != "enroll_proof"}
    fields["sender_keys"] = signer.public().to_dict()
    if proof is not None:
        fields["enroll_proof"] = proof
    container.write_package(out, fields, [plain], sign_key=signer, recipient=bureau.public())
    return out


def refused(world: World, path, code: str, words: str, **kw) -> P.PackageResult:
    before = content_hash(world.bureau.path)
    [result] = world.receive(path, **kw) if kw else world.receive(path)
    assert result.status == P.REJECTED and result.code == code, (result.code, result.message)
    assert words in result.message, result.message
    assert content_hash(world.bureau.path) == before, f"{code}: the 编办's databases changed"
    return result


def mirror_peer(world: World) -> Peer:
    with world.mirror("a").read() as s:
        return s.get(Peer, world.unit_ids["a"])


def audit_actions(db) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(AuditLog.action).order_by(AuditLog.seq)))


def receive(world: World, *paths, **kw):
    return B.import_packages(world.bureau, world.mirrors, list(paths), apply=True, **kw)


World.receive = lambda self, *paths, apply=True, **kw: B.import_packages(
    self.bureau, self.mirrors, list(paths), apply=apply, **kw)


def test_an_insider_without_the_code_registers_nothing_and_the_real_unit_still_registers(world, tmp_path):
    real = world.report("a")
    thief = generate()
    refused(world, forge(world, real, tmp_path / "no_proof.lzkp", thief, None), "enroll_proof", "没有“沂河县第1局”当前注册码的有效证明")
    stolen = decrypt(real, P.ensure_keys(world.bureau))[0]["enroll_proof"]      # the unit's proof, copied
    refused(world, forge(world, real, tmp_path / "copied.lzkp", thief, stolen), "enroll_proof", "冒充")
    guessed = codes.prove(codes.derive(codes.new_code(), world.unit_ids["a"]), thief.public())
    refused(world, forge(world, real, tmp_path / "guessed.lzkp", thief, guessed), "enroll_proof", "不能登记其密钥")
    assert mirror_peer(world).enroll_verifier is not None          # the code is still pending
    assert registered_units(world.bureau)[0].fingerprint is None

    [done] = world.receive(real)
    unit_fp = P.own_fingerprint(world.units["a"])
    assert done.status == P.IMPORTED and done.new_key == unit_fp
    peer = mirror_peer(world)
    assert peer.fingerprint == unit_fp and peer.enroll_verifier is None and peer.code_issued_at is None
    [unit] = registered_units(world.bureau)
    assert unit.fingerprint == unit_fp and unit.code_issued_at is None
    assert audit_actions(world.mirror("a"))[-3:] == ["issue-code", "register-key", "import-package"]
    assert audit_actions(world.bureau)[-2:] == ["issue-code", "register-key"]

    # the code is spent: even a valid proof of it cannot register another key now
    late = codes.prove(codes.derive(world.code, world.unit_ids["a"]), thief.public())
    refused(world, forge(world, real, tmp_path / "late.lzkp", thief, late), "wrong_key", "签名密钥与登记的不符")


def test_a_first_key_needs_a_pending_code(world):
    """A unit enrolled by the older program (no code) is refused until the 编办 issues a code;
    then the unit types it and registers."""
    with world.mirror("a").session() as s:
        s.get(Peer, world.unit_ids["a"]).enroll_verifier = None
    refused(world, world.report("a"), "no_code", "没有给“沂河县第1局”待用的注册码")
    issued = revoke_key(world.bureau, world.mirrors, world.unit_ids["a"], reason="补发注册码")
    assert issued.revoked is None and revocations(world.mirrors, world.unit_ids["a"]) == []
    fingerprint = unit_sync.rekey(world.units["a"], issued.code)
    [done] = world.receive(world.report("a"))
    assert done.status == P.IMPORTED and done.new_key == fingerprint


def test_a_first_key_is_imported_only_with_its_fingerprint_confirmed_when_asked(world):
    package = world.report("a")
    unit_fp = P.own_fingerprint(world.units["a"])
    [seen] = world.receive(package, apply=False, confirmed_keys=[])   # a preview shows the key
    assert seen.status == P.OK and seen.new_key == unit_fp
    result = refused(world, package, "unconfirmed_key", "尚未核对", confirmed_keys=[])
    assert f"--fingerprint {unit_fp}" in result.message
    wrong = unit_fp[:-1] + ("0" if unit_fp[-1] != "0" else "1")
    refused(world, package, "unconfirmed_key", unit_fp, confirmed_keys=[wrong])
    # the worker processes of a folder import check the same (run here in-process)
    bureau = P.ensure_keys(world.bureau)
    mirror = world.mirrors.path(world.unit_ids["a"])
    before = content_hash(world.bureau.path)
    [got], _ = import_pool._import_unit(str(mirror), world.unit_ids["a"], [str(package)], bureau.to_dict(),
                                        world.bureau.origin, True, Actor("", "system", "系统", "", None, True),
                                        dt.date.today(), set(), bureau_values(world.bureau), [wrong])
    assert got.status == P.REJECTED and got.code == "unconfirmed_key"
    assert content_hash(world.bureau.path) == before
    [done] = world.receive(package, confirmed_keys=[unit_fp.lower().replace("-", " ")])
    assert done.status == P.IMPORTED


def test_revoke_and_register_again(world):
    a, unit_id = world.units["a"], world.unit_ids["a"]
    [first] = world.receive(world.report("a"))
    old_fp = first.new_key
    write_log(a, "zs", DAYS[4], "复查农贸市场整改情况")
    by_old_key = world.report("a")
    with pytest.raises(PermissionDenied):
        revoke_key(world.bureau, world.mirrors, unit_id,
                   actor=Actor("p", "fx", "分析员", "编办分析员", None, False))
    with pytest.raises(AppError, match="已注册了密钥"):      # a 注册包 is for a first key only
        enrollment.write_enrollment(world.bureau, world.mirrors, unit_id, world.root / "enroll")

    issued = revoke_key(world.bureau, world.mirrors, unit_id, reason="单位电脑丢失")
    assert issued.revoked == old_fp and codes.normalize(issued.code) == issued.code
    [unit] = registered_units(world.bureau)
    assert unit.fingerprint is None and unit.code_issued_at
    [gone] = revocations(world.mirrors, unit_id)
    assert (gone.fingerprint, gone.reason) == (old_fp, "单位电脑丢失")
    assert audit_actions(world.bureau)[-2:] == ["revoke-key", "issue-code"]
    assert audit_actions(world.mirror("a"))[-2:] == ["revoke-key", "issue-code"]
    with pytest.raises(AppError, match="还没有"):              # nothing goes out to a revoked key
        B.export_dispatch(world.bureau, world.mirrors, unit_id, world.usb)
    result = refused(world, by_old_key, "revoked_key", "已被撤销的密钥签名")
    assert old_fp in result.message and "rekey --code" in result.message

    wrong = unit_sync.rekey(a, codes.new_code())                # a code the 编办 did not give
    assert wrong != old_fp
    refused(world, world.report("a"), "enroll_proof", "不能登记其密钥")
    new_fp = unit_sync.rekey(a, issued.code.lower())
    assert new_fp not in (old_fp, wrong) and P.own_fingerprint(a) == new_fp
    assert audit_actions(a)[-2:] == ["rekey", "rekey"]
    [again] = world.receive(world.report("a"))
    assert again.status == P.IMPORTED and again.new_key == new_fp
    assert registered_units(world.bureau)[0].fingerprint == new_fp
    assert audit_actions(world.bureau)[-1] == "register-key"

    # the old key stays refused, by name, after the new one is registered
    refused(world, by_old_key, "revoked_key", "已被撤销的密钥签名")
    # and the 编办's 下发包 goes to the new key
    [got] = world.unit_receives("a", world.dispatch("a"))
    assert got.status == P.IMPORTED, got.message


def test_a_fresh_enrollment_voids_the_code_a_revocation_printed(world, tmp_path):
    """The 注册包 and code were lost before the unit used them: the 编办 reissues a code, then
    decides the unit should start from a new 注册包 instead — whose code voids the other."""
    issued = revoke_key(world.bureau, world.mirrors, world.unit_ids["a"], reason="注册包遗失")
    written = enrollment.write_enrollment(world.bureau, world.mirrors, world.unit_ids["a"], world.root / "enroll")
    fresh, _ = enrollment.create_from_enrollment(tmp_path / "fresh.sqlite", written.path, written.code)
    try:
        unit_sync.rekey(world.units["a"], issued.code)          # the voided code
        refused(world, world.report("a"), "enroll_proof", "不能登记其密钥")
        package = unit_sync.export_report(fresh, world.usb).path
        [done] = world.receive(package)
        assert done.status == P.IMPORTED and done.new_key == P.own_fingerprint(fresh), done.message
    finally:
        fresh.dispose()

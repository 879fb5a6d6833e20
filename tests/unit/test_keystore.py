"""Package keys at rest: once the admin sets a 密钥口令, neither the database file nor a backup of
it holds the unit's or the 编办's private keys, and packages are made and read only after the
passphrase is given in this run."""
from __future__ import annotations

import pytest

from app.db.backup import backup_to
from app.services.exchange import keystore
from app.services.exchange.packages import ensure_keys, own_fingerprint
from app.services.org.actor import SYSTEM
from tests.unit.sync_fixtures import build_world

PASSPHRASE = "county-key-2026"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    w = build_world(tmp_path / "w", keys=("a",))
    yield w
    w.close()


def _forget_this_run(monkeypatch):
    """As if the program had been started again: nothing opened yet."""
    monkeypatch.setattr(keystore, "_opened", {})


def _secrets(keys) -> list[bytes]:
    return [keys.sign.private_bytes_raw(), keys.box.private_bytes_raw()]


def test_protected_keys_are_not_in_the_file_nor_in_a_backup(world, tmp_path, monkeypatch):
    unit = world.units["a"]
    keys = ensure_keys(unit)
    fingerprint = own_fingerprint(unit)
    unit.dispose()                                       # the WAL checkpointed into the file
    assert any(_b64(raw) in unit.path.read_bytes() for raw in _secrets(keys))    # plain before
    keystore.protect(unit, SYSTEM, PASSPHRASE)
    backup = tmp_path / "copy.sqlite"
    backup_to(unit.path, backup)
    unit.dispose()
    wal = unit.path.with_name(unit.path.name + "-wal")
    for raw in _secrets(keys):
        for data in (unit.path.read_bytes(), backup.read_bytes(),
                     wal.read_bytes() if wal.exists() else b""):
            assert raw not in data and _b64(raw) not in data
    _forget_this_run(monkeypatch)
    assert own_fingerprint(unit) == fingerprint          # read without the passphrase
    with pytest.raises(keystore.KeysLocked, match="请先输入密钥口令"):
        world.report("a")
    with pytest.raises(keystore.KeysLocked, match="密钥口令不正确"):
        keystore.unlock(unit, "wrong-passphrase")
    keystore.unlock(unit, PASSPHRASE)
    assert ensure_keys(unit).public().fingerprint() == fingerprint
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]


def test_the_bureau_reads_packages_only_with_its_passphrase(world, monkeypatch):
    package = world.report("a")
    keystore.protect(world.bureau, SYSTEM, PASSPHRASE)
    _forget_this_run(monkeypatch)
    with pytest.raises(keystore.KeysLocked):
        world.receive(package)
    monkeypatch.setenv(keystore.PASSPHRASE_ENV, PASSPHRASE)       # batch work: the environment
    assert [r.status for r in world.receive(package)] == ["imported"]


def test_changing_the_passphrase_needs_the_current_one(world, monkeypatch):
    unit = world.units["a"]
    keystore.protect(unit, SYSTEM, PASSPHRASE)
    with pytest.raises(Exception, match="须先输入原口令"):
        keystore.protect(unit, SYSTEM, "another-passphrase")
    with pytest.raises(keystore.KeysLocked, match="密钥口令不正确"):
        keystore.protect(unit, SYSTEM, "another-passphrase", current="wrong-passphrase")
    keystore.protect(unit, SYSTEM, "another-passphrase", current=PASSPHRASE)
    _forget_this_run(monkeypatch)
    keystore.unlock(unit, "another-passphrase")
    with pytest.raises(Exception, match="至少8位"):
        keystore.protect(unit, SYSTEM, "short", current="another-passphrase")


def _b64(raw: bytes) -> bytes:
    import base64
    return base64.b64encode(raw)


def test_a_new_key_pair_after_revocation_stays_sealed(world, monkeypatch):
    from app.db.models import SyncKey
    from app.core import signing
    from app.services.county.unit_keys import revoke_key
    from app.services.exchange import unit_side
    unit = world.units["a"]
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    keystore.protect(unit, SYSTEM, PASSPHRASE)
    issued = revoke_key(world.bureau, world.mirrors, world.unit_ids["a"], reason="密钥泄露")
    fingerprint = unit_side.rekey(unit, issued.code)
    with unit.read() as s:
        assert signing.is_sealed(s.get(SyncKey, 1).secret)
    _forget_this_run(monkeypatch)
    assert keystore.unlock(unit, PASSPHRASE).public().fingerprint() == fingerprint

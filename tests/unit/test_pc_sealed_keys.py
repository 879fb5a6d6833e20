"""Several PCs when the admin has sealed the unit key under a 密钥口令: the admin's PC needs the
passphrase (once per run) to set up and to make a join code; a joining PC does not, and its
later rounds run without anyone typing it — its copy of the key sealed under a secret of its own,
so the joined database file alone still does not open the key."""
from __future__ import annotations

import shutil

import pytest

from app.services.exchange import keystore, pc_unit
from app.services.org import accounts
from app.services.org.setup import open_database
from app.settings import Settings
from tests.conftest import TEST_PASSWORD

PASSPHRASE = "单位密钥口令2026"


def new_run(db) -> None:
    """What a restart of the program forgets: the keys opened in this run."""
    keystore._opened.pop(str(db.path), None)
    keystore._passphrases.pop(str(db.path), None)


@pytest.fixture
def sealed(unit_db, admin, monkeypatch):
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    keystore.protect(unit_db, admin, PASSPHRASE)
    new_run(unit_db)
    return unit_db


def test_the_admin_needs_the_passphrase_for_setup_and_a_join_code(tmp_path, sealed, admin):
    share = tmp_path / "share"
    share.mkdir()
    mine = Settings(tmp_path / "a.json")
    with pytest.raises(keystore.KeysLocked, match="请先输入密钥口令"):
        pc_unit.setup(sealed, admin, share, settings=mine)
    assert list(share.iterdir()) == []                       # nothing written
    keystore.unlock(sealed, PASSPHRASE)
    first = pc_unit.setup(sealed, admin, share, settings=mine)
    new_run(sealed)
    with pytest.raises(keystore.KeysLocked, match="请先输入密钥口令"):
        pc_unit.new_join_code(sealed, admin, settings=mine)
    keystore.unlock(sealed, PASSPHRASE)
    second = pc_unit.new_join_code(sealed, admin, settings=mine)
    with pytest.raises(Exception, match="加入码不正确"):
        pc_unit.join(tmp_path / "old.sqlite", share, first, settings=Settings(tmp_path / "o.json"))
    assert not (tmp_path / "old.sqlite").exists()
    other = pc_unit.join(tmp_path / "b.sqlite", share, second, settings=Settings(tmp_path / "b.json"))
    other.dispose()


def test_a_joined_pc_syncs_in_later_runs_without_the_admins_passphrase(tmp_path, sealed, admin):
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = Settings(tmp_path / "a.json"), Settings(tmp_path / "b.json")
    keystore.unlock(sealed, PASSPHRASE)
    code = pc_unit.setup(sealed, admin, share, name="管理员电脑", settings=mine)
    other = pc_unit.join(tmp_path / "b.sqlite", share, code, name="二号机", settings=theirs)
    try:
        assert keystore.protected(other)                      # never stored plain
        new_run(other)
        with pytest.raises(keystore.KeysLocked):               # not the admin's passphrase
            keystore.unlock(other, PASSPHRASE)
        assert not keystore.is_open(other)
        assert pc_unit.keys_ready(other, theirs)               # its own seal, from its settings

        new_run(other)
        accounts.add_user(sealed, admin, accounts.NewUser("zhao", "赵敏", TEST_PASSWORD, must_change=False))
        pc_unit.sync(sealed, settings=mine)
        report = pc_unit.sync(other, settings=theirs)         # the change files opened and applied
        assert report.applied and not any("密钥" in p for p in report.problems)
        assert accounts.login(other, "zhao", TEST_PASSWORD).name == "赵敏"

        # the file copied off the PC without its settings: the key stays shut
        copy = tmp_path / "copy.sqlite"
        other.dispose()
        shutil.copy(tmp_path / "b.sqlite", copy)
        stolen = open_database(copy)
        try:
            assert keystore.protected(stolen) and not pc_unit.keys_ready(stolen, Settings(tmp_path / "x.json"))
        finally:
            stolen.dispose()
    finally:
        other.dispose()

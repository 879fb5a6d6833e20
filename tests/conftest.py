"""Shared fixtures. Tests never touch the developer's real data folder or settings."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LZKP_NO_CRASH_DIALOG"] = "1"
# PDFs render the same everywhere: the bundled fonts, not whatever the machine has installed.
os.environ.setdefault("LZKP_BUNDLED_FONTS_ONLY", "1")

TEST_CREDIT_CODE = "11371321MB28510360"   # valid per GB 32100
TEST_PASSWORD = "abc12345"

from argon2 import Type, profiles  # noqa: E402
from app.services.org import passwords  # noqa: E402

REAL_PASSWORD_PARAMETERS = passwords.PARAMETERS
# argon2id at its cheapest: same algorithm, same code paths, same `$argon2id$` hashes, ~1000×
# faster than the program's 64 MiB × 3 passes. Tests that need the real cost (its parameters,
# timing) ask for the fixture `real_password_cost`.
CHEAP_PASSWORD_PARAMETERS = profiles.Parameters(type=Type.ID, version=19, salt_len=16, hash_len=32,
                                                time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LZKP_DATA_DIR", str(tmp_path_factory.mktemp("appdata")))


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    # Session-wide, so that module-scoped worlds are hashed the same way as the tests using them
    # (a different parameter set would be rehashed at the next login, an unexpected write).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "PARAMETERS", CHEAP_PASSWORD_PARAMETERS)
        yield


@pytest.fixture
def real_password_cost(monkeypatch):
    """Password hashes with the program's own argon2id parameters."""
    monkeypatch.setattr(passwords, "PARAMETERS", REAL_PASSWORD_PARAMETERS)


@pytest.fixture(autouse=True, scope="session")
def _fast_key_sealing():
    """Personal keys sealed with a light argon2id (the real cost is ~0.1 s per login)."""
    from app.core import signing
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "SEAL_COST", {"memory_cost": 64, "iterations": 1, "lanes": 1})
        yield


@pytest.fixture
def unit_db(tmp_path: Path):
    """An initialised unit database with an admin account 'admin' (password abc12345)."""
    from app.services.org import accounts
    from app.services.org.actor import SYSTEM
    from app.services.org.setup import UnitSetup, initialise_unit, open_database

    db = open_database(tmp_path / "unit.sqlite", create=True)
    initialise_unit(db, UnitSetup("测试县市场监督管理局", TEST_CREDIT_CODE,
                                  staffing_quotas={"行政编制": 20, "事业编制": 5},
                                  leader_posts={"正职": 1, "副职": 3}))
    accounts.add_user(db, SYSTEM, accounts.NewUser("admin", "管理员", TEST_PASSWORD,
                                                   is_admin=True, must_change=False))
    yield db
    db.dispose()


@pytest.fixture
def admin(unit_db):
    from app.services.org import accounts
    return accounts.login(unit_db, "admin", TEST_PASSWORD)

"""Unit-test fixtures: cheap password hashing and a fast `unit_db`.

Password hashing: the program's argon2id parameters (64 MiB, 3 passes) cost 0.3–1.5 s per hash
on the build machines. Unit tests use argon2id with the cheapest parameters instead: same
algorithm, same code paths, same `$argon2id$` hashes. test_accounts.py checks the program's own
parameters (fixture `real_hasher`).

`unit_db`: the same database as tests/conftest.py's fixture (keep the two in step), built once per
session through the real code and copied for each test; opening the copy still goes through
`open_database` (integrity check, migration check). Creating and migrating a fresh file per test
cost 0.3–0.5 s of mostly fsync time.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.services.org import accounts

REAL_HASHER = accounts._hasher
TEST_CREDIT_CODE = "11371321MB28510360"   # as tests/conftest.py
TEST_PASSWORD = "abc12345"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


@pytest.fixture
def real_hasher() -> PasswordHasher:
    """The hasher the program uses outside these tests."""
    return REAL_HASHER


@pytest.fixture(scope="session")
def _unit_db_template(tmp_path_factory) -> Path:
    from app.services.org.actor import SYSTEM
    from app.services.org.setup import UnitSetup, initialise_unit, open_database

    path = tmp_path_factory.mktemp("template") / "unit.sqlite"
    saved, accounts._hasher = accounts._hasher, FAST_HASHER
    try:
        db = open_database(path, create=True)
        initialise_unit(db, UnitSetup("测试县市场监督管理局", TEST_CREDIT_CODE,
                                      staffing_quotas={"行政编制": 20, "事业编制": 5},
                                      leader_posts={"正职": 1, "副职": 3}))
        accounts.add_user(db, SYSTEM, accounts.NewUser("admin", "管理员", TEST_PASSWORD,
                                                       is_admin=True, must_change=False))
        db.dispose()   # last connection closed: WAL checkpointed into the file
    finally:
        accounts._hasher = saved
    return path


@pytest.fixture
def unit_db(_unit_db_template, tmp_path):
    """An initialised unit database with an admin account 'admin' (password abc12345)."""
    from app.services.org.setup import open_database

    path = tmp_path / "unit.sqlite"
    shutil.copyfile(_unit_db_template, path)
    db = open_database(path)
    yield db
    db.dispose()

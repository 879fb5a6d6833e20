"""Unit-test fixtures: cheap password hashing and a fast `unit_db`.

Password hashing is cheap in every test (tests/conftest.py); test_accounts.py and
test_account_security.py check the program's own parameters (fixtures `real_hasher`,
`real_password_cost`).

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

from app.services.org import accounts, passwords
from tests.conftest import CHEAP_PASSWORD_PARAMETERS, REAL_PASSWORD_PARAMETERS

TEST_CREDIT_CODE = "11371321MB28510360"   # as tests/conftest.py
TEST_PASSWORD = "abc12345"


@pytest.fixture
def real_hasher() -> PasswordHasher:
    """The hasher the program uses outside these tests."""
    return PasswordHasher.from_parameters(REAL_PASSWORD_PARAMETERS)


@pytest.fixture(scope="session")
def _unit_db_template(tmp_path_factory) -> Path:
    from app.services.org.actor import SYSTEM
    from app.services.org.setup import UnitSetup, initialise_unit, open_database

    path = tmp_path_factory.mktemp("template") / "unit.sqlite"
    saved, passwords.PARAMETERS = passwords.PARAMETERS, CHEAP_PASSWORD_PARAMETERS
    try:
        db = open_database(path, create=True)
        initialise_unit(db, UnitSetup("测试县市场监督管理局", TEST_CREDIT_CODE,
                                      staffing_quotas={"行政编制": 20, "事业编制": 5},
                                      leader_posts={"正职": 1, "副职": 3}))
        accounts.add_user(db, SYSTEM, accounts.NewUser("admin", "管理员", TEST_PASSWORD,
                                                       is_admin=True, must_change=False))
        db.dispose()   # last connection closed: WAL checkpointed into the file
    finally:
        passwords.PARAMETERS = saved
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

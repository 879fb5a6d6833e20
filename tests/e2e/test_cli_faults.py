"""The command line under faults: one Chinese line on stderr, exit 1, never a traceback, and the
file as it was. The program runs in a subprocess, as a user runs it."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.test_cli_basic import init_args, run
from tests.fault_tools import fill_up, lock_held, small_tmpfs

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def made_db(tmp_path_factory, env_dir) -> Path:
    path = tmp_path_factory.mktemp("made") / "unit.sqlite"
    r = run(*init_args(path), data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture
def db_copy(made_db, tmp_path) -> Path:
    path = tmp_path / "data" / "unit.sqlite"
    path.parent.mkdir()
    shutil.copyfile(made_db, path)
    return path


def one_line_error(r, *phrases: str) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "sqlalchemy" not in r.stderr.lower()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), r.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    assert "已损坏" not in lines[0]


def write_foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts(name TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b""),
    lambda p: p.write_bytes(b"\x00\x17 random bytes, not SQLite " * 200),
    write_foreign,
], ids=["zero-bytes", "random-bytes", "foreign-sqlite"])
def test_check_refuses_a_file_that_is_not_ours(tmp_path, env_dir, make):
    path = tmp_path / "unit.sqlite"
    make(path)
    before = path.read_bytes()
    r = run("check", "--db", path, data_dir=env_dir)
    one_line_error(r, "不是本程序的数据库")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unit.sqlite"]


def test_check_and_a_write_while_another_process_holds_the_lock(db_copy, env_dir):
    with lock_held(db_copy, "exclusive") as holder:
        before = db_copy.read_bytes()
        r = run("check", "--db", db_copy, data_dir=env_dir)
        one_line_error(r, "正被其他程序占用")
        assert db_copy.read_bytes() == before
        assert holder.commit() == "committed"
    with lock_held(db_copy, "immediate") as holder:   # readers go on; a write waits, then gives up
        r = run("log", "add", "--db", db_copy, "--user", "admin", "--date", YESTERDAY,
                "--hours", "2", "--category", "业务工作", "--content", "整理档案", data_dir=env_dir)
        one_line_error(r, "正被其他程序占用")
        assert holder.commit() == "committed"


def test_a_write_on_a_full_disk(made_db, tmp_path, env_dir):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        path = mnt / "unit.sqlite"
        shutil.copyfile(made_db, path)
        fill_up(mnt)
        r = run("log", "add", "--db", path, "--user", "admin", "--date", YESTERDAY,
                "--hours", "2", "--category", "业务工作", "--content", "整理档案", data_dir=env_dir)
        one_line_error(r, "磁盘空间已满")

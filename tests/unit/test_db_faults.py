"""Start-up and save faults are told from damage, and never lead to a restore.

Every fault here is real: another process holds the lock, a tmpfs is filled up or mounted
read-only, a file is made immutable. The file's bytes are compared before and after."""
from __future__ import annotations

import logging
import shutil
import sqlite3
import traceback
from pathlib import Path

import pytest
from sqlalchemy import text

from app.core.errors import AppError
from app.db.backup import automatic_backup, quick_check, restore_from
from app.db.faults import DatabaseFault
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.setup import DatabaseDamaged, open_database
from tests.fault_tools import (fill_up, holder_note, immutable, lock_held, make_read_only,
                               make_writable, set_rollback_journal, small_tmpfs)
from tests.unit.conftest import TEST_PASSWORD


def place_db(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "unit.sqlite"
    shutil.copyfile(template, path)
    return path


def damage(path: Path) -> None:
    """16 KiB of garbage over whole pages in the middle of the file (page 1 stays intact)."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek((size // 2) // 4096 * 4096)
        fh.write(bytes(range(256)) * 64)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_not_damage(exc: BaseException) -> None:
    assert isinstance(exc, DatabaseFault) and isinstance(exc, AppError)
    assert not isinstance(exc, DatabaseDamaged)
    assert "已损坏" not in str(exc) and "恢复" not in str(exc)


# --------------------------------------------------------------------------- another process

@pytest.mark.parametrize("journal", ["wal", "rollback"])
def test_a_lock_held_by_another_process_is_not_damage(_unit_db_template, tmp_path, journal):
    path = place_db(_unit_db_template, tmp_path / "data")
    backup = automatic_backup(path, "daily")
    if journal == "rollback":
        set_rollback_journal(path)
    with lock_held(path, "exclusive") as holder:
        before, files = path.read_bytes(), listing(path.parent)
        with pytest.raises(AppError) as err:
            open_database(path)
        assert_not_damage(err.value)
        assert "正被其他程序占用" in str(err.value) and "没有损坏" in str(err.value)
        assert path.read_bytes() == before              # untouched while the other one works
        assert listing(path.parent) == files             # nothing renamed away, nothing restored
        assert holder.commit() == "committed"            # the other process loses nothing
    assert holder_note(path) == ["written by the lock holder"]
    assert quick_check(backup) == []
    open_database(path).dispose()                        # and the file opens once it is free


@pytest.mark.parametrize("mode", ["read", "open"])
def test_restore_never_replaces_a_file_another_process_has_open(_unit_db_template, tmp_path, mode):
    path = place_db(_unit_db_template, tmp_path / "data")
    backup = automatic_backup(path, "daily")
    with lock_held(path, mode):
        damage(path)                # damaged while another copy of the program has it open
        with pytest.raises(DatabaseDamaged) as err:
            open_database(path)
        assert err.value.backups == [backup]
        before, files = path.read_bytes(), listing(path.parent)
        with pytest.raises(DatabaseFault, match="正被其他程序打开") as refused:
            restore_from(backup, path)
        assert "不能用备份替换" in str(refused.value)
        assert path.read_bytes() == before and listing(path.parent) == files
    restore_from(backup, path)                           # nobody holds it now
    assert quick_check(path) == []
    assert any(n.startswith("unit.sqlite.damaged-") for n in listing(path.parent))


# --------------------------------------------------------------------------- filesystem faults

def test_a_full_disk_at_start_is_not_damage(_unit_db_template, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        path = place_db(_unit_db_template, mnt)
        filler = fill_up(mnt)
        before = path.read_bytes()
        with pytest.raises(AppError) as err:
            open_database(path)
        assert_not_damage(err.value)
        assert "磁盘空间已满" in str(err.value)
        assert path.read_bytes() == before
        filler.unlink()
        open_database(path).dispose()


def test_a_full_disk_while_saving_says_so_and_leaks_no_parameters(_unit_db_template, tmp_path,
                                                                  caplog):
    caplog.set_level(logging.DEBUG)
    with small_tmpfs(tmp_path / "mnt") as mnt:
        db = open_database(place_db(_unit_db_template, mnt))
        try:
            admin = accounts.login(db, "admin", TEST_PASSWORD)
            filler = fill_up(mnt)
            secret_name = "不应出现在日志里的姓名" * 20
            with pytest.raises(AppError) as err:
                for n in range(20):   # the WAL may still hold a few free frames
                    accounts.add_user(db, admin, accounts.NewUser(
                        f"u{n}", secret_name, "Pw1-" + "x" * 40, must_change=False))
            assert_not_damage(err.value)
            assert "磁盘空间已满" in str(err.value)
            report = "".join(traceback.format_exception(err.value))    # as the crash report
            assert secret_name not in report and "$argon2" not in report
            assert secret_name not in caplog.text and "$argon2" not in caplog.text
            filler.unlink()
            accounts.add_user(db, admin, accounts.NewUser("later", "王五", "Pw1-later-123",
                                                          must_change=False))
        finally:
            db.dispose()
        assert quick_check(mnt / "unit.sqlite") == []


def test_a_read_only_filesystem_at_start_is_not_damage(_unit_db_template, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        path = place_db(_unit_db_template, mnt)
        automatic_backup(path, "daily")
        before, files = path.read_bytes(), listing(mnt)
        make_read_only(mnt)
        with pytest.raises(AppError) as err:
            open_database(path)
        assert_not_damage(err.value)
        assert "只读" in str(err.value)
        assert path.read_bytes() == before and listing(mnt) == files
        make_writable(mnt)
        open_database(path).dispose()


def test_a_file_that_cannot_be_written_is_a_permission_fault(_unit_db_template, tmp_path):
    # Root ignores permission bits (chmod 444 would not stop it); an immutable file stops anyone.
    with small_tmpfs(tmp_path / "mnt") as mnt:
        path = place_db(_unit_db_template, mnt)
        before = path.read_bytes()
        with immutable(path):
            with pytest.raises(AppError) as err:
                open_database(path)
            assert_not_damage(err.value)
            assert "没有写入" in str(err.value) and "权限" in str(err.value)
        assert path.read_bytes() == before


# --------------------------------------------------------------------------- not our file

def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts(name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('张三', '13800000000')")
    conn.commit()
    conn.close()
    return path


def empty_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=7")     # a valid SQLite file without a single table
    conn.close()
    return path


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b""),
    lambda p: p.write_bytes("这不是数据库".encode() * 1000),
    foreign_sqlite,
    empty_sqlite,
], ids=["zero-bytes", "random-bytes", "foreign-sqlite", "sqlite-without-tables"])
def test_a_file_that_is_not_ours_is_refused_and_left_as_it_was(tmp_path, make):
    path = tmp_path / "unit.sqlite"
    make(path)
    before = path.read_bytes()
    with pytest.raises(AppError) as err:
        open_database(path)
    assert_not_damage(err.value)
    assert "不是本程序的数据库" in str(err.value)
    assert path.read_bytes() == before                   # no schema written into it
    assert listing(tmp_path) == ["unit.sqlite"]           # no -wal/-shm either


# --------------------------------------------------------------------------- logging

def test_a_failed_statement_shows_no_parameters(unit_db, caplog):
    caplog.set_level(logging.DEBUG)
    value = "参数值" * 3        # built at run time: the traceback quotes source lines
    with pytest.raises(Exception) as err:
        with unit_db.session() as s:
            s.execute(text("INSERT INTO person (login) VALUES (:a)"), {"a": value})
    report = "".join(traceback.format_exception(err.value))
    assert value not in report and value not in caplog.text

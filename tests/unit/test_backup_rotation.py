"""Automatic rotating backups (app/db/rotation.py) and owner-only files (app/paths.py).

The clock is passed in: 60 simulated days run in a second, with real SQLite backups.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from app.db.rotation import DAILY_KEPT, WEEKLY_KEPT, run_rotation, rotating_backups

posix_only = pytest.mark.skipif(sys.platform == "win32",
                                reason="Windows: the profile's ACLs restrict, not mode bits")
START = dt.datetime(2026, 9, 1, 8, 30)


def small_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    return path


def days_kept(folder: Path, stem: str = "unit") -> list[dt.date]:
    return sorted(b.taken.date() for b in rotating_backups(folder, stem))


def test_sixty_days_keep_exactly_seven_daily_and_four_weekly(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    for day in range(60):
        morning = START + dt.timedelta(days=day)
        first = run_rotation(db, morning)
        # started again after lunch: the day already has its backup, nothing new is taken
        again = run_rotation(db, morning + dt.timedelta(hours=5))
        assert first.taken is not None and again.taken is None
        assert len(rotating_backups(db.parent / "backups", "unit")) <= DAILY_KEPT + WEEKLY_KEPT
    last = (START + dt.timedelta(days=59)).date()
    kept = days_kept(db.parent / "backups")
    assert len(kept) == DAILY_KEPT + WEEKLY_KEPT == 11
    daily, weekly = kept[-7:], kept[:-7]
    assert daily == [last - dt.timedelta(days=n) for n in range(6, -1, -1)]
    weeks = [d.isocalendar()[:2] for d in weekly]
    assert len(set(weeks)) == 4                       # one backup per week …
    assert all(d < daily[0] for d in weekly)          # … older than the daily ones
    assert weekly[0] <= daily[0] - dt.timedelta(days=21)   # reaching a month back
    kinds = {b.taken.date(): b.kind for b in rotating_backups(db.parent / "backups", "unit")}
    assert [kinds[d] for d in kept] == ["weekly"] * 4 + ["daily"] * 7
    # every file left is a complete database
    for b in rotating_backups(db.parent / "backups", "unit"):
        conn = sqlite3.connect(f"file:{b.path}?mode=ro", uri=True)
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
        conn.close()


def test_other_backups_are_not_rotated_away(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    folder = db.parent / "backups"
    folder.mkdir()
    before_migration = folder / "unit-20260801-080000-before-0010.sqlite"
    safety = folder / "unit-20260802-080000-before-restore.sqlite"
    other_db = folder / "unit-old-20260801-080000-auto.sqlite"     # another database's backup
    for path in (before_migration, safety, other_db):
        path.write_bytes(db.read_bytes())
    for day in range(40):
        run_rotation(db, START + dt.timedelta(days=day))
    assert before_migration.exists() and safety.exists() and other_db.exists()


def test_second_location_gets_the_same_rotation(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    stick = tmp_path / "usb" / "备份"
    stick.mkdir(parents=True)
    for day in range(45):
        result = run_rotation(db, START + dt.timedelta(days=day), second=stick)
        assert result.warnings == []
    local = [b.path.name for b in rotating_backups(db.parent / "backups", "unit")]
    copied = [b.path.name for b in rotating_backups(stick, "unit")]
    assert len(local) == 11 and copied == local
    for name in copied:
        assert (stick / name).read_bytes() == (db.parent / "backups" / name).read_bytes()


def test_missing_second_location_is_a_warning_and_the_local_backup_is_made(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    unplugged = tmp_path / "media" / "U盘" / "备份"
    result = run_rotation(db, START, second=unplugged)
    assert result.taken is not None and result.taken.exists()
    assert len(result.warnings) == 1
    assert "第二备份位置" in result.warnings[0] and str(unplugged) in result.warnings[0]
    assert not unplugged.exists()              # never created on the local disk instead
    # plugged in again the next day: the copies catch up
    unplugged.mkdir(parents=True)
    later = run_rotation(db, START + dt.timedelta(days=1), second=unplugged)
    assert later.warnings == []
    assert len(rotating_backups(unplugged, "unit")) == 2


def test_second_location_that_is_a_file_is_a_warning(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    not_a_folder = tmp_path / "note.txt"
    not_a_folder.write_text("x")
    result = run_rotation(db, START, second=not_a_folder)
    assert result.taken is not None and result.warnings


def test_force_takes_another_backup_the_same_day_and_keeps_the_newest(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    run_rotation(db, START)
    forced = run_rotation(db, START + dt.timedelta(hours=3), force=True)
    assert forced.taken is not None
    [kept] = rotating_backups(db.parent / "backups", "unit")
    assert kept.path == forced.taken


def test_bureau_backup_carries_the_unit_mirrors(tmp_path):
    db = small_db(tmp_path / "county.sqlite")
    mirrors = tmp_path / "county.sqlite.units"
    mirrors.mkdir()
    small_db(mirrors / "unit-a.sqlite")
    taken = run_rotation(db, START).taken
    assert (taken.parent / (taken.name + ".units") / "unit-a.sqlite").exists()
    for day in range(1, 40):
        run_rotation(db, START + dt.timedelta(days=day))
    sets = list((db.parent / "backups").glob("*.units"))
    assert len(sets) == 11 and not (taken.parent / (taken.name + ".units")).exists()


# --------------------------------------------------------------------- owner-only files

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_new_database_backups_and_folders_are_owner_only(tmp_path, monkeypatch):
    from app.paths import data_dir
    from app.services.org.setup import open_database

    monkeypatch.setenv("LZKP_DATA_DIR", str(tmp_path / "data"))
    folder = data_dir()
    assert mode(folder) == 0o700
    db = open_database(folder / "unit.sqlite", create=True)
    try:
        assert mode(db.path) == 0o600
        for suffix in ("-wal", "-shm"):
            side = Path(f"{db.path}{suffix}")
            if side.exists():
                assert mode(side) == 0o600
        taken = run_rotation(db.path, START).taken
        assert mode(taken.parent) == 0o700 and mode(taken) == 0o600
    finally:
        db.dispose()


@posix_only
def test_existing_backup_folder_is_tightened(tmp_path):
    db = small_db(tmp_path / "unit.sqlite")
    (tmp_path / "backups").mkdir(mode=0o755)
    os.chmod(tmp_path / "backups", 0o755)
    run_rotation(db, START)
    assert mode(tmp_path / "backups") == 0o700


@posix_only
def test_packages_and_attachments_are_owner_only(unit_db, tmp_path):
    from app.services.logs.attachments import store_file, stored_path
    from app.sync.container import write_package
    from app.sync.keys import generate

    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.4 test")
    ref = store_file(unit_db, source)
    stored = stored_path(unit_db, ref.sha256)
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700 and mode(unit_db.files_dir) == 0o700
    keys = generate()
    package = tmp_path / "out.lzkp"
    write_package(package, {"kind": "changes"}, iter([b"x"]), sign_key=keys,
                  recipient=generate().public())
    assert mode(package) == 0o600

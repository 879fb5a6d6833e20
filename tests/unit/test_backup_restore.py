"""Listing, previewing and restoring backups as the admin (app/services/org/backups.py)."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from app.core.errors import AppError, PermissionDenied
from app.db.migrate import head_revision
from app.db.models import AuditLog, Person, WorkLog
from app.services.logs import daily as logs
from app.services.org import accounts, backups
from app.services.org.audit import verify
from app.services.org.setup import open_database
from tests.unit.conftest import TEST_PASSWORD

BEFORE, AFTER = dt.date(2026, 11, 16), dt.date(2026, 11, 17)
NOW = dt.datetime(2026, 11, 20, 9, 0)


def write_log(db, actor, day, text):
    logs.save_day(db, actor, day, "正常", [logs.EntryDraft(hours=2, category="业务工作", content=text)],
                  today=dt.date(2026, 11, 20))


@pytest.fixture
def backed_up(unit_db, admin):
    """A backup holding the 11-16 log; the 11-17 log is written after it."""
    write_log(unit_db, admin, BEFORE, "备份前的日志")
    taken = backups.back_up_now(unit_db, admin, now=NOW).taken
    write_log(unit_db, admin, AFTER, "备份后的日志")
    return taken


def staff(db, admin):
    accounts.add_user(db, admin, accounts.NewUser("li", "李玥", TEST_PASSWORD, must_change=False))
    return accounts.login(db, "li", TEST_PASSWORD)


def test_list_shows_date_size_and_kind(unit_db, admin, backed_up):
    [info] = backups.list_backups(unit_db, admin)
    assert info.path == backed_up
    assert info.taken == NOW
    assert info.size == backed_up.stat().st_size > 0
    assert info.kind == "每日"


def test_preview_figures_match_the_backup(unit_db, admin, backed_up, tmp_path):
    shown = backups.preview(unit_db, admin, backed_up)
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(backed_up, copy)
    other = open_database(copy)
    try:
        with other.read() as s:
            people = s.scalar(select(func.count()).select_from(Person).where(Person.deleted.is_(False)))
            n_logs = s.scalar(select(func.count()).select_from(WorkLog).where(WorkLog.deleted.is_(False)))
            latest = s.scalar(select(func.max(WorkLog.day)))
    finally:
        other.dispose()
    assert shown.unit_name == "测试县市场监督管理局"
    assert (shown.people, shown.logs, shown.latest_log_day) == (people, n_logs, latest)
    assert (shown.logs, shown.latest_log_day) == (1, BEFORE.isoformat())
    assert shown.schema == head_revision()
    # what a restore would lose: the log written after the backup
    assert shown.logs_since == 1
    assert "1篇日志" in shown.loss_text() and AFTER.isoformat() in shown.loss_text()


def test_restore_brings_back_the_old_content_keeps_a_safety_copy_and_is_audited(unit_db, admin,
                                                                              backed_up):
    path = unit_db.path
    result = backups.restore(unit_db, admin, backed_up)
    db = result.db
    try:
        me = accounts.login(db, "admin", TEST_PASSWORD)
        assert logs.load_day(db, me, BEFORE).entries[0].content == "备份前的日志"
        assert logs.load_day(db, me, AFTER).state is None
        with db.read() as s:
            last = s.scalars(select(AuditLog).order_by(AuditLog.seq.desc()).limit(1)).one()
        assert (last.actor, last.action) == ("admin", "restore-backup")
        assert verify(db).ok
    finally:
        db.dispose()
    # the state before the restore is kept as a backup of its own kind, and opens
    assert result.safety.exists() and result.safety.parent == backed_up.parent
    kinds = {b.path: b.kind for b in backups.list_backups(open_database(path), admin)}
    assert kinds[result.safety] == "恢复前"
    kept = open_database(shutil.copy(result.safety, path.with_name("safety-copy.sqlite")))
    try:
        me = accounts.login(kept, "admin", TEST_PASSWORD)
        assert logs.load_day(kept, me, AFTER).entries[0].content == "备份后的日志"
    finally:
        kept.dispose()


def test_a_non_admin_can_neither_list_preview_nor_restore(unit_db, admin, backed_up):
    li = staff(unit_db, admin)
    before = unit_db.path.read_bytes()
    with pytest.raises(PermissionDenied):
        backups.restore(unit_db, li, backed_up)
    with pytest.raises(PermissionDenied):
        backups.preview(unit_db, li, backed_up)
    with pytest.raises(PermissionDenied):
        backups.list_backups(unit_db, li)
    with pytest.raises(PermissionDenied):
        backups.back_up_now(unit_db, li, now=NOW)
    assert list(backed_up.parent.glob("*before-restore*")) == []
    assert unit_db.path.read_bytes() == before


def test_restore_is_refused_while_another_process_has_the_file_open(unit_db, admin, backed_up):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(unit_db.path)!r})
        conn.execute("SELECT count(*) FROM work_log").fetchall()
        print("open", flush=True)
        sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(backups.FileInUse) as refused:
            backups.restore(unit_db, admin, backed_up)
        assert "其他程序" in str(refused.value)
    finally:
        holder.communicate("\n", timeout=10)
    assert list(backed_up.parent.glob("*before-restore*")) == []
    with unit_db.read() as s:      # nothing was replaced: the later log is still there
        assert s.scalar(select(func.count()).select_from(WorkLog)) == 2


def test_a_damaged_backup_is_refused_and_nothing_changes(unit_db, admin, backed_up):
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = bytes(8192)
    data[:16] = b"not a database!!"
    backed_up.write_bytes(bytes(data))
    with pytest.raises(AppError) as refused:
        backups.preview(unit_db, admin, backed_up)
    assert "备份" in str(refused.value)
    with pytest.raises(AppError):
        backups.restore(unit_db, admin, backed_up)
    with unit_db.read() as s:
        assert s.scalar(select(func.count()).select_from(WorkLog)) == 2


def test_another_databases_file_is_refused(unit_db, admin, tmp_path):
    """A copy brought on a stick may be restored, but only a copy of this same database."""
    import sqlite3
    stray = tmp_path / "elsewhere" / "其他单位.sqlite"
    stray.parent.mkdir()
    shutil.copyfile(unit_db.path, stray)
    conn = sqlite3.connect(stray)
    conn.execute("UPDATE replica SET origin = 'another-origin'")
    conn.commit()
    conn.close()
    with pytest.raises(AppError) as refused:
        backups.restore(unit_db, admin, stray)
    assert "不是本数据库的备份" in str(refused.value)
    with unit_db.read() as s:
        assert s.scalar(select(func.count()).select_from(WorkLog)) == 0


def test_a_bureau_restore_brings_back_the_unit_mirrors_too(tmp_path):
    """A 编办 backup carries its unit mirrors: restoring it puts back each mirror as it was, and a
    unit registered after the backup goes with the rest of the current state into the safety copy."""
    import sqlite3

    from app.db.restore import restore_over
    from app.db.rotation import run_rotation

    def make(path, value):
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS t(x)")
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
        conn.commit()
        conn.close()

    def value(path):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT x FROM t").fetchone()[0]
        finally:
            conn.close()
    county = tmp_path / "county.sqlite"
    mirrors = tmp_path / "county.sqlite.units"
    mirrors.mkdir()
    make(county, "old")
    make(mirrors / "a.sqlite", "old a")
    backup = run_rotation(county, NOW).taken
    make(county, "new")
    make(mirrors / "a.sqlite", "new a")
    make(mirrors / "b.sqlite", "new b")            # registered after the backup
    safety = tmp_path / "backups" / "county-safety.sqlite"
    restore_over(backup, county, safety)
    assert value(county) == "old" and value(mirrors / "a.sqlite") == "old a"
    assert not (mirrors / "b.sqlite").exists()
    assert value(safety) == "new"
    assert value(tmp_path / "backups" / "county-safety.sqlite.units" / "a.sqlite") == "new a"
    assert value(tmp_path / "backups" / "county-safety.sqlite.units" / "b.sqlite") == "new b"

"""Schema migrations, backups and damage detection at start-up (app/db/migrate.py, backup.py,
app/services/setup.open_database)."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from app.core.errors import AppError
from app.db import migrate
from app.db.backup import automatic_backup, backup_to, list_backups, quick_check, restore_from
from app.db.migrate import current_revision, head_revision
from app.db.models import Base, Credential, Person, Unit, WorkLog
from app.services.org import accounts
from app.services.logs import daily as logs
from app.services.org.setup import DatabaseDamaged, open_database

DATA = Path(__file__).resolve().parents[1] / "data"
SCHEMA_0001 = DATA / "schema_0001.sqlite"
SCHEMA_0001_SHA256 = "270793b03a95169b49df22821f7ccbcff76ec789a1e451a07b8e82335931dafe"
SCHEMA_0008_SHA256 = "a056d85aa9b41854651382762b18d9dd004f4191d61893d8d30200578d662381"


def revision_in_file(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        conn.close()
    return rows[0][0] if rows else None


def old_copy(tmp_path: Path, source: Path = SCHEMA_0001) -> Path:
    target = tmp_path / "unit.sqlite"
    shutil.copyfile(source, target)
    return target


# --------------------------------------------------------------------------- fresh databases

def test_empty_file_upgrades_to_head(tmp_path):
    path = tmp_path / "new.sqlite"
    db = open_database(path, create=True)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert current_revision(db.engine) == head_revision() == revision_in_file(path)
        assert list_backups(path) == []            # nothing to back up in a new file
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(tmp_path):
    db = open_database(tmp_path / "new.sqlite", create=True)
    try:
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
    finally:
        db.dispose()


def test_missing_file_is_not_created_without_create(tmp_path):
    path = tmp_path / "missing.sqlite"
    with pytest.raises(AppError, match="找不到数据库文件"):
        open_database(path)
    assert not path.exists()


def test_newer_revision_is_refused_and_file_left_alone(tmp_path):
    path = tmp_path / "unit.sqlite"
    open_database(path, create=True).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.close()
    with pytest.raises(AppError, match="比本程序新") as err:
        open_database(path)
    assert "0099_from_the_future" in str(err.value)
    assert "请升级程序" in str(err.value)
    assert revision_in_file(path) == "0099_from_the_future"
    assert list_backups(path) == []


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('x')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(AppError, match="不是本程序的数据库"):
        open_database(path)
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert names == {"contacts"}


# --------------------------------------------------------------------------- the 0001 file

def test_schema_0001_file_is_the_committed_one():
    assert SCHEMA_0001.stat().st_size < 300_000
    assert hashlib.sha256(SCHEMA_0001.read_bytes()).hexdigest() == SCHEMA_0001_SHA256
    assert revision_in_file(SCHEMA_0001) == "0001"
    assert quick_check(SCHEMA_0001) == []


@pytest.mark.parametrize("source", sorted(DATA.glob("schema_*.sqlite")), ids=lambda p: p.stem)
def test_every_old_schema_file_opens_at_head(tmp_path, source):
    path = old_copy(tmp_path, source)
    db = open_database(path)
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        with db.read() as s:
            assert s.scalar(select(Unit.name)) == "样例县市场监督管理局"
            assert {p.login for p in s.scalars(select(Person))} >= {"admin", "zhangsan"}
    finally:
        db.dispose()


def test_schema_0001_logs_and_accounts_read_back(tmp_path):
    path = old_copy(tmp_path)
    db = open_database(path)
    try:
        assert db.origin and db.unit_id                        # replica identity kept
        if head_revision() == "0001":
            assert list_backups(path) == []                    # already at head: no-op
        # a password hashed by that release (the program's argon2id parameters) still works
        zhang = accounts.login(db, "zhangsan", "zs654321")
        assert zhang.name == "张三" and not zhang.must_change_password
        with db.read() as s:
            person = s.scalar(select(Person).where(Person.login == "zhangsan"))
            assert (person.gender, person.birth_date) == ("女", "1949-12-31")
            admin = s.scalar(select(Person).where(Person.login == "admin"))
            assert admin.is_admin
            assert s.scalar(select(Credential.must_change).where(
                Credential.person_id == admin.id)) is True

        day = logs.load_day(db, zhang, dt.date(2026, 10, 9))
        assert day.state == "submitted" and not day.editable
        assert [(e.hours, e.category, e.secret) for e in day.entries] == [
            (3.5, "业务工作", False), (2.0, "会议活动", False), (2.0, "业务工作", True)]
        assert day.entries[0].content == "审核食品经营许可申请材料12件"
        assert day.entries[2].content == ""
        assert day.total_hours == 7.5

        workday = logs.load_day(db, zhang, dt.date(2026, 10, 10))
        assert workday.is_working_day                           # Saturday, 调休上班
        assert workday.entries[0].content == "调研辖区农贸市场（调休上班）"
        leave = logs.load_day(db, zhang, dt.date(2026, 10, 12))
        assert (leave.day_state, leave.entries, leave.state) == ("请假", [], "draft")

        overview = logs.month_overview(db, zhang, 2026, 10)
        assert {d.isoformat(): s.hours for d, s in overview.items()} == {
            "2026-10-09": 7.5, "2026-10-10": 8.0, "2026-10-12": 0.0}

        # the old file keeps working: a new write lands after its newest outbox timestamp
        with db.read() as s:
            newest = s.scalar(select(WorkLog.hlc).order_by(WorkLog.hlc.desc()).limit(1))
        saved = logs.recall_day(db, zhang, dt.date(2026, 10, 9))
        with db.read() as s:
            assert s.scalar(select(WorkLog.hlc).where(WorkLog.day == "2026-10-09")) > newest
        assert saved.state == "draft"
    finally:
        db.dispose()
    assert hashlib.sha256(SCHEMA_0001.read_bytes()).hexdigest() == SCHEMA_0001_SHA256


# --------------------------------------------------------------------------- upgrades

def migrations_with(tmp_path: Path, monkeypatch, body: str) -> Path:
    """A copy of the program's migrations plus a test revision 9999 on top of the real head,
    whose upgrade() runs `body`."""
    folder = tmp_path / "migrations"
    head = migrate.head_revision()
    shutil.copytree(migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_test.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = '9999'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n",
        encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    return folder


def table_info(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    conn.close()
    return cols


def index_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    return names


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    conn.close()
    return n


def test_upgrade_of_older_file_backs_up_first_and_keeps_data(tmp_path, monkeypatch):
    # 9999 rebuilds `unit` (Alembic batch mode: copy, drop, rename), a table that person,
    # section, duty… reference: this only works with foreign keys off during the upgrade.
    migrations_with(tmp_path, monkeypatch, """
        with op.batch_alter_table('unit', recreate='always') as batch:
            batch.alter_column('name', type_=sa.String(200))
        op.create_index('ix_test_outbox_table', 'outbox', ['table_name'])
    """)
    path = old_copy(tmp_path)
    people, logs_before = count(path, "person"), count(path, "work_log")
    db = open_database(path)
    try:
        assert current_revision(db.engine) == "9999"
        with db.read() as s:
            assert s.scalar(select(Unit.name)) == "样例县市场监督管理局"
        with db.read() as s:
            assert s.scalar(select(Person.name).where(Person.login == "zhangsan")) == "张三"
    finally:
        db.dispose()
    assert count(path, "person") == people and count(path, "work_log") == logs_before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    assert "ix_test_outbox_table" in index_names(path)

    [backup] = list_backups(path)
    assert backup.parent == path.parent / "backups"
    assert "before-9999" in backup.name
    assert revision_in_file(backup) == "0001"                 # the state before the upgrade
    assert count(backup, "person") == people and count(backup, "work_log") == logs_before
    assert quick_check(backup) == []


def test_failed_upgrade_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    migrations_with(tmp_path, monkeypatch, """
        op.create_index('ix_test_outbox_hlc', 'outbox', ['hlc'])
        op.add_column('setting', sa.Column('extra', sa.Text(), nullable=True))
        with op.batch_alter_table('unit', recreate='always') as batch:
            batch.alter_column('name', type_=sa.String(200))
        raise RuntimeError('migration broke halfway')
    """)
    path = old_copy(tmp_path)
    with pytest.raises(AppError, match="数据库升级失败") as err:
        open_database(path)
    assert "migration broke halfway" in str(err.value)
    [backup] = list_backups(path)
    assert backup.name in str(err.value)
    # nothing of the half-done migration is left: same revision, same schema
    assert revision_in_file(path) == "0001"
    assert "ix_test_outbox_hlc" not in index_names(path)
    assert "extra" not in table_info(path, "setting")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert not any(t.startswith("_alembic_tmp") for t in tables)
    # and once the faulty program is replaced, the file opens normally
    monkeypatch.undo()
    db = open_database(path)
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


# --------------------------------------------------------------------------- backups

def test_automatic_backup_list_and_restore(unit_db, admin):
    path = unit_db.path
    logs.save_day(unit_db, admin, dt.date(2026, 11, 16), "正常",
                  [logs.EntryDraft(hours=2, category="业务工作", content="备份前的日志")],
                  today=dt.date(2026, 11, 20))
    first = automatic_backup(path, "manual")
    assert first.exists() and first in list_backups(path)
    assert quick_check(first) == []
    # later work, then the file is lost: the backup brings back the state at backup time
    logs.save_day(unit_db, admin, dt.date(2026, 11, 17), "正常",
                  [logs.EntryDraft(hours=2, category="业务工作", content="备份后的日志")],
                  today=dt.date(2026, 11, 20))
    unit_db.dispose()
    restore_from(first, path)
    aside = list(path.parent.glob(path.name + ".damaged-*"))
    assert len(aside) == 1                                   # the replaced file is kept aside
    db = open_database(path)
    try:
        me = accounts.login(db, "admin", "abc12345")
        assert logs.load_day(db, me, dt.date(2026, 11, 16)).entries[0].content == "备份前的日志"
        assert logs.load_day(db, me, dt.date(2026, 11, 17)).state is None
    finally:
        db.dispose()


def test_list_backups_newest_first_and_only_this_database(tmp_path):
    path = old_copy(tmp_path)
    other = tmp_path / "unit-old.sqlite"            # another database in the same folder
    shutil.copyfile(path, other)
    older = automatic_backup(path, "a")
    os.utime(older, (1_000_000, 1_000_000))
    newer = backup_to(path, older.with_name("unit-20991231-235959-b.sqlite"))
    automatic_backup(other, "x")
    backup_to(path, older.with_name("unit-notes.sqlite"))    # not a backup name
    assert list_backups(path) == [newer, older]
    assert len(list_backups(other)) == 1
    assert list_backups(tmp_path / "sub" / "unit.sqlite") == []


# --------------------------------------------------------------------------- damage

def damage(path: Path) -> None:
    """Overwrite 16 KiB in the middle of the file (whole pages of tables and indexes)."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek((size // 2) // 4096 * 4096)
        fh.write(bytes(range(256)) * 64)


def test_damaged_file_is_refused_with_backup_hint(tmp_path):
    path = old_copy(tmp_path)
    damage(path)
    assert quick_check(path) != []
    with pytest.raises(DatabaseDamaged) as err:
        open_database(path)
    message = str(err.value)
    assert "数据库文件已损坏" in message and "备份" in message
    assert "未找到自动备份" in message
    assert err.value.problems and err.value.backups == []


def test_damaged_file_message_names_the_latest_backup(tmp_path):
    path = old_copy(tmp_path)
    backup = automatic_backup(path, "daily")
    damage(path)
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged) as err:
        open_database(path)
    assert f"可从最近的备份恢复（{backup.name}）" in str(err.value)
    assert err.value.backups == [backup]
    assert path.read_bytes() == before                        # opening did not write to it
    restore_from(backup, path)
    assert quick_check(path) == []
    open_database(path).dispose()


def test_not_a_database_at_all(tmp_path):
    path = tmp_path / "unit.sqlite"
    path.write_bytes("这不是数据库".encode() * 1000)
    with pytest.raises(AppError, match="不是本程序的数据库") as err:   # not damage: no restore
        open_database(path)
    assert not isinstance(err.value, DatabaseDamaged)


def test_schema_0002_reviews_and_audit_trail_read_back(tmp_path):
    from app.services.org import accounts, audit
    from app.services.logs import daily as logs
    from app.services.logs.amend import history
    path = old_copy(tmp_path, DATA / "schema_0002.sqlite")
    db = open_database(path)
    try:
        zhangsan = accounts.login(db, "zhangsan", "zs654321")
        approved = logs.load_day(db, zhangsan, dt.date(2026, 10, 9))
        assert approved.state == "approved" and not approved.editable
        returned = logs.load_day(db, zhangsan, dt.date(2026, 10, 13))
        assert returned.state == "returned" and returned.return_reason == "请写明调研的市场名称"
        [version] = history(db, zhangsan, approved.log_id)
        assert "同意" in version.reviews[0] and "终审" in version.reviews[0]
        assert audit.verify(db).problem is None
    finally:
        db.dispose()


def test_schema_0003_sync_state_reads_back_and_exports(tmp_path):
    """A unit enrolled by a 编办, with one 上报包 acknowledged and one 下发包 imported."""
    from app.db.models import PackageLedger, Peer, StaffingQuota
    from app.services.exchange import unit_side as unit_sync
    path = old_copy(tmp_path, DATA / "schema_0003.sqlite")
    db = open_database(path)
    try:
        with db.read() as s:
            [bureau] = s.scalars(select(Peer)).all()
            quota = s.scalar(select(StaffingQuota.quota).where(StaffingQuota.name == "行政编制"))
            kinds = [r.kind for r in s.scalars(select(PackageLedger).order_by(PackageLedger.id))]
        assert bureau.kind == "bureau" and bureau.name == "样例县委编办" and bureau.fingerprint
        assert quota == 22                      # the 编办's 下发包 changed it
        assert kinds == ["enroll", "dispatch"]
        assert bureau.next_seq == 2 and bureau.acked_upto > 0   # package 1 acknowledged
        out = tmp_path / "usb"
        out.mkdir()
        result = unit_sync.export_report(db, out)
        # Nothing new since the acknowledgement but the 任职记录 the upgrade to 0009 wrote,
        # one per person, which the 编办 needs to check review actions against.
        with db.read() as s:
            people = s.scalar(select(func.count()).select_from(Person))
        assert result.seq == 2 and result.rows == people == 3
    finally:
        db.dispose()


def test_schema_0004_unit_has_no_enrollment_proof_and_still_exports(tmp_path):
    """A unit enrolled before one-time codes: its keys carry no proof (the 编办 registered them
    already, or issues a code for `rekey`); its 上报包 goes out without one."""
    from app.db.models import SyncKey
    from app.services.exchange import unit_side as unit_sync
    from app.sync import container
    db = open_database(old_copy(tmp_path, DATA / "schema_0004.sqlite"))
    try:
        with db.read() as s:
            assert s.get(SyncKey, 1).enroll_proof is None
        out = tmp_path / "usb"
        out.mkdir()
        header = container.read_header(unit_sync.export_report(db, out).path).header
        assert "enroll_proof" not in header and header["sender_keys"]
    finally:
        db.dispose()


def test_schema_0008_enrolled_with_a_code_reads_back_and_exports_its_proof(tmp_path):
    """A unit made with `init --enrollment --fingerprint --code`, registered by the 编办 with
    `import-package --fingerprint`: its keys keep their proof of the code, and its 上报包 carry it;
    its signed log verifies and the audit head the 编办 confirmed is remembered."""
    from app.db.models import Peer, SyncKey
    from app.services.exchange import unit_side as unit_sync
    from app.sync import container
    from app.sync.keys import PublicKeys
    from app.services.org import audit
    assert hashlib.sha256((DATA / "schema_0008.sqlite").read_bytes()).hexdigest() == SCHEMA_0008_SHA256
    db = open_database(old_copy(tmp_path, DATA / "schema_0008.sqlite"))
    try:
        with db.read() as s:
            key = s.get(SyncKey, 1)
            [bureau] = s.scalars(select(Peer)).all()
        assert key.enroll_proof and bureau.kind == "bureau" and bureau.enroll_verifier is None
        assert bureau.audit_seq > 0
        report = audit.verify(db)
        assert report.ok and report.logs_checked == 1, report.summary()
        out = tmp_path / "usb"
        out.mkdir()
        header = container.read_header(unit_sync.export_report(db, out).path).header
        assert header["enroll_proof"] == key.enroll_proof
        assert PublicKeys.from_dict(header["sender_keys"]).fingerprint() == key.fingerprint
    finally:
        db.dispose()


def test_revision_files_are_parsed_once_per_folder(tmp_path, monkeypatch):
    """Every package import asks for the head revision and every opened mirror checks it:
    parsing the revision files each time cost ~0.1 s apiece."""
    from alembic.script import ScriptDirectory
    loads = []
    real = ScriptDirectory.from_config.__func__
    monkeypatch.setattr(ScriptDirectory, "from_config",
                        classmethod(lambda cls, cfg: loads.append(1) or real(cls, cfg)))
    folder = migrations_with(tmp_path, monkeypatch, "pass")   # a folder not parsed yet
    loads.clear()   # (migrations_with read the program's own head)
    assert [head_revision() for _ in range(3)] == ["9999"] * 3
    open_database(tmp_path / "a.sqlite", create=True).dispose()
    open_database(tmp_path / "a.sqlite").dispose()
    assert len(loads) == 2   # once for the folder, once inside Alembic's own upgrade command
    assert migrate.script_directory().dir == str(folder)


def test_schema_0004_evaluation_round_reads_back(tmp_path):
    """A unit in a round: the 编办's template and a problem arrived, a self-score, automatic
    points and a rectification report written by the unit."""
    from app.services.evaluation import rounds
    path = old_copy(tmp_path, DATA / "schema_0004.sqlite")
    db = open_database(path)
    try:
        [(round_id, name, period)] = rounds.rounds_here(db)
        assert (name, period) == ("2026年度机构编制评估", "2026")
        detail = rounds.detail(db, round_id, today=dt.date(2026, 11, 22))
        assert detail.template_name == "政府部门评估指标体系"
        scored = {i.code: i.self_score for i in detail.leaves if i.self_score is not None}
        assert scored["1.1.1"] == 3 and len(scored) == 11       # 1 by hand + 10 automatic
        [problem] = detail.problems
        assert problem.rectify_type == "限时整改" and problem.owner == "办公室"
        assert detail.submitted_at is None
    finally:
        db.dispose()

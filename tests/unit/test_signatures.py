"""Every submission and every review action is signed by its person (app.services.signing).

Editing the database file by hand — as a unit's insider can, with sqlite3 or with the program's
own library — cannot make a log count: the unit's own statistics, `audit verify` and the 编办's
import all name the edited logs as 签名无效 and leave them out of every figure."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from app.core import vocab
from app.core.logrules import EntryDraft, content_hash as log_hash
from app.core.metrics import parse_period
from app.db.models import Credential, EntryText, LogEntry, Person, PersonKey, ReviewAction, WorkLog
from app.services.org import accounts, audit
from app.services.org.actor import SYSTEM
from app.services.signing import verify
from app.services.stats import compute as stats
from tests.unit.sync_fixtures import DAYS, TODAY, actor_for, approve, reported_world

OCTOBER = parse_period("2026-10")


@pytest.fixture
def world(tmp_path):
    yield from reported_world(tmp_path)


def _hours(db, login: str) -> float:
    people = {f.login: f for f in stats.unit_stats(db, OCTOBER, "person", today=TODAY)}
    return people[login].logged_hours


def _person_id(db, login: str) -> str:
    with db.read() as s:
        return s.scalar(select(Person.id).where(Person.login == login))


def test_honest_logs_verify_at_both_ends(world):
    unit = world.units["a"]
    assert verify.check_all(unit).findings == []
    assert audit.verify(unit).ok
    assert _hours(unit, "zs") == _hours(world.mirror("a"), "zs") == 22.5
    with world.mirror("a").read() as s:
        assert s.scalar(select(WorkLog.status).where(WorkLog.status == vocab.LOG_INVALID)) is None


def test_hours_doubled_with_sqlite_are_named_and_not_counted(world):
    unit = world.units["a"]
    assert _hours(unit, "zs") == 22.5 and audit.verify(unit).ok
    conn = sqlite3.connect(unit.path)
    with conn:
        conn.execute("UPDATE log_entry SET hours = hours * 2 WHERE person_id = ?",
                     (_person_id(unit, "zs"),))
    conn.close()

    [figures] = stats.unit_stats(unit, OCTOBER, "person", person_id=_person_id(unit, "zs"), today=TODAY)
    assert figures.logged_hours == 0          # not 45: none of the three edited logs counts
    assert figures.invalid_logs == [f"张三 {d}：日志条目与提交时不符（条目被改动）" for d in DAYS[:3]]
    report = audit.verify(unit)
    assert not report.ok and len(report.invalid_logs) == 3
    assert "签名校验未通过：3篇日志签名无效" in report.summary()


def test_a_forged_approval_written_with_sqlite_does_not_count(world):
    unit = world.units["a"]
    ld, ls = _person_id(unit, "ld"), _person_id(unit, "ls")
    conn = sqlite3.connect(unit.path)
    with conn:
        log_id, rnd, version, digest = conn.execute(
            "SELECT id, round, version, content_hash FROM work_log WHERE person_id = ? AND status = ?",
            (ls, vocab.LOG_SUBMITTED)).fetchone()
        conn.execute("INSERT INTO review_action (id, hlc, origin, deleted, log_id, round, version, "
                     "content_hash, level, action, final, reviewer_id, comment, created_at) "
                     "VALUES ('forged', '0', 'x', 0, ?, ?, ?, ?, 1, 'approve', 1, ?, '', "
                     "'2026-10-20T10:00:00')", (log_id, rnd, version, digest, ld))
        conn.execute("UPDATE work_log SET status = 'approved' WHERE id = ?", (log_id,))
    conn.close()
    found = verify.check_all(unit).findings
    assert [(f.name, f.day, f.reason) for f in found] == [
        ("李四", DAYS[0].isoformat(), "审阅记录签名无效（1条）")]
    assert _hours(unit, "ls") == 0
    with unit.read() as s:
        assert s.get(WorkLog, log_id).status == vocab.LOG_INVALID


def _forge_doubled_hours(unit, login: str) -> list[str]:
    """What a hostile unit does with the program's own library: double a person's approved
    hours and make every hash agree again (the log's, and the approvals naming it), so that
    only the signatures can tell."""
    changed = []
    with unit.session(SYSTEM) as s:
        pid = s.scalar(select(Person.id).where(Person.login == login))
        for log in s.scalars(select(WorkLog).where(WorkLog.person_id == pid,
                                                  WorkLog.status == vocab.LOG_APPROVED)):
            entries = list(s.scalars(select(LogEntry).where(LogEntry.log_id == log.id)))
            for e in entries:
                e.hours *= 2
            drafts = [EntryDraft(e.hours, e.category, s.get(EntryText, e.id).content) for e in entries]
            old, log.content_hash = log.content_hash, log_hash(log.day_state, drafts)
            for a in s.scalars(select(ReviewAction).where(ReviewAction.content_hash == old)):
                a.content_hash = log.content_hash
            changed.append(log.day)
    return sorted(changed)


def test_the_bureau_names_forged_logs_as_signature_invalid(world):
    unit = world.units["a"]
    days = _forge_doubled_hours(unit, "zs")
    assert days == [d.isoformat() for d in DAYS[:3]]
    [result] = world.receive(world.report("a"))
    assert result.status == "imported", result.message
    assert result.invalid_logs == [f"张三 {d}：提交签名无效" for d in days]
    assert "签名无效3篇，不计入统计" in result.message
    mirror = world.mirror("a")
    with mirror.read() as s:
        statuses = s.execute(select(WorkLog.day, WorkLog.status).join(Person)
                             .where(Person.login == "zs")).all()
    assert sorted(statuses) == [(d, vocab.LOG_INVALID) for d in days]
    assert _hours(mirror, "zs") == 0 and _hours(mirror, "ls") == 0     # ls: nothing approved yet


def test_a_new_honest_version_counts_again(world):
    """An invalid log is not stuck: the author amends it through the program and it verifies."""
    unit = world.units["a"]
    conn = sqlite3.connect(unit.path)
    with conn:
        conn.execute("UPDATE log_entry SET hours = 9 WHERE day = ? AND person_id = ?",
                     (DAYS[0].isoformat(), _person_id(unit, "zs")))
    conn.close()
    assert len(verify.check_all(unit).findings) == 1
    with unit.session(SYSTEM) as s:     # the admin puts the row back as it was signed
        log = s.scalar(select(WorkLog).where(WorkLog.day == DAYS[0].isoformat(),
                                             WorkLog.person_id == _person_id(unit, "zs")))
        for e in s.scalars(select(LogEntry).where(LogEntry.log_id == log.id)):
            e.hours = 7.5
    assert verify.check_all(unit).findings == []
    assert _hours(unit, "zs") == 22.5


def test_password_reset_makes_a_new_key_and_old_signatures_stay_valid(world):
    unit = world.units["a"]
    old_key = actor_for(unit, "zs").signer.key_id
    accounts.set_password(unit, SYSTEM, "zs", "new12345")        # the admin's reset
    pending = accounts.login(unit, "zs", "new12345")            # no key under the admin's password
    zs = accounts.change_password(unit, pending, "new12345", "mine1234")
    assert zs.signer.key_id != old_key
    with unit.read() as s:
        keys = set(s.scalars(select(PersonKey.id).where(PersonKey.person_id == zs.person_id)))
    assert {old_key, zs.signer.key_id} <= keys
    from app.services.logs import daily as logs
    logs.save_day(unit, zs, DAYS[4], "正常", [EntryDraft(6, "业务工作", "整理档案")], submit=True,
                  today=TODAY)
    approve(unit, "ld", "zs", DAYS[4])
    assert verify.check_all(unit).findings == []                # the old key's logs still count
    assert _hours(unit, "zs") == 28.5


def test_a_changed_password_keeps_the_key_and_the_key_is_sealed(world):
    unit = world.units["a"]
    accounts.set_password(unit, SYSTEM, "ls", "reset123")
    pending = accounts.login(unit, "ls", "reset123")
    first = accounts.change_password(unit, pending, "reset123", "first123")
    changed = accounts.change_password(unit, first, "first123", "second12")
    assert changed.signer.key_id == first.signer.key_id
    with unit.read() as s:
        sealed = s.scalar(select(Credential.sealed_key).where(Credential.person_id == first.person_id))
    raw = first.signer.private.private_bytes_raw()
    assert raw not in unit.path.read_bytes() and raw.hex() not in sealed
    from app.core.signing import SealError, unseal
    with pytest.raises(SealError):
        unseal(sealed, "first123")
    assert unseal(sealed, "second12").private_bytes_raw() == raw


def test_submitting_without_a_key_is_refused_and_writes_nothing(world):
    unit = world.units["a"]
    from app.core.errors import AppError
    from app.services.logs import daily as logs
    bare = actor_for(unit, "ls").__class__(*[getattr(actor_for(unit, "ls"), f) for f in
                                              ("person_id", "login", "name", "role", "section_id",
                                               "is_admin")])
    with pytest.raises(AppError, match="需要本人签名"):
        logs.save_day(unit, bare, DAYS[4], "正常", [EntryDraft(3, "业务工作", "起草通知")],
                      submit=True, today=TODAY)
    with unit.read() as s:
        assert s.scalar(select(WorkLog.id).where(WorkLog.day == DAYS[4].isoformat(),
                                                 WorkLog.person_id == bare.person_id)) is None


def test_the_county_table_warns_of_forged_logs(world):
    from app.services.county import table
    _forge_doubled_hours(world.units["a"], "zs")
    world.receive(world.report("a"))
    [row] = table.county_table(world.bureau, world.mirrors, OCTOBER, today=TODAY)
    assert "签名无效的日志3篇，不计入统计（单位数据库被直接改动）" in row.warnings


def _fingerprints_read(db) -> list[str]:
    """The log fingerprint passes (verify.check_span) run on `db` from now on, as they are sent."""
    from sqlalchemy import event
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(_conn, _cursor, sql, *_args):
        if "group_concat" in sql and "FROM work_log w" in sql:
            seen.append(sql)
    return seen


def test_a_refresh_of_unchanged_months_reads_no_log_again(world):
    unit = world.units["a"]
    assert _hours(unit, "zs") == 22.5
    read = _fingerprints_read(unit)
    assert _hours(unit, "zs") == 22.5
    assert read == []                          # the change counts say nothing moved
    from tests.unit.sync_fixtures import write_log
    write_log(unit, "zs", DAYS[3], "检查辖区餐饮单位")
    _hours(unit, "zs")
    # October moved: only its logs are looked at again (and once more after checking the new one)
    assert read and all("w.month IN (202610)" in sql for sql in read)


def test_a_signature_edited_with_sqlite_after_a_refresh_is_caught_at_the_next(world):
    """Statements and keys move no month's count of logs, but every verdict rests on them."""
    unit = world.units["a"]
    assert _hours(unit, "zs") == 22.5
    conn = sqlite3.connect(unit.path)
    with conn:
        conn.execute("UPDATE person_key SET public_key = (SELECT public_key FROM person_key k "
                     "JOIN person p ON p.id = k.person_id WHERE p.login = 'ls') "
                     "WHERE person_id = ?", (_person_id(unit, "zs"),))
    conn.close()
    assert _hours(unit, "zs") == 0

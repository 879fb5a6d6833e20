"""A hostile unit's 上报包: validly signed with the unit's real key, its rows written into the unit's
own database with the program's own library (stamped and outboxed, so they are exported), but
past the rules the program's pages and CLI apply. The 编办 must refuse each package whole, name
the row and the rule, and keep its databases exactly as they were.

Attacks here: content changed under an approval, forged approvals (self, a level outside any
chain, an unknown action word, a staff member approving, the principal's log reviewed), and
entries that no unit could write (negative, huge, NaN hours, > 24 h a day, impossible dates, a
month that is not the day's, NUL and oversized text)."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from app.core import vocab
from app.db.models import EntryText, LogEntry, Person, ReviewAction, WorkLog
from app.services.org.actor import SYSTEM
from tests.unit.sync_fixtures import DAYS, build_world, content_hash, reported_world


@pytest.fixture
def world(tmp_path):
    yield from reported_world(tmp_path)


def _person(s, login: str) -> str:
    return s.scalar(select(Person.id).where(Person.login == login))


def _approved_log(s) -> WorkLog:
    return s.scalars(select(WorkLog).where(WorkLog.status == vocab.LOG_APPROVED)
                     .order_by(WorkLog.day)).first()


def _refused(world, rule: str):
    """Export the tampered unit's changes, preview them at the 编办 (refused with the import's
    own message), then import them: refused, nothing written by either."""
    before = content_hash(world.root / "county.sqlite")
    package = world.report("a")
    [preview] = world.receive(package, apply=False)
    assert preview.status == "rejected" and rule in preview.message, preview.message
    assert content_hash(world.root / "county.sqlite") == before
    [result] = world.receive(package)
    assert result.status == "rejected", result.message
    assert result.message == preview.message
    assert content_hash(world.root / "county.sqlite") == before
    return result.message


def _add_entry(world, hours, *, day=None, month=None, text="补记：检查辖区农贸市场", log=None):
    with world.units["a"].session(SYSTEM) as s:
        target = log or _approved_log(s)
        s.add(LogEntry(log_id=target.id, person_id=target.person_id, day=day or target.day,
                       month=month or target.month, seq=9, hours=hours, category="业务工作"))
        s.flush()
        entry = s.scalars(select(LogEntry).where(LogEntry.log_id == target.id, LogEntry.seq == 9)).one()
        s.add(EntryText(id=entry.id, content=text))
        return target.id


def test_an_entry_added_under_an_approval_is_refused(world):
    log_id = _add_entry(world, 3.0)
    message = _refused(world, "日志内容与其内容哈希不符")
    assert log_id in message and "zs" in message


def test_an_entry_added_with_its_hash_recomputed_loses_the_approval_not_the_package(world):
    """A unit that edits honestly after approval (new hash) sends a log that is no longer approved
    by the old action: accepted, but not counted as approved at the 编办."""
    from app.core.logrules import EntryDraft, content_hash as log_hash
    with world.units["a"].session(SYSTEM) as s:
        log = _approved_log(s)
        log_id, old = log.id, log.content_hash
        entries = [EntryDraft(e.hours, e.category, s.get(EntryText, e.id).content)
                   for e in s.scalars(select(LogEntry).where(LogEntry.log_id == log.id))]
    _add_entry(world, 3.0)
    with world.units["a"].session(SYSTEM) as s:
        log = s.get(WorkLog, log_id)
        log.content_hash = log_hash(log.day_state, entries + [EntryDraft(3.0, "业务工作", "补记：检查辖区农贸市场")])
        assert log.content_hash != old
    [result] = world.receive(world.report("a"))
    assert result.status == "imported", result.message
    with world.mirror("a").read() as s:
        assert s.get(WorkLog, log_id).status != vocab.LOG_APPROVED


@pytest.mark.parametrize("change, rule", [
    (dict(self_review=True), "审阅人是日志作者本人"),
    (dict(level=-7), "审阅级次-7不在1至3级之间"),
    (dict(action="delete"), "未知的审阅动作“delete”"),
    (dict(final=True, action="return"), "只有“同意”才能审定日志"),
    (dict(reviewer="ls"), "审阅人是科室人员，且不是代审"),
    (dict(round=5), "审阅的提交轮次5或版本1与日志不符"),
])
def test_forged_approvals_are_refused(world, change, rule):
    with world.units["a"].session(SYSTEM) as s:
        log = s.scalars(select(WorkLog).where(WorkLog.status == vocab.LOG_SUBMITTED)).first()
        author = log.person_id
        reviewer = author if change.get("self_review") else _person(s, change.get("reviewer", "ld"))
        s.add(ReviewAction(log_id=log.id, round=change.get("round", log.round), version=log.version,
                           content_hash=log.content_hash, level=change.get("level", 1),
                           action=change.get("action", "approve"), final=change.get("final", True),
                           reviewer_id=reviewer, comment="", created_at="2026-10-20T10:00:00"))
    _refused(world, rule)


def test_the_principals_own_log_carries_no_review(world):
    from tests.unit.sync_fixtures import write_log
    day = DAYS[0]
    write_log(world.units["a"], "ld", day, "主持召开局务会议研究食品安全工作")
    with world.units["a"].session(SYSTEM) as s:
        log = s.scalars(select(WorkLog).where(WorkLog.person_id == _person(s, "ld"))).one()
        s.add(ReviewAction(log_id=log.id, round=log.round, version=log.version,
                           content_hash=log.content_hash, level=1, action="approve", final=True,
                           reviewer_id=_person(s, "zs"), comment="", created_at="2026-10-20T10:00:00"))
    _refused(world, "主要领导的日志无需审阅")


@pytest.mark.parametrize("hours, rule", [
    (-1000.0, "工时-1000不在0至24小时之间"),
    (23.5 * 500, "不在0至24小时之间"),
    (20.0, "当日工时合计"),                       # 7.5 h already there
])
def test_impossible_hours_are_refused(world, hours, rule):
    _add_entry(world, hours)
    _refused(world, rule)


@pytest.mark.parametrize("day, month, rule", [
    ("2026-02-30", 202602, "第2条的日期2026-02-30与日志日期"),
    ("abcdefghij", 202610, "第2条的日期abcdefghij与日志日期"),
    (None, 202401, "第2条的月份202401与日志日期"),
])
def test_entries_off_their_logs_day_are_refused(world, day, month, rule):
    _add_entry(world, 1.0, day=day, month=month)
    _refused(world, rule)


@pytest.mark.parametrize("day, rule", [
    ("1900-01-01", "不在2000年至上报包日期之间"),
    ("9999-12-31", "不在2000年至上报包日期之间"),
    ("2026-02-30", "不是有效日期"),
])
def test_logs_on_impossible_days_are_refused(world, day, rule):
    with world.units["a"].session(SYSTEM) as s:
        log = _approved_log(s)
        log.day = day
        if day[5:7].isdigit() and day[:4].isdigit():
            log.month = int(day[:4]) * 100 + int(day[5:7])
    _refused(world, rule)


def test_a_month_that_is_not_the_days_is_refused(world):
    with world.units["a"].session(SYSTEM) as s:
        log = _approved_log(s)
        log.month = 202612
    _refused(world, "月份202612与日期")


@pytest.mark.parametrize("text, rule", [
    ("检查\x00超市", "含有空字符（NUL）"),
    ("检" * 20_001, "长20001字，超过20000字"),
])
def test_nul_and_oversized_text_are_refused(world, text, rule):
    with world.units["a"].session(SYSTEM) as s:
        log = _approved_log(s)
        entry = s.scalars(select(LogEntry).where(LogEntry.log_id == log.id)).first()
        s.get(EntryText, entry.id).content = text
    _refused(world, rule)


def _bytes_of(world) -> dict[str, str]:
    """SHA-256 of the bytes of the 编办's database files and their write-ahead logs."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted((world.root / "county.sqlite.units").iterdir()) + [world.root / "county.sqlite"]
            if f.is_file() and f.name.endswith((".sqlite", ".sqlite-wal"))}


@pytest.mark.parametrize("tampered", [True, False])
def test_a_preview_merges_checks_and_keeps_not_a_byte(world, tampered):
    """The preview writes the package's rows in a transaction it always rolls back: a refused
    package and an importable one (new logs merged, then undone) leave the files as they were."""
    from tests.unit.sync_fixtures import write_log
    write_log(world.units["a"], "ls", DAYS[3], "核查企业年报信息20户")
    if tampered:
        _add_entry(world, 3.0)
    package = world.report("a")
    files, rows = _bytes_of(world), content_hash(world.root / "county.sqlite")
    [preview] = world.receive(package, apply=False)
    assert preview.status == ("rejected" if tampered else "ok"), preview.message
    assert _bytes_of(world) == files and content_hash(world.root / "county.sqlite") == rows
    [result] = world.receive(package)
    assert result.status == ("rejected" if tampered else "imported")
    assert (result.message == preview.message) if tampered else result.plan.counts == preview.plan.counts


def test_a_folder_import_goes_on_with_the_other_units(tmp_path):
    w = build_world(tmp_path / "two", keys=("a", "b"))
    try:
        _add_entry(w, 3.0)                            # unit a tampers, unit b is honest
        results = {r.sender_name: r for r in w.receive(w.report("a"), w.report("b"))}
        assert results["沂河县第1局"].status == "rejected"
        assert "日志内容与其内容哈希不符" in results["沂河县第1局"].message
        assert results["沂河县第2局"].status == "imported"
    finally:
        w.close()


def test_a_unit_calendar_that_cuts_working_days_is_shown_and_not_used(world):
    """Six weekdays declared holidays would cut W; the 编办 names the days and counts by the
    national calendar, and a package with nothing but calendar changes refreshes the figures."""
    from app.core.calendar import HOLIDAY
    from app.core.metrics import parse_period
    from app.services.county import table as county
    from app.services.exchange.packages import calendar_text
    from app.services.org.calendar import calendar_deviations, set_override, work_calendar
    october = parse_period("2026-10")
    before = {r.name: r for r in county.county_table(world.bureau, world.mirrors, october,
                                                     today=dt.date(2026, 11, 20))}
    unit = world.units["a"]
    days = [d for d in work_calendar(unit).working_days(dt.date(2026, 10, 19), dt.date(2026, 10, 31))][:6]
    for day in days:
        set_override(unit, SYSTEM, day, HOLIDAY, "单位自定休息日")
    assert calendar_deviations(unit) == days
    package = world.report("a")
    [preview] = world.receive(package, apply=False)          # the preview names the days already
    assert preview.calendar_days == days and "工作日历与国家安排不同6天" in calendar_text(days)
    [result] = world.receive(package)
    assert result.status == "imported" and result.reference_changed, result.message
    assert calendar_deviations(world.mirror("a")) == days          # the mirror holds the unit's own
    rows = {r.name: r for r in county.county_table(world.bureau, world.mirrors, october,
                                                   today=dt.date(2026, 11, 20))}
    name = next(iter(rows))
    assert rows[name].figures.working_days == before[name].figures.working_days    # national W
    assert any("单位工作日历与国家安排不同6天" in w and "按国家安排统计" in w for w in rows[name].warnings), \
        rows[name].warnings

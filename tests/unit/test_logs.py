"""Daily work logs and the helpers around them (app/services/logs, log_tools, attachments)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.errors import AppError, ValidationError
from app.core.logrules import AttachmentRef, EntryDraft
from app.db.models import (Attachment, Duty, DutySection, EntryText, LocalDraft, LogEntry,
                           LogTemplate, Outbox, PostDuty, Section, WorkLog)
from app.services.org import accounts
from app.services.logs import attachments, tools as log_tools, daily as logs

TODAY = dt.date(2026, 11, 20)
MON = dt.date(2026, 11, 16)     # an ordinary working Monday


def e(hours=2.0, category="业务工作", content="审核许可材料", **kw) -> EntryDraft:
    return EntryDraft(hours=hours, category=category, content=content, **kw)


def save(db, actor, day, entries, state="正常", **kw):
    return logs.save_day(db, actor, day, state, entries, today=TODAY, **kw)


def outbox_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Outbox))


@pytest.fixture
def section(unit_db) -> str:
    with unit_db.session() as s:
        row = Section(unit_id=unit_db.unit_id, name="综合科", summary="", sort_order=1)
        s.add(row)
    return row.id


@pytest.fixture
def staff(unit_db, admin, section):
    """A second person (张三, 综合科), logged in."""
    accounts.add_user(unit_db, admin, accounts.NewUser("zhangsan", "张三", "zs123456",
                                                        section="综合科", must_change=False))
    return accounts.login(unit_db, "zhangsan", "zs123456")


# --------------------------------------------------------------------------- save / load

def test_nothing_saved_yet(unit_db, admin):
    day = logs.load_day(unit_db, admin, MON)
    assert (day.state, day.entries, day.day_state, day.version) == (None, [], "正常", 0)
    assert day.editable and day.state_label == "未填写" and day.is_working_day


def test_save_and_load_round_trip(unit_db, admin):
    entries = [e(3.5, content="  审核食品经营许可申请材料  "),
               e(None, "会议活动", "参加全局例会", start="14:00", end="16:30"),
               e(8, "学习教育", "线上学习", start="08:00", end="09:15")]  # range wins over hours
    saved = save(unit_db, admin, MON, entries)
    loaded = logs.load_day(unit_db, admin, MON)
    assert loaded.state == "draft" and loaded.state_label == "草稿" and loaded.version == 1
    got = [(x.hours, x.category, x.content, x.start, x.end, x.secret) for x in loaded.entries]
    assert got == [(3.5, "业务工作", "审核食品经营许可申请材料", None, None, False),
                   (2.5, "会议活动", "参加全局例会", "14:00", "16:30", False),
                   (1.25, "学习教育", "线上学习", "08:00", "09:15", False)]
    assert loaded.total_hours == 7.25
    assert [x.entry_id for x in saved.entries] == [x.entry_id for x in loaded.entries]
    with unit_db.read() as s:
        log = s.scalar(select(WorkLog))
        assert (log.day, log.month, log.person_id) == ("2026-11-16", 202611, admin.person_id)
        rows = s.scalars(select(LogEntry).order_by(LogEntry.seq)).all()
        assert [(r.seq, r.hours, r.month, r.day) for r in rows] == [
            (1, 3.5, 202611, "2026-11-16"), (2, 2.5, 202611, "2026-11-16"),
            (3, 1.25, 202611, "2026-11-16")]


def test_validation_problems_are_reported_and_nothing_is_saved(unit_db, admin):
    with pytest.raises(ValidationError) as err:
        save(unit_db, admin, TODAY + dt.timedelta(days=1), [e(20), e(10, "打麻将")], state="休假")
    assert err.value.problems == [
        "未知的日状态“休假”（可选：正常、请假、出差、公休）",
        "不能填写未来日期（2026-11-21）的日志",
        "第2条：未知的工作类别“打麻将”",
        "当日工时合计30小时，超过24小时"]
    assert str(err.value).startswith("日志未保存：")
    with unit_db.read() as s:
        assert s.scalar(select(func.count()).select_from(WorkLog)) == 0


def test_entry_identity_is_kept_across_saves(unit_db, admin):
    first = save(unit_db, admin, MON, [e(1, content="甲"), e(2, content="乙"), e(3, content="丙")])
    a, b, c = first.entries
    # reorder, edit one, drop one, add one
    b.content = "乙（改）"
    second = save(unit_db, admin, MON, [c, b, e(4, content="丁")])
    ids = [x.entry_id for x in second.entries]
    assert ids[:2] == [c.entry_id, b.entry_id]
    assert ids[2] not in (a.entry_id, b.entry_id, c.entry_id)
    assert [x.content for x in second.entries] == ["丙", "乙（改）", "丁"]
    with unit_db.read() as s:
        dropped = s.get(LogEntry, a.entry_id)
        assert dropped.deleted is True                     # tombstone, not a hard delete
        text = s.get(EntryText, a.entry_id)
        assert (text.deleted, text.content) == (True, "")
        assert s.get(LogEntry, c.entry_id).seq == 1


def test_secret_entry_keeps_facts_but_no_text_anywhere(unit_db, admin):
    duty = add_duty(unit_db, "A01", "食品安全监督")
    secret_words = "某涉密专项的具体内容"
    saved = save(unit_db, admin, MON, [e(3, content="公开的工作"),
                                       e(2.5, "督办事项", secret_words, secret=True,
                                         duty_id=duty)])
    entry = saved.entries[1]
    assert (entry.hours, entry.category, entry.duty_id, entry.secret, entry.content) == (
        2.5, "督办事项", duty, True, "")
    with unit_db.read() as s:
        assert s.get(EntryText, entry.entry_id) is None
        facts = s.get(LogEntry, entry.entry_id)
        assert (facts.hours, facts.category, facts.duty_id, facts.secret) == (
            2.5, "督办事项", duty, True)
        texts = s.scalars(select(EntryText.content)).all()
    assert texts == ["公开的工作"]
    unit_db.dispose()                                # checkpoint the WAL into the file
    assert secret_words.encode() not in unit_db.path.read_bytes()


def test_marking_an_entry_secret_later_removes_its_text(unit_db, admin):
    saved = save(unit_db, admin, MON, [e(2, content="原先写下的内容")])
    saved.entries[0].secret = True
    again = save(unit_db, admin, MON, saved.entries)
    assert again.entries[0].content == "" and again.entries[0].secret
    with unit_db.read() as s:
        text = s.get(EntryText, saved.entries[0].entry_id)
        assert (text.content, text.deleted) == ("", True)


def test_secret_entry_content_never_reaches_autosave_or_templates(unit_db, admin):
    secret_words = "涉密会议纪要要点"
    entries = [e(2, content=secret_words, secret=True), e(1, content="公开")]
    log_tools.autosave(unit_db, admin, MON, "正常", entries)
    log_tools.save_template(unit_db, admin, "周一", entries)
    with unit_db.read() as s:
        payloads = s.scalars(select(LocalDraft.payload)).all() + s.scalars(
            select(LogTemplate.entries_json)).all()
    assert payloads and not any(secret_words in p for p in payloads)
    restored = log_tools.load_autosave(unit_db, admin, MON)
    assert [(x.secret, x.content) for x in restored.entries] == [(True, ""), (False, "公开")]


# --------------------------------------------------------------------------- submit / recall

def test_submit_requires_an_entry_on_a_normal_day(unit_db, admin):
    with pytest.raises(ValidationError) as err:
        save(unit_db, admin, MON, [], submit=True)
    assert err.value.problems == ["请至少填写一条工作内容再提交（请假、出差、公休可直接提交）"]


@pytest.mark.parametrize("state", ["请假", "出差", "公休"])
def test_leave_trip_and_day_off_can_be_submitted_empty(unit_db, admin, state):
    day = save(unit_db, admin, MON, [], state=state, submit=True)
    assert (day.state, day.day_state, day.entries) == ("submitted", state, [])
    assert day.submitted_at and not day.editable


def test_submitted_log_cannot_be_edited_until_recalled(unit_db, admin):
    save(unit_db, admin, MON, [e(8)], submit=True)
    loaded = logs.load_day(unit_db, admin, MON)
    assert loaded.state == "submitted" and loaded.state_label == "已提交" and not loaded.editable
    for attempt in (lambda: save(unit_db, admin, MON, [e(7)]),
                    lambda: logs.add_entry(unit_db, admin, MON, e(1), today=TODAY),
                    lambda: logs.set_day_state(unit_db, admin, MON, "请假", today=TODAY)):
        with pytest.raises(AppError) as err:
            attempt()
        assert str(err.value) == "2026-11-16的日志已提交，不能直接修改（尚未审阅时可先撤回）"
    assert logs.load_day(unit_db, admin, MON).entries[0].hours == 8

    recalled = logs.recall_day(unit_db, admin, MON)
    assert recalled.state == "draft" and recalled.editable
    edited = save(unit_db, admin, MON, [e(7)])
    assert edited.total_hours == 7
    with pytest.raises(AppError, match="只有“已提交”且尚未审阅的日志可以撤回"):
        logs.recall_day(unit_db, admin, MON)


def test_submit_day_and_add_entry(unit_db, admin):
    with pytest.raises(AppError, match="还没有日志，无法提交"):
        logs.submit_day(unit_db, admin, MON, today=TODAY)
    logs.add_entry(unit_db, admin, MON, e(2, content="一"), today=TODAY)
    day = logs.add_entry(unit_db, admin, MON, e(3, content="二"), today=TODAY)
    assert [x.content for x in day.entries] == ["一", "二"]
    submitted = logs.submit_day(unit_db, admin, MON, today=TODAY)
    assert submitted.state == "submitted" and submitted.total_hours == 5


def test_content_hash_follows_content_only(unit_db, admin):
    saved = save(unit_db, admin, MON, [e(2, content="甲")])
    with unit_db.read() as s:
        first = s.scalar(select(WorkLog.content_hash))
    save(unit_db, admin, MON, saved.entries)
    with unit_db.read() as s:
        assert s.scalar(select(WorkLog.content_hash)) == first
    saved.entries[0].content = "甲乙"
    save(unit_db, admin, MON, saved.entries)
    with unit_db.read() as s:
        assert s.scalar(select(WorkLog.content_hash)) != first


def test_logs_are_per_person(unit_db, admin, staff):
    save(unit_db, admin, MON, [e(8, content="管理员的日志")])
    assert logs.load_day(unit_db, staff, MON).state is None
    save(unit_db, staff, MON, [e(4, content="张三的日志")], submit=True)
    assert logs.load_day(unit_db, admin, MON).entries[0].content == "管理员的日志"
    assert logs.load_day(unit_db, admin, MON).state == "draft"


# --------------------------------------------------------------------------- copy previous day

def test_copy_from_previous_working_day_skips_weekend_to_make_up_workday(unit_db, admin):
    # 2026-10-10 is a Saturday worked for 国庆 (调休上班): Monday 10-12's previous working day
    save(unit_db, admin, dt.date(2026, 10, 9), [e(8, content="周五")])
    saved = save(unit_db, admin, dt.date(2026, 10, 10),
                 [e(5, content="调休日"), e(3, "会议活动", "涉密内容", secret=True)])
    copy = log_tools.previous_day_entries(unit_db, admin, dt.date(2026, 10, 12))
    day, entries = copy.day, copy.entries
    assert day == dt.date(2026, 10, 10)
    # the 涉密 entry is not copied: its hours are claimed anew, not carried along unseen
    assert [(x.hours, x.category, x.content, x.secret) for x in entries] == [(5, "业务工作", "调休日", False)]
    assert copy.secret_skipped == 1
    assert all(x.entry_id is None and x.attachments == () for x in entries)
    # saving the copy creates new rows; the source log is untouched
    copied = save(unit_db, admin, dt.date(2026, 10, 12), entries)
    assert {x.entry_id for x in copied.entries}.isdisjoint(
        {x.entry_id for x in saved.entries})
    assert len(logs.load_day(unit_db, admin, dt.date(2026, 10, 10)).entries) == 2
    assert len(copied.entries) == 1


def test_copy_skips_the_national_holiday(unit_db, admin):
    # 10-01..10-07 are 国庆 holidays: 10-08's previous working day is Wednesday 09-30
    save(unit_db, admin, dt.date(2026, 9, 30), [e(6, content="节前")])
    save(unit_db, admin, dt.date(2026, 10, 4), [e(2, content="假期加班")])   # not a working day
    copy = log_tools.previous_day_entries(unit_db, admin, dt.date(2026, 10, 8))
    day, entries = copy.day, copy.entries
    assert day == dt.date(2026, 9, 30)
    assert [x.content for x in entries] == ["节前"]


def test_copy_falls_back_to_the_latest_earlier_log(unit_db, admin):
    save(unit_db, admin, dt.date(2026, 11, 10), [e(6, content="上周二")])
    save(unit_db, admin, dt.date(2026, 11, 12), [], state="请假")   # a log without entries
    copy = log_tools.previous_day_entries(unit_db, admin, dt.date(2026, 11, 16))
    day, entries = copy.day, copy.entries
    assert day == dt.date(2026, 11, 10)
    assert [x.content for x in entries] == ["上周二"]


def test_copy_with_nothing_recent(unit_db, admin, staff):
    save(unit_db, admin, dt.date(2026, 9, 1), [e(6, content="太久以前")])
    save(unit_db, staff, dt.date(2026, 11, 13), [e(6, content="别人的")])
    with pytest.raises(AppError, match="最近一个月内没有可复制的日志"):
        log_tools.previous_day_entries(unit_db, admin, MON)


# --------------------------------------------------------------------------- templates

def test_templates_save_list_apply_delete(unit_db, admin):
    saved = save(unit_db, admin, MON, [e(4, content="窗口受理"), e(None, "会议活动", "周例会",
                                                                  start="09:00", end="10:00")])
    tid = log_tools.save_template(unit_db, admin, " 窗口日 ", saved.entries)
    log_tools.save_template(unit_db, admin, "A 检查日", [e(8, "检查调研", "市场检查")])
    assert [(t.name, t.entry_count) for t in log_tools.list_templates(unit_db, admin)] == [
        ("A 检查日", 1), ("窗口日", 2)]
    applied = log_tools.template_entries(unit_db, admin, tid)
    assert [(x.hours, x.category, x.content, x.start, x.end, x.entry_id) for x in applied] == [
        (4, "业务工作", "窗口受理", None, None, None),
        (1.0, "会议活动", "周例会", "09:00", "10:00", None)]
    day = save(unit_db, admin, MON + dt.timedelta(days=1), applied)
    assert day.total_hours == 5
    # same name: replaced, same template
    assert log_tools.save_template(unit_db, admin, "窗口日", [e(1, content="新")]) == tid
    assert [x.content for x in log_tools.template_entries(unit_db, admin, tid)] == ["新"]

    log_tools.delete_template(unit_db, admin, tid)
    assert [t.name for t in log_tools.list_templates(unit_db, admin)] == ["A 检查日"]
    with pytest.raises(AppError, match="模板不存在或已删除"):
        log_tools.template_entries(unit_db, admin, tid)
    with unit_db.read() as s:
        assert s.get(LogTemplate, tid).deleted is True           # a tombstone, synced
    # saving under the old name again brings it back
    assert log_tools.save_template(unit_db, admin, "窗口日", [e(2, content="再")]) == tid


def test_templates_are_per_person(unit_db, admin, staff):
    tid = log_tools.save_template(unit_db, admin, "我的", [e(2, content="甲")])
    assert log_tools.list_templates(unit_db, staff) == []
    with pytest.raises(AppError):
        log_tools.template_entries(unit_db, staff, tid)
    with pytest.raises(AppError, match="模板不存在"):
        log_tools.delete_template(unit_db, staff, tid)
    own = log_tools.save_template(unit_db, staff, "我的", [e(3, content="乙")])
    assert own != tid
    assert [x.content for x in log_tools.template_entries(unit_db, admin, tid)] == ["甲"]


def test_template_needs_name_and_entries(unit_db, admin):
    with pytest.raises(ValidationError, match="请填写模板名称"):
        log_tools.save_template(unit_db, admin, "  ", [e()])
    with pytest.raises(ValidationError, match="模板至少需要一条内容"):
        log_tools.save_template(unit_db, admin, "空", [])


# --------------------------------------------------------------------------- duties

def add_duty(db, code, content, order=0, active=True, section_id=None, person_id=None,
             deleted=False) -> str:
    with db.session() as s:
        duty = Duty(unit_id=db.unit_id, code=code, content=content, duty_class="核心",
                    active=active, sort_order=order, deleted=deleted)
        s.add(duty)
        s.flush()
        if section_id:
            s.add(DutySection(duty_id=duty.id, section_id=section_id))
        if person_id:
            s.add(PostDuty(person_id=person_id, duty_id=duty.id, note=""))
    return duty.id


def test_duty_choices_order_own_post_then_section_then_unit(unit_db, staff, section):
    other = add_duty(unit_db, "A01", "制定全县市场监管规划", order=1)
    sec_b = add_duty(unit_db, "A03", "负责机关文电会务", order=3, section_id=section)
    sec_a = add_duty(unit_db, "A02", "负责机关财务管理", order=2, section_id=section)
    own = add_duty(unit_db, "A04", "负责食品经营许可审核", order=4, person_id=staff.person_id)
    last = add_duty(unit_db, "A05", "承办县政府交办的其他事项", order=5)
    add_duty(unit_db, "A06", "已撤销的职责", order=6, active=False)
    add_duty(unit_db, "A07", "已删除的职责", order=7, deleted=True)

    choices = log_tools.duty_choices(unit_db, staff)
    assert [(c.id, c.scope) for c in choices] == [
        (own, "岗位职责"), (sec_a, "科室职责"), (sec_b, "科室职责"),
        (other, "单位职责"), (last, "单位职责")]
    assert choices[0].label == "A04 负责食品经营许可审核"


def test_duty_choices_ignore_tombstoned_links(unit_db, staff, section):
    duty = add_duty(unit_db, "B01", "负责统计", section_id=section, person_id=staff.person_id)
    with unit_db.session() as s:
        for link in s.scalars(select(PostDuty)).all() + s.scalars(select(DutySection)).all():
            link.deleted = True
    assert [(c.id, c.scope) for c in log_tools.duty_choices(unit_db, staff)] == [
        (duty, "单位职责")]


def test_filter_duties():
    choices = [log_tools.DutyChoice("1", "A01", "负责食品经营许可审核", "核心", "岗位职责"),
               log_tools.DutyChoice("2", "B12", "负责机关财务管理", "一般", "单位职责"),
               log_tools.DutyChoice("3", "b13", "食品抽检", "一般", "单位职责")]
    assert [c.id for c in log_tools.filter_duties(choices, "食品")] == ["1", "3"]
    assert [c.id for c in log_tools.filter_duties(choices, "食品  许可")] == ["1"]
    assert [c.id for c in log_tools.filter_duties(choices, "b1")] == ["2", "3"]   # any case
    assert [c.id for c in log_tools.filter_duties(choices, "")] == ["1", "2", "3"]
    assert log_tools.filter_duties(choices, "食品 财务") == []


def test_duty_labels_on_load(unit_db, admin):
    duty = add_duty(unit_db, "C01", "负责信访接待")
    save(unit_db, admin, MON, [e(2, "信访接待", "接待群众来访", duty_id=duty)])
    assert logs.load_day(unit_db, admin, MON).duty_labels == {duty: "C01 负责信访接待"}


# --------------------------------------------------------------------------- autosave

def test_autosave_round_trip_without_outbox(unit_db, admin):
    before = outbox_count(unit_db)
    entries = [e(2, content="写到一半"), e(None, "会议活动", "例会", start="09:00", end="10:30",
                                         attachments=(AttachmentRef("a.pdf", "ab" * 32, 10),))]
    assert log_tools.load_autosave(unit_db, admin, MON) is None
    log_tools.autosave(unit_db, admin, MON, "出差", entries)
    got = log_tools.load_autosave(unit_db, admin, MON)
    assert got.day_state == "出差" and got.saved_at
    assert [x.to_dict() for x in got.entries] == [x.to_dict() for x in entries]
    first_stamp = got.saved_at
    log_tools.autosave(unit_db, admin, MON, "出差", entries)             # unchanged: no write
    assert log_tools.load_autosave(unit_db, admin, MON).saved_at == first_stamp
    log_tools.autosave(unit_db, admin, MON, "正常", entries[:1])
    assert len(log_tools.load_autosave(unit_db, admin, MON).entries) == 1
    assert log_tools.load_autosave(unit_db, admin, MON + dt.timedelta(days=1)) is None
    log_tools.discard_autosave(unit_db, admin, MON)
    log_tools.discard_autosave(unit_db, admin, MON)                      # twice is fine
    assert log_tools.load_autosave(unit_db, admin, MON) is None
    assert outbox_count(unit_db) == before


def test_autosave_is_per_person(unit_db, admin, staff):
    log_tools.autosave(unit_db, admin, MON, "正常", [e(1, content="管理员草稿")])
    assert log_tools.load_autosave(unit_db, staff, MON) is None


# --------------------------------------------------------------------------- attachments

def test_attachments_stored_once_per_sha256(unit_db, admin, tmp_path):
    a = tmp_path / "通知.pdf"
    a.write_bytes(b"%PDF-1.4 same bytes" * 100)
    b = tmp_path / "copy-of-notice.pdf"
    b.write_bytes(a.read_bytes())
    ref_a = attachments.store_file(unit_db, a)
    ref_b = attachments.store_file(unit_db, b)
    assert ref_a.sha256 == ref_b.sha256 and ref_a.size == 1900
    assert (ref_a.filename, ref_b.filename) == ("通知.pdf", "copy-of-notice.pdf")
    stored = [p for p in unit_db.files_dir.rglob("*") if p.is_file()]
    assert stored == [attachments.stored_path(unit_db, ref_a.sha256)]
    assert stored[0].read_bytes() == a.read_bytes()
    assert stored[0].parent.name == ref_a.sha256[:2]

    saved = save(unit_db, admin, MON, [e(2, content="发文", attachments=(ref_a,))])
    assert saved.entries[0].attachments == (ref_a,)
    other = tmp_path / "photo.jpg"
    other.write_bytes(b"\xff\xd8 jpeg")
    ref_c = attachments.store_file(unit_db, other)
    saved.entries[0].attachments = (ref_c,)
    again = save(unit_db, admin, MON, saved.entries)
    assert again.entries[0].attachments == (ref_c,)
    with unit_db.read() as s:
        rows = {r.sha256: r.deleted for r in s.scalars(select(Attachment))}
    assert rows == {ref_a.sha256: True, ref_c.sha256: False}
    saved.entries[0].attachments = (ref_a, ref_c)                       # re-attached: revived
    assert set(save(unit_db, admin, MON, saved.entries).entries[0].attachments) == {ref_a, ref_c}


def test_attachment_errors(unit_db, tmp_path):
    with pytest.raises(AppError, match="找不到附件文件"):
        attachments.store_file(unit_db, tmp_path / "missing.pdf")
    big = tmp_path / "big.zip"
    with big.open("wb") as fh:
        fh.truncate(attachments.MAX_ATTACHMENT_BYTES + 1)                  # sparse: cheap
    with pytest.raises(AppError, match="超过50MB"):
        attachments.store_file(unit_db, big)


# --------------------------------------------------------------------------- month overview

def test_month_overview_sums(unit_db, admin, staff):
    save(unit_db, admin, dt.date(2026, 10, 30), [e(8)])                 # other month
    save(unit_db, admin, dt.date(2026, 11, 2), [e(3), e(None, start="13:30", end="17:45")])
    saved = save(unit_db, admin, dt.date(2026, 11, 3), [e(2), e(6)])
    save(unit_db, admin, dt.date(2026, 11, 3), saved.entries[:1])       # one entry removed
    save(unit_db, admin, dt.date(2026, 11, 4), [], state="请假", submit=True)
    save(unit_db, staff, dt.date(2026, 11, 2), [e(9)])                  # someone else

    overview = logs.month_overview(unit_db, admin, 2026, 11)
    got = {d.isoformat(): (x.state, x.day_state, x.hours) for d, x in overview.items()}
    assert got == {"2026-11-02": ("draft", "正常", 7.25),
                   "2026-11-03": ("draft", "正常", 2.0),
                   "2026-11-04": ("submitted", "请假", 0.0)}
    assert logs.month_overview(unit_db, admin, 2026, 12) == {}


def test_retired_category_stays_valid_on_old_entries(unit_db, admin):
    import datetime as dt

    from app.core.logrules import EntryDraft
    from app.services.logs import daily as logs
    from app.services.org import structure as org
    org.add_category(unit_db, admin, "疫情防控", 2.0)
    day = dt.date(2026, 10, 13)
    logs.save_day(unit_db, admin, day, "正常", [EntryDraft(2, "疫情防控", "核酸点巡查")],
                  today=dt.date(2026, 10, 14))
    org.set_category_active(unit_db, admin, "疫情防控", False)
    assert "疫情防控" not in logs.category_names(unit_db)          # no longer offered
    saved = logs.submit_day(unit_db, admin, day, today=dt.date(2026, 10, 14))
    assert saved.state == "submitted" and saved.entries[0].category == "疫情防控"

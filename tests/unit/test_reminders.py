"""Reminders and the 通报 (app/services/reminders): the missing log of the last working day,
the review queue with 代审, overdue reviews in working days across holidays, who may see the
通报, and the Excel export read back."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.core.errors import PermissionDenied
from app.core.logrules import EntryDraft
from app.db.models import Delegation, ReviewAction, Section, SectionCharge, WorkLog
from app.services.org import accounts, settings_change
from app.services.logs import daily as logs
from app.services.review import reminders, state as review_state

PASSWORD = "pw123456"
# 2026: 国庆节 holidays 10-01..10-07; Saturday 10-10 is a make-up workday (调休上班).
MON = dt.date(2026, 10, 12)            # previous working day: Saturday 10-10
WED = dt.date(2026, 10, 14)            # previous working day: Tuesday 10-13
AFTER_HOLIDAY = dt.date(2026, 10, 8)   # previous working day: Wednesday 09-30


def work(text="审核城关街道三家食品经营许可申请材料") -> list[EntryDraft]:
    return [EntryDraft(hours=8, category="业务工作", content=text)]


@pytest.fixture
def unit(unit_db, admin):
    """综合科 (head 王科长, staff 张三 and 李四) in the charge of 赵副局长; principal 钱局长;
    执法大队 (staff 孙五) with no head and no deputy. Returns logged-in actors by login."""
    with unit_db.session() as s:
        office = Section(unit_id=unit_db.unit_id, name="综合科", summary="", sort_order=1)
        squad = Section(unit_id=unit_db.unit_id, name="执法大队", summary="", sort_order=2)
        s.add_all([office, squad])
    people = (("qian", "钱局长", "主要领导", None), ("zhao", "赵副局长", "分管领导", None),
              ("wang", "王科长", "科室负责人", "综合科"), ("zhangsan", "张三", "科室人员", "综合科"),
              ("lisi", "李四", "科室人员", "综合科"), ("sunwu", "孙五", "科室人员", "执法大队"))
    for login, name, role, section in people:
        accounts.add_user(unit_db, admin, accounts.NewUser(login, name, PASSWORD, role=role,
                                                           section=section, must_change=False))
    actors = {login: accounts.login(unit_db, login, PASSWORD) for login, *_ in people}
    with unit_db.session() as s:
        s.add(SectionCharge(deputy_id=actors["zhao"].person_id, section_id=office.id))
    return actors


def submit(db, actor, day, *, state="正常", submitted=None, entries=None) -> str:
    """Submit a log; `submitted` sets the submission time (the real clock stamps it)."""
    entries = work() if entries is None and state == "正常" else (entries or [])
    log_id = logs.save_day(db, actor, day, state, entries, submit=True, today=day).log_id
    stamp = dt.datetime.combine(submitted or day, dt.time(18, 0)).isoformat()
    with db.session() as s:
        s.execute(update(WorkLog).where(WorkLog.id == log_id).values(submitted_at=stamp))
    return log_id


def approve(db, reviewer, log_id, level=1):
    with db.session(reviewer) as s:
        log = s.get(WorkLog, log_id)
        s.add(ReviewAction(log_id=log_id, round=log.round, version=log.version,
                           content_hash=log.content_hash, level=level, action="approve",
                           final=False, reviewer_id=reviewer.person_id, comment="",
                           created_at=f"{log.day}T20:00:00"))
        s.flush()
        review_state.refresh_for(db, s, [log_id])


def kinds(db, actor, today):
    return {r.kind: r for r in reminders.reminders_for(db, actor, today)}


# --------------------------------------------------------------------------- own log

def test_missing_log_of_the_last_working_day(unit_db, unit):
    zs = unit["zhangsan"]
    mine = kinds(unit_db, zs, WED)[reminders.MISSING_LOG]
    assert mine.text == "您10月13日（星期二）的工作日志尚未填写"
    assert (mine.count, mine.oldest) == (1, dt.date(2026, 10, 13))
    logs.save_day(unit_db, zs, dt.date(2026, 10, 13), "正常", work(), today=WED)
    assert kinds(unit_db, zs, WED)[reminders.MISSING_LOG].text == \
        "您10月13日（星期二）的工作日志尚未提交（仍是草稿）"
    submit(unit_db, zs, dt.date(2026, 10, 13))
    assert reminders.reminders_for(unit_db, zs, WED) == []


def test_the_last_working_day_follows_the_calendar(unit_db, unit):
    zs = unit["zhangsan"]
    assert kinds(unit_db, zs, MON)[reminders.MISSING_LOG].oldest == dt.date(2026, 10, 10)
    assert "9月30日（星期三）" in kinds(unit_db, zs, AFTER_HOLIDAY)[reminders.MISSING_LOG].text


@pytest.mark.parametrize("day_state", ["请假", "出差", "公休"])
def test_no_reminder_for_a_day_of_leave(unit_db, unit, day_state):
    zs = unit["zhangsan"]
    logs.save_day(unit_db, zs, dt.date(2026, 10, 13), day_state, [], today=WED)   # even a draft
    assert reminders.MISSING_LOG not in kinds(unit_db, zs, WED)


def returned(unit_db, author, reviewer, day: dt.date, reason: str) -> None:
    log_id = submit(unit_db, author, day)
    with unit_db.session(reviewer) as s:
        log = s.get(WorkLog, log_id)
        s.add(ReviewAction(log_id=log_id, round=log.round, version=log.version,
                           content_hash=log.content_hash, level=1, action="return", final=False,
                           reviewer_id=reviewer.person_id, comment=reason,
                           created_at=f"{day.isoformat()}T20:00:00"))
        s.flush()
        review_state.refresh_for(unit_db, s, [log_id])


def test_returned_log_is_reminded(unit_db, unit):
    zs, wang = unit["zhangsan"], unit["wang"]
    returned(unit_db, zs, wang, dt.date(2026, 10, 13), "请写明检查对象")
    found = kinds(unit_db, zs, WED)[reminders.RETURNED_LOG]
    assert found.text == "您有1篇日志被退回，请修改后重新提交（最早为10月13日）"
    assert found.details == ("10月13日：请写明检查对象",)


def test_every_returned_log_is_reminded_not_only_the_last_working_days(unit_db, unit):
    zs, wang = unit["zhangsan"], unit["wang"]
    returned(unit_db, zs, wang, dt.date(2026, 10, 9), "工时与内容不符")
    logs.save_day(unit_db, zs, dt.date(2026, 10, 13), "正常",
                  [logs.EntryDraft(hours=8, category="业务工作", content="日常巡查")], submit=True, today=WED)
    found = kinds(unit_db, zs, WED)[reminders.RETURNED_LOG]
    assert found.count == 1 and found.details == ("10月9日：工时与内容不符",)


def test_people_who_left_get_no_reminders(unit_db, unit, admin):
    from app.db.models import Person
    with unit_db.session() as s:
        s.execute(update(Person).where(Person.login == "lisi").values(status="离岗"))
    assert reminders.reminders_for(unit_db, unit["lisi"], WED) == []


# --------------------------------------------------------------------------- review queue

def test_review_queue_oldest_first(unit_db, unit):
    zs, ls, wang, zhao = unit["zhangsan"], unit["lisi"], unit["wang"], unit["zhao"]
    first = submit(unit_db, zs, dt.date(2026, 10, 9))
    submit(unit_db, ls, dt.date(2026, 10, 12))
    queue = kinds(unit_db, wang, WED)[reminders.REVIEW_QUEUE]
    assert queue.text == "有2篇日志等待您审阅（最早为10月9日）"
    assert (queue.count, queue.oldest, queue.details) == (2, dt.date(2026, 10, 9), ())
    assert reminders.REVIEW_QUEUE not in kinds(unit_db, zhao, WED)
    approve(unit_db, wang, first)                       # level 1 done: now the deputy's turn
    assert kinds(unit_db, wang, WED)[reminders.REVIEW_QUEUE].count == 1
    assert kinds(unit_db, zhao, WED)[reminders.REVIEW_QUEUE].text == \
        "有1篇日志等待您审阅（最早为10月9日）"


def test_review_queue_includes_delegated_logs_for_today_only(unit_db, unit):
    zs, ls, wang = unit["zhangsan"], unit["lisi"], unit["wang"]
    submit(unit_db, zs, dt.date(2026, 10, 12))
    submit(unit_db, ls, dt.date(2026, 10, 12))
    submit(unit_db, wang, dt.date(2026, 10, 12))        # the head's own log goes to the deputy
    with unit_db.session() as s:
        s.add(Delegation(reviewer_id=wang.person_id, delegate_id=ls.person_id,
                         start_day="2026-10-13", end_day="2026-10-14"))
    queue = kinds(unit_db, ls, WED)[reminders.REVIEW_QUEUE]
    # 李四 stands in for 王科长 but never reviews her own log
    assert (queue.count, queue.details) == (1, ("其中1篇为代王科长审阅",))
    assert reminders.REVIEW_QUEUE not in kinds(unit_db, ls, dt.date(2026, 10, 15))
    assert kinds(unit_db, wang, WED)[reminders.REVIEW_QUEUE].count == 2


# --------------------------------------------------------------------------- 通报

def test_notice_lists_missing_working_days(unit_db, unit):
    zs, ls, wang, qian = unit["zhangsan"], unit["lisi"], unit["wang"], unit["qian"]
    week = [dt.date(2026, 10, d) for d in (12, 13, 14, 15, 16)]
    for day in week:
        submit(unit_db, wang, day)
    for day in week[:3]:
        submit(unit_db, zs, day)
    logs.save_day(unit_db, zs, week[3], "正常", work(), today=week[3])        # a draft: missing
    submit(unit_db, zs, week[4], state="请假")
    submit(unit_db, ls, week[0], state="出差", entries=work("赴市局参加食品安全抽检培训全天"))
    report = reminders.notice(unit_db, qian, week[0], week[-1])
    rows = {r.name: r for r in report.missing}
    assert rows["张三"].missing_days == (week[3],)
    assert rows["李四"].missing_days == tuple(week[1:])
    assert "王科长" not in rows and "管理员" not in rows    # the admin account writes no log
    # most days missed first; then leaders without a section, then by section order
    assert [r.name for r in report.missing] == ["钱局长", "赵副局长", "孙五", "李四", "张三"]
    assert (report.people, report.working_days) == (6, 5)
    assert report.title == "履职日志通报（2026年10月12日至2026年10月16日）"
    assert rows["李四"].section == "综合科" and rows["李四"].count == 4


def test_notice_scope_follows_the_role(unit_db, unit):
    week = (dt.date(2026, 10, 12), dt.date(2026, 10, 16))
    head = {r.name for r in reminders.notice(unit_db, unit["wang"], *week).missing}
    deputy = {r.name for r in reminders.notice(unit_db, unit["zhao"], *week).missing}
    assert head == {"王科长", "张三", "李四"}
    assert deputy == {"赵副局长", "王科长", "张三", "李四"}
    with pytest.raises(PermissionDenied, match="无权查看该范围的通报"):
        reminders.notice(unit_db, unit["zhangsan"], *week)
    assert reminders.NOTICE_SUMMARY not in kinds(unit_db, unit["zhangsan"], WED)


def test_overdue_reviews_count_working_days_across_holidays(unit_db, unit):
    zs, sun, wang, qian = unit["zhangsan"], unit["sunwu"], unit["wang"], unit["qian"]
    submitted = dt.date(2026, 9, 30)
    log_id = submit(unit_db, zs, submitted)
    submit(unit_db, sun, submitted)                     # 执法大队 has no head nor deputy
    # after 09-30 come seven holidays; 10-08, 10-09, 10-10 (make-up Saturday), 10-12 work
    on_time = reminders.notice(unit_db, qian, MON, MON, as_of=dt.date(2026, 10, 10))
    assert on_time.overdue == []                        # 3 working days: not more than 3
    late = reminders.notice(unit_db, qian, MON, MON)
    rows = {r.author: r for r in late.overdue}
    assert (rows["张三"].waiting_days, rows["张三"].reviewer, rows["张三"].level) == (4, "王科长", 1)
    assert rows["张三"].log_id == log_id and rows["张三"].day == submitted
    assert rows["孙五"].reviewer == "钱局长"             # the chain skips up to the principal
    assert reminders.notice(unit_db, wang, MON, MON).overdue[0].author == "张三"
    with unit_db.session() as s:
        s.add(Delegation(reviewer_id=wang.person_id, delegate_id=unit["lisi"].person_id,
                         start_day="2026-10-12", end_day="2026-10-16"))
    assert {r.reviewer for r in reminders.notice(unit_db, qian, MON, MON).overdue} == {
        "王科长（代审：李四）", "钱局长"}
    admin = accounts.login(unit_db, "admin", "abc12345")
    settings_change.set_value(unit_db, admin, "review.overdue_days", "4")
    assert reminders.notice(unit_db, qian, MON, MON).overdue == []


def test_login_summary_for_leaders(unit_db, unit):
    zs, qian = unit["zhangsan"], unit["qian"]
    submit(unit_db, zs, dt.date(2026, 9, 30))
    summary = kinds(unit_db, qian, MON)[reminders.NOTICE_SUMMARY]
    # the last five working days before Monday 10-12: 09-30, 10-08, 10-09, 10-10
    assert summary.text.startswith("近5个工作日（9月29日—10月10日）")
    assert "1篇日志审阅超期（超过3个工作日未审）" in summary.text
    assert "6人未按时提交日志" in summary.text
    assert summary.oldest == dt.date(2026, 9, 29)


# --------------------------------------------------------------------------- Excel

def test_notice_xlsx_round_trip(unit_db, unit, tmp_path):
    zs, qian = unit["zhangsan"], unit["qian"]
    submit(unit_db, zs, dt.date(2026, 9, 30))
    report = reminders.notice(unit_db, qian, dt.date(2026, 10, 8), MON)
    path = reminders.export_notice_xlsx(report, tmp_path / "通报" / "notice.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["未提交日志", "超期未审"]
    missing, overdue = wb["未提交日志"], wb["超期未审"]
    assert "2026年10月8日至2026年10月12日" in missing["A1"].value
    assert [c.value for c in missing[2]] == list(reminders.MISSING_HEADERS)
    assert all(c.font.bold for c in missing[2]) and missing.column_dimensions["E"].width == 60
    rows = {r[1]: r for r in missing.iter_rows(min_row=3, values_only=True)}
    assert rows["张三"][2:] == ("综合科", 4, "10月8日、10月9日、10月10日、10月12日")
    assert len(rows) == len(report.missing)
    assert [c.value for c in overdue[2]] == list(reminders.OVERDUE_HEADERS)
    assert list(overdue.iter_rows(min_row=3, values_only=True)) == [
        (1, "张三", "综合科", "2026-09-30", "2026-09-30 18:00:00", 4, "王科长", "第1级")]


def test_empty_notice_exports_placeholder_rows(unit_db, unit, tmp_path):
    report = reminders.notice(unit_db, unit["wang"], dt.date(2026, 10, 3), dt.date(2026, 10, 4))
    assert report.missing == [] and report.overdue == [] and report.working_days == 0
    wb = load_workbook(reminders.export_notice_xlsx(report, tmp_path / "empty.xlsx"))
    assert wb["未提交日志"]["A3"].value == "无" and wb["超期未审"]["A3"].value == "无"


def test_today_is_not_missed_before_the_day_is_over(unit_db, unit):
    zs, qian = unit["zhangsan"], unit["qian"]
    week = [dt.date(2026, 10, d) for d in (12, 13, 14, 15, 16)]
    for day in week[:4]:
        submit(unit_db, zs, day)
    # 通报 run on Friday afternoon: Friday's log is due tonight, not missing yet
    report = reminders.notice(unit_db, qian, week[0], week[-1], as_of=week[-1])
    assert "张三" not in {r.name for r in report.missing}
    assert week[-1] not in {d for r in report.missing for d in r.missing_days}
    # run the next Monday, Friday without a log is missing
    report = reminders.notice(unit_db, qian, week[0], week[-1], as_of=dt.date(2026, 10, 19))
    assert {r.name: r.missing_days for r in report.missing}["张三"] == (week[-1],)

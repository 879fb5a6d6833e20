"""Reminders and the 通报 (三提醒一通报, offline form; docs/ARCHITECTURE.md "Review").

`reminders_for` is what the window shows after login: your log for the last working day is
missing, N logs wait for your review, and — for reviewers and the principal — a summary of who
missed days and which reviews are overdue. `notice` is that summary in full, for the actor's
notice scope; `export_notice_xlsx` writes it as a workbook.

"Working days" always come from the unit's calendar (statutory holidays and make-up workdays).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from app.core import permissions as perm
from app.core import vocab
from app.core.calendar import WorkCalendar
from app.core.errors import PermissionDenied
from app.db.engine import Database
from app.db.models import Delegation, ReviewAction, Section, WorkLog
from app.reports.xlsx_safe import save_workbook
from app.services.org import chart as org_chart, unit_settings
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.services.org.chart import ACTIVE_STATUSES, OrgChart
from app.services.review.queue import current_reviewer, waiting_for

MISSING_LOG = "missing_log"          # your log for the last working day is missing or a draft
RETURNED_LOG = "returned_log"        # … or was returned and waits for your correction
REVIEW_QUEUE = "review_queue"        # logs wait for your review
NOTICE_SUMMARY = "notice"            # who missed days, which reviews are overdue
NOTICE_DAYS = 5                      # working days the login summary looks back
DAYS_WITHOUT_DUTY = (vocab.DAY_LEAVE, vocab.DAY_TRIP, vocab.DAY_OFF)
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Reminder:
    kind: str
    text: str
    count: int = 1
    oldest: dt.date | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingRow:
    person_id: str
    name: str
    section: str
    missing_days: tuple[dt.date, ...]

    @property
    def count(self) -> int:
        return len(self.missing_days)


@dataclass(frozen=True)
class OverdueRow:
    log_id: str
    author: str
    section: str
    day: dt.date
    submitted_at: str
    waiting_days: int                # working days since submission, up to the notice date
    reviewer: str                    # who should act (with the stand-in when one is named)
    level: int


@dataclass
class Notice:
    start: dt.date
    end: dt.date
    as_of: dt.date                   # overdue reviews are counted up to this day
    overdue_days: int                # the unit setting review.overdue_days
    people: int                      # people the notice covers
    working_days: int
    missing: list[MissingRow] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"{_long_date(self.start)}至{_long_date(self.end)}"

    @property
    def title(self) -> str:
        return f"履职日志通报（{self.period}）"


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _long_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _weekday(day: dt.date) -> str:
    return f"星期{_WEEKDAYS[day.weekday()]}"


def notice_scopes(role: str) -> set[str]:
    return perm.MATRIX.get((role, perm.NOTICE), set())


# ---------------------------------------------------------------- reminders
def reminders_for(db: Database, actor: Actor, today: dt.date,
                  notice_days: int = NOTICE_DAYS) -> list[Reminder]:
    """What to remind the actor of today, most personal first."""
    chart = org_chart.load(db)
    me = chart.persons.get(actor.person_id)
    if me is None or me.status not in ACTIVE_STATUSES:
        return []
    calendar = work_calendar(db)
    reminders: list[Reminder] = []
    own = _own_log_reminder(db, actor, calendar, today)
    if own:
        reminders.append(own)
    returned = _returned_reminder(db, actor)
    if returned:
        reminders.append(returned)
    queue = _queue_reminder(db, actor, chart, today)
    if queue:
        reminders.append(queue)
    if notice_scopes(actor.role) - {perm.SELF}:
        summary = _notice_reminder(db, actor, calendar, today, notice_days)
        if summary:
            reminders.append(summary)
    return reminders


def _own_log_reminder(db: Database, actor: Actor, calendar: WorkCalendar,
                      today: dt.date) -> Reminder | None:
    day = calendar.previous_working_day(today)
    if day is None:
        return None
    with db.read() as s:
        row = s.execute(select(WorkLog.state, WorkLog.status, WorkLog.day_state).where(
            WorkLog.person_id == actor.person_id, WorkLog.day == day.isoformat(),
            WorkLog.deleted.is_(False))).first()
    when = f"{_day(day)}（{_weekday(day)}）"
    if row is None:
        return Reminder(MISSING_LOG, f"您{when}的工作日志尚未填写", 1, day)
    if row.day_state in DAYS_WITHOUT_DUTY:
        return None
    if row.state == vocab.LOG_DRAFT:
        return Reminder(MISSING_LOG, f"您{when}的工作日志尚未提交（仍是草稿）", 1, day)
    return None           # a returned one is reminded with every other returned log


def _returned_reminder(db: Database, actor: Actor) -> Reminder | None:
    """Every returned log still waiting for its author, with the reviewer's reason: a log
    returned for a day before the last working day was only a banner on the log page."""
    with db.read() as s:
        rows = s.execute(select(WorkLog.id, WorkLog.day).where(
            WorkLog.person_id == actor.person_id, WorkLog.status == vocab.LOG_RETURNED,
            WorkLog.deleted.is_(False)).order_by(WorkLog.day)).all()
        if not rows:
            return None
        reasons = dict(s.execute(
            select(ReviewAction.log_id, ReviewAction.comment)
            .where(ReviewAction.log_id.in_([r.id for r in rows]), ReviewAction.action == "return",
                   ReviewAction.deleted.is_(False))
            .order_by(ReviewAction.created_at)).all())       # the latest return per log wins
    days = [dt.date.fromisoformat(r.day) for r in rows]
    details = tuple(f"{_day(d)}：{reasons.get(r.id) or '（未写理由）'}" for d, r in zip(days, rows))
    return Reminder(RETURNED_LOG, f"您有{len(rows)}篇日志被退回，请修改后重新提交（最早为{_day(days[0])}）",
                    len(rows), days[0], details)


def _queue_reminder(db: Database, actor: Actor, chart: OrgChart,
                    today: dt.date) -> Reminder | None:
    waiting = waiting_for(db, actor, today, chart)
    if not waiting:
        return None
    oldest = dt.date.fromisoformat(waiting[0][0].day)
    stand_in = defaultdict(int)
    for _, reviewer in waiting:
        if reviewer != actor.person_id:
            stand_in[reviewer] += 1
    details = tuple(f"其中{n}篇为代{chart.persons[absent].name}审阅"
                    for absent, n in sorted(stand_in.items(),
                                            key=lambda kv: chart.persons[kv[0]].login))
    return Reminder(REVIEW_QUEUE, f"有{len(waiting)}篇日志等待您审阅（最早为{_day(oldest)}）",
                    len(waiting), oldest, details)


def _last_working_days(calendar: WorkCalendar, today: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day = calendar.previous_working_day(day)
        if day is None:
            break
        days.append(day)
    return sorted(days)


def _notice_reminder(db: Database, actor: Actor, calendar: WorkCalendar, today: dt.date,
                     notice_days: int) -> Reminder | None:
    days = _last_working_days(calendar, today, notice_days)
    if not days:
        return None
    report = notice(db, actor, days[0], days[-1], as_of=today)
    if not report.missing and not report.overdue:
        return None
    parts = []
    if report.missing:
        parts.append(f"{len(report.missing)}人未按时提交日志（共{sum(r.count for r in report.missing)}人日）")
    if report.overdue:
        parts.append(f"{len(report.overdue)}篇日志审阅超期（超过{report.overdue_days}个工作日未审）")
    details = tuple(f"{r.section or '未分科室'} {r.name}：{'、'.join(_day(d) for d in r.missing_days)}"
                    for r in report.missing[:20])
    oldest = min([d for r in report.missing for d in r.missing_days]
                 + [r.day for r in report.overdue])
    return Reminder(NOTICE_SUMMARY, f"近{len(days)}个工作日（{_day(days[0])}—{_day(days[-1])}）"
                    + "，".join(parts), len(report.missing) + len(report.overdue), oldest, details)


# ---------------------------------------------------------------- 通报
def notice(db: Database, actor: Actor, start: dt.date, end: dt.date, *,
           as_of: dt.date | None = None) -> Notice:
    """Missing logs in [start, end] (usually ending with the last working day) and reviews
    overdue on `as_of` (default `end`), over the people in the actor's notice scope.

    Covered: people with a role who are 在职 or 借调, except admin accounts that have never
    written a log (an account kept for administration only). A working day is missing when it
    has no submitted log; days marked 请假/出差/公休 (even in a draft) are not. A review is
    overdue when more than `review.overdue_days` working days have passed since submission.
    Days from an explicit `as_of` on are not missing yet (today's log is due by tonight).
    """
    chart = org_chart.load(db)
    me = chart.persons.get(actor.person_id)
    if me is None or not notice_scopes(me.role) - {perm.SELF}:
        raise PermissionDenied(perm.denial_message(perm.NOTICE))
    due_before = as_of or end + dt.timedelta(days=1)
    as_of = as_of or end
    calendar = work_calendar(db)
    overdue_days = unit_settings.get(db, "review.overdue_days")
    levels = unit_settings.get(db, "review.levels")
    scope = [p for p in chart.people_in_scope(actor.person_id, perm.NOTICE)
             if p.status in ACTIVE_STATUSES and p.role in vocab.ROLES]
    ids = {p.id for p in scope}
    working = calendar.working_days(start, end)
    months = sorted({d.year * 100 + d.month for d in working}) or [start.year * 100 + start.month]
    with db.read() as s:
        logs = s.execute(select(WorkLog.person_id, WorkLog.day, WorkLog.state, WorkLog.day_state)
                         .where(WorkLog.month.in_(months), WorkLog.day >= start.isoformat(),
                                WorkLog.day <= end.isoformat(), WorkLog.deleted.is_(False))).all()
        admins_with_logs = set(s.scalars(select(WorkLog.person_id).where(
            WorkLog.person_id.in_([p.id for p in scope if p.is_admin]),
            WorkLog.deleted.is_(False)).distinct()))
        pending = s.execute(select(WorkLog.id, WorkLog.person_id, WorkLog.day,
                                   WorkLog.submitted_at, WorkLog.pending_level)
                            .where(WorkLog.status == vocab.LOG_SUBMITTED,
                                   WorkLog.deleted.is_(False))).all()
        section_order = dict(s.execute(select(Section.id, Section.sort_order)).all())
        stand_ins = s.execute(select(Delegation.reviewer_id, Delegation.delegate_id).where(
            Delegation.deleted.is_(False), Delegation.start_day <= as_of.isoformat(),
            Delegation.end_day >= as_of.isoformat()).order_by(Delegation.start_day)).all()
    covered = [p for p in scope if not p.is_admin or p.id in admins_with_logs]
    done: dict[str, set[str]] = defaultdict(set)
    for person_id, day, state, day_state in logs:
        if person_id in ids and (state == vocab.LOG_SUBMITTED or day_state in DAYS_WITHOUT_DUTY):
            done[person_id].add(day)
    result = Notice(start, end, as_of, overdue_days, len(covered), len(working))
    for p in covered:
        missing = tuple(d for d in working if d < due_before and d.isoformat() not in done[p.id])
        if missing:
            result.missing.append(MissingRow(p.id, p.name, chart.section_name(p.id), missing))
    result.missing.sort(key=lambda r: (-r.count, section_order.get(
        chart.persons[r.person_id].section_id, -1), chart.persons[r.person_id].login))
    delegate_of = {reviewer: delegate for reviewer, delegate in stand_ins}

    @lru_cache(maxsize=None)
    def waited(submitted: dt.date) -> int:
        return len(calendar.working_days(submitted + dt.timedelta(days=1), as_of))

    for log_id, author_id, day, submitted_at, level in pending:
        if author_id not in ids or not submitted_at:
            continue
        waiting = waited(dt.date.fromisoformat(submitted_at[:10]))
        if waiting <= overdue_days:
            continue
        reviewer = current_reviewer(chart, levels, author_id, level)
        who = chart.persons[reviewer].name if reviewer else "未配置审阅人"
        if reviewer in delegate_of and delegate_of[reviewer] in chart.persons:
            who += f"（代审：{chart.persons[delegate_of[reviewer]].name}）"
        result.overdue.append(OverdueRow(log_id, chart.persons[author_id].name,
                                         chart.section_name(author_id), dt.date.fromisoformat(day),
                                         submitted_at, waiting, who, level))
    result.overdue.sort(key=lambda r: (-r.waiting_days, r.day, r.section, r.author))
    return result


# ---------------------------------------------------------------- Excel
MISSING_SHEET, OVERDUE_SHEET = "未提交日志", "超期未审"
MISSING_HEADERS = ("序号", "姓名", "科室", "未提交天数", "未提交日期")
OVERDUE_HEADERS = ("序号", "填报人", "科室", "日志日期", "提交时间", "已等待工作日", "应审阅人", "审阅级次")


def export_notice_xlsx(report: Notice, path: Path | str) -> Path:
    """Two sheets (未提交日志, 超期未审), each with a title row naming the period, bold headers
    and fitted column widths."""
    from openpyxl import Workbook      # imported here: ~0.3 s, only when exporting

    path = Path(path)
    wb = Workbook()
    missing = wb.active
    missing.title = MISSING_SHEET
    _sheet(missing, f"未提交日志情况（{report.period}，工作日{report.working_days}天，"
                    f"共{report.people}人，不含请假、出差、公休）", MISSING_HEADERS,
           [(n, r.name, r.section, r.count, "、".join(_day(d) for d in r.missing_days))
            for n, r in enumerate(report.missing, start=1)],
           (6, 12, 24, 12, 60))
    overdue = wb.create_sheet(OVERDUE_SHEET)
    _sheet(overdue, f"超期未审日志（截至{_long_date(report.as_of)}，提交后超过"
                    f"{report.overdue_days}个工作日未审）", OVERDUE_HEADERS,
           [(n, r.author, r.section, r.day.isoformat(), r.submitted_at.replace("T", " "),
             r.waiting_days, r.reviewer, f"第{r.level}级")
            for n, r in enumerate(report.overdue, start=1)],
           (6, 12, 24, 12, 20, 14, 24, 10))
    return save_workbook(wb, path)


def _sheet(ws, title: str, headers: tuple[str, ...], rows: list[tuple], widths: tuple[int, ...]):
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(list(headers))
    for col in range(1, len(headers) + 1):
        ws.cell(2, col).font = Font(bold=True)
        ws.cell(2, col).alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(list(row))
    if not rows:
        ws.append(["无"])
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"

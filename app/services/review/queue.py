"""履职审阅: the reviewer's queue, approve / return, batch approval of unflagged logs, 代审.

Who may act on a log is decided here, never in widgets: the log must wait at a level whose
reviewer (per the chain of app.core.review and the roster) is the actor or someone who named
the actor as delegate for today, the actor is not the author, and the permission matrix allows
the reviewer's scope over the author.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import permissions as perm
from app.core import vocab
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.logrules import EntryDraft
from app.core.review import APPROVE, RETURN
from app.db.engine import Database, now_text
from app.db.models import Delegation, Person, ReviewAction, WorkLog
from app.services.org import chart as org_chart, unit_settings
from app.services.review import state as review_state
from app.services.signing.statements import sign_actions
from app.services.org.actor import Actor
from app.services.logs.daily import duty_labels, entries_of_logs
from app.services.org.chart import OrgChart
from app.db.models import LogEntry
from app.services.org.calendar import work_calendar
from app.services.review.flags import compute_flags

MAX_COMMENT = 500


@dataclass
class QueueItem:
    log_id: str
    author_id: str
    author_login: str
    author_name: str
    section: str
    day: dt.date
    day_state: str
    level: int
    chain_len: int
    submitted_at: str | None
    version: int
    amend_reason: str | None
    on_behalf_of: str | None               # name of the absent reviewer when acting as 代审
    entries: list[EntryDraft] = field(default_factory=list)
    duty_labels: dict[str, str] = field(default_factory=dict)
    flags: list = field(default_factory=list)
    week_hours: float = 0.0
    week_expected: float = 0.0              # working days of that week × standard hours

    @property
    def week_saturation(self) -> float | None:
        return self.week_hours / self.week_expected if self.week_expected else None

    @property
    def total_hours(self) -> float:
        return round(sum(e.hours or 0 for e in self.entries), 2)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class QueueFilter:
    section: str | None = None       # section name
    author_login: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    flagged: bool | None = None      # True: only flagged, False: only clean


def delegators(db: Database, actor: Actor, today: dt.date) -> dict[str, str]:
    """Reviewers who named the actor as their stand-in today → their ids and names."""
    with db.read() as s:
        rows = s.execute(select(Delegation.reviewer_id, Person.name)
                         .join(Person, Person.id == Delegation.reviewer_id)
                         .where(Delegation.delegate_id == actor.person_id,
                                Delegation.deleted.is_(False),
                                Delegation.start_day <= today.isoformat(),
                                Delegation.end_day >= today.isoformat())).all()
    return dict(rows)


def current_reviewer(chart: OrgChart, levels: int, author_id: str,
                     pending_level: int) -> str | None:
    """Who must decide on a log waiting at `pending_level` (None: no reviewer configured)."""
    if author_id not in chart.persons:
        return None
    chain = chart.chain(author_id, levels)
    return chain[pending_level - 1] if 1 <= pending_level <= len(chain) else None


def _acting_reviewer(chart: OrgChart, levels: int, actor: Actor, author_id: str,
                     pending_level: int, stand_in_for: dict[str, str]) -> str | None:
    """The reviewer the actor acts as for this log (themselves or a delegator), else None."""
    if author_id == actor.person_id:
        return None
    reviewer = current_reviewer(chart, levels, author_id, pending_level)
    if reviewer is None or (reviewer != actor.person_id and reviewer not in stand_in_for):
        return None
    who = chart.persons[reviewer]
    if not perm.allowed(who.role, who.is_admin, perm.REVIEW, chart.scope(reviewer, author_id)):
        return None
    return reviewer


def waiting_for(db: Database, actor: Actor, today: dt.date, chart: OrgChart | None = None,
                start: dt.date | None = None, end: dt.date | None = None,
                stand_in_for: dict[str, str] | None = None) -> list[tuple[WorkLog, str]]:
    """(log, reviewer the actor acts as) for every log waiting for the actor's decision, oldest
    day first. The one place that decides what is in a reviewer's queue."""
    chart = chart or org_chart.load(db)
    levels = unit_settings.get(db, "review.levels")
    if stand_in_for is None:
        stand_in_for = delegators(db, actor, today)
    with db.read() as s:
        query = select(WorkLog).where(WorkLog.status == vocab.LOG_SUBMITTED,
                                      WorkLog.deleted.is_(False)).order_by(WorkLog.day)
        if start:
            query = query.where(WorkLog.day >= start.isoformat())
        if end:
            query = query.where(WorkLog.day <= end.isoformat())
        result = []
        for log in s.scalars(query):
            reviewer = _acting_reviewer(chart, levels, actor, log.person_id, log.pending_level,
                                        stand_in_for)
            if reviewer is not None:
                result.append((log, reviewer))
        acted = _already_acted(s, actor, [log for log, _ in result])
    return [(log, reviewer) for log, reviewer in result if log.id not in acted]


def _already_acted(s, actor: Actor, logs) -> set[str]:
    """Logs whose current round the actor already judged at another level (e.g. as a stand-in
    for the level below): one person never fills two levels of the same review."""
    if not logs:
        return set()
    rounds = {log.id: log.round for log in logs}
    acted = set()
    ids = list(rounds)
    for start in range(0, len(ids), 500):
        for log_id, round_ in s.execute(select(ReviewAction.log_id, ReviewAction.round).where(
                ReviewAction.log_id.in_(ids[start:start + 500]),
                ReviewAction.reviewer_id == actor.person_id, ReviewAction.deleted.is_(False))):
            if rounds[log_id] == round_:
                acted.add(log_id)
    return acted


def queue(db: Database, actor: Actor, today: dt.date | None = None,
          flt: QueueFilter = QueueFilter(), with_flags: bool = True) -> list[QueueItem]:
    """Logs waiting for the actor's decision, oldest day first, grouped by person and day."""
    today = today or dt.date.today()
    chart, levels = org_chart.load(db), unit_settings.get(db, "review.levels")
    stand_in_for = delegators(db, actor, today)
    items: list[QueueItem] = []
    for log, reviewer in waiting_for(db, actor, today, chart, flt.start, flt.end, stand_in_for):
        author = chart.persons[log.person_id]
        section = chart.section_name(author.id)
        if (flt.section and section != flt.section) or (
                flt.author_login and author.login != flt.author_login):
            continue
        items.append(QueueItem(
            log.id, author.id, author.login, author.name, section,
            dt.date.fromisoformat(log.day), log.day_state, log.pending_level,
            review_state.review_length(chart, author.id, levels), log.submitted_at,
            log.version, log.amend_reason,
            stand_in_for.get(reviewer) if reviewer != actor.person_id else None))
    with db.read() as s:
        entries = entries_of_logs(s, [i.log_id for i in items])
    for item in items:
        item.entries = entries.get(item.log_id, [])
    labels = duty_labels(db, (e.duty_id for i in items for e in i.entries))
    for item in items:
        item.duty_labels = labels
    _add_week_hours(db, items)
    if with_flags and items:
        flags = compute_flags(db, [i.log_id for i in items], today=today)
        for item in items:
            item.flags = flags.get(item.log_id, [])
    if flt.flagged is not None:
        items = [i for i in items if i.flagged == flt.flagged]
    items.sort(key=lambda i: (i.day, i.section, i.author_login))
    return items


def _add_week_hours(db: Database, items: list[QueueItem]) -> None:
    """Each author's submitted-or-approved hours in the week (Mon–Sun) of the queued day."""
    from sqlalchemy import func

    weeks = defaultdict(list)
    for item in items:
        monday = item.day - dt.timedelta(days=item.day.weekday())
        weeks[(item.author_id, monday)].append(item)
    if not weeks:
        return
    authors = {a for a, _ in weeks}
    first = min(m for _, m in weeks)
    last = max(m for _, m in weeks) + dt.timedelta(days=6)
    with db.read() as s:
        rows = s.execute(select(LogEntry.person_id, LogEntry.day, func.sum(LogEntry.hours))
                         .join(WorkLog, WorkLog.id == LogEntry.log_id)
                         .where(LogEntry.person_id.in_(authors), LogEntry.deleted.is_(False),
                                LogEntry.day >= first.isoformat(), LogEntry.day <= last.isoformat(),
                                WorkLog.status.in_((vocab.LOG_SUBMITTED, vocab.LOG_APPROVED)))
                         .group_by(LogEntry.person_id, LogEntry.day)).all()
    totals = defaultdict(float)
    for person_id, day, hours in rows:
        d = dt.date.fromisoformat(day)
        totals[(person_id, d - dt.timedelta(days=d.weekday()))] += hours or 0
    calendar = work_calendar(db)
    for (author_id, monday), group in weeks.items():
        expected = len(calendar.working_days(monday, monday + dt.timedelta(days=6))) * \
            vocab.STANDARD_DAILY_HOURS
        for item in group:
            item.week_hours = round(totals.get((author_id, monday), 0.0), 2)
            item.week_expected = expected


@dataclass(frozen=True)
class Decision:
    log_id: str
    action: str
    final: bool
    status: str


def _decide(db: Database, actor: Actor, log_ids: list[str], action: str, comment: str,
            today: dt.date) -> list[Decision]:
    comment = (comment or "").strip()
    if action == RETURN and not comment:
        raise ValidationError("退回时必须填写退回理由")
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"批阅意见不能超过{MAX_COMMENT}字")
    chart, levels = org_chart.load(db), unit_settings.get(db, "review.levels")
    stand_in_for = delegators(db, actor, today)
    signer = actor.require_signer()
    decisions, actions = [], []
    with db.session(actor) as s:
        logs = {l.id: l for l in s.scalars(select(WorkLog).where(WorkLog.id.in_(log_ids)))}
        for log_id in log_ids:
            log = logs.get(log_id)
            if log is None or log.deleted:
                raise AppError("日志不存在或已删除")
            if log.person_id == actor.person_id:
                raise PermissionDenied("不能审阅本人的日志")
            if log.status != vocab.LOG_SUBMITTED:
                raise AppError(f"{chart.persons[log.person_id].name} {log.day} 的日志"
                               f"{vocab.LOG_STATE_LABELS.get(log.status, log.status)}，不在待审状态")
            reviewer = _acting_reviewer(chart, levels, actor, log.person_id, log.pending_level,
                                        stand_in_for)
            if reviewer is None:
                raise PermissionDenied(perm.denial_message(perm.REVIEW))
            if _already_acted(s, actor, [log]):
                raise PermissionDenied("您已审阅过该日志的另一级，同一篇日志不能由一人审阅两级")
            chain_len = review_state.review_length(chart, log.person_id, levels)
            final = action == APPROVE and log.pending_level >= chain_len
            actions.append(ReviewAction(
                log_id=log.id, round=log.round, version=log.version, content_hash=log.content_hash,
                level=log.pending_level, action=action, final=final, reviewer_id=actor.person_id,
                on_behalf_of=reviewer if reviewer != actor.person_id else None,
                comment=comment, created_at=now_text()))
            decisions.append((log.id, action, final))
        sign_actions(s, signer, actions)
        s.add_all(actions)
        s.flush()
        review_state.refresh(s, [d[0] for d in decisions], chart, levels)
        statuses = dict(s.execute(select(WorkLog.id, WorkLog.status)
                                  .where(WorkLog.id.in_([d[0] for d in decisions]))).all())
    return [Decision(i, a, f, statuses[i]) for i, a, f in decisions]


def approve(db: Database, actor: Actor, log_id: str, comment: str = "",
            today: dt.date | None = None) -> Decision:
    return _decide(db, actor, [log_id], APPROVE, comment, today or dt.date.today())[0]


def return_log(db: Database, actor: Actor, log_id: str, reason: str,
               today: dt.date | None = None) -> Decision:
    return _decide(db, actor, [log_id], RETURN, reason, today or dt.date.today())[0]


def approve_many(db: Database, actor: Actor, log_ids: list[str], comment: str = "",
                 today: dt.date | None = None) -> list[Decision]:
    """All or nothing: one transaction; any log the actor may not approve aborts the batch."""
    return _decide(db, actor, list(dict.fromkeys(log_ids)), APPROVE, comment,
                   today or dt.date.today()) if log_ids else []


def unflagged(db: Database, actor: Actor, flt: QueueFilter = QueueFilter(),
              today: dt.date | None = None) -> list[QueueItem]:
    """What 'approve all unflagged' would approve (shown in the confirmation with its count)."""
    return [i for i in queue(db, actor, today, flt) if not i.flagged]


def approve_all_unflagged(db: Database, actor: Actor, flt: QueueFilter = QueueFilter(),
                          comment: str = "", today: dt.date | None = None) -> list[Decision]:
    return approve_many(db, actor, [i.log_id for i in unflagged(db, actor, flt, today)],
                        comment, today)


def find_log(db: Database, author_login: str, day: dt.date) -> str:
    with db.read() as s:
        log_id = s.scalar(select(WorkLog.id).join(Person, Person.id == WorkLog.person_id)
                          .where(Person.login == author_login, WorkLog.day == day.isoformat(),
                                 WorkLog.deleted.is_(False)))
    if log_id is None:
        raise AppError(f"找不到 {author_login} 在 {day.isoformat()} 的日志")
    return log_id

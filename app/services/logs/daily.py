"""Daily work logs: load a day, save it (draft), submit, recall, day states.

Entries keep their identity across saves (EntryDraft.entry_id) so that a re-save changes only the
rows the user really changed, which keeps sync packages small.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, ValidationError
from app.core.logrules import (AttachmentRef, EntryDraft, check_day, content_hash, effective_hours,
                             total_hours)
from app.db.engine import Database, now_text
from app.db.models import (Attachment, Duty, EntryText, LogEntry, ReviewAction, WorkCategory,
                           WorkLog)
from app.services.review import state as review_state
from app.services.signing.statements import sign_submissions
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.services.items.links import entry_item_problems

EDITABLE_STATES = (vocab.LOG_DRAFT, vocab.LOG_RETURNED)


@dataclass
class DayLog:
    person_id: str
    day: dt.date
    day_state: str = vocab.DAY_NORMAL
    state: str | None = None                  # None: nothing saved yet
    entries: list[EntryDraft] = field(default_factory=list)
    duty_labels: dict[str, str] = field(default_factory=dict)   # duty id → "编号 内容"
    is_working_day: bool = True
    submitted_at: str | None = None
    version: int = 0
    log_id: str | None = None
    pending_level: int = 0
    return_reason: str | None = None         # the latest reviewer's reason when returned
    amend_reason: str | None = None          # set while an approved log is being amended

    @property
    def editable(self) -> bool:
        return self.state in (None, *EDITABLE_STATES)

    @property
    def total_hours(self) -> float:
        return total_hours(self.entries)

    @property
    def state_label(self) -> str:
        return vocab.LOG_STATE_LABELS.get(self.state, "未填写")


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def category_names(db: Database, include_retired: bool = False) -> list[str]:
    """Active categories for pickers; with include_retired, also those an admin has retired
    (old entries keep them and stay valid when re-saved)."""
    with db.read() as s:
        query = (select(WorkCategory.name).where(WorkCategory.deleted.is_(False))
                 .order_by(WorkCategory.sort_order, WorkCategory.name))
        if not include_retired:
            query = query.where(WorkCategory.active.is_(True))
        return list(s.scalars(query))


def _log_row(s, person_id: str, day: dt.date) -> WorkLog | None:
    return s.scalar(select(WorkLog).where(WorkLog.person_id == person_id,
                                          WorkLog.day == day.isoformat()))


def _entries_of(s, log_id: str) -> list[EntryDraft]:
    return entries_of_logs(s, [log_id]).get(log_id, [])


def entries_of_logs(s, log_ids: list[str]) -> dict[str, list[EntryDraft]]:
    """Entries (with text and attachments) of many logs in a few queries, in entry order."""
    result: dict[str, list[EntryDraft]] = {}
    for start in range(0, len(log_ids), 500):
        chunk = log_ids[start:start + 500]
        rows = s.execute(
            select(LogEntry, EntryText.content)
            .outerjoin(EntryText, (EntryText.id == LogEntry.id) & EntryText.deleted.is_(False))
            .where(LogEntry.log_id.in_(chunk), LogEntry.deleted.is_(False))
            .order_by(LogEntry.log_id, LogEntry.seq)).all()
        ids = [e.id for e, _ in rows]
        files: dict[str, list[AttachmentRef]] = {}
        for first in range(0, len(ids), 500):
            for a in s.scalars(select(Attachment).where(Attachment.entry_id.in_(ids[first:first + 500]),
                                                        Attachment.deleted.is_(False))):
                files.setdefault(a.entry_id, []).append(AttachmentRef(a.filename, a.sha256, a.size))
        for e, text in rows:
            result.setdefault(e.log_id, []).append(EntryDraft(
                hours=e.hours, category=e.category, content=text or "", duty_id=e.duty_id,
                start=e.start_time, end=e.end_time, secret=e.secret,
                attachments=tuple(files.get(e.id, ())), entry_id=e.id, item_id=e.item_id))
    return result


def duty_labels(db: Database, duty_ids) -> dict[str, str]:
    ids = [d for d in set(duty_ids) if d]
    if not ids:
        return {}
    with db.read() as s:
        return {d.id: f"{d.code} {d.content}" for d in
                s.scalars(select(Duty).where(Duty.id.in_(ids)))}


def load_day(db: Database, actor: Actor, day: dt.date) -> DayLog:
    """The actor's own log for `day` (an empty one when nothing was saved)."""
    with db.read() as s:
        row = _log_row(s, actor.person_id, day)
        result = DayLog(person_id=actor.person_id, day=day,
                        is_working_day=work_calendar(db).is_working_day(day))
        if row is not None and not row.deleted:
            result.day_state, result.state = row.day_state, row.status
            result.submitted_at, result.version = row.submitted_at, row.version
            result.log_id, result.pending_level = row.id, row.pending_level
            result.amend_reason = row.amend_reason
            result.entries = _entries_of(s, row.id)
            if row.status == vocab.LOG_RETURNED or row.state == vocab.LOG_DRAFT:
                result.return_reason = s.scalar(
                    select(ReviewAction.comment).where(
                        ReviewAction.log_id == row.id, ReviewAction.action == "return",
                        ReviewAction.version == row.version, ReviewAction.deleted.is_(False))
                    .order_by(ReviewAction.created_at.desc()).limit(1))
    result.duty_labels = duty_labels(db, (e.duty_id for e in result.entries))
    return result


def _validate(db: Database, day: dt.date, day_state: str, entries: list[EntryDraft],
              submit: bool, today: dt.date) -> None:
    problems = []
    if day_state not in vocab.DAY_STATES:
        problems.append(f"未知的日状态“{day_state}”（可选：{'、'.join(vocab.DAY_STATES)}）")
    problems += check_day(day, entries, today, set(category_names(db, include_retired=True)))
    problems += entry_item_problems(db, entries)
    if submit and not entries and day_state == vocab.DAY_NORMAL:
        problems.append("请至少填写一条工作内容再提交（请假、出差、公休可直接提交）")
    if problems:
        raise ValidationError("日志未保存：\n" + "\n".join(problems), problems)


def save_day(db: Database, actor: Actor, day: dt.date, day_state: str,
             entries: list[EntryDraft], *, submit: bool = False,
             today: dt.date | None = None) -> DayLog:
    """Save the actor's log for `day` as a whole; optionally submit it for review."""
    today = today or dt.date.today()
    _validate(db, day, day_state, entries, submit, today)
    signer = actor.require_signer() if submit else None
    with db.session(actor) as s:
        row = _log_row(s, actor.person_id, day)
        if row is not None and not row.deleted and row.status not in EDITABLE_STATES:
            hint = {vocab.LOG_SUBMITTED: "（尚未审阅时可先撤回）",
                    vocab.LOG_APPROVED: "（已审定的日志请通过“申请修改”更正）"}.get(row.status, "")
            raise AppError(f"{day.isoformat()}的日志{vocab.LOG_STATE_LABELS[row.status]}，不能直接修改"
                           + hint)
        if row is None:
            row = WorkLog(person_id=actor.person_id, day=day.isoformat(), month=month_of(day),
                          state=vocab.LOG_DRAFT, version=1)
            s.add(row)
            s.flush()
        row.deleted = False
        row.day_state = day_state
        _write_entries(s, row, entries)
        new_hash = content_hash(day_state, entries)
        if row.content_hash != new_hash:
            row.content_hash = new_hash
        if submit:
            row.state = vocab.LOG_SUBMITTED
            row.round = (row.round or 0) + 1
            # `today` is the injectable clock's date (tests, batch imports); the time is real.
            row.submitted_at = f"{today.isoformat()}T{now_text()[11:]}"
            sign_submissions(s, signer, [row])
        elif row.state != vocab.LOG_DRAFT:
            row.state = vocab.LOG_DRAFT   # editing a returned log: back to the author
        s.flush()
        review_state.refresh_for(db, s, [row.id])
    return load_day(db, actor, day)


def _write_entries(s, log: WorkLog, entries: list[EntryDraft]) -> None:
    existing = {e.id: e for e in s.scalars(select(LogEntry).where(LogEntry.log_id == log.id))}
    texts = {t.id: t for t in s.scalars(select(EntryText).where(EntryText.id.in_(list(existing))))}
    kept: set[str] = set()
    for seq, draft in enumerate(entries, start=1):
        values = dict(seq=seq, hours=round(effective_hours(draft), 2), start_time=draft.start or None,
                      end_time=draft.end or None, category=draft.category,
                      duty_id=draft.duty_id or None, secret=draft.secret,
                      item_id=draft.item_id or None, deleted=False)
        entry = existing.get(draft.entry_id) if draft.entry_id else None
        if entry is None:
            entry = LogEntry(log_id=log.id, person_id=log.person_id, day=log.day, month=log.month,
                             **values)
            s.add(entry)
            s.flush()
            draft.entry_id = entry.id
        else:
            for key, value in values.items():
                if getattr(entry, key) != value:
                    setattr(entry, key, value)
        kept.add(entry.id)
        _write_text(s, texts.get(entry.id), entry.id, None if draft.secret else draft.content.strip())
        _write_attachments(s, entry.id, draft.attachments)
    for entry_id, entry in existing.items():
        if entry_id not in kept and not entry.deleted:
            entry.deleted = True
            _write_text(s, texts.get(entry_id), entry_id, None)
            _write_attachments(s, entry_id, ())


def _write_text(s, row: EntryText | None, entry_id: str, content: str | None) -> None:
    """涉密 entries (content None) keep no text at all: the row is tombstoned and emptied."""
    if content is None:
        if row is not None and (not row.deleted or row.content):
            row.deleted, row.content = True, ""
        return
    if row is None:
        s.add(EntryText(id=entry_id, content=content))
    elif row.content != content or row.deleted:
        row.content, row.deleted = content, False


def _write_attachments(s, entry_id: str, refs: tuple[AttachmentRef, ...]) -> None:
    current = {a.sha256: a for a in s.scalars(select(Attachment).where(Attachment.entry_id == entry_id))}
    wanted = {r.sha256: r for r in refs}
    for sha, row in current.items():
        if sha not in wanted and not row.deleted:
            row.deleted = True
        elif sha in wanted and row.deleted:
            row.deleted = False
    for sha, ref in wanted.items():
        if sha not in current:
            s.add(Attachment(entry_id=entry_id, filename=ref.filename, sha256=sha, size=ref.size))


def submit_day(db: Database, actor: Actor, day: dt.date, today: dt.date | None = None) -> DayLog:
    current = load_day(db, actor, day)
    if current.state is None:
        raise AppError(f"{day.isoformat()}还没有日志，无法提交")
    return save_day(db, actor, day, current.day_state, current.entries, submit=True, today=today)


def recall_day(db: Database, actor: Actor, day: dt.date) -> DayLog:
    """撤回: a submitted log returns to draft (before its first review)."""
    with db.session(actor) as s:
        row = _log_row(s, actor.person_id, day)
        if row is None or row.status != vocab.LOG_SUBMITTED or row.pending_level != 1:
            raise AppError("只有“已提交”且尚未审阅的日志可以撤回")
        reviewed = s.scalar(select(ReviewAction.id).where(
            ReviewAction.log_id == row.id, ReviewAction.round == row.round,
            ReviewAction.deleted.is_(False)).limit(1))
        if reviewed:
            raise AppError("该日志已有审阅记录，不能撤回")
        row.state = vocab.LOG_DRAFT
        s.flush()
        review_state.refresh_for(db, s, [row.id])
    return load_day(db, actor, day)


def add_entry(db: Database, actor: Actor, day: dt.date, entry: EntryDraft, *,
              submit: bool = False, today: dt.date | None = None) -> DayLog:
    """Append one entry to the day's log (CLI `log add`)."""
    current = load_day(db, actor, day)
    return save_day(db, actor, day, current.day_state, current.entries + [entry], submit=submit,
                    today=today)


def set_day_state(db: Database, actor: Actor, day: dt.date, state: str,
                  today: dt.date | None = None) -> DayLog:
    current = load_day(db, actor, day)
    return save_day(db, actor, day, state, current.entries, today=today)


@dataclass(frozen=True)
class DayStatus:
    day: dt.date
    state: str | None
    day_state: str
    hours: float


def month_overview(db: Database, actor: Actor, year: int, month: int) -> dict[dt.date, DayStatus]:
    """Per-day state and hours of the actor's logs in one month (for the calendar)."""
    from sqlalchemy import func
    with db.read() as s:
        rows = s.execute(
            select(WorkLog.day, WorkLog.status, WorkLog.day_state,
                   func.coalesce(func.sum(LogEntry.hours), 0.0))
            .outerjoin(LogEntry, (LogEntry.log_id == WorkLog.id) & LogEntry.deleted.is_(False))
            .where(WorkLog.person_id == actor.person_id, WorkLog.month == year * 100 + month,
                   WorkLog.deleted.is_(False))
            .group_by(WorkLog.id)).all()
    return {dt.date.fromisoformat(d): DayStatus(dt.date.fromisoformat(d), st, ds, float(h))
            for d, st, ds, h in rows}

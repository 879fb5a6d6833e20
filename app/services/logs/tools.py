"""Helpers around writing a log: copy from the previous day, templates, duty picker, autosave."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from sqlalchemy import select

from app.core.errors import AppError, ValidationError
from app.core.logrules import EntryDraft
from app.db.engine import Database
from app.db.models import Duty, DutySection, LocalDraft, LogTemplate, PostDuty, WorkLog
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.services.logs.daily import _entries_of

COPY_LOOKBACK_DAYS = 31


def _as_new(entries: list[EntryDraft]) -> list[EntryDraft]:
    """Copies of entries that will be saved as new rows (no id, no attachments)."""
    return [replace(e, entry_id=None, attachments=(), content="" if e.secret else e.content)
            for e in entries]


@dataclass(frozen=True)
class PreviousDay:
    day: dt.date
    entries: list[EntryDraft]          # new copies: no ids, no attachments
    secret_skipped: int                # 涉密 entries left out: secret hours are claimed anew

    @property
    def hours(self) -> float:
        return sum(e.hours or 0 for e in self.entries)


def previous_day_entries(db: Database, actor: Actor, day: dt.date) -> PreviousDay:
    """Entries of the previous working day; if that day has none, the latest earlier log with
    entries (within a month). 涉密 entries are not copied: they carry no content to recognise,
    and copying them would claim secret hours nobody looked at (issue 17). Raises AppError when
    there is nothing to copy."""
    cal = work_calendar(db)
    start = cal.previous_working_day(day) or day - dt.timedelta(days=1)
    with db.read() as s:
        logs = s.execute(
            select(WorkLog.id, WorkLog.day).where(
                WorkLog.person_id == actor.person_id, WorkLog.deleted.is_(False),
                WorkLog.day <= start.isoformat(),
                WorkLog.day >= (day - dt.timedelta(days=COPY_LOOKBACK_DAYS)).isoformat())
            .order_by(WorkLog.day.desc())).all()
        for log_id, log_day in logs:
            entries = _entries_of(s, log_id)
            if entries:
                kept = [e for e in entries if not e.secret]
                return PreviousDay(dt.date.fromisoformat(log_day), _as_new(kept),
                                   len(entries) - len(kept))
    raise AppError("最近一个月内没有可复制的日志")


# ---------------------------------------------------------------- templates
@dataclass(frozen=True)
class TemplateInfo:
    id: str
    name: str
    entry_count: int


def list_templates(db: Database, actor: Actor) -> list[TemplateInfo]:
    with db.read() as s:
        rows = s.scalars(select(LogTemplate).where(LogTemplate.person_id == actor.person_id,
                                                   LogTemplate.deleted.is_(False))
                         .order_by(LogTemplate.name))
        return [TemplateInfo(t.id, t.name, len(json.loads(t.entries_json))) for t in rows]


def save_template(db: Database, actor: Actor, name: str, entries: list[EntryDraft]) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("请填写模板名称")
    if not entries:
        raise ValidationError("模板至少需要一条内容")
    payload = json.dumps([e.to_dict() for e in _as_new(entries)], ensure_ascii=False)
    with db.session() as s:
        row = s.scalar(select(LogTemplate).where(LogTemplate.person_id == actor.person_id,
                                                 LogTemplate.name == name))
        if row is None:
            row = LogTemplate(person_id=actor.person_id, name=name, entries_json=payload)
            s.add(row)
        else:
            row.entries_json, row.deleted = payload, False
        s.flush()
        return row.id


def template_entries(db: Database, actor: Actor, template_id: str) -> list[EntryDraft]:
    with db.read() as s:
        row = s.get(LogTemplate, template_id)
    if row is None or row.deleted or row.person_id != actor.person_id:
        raise AppError("模板不存在或已删除")
    return [EntryDraft.from_dict(d) for d in json.loads(row.entries_json)]


def delete_template(db: Database, actor: Actor, template_id: str) -> None:
    with db.session() as s:
        row = s.get(LogTemplate, template_id)
        if row is None or row.person_id != actor.person_id:
            raise AppError("模板不存在")
        row.deleted = True


# ---------------------------------------------------------------- duty picker
@dataclass(frozen=True)
class DutyChoice:
    id: str
    code: str
    content: str
    duty_class: str
    scope: str          # 岗位职责 / 科室职责 / 单位职责

    @property
    def label(self) -> str:
        return f"{self.code} {self.content}"


def duty_choices(db: Database, actor: Actor) -> list[DutyChoice]:
    """The person's own post duties first, then their section's, then the rest of the unit's."""
    with db.read() as s:
        duties = list(s.scalars(select(Duty).where(Duty.deleted.is_(False), Duty.active.is_(True))
                                .order_by(Duty.sort_order, Duty.code)))
        own = set(s.scalars(select(PostDuty.duty_id).where(PostDuty.person_id == actor.person_id,
                                                           PostDuty.deleted.is_(False))))
        section = set()
        if actor.section_id:
            section = set(s.scalars(select(DutySection.duty_id).where(
                DutySection.section_id == actor.section_id, DutySection.deleted.is_(False))))

    def scope(d: Duty) -> str:
        return "岗位职责" if d.id in own else "科室职责" if d.id in section else "单位职责"

    rank = {"岗位职责": 0, "科室职责": 1, "单位职责": 2}
    choices = [DutyChoice(d.id, d.code, d.content, d.duty_class, scope(d)) for d in duties]
    return sorted(choices, key=lambda c: rank[c.scope])  # stable: keeps the 三定 order inside


def filter_duties(choices: list[DutyChoice], text: str) -> list[DutyChoice]:
    """Every whitespace-separated word must appear in the code or the content."""
    words = text.lower().split()
    return [c for c in choices if all(w in c.label.lower() for w in words)]


# ---------------------------------------------------------------- autosave (local only)
def autosave(db: Database, actor: Actor, day: dt.date, day_state: str,
             entries: list[EntryDraft]) -> None:
    """Store the editor's current state; cheap enough to call every few seconds."""
    payload = json.dumps({"day_state": day_state, "entries": [e.to_dict() for e in entries]},
                         ensure_ascii=False)
    with db.session() as s:
        row = s.get(LocalDraft, (actor.person_id, day.isoformat()))
        stamp = dt.datetime.now().isoformat(timespec="microseconds")
        if row is None:
            s.add(LocalDraft(person_id=actor.person_id, day=day.isoformat(), payload=payload,
                             saved_at=stamp))
        elif row.payload != payload:
            row.payload, row.saved_at = payload, stamp


@dataclass
class Autosaved:
    day_state: str
    entries: list[EntryDraft]
    saved_at: str


def load_autosave(db: Database, actor: Actor, day: dt.date) -> Autosaved | None:
    with db.read() as s:
        row = s.get(LocalDraft, (actor.person_id, day.isoformat()))
    if row is None:
        return None
    data = json.loads(row.payload)
    return Autosaved(data["day_state"], [EntryDraft.from_dict(e) for e in data["entries"]],
                     row.saved_at)


def discard_autosave(db: Database, actor: Actor, day: dt.date) -> None:
    with db.session() as s:
        row = s.get(LocalDraft, (actor.person_id, day.isoformat()))
        if row is not None:
            s.delete(row)

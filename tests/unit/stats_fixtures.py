"""Statistics test data written straight into a unit database (Core inserts through
`Database.bulk_insert`): persons, sections, duties and logs with a chosen review status.

The statistics only read; writing logs in a given derived state (approved, returned, …) directly
keeps the hand-computed cases short and lets the property test write hundreds of logs per example.
The review chain itself is exercised by test_stats_service.py through the real services.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core.ids import new_id
from app.core.logrules import EntryDraft, content_hash
from app.db.models import (Duty, DutySection, EntryText, LogEntry, Person, PersonKey, PostDuty, ReviewAction,
                           Section, SignedStatement, WorkLog)
from app.demo.signatures import DemoSigners


@dataclass
class Builder:
    db: object
    sections: dict[str, str] = field(default_factory=dict)      # name → id
    persons: dict[str, str] = field(default_factory=dict)       # login → id
    duties: dict[str, str] = field(default_factory=dict)        # code → id
    signers: DemoSigners | None = None

    def _sign(self, logs: list[dict], actions: list[dict]) -> None:
        """Sign the rows as their authors and reviewers would (the unit's statistics count only
        logs whose signatures verify); keys are made for people who have none yet."""
        if self.signers is None:
            self.signers = DemoSigners([], "abc12345")
        key_rows = self.signers.add([pid for pid in self.persons.values()
                                     if pid not in self.signers.keys])
        statements = self.signers.sign(logs, actions)
        with self.db.session() as s:
            self.db.bulk_insert(s, PersonKey, key_rows)
            self.db.bulk_insert(s, SignedStatement, statements)

    def section(self, name: str, order: int = 0) -> str:
        sid = new_id()
        with self.db.session() as s:
            self.db.bulk_insert(s, Section, [dict(id=sid, unit_id=self.db.unit_id, name=name,
                                                  summary="", sort_order=order)])
        self.sections[name] = sid
        return sid

    def person(self, login: str, section: str | None = None, *, role: str = "科室人员",
               status: str = "在职", staffing_type: str | None = "行政编制",
               is_admin: bool = False) -> str:
        pid = new_id()
        with self.db.session() as s:
            self.db.bulk_insert(s, Person, [dict(
                id=pid, unit_id=self.db.unit_id, section_id=self.sections.get(section),
                name=f"人员{login}", id_number=None, gender=None, birth_date=None,
                education=None, post=None, staffing_type=staffing_type, role=role, login=login,
                status=status, is_admin=is_admin)])
        self.persons[login] = pid
        return pid

    def duty(self, code: str, duty_class: str, sections: tuple[str, ...] = (), *,
             active: bool = True, posts: tuple[str, ...] = (), order: int | None = None) -> str:
        did = new_id()
        with self.db.session() as s:
            self.db.bulk_insert(s, Duty, [dict(
                id=did, unit_id=self.db.unit_id, code=code, content=f"职责{code}",
                duty_class=duty_class, active=active,
                sort_order=len(self.duties) if order is None else order)])
            self.db.bulk_insert(s, DutySection, [dict(duty_id=did, section_id=self.sections[n])
                                                 for n in sections])
            self.db.bulk_insert(s, PostDuty, [dict(person_id=self.persons[p], duty_id=did, note="")
                                              for p in posts])
        self.duties[code] = did
        return did

    def logs(self, rows: list[tuple]) -> None:
        """rows: (login, day, status, day_state, [(hours, category, duty code or None
        [, text[, secret]]), …]
        [, submitted day, approved day]). The author's state follows the status; an approved
        or returned log gets the level-1 action that made it so, signed by another person."""
        logs, entries, actions, texts = [], [], [], []
        for row in rows:
            login, day, status, day_state, items = row[:5]
            submitted_day = row[5] if len(row) > 5 else day
            approved_day = row[6] if len(row) > 6 else submitted_day
            log_id = new_id()
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            state = "draft" if status == "draft" else "submitted"
            drafts = [EntryDraft(item[0], item[1], item[3] if len(item) > 3 else "",
                                 self.duties.get(item[2]) if item[2] else None,
                                 secret=len(item) > 4 and item[4]) for item in items]
            digest = content_hash(day_state, drafts)
            author = self.persons[login]
            logs.append(dict(
                id=log_id, person_id=author, day=day.isoformat(),
                month=day.year * 100 + day.month, day_state=day_state, state=state,
                submitted_at=None if status == "draft" else f"{submitted_day}T09:00:00",
                version=1, content_hash=digest, round=0 if status == "draft" else 1,
                amend_reason=None, status=status, pending_level=1 if status == "submitted" else 0,
                approved_at=f"{approved_day}T17:00:00" if status == "approved" else None))
            if status in ("approved", "returned"):
                reviewer = next((p for p in self.persons.values() if p != author), author)
                actions.append(dict(
                    log_id=log_id, round=1, version=1, content_hash=digest, level=1,
                    action="approve" if status == "approved" else "return",
                    final=status == "approved", reviewer_id=reviewer, on_behalf_of=None,
                    comment="" if status == "approved" else "请补充", created_at=f"{approved_day}T17:00:00"))
            for seq, draft in enumerate(drafts, start=1):
                entry_id = new_id()
                entries.append(dict(
                    id=entry_id, log_id=log_id, person_id=author, day=day.isoformat(),
                    month=day.year * 100 + day.month, seq=seq, hours=draft.hours, start_time=None,
                    end_time=None, category=draft.category, duty_id=draft.duty_id,
                    secret=draft.secret))
                if draft.content:    # a secret entry's text too: tests that it is never shown
                    texts.append(dict(id=entry_id, content=draft.content))
        self._sign(logs, actions)
        with self.db.session() as s:
            self.db.bulk_insert(s, WorkLog, logs)
            self.db.bulk_insert(s, LogEntry, entries)
            self.db.bulk_insert(s, EntryText, texts)
            self.db.bulk_insert(s, ReviewAction, actions)

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
from app.db.models import Duty, DutySection, LogEntry, Person, PostDuty, Section, WorkLog


@dataclass
class Builder:
    db: object
    sections: dict[str, str] = field(default_factory=dict)      # name → id
    persons: dict[str, str] = field(default_factory=dict)       # login → id
    duties: dict[str, str] = field(default_factory=dict)        # code → id

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
        """rows: (login, day, status, day_state, [(hours, category, duty code or None), …]
        [, submitted day, approved day]). The author's state follows the status."""
        logs, entries = [], []
        for row in rows:
            login, day, status, day_state, items = row[:5]
            submitted_day = row[5] if len(row) > 5 else day
            approved_day = row[6] if len(row) > 6 else submitted_day
            log_id = new_id()
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            state = "draft" if status == "draft" else "submitted"
            logs.append(dict(
                id=log_id, person_id=self.persons[login], day=day.isoformat(),
                month=day.year * 100 + day.month, day_state=day_state, state=state,
                submitted_at=None if status == "draft" else f"{submitted_day}T09:00:00",
                version=1, content_hash="x", round=0 if status == "draft" else 1,
                amend_reason=None, status=status, pending_level=1 if status == "submitted" else 0,
                approved_at=f"{approved_day}T17:00:00" if status == "approved" else None))
            for seq, (hours, category, code) in enumerate(items, start=1):
                entries.append(dict(
                    log_id=log_id, person_id=self.persons[login], day=day.isoformat(),
                    month=day.year * 100 + day.month, seq=seq, hours=hours, start_time=None,
                    end_time=None, category=category, duty_id=self.duties.get(code) if code else None,
                    secret=False))
        with self.db.session() as s:
            self.db.bulk_insert(s, WorkLog, logs)
            self.db.bulk_insert(s, LogEntry, entries)

"""The demo unit's duties get their 任务类型 (seed 002, 桓台县), as an admin would set them on the
三定职责 page: the type each duty's text suggests, with the unit's own duties only (a duty the
编办 issued is its row)."""
from __future__ import annotations

from sqlalchemy import select

from app.core import task_types
from app.db.engine import Database
from app.db.models import Duty
from app.db.exchange_models import bureau_origin


def classify_duties(db: Database) -> int:
    """Set the task type of every unclassified duty the unit owns; returns how many."""
    done = 0
    with db.session() as s:
        origin = bureau_origin(s)
        for duty in s.scalars(select(Duty).where(Duty.task_type.is_(None), Duty.deleted.is_(False))):
            if origin is None or duty.origin != origin:
                duty.task_type = task_types.guess(duty.content, duty.duty_class)
                done += 1
    return done

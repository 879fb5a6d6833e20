"""Changing a unit setting: an administrator's act. A change of review.levels re-derives the
review state of every waiting log, so this sits above app.services.review.state (which reads the
settings) rather than beside the declarations in unit_settings."""
from __future__ import annotations

import json

from sqlalchemy import select

from app.db.engine import Database
from app.db.models import Setting
from app.services.org.actor import Actor
from app.services.org.unit_settings import parse
from app.services.review import state as review_state


def set_value(db: Database, actor: Actor, key: str, text) -> object:
    actor.require_admin()
    value = parse(key, text, bureau=db.edition == "bureau")
    with db.session(actor=actor) as s:
        row = s.scalar(select(Setting).where(Setting.key == key))
        if row is None:
            s.add(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
        elif row.value != json.dumps(value, ensure_ascii=False) or row.deleted:
            row.value, row.deleted = json.dumps(value, ensure_ascii=False), False
        if key == "review.levels":
            s.flush()
            review_state.refresh_all_for(db, s)
    return value

"""Setting a duty's 任务类型 (app.core.task_types) on the 三定职责 page: the unit admin, for the
unit's own duties; a duty the 编办 issued is the 编办's row (single writer) and keeps the type
the 编办 gave it, or the one its text suggests."""
from __future__ import annotations

from sqlalchemy import select

from app.core import task_types
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.engine import Database
from app.db.models import Duty
from app.db.exchange_models import bureau_origin
from app.services.org.actor import Actor


def set_task_type(db: Database, actor: Actor, code: str, task_type: str) -> str:
    """Give duty `code` the task type `task_type` (a full name or short form, or "" for the
    guess from its text). Returns the type it now counts as."""
    if db.edition == "unit":
        actor.require_admin()
    elif not actor.is_admin:
        raise PermissionDenied("设置职责的任务类型需要编办管理员权限")
    chosen = task_types.parse(task_type) if task_type.strip() else None
    if task_type.strip() and chosen is None:
        raise ValidationError(f"无效的任务类型“{task_type.strip()}”（可选：{'、'.join(task_types.TASK_TYPES)}）")
    with db.session(actor) as s:
        duty = s.scalar(select(Duty).where(Duty.code == code.strip(), Duty.deleted.is_(False),
                                           *([Duty.unit_id == db.unit_id] if db.unit_id else [])))
        if duty is None:
            raise AppError(f"没有编号为“{code.strip()}”的职责")
        origin = bureau_origin(s) if db.edition == "unit" else None
        if origin is not None and duty.origin == origin:
            raise PermissionDenied(f"职责“{duty.code}”由编办下发，任务类型不能在本单位修改，如需调整请联系编办")
        if duty.task_type != chosen:
            duty.task_type = chosen
        return task_types.effective(chosen, duty.content, duty.duty_class)

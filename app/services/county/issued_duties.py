"""The 编办 issues a unit's 三定 duties: the duties sheet of the 三定职责 template, written into the
unit's mirror as the 编办's own rows, so they reach the unit in its 注册包 or the next 下发包.

Only the duties themselves (编号, 内容, 职能类别): which sections carry them (承担科室) is the
unit's business, so that column is not read here. Duties the unit entered itself stay the unit's
(single writer); the 编办 cannot change them.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from app.core.errors import PermissionDenied
from app.db.engine import Database
from app.db.models import Duty
from app.services.org.actor import Actor
from app.services.county.mirrors import Mirrors, require_bureau
from app.services.excel.duties import K_DUTY, _check_duties, write_duties
from app.services.excel.templates import DUTIES
from app.services.excel.common import ImportResult, Problems, read_workbook


def import_unit_duties(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str,
                       path: Path) -> ImportResult:
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("下发三定职责需要编办管理员权限")
    started = time.perf_counter()
    data = read_workbook(path, (DUTIES,))
    result = ImportResult("三定职责", ((K_DUTY, "条"),), ignored_examples=data.ignored_examples)
    problems = Problems((DUTIES,))
    rows = _check_duties(data.sheets[DUTIES.title], problems, None)
    mirror = mirrors.get(unit_id)
    with mirror.session(actor) as s:
        for duty in s.scalars(select(Duty).where(Duty.unit_id == unit_id, Duty.origin != db.origin)):
            for r in rows:
                if r.code == duty.code:
                    problems.add(DUTIES.title, r.row, "职责编号",
                                 f"职责“{r.code}”由单位自行录入，编办不能修改")
        problems.raise_if_any()
        write_duties(s, mirror, rows, result, set())
    result.seconds = time.perf_counter() - started
    return result

"""The 编办's monthly 履职监测反馈 (seed 002: 每月问题动态反馈): for every registered unit, one row
per month in the unit's mirror, so the next 下发包 (bureau.export_dispatch, tables BUREAU_TABLES)
carries it to the unit. What a feedback says is built by app.core.feedback; the unit reads it
with app.services.reporting.feedback.

Issuing a month again recomputes every unit's figures and keeps each remark the 编办 wrote."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from app.core import feedback as FB
from app.core.bureau import county as C
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.metrics import Period, parse_period
from app.db.engine import Database, now_text
from app.db.feedback_models import MonthlyFeedback
from app.db.models import EvalRound, Problem
from app.services.county import table as county
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.items.progress import item_facts
from app.services.org.actor import Actor


# More parts of a feedback's content, each read from the unit's mirror when the 编办 issues a
# month: part(mirror, unit_id, period, today) → {content key: JSON value}. A part that adds a
# key also has its section builder in app.core.feedback.SECTIONS (as the work-item lights do).
ContentPart = Callable[[Database, str, Period, dt.date], dict]
def _item_lights(mirror: Database, unit_id: str, period: Period, today: dt.date) -> dict:
    """The lights of the unit's work items as its mirror holds them on the day of issue."""
    return {"items": FB.items_part([facts for _, facts, _, _ in item_facts(mirror)], today)}


CONTENT_PARTS: list[ContentPart] = [_item_lights]


@dataclass(frozen=True)
class IssuedFeedback:
    unit_id: str
    unit_name: str
    month: str
    content: dict
    remark: str
    issued_at: str

    @property
    def summary(self) -> str:
        return FB.summary(self.content)


def month_of(text: str, today: dt.date) -> Period:
    """The month a feedback is for: a whole calendar month that has ended."""
    try:
        period = parse_period(text)
    except ValueError as exc:
        raise ValidationError(f"反馈月份：{exc}", [str(exc)]) from None
    if period.kind != "month":
        raise ValidationError(f"反馈按月生成，请填写月份（如 2026-10），而不是“{period.label}”",
                              ["月份"])
    if period.end >= today:
        raise AppError(f"{period.label}尚未结束：月度反馈须在{(period.end + dt.timedelta(days=1)).isoformat()}"
                       f"以后生成（未结束的月份，尚未到来的日子会被算作未履职）")
    return period


def may_issue(db: Database, actor: Actor) -> bool:
    """编办管理员 issue feedback and write remarks; 编办分析员 only read them."""
    return db.edition == "bureau" and actor.is_admin


def _admin(db: Database, actor: Actor) -> None:
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("生成和修改月度反馈需要编办管理员权限")


def issue_month(db: Database, mirrors: Mirrors, actor: Actor, month: str,
                today: dt.date | None = None) -> list[IssuedFeedback]:
    """Write (or rewrite) the month's feedback of every registered unit with a mirror; returns
    them in registration order."""
    _admin(db, actor)
    today = today or dt.date.today()
    period = month_of(month, today)
    rows = county.county_table(db, mirrors, period, today=today)
    comparison = _comparison(rows)
    issued = []
    for row in rows:
        mirror = mirrors.get(row.unit_id)
        content = FB.build(period.text, period.label, row.name, FB.figures_part(
            row.figures if C.has_data(row.figures) else None),
            {"units": comparison["units"], "metrics": comparison["by_unit"].get(row.unit_id, {})},
            open_problems(mirror, row.unit_id, today), list(row.warnings))
        for part in CONTENT_PARTS:
            content.update(part(mirror, row.unit_id, period, today))
        issued.append(_write(mirror, actor, row.unit_id, row.name, period.text, content))
    return issued


def _comparison(rows: list[C.CountyRow]) -> dict:
    """The county median of each compared figure and each unit's rank in it (units with data)."""
    by_unit: dict[str, dict] = {}
    for key, _name in FB.METRICS:
        ranked = C.ranked(rows, key)
        values = [C.SORT_KEYS[key](r) for _rank, r in ranked]
        mid = FB.median(values)
        of = sum(1 for rank, _r in ranked if rank is not None)
        shared: dict[float, int] = {}      # equal values share the better rank (1, 1, 3 …)
        for (rank, r), value in zip(ranked, values):
            if rank is not None:
                rank = shared.setdefault(round(value, 6), rank)
            by_unit.setdefault(r.unit_id, {})[key] = {"median": mid, "rank": rank, "of": of}
    return {"units": sum(1 for r in rows if C.has_data(r.figures)), "by_unit": by_unit}


def open_problems(mirror: Database, unit_id: str, today: dt.date) -> list[dict]:
    """The unit's problems not yet closed (评单 not 销号), oldest first."""
    with mirror.read() as s:
        found = s.execute(select(Problem, EvalRound.name).join(EvalRound, EvalRound.id == Problem.round_id)
                          .where(Problem.unit_id == unit_id, Problem.status == "open",
                                 Problem.deleted.is_(False))
                          .order_by(Problem.created_at, Problem.id)).all()
    return [{"round": name, "category": p.category, "description": p.description,
             "rectify_type": p.rectify_type, "deadline": p.deadline,
             "overdue": FB.is_overdue(p.deadline, today)} for p, name in found]


def _find(s, unit_id: str, month: str) -> MonthlyFeedback | None:
    return s.scalar(select(MonthlyFeedback).where(MonthlyFeedback.unit_id == unit_id,
                                                  MonthlyFeedback.month == month)
                    .order_by(MonthlyFeedback.deleted, MonthlyFeedback.id))


def _write(mirror: Database, actor: Actor, unit_id: str, name: str, month: str,
           content: dict) -> IssuedFeedback:
    with mirror.session(actor) as s:
        row = _find(s, unit_id, month)
        if row is None:
            row = MonthlyFeedback(unit_id=unit_id, month=month, remark="")
            s.add(row)
        row.content, row.issued_at, row.deleted = FB.dumps(content), now_text(), False
        return IssuedFeedback(unit_id, name, month, content, row.remark, row.issued_at)


def set_remark(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, month: str,
               remark: str) -> None:
    """The 编办's remark on one unit's feedback of a month (the next 下发包 carries the change)."""
    _admin(db, actor)
    problem = FB.check_remark(remark)
    if problem:
        raise ValidationError(problem, [problem])
    with mirrors.get(unit_id).session(actor) as s:
        row = _find(s, unit_id, month)
        if row is None or row.deleted:
            raise AppError(f"该单位还没有{month}的月度反馈：请先生成")
        if row.remark != remark.strip():
            row.remark = remark.strip()


def month_feedback(db: Database, mirrors: Mirrors, month: str) -> list[IssuedFeedback]:
    """The month's feedback of every registered unit that has one (the 编办's list)."""
    require_bureau(db)
    out = []
    for unit in registered_units(db):
        if not mirrors.path(unit.unit_id).exists():
            continue
        with mirrors.get(unit.unit_id).read() as s:
            row = _find(s, unit.unit_id, month)
            if row is not None and not row.deleted:
                out.append(IssuedFeedback(unit.unit_id, unit.name, row.month, FB.loads(row.content),
                                          row.remark, row.issued_at))
    return out


def recent_months(today: dt.date, count: int = 12) -> list[str]:
    """The last `count` months that have ended, newest first (2026-11, 2026-10 …)."""
    out, day = [], today.replace(day=1) - dt.timedelta(days=1)
    while len(out) < count:
        out.append(f"{day.year}-{day.month:02d}")
        day = day.replace(day=1) - dt.timedelta(days=1)
    return out

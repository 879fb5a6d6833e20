"""加分/扣分 of a unit in a round (编办用单; seed 001: 加分奖励, 扣分): the 加减分 items of the
unit's indicator system (app.core.bureau.indicators.ADJUST), each entered by the 编办 with how
many times it applied and a reason. The points are capped by the item's rule (获省级表彰每次加2
分，最多加5分): an entry past the cap is written at the cap and the message says so. Rows live in
the unit's mirror (bureau-owned, `score_adjustment`), so the next 下发包 shows them to the unit."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from app.core.bureau import indicators as I
from app.core.errors import AppError, ValidationError
from app.db.engine import Database, now_text
from app.db.models import IndicatorItem, ScoreAdjustment
from app.services.county.mirrors import Mirrors, require_bureau
from app.services.evaluation.rounds import _admin, _open_round
from app.services.evaluation.rounds_find import template_of
from app.services.org.actor import Actor

MAX_TIMES = 100


@dataclass
class AdjustLine:
    """One 加减分 item of the unit's system, with the 编办's entry (times 0: none)."""
    item_id: str
    code: str
    name: str
    rule: dict
    guidance: str
    times: int = 0
    points: float = 0.0
    reason: str = ""

    @property
    def rule_text(self) -> str:
        return I.rule_text(self.rule, None)

    @property
    def bonus(self) -> bool:
        return self.rule["points"] > 0


def lines(db: Database, round_id: str, unit_id: str | None = None) -> list[AdjustLine]:
    """The 加减分 items of the unit's system for the round with their entries (unit file or
    the unit's mirror)."""
    unit_id = unit_id or db.unit_id
    try:
        template_id = template_of(db, round_id, unit_id)
    except AppError:
        return []
    with db.read() as s:
        items = s.scalars(select(IndicatorItem).where(
            IndicatorItem.template_id == template_id, IndicatorItem.method == I.ADJUST,
            IndicatorItem.deleted.is_(False)).order_by(IndicatorItem.sort_order, IndicatorItem.code)).all()
        found = {i.id: AdjustLine(i.id, i.code, i.name, json.loads(i.rule), i.guidance) for i in items
                 if i.rule and not I.rule_problem(json.loads(i.rule))}
        for row in s.scalars(select(ScoreAdjustment).where(
                ScoreAdjustment.round_id == round_id, ScoreAdjustment.unit_id == unit_id,
                ScoreAdjustment.deleted.is_(False))):
            if row.item_id in found:
                line = found[row.item_id]
                line.times, line.points, line.reason = row.times, row.points, row.reason
    return list(found.values())


def total(db: Database, round_id: str, unit_id: str | None = None) -> float:
    """The unit's 加减分 in the round (signed)."""
    return round(sum(line.points for line in lines(db, round_id, unit_id)), 2)


def set_adjustment(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str,
                   item_id: str, times: int, reason: str) -> tuple[float, str]:
    """Enter a 加减分 item for the unit (times 0 removes it). Returns (the signed points written,
    a message saying what was written — and, past the cap, that it was capped)."""
    require_bureau(db)
    _admin(actor, "录入加分扣分")
    problems = []
    if not isinstance(times, int) or isinstance(times, bool) or not 0 <= times <= MAX_TIMES:
        problems.append(f"次数应为0至{MAX_TIMES}的整数")
    if times and not reason.strip():
        problems.append("请写明加分或扣分的理由（如表彰文件、通报文号）")
    if problems:
        raise ValidationError("；".join(problems), problems)
    mirror = mirrors.get(unit_id)
    line = next((x for x in lines(mirror, round_id, unit_id) if x.item_id == item_id), None)
    if line is None:
        raise AppError("该项目不是该单位指标体系中的加减分项")
    points, capped = I.adjust_points(line.rule, times) if times else (0.0, None)
    with mirror.session(actor) as s:
        _open_round(s, round_id)
        row = s.scalar(select(ScoreAdjustment).where(ScoreAdjustment.round_id == round_id,
                                                     ScoreAdjustment.unit_id == unit_id,
                                                     ScoreAdjustment.item_id == item_id))
        if row is None and not times:
            return 0.0, f"{line.code} {line.name}：没有录入，无需删除"
        if row is None:
            row = ScoreAdjustment(round_id=round_id, unit_id=unit_id, item_id=item_id, created_at=now_text())
            s.add(row)
        row.times, row.points, row.reason, row.deleted = times, points, reason.strip(), not times
    if not times:
        return 0.0, f"已删除{line.code} {line.name}的加减分"
    word = "加" if points > 0 else "扣"
    text = f"{line.code} {line.name}：{times}次，{word}{abs(points):g}分"
    return points, text + (f"（{capped}）" if capped else "")

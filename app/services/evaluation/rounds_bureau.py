"""The 编办's side of an evaluation round after 定单: on-site scores and problems (评单), their
verification and the results across units (用单). See app/services/evaluation/rounds.py for the flow."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.core.bureau import evaluation as E
from app.core.errors import AppError, ValidationError
from app.db.engine import Database, now_text
from app.db.models import BureauScore, EvalRound, Problem, RoundSubmission
from app.services.org.actor import Actor
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.core.bureau import grades as G
from app.services.evaluation import adjustments
from app.services.evaluation.grading import grading_of
from app.services.evaluation.rounds import (AutoFill, _admin, _leaf, _open_round, assigned_units, auto_preview,
                                             detail, require_period_ended)


def _mirror(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, what: str) -> Database:
    require_bureau(db)
    _admin(actor, what)
    return mirrors.get(unit_id)


def set_bureau_score(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str,
                     item_id: str, score: float | None, comment: str = "") -> None:
    mirror = _mirror(db, mirrors, actor, unit_id, "评估打分")
    with mirror.session(actor) as s:
        _open_round(s, round_id)
        # 评单 follows 接单: the 编办 scores beside the self-assessment the unit submitted.
        if not s.scalar(select(RoundSubmission.submitted_at).where(RoundSubmission.round_id == round_id,
                                                                   RoundSubmission.deleted.is_(False))):
            raise AppError("该单位尚未提交自评（或已撤回），暂不能评分；请先导入单位的上报包")
        problem = E.score_problem(score, _leaf(s, item_id, round_id, unit_id).max_score)
        if problem:
            raise ValidationError(problem, [problem])
        row = s.scalar(select(BureauScore).where(BureauScore.round_id == round_id,
                                                 BureauScore.unit_id == unit_id,
                                                 BureauScore.item_id == item_id))
        if row is None:
            row = BureauScore(round_id=round_id, unit_id=unit_id, item_id=item_id)
            s.add(row)
        row.score, row.comment, row.deleted = score, comment, False


def add_problem(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str, *,
                category: str, description: str, rectify_type: str, deadline: dt.date | None = None,
                item_id: str | None = None) -> str:
    """评单: record a problem with its rectification type (立查立改/限时整改/长期坚持) and deadline."""
    mirror = _mirror(db, mirrors, actor, unit_id, "记录评估问题")
    problems = []
    if not category.strip():
        problems.append("请选择或填写问题类别")
    if not description.strip():
        problems.append("请填写问题描述")
    if rectify_type not in E.RECTIFY_TYPES:
        problems.append(f"整改类型应为{'、'.join(E.RECTIFY_TYPES)}之一")
    if rectify_type == "限时整改" and deadline is None:
        problems.append("限时整改的问题须写明整改期限")
    if problems:
        raise ValidationError("；".join(problems), problems)
    with mirror.session(actor) as s:
        if s.get(EvalRound, round_id) is None:
            raise AppError("该单位不在这个评估批次中")
        _open_round(s, round_id)
        if item_id is not None:
            _leaf(s, item_id, round_id, unit_id)
        row = Problem(round_id=round_id, unit_id=unit_id, item_id=item_id, category=category.strip(),
                      description=description.strip(), rectify_type=rectify_type,
                      deadline=deadline.isoformat() if deadline else None, status="open",
                      verify_comment="", created_at=now_text())
        s.add(row)
        s.flush()
        return row.id


def verify_problem(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, problem_id: str, *,
                   close: bool, comment: str = "") -> None:
    """用单: close a rectified problem after checking it (销号), or reopen it with a comment."""
    mirror = _mirror(db, mirrors, actor, unit_id, "核验整改")
    with mirror.session(actor) as s:
        row = s.get(Problem, problem_id)
        if row is None or row.deleted or row.unit_id != unit_id:
            raise AppError("找不到该问题")
        _open_round(s, row.round_id)
        if not close and not comment.strip():
            raise ValidationError("退回整改须写明理由", ["退回整改须写明理由"])
        row.status = "closed" if close else "open"
        row.verified_at = now_text() if close else None
        row.verify_comment = comment.strip()


def fill_auto_bureau_scores(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str,
                            today: dt.date | None = None) -> AutoFill:
    """评单: score the unit's automatic 评估要点 from its mirror — the same statistics the unit
    computes on its own file — with the explanation as the 编办's comment. Points without a
    value are left for the 编办 to score by hand."""
    mirror = _mirror(db, mirrors, actor, unit_id, "评估打分")
    with db.read() as s:
        require_period_ended(_open_round(s, round_id).period, today)
    # The template as the mirror holds it: the copy the unit was sent (定单), whatever the
    # 编办 edited in its own template since.
    scores = auto_preview(mirror, round_id, unit_id, today=today)
    result = AutoFill()
    for a in scores.values():
        if a.score is None:
            result.missing.append(a)
            continue
        set_bureau_score(db, mirrors, actor, round_id, unit_id, a.item_id, a.score,
                         "自动评分：" + a.explanation)
        result.filled.append(a)
    return result


def close_blockers(db: Database, mirrors: Mirrors, round_id: str, today: dt.date | None = None) -> list[str]:
    """What is still unfinished in the round, one line per unit: not submitted (定单), not fully
    scored by the 编办, problems not verified closed (and how many were sent back). Closing
    freezes the round, so these are asked about first."""
    names = {u.unit_id: u.name for u in registered_units(db)}
    found = []
    for unit_id, _ in assigned_units(db, mirrors, round_id):
        d = detail(mirrors.get(unit_id), round_id, unit_id, today)
        why = []
        if not d.submitted_at:
            why.append(f"仍在{d.stage}，未提交自评")
        elif not d.bureau_totals.complete:
            why.append(f"编办未评完（已评{d.bureau_totals.scored}/{d.bureau_totals.leaves}项）")
        unclosed = [p for p in d.problems if p.status != "closed"]
        if unclosed:
            reopened = sum(p.reopened for p in unclosed)
            why.append(f"问题{len(unclosed)}个未销号" + (f"（其中退回整改{reopened}个）" if reopened else ""))
        if why:
            found.append(f"{names.get(unit_id, unit_id)}：{'，'.join(why)}")
    return found


def close_round(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, *, force: bool = False,
                today: dt.date | None = None) -> None:
    """用单 ends: the round is frozen on both sides. With units unfinished or problems open it is
    refused unless `force` (the GUI asks, listing them; the CLI takes --force)."""
    require_bureau(db)
    _admin(actor, "结束评估批次")
    with db.read() as s:
        _open_round(s, round_id)
    blockers = [] if force else close_blockers(db, mirrors, round_id, today)
    if blockers:
        raise ValidationError(f"还有{len(blockers)}个单位未完成评估或整改，批次未结束；确需结束请加 --force",
                              blockers)
    for unit_id, _ in assigned_units(db, mirrors, round_id):
        with mirrors.get(unit_id).session(actor) as s:
            s.get(EvalRound, round_id).status = "closed"
    with db.session(actor) as s:
        s.get(EvalRound, round_id).status = "closed"


@dataclass
class UnitResult:
    unit_id: str
    name: str
    template_name: str
    stage: str
    self_total: float
    bureau_total: float | None        # None until the 编办 has scored every 评估要点
    scored: int
    leaves: int
    problems: int
    open_problems: int
    overdue: int
    rank: int | None = None
    adjust: float = 0.0               # 加分/扣分 (signed)
    final_total: float | None = None  # bureau_total + adjust, None until fully scored
    full: float = 0.0                 # the template's full score (100 + 20)
    percent: float | None = None      # 百分制: final ÷ full × 100
    grade: str | None = None          # 等次 by the round's cut-offs
    capped: bool = False              # given the next grade by the cap on the top grade's share


def results(db: Database, mirrors: Mirrors, round_id: str, today: dt.date | None = None) -> list[UnitResult]:
    """Every unit of the round, ranked by its final score — the 编办's total plus its 加分/扣分
    (units not fully scored unranked) — with its 等次 by the round's cut-offs (app.core.bureau.grades)."""
    require_bureau(db)
    names = {u.unit_id: u.name for u in registered_units(db)}
    found = []
    for unit_id, _ in assigned_units(db, mirrors, round_id):
        mirror = mirrors.get(unit_id)
        d = detail(mirror, round_id, unit_id, today)
        r = UnitResult(unit_id, names.get(unit_id, ""), d.template_name, d.stage,
                       round(d.self_totals.total, 2),
                       round(d.bureau_totals.total, 2) if d.bureau_totals.complete else None,
                       d.bureau_totals.scored, d.bureau_totals.leaves, len(d.problems),
                       sum(p.status != "closed" for p in d.problems),
                       sum(p.overdue for p in d.problems))
        r.adjust = adjustments.total(mirror, round_id, unit_id)
        r.full = round(sum(i.max_score for i in d.leaves), 2)
        if r.bureau_total is not None:
            r.final_total = round(r.bureau_total + r.adjust, 2)
            r.percent = G.percent(r.final_total, r.full)
        found.append(r)
    ranked = sorted((r for r in found if r.final_total is not None), key=lambda r: (-r.final_total, r.name))
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    for r, (grade, capped) in zip(ranked, G.grade_all([r.percent for r in ranked], grading_of(db, round_id))):
        r.grade, r.capped = grade, capped
    return ranked + sorted((r for r in found if r.final_total is None), key=lambda r: r.name)

"""Evaluation rounds, the 五单工作法 (DOMAIN.md "Evaluation", seed 004), across packages.

    编办定单  create_round + assign: the round, the template and its items are copied into each
              picked unit's mirror, so the unit's next 下发包 carries them
    部门接单  set_self_score / fill_auto_self_scores / submit_self (unit rows: they travel back
              in the 上报包)
    编办评单  set_bureau_score / fill_auto_bureau_scores / add_problem (into the unit's mirror)
    部门改单  report_rectification (owner, measures, progress, evidence; unit rows)
    编办用单  verify_problem (close or reopen), results across units: scores, ranking, open and
              overdue problems

Every row has one owner (app/sync/merge.py BUREAU_TABLES), so the two sides never write the same
row. `detail(db, round_id)` reads a round from either side's database (unit file or mirror): after
sync both hold the same rows.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import evaluation as E
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.engine import Database, now_text
from app.db.models import (BureauScore, EvalRound, IndicatorItem, IndicatorTemplate, Problem,
                           Rectification, RoundSubmission, RoundUnit, SelfScore)
from app.services.actor import Actor
from app.services.bureau import Mirrors, registered_units, require_bureau

COPIED_COLUMNS = {
    IndicatorTemplate: ("name", "unit_class", "note", "sort_order"),
    IndicatorItem: ("template_id", "parent_id", "level", "code", "name", "max_score", "method",
                    "metric", "rule", "guidance", "individual", "sort_order"),
    EvalRound: ("name", "year", "period", "self_deadline", "status", "created_at"),
}


def _admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"{what}需要管理员权限")


def _unit_side(db: Database, actor: Actor) -> None:
    if db.edition != "unit":
        raise AppError("此操作由单位在单位版中完成")
    _admin(actor, "填报评估")


# ---------------------------------------------------------------- 编办: 定单
def create_round(db: Database, actor: Actor, name: str, year: int, period: str,
                 self_deadline: dt.date | None = None) -> str:
    require_bureau(db)
    _admin(actor, "建立评估批次")
    from app.core.metrics import parse_period
    problems = [] if name.strip() else ["请填写评估批次名称"]
    try:
        parse_period(period)
    except ValueError as exc:
        problems.append(f"统计期间有误：{exc}")
    if problems:
        raise ValidationError("；".join(problems), problems)
    with db.session(actor) as s:
        row = EvalRound(name=name.strip(), year=year, period=period,
                        self_deadline=self_deadline.isoformat() if self_deadline else None,
                        status="open", created_at=now_text())
        s.add(row)
        s.flush()
        return row.id


def _copy(source_session, target_session, model, row_id: str) -> None:
    """Put the 编办's row `row_id` of `model` into the mirror with the same id and values."""
    row = source_session.get(model, row_id)
    values = {c: getattr(row, c) for c in COPIED_COLUMNS[model]}
    existing = target_session.get(model, row_id)
    if existing is None:
        target_session.add(model(id=row_id, **values))
    else:
        for key, value in values.items():
            setattr(existing, key, value)


def assign(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str,
           template_id: str) -> None:
    """定单: evaluate `unit_id` in the round by `template_id` (goes out in the next 下发包)."""
    require_bureau(db)
    _admin(actor, "下达评估任务")
    if unit_id not in {u.unit_id for u in registered_units(db)}:
        raise AppError("该单位未登记")
    mirror = mirrors.get(unit_id)
    with db.read() as src:
        if src.get(EvalRound, round_id) is None or src.get(IndicatorTemplate, template_id) is None:
            raise AppError("找不到该评估批次或指标体系")
        items = src.scalars(select(IndicatorItem.id).where(IndicatorItem.template_id == template_id,
                                                           IndicatorItem.deleted.is_(False))).all()
        with mirror.session(actor) as dst:
            _copy(src, dst, EvalRound, round_id)
            _copy(src, dst, IndicatorTemplate, template_id)
            dst.flush()
            for item_id in items:
                _copy(src, dst, IndicatorItem, item_id)
            dst.flush()
            link = dst.scalar(select(RoundUnit).where(RoundUnit.round_id == round_id,
                                                      RoundUnit.unit_id == unit_id))
            if link is None:
                dst.add(RoundUnit(round_id=round_id, unit_id=unit_id, template_id=template_id,
                                  issued_at=now_text()))
            elif link.template_id != template_id:
                link.template_id = template_id


def assigned_units(db: Database, mirrors: Mirrors, round_id: str) -> list[tuple[str, str]]:
    """(unit id, template id) of every unit in the round."""
    found = []
    for unit in registered_units(db):
        if not mirrors.path(unit.unit_id).exists():
            continue
        with mirrors.get(unit.unit_id).read() as s:
            link = s.scalar(select(RoundUnit).where(RoundUnit.round_id == round_id,
                                                    RoundUnit.deleted.is_(False)))
            if link is not None:
                found.append((unit.unit_id, link.template_id))
    return found


# ---------------------------------------------------------------- reading a round
@dataclass
class ItemLine:
    id: str
    parent_id: str | None
    level: int
    code: str
    name: str
    max_score: float
    method: str
    metric: str | None
    guidance: str
    individual: bool
    self_score: float | None = None
    explanation: str = ""
    evidence: list = field(default_factory=list)
    bureau_score: float | None = None
    bureau_comment: str = ""


@dataclass
class ProblemLine:
    id: str
    category: str
    description: str
    rectify_type: str
    deadline: str | None
    status: str
    verify_comment: str
    item_id: str | None
    owner: str = ""
    measures: str = ""
    progress: str = ""
    done: bool = False
    overdue: bool = False


@dataclass
class RoundDetail:
    round_id: str
    name: str
    period: str
    self_deadline: str | None
    closed: bool
    unit_id: str
    template_name: str
    items: list[ItemLine]
    problems: list[ProblemLine]
    submitted_at: str | None
    self_totals: E.Totals
    bureau_totals: E.Totals
    stage: str

    @property
    def leaves(self) -> list[ItemLine]:
        return [i for i in self.items if i.level == 3]


def detail(db: Database, round_id: str, unit_id: str | None = None,
           today: dt.date | None = None) -> RoundDetail:
    """A round as one unit sees it (unit database, or the unit's mirror at the 编办)."""
    today = today or dt.date.today()
    unit_id = unit_id or db.unit_id
    with db.read() as s:
        rnd = s.get(EvalRound, round_id)
        link = s.scalar(select(RoundUnit).where(RoundUnit.round_id == round_id,
                                                RoundUnit.unit_id == unit_id, RoundUnit.deleted.is_(False)))
        if rnd is None or link is None:
            raise AppError("本单位不在该评估批次中（或尚未收到编办的下发包）")
        template = s.get(IndicatorTemplate, link.template_id)
        items = [ItemLine(i.id, i.parent_id, i.level, i.code, i.name, i.max_score, i.method, i.metric,
                          i.guidance, i.individual)
                 for i in s.scalars(select(IndicatorItem).where(
                     IndicatorItem.template_id == template.id, IndicatorItem.deleted.is_(False))
                     .order_by(IndicatorItem.sort_order, IndicatorItem.code))]
        by_id = {i.id: i for i in items}
        for row in s.scalars(select(SelfScore).where(SelfScore.round_id == round_id,
                                                     SelfScore.deleted.is_(False))):
            if row.item_id in by_id:
                line = by_id[row.item_id]
                line.self_score, line.explanation = row.score, row.explanation
                line.evidence = json.loads(row.evidence or "[]")
        for row in s.scalars(select(BureauScore).where(BureauScore.round_id == round_id,
                                                       BureauScore.unit_id == unit_id,
                                                       BureauScore.deleted.is_(False))):
            if row.item_id in by_id:
                by_id[row.item_id].bureau_score, by_id[row.item_id].bureau_comment = row.score, row.comment
        problems = []
        for p in s.scalars(select(Problem).where(Problem.round_id == round_id, Problem.unit_id == unit_id,
                                                 Problem.deleted.is_(False)).order_by(Problem.created_at)):
            line = ProblemLine(p.id, p.category, p.description, p.rectify_type, p.deadline, p.status,
                               p.verify_comment, p.item_id)
            fix = s.scalar(select(Rectification).where(Rectification.problem_id == p.id,
                                                       Rectification.deleted.is_(False)))
            if fix is not None:
                line.owner, line.measures, line.progress, line.done = fix.owner, fix.measures, fix.progress, fix.done
            line.overdue = E.overdue(p.deadline, p.status == "closed", today)
            problems.append(line)
        submission = s.scalar(select(RoundSubmission).where(RoundSubmission.round_id == round_id,
                                                            RoundSubmission.deleted.is_(False)))
    leaves = {i.id: i.individual for i in items if i.level == 3}
    self_totals = E.totals({i.id: i.self_score for i in items}, leaves)
    bureau_totals = E.totals({i.id: i.bureau_score for i in items}, leaves)
    submitted_at = submission.submitted_at if submission else None
    open_count = sum(1 for p in problems if p.status != "closed")
    return RoundDetail(round_id, rnd.name, rnd.period, rnd.self_deadline, rnd.status == "closed", unit_id,
                       template.name, items, problems, submitted_at, self_totals, bureau_totals,
                       E.stage(bool(submitted_at), bureau_totals.scored > 0, open_count, len(problems),
                               rnd.status == "closed"))


def rounds_here(db: Database) -> list[tuple[str, str, str]]:
    """(round id, name, period) of the rounds in this database, newest first."""
    with db.read() as s:
        return [(r.id, r.name, r.period) for r in s.scalars(
            select(EvalRound).where(EvalRound.deleted.is_(False)).order_by(EvalRound.created_at.desc()))]


def _leaf(s, item_id: str) -> IndicatorItem:
    item = s.get(IndicatorItem, item_id)
    if item is None or item.level != 3:
        raise AppError("只能对评估要点（第三级指标）打分")
    return item


# ---------------------------------------------------------------- unit: 接单 and 改单
def set_self_score(db: Database, actor: Actor, round_id: str, item_id: str, score: float | None,
                   explanation: str = "", evidence: list | None = None) -> None:
    _unit_side(db, actor)
    with db.session(actor) as s:
        if s.scalar(select(RoundSubmission.submitted_at).where(RoundSubmission.round_id == round_id)):
            raise AppError("自评已提交，不能再修改（如需修改请先撤回提交）")
        problem = E.score_problem(score, _leaf(s, item_id).max_score)
        if problem:
            raise ValidationError(problem, [problem])
        row = s.scalar(select(SelfScore).where(SelfScore.round_id == round_id, SelfScore.item_id == item_id))
        if row is None:
            row = SelfScore(round_id=round_id, item_id=item_id)
            s.add(row)
        row.score, row.explanation = score, explanation
        row.evidence = json.dumps(evidence or [], ensure_ascii=False)
        row.deleted = False


def submit_self(db: Database, actor: Actor, round_id: str, note: str = "", *,
                recall: bool = False) -> None:
    """接单: submit the self-assessment (every 评估要点 scored), or recall it to edit again
    (only before the 编办 has scored)."""
    _unit_side(db, actor)
    current = detail(db, round_id)
    if recall:
        if current.bureau_totals.scored:
            raise AppError("编办已开始评分，不能撤回自评")
    else:
        missing = [i.code for i in current.leaves if i.self_score is None]
        if missing:
            raise ValidationError(f"还有{len(missing)}个评估要点未自评：{'、'.join(missing[:10])}", missing)
    with db.session(actor) as s:
        row = s.scalar(select(RoundSubmission).where(RoundSubmission.round_id == round_id))
        if row is None:
            row = RoundSubmission(round_id=round_id)
            s.add(row)
        row.submitted_at = None if recall else now_text()
        row.note = note


def report_rectification(db: Database, actor: Actor, problem_id: str, *, owner: str, measures: str,
                         progress: str = "", evidence: list | None = None, done: bool = False) -> None:
    """改单: the unit's owner, measures and progress on a problem the 编办 found."""
    _unit_side(db, actor)
    problems = []
    if not owner.strip():
        problems.append("请填写整改责任人或责任科室")
    if not measures.strip():
        problems.append("请填写整改措施")
    if problems:
        raise ValidationError("；".join(problems), problems)
    with db.session(actor) as s:
        problem = s.get(Problem, problem_id)
        if problem is None:
            raise AppError("找不到该问题")
        if problem.status == "closed":
            raise AppError("该问题已由编办核验销号，无需再报")
        row = s.scalar(select(Rectification).where(Rectification.problem_id == problem_id))
        if row is None:
            row = Rectification(problem_id=problem_id)
            s.add(row)
        row.owner, row.measures, row.progress, row.done = owner.strip(), measures.strip(), progress, done
        row.evidence = json.dumps(evidence or [], ensure_ascii=False)
        row.reported_at = now_text()

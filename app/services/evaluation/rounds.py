"""Evaluation rounds, the 五单工作法 (docs/ARCHITECTURE.md "Evaluation", seed 004), across packages.

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

from app.core import vocab
from app.core.bureau import evaluation as E
from app.core.bureau.evaluation import ItemLine, ProblemLine, RoundDetail
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.hlc import parse_hlc
from app.db.engine import Database, now_text
from app.db.models import (BureauScore, EvalRound, IndicatorItem, IndicatorTemplate, Problem,
                           Rectification, RoundSubmission, RoundUnit, SelfScore)
from app.services.org.actor import Actor
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.core.metrics import parse_period
from app.services.org.headcount import staffing_of
from app.services.evaluation.indicators import auto_scores, default_template_for, missing_default_for, templates
from app.services.logs.attachments import store_file

COPIED_COLUMNS = {
    IndicatorTemplate: ("name", "unit_class", "note", "sort_order"),
    IndicatorItem: ("template_id", "parent_id", "level", "code", "name", "max_score", "method",
                    "metric", "rule", "guidance", "individual", "sort_order"),
    EvalRound: ("name", "year", "period", "self_deadline", "status", "created_at"),
}


def may_view(db: Database, actor: Actor) -> bool:
    """Who sees evaluation rounds and indicator systems (the GUI's 评估自评 / 评估批次 pages, and
    the CLI's round and indicators commands): in a unit its admin, who fills the self-evaluation,
    and the 主要领导; at the 编办 its admins."""
    if db.edition == "bureau":
        return actor.is_admin
    return actor.is_admin or actor.role == vocab.ROLE_PRINCIPAL


def require_viewer(db: Database, actor: Actor) -> None:
    if not may_view(db, actor):
        raise PermissionDenied("评估批次和指标体系只有编办管理员可以查看" if db.edition == "bureau"
                               else "评估自评只有单位管理员和主要领导可以查看")


def _admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"{what}需要管理员权限")


def _unit_side(db: Database, actor: Actor) -> None:
    if db.edition != "unit":
        raise AppError("此操作由单位在单位版中完成")
    _admin(actor, "填报评估")


def _open_round(s, round_id: str) -> EvalRound:
    """The round for a write: it must exist and not be closed (a closed round's scores and
    problems are the record the 编办 reported on)."""
    rnd = s.get(EvalRound, round_id)
    if rnd is None or rnd.deleted:
        raise AppError("找不到该评估批次")
    if rnd.status == "closed":
        raise AppError(f"评估批次“{rnd.name}”已结束，不能再修改")
    return rnd


# ---------------------------------------------------------------- 编办: 定单
def create_round(db: Database, actor: Actor, name: str, year: int, period: str,
                 self_deadline: dt.date | None = None) -> str:
    require_bureau(db)
    _admin(actor, "建立评估批次")
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


def template_for_unit(db: Database, mirrors: Mirrors, unit_id: str) -> str:
    """The template a unit is evaluated by when the 编办 picks none: the default one for the
    unit class its mirror records (app.services.evaluation.indicators.default_template_for)."""
    unit = staffing_of(mirrors.get(unit_id))[1]
    unit_class = unit.unit_class if unit else ""
    found = default_template_for(db, unit_class)
    if found is not None:
        return found.id
    kind = f"单位类别“{unit_class}”" if unit_class else "单位未设类别，"
    existing, missing = templates(db), missing_default_for(db, unit_class)
    if not existing or missing:    # a 编办 that installed the defaults before this class had one
        raise AppError(f"{kind}没有对应的指标体系：" + (f"默认指标体系“{missing}”尚未安装" if existing else
                       "编办还没有任何指标体系") + "，请先安装默认指标体系（已有的指标体系不会改动）")
    # The defaults are installed, but none is made for this class (其他, or a class the 编办
    # removed): installing again would not help, so say what would.
    raise AppError(f"{kind}没有对应的指标体系（现有：{'、'.join(dict.fromkeys(t.unit_class for t in existing))}）："
                   f"请为该单位指定一套指标体系，或复制一套改为该类别")


def _assign_problem(db: Database, mirrors: Mirrors, round_id: str, unit_id: str,
                    template_id: str | None) -> tuple[str | None, str | None]:
    """(template id, None) when `unit_id` can be put in the round, else (None, why)."""
    if unit_id not in {u.unit_id for u in registered_units(db)}:
        return None, "该单位未登记"
    try:
        template_id = template_id or template_for_unit(db, mirrors, unit_id)
    except AppError as exc:
        return None, str(exc)
    with db.read() as src:
        rnd = src.get(EvalRound, round_id)
        if rnd is None or src.get(IndicatorTemplate, template_id) is None:
            return None, "找不到该评估批次或指标体系"
        if rnd.status == "closed":
            return None, f"评估批次“{rnd.name}”已结束，不能再下达"
    with mirrors.get(unit_id).read() as dst:
        link = _link(dst, round_id, unit_id)
        if link is not None and link.template_id != template_id and (
                dst.scalar(select(SelfScore.id).where(SelfScore.round_id == round_id).limit(1))
                or dst.scalar(select(BureauScore.id).where(BureauScore.round_id == round_id).limit(1))):
            return None, "该单位已开始评分，不能再更换指标体系"
    return template_id, None


def assign(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_id: str,
           template_id: str | None = None) -> str:
    """定单: evaluate `unit_id` in the round by `template_id` (default: the template for the
    unit's class); it goes out in the unit's next 下发包. Returns the template id."""
    return assign_units(db, mirrors, actor, round_id, [unit_id], template_id)[unit_id]


def assign_units(db: Database, mirrors: Mirrors, actor: Actor, round_id: str, unit_ids: list[str],
                 template_id: str | None = None) -> dict[str, str]:
    """定单 for several units, all or none: every unit is checked first (registered, a template
    for its class, not already scored by another template), and one message names every unit
    that cannot be assigned. Returns {unit id: template id}."""
    require_bureau(db)
    _admin(actor, "下达评估任务")
    names = {u.unit_id: u.name for u in registered_units(db)}
    chosen, problems = {}, []
    for unit_id in dict.fromkeys(unit_ids):
        used, why = _assign_problem(db, mirrors, round_id, unit_id, template_id)
        if why:
            problems.append(f"{names.get(unit_id, unit_id)}：{why}")
        else:
            chosen[unit_id] = used
    if problems:
        head = (problems[0] if len(chosen) + len(problems) == 1
                else f"{len(problems)}个单位不能下达，所选单位都未下达：\n" + "\n".join(problems))
        raise ValidationError(head, problems)
    for unit_id, used in chosen.items():
        _write_assignment(db, mirrors.get(unit_id), actor, round_id, unit_id, used)
    return chosen


def _write_assignment(db: Database, mirror: Database, actor: Actor, round_id: str, unit_id: str,
                      template_id: str) -> None:
    """Copy the round, the template and its items into the unit's mirror and link them."""
    with db.read() as src:
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
            else:
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
def _link(s, round_id: str, unit_id: str) -> RoundUnit | None:
    """The unit's live place in the round (which template it is evaluated by)."""
    return s.scalar(select(RoundUnit).where(RoundUnit.round_id == round_id,
                                            RoundUnit.unit_id == unit_id, RoundUnit.deleted.is_(False)))


def _round_and_link(s, round_id: str, unit_id: str) -> tuple[EvalRound, RoundUnit]:
    rnd, link = s.get(EvalRound, round_id), _link(s, round_id, unit_id)
    if rnd is None or link is None:
        raise AppError("本单位不在该评估批次中（或尚未收到编办的下发包）")
    return rnd, link


def detail(db: Database, round_id: str, unit_id: str | None = None,
           today: dt.date | None = None) -> RoundDetail:
    """A round as one unit sees it (unit database, or the unit's mirror at the 编办)."""
    today = today or dt.date.today()
    unit_id = unit_id or db.unit_id
    with db.read() as s:
        rnd, link = _round_and_link(s, round_id, unit_id)
        template = s.get(IndicatorTemplate, link.template_id)
        items = [ItemLine(i.id, i.parent_id, i.level, i.code, i.name, i.max_score, i.method, i.metric,
                          i.guidance, i.individual)
                 for i in s.scalars(select(IndicatorItem).where(
                     IndicatorItem.template_id == template.id, IndicatorItem.deleted.is_(False))
                     .order_by(IndicatorItem.sort_order, IndicatorItem.code))]
        items = _tree_order(items)
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
                line.evidence = json.loads(fix.evidence or "[]")
            # Reopened: open with the 编办's comment, written after the unit's last report (the
            # hybrid logical clocks of both sides order their writes).
            line.reopened = (p.status != "closed" and bool(p.verify_comment)
                             and (fix is None or fix.hlc < p.hlc))
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
                       E.stage(bool(submitted_at), bureau_totals.scored > 0 or bool(problems), open_count, len(problems),
                               rnd.status == "closed"), _closed_on(rnd))


def _tree_order(items: list[ItemLine]) -> list[ItemLine]:
    """Parents before their children, siblings in their order (sort_order counts per parent)."""
    children: dict[str | None, list[ItemLine]] = {}
    ids = {i.id for i in items}
    for i in items:
        children.setdefault(i.parent_id if i.parent_id in ids else None, []).append(i)
    out: list[ItemLine] = []

    def walk(parent: str | None) -> None:
        for i in children.get(parent, []):
            out.append(i)
            walk(i.id)
    walk(None)
    return out


def _closed_on(rnd: EvalRound) -> str | None:
    """The day a closed round was closed: a closed round takes no more writes, so its row's
    last write (the hybrid clock's wall time, which travels with the row to the units) is
    the closing."""
    if rnd.status != "closed":
        return None
    millis, _ = parse_hlc(rnd.hlc)
    return dt.datetime.fromtimestamp(millis / 1000).date().isoformat()


@dataclass(frozen=True)
class RoundState:
    id: str
    name: str
    period: str
    closed_on: str | None        # None while the round is open

    @property
    def label(self) -> str:
        """The round as a picker shows it, its state included."""
        return f"{self.name}（统计期间{self.period}）" + (f"［已于{self.closed_on}结束］" if self.closed_on else "")


def round_states(db: Database) -> list[RoundState]:
    """The rounds in this database with their state, newest first."""
    with db.read() as s:
        return [RoundState(r.id, r.name, r.period, _closed_on(r)) for r in s.scalars(
            select(EvalRound).where(EvalRound.deleted.is_(False)).order_by(EvalRound.created_at.desc()))]


def rounds_here(db: Database) -> list[tuple[str, str, str]]:
    """(round id, name, period) of the rounds in this database, newest first."""
    with db.read() as s:
        return [(r.id, r.name, r.period) for r in s.scalars(
            select(EvalRound).where(EvalRound.deleted.is_(False)).order_by(EvalRound.created_at.desc()))]


def _leaf(s, item_id: str, round_id: str | None = None, unit_id: str | None = None) -> IndicatorItem:
    """The 评估要点 `item_id`; with a round, it must be in the template the unit is evaluated by."""
    item = s.get(IndicatorItem, item_id)
    if item is None or item.level != 3 or item.deleted:
        raise AppError("只能对评估要点（第三级指标）打分")
    if round_id is not None:
        link = _link(s, round_id, unit_id)
        if link is None:
            raise AppError("该单位不在这个评估批次中")
        if link.template_id != item.template_id:
            raise AppError(f"评估要点{item.code}不属于该单位的指标体系")
    return item


# ---------------------------------------------------------------- automatic points
@dataclass
class AutoFill:
    """What an automatic fill wrote: the scored points, and those left for people (no value)."""
    filled: list = field(default_factory=list)       # app.services.evaluation.indicators.AutoScore
    missing: list = field(default_factory=list)

    def summary(self) -> str:
        got = round(sum(a.score for a in self.filled), 2)
        text = f"已按统计数据填写{len(self.filled)}个自动评分要点，共{got:g}分"
        if self.missing:
            text += f"；{len(self.missing)}个没有数值，需人工评分：" + "、".join(
                f"{a.code} {a.name}" for a in self.missing)
        return text


def require_period_ended(period_text: str, today: dt.date | None) -> None:
    """Automatic scores read a whole period: scored before it ends, the days still to come count
    as days without work (a Q4 round scored on 12-04 lost points on saturation and submission)."""
    period, today = parse_period(period_text), today or dt.date.today()
    if period.end >= today:
        raise AppError(f"评估期间{period.label}尚未结束（截至{period.end.isoformat()}），自动评分会把"
                       f"尚未到来的日子算作未履职；请在{(period.end + dt.timedelta(days=1)).isoformat()}"
                       f"以后再自动评分，或逐项手工评分")


def auto_preview(db: Database, round_id: str, unit_id: str | None = None, *,
                 source: Database | None = None, today: dt.date | None = None) -> dict:
    """{item id: AutoScore} of the automatic points of the unit's template for the round's
    period: the template as `db` holds it (the unit's file, or the unit's mirror), the metrics
    of `source` (default `db`)."""
    unit_id = unit_id or db.unit_id
    with db.read() as s:
        rnd, link = _round_and_link(s, round_id, unit_id)
        period, template_id = rnd.period, link.template_id
    return auto_scores(db, template_id, parse_period(period), source=source, today=today)


def file_evidence(db: Database, paths) -> list[dict]:
    """Evidence files copied into the database's attachment store, as the evidence JSON names
    them (app.sync.changes.evidence_files sends them with the row)."""
    refs = [store_file(db, path) for path in paths]
    return [{"kind": "file", "sha256": r.sha256, "name": r.filename, "size": r.size} for r in refs]


def stats_link(a, period: str) -> dict:
    """Evidence of an automatic point: a link to the statistics it was read from."""
    return {"kind": "stats", "metric": a.metric, "period": period, "value": a.value}


def fill_auto_self_scores(db: Database, actor: Actor, round_id: str,
                          today: dt.date | None = None) -> AutoFill:
    """接单: self-score every automatic 评估要点 from the unit's own statistics for the round's
    period, the explanation naming the value and the rule. Manual points are left as they are;
    an automatic point without a value (e.g. no logs) is left for a person to score."""
    _unit_side(db, actor)
    with db.read() as s:
        period = _open_round(s, round_id).period
    require_period_ended(period, today)
    scores = auto_preview(db, round_id, today=today)
    result = AutoFill()
    for a in scores.values():
        if a.score is None:
            result.missing.append(a)
            continue
        set_self_score(db, actor, round_id, a.item_id, a.score, "自动评分：" + a.explanation,
                       [stats_link(a, period)])
        result.filled.append(a)
    return result


# ---------------------------------------------------------------- unit: 接单 and 改单
def set_self_score(db: Database, actor: Actor, round_id: str, item_id: str, score: float | None,
                   explanation: str = "", evidence: list | None = None) -> None:
    _unit_side(db, actor)
    with db.session(actor) as s:
        _open_round(s, round_id)
        if s.scalar(select(RoundSubmission.submitted_at).where(RoundSubmission.round_id == round_id)):
            raise AppError("自评已提交，不能再修改（如需修改请先撤回提交）")
        problem = E.score_problem(score, _leaf(s, item_id, round_id, db.unit_id).max_score)
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
        _open_round(s, round_id)
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
        _open_round(s, problem.round_id)
        row = s.scalar(select(Rectification).where(Rectification.problem_id == problem_id))
        if row is None:
            row = Rectification(problem_id=problem_id)
            s.add(row)
        row.owner, row.measures, row.progress, row.done = owner.strip(), measures.strip(), progress, done
        row.evidence = json.dumps(evidence or [], ensure_ascii=False)
        row.reported_at = now_text()

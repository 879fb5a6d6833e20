"""Decisions the 编办 takes on a unit (编办用单, seeds 002/004: 评估与审批联动 — 为…优先安排用编进人
计划; 编制资源使用率不高 → 核减): kind, number of posts, date, 文号, note, and the evidence it rested
on, chosen from the unit's round results, staffing-need verdict and period figures and stored as
text copied at decision time, so the record stays true when the figures change later.

Rows are bureau-owned (`unit_decision`, app.sync.merge.BUREAU_TABLES) in the unit's mirror: the
unit's next 下发包 carries them, and the unit shows them as its 决定记录 (read-only there)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.metrics import Period, percent
from app.core.periods import quarter_period
from app.db.engine import Database, now_text
from app.db.models import UnitDecision
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org.actor import Actor

KINDS = ("编制核增", "编制核减", "编制冻结", "用编计划优先", "其他")
POSTS_REQUIRED = ("编制核增", "编制核减")        # a number of 编制 is the decision itself
POSTS_ALLOWED = POSTS_REQUIRED + ("用编计划优先",)  # 用编进人计划 名额
MAX_POSTS = 1000
ROUND, NEED, FIGURES = "评估结果", "编制需求", "期间数据"


@dataclass(frozen=True)
class Evidence:
    key: str          # round:<id> | need:<period> | figures:<period>
    kind: str         # 评估结果 / 编制需求 / 期间数据
    label: str
    text: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "label": self.label, "text": self.text}


@dataclass
class DecisionLine:
    id: str
    unit_id: str
    kind: str
    posts: int | None
    decided_on: str
    doc_no: str
    note: str
    created_at: str
    evidence: list[dict] = field(default_factory=list)

    @property
    def posts_text(self) -> str:
        if self.posts is None:
            return "—"
        return f"{self.posts}名" + ("（用编进人计划）" if self.kind == "用编计划优先" else "")

    @property
    def evidence_text(self) -> str:
        return "；".join(f"{e.get('label', '')}：{e.get('text', '')}" for e in self.evidence)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "posts": self.posts, "decided_on": self.decided_on,
                "doc_no": self.doc_no, "note": self.note, "evidence": self.evidence,
                "created_at": self.created_at}


def last_quarter(today: dt.date) -> Period:
    """The last whole calendar quarter before `today` (the staffing verdict needs whole months)."""
    q = (today.month - 1) // 3          # quarters finished this year
    return quarter_period(today.year, q) if q else quarter_period(today.year - 1, 4)


# ---------------------------------------------------------------- evidence
def evidence_options(db: Database, mirrors: Mirrors, unit_id: str, period: Period | None = None,
                     today: dt.date | None = None) -> list[Evidence]:
    """What a decision on the unit may rest on, as text of the figures now: each round it was
    fully scored in (final score, 百分制, 等次, rank), and for `period` (default: the last whole
    quarter) the staffing-need verdict and the main figures."""
    # imported here: both read whole rounds / county figures, only when a decision is made
    from app.services.county.table import county_table
    from app.services.evaluation.rounds import round_states
    from app.services.evaluation.rounds_bureau import results

    require_bureau(db)
    today = today or dt.date.today()
    period = period or last_quarter(today)
    found = []
    for state in round_states(db):
        found_results = results(db, mirrors, state.id, today)
        ranked = sum(1 for x in found_results if x.rank)
        for r in found_results:
            if r.unit_id == unit_id and r.final_total is not None:
                adjust = f"，加减分{r.adjust:+g}" if r.adjust else ""
                found.append(Evidence(f"round:{state.id}", ROUND, f"{state.name}",
                                      f"编办评分{r.bureau_total:g}分{adjust}，最终得分{r.final_total:g}分"
                                      f"（满分{r.full:g}，折算百分制{r.percent:g}分），等次“{r.grade}”，"
                                      f"排名第{r.rank}/{ranked}" + ("（已结束）" if state.closed_on else "（进行中）")))
    row = next((x for x in county_table(db, mirrors, period, today) if x.unit_id == unit_id), None)
    if row is not None:
        need = row.need
        text = f"{need.verdict}" + (f"（{need.quota_text()}）" if need.verdict in ("增编依据", "减编依据") else "")
        text += f"；{need.size_text()}；工作饱和度{percent(need.saturation)}"
        if need.reasons:
            text += "；数据不足：" + "、".join(need.reasons)
        found.append(Evidence(f"need:{period.text}", NEED, f"{period.label}编制需求测算", text))
        f = row.figures
        if f is not None:
            found.append(Evidence(f"figures:{period.text}", FIGURES, f"{period.label}履职数据",
                                  f"工作饱和度{percent(f.saturation)}，主责主业聚焦度{percent(f.focus.get('core'))}，"
                                  f"履职全面度{percent(f.coverage)}，日志填报率{percent(f.submission_rate)}；"
                                  f"核定编制{row.staffing.quota_total}名，实有{row.staffing.actual_total}人"))
    return found


# ---------------------------------------------------------------- writing
def add_decision(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, *, kind: str,
                 posts: int | None, decided_on: dt.date, doc_no: str = "",
                 evidence: list[Evidence] = (), note: str = "") -> str:
    """Record a decision on the unit (its next 下发包 carries it). Every problem is named at once."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("记录编制决定需要编办管理员权限")
    if unit_id not in {u.unit_id for u in registered_units(db)}:
        raise AppError("该单位未登记")
    problems = []
    if kind not in KINDS:
        problems.append(f"决定类型应为{'、'.join(KINDS)}之一")
    if kind in POSTS_REQUIRED and posts is None:
        problems.append(f"{kind}须填写编制数（名）")
    if posts is not None:
        if kind not in POSTS_ALLOWED:
            problems.append(f"{kind}不填编制数" if kind in KINDS else "")
        elif not (isinstance(posts, int) and 1 <= posts <= MAX_POSTS):
            problems.append(f"编制数应为1至{MAX_POSTS}的整数")
    if decided_on > dt.date.today() + dt.timedelta(days=1):
        problems.append(f"决定日期{decided_on.isoformat()}晚于今天")
    if len(doc_no.strip()) > 100:
        problems.append("文号过长（最多100个字）")
    if kind == "其他" and not note.strip():
        problems.append("决定类型为“其他”时请在备注中写明决定内容")
    if not evidence and not note.strip():
        problems.append("请至少选择一项依据（评估结果、编制需求或期间数据），或在备注中写明依据")
    problems = [p for p in problems if p]
    if problems:
        raise ValidationError("；".join(problems), problems)
    with mirrors.get(unit_id).session(actor) as s:
        row = UnitDecision(unit_id=unit_id, kind=kind, posts=posts, decided_on=decided_on.isoformat(),
                           doc_no=doc_no.strip(), note=note.strip(), created_at=now_text(),
                           evidence=json.dumps([e.to_json() for e in evidence], ensure_ascii=False))
        s.add(row)
        s.flush()
        return row.id


# ---------------------------------------------------------------- reading
def _lines(db: Database, unit_id: str) -> list[DecisionLine]:
    with db.read() as s:
        rows = s.scalars(select(UnitDecision).where(UnitDecision.unit_id == unit_id,
                                                    UnitDecision.deleted.is_(False))
                         .order_by(UnitDecision.decided_on.desc(), UnitDecision.created_at.desc())).all()
        return [DecisionLine(r.id, r.unit_id, r.kind, r.posts, r.decided_on, r.doc_no, r.note, r.created_at,
                             json.loads(r.evidence or "[]")) for r in rows]


def decisions_of(db: Database, mirrors: Mirrors, unit_id: str) -> list[DecisionLine]:
    """编办: the decisions on a unit, newest first."""
    require_bureau(db)
    if not mirrors.path(unit_id).exists():
        return []
    return _lines(mirrors.get(unit_id), unit_id)


def may_see_here(actor: Actor) -> bool:
    """In a unit: its admin and the 主要领导 see the 编办's decisions on the unit."""
    return actor.is_admin or actor.role == vocab.ROLE_PRINCIPAL


def decisions_here(db: Database, actor: Actor) -> list[DecisionLine]:
    """In a unit: the 编办's decisions on it, as its 下发包 brought them, newest first."""
    if db.edition == "bureau":
        raise AppError("编办版请指定单位")
    if not may_see_here(actor):
        raise PermissionDenied("编办的决定记录只有单位管理员和主要领导可以查看")
    return _lines(db, db.unit_id)

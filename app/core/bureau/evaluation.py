"""Evaluation rounds (机构编制执行情况和使用效益评估, the 五单工作法 of seed 004): vocabulary, the
stage a unit is at, score totals, and a unit's round as read (RoundDetail), the plain value the
services hand to the pages and the printed reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# The problem categories 毕节 found in its pilot (seed 004), the default list of 评单.
PROBLEM_CATEGORIES = (
    "未经审批加挂牌子或挂牌名称不规范",
    "议事协调机构牵头部门履行职责需加强",
    "协调配合机制不健全",
    "内设机构和所属事业单位需要优化调整",
    "编制资源使用率不高",
    "借调人员时间较长或人员较多",
    "人员学历、年龄、专业结构需优化",
    "职责需要强化或与形势任务不相适应",
    "存在长期不运行的权责事项",
    "编制资源分配不合理",
    "超职数配备领导干部",
    "佐证资料不够规范",
)
# 能够马上整改的立即整改；一时不能解决的限期整改；结构性问题长期坚持 (seed 004).
RECTIFY_TYPES = ("立查立改", "限时整改", "长期坚持")

# Stages of one unit in a round, in order.
STAGE_ISSUED = "定单"        # the 编办 assigned the template; the unit has not submitted
STAGE_SUBMITTED = "接单"     # the unit submitted its self-assessment
STAGE_SCORED = "评单"        # the 编办 scored on site / recorded problems
STAGE_RECTIFYING = "改单"    # open problems being rectified
STAGE_DONE = "用单"          # every problem verified and closed (or none found)


def stage(submitted: bool, bureau_scored: bool, open_problems: int, problems: int,
          round_closed: bool = False) -> str:
    """Where a unit stands: 定单 until it submits, 接单 until the 编办 scores, then 评单; 改单
    while problems are open; 用单 once every problem is verified closed or the round is closed."""
    if not submitted:
        return STAGE_ISSUED
    if not bureau_scored:
        return STAGE_SUBMITTED
    if open_problems:
        return STAGE_RECTIFYING
    return STAGE_DONE if problems or round_closed else STAGE_SCORED


def overdue(deadline: str | None, closed: bool, today: dt.date) -> bool:
    """A problem is overdue when its deadline has passed and the 编办 has not closed it."""
    return bool(deadline) and not closed and dt.date.fromisoformat(deadline) < today


@dataclass(frozen=True)
class Totals:
    common: float            # sum over the 100 common points
    individual: float        # sum over the 20 individual points
    scored: int              # leaves with a score
    leaves: int              # leaves in the template

    @property
    def total(self) -> float:
        return self.common + self.individual

    @property
    def complete(self) -> bool:
        return self.scored == self.leaves


def totals(scores: dict[str, float | None], leaves: dict[str, bool]) -> Totals:
    """`leaves`: leaf item id → individual?; `scores`: item id → score (None = not scored)."""
    common = individual = 0.0
    scored = 0
    for item_id, is_individual in leaves.items():
        value = scores.get(item_id)
        if value is None:
            continue
        scored += 1
        if is_individual:
            individual += value
        else:
            common += value
    return Totals(round(common, 2), round(individual, 2), scored, len(leaves))


def score_problem(score: float | None, max_score: float) -> str | None:
    """Why a score cannot be accepted (None when it can)."""
    if score is None:
        return None
    if score < 0 or score > max_score + 1e-9:
        return f"得分应在0至{max_score:g}分之间"
    return None


def short_id(row_id: str) -> str:
    """What the CLI prints for an id: its last 8 characters are random, its first are time,
    so the end tells rows made in the same millisecond apart."""
    return row_id[-8:]


# ---------------------------------------------------------------- a unit's round, as read
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
    reopened: bool = False        # the 编办 sent it back after the unit's last report
    evidence: list = field(default_factory=list)

    @property
    def state(self) -> str:
        """已销号 / 退回整改 / 待核验 (the unit reports it done) / 整改中 / 待整改."""
        if self.status == "closed":
            return "已销号"
        if self.reopened:
            return "退回整改"
        if self.done:
            return "待核验"
        return "整改中" if self.measures else "待整改"


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
    self_totals: Totals
    bureau_totals: Totals
    stage: str
    closed_on: str | None = None      # the day the 编办 closed the round (YYYY-MM-DD)

    @property
    def leaves(self) -> list[ItemLine]:
        return [i for i in self.items if i.level == 3]

    def to_json(self, unit_name: str) -> dict:
        """The object `round show --json` prints."""
        codes = {i.id: i.code for i in self.items}
        totals = lambda t: {"common": t.common, "individual": t.individual, "total": round(t.total, 2),  # noqa: E731
                            "scored": t.scored, "leaves": t.leaves, "complete": t.complete}
        return {"round": self.round_id, "name": self.name, "period": self.period,
                "unit_id": self.unit_id, "unit": unit_name, "template": self.template_name,
                "stage": self.stage, "submitted_at": self.submitted_at, "closed": self.closed,
                "closed_on": self.closed_on,
                "self_totals": totals(self.self_totals), "bureau_totals": totals(self.bureau_totals),
                "items": [{"code": i.code, "name": i.name, "level": i.level, "max_score": i.max_score,
                           "method": i.method, "self_score": i.self_score, "explanation": i.explanation,
                           "evidence": i.evidence, "bureau_score": i.bureau_score,
                           "bureau_comment": i.bureau_comment} for i in self.items],
                "problems": [{"id": p.id, "short_id": short_id(p.id), "category": p.category,
                              "description": p.description, "type": p.rectify_type, "deadline": p.deadline,
                              "status": p.status, "state": p.state, "overdue": p.overdue, "owner": p.owner,
                              "measures": p.measures, "progress": p.progress, "done": p.done,
                              "evidence": p.evidence, "verify_comment": p.verify_comment,
                              "item": codes.get(p.item_id)} for p in self.problems]}

"""Evaluation rounds (机构编制执行情况和使用效益评估, the 五单工作法 of seed 004): vocabulary, the
stage a unit is at, and score totals. Pure functions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

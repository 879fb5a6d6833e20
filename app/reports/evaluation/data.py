"""The numbers of the evaluation reports (机构编制执行情况和使用效益评估, app.reports.evaluation.report):
one unit's round — its detail (app.services.evaluation.rounds.detail), staffing and statistics for the
round's period — and the sums the texts and tables name (一级/二级 scores, problems by
category and by type, overdue items).

A unit is read from its own database or, at the 编办, from its mirror: both hold the same rows
after sync, so the same function serves both.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.bureau import county as C
from app.core.bureau import evaluation as E
from app.core.figures import Figures
from app.core.bureau.evaluation import ItemLine, ProblemLine, RoundDetail


@dataclass(frozen=True)
class GroupLine:
    """A 一级 or 二级 indicator with the sums of the 评估要点 under it."""
    code: str
    name: str
    level: int
    max_score: float
    self_score: float | None        # None: no point under it self-scored
    bureau_score: float | None      # None: no point under it scored by the 编办
    individual: bool

    @property
    def score(self) -> float | None:
        """The score that counts: the 编办's when it has scored, else the self-score."""
        return self.bureau_score if self.bureau_score is not None else self.self_score

    @property
    def rate(self) -> float | None:
        return None if self.score is None or not self.max_score else self.score / self.max_score


@dataclass
class UnitEval:
    unit_id: str
    name: str
    unit_class: str
    detail: RoundDetail
    staffing: C.Staffing
    figures: Figures | None         # the unit's statistics for the round's period
    rank: int | None = None
    # 加分/扣分 entered by the 编办: (编号, 项目, 规则, 次数, signed points, 理由)
    adjustments: list[tuple[str, str, str, int, float, str]] = field(default_factory=list)
    grade: str | None = None        # 等次 (编办 only: grades rank units county-wide)
    percent: float | None = None    # 百分制: final ÷ full × 100
    grading_text: str = ""          # the round's cut-offs, e.g. 好≥90，较好≥80，一般≥60，较差<60

    @property
    def adjust_total(self) -> float:
        return round(sum(a[4] for a in self.adjustments), 2)

    @property
    def final(self) -> float | None:
        """The 编办's total plus its 加分/扣分 (None until every 评估要点 is scored)."""
        return None if self.total is None else round(self.total + self.adjust_total, 2)

    @property
    def scored(self) -> bool:
        """The 编办 has scored every 评估要点."""
        return self.detail.bureau_totals.complete and self.detail.bureau_totals.leaves > 0

    @property
    def total(self) -> float | None:
        return self.detail.bureau_totals.total if self.scored else None

    @property
    def open_problems(self) -> list[ProblemLine]:
        return [p for p in self.detail.problems if p.status != "closed"]

    @property
    def overdue(self) -> list[ProblemLine]:
        return [p for p in self.detail.problems if p.overdue]


# ---------------------------------------------------------------- scores by indicator
def _sum(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 2) if known else None


def groups(d: RoundDetail) -> list[GroupLine]:
    """一级 indicators each followed by its 二级 ones (tree order), with the sums below them."""
    children: dict[str | None, list[ItemLine]] = {}
    for item in d.items:
        children.setdefault(item.parent_id, []).append(item)

    def leaves(item: ItemLine) -> list[ItemLine]:
        kids = children.get(item.id, [])
        return [item] if not kids else [x for k in kids for x in leaves(k)]

    out = []
    for top in children.get(None, []):
        if top.method == "adjust":          # 加分/扣分 items: listed apart, outside the 100 + 20
            continue
        for node in [top, *children.get(top.id, [])]:
            under = leaves(node)
            out.append(GroupLine(node.code, node.name, node.level, node.max_score,
                                 _sum([x.self_score for x in under]), _sum([x.bureau_score for x in under]),
                                 top.individual or node.individual))
    return out


def lost_points(d: RoundDetail, limit: int = 8) -> list[tuple[ItemLine, float]]:
    """The 评估要点 that lost the most points in the 编办's scoring (self-score when the 编办 has
    not scored it), largest loss first."""
    lost = []
    for item in d.leaves:
        score = item.bureau_score if item.bureau_score is not None else item.self_score
        if score is not None and item.max_score - score > 0.005:
            lost.append((item, round(item.max_score - score, 2)))
    lost.sort(key=lambda x: (-x[1], x[0].code))
    return lost[:limit]


# ---------------------------------------------------------------- problems
def by_category(problems: Sequence[ProblemLine]) -> list[tuple[str, int]]:
    """(category, count) in seed 004's order, other categories after in order of appearance."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.category] = counts.get(p.category, 0) + 1
    order = [c for c in E.PROBLEM_CATEGORIES if c in counts] + \
            [c for c in counts if c not in E.PROBLEM_CATEGORIES]
    return [(c, counts[c]) for c in order]


def by_type(problems: Sequence[ProblemLine]) -> dict[str, int]:
    """{立查立改: n, 限时整改: n, 长期坚持: n} (every type, zero included)."""
    return {t: sum(1 for p in problems if p.rectify_type == t) for t in E.RECTIFY_TYPES}


def days_overdue(p: ProblemLine, today: dt.date) -> int:
    return (today - dt.date.fromisoformat(p.deadline)).days if p.overdue and p.deadline else 0


# ---------------------------------------------------------------- Excel rows
SCORE_HEADERS = ["单位", "编号", "评估要点", "满分", "评分方式", "自评得分", "自评说明", "佐证材料",
                 "编办评分", "编办意见"]
PROBLEM_HEADERS = ["单位", "问题编号", "问题类别", "问题描述", "关联评估要点", "整改类型", "整改期限",
                   "状态", "是否逾期", "责任人/科室", "整改措施", "整改进展", "核验意见"]


def evidence_text(evidence: list) -> str:
    names = []
    for e in evidence or ():
        if isinstance(e, dict):
            if e.get("kind") == "file":
                names.append(e.get("name") or "附件")
            elif e.get("kind") == "stats":
                names.append(f"统计数据（{e.get('period', '')}）")
    return "、".join(names)


def score_rows(u: UnitEval) -> list[list]:
    return [[u.name, i.code, i.name, i.max_score, "自动" if i.method == "auto" else "人工", i.self_score,
             i.explanation, evidence_text(i.evidence), i.bureau_score, i.bureau_comment]
            for i in u.detail.leaves]


def problem_rows(u: UnitEval) -> list[list]:
    codes = {i.id: i.code for i in u.detail.items}
    return [[u.name, p.id[-8:], p.category, p.description, codes.get(p.item_id, ""), p.rectify_type,
             p.deadline or "", p.state, "是" if p.overdue else "", p.owner, p.measures, p.progress,
             p.verify_comment] for p in u.detail.problems]

"""Indicator systems (评估指标体系) as data: the tree 一级指标 → 二级指标 → 评估要点, its validation,
and automatic scoring (rules and metrics live in app.core.bureau.indicator_rules, re-exported here).

A tree is 100 common points plus 20 individual points (个性指标, seed 004: 共性指标100分，个性指标
20分). Only 评估要点 (level 3) are scored; a level-1 or level-2 node's max score is the sum of its
children. A 评估要点 is scored `manual` (by the unit, then the 编办 on site) or `auto` from a
named metric with a rule. A manual point may still name a metric: its value is shown to the
people scoring it, as a reference, and gives no score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from app.core.bureau.indicator_rules import (ADJUST_KIND, METRICS, adjust_points, PERCENT, RULE_KINDS, Metric, MetricValue, format_value, metric_values, normalize_rule, parse_rule, rule_json, rule_problem, rule_text, score, thresholds)
from app.core.vocab import UNIT_CLASSES

__all__ = [  # the rules and metrics are part of this module's interface
    "METRICS", "RULE_KINDS", "Metric", "MetricValue", "format_value", "metric_values",
    "normalize_rule", "parse_rule", "rule_json", "rule_problem", "rule_text", "score",
    "AUTO", "MANUAL", "ADJUST", "METHOD_NAMES", "adjust_items", "adjust_points", "LEVEL_NAMES", "LEAF_LEVEL", "COMMON_TOTAL",
    "INDIVIDUAL_TOTAL", "TEMPLATE_CLASSES", "CLASS_TEMPLATE", "PUBLIC_SERVICE", "Node", "Problem",
    "link", "nest", "from_outline", "walk", "leaves", "totals", "validate", "problems_of",
]

AUTO, MANUAL, ADJUST = "auto", "manual", "adjust"
# 加减分: a 加分/扣分 item (一级指标 without children, outside the 100 + 20 points), entered by
# the 编办 per unit in a round (app.services.evaluation.adjustments).
METHOD_NAMES = {AUTO: "自动", MANUAL: "人工", ADJUST: "加减分"}
LEVEL_NAMES = {1: "一级指标", 2: "二级指标", 3: "评估要点"}
LEAF_LEVEL = 3
COMMON_TOTAL, INDIVIDUAL_TOTAL = 100.0, 20.0
SCORE_TOLERANCE = 0.005          # max scores have at most 2 decimals
PERCENT_THRESHOLD_LIMIT = 5      # a percent threshold above 5 (= 500 %) was written as 85, not 85%
# The shipped systems (seed 004: 党委、政府、直属事业单位、公益服务类事业单位; and 人大政协机关、群团机关
# following the 党委部门 one); a template may
# also be made for any unit class. 公益一类/二类 units are evaluated by the 公益服务类 system.
PUBLIC_SERVICE = "公益服务类事业单位"
TEMPLATE_CLASSES = (*UNIT_CLASSES[:5], PUBLIC_SERVICE, *UNIT_CLASSES[5:])
CLASS_TEMPLATE = {"公益一类事业单位": PUBLIC_SERVICE, "公益二类事业单位": PUBLIC_SERVICE}


@dataclass
class Node:
    """One indicator. `rule` is the rule object (dict), not its JSON text."""
    code: str
    name: str
    level: int
    max_score: float
    method: str = MANUAL
    metric: str | None = None
    rule: dict | None = None
    guidance: str = ""
    individual: bool = False
    id: str | None = None
    parent_id: str | None = None
    sort_order: int = 0
    children: list["Node"] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def label(self) -> str:
        return f"“{self.code} {self.name}”" if self.name else f"“{self.code}”"

    def to_json(self) -> dict:
        d = {"code": self.code, "name": self.name, "level": self.level,
             "max_score": self.max_score, "individual": self.individual}
        if self.children:
            d["children"] = [c.to_json() for c in self.children]
        else:
            d.update(method=self.method, metric=self.metric, rule=self.rule, guidance=self.guidance)
        return d


# ---------------------------------------------------------------- building trees
def link(nodes: Iterable[Node]) -> list[Node]:
    """Roots of the tree the nodes' `parent_id`s describe (children in sort_order). A node whose
    parent is missing becomes a root (validation then reports its level)."""
    nodes = sorted(nodes, key=lambda n: n.sort_order)
    by_id = {n.id: n for n in nodes}
    for n in nodes:
        n.children = []
    roots = []
    for n in nodes:
        parent = by_id.get(n.parent_id) if n.parent_id else None
        (parent.children if parent is not None else roots).append(n)
    return roots


def nest(nodes: list[Node]) -> tuple[list[Node], list[tuple[int, str]]]:
    """The tree of an outline in reading order (the Excel sheet): a 二级指标 belongs to the
    一级指标 above it, a 评估要点 to the 二级指标 above it. Returns (roots, problems as
    (index into `nodes`, Chinese reason))."""
    roots: list[Node] = []
    problems: list[tuple[int, str]] = []
    open_at: dict[int, Node] = {}          # the last node seen at each level
    for i, n in enumerate(nodes):
        n.children = []
        if n.level not in LEVEL_NAMES:
            problems.append((i, "层级应为一级指标、二级指标或评估要点（或1、2、3）"))
            continue
        if n.level == 1:
            roots.append(n)
            open_at = {1: n}
            continue
        parent = open_at.get(n.level - 1)
        if parent is None:
            problems.append((i, f"{LEVEL_NAMES[n.level]}须写在{LEVEL_NAMES[n.level - 1]}之下"))
            continue
        parent.children.append(n)
        open_at = {k: v for k, v in open_at.items() if k < n.level} | {n.level: n}
    return roots, problems


def from_outline(items: list[dict], level: int = 1, individual: bool = False) -> list[Node]:
    """Nodes from the nested JSON of resources/indicators (children under "children"; a
    level-1 node's "individual" holds for everything under it)."""
    out = []
    for d in items:
        ind = bool(d.get("individual", individual))
        n = Node(code=str(d["code"]), name=d["name"], level=level, max_score=float(d["max_score"]),
                 method=d.get("method", MANUAL), metric=d.get("metric"), rule=d.get("rule"),
                 guidance=d.get("guidance", ""), individual=ind)
        n.children = from_outline(d.get("children", []), level + 1, ind)
        out.append(n)
    return out


def walk(roots: Iterable[Node]) -> Iterator[Node]:
    """Every node, parents before children, in display order."""
    for n in roots:
        yield n
        yield from walk(n.children)


def leaves(roots: Iterable[Node]) -> list[Node]:
    """The 评估要点 (加减分 items are not among them: they carry no points of the 100 + 20)."""
    return [n for n in walk(roots) if n.is_leaf and n.method != ADJUST]


def adjust_items(roots: Iterable[Node]) -> list[Node]:
    return [n for n in walk(roots) if n.method == ADJUST]


def totals(roots: Iterable[Node]) -> tuple[float, float]:
    """(common points, individual points) summed over the 评估要点."""
    common = individual = 0.0
    for n in leaves(roots):
        if n.individual:
            individual += n.max_score
        else:
            common += n.max_score
    return round(common, 2), round(individual, 2)


# ---------------------------------------------------------------- validation
@dataclass(frozen=True)
class Problem:
    """A problem of a tree: the node it is about (None: the whole tree), the field at fault
    (a Node attribute name, e.g. 'max_score', 'rule'; None: the node as a whole), the reason."""
    node: Node | None
    field: str | None
    message: str


def _num(v: float) -> str:
    return f"{v:g}"


def validate(roots: list[Node]) -> list[str]:
    """Every problem of a tree, in Chinese, each naming the indicator's code."""
    return [p.message for p in problems_of(roots)]


def problems_of(roots: list[Node]) -> list[Problem]:
    """Every problem of a tree with the node and field it is about (for row/column messages)."""
    found: list[Problem] = []
    seen: set[str] = set()
    for root in roots:
        if root.level != 1:
            found.append(Problem(root, "level", f"{root.label}是{LEVEL_NAMES.get(root.level, '未知层级')}，"
                                 f"须放在{LEVEL_NAMES.get(root.level - 1, '上一级指标')}之下"))
    for n in walk(roots):
        if not n.code:
            found.append(Problem(n, "code", f"“{n.name}”缺少编号"))
        elif n.code in seen:
            found.append(Problem(n, "code", f"编号“{n.code}”重复"))
        seen.add(n.code)
        if not n.name.strip():
            found.append(Problem(n, "name", f"“{n.code}”缺少名称"))
        found += _node_problems(n)
    common, individual = totals(roots)
    if abs(common - COMMON_TOTAL) > SCORE_TOLERANCE:
        found.append(Problem(None, "max_score", f"共性指标合计{_num(common)}分，应为{_num(COMMON_TOTAL)}分"))
    if abs(individual - INDIVIDUAL_TOTAL) > SCORE_TOLERANCE:
        found.append(Problem(None, "max_score",
                             f"个性指标合计{_num(individual)}分，应为{_num(INDIVIDUAL_TOTAL)}分"))
    return found


def _node_problems(n: Node) -> list[Problem]:
    found = []

    def add(node: Node, field_name: str | None, message: str) -> None:
        found.append(Problem(node, field_name, message))

    if n.method == ADJUST:
        return _adjust_problems(n)
    for child in n.children:
        if child.method == ADJUST:
            add(child, "level", f"{child.label}是加减分项，须作为一级指标单列（不放在{n.label}之下）")
            continue
        if child.level != n.level + 1:
            add(child, "level", f"{child.label}的层级与上级{n.label}不衔接"
                f"（{LEVEL_NAMES.get(n.level, '')}之下应为{LEVEL_NAMES.get(n.level + 1, '')}）")
        if child.individual != n.individual:
            add(child, "individual", f"{child.label}的个性指标标记与上级{n.label}不一致")
    if n.children:
        total = round(sum(c.max_score for c in n.children), 2)
        if abs(total - n.max_score) > SCORE_TOLERANCE:
            add(n, "max_score", f"{n.label}的分值{_num(n.max_score)}与其下各项之和{_num(total)}不一致")
        if n.method != MANUAL or n.rule or n.metric:
            add(n, "method", f"{n.label}不是评估要点，不能填评分方式自动、指标来源或规则（只有评估要点评分）")
        return found
    if n.level != LEAF_LEVEL:
        add(n, "level", f"{LEVEL_NAMES.get(n.level, '指标')}{n.label}下没有"
            f"{LEVEL_NAMES.get(n.level + 1, '下级指标')}（只有评估要点可以没有下级）")
    if not n.max_score > 0:
        add(n, "max_score", f"{n.label}的分值应大于0")
    if not n.guidance.strip():
        add(n, "guidance", f"{n.label}缺少评分标准")
    if n.metric is not None and n.metric not in METRICS:
        add(n, "metric", f"{n.label}的指标来源“{n.metric}”不存在（可用：{'、'.join(METRICS)}）")
    if n.method == AUTO:
        if not n.metric:
            add(n, "metric", f"{n.label}自动评分须填指标来源")
        if n.rule is None:
            add(n, "rule", f"{n.label}自动评分须填规则")
        else:
            problem = rule_problem(n.rule)
            if n.rule.get("kind") == ADJUST_KIND:
                add(n, "rule", f"{n.label}的规则是加减分，评分方式应为加减分（并作为一级指标单列）")
            elif problem:
                add(n, "rule", f"{n.label}的规则有误：{problem}")
            elif n.metric in METRICS and METRICS[n.metric].kind == PERCENT and any(
                    abs(t) > PERCENT_THRESHOLD_LIMIT for t in thresholds(n.rule)):
                add(n, "rule", f"{n.label}的{METRICS[n.metric].label}是百分比，规则中的数值应写作"
                    f"百分数（如85%）")
    elif n.method == MANUAL:
        if n.rule is not None:
            add(n, "rule", f"{n.label}是人工评分，不填规则（或把评分方式改为自动）")
    else:
        add(n, "method", f"{n.label}的评分方式应为自动、人工或加减分")
    return found


def _adjust_problems(n: Node) -> list[Problem]:
    """A 加减分 item: a 一级指标 without children, a 加减分 rule whose cap is its 分值."""
    found = []

    def add(field_name: str | None, message: str) -> None:
        found.append(Problem(n, field_name, message))

    if n.children:
        add("method", f"{n.label}是加减分项，不能有下级指标")
    if n.level != 1:
        add("level", f"{n.label}是加减分项，须为一级指标")
    if n.individual:
        add("individual", f"{n.label}是加减分项，不计入个性指标")
    if n.metric:
        add("metric", f"{n.label}是加减分项，不填指标来源")
    if not n.guidance.strip():
        add("guidance", f"{n.label}缺少评分标准（何种情形加分或扣分）")
    if n.rule is None or n.rule.get("kind") != ADJUST_KIND:
        add("rule", f"{n.label}是加减分项，规则应写作“加分：每次加2分，最多加5分”或“扣分：每次扣3分，最多扣10分”")
    else:
        problem = rule_problem(n.rule)
        if problem:
            add("rule", f"{n.label}的规则有误：{problem}")
        elif abs(n.max_score - n.rule["cap"]) > SCORE_TOLERANCE:
            add("max_score", f"{n.label}的分值{_num(n.max_score)}应等于规则中的上限{_num(n.rule['cap'])}分")
    return found

"""共性职责: the duties every organ has, listed apart from the 职责交叉 candidates.

Two rules, so that a county of three units is as clean as one of fifty:
- by wording (any county): a duty whose every clause is generic (app.core.bureau.clauses: it
  names the organ itself — 机关、本单位… — and is made of the stems of 机关文电、财务、人事、党建、
  综合事务…) is not compared at all; such duties are grouped by their 类别 (机关党建, 机关运转 …).
- by frequency (where the county is large enough): similar duties (joined pairwise at
  COMMON_THRESHOLD or more, as wholes) spanning at least COMMON_MIN_UNITS units and COMMON_SHARE
  of all units are what most units word alike (a 法治建设 or 普法 duty without an anchor word), one
  group instead of pair by pair. The groups do not move with the user's threshold: at 0.9 the
  internal duties would fall apart into small groups and show up as 交叉. A clause that
  COMMON_MIN_UNITS units or more word alike (协调解决推进中的重大问题，总结推广典型经验; 建立问题清单
  和整改台账) is the way 三定 texts say something, not two units claiming one responsibility: its
  pairs are dropped (app.core.bureau.duty_match.DutyCorpus.clause_matches).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from app.core.bureau.duty_match import DutyCorpus, Match

COMMON_THRESHOLD = 0.5
COMMON_MIN_UNITS = 4
COMMON_SHARE = 0.25
BY_FREQUENCY = "多数单位表述相近"


class Duty(Protocol):
    unit_id: str
    unit_name: str
    code: str
    content: str


@dataclass
class CommonGroup:
    kind: str                               # 类别 (机关党建…) or BY_FREQUENCY
    units: int
    duties: list
    example: Duty                           # the commonest wording
    lowest: float                           # weakest similarity of a member to the example

    def to_json(self) -> dict:
        return {"kind": self.kind, "units": self.units, "duties": len(self.duties),
                "example": self.example.content, "lowest_score": round(self.lowest, 4),
                "members": [{"unit": d.unit_name, "code": d.code, "content": d.content}
                            for d in self.duties]}


def common_units(units: int) -> int:
    """How many units word a duty (or a clause) alike before it is what most units say."""
    return max(COMMON_MIN_UNITS, math.ceil(COMMON_SHARE * units))


def generic_groups(duties: list, corpus: DutyCorpus) -> list[CommonGroup]:
    """The generic duties by 类别 (a duty's 类别: the one most of its clauses have)."""
    by_kind: dict[str, list[int]] = {}
    for d, flag in enumerate(corpus.generic):
        if flag:
            kinds = Counter(c.kind for c in corpus.clauses[d])
            by_kind.setdefault(max(sorted(kinds), key=kinds.__getitem__), []).append(d)
    groups = []
    for kind, members in by_kind.items():
        ordered = sorted(members, key=lambda x: (duties[x].unit_name, duties[x].code))
        wording = Counter(duties[x].content for x in ordered)
        example = next(x for x in ordered if duties[x].content == max(
            sorted(wording), key=wording.__getitem__))
        lowest = min((corpus.whole_score(example, x) for x in ordered if x != example), default=1.0)
        groups.append(CommonGroup(kind, len({duties[x].unit_id for x in ordered}),
                                  [duties[x] for x in ordered], duties[example], lowest))
    return groups


def frequency_groups(matches: list[Match], duties: list, corpus: DutyCorpus, units: int
                     ) -> tuple[list[CommonGroup], set[int]]:
    """Groups of duties joined by whole-duty pairs (connected components) that span enough
    units to be what every organ does; and the duties inside them."""
    pairs = []
    for m in matches:
        whole = m.score if m.clause_i is None and m.clause_j is None else corpus.whole_score(m.i, m.j)
        if whole >= COMMON_THRESHOLD and duties[m.i].unit_id != duties[m.j].unit_id:
            pairs.append((whole, m.i, m.j))
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in pairs:
        parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    links: dict[int, list[tuple[float, int, int]]] = {}
    for pair in pairs:
        links.setdefault(root(pair[1]), []).append(pair)
    need = common_units(units)
    groups, inside = [], set()
    for key, group in members.items():
        spread = {duties[x].unit_id for x in group}
        if len(spread) < need:
            continue
        inside.update(group)
        degree: Counter = Counter()
        for _, i, j in links[key]:
            degree[i] += 1
            degree[j] += 1
        ordered = sorted(group, key=lambda x: (duties[x].unit_name, duties[x].code))
        example = max(ordered, key=lambda x: degree[x])
        groups.append(CommonGroup(BY_FREQUENCY, len(spread), [duties[x] for x in ordered],
                                  duties[example], min(s for s, _, _ in links[key])))
    return groups, inside


def sort_groups(groups: list[CommonGroup]) -> list[CommonGroup]:
    return sorted(groups, key=lambda g: (-g.units, g.kind == BY_FREQUENCY, g.example.content))

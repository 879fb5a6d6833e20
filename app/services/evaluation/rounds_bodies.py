"""部门及所属单位 in an evaluation round (app.core.bureau.bodies): a department and its affiliated
institutions listed together, with the body's average score — the average of the members' 编办
totals (each by its own indicator system; none until every member is fully scored) and of their self
scores. Bodies and units on their own are ranked as wholes by the 编办's score."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.bureau import bodies as B
from app.db.engine import Database
from app.services.county.bodies import parents
from app.services.evaluation.rounds_bureau import UnitResult

HEAD, MEMBER, BODY, SINGLE = "head", "member", "body", "single"


@dataclass
class BodyResult:
    """A department's body in the round: its members and their average scores."""
    head: UnitResult
    institutions: list[UnitResult] = field(default_factory=list)
    rank: int | None = None

    @property
    def members(self) -> list[UnitResult]:
        return [self.head, *self.institutions]

    @property
    def name(self) -> str:
        return f"{self.head.name}（部门及所属单位{len(self.institutions)}个）平均"

    @property
    def self_average(self) -> float | None:
        value = B.average([m.self_total for m in self.members])
        return None if value is None else round(value, 2)

    @property
    def bureau_average(self) -> float | None:
        value = B.average([m.bureau_total for m in self.members])
        return None if value is None else round(value, 2)

    @property
    def final_average(self) -> float | None:
        """The members' final scores (编办 total with its 加分/扣分) averaged; what ranks the body."""
        value = B.average([m.final_total for m in self.members])
        return None if value is None else round(value, 2)

    @property
    def percent_average(self) -> float | None:
        value = B.average([m.percent for m in self.members])
        return None if value is None else round(value, 2)

    @property
    def scored(self) -> int:
        return sum(m.bureau_total is not None for m in self.members)

    def to_json(self) -> dict:
        return {"department": self.head.name, "institutions": [m.name for m in self.institutions],
                "self_average": self.self_average, "bureau_average": self.bureau_average,
                "final_average": self.final_average, "percent_average": self.percent_average,
                "rank": self.rank, "members_scored": self.scored, "members": len(self.members),
                "problems": sum(m.problems for m in self.members),
                "open_problems": sum(m.open_problems for m in self.members),
                "overdue": sum(m.overdue for m in self.members)}


def result_lines(db: Database, found: list[UnitResult]) -> list[tuple[str, object, int | None]]:
    """The round's results grouped, as (kind, item, rank): (SINGLE, unit) for a unit on its own;
    (HEAD, department), (MEMBER, institution)…, (BODY, BodyResult) for a body. Wholes (a unit on
    its own, a body) come in order of their final score (编办 total with 加分/扣分) — a body by its average — with their rank;
    the not yet fully scored follow by name, unranked."""
    wholes = [BodyResult(g.head, list(g.institutions)) if g.is_body else g.head
              for g in B.group(found, parents(db))]
    score = lambda w: w.final_average if isinstance(w, BodyResult) else w.final_total  # noqa: E731
    name = lambda w: w.head.name if isinstance(w, BodyResult) else w.name  # noqa: E731
    scored = sorted((w for w in wholes if score(w) is not None), key=lambda w: (-score(w), name(w)))
    lines = []
    for i, w in enumerate(scored + sorted((w for w in wholes if score(w) is None), key=name), 1):
        rank = i if i <= len(scored) else None
        if isinstance(w, BodyResult):
            w.rank = rank
            lines += [(HEAD, w.head, None)] + [(MEMBER, m, None) for m in w.institutions] + [(BODY, w, rank)]
        else:
            lines.append((SINGLE, w, rank))
    return lines


def bodies_of(db: Database, found: list[UnitResult]) -> list[BodyResult]:
    return [item for kind, item, _ in result_lines(db, found) if kind == BODY]

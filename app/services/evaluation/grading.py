"""A round's 等次 cut-offs (编办用单): read with the seeds' defaults (好 ≥ 90, 较好 ≥ 80, 一般 ≥ 60,
较差 below, on the 百分制 score) until the 编办 admin sets others for the round; set while the
round is open (a closed round's grades are the record it reported). Stored in the 编办's own
database (`round_grading`): grades rank units county-wide, so only the 编办 gives them."""
from __future__ import annotations

import json

from app.core.bureau import grades as G
from app.core.errors import AppError, ValidationError
from app.db.engine import Database, now_text
from app.db.models import EvalRound, RoundGrading
from app.services.county.mirrors import require_bureau
from app.services.evaluation.rounds import _admin
from app.services.org.actor import Actor


def grading_of(db: Database, round_id: str) -> G.Grading:
    """The round's grading (the defaults when the 编办 set none)."""
    if db.edition != "bureau":
        return G.Grading()
    with db.read() as s:
        row = s.get(RoundGrading, round_id)
        if row is None:
            return G.Grading()
        data = json.loads(row.cutoffs)
    return G.Grading(tuple((n, float(v)) for n, v in data["cutoffs"]), data["lowest"], row.top_share)


def set_grading(db: Database, actor: Actor, round_id: str, cutoffs, lowest: str = G.DEFAULT_LOWEST,
                top_share: float | None = None) -> G.Grading:
    """Set the round's cut-offs (checked: names, 0–100, descending; the cap 0–100 %)."""
    require_bureau(db)
    _admin(actor, "设定等次标准")
    found = G.problems(list(cutoffs), lowest, top_share)
    if found:
        raise ValidationError("等次标准有误，未保存：" + "；".join(found), found)
    grading = G.make(cutoffs, lowest, top_share)
    with db.session(actor) as s:
        rnd = s.get(EvalRound, round_id)
        if rnd is None or rnd.deleted:
            raise AppError("找不到该评估批次")
        if rnd.status == "closed":
            raise AppError(f"评估批次“{rnd.name}”已结束，等次标准不能再修改")
        row = s.get(RoundGrading, round_id) or RoundGrading(round_id=round_id)
        row.cutoffs = json.dumps({"cutoffs": [list(c) for c in grading.cutoffs], "lowest": grading.lowest},
                                 ensure_ascii=False)
        row.top_share, row.updated_at = grading.top_share, now_text()
        s.merge(row)
    return grading

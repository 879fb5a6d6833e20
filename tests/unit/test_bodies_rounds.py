"""部门及所属单位 in an evaluation round: with 第2局 put under 第1局, the round's results list the
department and its institution together with the body's average 编办 score — none until both are
fully scored, then the mean of their totals as each unit's own detail computes them — and the
round report and `round results` show it."""
from __future__ import annotations

import pytest

from app.services.county.bodies import set_parent
from app.services.evaluation import rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.rounds_bodies import BODY, HEAD, MEMBER, SINGLE, result_lines
from app.services.org.actor import SYSTEM
from tests.unit.test_rounds import TODAY, base, pdf_text, self_score_all, world  # noqa: F401 (fixtures)


def bureau_scores(w, key: str, share: float) -> float:
    unit_id = w.unit_ids[key]
    for item in rounds.detail(w.mirror(key), w.round_id, unit_id).leaves:
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, item.id,
                            round(item.max_score * share, 2))
    return rounds.detail(w.mirror(key), w.round_id, unit_id).bureau_totals.total


def test_the_round_lists_a_body_together_with_its_average(world, tmp_path):
    from app.services.reporting.evaluation import build_eval_report
    w = world
    a, b = w.unit_ids["a"], w.unit_ids["b"]
    set_parent(w.bureau, w.mirrors, SYSTEM, b, a)
    self_score_all(w, "a")
    self_score_all(w, "b", share=0.5)
    first = bureau_scores(w, "a", 0.9)
    lines = result_lines(w.bureau, RB.results(w.bureau, w.mirrors, w.round_id, TODAY))
    assert [(k, getattr(i, "unit_id", None)) for k, i, _ in lines] == [(HEAD, a), (MEMBER, b), (BODY, None)]
    body = lines[-1][1]
    assert body.bureau_average is None and lines[-1][2] is None       # 第2局 not scored yet
    second = bureau_scores(w, "b", 0.6)
    lines = result_lines(w.bureau, RB.results(w.bureau, w.mirrors, w.round_id, TODAY))
    body = lines[-1][1]
    assert body.bureau_average == pytest.approx(round((first + second) / 2, 2))
    assert lines[-1][2] == 1 and body.name == "沂河县第1局（部门及所属单位1个）平均"
    info = build_eval_report(w.bureau, w.round_id, tmp_path / "round.pdf", today=TODAY)
    text = pdf_text(info.path)
    assert f"沂河县第1局与所属沂河县第2局一体化评估，评估得分平均{(first + second) / 2:.2f}分" in text
    assert "部门及所属单位评估得分" in text and "沂河县第1局合计（平均）" in text
    # on its own again: two units ranked by their own totals
    set_parent(w.bureau, w.mirrors, SYSTEM, b, None)
    lines = result_lines(w.bureau, RB.results(w.bureau, w.mirrors, w.round_id, TODAY))
    assert [(k, r) for k, _, r in lines] == [(SINGLE, 1), (SINGLE, 2)]

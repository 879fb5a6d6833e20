"""职责交叉 on real 三定 texts (tests/unit/overlap_real_duties): the hand-written paraphrases a
编办 plants are listed at the default threshold, recall and precision stay at what was measured
(tests/bench/README.md, bench_overlap_quality.py, 2026-12-06, with a little margin), and duties
that share only the stock wording of every 三定 are not listed."""
from __future__ import annotations

import pytest

from app.core.bureau.similarity import Corpus
from app.services.county import overlap as O
from tests.unit.overlap_real_duties import (AGRI, EMERG, HELD_OUT, OTHER_TASKS, PARAPHRASES, SAMR,
                                            corpus, measure)


@pytest.fixture(scope="module", params=[False, True], ids=["three-units", "in-county"])
def measured(request):
    duties, corp = corpus(in_county=request.param)
    return request.param, measure(duties, corp, O.DEFAULT_THRESHOLD)


def test_planted_paraphrases_are_listed_at_the_default_threshold(measured):
    in_county, m = measured
    found = m["found"].keys()
    missed = [key for key, (_, source, _) in PARAPHRASES.items()
              if frozenset((key, source)) not in found]
    assert missed == []
    # written after the tuning: measured 6 of 8 in the county, 3 of 8 among the three units alone
    held = sum(frozenset((key, source)) in found for key, (_, source, _) in HELD_OUT.items())
    assert held >= (5 if in_county else 3)


def test_recall_and_precision_on_real_texts(measured):
    in_county, m = measured
    # measured: in the county 18 of 24 labelled pairs, no other pair (0.75 / 1.00);
    # the three units alone 15 of 24, no other pair (0.62 / 1.00)
    assert m["recall"] >= (0.70 if in_county else 0.58), m["recall"]
    assert m["precision"] >= 0.9, sorted(m["found"].items(), key=lambda t: -t[1])


def test_lower_threshold_finds_more_of_the_labelled_pairs(measured):
    """What the page's spinner is for: at 0.4 the paraphrases of one clause of a long duty come
    in (measured recall 0.88 either way)."""
    _, m = measured
    duties, corp = corpus(in_county=measured[0])
    low = measure(duties, corp, 0.4)
    assert low["recall"] > m["recall"] and low["recall"] >= 0.85


def test_duties_sharing_only_boilerplate_are_not_listed():
    """The closing line of every 三定 and 负责…工作 around different subjects."""
    texts = {
        SAMR: ["负责全县计量器具检定工作，完成县委、县政府交办的其他任务。", OTHER_TASKS],
        AGRI: ["负责全县渔政管理工作，完成县委、县政府交办的其他任务。", OTHER_TASKS],
        EMERG: ["负责全县地震监测预报工作，完成县委县政府交办的其他任务。", OTHER_TASKS],
    }
    duties = [O.DutyRef(unit, unit, f"{unit}{k}", f"{k}", text, "")
              for unit, rows in texts.items() for k, text in enumerate(rows)]
    corp = Corpus([d.content for d in duties], [d.unit_id for d in duties])
    assert corp.score(0, 2) < 0.2 and corp.score(1, 3) == 0
    _, cross, _ = O.candidates(duties, corp, O.DEFAULT_THRESHOLD, len(texts))
    assert cross == []


def test_the_real_overlap_of_edible_farm_produce_is_listed_in_the_county():
    """食用农产品: 农业农村 up to the market, 市场监管 from it — the standard texts themselves."""
    duties, corp = corpus(in_county=True)
    found = measure(duties, corp, 0.45)["found"]
    assert frozenset(("S18", "N07")) in found

"""职责交叉 on real 三定 texts (tests/unit/overlap_real_duties): the hand-written paraphrases a
编办 plants are listed at the default threshold, recall and precision stay at what was measured
(tests/bench/README.md, bench_overlap_quality.py, 2026-12-06 clause score, with a little margin),
duties that share one clause are found by it, and duties that share only the stock wording of
every 三定 are not listed."""
from __future__ import annotations

import pytest

from app.core.bureau.duty_match import DutyCorpus
from app.services.county import overlap as O
from tests.unit.overlap_real_duties import (AGRI, DUTIES, EMERG, HELD_OUT, OTHER_TASKS, PARAPHRASES,
                                            SAMR, corpus, measure)


@pytest.fixture(scope="module", params=[False, True], ids=["three-units", "in-county"])
def measured(request):
    duties, corp = corpus(in_county=request.param)
    return request.param, measure(duties, corp, O.DEFAULT_THRESHOLD)


def test_planted_paraphrases_are_listed_at_the_default_threshold(measured):
    in_county, m = measured
    found = m["found"].keys()
    missed = [key for key, (_, source, _) in PARAPHRASES.items()
              if frozenset((key, source)) not in found]
    # measured: none missed in the county; among the three units alone P07 (0.53) and P08 (0.57)
    assert missed == [] if in_county else set(missed) <= {"P07", "P08"}, missed
    # written after the tuning: measured 7 of 8 either way
    held = sum(frozenset((key, source)) in found for key, (_, source, _) in HELD_OUT.items())
    assert held >= 6


def test_recall_and_precision_on_real_texts(measured):
    in_county, m = measured
    # measured: in the county 22 of 30 labelled pairs among 24 listed (0.73 / 0.92); the three
    # units alone 19 of 30 among 20 (0.63 / 0.95). Before the clause score, at its default 0.5:
    # 0.60 / 1.00 and 0.50 / 1.00.
    assert m["recall"] >= (0.70 if in_county else 0.60), m["recall"]
    assert m["precision"] >= 0.9, sorted(m["found"].items(), key=lambda t: -t[1])
    # one-clause overlaps: none of the 6 before; measured 3 in the county, 2 among three units
    assert m["clause"] >= (3 if in_county else 2)


def test_lower_threshold_finds_more_of_the_labelled_pairs(measured):
    """What the page's spinner is for: at 0.4 the weaker clause pairs come in (measured recall
    0.87 in the county, 0.90 among three units)."""
    _, m = measured
    duties, corp = corpus(in_county=measured[0])
    low = measure(duties, corp, 0.4)
    assert low["recall"] > m["recall"] and low["recall"] >= 0.85


def test_an_overlap_in_one_clause_is_found_by_that_clause(measured):
    """C01 (应急管理局): three responsibilities of its own and 参与特种设备事故的调查处理 — one clause
    of the 市场监管's S08. As wholes the two score far below the threshold; the pair is listed with
    the two clauses that meet."""
    in_county, _ = measured
    duties, corp = corpus(in_county=in_county)
    index = {d.code: k for k, d in enumerate(duties)}
    i, j = sorted((index["S08"], index["C01"]))
    assert corp.whole_score(i, j) < 0.3
    _, cross, _ = O.candidates(duties, corp, O.DEFAULT_THRESHOLD, len({d.unit_id for d in duties}))
    [match] = [m for m in cross if (m.i, m.j) == (i, j)]
    assert match.score >= O.DEFAULT_THRESHOLD
    clause = {duties[k].code: duties[k].content[slice(*span)]
              for k, span in ((match.i, match.clause_i), (match.j, match.clause_j))}
    assert clause == {"S08": "按规定权限组织调查处理特种设备事故并进行统计分析",
                      "C01": "参与特种设备事故的调查处理，并开展事故统计分析"}


def test_area_names_alike_in_characters_are_not_paired_by_their_heading():
    """负责产品质量安全监督管理 (市场监管 S07) and 负责农产品质量安全监督管理 (农业农村 N06): the
    opening name of each duty's area differs by one character and means another thing; the
    duties as wholes share little, and a short 负责… heading is not compared on its own."""
    duties, corp = corpus(in_county=True)
    _, cross, _ = O.candidates(duties, corp, O.DEFAULT_THRESHOLD, 50)
    listed = {frozenset((duties[m.i].code, duties[m.j].code)) for m in cross}
    assert frozenset(("S07", "N06")) not in listed
    assert DUTIES[SAMR]["S07"].startswith("负责产品质量安全监督管理。")


def test_duties_sharing_only_boilerplate_are_not_listed():
    """The closing line of every 三定 and 负责…工作 around different subjects."""
    texts = {
        SAMR: ["负责全县计量器具检定工作，完成县委、县政府交办的其他任务。", OTHER_TASKS],
        AGRI: ["负责全县渔政管理工作，完成县委、县政府交办的其他任务。", OTHER_TASKS],
        EMERG: ["负责全县地震监测预报工作，完成县委县政府交办的其他任务。", OTHER_TASKS],
    }
    duties = [O.DutyRef(unit, unit, f"{unit}{k}", f"{k}", text, "")
              for unit, rows in texts.items() for k, text in enumerate(rows)]
    corp = DutyCorpus([d.content for d in duties], [d.unit_id for d in duties])
    assert corp.whole_score(0, 2) < 0.2 and corp.whole_score(1, 3) == 0
    _, cross, _ = O.candidates(duties, corp, O.DEFAULT_THRESHOLD, len(texts))
    assert cross == []


def test_the_real_overlap_of_edible_farm_produce_is_listed_in_the_county():
    """食用农产品: 农业农村 up to the market, 市场监管 from it — the standard texts themselves."""
    duties, corp = corpus(in_county=True)
    found = measure(duties, corp, 0.45)["found"]
    assert frozenset(("S18", "N07")) in found

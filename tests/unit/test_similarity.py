"""Text similarity of duty texts (app.core.bureau.similarity): normalisation, the exact pair search
against brute force, the planted near-duplicates against unrelated duties with the same stock
phrasing, and the shared phrases that explain a score."""
from __future__ import annotations

import random
import unicodedata

import pytest

from app.core.bureau.similarity import Corpus, normalise, segment_texts
from app.services.county.overlap import DEFAULT_THRESHOLD
from tests.unit.overlap_fixtures import COUNTED, INTERNAL, PLANTED, UNRELATED, county_duties


@pytest.fixture(scope="module")
def county():
    """50 units × 40 duties (the benchmark's corpus), with the unrelated pairs added, each text
    of those in a unit of its own."""
    units = county_duties(50)
    texts = [t for u in units for _, _, t in u.duties]
    groups = [u.key for u in units for _ in u.duties]
    extra = [t for pair in UNRELATED + COUNTED for t in pair]
    corpus = Corpus(texts + extra, groups + [f"extra{k}" for k in range(len(extra))])
    return corpus, texts, groups, corpus.pairs(DEFAULT_THRESHOLD)


# ---------------------------------------------------------------- normalisation
def test_fillers_and_place_words_break_the_text_and_synonyms_meet():
    assert segment_texts("负责全县食品安全监管工作，依法查处违法行为。") == ["食品安全监督管理", "查处违法行为"]
    # 承担/负责 and 县级 leave nothing behind, 监管 is 监督管理: the two wordings are one text
    assert segment_texts("承担县级养老机构监督管理") == segment_texts("负责养老机构监管") == ["养老机构监督管理"]
    assert segment_texts("养老机构的监督管理和服务") == ["养老机构", "监督管理", "服务"]
    # joining characters inside words stay (及时, 和谐, 参与)
    assert segment_texts("及时处置，构建和谐劳动关系") == ["及时处置", "构建和谐劳动关系"]
    assert segment_texts("负责有关工作") == []


def test_positions_point_back_into_the_original_text():
    for text in ("负责全县食品安全监管工作，依法查处违法行为。", "承担ＡＢＣ１２３检验检测㈠监管",
                 "组织开展“双随机、一公开”监管"):
        for seg in normalise(text):
            assert len(seg.origin) == len(seg.text)
            assert list(seg.origin) == sorted(seg.origin)
            for ch, k in zip(seg.text, seg.origin):
                # a character comes from its source's NFKC form, or from a synonym's replacement
                source = unicodedata.normalize("NFKC", text[k]).lower()
                assert ch in source or (ch in "监督管理" and text[k] in "监管"), (ch, text[k])
    [seg] = normalise("承担ＡＢＣ检测")
    assert seg.text == "abc检测" and seg.origin == (2, 3, 4, 5, 6)
    # a synonym's replacement covers the characters it stands for
    [seg] = normalise("食品监管")
    assert seg.text == "食品监督管理" and seg.origin == (0, 1, 2, 2, 3, 3)


# ---------------------------------------------------------------- weights
def test_idf_counted_over_units_discounts_what_every_unit_says():
    """A subject one unit repeats in many duties stays rare; stock phrasing all units use is
    common however few duties of each carry it."""
    own = [f"负责食品安全{x}" for x in ("抽检", "宣传", "应急处置", "投诉举报", "标准")]
    stock = [f"拟订{x}发展规划并组织实施" for x in ("交通", "水利", "农业", "林业", "教育")]
    texts = own + stock
    by_text = Corpus(texts)
    by_unit = Corpus(texts, ["market"] * 5 + ["traffic", "water", "agri", "forest", "edu"])
    assert by_text.idf["食品"] == by_text.idf["发展"]         # per text: 5 texts each
    assert by_unit.idf["食品"] > by_unit.idf["发展"] + 1      # per unit: 1 unit against 5


# ---------------------------------------------------------------- the pair search is exact
@pytest.mark.parametrize("threshold", [0.15, 0.4, DEFAULT_THRESHOLD, 0.8])
def test_pairs_equal_brute_force(threshold):
    rng = random.Random(threshold)
    units = county_duties(12, seed=3)
    texts = [t for u in units for _, _, t in u.duties]
    groups = [u.key for u in units for _ in u.duties]
    picked = sorted(rng.sample(range(len(texts)), 220))
    corpus = Corpus([texts[i] for i in picked], [groups[i] for i in picked])
    brute = {(i, j) for i in range(len(corpus)) for j in range(i + 1, len(corpus))
             if corpus.score(i, j) >= threshold - 1e-9}
    found = corpus.pairs(threshold)
    assert {(i, j) for _, i, j in found} == brute
    assert len(brute) > 0
    assert all(abs(s - corpus.score(i, j)) < 1e-9 for s, i, j in found)
    assert [s for s, _, _ in found] == sorted((s for s, _, _ in found), reverse=True)


def test_threshold_must_be_positive():
    with pytest.raises(ValueError):
        Corpus(["负责食品安全监督管理"]).pairs(0)


# ---------------------------------------------------------------- what is found, what is not
def test_planted_near_duplicates_are_found(county):
    corpus, texts, groups, found = county
    index = {t: i for i, t in enumerate(texts)}
    found = {(i, j) for _, i, j in found}
    for unit_a, text_a, unit_b, text_b in PLANTED:
        i, j = sorted((index[text_a], index[text_b]))
        assert groups[i] != groups[j]
        assert (i, j) in found, (text_a, text_b)
        assert corpus.score(i, j) >= 0.7, (corpus.score(i, j), text_a, text_b)


def test_same_stock_phrasing_on_another_subject_is_not_flagged(county):
    corpus, texts, _, _ = county
    n = len(texts)
    scores = [corpus.score(n + 2 * k, n + 2 * k + 1) for k in range(len(UNRELATED))]
    assert max(scores) < DEFAULT_THRESHOLD, list(zip(scores, UNRELATED))
    # the brief's example: what they share is 安全 and 监督管理, not the subject
    assert scores[0] < 0.25


def test_one_service_for_two_groups_is_a_candidate(county):
    corpus, texts, _, _ = county
    n = len(texts) + 2 * len(UNRELATED)
    assert corpus.score(n, n + 1) >= DEFAULT_THRESHOLD


def test_generated_duties_with_shared_clauses_stay_below_the_threshold(county):
    """Units share the whole stock of clauses (监督检查、行政许可、发展规划…); pairs of different
    units that are flagged share their subject, not only clauses."""
    corpus, texts, groups, found = county
    planted = {frozenset((a, b)) for _, a, _, b in PLANTED}
    internal = {i for i in range(len(texts)) if i % 40 >= 40 - len(INTERNAL)}   # each unit's last 8
    flagged = [(s, i, j) for s, i, j in found
               if j < len(texts) and groups[i] != groups[j]
               and frozenset((texts[i], texts[j])) not in planted
               and i not in internal and j not in internal]
    for s, i, j in flagged:
        subject_a = {g for g in corpus.vectors[i] if corpus.idf[g] > 3.0}
        subject_b = {g for g in corpus.vectors[j] if corpus.idf[g] > 3.0}
        assert subject_a & subject_b, (s, texts[i], texts[j])
    # and they are few: 1,950 duties of 50 units, about 76,000 pairs of different units
    assert len(flagged) < 60


def test_internal_duties_of_every_organ_are_alike(county):
    """What duty_overlap groups as 共性职责 (not pairwise 交叉): each internal duty of one unit
    finds its counterpart in most other units."""
    corpus, texts, groups, found = county
    party = [i for i, t in enumerate(texts) if "党风廉政建设" in t]
    assert len(party) == 50
    scores = [corpus.score(party[0], j) for j in party[1:]]
    assert sum(s >= DEFAULT_THRESHOLD for s in scores) >= 40
    assert len(INTERNAL) == 8


# ---------------------------------------------------------------- explanation
def test_shared_phrases_explain_a_pair(county):
    corpus, texts, _, _ = county
    index = {t: i for i, t in enumerate(texts)}
    _, a, _, b = PLANTED[0]
    i, j = index[a], index[b]
    why = corpus.explain(i, j)
    phrases = [p.text for p in why.phrases]
    assert any("旅游市场秩序整治" in p for p in phrases), phrases
    assert any("违法违规行为" in p for p in phrases), phrases
    assert why.phrases == sorted(why.phrases, key=lambda p: -p.weight)
    highlighted_a = "".join(a[s:e] for s, e in why.spans_a)
    highlighted_b = "".join(b[s:e] for s, e in why.spans_b)
    for text in ("旅游市场", "秩序整治", "旅游投诉"):
        assert text in highlighted_a and text in highlighted_b
    # filler words are not part of what the two share
    assert "负责" not in highlighted_a and "承担" not in highlighted_b and "县级" not in highlighted_b
    for spans, text in ((why.spans_a, a), (why.spans_b, b)):
        assert all(0 <= s < e <= len(text) for s, e in spans)
        assert all(e1 < s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


def test_texts_without_content_score_zero():
    corpus = Corpus(["负责有关工作", "", "负责食品安全监督管理"])
    assert corpus.vectors[0] == {} and corpus.vectors[1] == {}
    assert corpus.score(0, 2) == 0 and corpus.pairs(0.1) == []
    assert corpus.explain(0, 2).phrases == []

"""Clauses of 三定 duties and the generic (共性) ones (app.core.bureau.clauses), and the duty
corpus that scores clause against clause (app.core.bureau.duty_match)."""
from __future__ import annotations

from app.core.bureau.clauses import generic_kind, split
from app.core.bureau.duty_match import DutyCorpus
from app.demo.kinds.base import INTERNAL_DUTIES
from tests.unit.overlap_real_duties import AGRI, DUTIES, EMERG, SAMR


def clauses(text: str) -> list[str]:
    return [text[c.start:c.end] for c in split(text)]


def test_a_duty_splits_at_sentence_breaks_and_at_a_comma_before_a_new_responsibility():
    assert clauses(DUTIES[SAMR]["S09"]) == [
        "负责食品安全监督管理综合协调", "组织制定食品安全重大政策措施并组织实施", "负责食品安全应急体系建设",
        "组织指导食品安全事件应急处置和调查处理工作", "建立健全食品安全重要信息直报制度",
        "承担县食品安全委员会日常工作"]
    # a comma before anything else continues the clause
    assert clauses(DUTIES[SAMR]["S10"])[1].endswith("并组织实施，防范区域性、系统性食品安全风险")
    # a piece with no content of its own (组织实施 is filler) stays with the one before
    assert clauses("拟订人才队伍建设规划，组织实施；负责人才培训") == ["拟订人才队伍建设规划，组织实施", "负责人才培训"]
    # the closing 交办 line has no content: no clause
    assert split("完成县委、县政府交办的其他任务。") == []
    for start_end in split(DUTIES[EMERG]["Y11"]):
        assert 0 <= start_end.start < start_end.end <= len(DUTIES[EMERG]["Y11"])


def test_what_every_organ_does_for_itself_is_generic_by_its_class():
    kinds = {text: generic_kind(text) for _, _, text in INTERNAL_DUTIES}
    assert list(kinds.values()) == ["机关运转", "财务资产", "人事编制", "机关党建", "综合事务"]
    assert generic_kind("负责本单位保密、档案和机要工作") == "机关运转"


def test_a_units_own_subject_is_not_generic_though_its_words_are_stems():
    for text in ("负责全县干部教育培训工作",                 # 组织部
                 "指导全县内部审计工作",                     # 审计局
                 "负责安全生产综合监督管理和应急管理工作",     # 应急管理局
                 "负责县直机关党的建设",                     # 机关工委: other organs, not itself
                 "负责机关事务管理，承担公务用车和办公用房管理",  # 机关事务服务中心
                 "负责机关人事，指导乡镇食品安全网格化监管"):    # half its own subject
        assert generic_kind(text) == "", text


def test_generic_duties_are_not_compared_and_generic_clauses_do_not_count():
    party, = [t for _, topic, t in INTERNAL_DUTIES if topic == "party"]
    texts = [party, party, "负责机关党建和精神文明建设；负责旅游市场秩序整治",
             "依法查处旅游市场违法违规行为，承担机关党建工作"]
    corp = DutyCorpus(texts, ["a", "b", "c", "d"])
    assert corp.generic == [True, True, False, False]
    wholes, _ = corp.wholes(0.1)
    found = corp.merge(wholes, corp.clause_matches(0.1))
    assert [(m.i, m.j) for m in found] == [(2, 3)]       # not the two identical 机关党建 duties
    [m] = found
    # the content compared is the clauses on the units' own subject, as written in the duty
    assert texts[2][slice(*m.clause_i)] == "负责旅游市场秩序整治"
    assert texts[3][slice(*m.clause_j)] == "依法查处旅游市场违法违规行为"
    why = corp.explain(m)
    assert all(texts[2][s:e] in "负责旅游市场秩序整治" for s, e in why.spans_a)
    assert "旅游市场" in "".join(p.text for p in why.phrases)


def test_a_clause_names_the_pair_only_when_it_beats_the_wholes():
    """The same duty in two units: every clause and the whole score 1.0; the whole is named."""
    same = DUTIES[AGRI]["N15"]
    corp = DutyCorpus([same, same], ["a", "b"])
    wholes, _ = corp.wholes(0.3)
    [m] = corp.merge(wholes, corp.clause_matches(0.3))
    assert m.clause_i is None and m.clause_j is None and m.score > 0.99
    # one more clause in the second: its clause on 农业机械、渔业船舶 now beats the wholes
    corp = DutyCorpus([same, same + "组织开展农业安全生产宣传教育。"], ["a", "b"])
    wholes, _ = corp.wholes(0.3)
    [m] = corp.merge(wholes, corp.clause_matches(0.3))
    assert m.score > 0.99 > corp.whole_score(0, 1)
    assert same[slice(*m.clause_i)] in same and m.clause_i == m.clause_j

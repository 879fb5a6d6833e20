"""编办用单 through the services and real packages: 等次 from a round's final scores by the
cut-offs (boundaries, the cap on the top grade), bad cut-offs refused and nothing saved, 加分/扣分
items capped with a message and counted in the total and the ranking, decisions recorded with the
figures they rested on, carried to the unit by its 下发包, and a unit that writes a decision row
itself has its 上报包 refused whole."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from app.core.bureau import grades as G
from app.core.bureau import indicators as I
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.models import UnitDecision
from app.services.county import decisions as D
from app.services.county.mirrors import find_unit
from app.services.evaluation import adjustments, rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.grading import grading_of, set_grading
from app.services.evaluation.indicators import install_defaults
from app.services.org.actor import SYSTEM, Actor
from tests.unit.sync_fixtures import build_world, content_hash, reopen

TODAY = dt.date(2026, 11, 2)


# ---------------------------------------------------------------- pure rules
@pytest.mark.parametrize("score, grade", [(100, "好"), (90, "好"), (89.99, "较好"), (80, "较好"),
                                          (79.99, "一般"), (60, "一般"), (59.99, "较差"), (0, "较差")])
def test_default_cutoffs_at_their_boundaries(score, grade):
    assert G.grade_of(score, G.Grading()) == grade


def test_percent_of_a_120_point_system_and_the_cap_on_the_top_grade():
    assert G.percent(108, 120) == 90.0 and G.grade_of(G.percent(108, 120), G.Grading()) == "好"
    assert G.percent(107.9, 120) == 89.92
    capped = G.make([("好", 90), ("较好", 80), ("一般", 60)], "较差", 30)
    # 5 units, 4 reach 好; 30 % of 5 is 1.5 → only the best one keeps 好, ranking decides
    assert G.grade_all([98, 95, 93, 90, 70], capped) == [
        ("好", False), ("较好", True), ("较好", True), ("较好", True), ("一般", False)]
    assert G.grade_all([98, 95], G.Grading()) == [("好", False), ("好", False)]
    assert capped.text() == "好≥90，较好≥80，一般≥60，较差<60；好等次不超过参评单位的30%"


@pytest.mark.parametrize("cutoffs, lowest, share, message", [
    ([("好", 80), ("较好", 90)], "较差", None, "从高到低"),
    ([("好", 90), ("较好", 90)], "较差", None, "从高到低"),
    ([("好", 120), ("较好", 80)], "较差", None, "“好”的分数线120应在0至100之间"),
    ([("好", -1)], "较差", None, "应在0至100之间"),
    ([("好", 90), ("好", 80)], "较差", None, "等次名称重复：好"),
    ([("", 90)], "较差", None, "等次名称不能为空"),
    ([], "较差", None, "至少要有一个等次分数线"),
    ([("好", 90)], "较差", 0, "比例上限"),
    ([("好", 90)], "较差", 130, "比例上限"),
])
def test_bad_cutoffs_are_named(cutoffs, lowest, share, message):
    assert any(message in p for p in G.problems(cutoffs, lowest, share))
    with pytest.raises(ValueError, match=message):
        G.make(cutoffs, lowest, share)


def test_cutoffs_as_typed():
    g = G.parse("优秀=95，良好≥85；合格:60，不合格")
    assert g.cutoffs == (("优秀", 95.0), ("良好", 85.0), ("合格", 60.0)) and g.lowest == "不合格"
    with pytest.raises(ValueError, match="看不懂“好90”"):
        G.parse("好90,较好=80")


def test_adjust_rule_text_parse_and_cap():
    rule = I.parse_rule("加分：每次加2分，最多加5分")
    assert rule == {"kind": "adjust", "points": 2.0, "cap": 5.0}
    assert I.rule_text(rule, None) == "加分：每次加2分，最多加5分"
    minus = I.parse_rule("扣分：每次扣3分，最多扣10分")
    assert minus["points"] == -3.0 and I.rule_text(minus, None) == "扣分：每次扣3分，最多扣10分"
    assert I.adjust_points(rule, 2) == (4.0, None)
    assert I.adjust_points(rule, 3) == (5.0, "3次×2分=6分，超过上限5分，按加5分计")
    assert I.adjust_points(minus, 4) == (-10.0, "4次×3分=12分，超过上限10分，按扣10分计")
    assert "超过了上限" in I.rule_problem({"kind": "adjust", "points": 6, "cap": 5})
    # an adjust item must be a level-1 item whose 分值 is the cap; it is outside the 100 + 20
    item = I.Node("J1", "获省级表彰", 1, 4, I.ADJUST, rule=rule, guidance="每次加2分")
    assert any("应等于规则中的上限5分" in m for m in I.validate([item]))
    item.max_score = 5
    assert not [m for m in I.validate([item]) if "J1" in m]
    assert I.leaves([item]) == [] and I.adjust_items([item]) == [item]


# ---------------------------------------------------------------- a round across packages
@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Units a and b in a round over October 2026, both self-assessed and submitted; the 编办
    scored a at full marks and b at 70 % of every point."""
    root = tmp_path_factory.mktemp("results") / "world"
    w = build_world(root)
    for key in ("a", "b"):
        assert not w.receive(w.report(key))[0].rejected
    install_defaults(w.bureau, SYSTEM)
    round_id = rounds.create_round(w.bureau, SYSTEM, "2026年10月评估", 2026, "2026-10")
    for key in ("a", "b"):
        rounds.assign(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids[key])
        assert not w.unit_receives(key, w.dispatch(key))[0].rejected
        db = w.units[key]
        for item in rounds.detail(db, round_id).leaves:
            rounds.set_self_score(db, SYSTEM, round_id, item.id, item.max_score, "已落实")
        rounds.submit_self(db, SYSTEM, round_id)
        assert not w.receive(w.report(key))[0].rejected
    for key, share in (("a", 1.0), ("b", 0.7)):
        unit_id = w.unit_ids[key]
        for item in rounds.detail(w.mirror(key), round_id, unit_id).leaves:
            RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, round_id, unit_id, item.id,
                                round(item.max_score * share, 2))
    w.close()
    return root, round_id


@pytest.fixture
def world(base, tmp_path):
    root, round_id = base
    copy = tmp_path / "world"
    shutil.copytree(root, copy)
    w = reopen(copy)
    w.round_id = round_id
    yield w
    w.close()


def by_name(w):
    return {r.unit_id: r for r in RB.results(w.bureau, w.mirrors, w.round_id, TODAY)}


def item_code(w, key, code):
    return next(x for x in adjustments.lines(w.mirror(key), w.round_id, w.unit_ids[key]) if x.code == code)


def test_results_carry_grades_by_the_rounds_cutoffs(world):
    w = world
    a, b = w.unit_ids["a"], w.unit_ids["b"]
    found = by_name(w)
    assert (found[a].final_total, found[a].full, found[a].percent, found[a].grade) == (120, 120, 100, "好")
    assert (found[b].percent, found[b].grade) == (70, "一般") and found[b].rank == 2
    set_grading(w.bureau, SYSTEM, w.round_id, [("优秀", 95), ("合格", 70)], "不合格")
    found = by_name(w)
    assert (found[a].grade, found[b].grade) == ("优秀", "合格")            # 70 reaches 合格 exactly
    set_grading(w.bureau, SYSTEM, w.round_id, [("优秀", 95), ("合格", 70.01)], "不合格")
    assert by_name(w)[b].grade == "不合格"
    # bad cut-offs: refused, nothing saved
    before = grading_of(w.bureau, w.round_id)
    with pytest.raises(ValidationError, match="等次标准有误，未保存：.*从高到低"):
        set_grading(w.bureau, SYSTEM, w.round_id, [("优秀", 60), ("合格", 70)], "不合格")
    assert grading_of(w.bureau, w.round_id) == before
    staff = Actor("p1", "x", "分析员", "编办分析员", None, False)
    with pytest.raises(PermissionDenied):
        set_grading(w.bureau, staff, w.round_id, [("好", 90)], "较差")


def test_adjustments_are_capped_counted_and_travel_to_the_unit(world):
    w = world
    a, b = w.unit_ids["a"], w.unit_ids["b"]
    j1, j3 = item_code(w, "b", "J1"), item_code(w, "a", "J3")
    assert j1.rule_text == "加分：每次加2分，最多加5分" and j3.rule_text == "扣分：每次扣3分，最多扣10分"
    with pytest.raises(ValidationError, match="请写明加分或扣分的理由"):
        adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, b, j1.item_id, 1, " ")
    points, message = adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, b, j1.item_id, 3,
                                                 "获省级表彰3次")
    assert points == 5 and "3次×2分=6分，超过上限5分，按加5分计" in message
    points, _ = adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, a, j3.item_id, 1,
                                           "被市委督查室通报批评")
    assert points == -3
    found = by_name(w)
    assert (found[a].adjust, found[a].final_total, found[a].percent) == (-3, 117, 97.5)
    assert (found[b].adjust, found[b].final_total) == (5, 89)
    # the unit sees the 编办's entry after its 下发包
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    [line] = [x for x in adjustments.lines(w.units["a"], w.round_id) if x.times]
    assert (line.code, line.points, line.reason) == ("J3", -3, "被市委督查室通报批评")
    # a closed round takes no more entries
    RB.close_round(w.bureau, w.mirrors, SYSTEM, w.round_id, force=True)
    with pytest.raises(AppError, match="已结束"):
        adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, a, j3.item_id, 2, "再次通报")
    with pytest.raises(AppError, match="已结束，等次标准不能再修改"):
        set_grading(w.bureau, SYSTEM, w.round_id, [("好", 90)], "较差")


def test_a_decision_rests_on_the_figures_and_reaches_the_unit(world):
    w = world
    a = w.unit_ids["a"]
    options = D.evidence_options(w.bureau, w.mirrors, a, today=TODAY)
    kinds = {e.kind for e in options}
    assert {D.ROUND, D.NEED} <= kinds
    round_ev = next(e for e in options if e.kind == D.ROUND)
    assert "最终得分120分" in round_ev.text and "等次“好”" in round_ev.text and "排名第1/2" in round_ev.text
    with pytest.raises(ValidationError, match="编制核减须填写编制数"):
        D.add_decision(w.bureau, w.mirrors, SYSTEM, a, kind="编制核减", posts=None,
                       decided_on=TODAY, evidence=options)
    with pytest.raises(ValidationError, match="请至少选择一项依据"):
        D.add_decision(w.bureau, w.mirrors, SYSTEM, a, kind="编制冻结", posts=None, decided_on=TODAY)
    D.add_decision(w.bureau, w.mirrors, SYSTEM, a, kind="编制核减", posts=2, decided_on=TODAY,
                   doc_no="沂编〔2026〕12号", evidence=[round_ev], note="收回空编")
    # the figures change later (the 编办 re-scores): the record keeps what it rested on
    set_grading(w.bureau, SYSTEM, w.round_id, [("优秀", 95)], "合格")
    now = next(e for e in D.evidence_options(w.bureau, w.mirrors, a, today=TODAY) if e.kind == D.ROUND)
    assert "等次“优秀”" in now.text
    [bureau_side] = D.decisions_of(w.bureau, w.mirrors, a)
    assert "等次“好”" in bureau_side.evidence_text and bureau_side.posts_text == "2名"
    # before the 下发包 the unit has nothing; after it, its history shows the decision
    assert D.decisions_here(w.units["a"], SYSTEM) == []
    assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
    [unit_side] = D.decisions_here(w.units["a"], SYSTEM)
    assert (unit_side.kind, unit_side.posts, unit_side.doc_no, unit_side.decided_on) == (
        "编制核减", 2, "沂编〔2026〕12号", TODAY.isoformat())
    assert unit_side.evidence == bureau_side.evidence and unit_side.note == "收回空编"
    assert D.decisions_here(w.units["b"], SYSTEM) == []                     # not b's
    staff = Actor("p2", "x", "张三", "科室人员", None, False)
    with pytest.raises(PermissionDenied):
        D.decisions_here(w.units["a"], staff)


def test_a_unit_cannot_forge_a_decision(world):
    w = world
    with w.units["a"].session(SYSTEM) as s:
        s.add(UnitDecision(unit_id=w.unit_ids["a"], kind="编制核增", posts=10, decided_on="2026-11-01",
                           doc_no="伪造", evidence="[]", note="", created_at="2026-11-01 09:00:00"))
    before = content_hash(w.root / "county.sqlite")
    [result] = w.receive(w.report("a"))
    assert result.status == "rejected" and "无权写入" in result.message and "unit_decision" in result.message
    assert content_hash(w.root / "county.sqlite") == before
    assert D.decisions_of(w.bureau, w.mirrors, w.unit_ids["a"]) == []


def test_the_reports_list_grades_and_adjustments(world, tmp_path):
    from pypdf import PdfReader
    from app.services.reporting.evaluation import build_eval_report
    w = world
    a, b = w.unit_ids["a"], w.unit_ids["b"]
    j3 = item_code(w, "a", "J3")
    adjustments.set_adjustment(w.bureau, w.mirrors, SYSTEM, w.round_id, a, j3.item_id, 1, "被市委督查室通报批评")
    set_grading(w.bureau, SYSTEM, w.round_id, [("好", 90), ("较好", 80), ("一般", 60)], "较差", 50)

    def text(path):
        return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))

    info = build_eval_report(w.bureau, w.round_id, tmp_path / "round.pdf", today=TODAY)
    body = text(info.path)
    assert "评估得分、等次与排名" in body and "折算百分制" in body
    assert "好≥90，较好≥80，一般≥60，较差<60；好等次不超过参评单位的50%" in body
    assert "被市委督查室通报批评" in body and "评定等次“好”1个、“一般”1个" in body
    unit = build_eval_report(w.bureau, w.round_id, tmp_path / "a.pdf", unit=a, today=TODAY)
    body = text(unit.path)
    assert "加分扣分项" in body and "扣分：每次扣3分，最多扣10分" in body
    assert "最终得分117分" in body and "评定等次为“好”" in body
    assert "被市委督查室通报批评" in body

"""Evaluation rounds through the services, across real packages: default templates by unit class,
automatic points filled from the statistics on both sides, the order of the 五单 steps (no
编办 score before the unit submits, nothing after the round is closed), problem states through
the exchange (待整改 → 整改中 → 待核验 → 退回整改 → 已销号), overdue items, the look-ups the CLI
uses, and the reports before anything was scored."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from pypdf import PdfReader

from app.core.errors import AppError, ValidationError
from app.services.county import bureau as B
from app.services.county.mirrors import find_unit
from app.services.evaluation import rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.org.actor import SYSTEM
from app.services.evaluation.indicators import auto_scores, install_defaults, templates
from app.core.metrics import parse_period
from app.services.evaluation.rounds_find import find_item, find_problem, find_round, template_of
from app.core.bureau.evaluation import short_id
from app.services.org.setup import UnitSetup
from tests.unit.sync_fixtures import build_world, credit, reopen

TODAY = dt.date(2026, 11, 2)
NAME = "2026年10月评估"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """编办 with the default templates, units a and b (政府部门, enrolled, logs in October 2026,
    first 上报包 imported) and c (公益一类, registered only); a round over October 2026 assigned
    to a and b by their default template, and its 下发包 imported by both."""
    root = tmp_path_factory.mktemp("rounds") / "world"
    w = build_world(root)
    for key in ("a", "b"):
        assert not w.receive(w.report(key))[0].rejected
    install_defaults(w.bureau, SYSTEM)
    w.unit_ids["c"] = B.register_unit(w.bureau, SYSTEM, UnitSetup("沂河县人民医院", credit(3),
                                                                  unit_class="公益一类事业单位"))
    round_id = rounds.create_round(w.bureau, SYSTEM, NAME, 2026, "2026-10", dt.date(2026, 11, 30))
    for key in ("a", "b"):
        rounds.assign(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids[key])
        assert not w.unit_receives(key, w.dispatch(key))[0].rejected
    w.close()
    return root, round_id


@pytest.fixture
def world(base, tmp_path):
    root, round_id = base
    copy = tmp_path / "world"
    shutil.copytree(root, copy)
    w = reopen(copy)
    w.unit_ids["c"] = find_unit(w.bureau, credit(3)).unit_id
    w.round_id = round_id
    yield w
    w.close()


def leaves(d):
    return {i.code: i for i in d.leaves}


def self_score_all(w, key: str, share: float = 1.0) -> None:
    """Every point the automatic fill left open, at `share` of its max; then submit."""
    db = w.units[key]
    rounds.fill_auto_self_scores(db, SYSTEM, w.round_id, TODAY)
    for item in rounds.detail(db, w.round_id).leaves:
        if item.self_score is None:
            rounds.set_self_score(db, SYSTEM, w.round_id, item.id, round(item.max_score * share, 2), "已落实")
    rounds.submit_self(db, SYSTEM, w.round_id)
    assert not w.receive(w.report(key))[0].rejected


def test_assign_picks_the_template_of_the_unit_class(world):
    w = world
    names = {t.id: t.name for t in templates(w.bureau)}
    assigned = dict(rounds.assigned_units(w.bureau, w.mirrors, w.round_id))
    assert {names[t] for t in assigned.values()} == {"政府部门评估指标体系"}
    used = rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["c"])
    assert names[used] == "公益服务类事业单位评估指标体系"        # 公益一类 → 公益服务类
    d = rounds.detail(w.mirror("c"), w.round_id, w.unit_ids["c"])
    assert d.template_name == names[used] and len(d.leaves) == 34 and d.stage == "定单"
    # items come parents first, siblings in order (sort_order counts per parent)
    codes = [i.code for i in d.items]
    assert codes[:4] == ["1", "1.1", "1.1.1", "1.1.2"] and codes.index("2") < codes.index("2.1.1")
    # another template while nobody has scored: allowed; after a self-score: refused
    other = next(t.id for t in templates(w.bureau) if t.name == "党委部门评估指标体系")
    rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["c"], other)
    db = w.units["a"]
    rounds.fill_auto_self_scores(db, SYSTEM, w.round_id, TODAY)
    assert not w.receive(w.report("a"))[0].rejected
    with pytest.raises(AppError, match="已开始评分"):
        rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["a"], other)


def test_auto_fill_writes_the_automatic_points_only(world):
    w = world
    db = w.units["a"]
    rounds.set_self_score(db, SYSTEM, w.round_id, find_item(db, w.round_id, db.unit_id, "1.1.1"), 2, "集体研究")
    result = rounds.fill_auto_self_scores(db, SYSTEM, w.round_id, TODAY)
    d = rounds.detail(db, w.round_id)
    expected = auto_scores(db, template_of(db, w.round_id, db.unit_id), parse_period("2026-10"), today=TODAY)
    for item in d.leaves:
        a = expected.get(item.id)
        if item.code == "1.1.1":
            assert (item.self_score, item.explanation) == (2, "集体研究")      # manual: untouched
        elif a is None:
            assert item.self_score is None
        elif a.score is None:
            assert item.self_score is None and a in result.missing
        else:
            assert item.self_score == a.score and item.explanation == "自动评分：" + a.explanation
            assert item.evidence == [{"kind": "stats", "metric": a.metric, "period": "2026-10", "value": a.value}]
    assert len(result.filled) + len(result.missing) == len(expected) == 12
    assert result.summary().startswith(f"已按统计数据填写{len(result.filled)}个自动评分要点")
    # the saturation point names its value and rule
    sat = leaves(d)["3.3.1"]
    assert re.search(r"工作饱和度[\d.]+%", sat.explanation) and "计入工时" in sat.explanation


def test_auto_scores_wait_until_the_period_has_ended(world):
    w = world
    db, unit_id = w.units["a"], w.unit_ids["a"]
    before = rounds.detail(db, w.round_id)
    for today in (dt.date(2026, 10, 15), dt.date(2026, 10, 31)):       # the round's period: 2026-10
        with pytest.raises(AppError, match="评估期间2026年10月尚未结束.*请在2026-11-01以后再自动评分"):
            rounds.fill_auto_self_scores(db, SYSTEM, w.round_id, today)
        with pytest.raises(AppError, match="尚未结束"):
            RB.fill_auto_bureau_scores(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, today)
    assert rounds.detail(db, w.round_id).leaves == before.leaves        # nothing was scored
    assert rounds.fill_auto_self_scores(db, SYSTEM, w.round_id, dt.date(2026, 11, 1)).filled


def test_bureau_scores_follow_the_submission(world):
    w = world
    mirror, unit_id = w.mirror("a"), w.unit_ids["a"]
    item = find_item(mirror, w.round_id, unit_id, "1.1.1")
    with pytest.raises(AppError, match="尚未提交自评"):
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, item, 3)
    with pytest.raises(ValidationError, match="还有"):
        rounds.submit_self(w.units["a"], SYSTEM, w.round_id)
    self_score_all(w, "a", share=0.5)
    d = rounds.detail(mirror, w.round_id, unit_id, TODAY)
    assert d.stage == "接单" and d.self_totals.complete
    # the mirror's statistics give the unit's own automatic scores
    filled = RB.fill_auto_bureau_scores(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, TODAY)
    d = rounds.detail(mirror, w.round_id, unit_id, TODAY)
    own = rounds.auto_preview(w.units["a"], w.round_id, today=TODAY)      # on the unit's own file
    assert {i.code: i.bureau_score for i in d.leaves if i.bureau_score is not None} == \
        {a.code: a.score for a in own.values() if a.score is not None}
    assert len(filled.filled) == d.bureau_totals.scored and d.stage == "评单"
    w.unit_receives("a", w.dispatch("a"))          # once the unit sees the 编办's scores
    with pytest.raises(AppError, match="不能撤回"):
        rounds.submit_self(w.units["a"], SYSTEM, w.round_id, recall=True)
    with pytest.raises(ValidationError, match="得分应在0至3分之间"):
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, item, 3.5)
    # a point of a template the unit is not evaluated by is refused
    rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["c"])
    c_item = rounds.detail(w.mirror("c"), w.round_id, w.unit_ids["c"]).leaves[0].id
    with pytest.raises(AppError, match="评估要点"):
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, c_item, 1)
    # a closed round takes nothing more, on either side
    RB.close_round(w.bureau, w.mirrors, SYSTEM, w.round_id, force=True)
    with pytest.raises(AppError, match="已结束"):
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, item, 1)
    with pytest.raises(AppError, match="已结束"):
        RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="佐证资料不够规范",
                       description="x", rectify_type="立查立改")
    assert not w.unit_receives("b", w.dispatch("b"))[0].rejected
    with pytest.raises(AppError, match="已结束"):
        rounds.set_self_score(w.units["b"], SYSTEM, w.round_id, find_item(w.units["b"], w.round_id,
                                                                          w.unit_ids["b"], "1.1.1"), 1)


def test_assigning_several_units_is_all_or_none(world):
    w = world
    w.unit_ids["d"] = B.register_unit(w.bureau, SYSTEM, UnitSetup("沂河县某协会", credit(4), unit_class="其他"))
    with pytest.raises(ValidationError) as refused:
        rounds.assign_units(w.bureau, w.mirrors, SYSTEM, w.round_id, [w.unit_ids["c"], w.unit_ids["d"]])
    # one message names the unit that cannot be assigned and why; the other one was not assigned either
    assert refused.value.problems == [
        "沂河县某协会：单位类别“其他”没有对应的指标体系（现有：党委部门、政府部门、直属事业单位、公益服务类事业单位、"
        "人大政协机关、群团机关）：请为该单位指定一套指标体系，或复制一套改为该类别"]
    assert "1个单位不能下达，所选单位都未下达" in str(refused.value) and "请先安装" not in str(refused.value)
    assert w.unit_ids["c"] not in dict(rounds.assigned_units(w.bureau, w.mirrors, w.round_id))
    # with a template named for both, both are assigned
    party = next(t.id for t in templates(w.bureau) if t.unit_class == "党委部门")
    done = rounds.assign_units(w.bureau, w.mirrors, SYSTEM, w.round_id, [w.unit_ids["c"], w.unit_ids["d"]], party)
    assert set(done.values()) == {party}
    assert {w.unit_ids["c"], w.unit_ids["d"]} <= set(dict(rounds.assigned_units(w.bureau, w.mirrors, w.round_id)))


def test_units_of_every_organ_class_get_their_own_template(world):
    w = world
    names = {t.id: t.name for t in templates(w.bureau)}
    for n, (name, cls) in enumerate((("沂河县总工会", "群团机关"), ("沂河县人大常委会办公室", "人大政协机关")), 5):
        unit_id = B.register_unit(w.bureau, SYSTEM, UnitSetup(name, credit(n), unit_class=cls))
        assert names[rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id)] == f"{cls}评估指标体系"


def test_closing_is_refused_while_units_are_unfinished(world):
    w = world
    unit_id = w.unit_ids["a"]
    self_score_all(w, "a")
    for item in rounds.detail(w.mirror("a"), w.round_id, unit_id).leaves:
        RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, item.id, item.max_score)
    problem = RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="佐证资料不够规范",
                             description="会议纪要缺失", rectify_type="立查立改")
    RB.verify_problem(w.bureau, w.mirrors, SYSTEM, unit_id, problem, close=False, comment="请补齐")
    with pytest.raises(ValidationError, match="还有2个单位未完成评估或整改，批次未结束；确需结束请加 --force") as refused:
        RB.close_round(w.bureau, w.mirrors, SYSTEM, w.round_id, today=TODAY)
    assert refused.value.problems == ["沂河县第1局：问题1个未销号（其中退回整改1个）", "沂河县第2局：仍在定单，未提交自评"]
    assert not rounds.detail(w.mirror("a"), w.round_id, unit_id).closed
    assert [r.closed_on for r in rounds.round_states(w.bureau)] == [None]
    RB.close_round(w.bureau, w.mirrors, SYSTEM, w.round_id, force=True)
    today = dt.date.today().isoformat()
    assert rounds.detail(w.mirror("a"), w.round_id, unit_id).closed_on == today
    assert [r.label for r in rounds.round_states(w.bureau)] == [f"{NAME}（统计期间2026-10）［已于{today}结束］"]
    # nothing more on a closed round: verification, problems, assignment, closing again
    for act in (lambda: RB.verify_problem(w.bureau, w.mirrors, SYSTEM, unit_id, problem, close=True),
                lambda: RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="x",
                                       description="y", rectify_type="立查立改"),
                lambda: rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["c"]),
                lambda: RB.close_round(w.bureau, w.mirrors, SYSTEM, w.round_id, force=True)):
        with pytest.raises(AppError, match="已结束"):
            act()


def test_problem_states_through_the_exchange(world):
    w = world
    unit_id, db = w.unit_ids["a"], w.units["a"]
    self_score_all(w, "a")
    late = RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="借调人员时间较长或人员较多",
                          description="借调2人超过1年", rectify_type="限时整改", deadline=dt.date(2026, 11, 1),
                          item_id=find_item(w.mirror("a"), w.round_id, unit_id, "2.5.2"))
    RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="编制资源使用率不高",
                   description="空编长期未用", rectify_type="长期坚持")
    with pytest.raises(ValidationError, match="须写明整改期限"):
        RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, unit_id, category="x", description="y",
                       rectify_type="限时整改")

    def states(database, uid=None, today=TODAY):
        return {p.description: (p.state, p.overdue) for p in rounds.detail(database, w.round_id, uid, today).problems}

    w.unit_receives("a", w.dispatch("a"))
    assert states(db) == {"借调2人超过1年": ("待整改", True), "空编长期未用": ("待整改", False)}
    assert states(db, today=dt.date(2026, 11, 1))["借调2人超过1年"] == ("待整改", False)   # due that day
    rounds.report_rectification(db, SYSTEM, late, owner="人事科", measures="召回借调人员")
    assert states(db)["借调2人超过1年"] == ("整改中", True)
    rounds.report_rectification(db, SYSTEM, late, owner="人事科", measures="召回借调人员", done=True)
    w.receive(w.report("a"))
    assert states(w.mirror("a"), unit_id)["借调2人超过1年"] == ("待核验", True)
    RB.verify_problem(w.bureau, w.mirrors, SYSTEM, unit_id, late, close=False, comment="仍有1人未召回")
    assert states(w.mirror("a"), unit_id)["借调2人超过1年"] == ("退回整改", True)
    w.unit_receives("a", w.dispatch("a"))
    line = next(p for p in rounds.detail(db, w.round_id, today=TODAY).problems if p.id == late)
    assert (line.state, line.verify_comment, line.done) == ("退回整改", "仍有1人未召回", True)
    rounds.report_rectification(db, SYSTEM, late, owner="人事科", measures="召回全部借调人员", done=True)
    assert states(db)["借调2人超过1年"] == ("待核验", True)            # answered after the reopening
    w.receive(w.report("a"))
    RB.verify_problem(w.bureau, w.mirrors, SYSTEM, unit_id, late, close=True, comment="已核实")
    assert states(w.mirror("a"), unit_id)["借调2人超过1年"] == ("已销号", False)
    with pytest.raises(AppError, match="找不到该问题"):          # another unit's problem id
        RB.verify_problem(w.bureau, w.mirrors, SYSTEM, w.unit_ids["b"], late, close=True)
    results = RB.results(w.bureau, w.mirrors, w.round_id, TODAY)
    a = next(r for r in results if r.unit_id == unit_id)
    assert (a.problems, a.open_problems, a.overdue, a.stage, a.rank) == (2, 1, 0, "改单", None)
    assert a.self_total == rounds.detail(db, w.round_id).self_totals.total


def test_lookups_by_name_short_id_and_code(world):
    w = world
    assert find_round(w.bureau, NAME) == w.round_id == find_round(w.units["a"], short_id(w.round_id))
    with pytest.raises(AppError, match="找不到评估批次"):
        find_round(w.bureau, "没有这个批次")
    db = w.units["a"]
    with pytest.raises(AppError, match="不是评估要点"):
        find_item(db, w.round_id, db.unit_id, "1.1")
    with pytest.raises(AppError, match="没有编号为“9.9.9”"):
        find_item(db, w.round_id, db.unit_id, "9.9.9")
    with pytest.raises(AppError, match="不在这个评估批次"):
        find_item(w.mirror("c"), w.round_id, w.unit_ids["c"], "1.1.1")
    self_score_all(w, "a")
    pid = RB.add_problem(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["a"], category="佐证资料不够规范",
                         description="资料不全", rectify_type="立查立改")
    assert find_problem(w.mirror("a"), short_id(pid), w.unit_ids["a"]) == pid
    with pytest.raises(AppError, match="找不到问题"):
        find_problem(w.mirror("a"), short_id(pid), w.unit_ids["b"])


def pdf_text(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))


def test_reports_before_the_bureau_scored(world, tmp_path):
    from app.services.reporting.evaluation import build_eval_report
    w = world
    self_score_all(w, "a", share=0.8)
    info = build_eval_report(w.units["a"], w.round_id, tmp_path / "a.pdf", xlsx=tmp_path / "a.xlsx", today=TODAY)
    text = pdf_text(info.path)
    total = rounds.detail(w.units["a"], w.round_id).self_totals.total
    assert info.title.startswith("沂河县第1局机构编制执行情况和使用效益评估报告")
    # one name per headcount: the roster's 实有人数 and the period's 在岗 people are told apart
    assert "实有人员" in text and "在岗人数含编外、不含借调出去的人员，与编制配备表的实有人数口径不同" in text
    assert f"单位自评得分{total:g}分" in text and "编办尚未评分" in text and "暂未反馈问题" in text
    assert "接单" in text and "一、基本情况" in text and "五、整改建议" in text
    info = build_eval_report(w.bureau, w.round_id, tmp_path / "round.pdf", today=TODAY)
    text = pdf_text(info.path)
    assert "沂河县2026年度机构编制评估工作情况报告" in text
    assert "编办尚未完成对任何单位的评分" in text and "本批次评估尚未记录问题" in text
    assert "已提交自评的单位1个" in text and "沂河县第2局尚未提交自评" in text
    with pytest.raises(AppError, match="不在这个评估批次"):
        build_eval_report(w.bureau, w.round_id, tmp_path / "c.pdf", unit=w.unit_ids["c"], today=TODAY)

"""Issue 20 (piece 6): the templates the seeds name. 人大政协机关 and 群团机关 (seed 004 admits
the gap) are evaluated by their own systems — a 人大常委会办公室, a 政协办公室 and a 总工会 are
assigned to a round, and the 人大办 receives it in its own database; a 编办 that installed the
defaults before those systems shipped is told to install them (not to copy one). 江苏's six
indicators (seed 001) ship as a seventh template, importable and assignable like the others."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.bureau import indicators as I
from app.core.errors import ValidationError
from app.services.county import bureau as B
from app.services.evaluation import indicators as S
from app.services.evaluation import indicators_excel as XL
from app.services.evaluation import rounds
from app.services.org.actor import SYSTEM
from app.services.org.setup import UnitSetup
from tests.unit.sync_fixtures import build_world, credit, enroll, new_bureau

JIANGSU = "江苏机关单位高质量发展绩效评价指标体系"
ORGANS = (("沂河县人大常委会办公室", "人大政协机关"), ("沂河县政协办公室", "人大政协机关"),
          ("沂河县总工会", "群团机关"))


@pytest.fixture
def world(tmp_path):
    w = build_world(tmp_path / "world", keys=())
    for n, (name, cls) in enumerate(ORGANS, 11):
        w.unit_ids[name] = B.register_unit(w.bureau, SYSTEM, UnitSetup(name, credit(n), unit_class=cls))
    w.round_id = rounds.create_round(w.bureau, SYSTEM, "2026年度评估", 2026, "2026-Q3", dt.date(2026, 12, 31))
    yield w
    w.close()


def test_people_s_congress_cppcc_and_union_offices_are_assigned_with_their_own_systems(world):
    w = world
    S.install_defaults(w.bureau, SYSTEM)
    names = {t.id: t.name for t in S.templates(w.bureau)}
    done = rounds.assign_units(w.bureau, w.mirrors, SYSTEM, w.round_id, [w.unit_ids[n] for n, _ in ORGANS])
    assert {n: names[done[w.unit_ids[n]]] for n, _ in ORGANS} == {
        "沂河县人大常委会办公室": "人大政协机关评估指标体系", "沂河县政协办公室": "人大政协机关评估指标体系",
        "沂河县总工会": "群团机关评估指标体系"}
    # the 人大办 enrolls and receives the round in its own database, with every 评估要点
    office = "沂河县人大常委会办公室"
    db = enroll(w, office, w.root / "congress.sqlite")
    w.units[office] = db
    assert not w.receive(w.report(office))[0].rejected          # its first 上报包 brings its key
    assert not w.unit_receives(office, w.dispatch(office))[0].rejected
    d = rounds.detail(db, w.round_id)
    system = S.find_template(w.bureau, "人大政协机关评估指标体系")
    assert d.template_name == "人大政协机关评估指标体系" and d.stage == "定单"
    assert len(d.leaves) == system.leaves > 20
    assert any("代表" in i.name or "委员" in i.name for i in d.items)     # its own indicators, not a copy


def test_a_bureau_with_the_older_defaults_is_told_to_install_the_missing_one(world):
    w = world
    for spec in S.default_specs()[:4]:            # 党委、政府、直属事业单位、公益服务类 only
        S.save_template(w.bureau, SYSTEM, spec)
    with pytest.raises(ValidationError) as refused:
        rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["沂河县人大常委会办公室"])
    assert str(refused.value) == ("沂河县人大常委会办公室：单位类别“人大政协机关”没有对应的指标体系：默认指标体系“人大政协机关评估指标体系”"
                                  "尚未安装，请先安装默认指标体系（已有的指标体系不会改动）")
    installed = dict(S.install_defaults(w.bureau, SYSTEM))
    assert installed["人大政协机关评估指标体系"] and not installed["党委部门评估指标体系"]
    used = rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, w.unit_ids["沂河县人大常委会办公室"])
    assert S.find_template(w.bureau, used).name == "人大政协机关评估指标体系"


def test_jiangsu_ships_its_six_indicators_with_weights_summing_to_100_plus_20(tmp_path):
    spec = next(s for s in S.default_specs() if s.name == JIANGSU)
    assert S.check_spec(spec) == []
    assert [(n.name, n.max_score, n.individual) for n in spec.roots] == [
        ("重点工作", 35, False), ("改革任务", 20, False), ("财政绩效", 15, False),
        ("服务市场主体", 15, False), ("服务基层", 15, False), ("争先创优", 20, True)]
    assert I.totals(spec.roots) == (100.0, 20.0)
    for root in spec.roots:                        # each indicator's points are its items' sum
        assert sum(leaf.max_score for leaf in I.leaves([root])) == root.max_score
    autos = {n.code: n.metric for n in I.leaves(spec.roots) if n.method == I.AUTO}
    assert autos == {"1.1.2": "coverage", "1.2.2": "focus_core", "1.2.3": "submission_rate",
                     "2.2.1": "coverage", "2.2.2": "saturation"}
    # installed with the others; the 政府部门 default stays the 政府部门 system
    bureau = new_bureau(tmp_path / "b.sqlite")
    S.install_defaults(bureau, SYSTEM)
    js = S.find_template(bureau, JIANGSU)
    assert (js.unit_class, js.leaves, js.common, js.individual) == ("政府部门", 23, 100, 20)
    assert S.default_template_for(bureau, "政府部门").name == "政府部门评估指标体系"
    # its Excel export imports into another 编办 as the same tree
    path = XL.export_excel(bureau, js.id, tmp_path / "js.xlsx")
    other = new_bureau(tmp_path / "other.sqlite")
    assert XL.import_excel(other, SYSTEM, path).created("指标") == 38
    again = S.tree(other, S.find_template(other, JIANGSU).id)
    assert [(n.code, n.name, n.max_score, n.method, n.metric) for n in I.walk(again)] == \
        [(n.code, n.name, n.max_score, n.method, n.metric) for n in I.walk(spec.roots)]
    bureau.dispose()
    other.dispose()


def test_the_jiangsu_system_is_assigned_to_a_government_department_when_chosen(world):
    w = world
    S.install_defaults(w.bureau, SYSTEM)
    unit = B.register_unit(w.bureau, SYSTEM, UnitSetup("沂河县发展和改革局", credit(20), unit_class="政府部门"))
    js = S.find_template(w.bureau, JIANGSU)
    assert rounds.assign(w.bureau, w.mirrors, SYSTEM, w.round_id, unit, js.id) == js.id
    d = rounds.detail(w.mirrors.get(unit), w.round_id, unit)
    assert d.template_name == JIANGSU and [i.name for i in d.items if i.level == 1] == [
        "重点工作", "改革任务", "财政绩效", "服务市场主体", "服务基层", "争先创优"]

"""The 编办's monthly 履职监测反馈 (app.services.county.feedback → 下发包 → app.services.reporting
.feedback): issued for every unit of a month, carried by the dispatch package, read by the unit's
leaders; a unit can neither write nor change one (its 上报包 is refused)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.metrics import parse_period
from app.db.feedback_models import MonthlyFeedback
from app.db.models import EvalRound, Problem
from app.services.county import feedback as bureau_fb
from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM
from app.services.reporting import feedback as unit_fb
from app.services.stats import compute as stats
from tests.unit.sync_fixtures import (DAYS, World, actor_for, approve, build_world, content_hash,
                                     reopen, restore, snapshot, write_log)

ISSUED_ON = dt.date(2026, 11, 5)


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback_template") / "world"
    w = build_world(root)
    # unit b works one more approved day: the two units' figures differ
    write_log(w.units["b"], "ls", DAYS[3], "办理市场主体登记变更12件")
    approve(w.units["b"], "ld", "ls", DAYS[3])
    for key in ("a", "b"):
        [got] = w.receive(w.report(key))
        assert got.status == P.IMPORTED, got.message
    w.close()
    return root


@pytest.fixture
def world(_template, tmp_path) -> World:
    shutil.copytree(_template, tmp_path / "world")
    w = reopen(tmp_path / "world")
    yield w
    w.close()


def add_problem(world: World, key: str, description: str, deadline: str) -> None:
    """A problem the 编办 found in an evaluation round (评单), still open."""
    with world.mirror(key).session(SYSTEM) as s:
        r = EvalRound(name="2026年度部门核心职能履行评估", year=2026, period="2026", status="open",
                      created_at="2026-10-01 09:00:00")
        s.add(r)
        s.flush()
        s.add(Problem(round_id=r.id, unit_id=world.unit_ids[key], category="职责履行不到位",
                      description=description, rectify_type="限时整改", deadline=deadline,
                      status="open", verify_comment="", created_at="2026-10-20 10:00:00"))


def test_feedback_goes_round_trip_to_the_unit_with_its_figures(world, tmp_path):
    add_problem(world, "a", "市场主体年报抽查未按期完成", "2026-10-31")
    issued = bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-10", today=ISSUED_ON)
    assert [i.unit_id for i in issued] == [world.unit_ids["a"], world.unit_ids["b"]]
    bureau_fb.set_remark(world.bureau, world.mirrors, SYSTEM, world.unit_ids["a"], "2026-10",
                         "请督促科室按时提交日志，11月底前完成年报抽查整改。")

    [got] = world.unit_receives("a", world.dispatch("a"))
    assert got.status == P.IMPORTED, got.message
    a = world.units["a"]
    leader = actor_for(a, "ld")
    [fb] = unit_fb.feedback_list(a, leader)
    assert fb.month == "2026-10" and fb.label == "2026年10月"

    own = stats.unit_stats(a, parse_period("2026-10"), "unit", today=ISSUED_ON)[0]
    figures = fb.content["figures"]
    assert figures["saturation"] == pytest.approx(own.saturation, abs=1e-3)
    assert figures["core_share"] == own.focus["core"]
    assert figures["submission_rate"] == pytest.approx(own.submission_rate, abs=1e-3)
    # two units with data: the median lies between them; each unit has its rank among the two
    county = fb.content["county"]
    assert county["units"] == 2
    other = bureau_fb.month_feedback(world.bureau, world.mirrors, "2026-10")[1].content["figures"]
    sat = county["metrics"]["saturation"]
    assert other["saturation"] > own.saturation
    assert sat["of"] == 2 and sat["rank"] == 2
    assert sat["median"] == pytest.approx((figures["saturation"] + other["saturation"]) / 2)

    sections = {s.key: s for s in fb.sections}
    assert list(sections) == ["figures", "items", "problems", "warnings", "remark"]
    assert sections["figures"].rows[0][0] == "工作饱和度"
    assert sections["figures"].rows[0][1].startswith(f"{own.saturation * 100:.1f}%")
    assert sections["problems"].rows == [["职责履行不到位", "市场主体年报抽查未按期完成", "限时整改",
                                          "2026-10-31（已超期）"]]
    assert sections["remark"].lines == ["请督促科室按时提交日志，11月底前完成年报抽查整改。"]

    pages = unit_fb.write_pdf(a, leader, "2026-10", tmp_path / "fb.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "fb.pdf").pages)
    assert pages == 1
    for words in ("2026年10月履职监测反馈", "工作饱和度", "市场主体年报抽查未按期完成", "11月底前完成年报抽查整改"):
        assert words.replace(" ", "") in text.replace(" ", "").replace("\n", ""), words

    # unit b received nothing yet; its package carries only its own feedback
    assert unit_fb.feedback_list(world.units["b"], actor_for(world.units["b"], "ld")) == []
    world.unit_receives("b", world.dispatch("b"))
    [fb_b] = unit_fb.feedback_list(world.units["b"], actor_for(world.units["b"], "ld"))
    assert fb_b.content["problems"] == [] and fb_b.remark == ""


def test_a_new_feedback_is_noticed_once_and_again_when_the_bureau_changes_it(world):
    a = world.units["a"]
    leader = actor_for(a, "ld")
    assert unit_fb.new_arrival(a, leader, "") is None
    bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-10", today=ISSUED_ON)
    world.unit_receives("a", world.dispatch("a"))
    first = unit_fb.new_arrival(a, leader, "")
    assert first is not None and "2026年10月履职监测反馈" in unit_fb.notice(first)
    assert unit_fb.new_arrival(a, leader, first.marker) is None
    bureau_fb.set_remark(world.bureau, world.mirrors, SYSTEM, world.unit_ids["a"], "2026-10", "已阅")
    world.unit_receives("a", world.dispatch("a"))
    again = unit_fb.new_arrival(a, leader, first.marker)
    assert again is not None and again.remark == "已阅"
    # staff do not read the 编办's feedback
    staff = actor_for(a, "zs")
    assert unit_fb.new_arrival(a, staff, "") is None
    with pytest.raises(PermissionDenied):
        unit_fb.feedback_list(a, staff)


def test_issuing_again_keeps_the_remark_and_bad_input_changes_nothing(world):
    bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-10", today=ISSUED_ON)
    unit_a = world.unit_ids["a"]
    bureau_fb.set_remark(world.bureau, world.mirrors, SYSTEM, unit_a, "2026-10", "继续保持")
    bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026年10月", today=ISSUED_ON)
    with world.mirror("a").read() as s:
        rows = s.scalars(select(MonthlyFeedback)).all()
    assert [(r.month, r.remark) for r in rows] == [("2026-10", "继续保持")]

    before = content_hash(world.mirrors.path(unit_a))
    with pytest.raises(AppError, match="2026年11月尚未结束"):
        bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-11", today=ISSUED_ON)
    with pytest.raises(ValidationError, match="请填写月份"):
        bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-Q3", today=ISSUED_ON)
    with pytest.raises(ValidationError, match="最多500字"):
        bureau_fb.set_remark(world.bureau, world.mirrors, SYSTEM, unit_a, "2026-10", "很" * 501)
    with pytest.raises(AppError, match="还没有2026-09的月度反馈"):
        bureau_fb.set_remark(world.bureau, world.mirrors, SYSTEM, unit_a, "2026-09", "x")
    assert content_hash(world.mirrors.path(unit_a)) == before


def test_a_unit_cannot_forge_or_change_a_feedback(world, tmp_path):
    a = world.units["a"]
    bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-10", today=ISSUED_ON)
    world.unit_receives("a", world.dispatch("a"))
    backup = snapshot(a, tmp_path / "a_backup.sqlite")
    before = content_hash(world.bureau.path)
    refusal = "同步包含有单位无权写入的数据（表“monthly_feedback”）"

    with a.session(SYSTEM) as s:     # the unit softens the 编办's remark …
        s.scalar(select(MonthlyFeedback)).remark = "表现优秀"
    [result] = world.receive(world.report("a"))
    assert result.status == P.REJECTED and refusal in result.message, result.message
    assert content_hash(world.bureau.path) == before

    a = world.units["a"] = restore(a, backup)
    with a.session(SYSTEM) as s:     # … or writes a feedback of its own
        s.add(MonthlyFeedback(unit_id=a.unit_id, month="2026-09", content="{}", remark="优秀",
                              issued_at="2026-10-05 09:00:00"))
    [result] = world.receive(world.report("a"))
    assert result.status == P.REJECTED and refusal in result.message, result.message
    assert content_hash(world.bureau.path) == before
    with world.mirror("a").read() as s:
        assert [(r.month, r.remark) for r in s.scalars(select(MonthlyFeedback))] == [("2026-10", "")]


def test_only_the_bureau_admin_issues_feedback(world):
    from app.services.org.actor import Actor
    analyst = Actor("x", "fx", "分析员", "", None, False)
    with pytest.raises(PermissionDenied):
        bureau_fb.issue_month(world.bureau, world.mirrors, analyst, "2026-10", today=ISSUED_ON)
    with pytest.raises(AppError, match="编办版"):
        bureau_fb.issue_month(world.units["a"], world.mirrors, SYSTEM, "2026-10", today=ISSUED_ON)


def test_an_overdue_supervised_item_shows_red_in_the_units_feedback(world, tmp_path):
    """The feedback carries the lights of the unit's work items (001: 红黄绿灯 on lagging tasks)
    as the 编办's mirror holds them on the day of issue, named in its own section."""
    from app.core import feedback as FB
    from app.services.items.manage import ItemInput, save_item
    a = world.units["a"]
    leader = actor_for(a, "ld")
    save_item(a, leader, ItemInput("督办事项", "DB-01", "县长批示：农贸市场整治", deadline="2026-10-20"))
    save_item(a, leader, ItemInput("工作计划", "JH-01", "第四季度食品抽检计划", deadline="2026-12-31"))
    [got] = world.receive(world.report("a"))
    assert got.status == P.IMPORTED, got.message
    issued = {i.unit_id: i for i in bureau_fb.issue_month(world.bureau, world.mirrors, SYSTEM, "2026-10",
                                                          today=ISSUED_ON)}
    world.unit_receives("a", world.dispatch("a"))
    [fb] = unit_fb.feedback_list(a, leader)
    shown = FB.sections(fb.content, "")
    assert [x.title for x in shown] == ["一、本月履职数据", "二、工作事项红黄绿灯", "三、待整改问题",
                                        "四、预警提示", "五、编办意见"]
    lights = shown[1]
    assert lights.lines[0] == "工作事项2项：红灯1项、黄灯1项、绿灯0项；无履职记录或零办理2项。"
    assert lights.rows[0][:4] == ["红灯", "督办事项", "DB-01", "县长批示：农贸市场整治"]
    assert "已超过截止日期2026-10-20共16天" in lights.rows[0][4]
    assert "红灯事项1项" in FB.summary(fb.content)
    assert unit_fb.write_pdf(a, leader, "2026-10", tmp_path / "fb.pdf") == 1
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "fb.pdf").pages)
    assert "工作事项红黄绿灯" in text and "农贸市场整治" in text
    # a unit without a list is told so; its feedback still numbers the same sections
    other = FB.sections(issued[world.unit_ids["b"]].content, "")[1]
    assert other.lines == ["本单位尚未建立工作事项清单。"]
    # a feedback issued before work items (no "items" in its content) leaves the section out
    old = {k: v for k, v in fb.content.items() if k != "items"}
    assert [x.title for x in FB.sections(old, "")][1] == "二、待整改问题"

"""Work items (工作事项): the light rule, an entry linked to an item, 编制任务比 on the item list,
a red 督办事项 seen at the 编办 after a 上报包, and the Excel import (issue 20)."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.errors import PermissionDenied, ValidationError
from app.core.items import (APPROVAL, GREEN, KEY_TASK, PLAN, RED, SUPERVISED, YELLOW, ItemFacts,
                            MonthCount, light)
from app.core.logrules import EntryDraft
from app.core.metrics import parse_period
from app.db.models import Duty, LogEntry, WorkItem
from app.services.county import table
from app.services.items import excel as items_excel
from app.services.items.manage import ItemInput, save_item, set_count, set_done
from app.services.items.progress import item_rows
from app.services.logs import daily as logs
from app.services.stats import compute as stats
from app.services.org.actor import SYSTEM
from tests.unit.sync_fixtures import DAYS, TODAY, actor_for, approve, build_world

MONTH = parse_period("2026-10")


# ---------------------------------------------------------------- the light rule
def facts(kind=SUPERVISED, deadline=None, done=None, entries=0, last=None, counts=()):
    return ItemFacts(kind, "X1", "事项", 2026, deadline, done, entries, entries * 2.0, last,
                     list(counts))


@pytest.mark.parametrize("f,colour,words", [
    (facts(deadline="2026-10-20", entries=3, last="2026-10-19"), RED, "已超过截止日期2026-10-20共10天"),
    (facts(deadline="2026-11-05"), RED, "仅6天，尚无履职记录"),
    (facts(deadline="2026-11-05", entries=2, last="2026-10-29"), YELLOW, "仅6天，尚未办结"),
    (facts(deadline="2026-10-20", done="2026-10-18"), GREEN, "已于2026-10-18办结"),
    (facts(deadline="2026-12-31", entries=1, last="2026-09-01"), YELLOW, "已59天无履职记录"),
    (facts(kind=PLAN), YELLOW, "尚无履职记录"),
    (facts(kind=KEY_TASK, entries=4, last="2026-10-28"), GREEN, "进展正常"),
    (facts(kind=APPROVAL, counts=[MonthCount("2026-09", 10, 9, 2)]), RED, "超时2件"),
    (facts(kind=APPROVAL, counts=[MonthCount("2026-06", 10, 9, 2)]), YELLOW, "零办理"),
    (facts(kind=APPROVAL, counts=[MonthCount("2026-10", 10, 9, 0)]), GREEN, "受理10件"),
])
def test_the_light_follows_the_written_rule(f, colour, words):
    got, reason = light(f, TODAY)
    assert got == colour and words in reason, reason


# ---------------------------------------------------------------- a unit with items
@pytest.fixture
def world(tmp_path):
    w = build_world(tmp_path / "w", keys=("a",))
    unit = w.units["a"]
    with unit.session(SYSTEM) as s:
        for code, text in (("1", "食品经营许可审批"), ("2", "食品安全监督检查"), ("3", "投诉举报处理")):
            s.add(Duty(unit_id=unit.unit_id, code=code, content=text, duty_class="核心"))
    yield w
    w.close()


def add(unit, kind, code, title, duties=("2",), deadline="", leader="ld") -> str:
    return save_item(unit, actor_for(unit, leader), ItemInput(kind, code, title, list(duties),
                                                             deadline=deadline, year=2026))


def duty_id(unit, code) -> str:
    with unit.read() as s:
        return s.scalar(select(Duty.id).where(Duty.code == code))


def test_staff_read_items_but_only_leaders_and_the_admin_manage_them(world):
    unit = world.units["a"]
    with pytest.raises(PermissionDenied, match="单位管理员、主要领导或分管领导"):
        add(unit, PLAN, "JH01", "季度检查计划", leader="zs")
    add(unit, PLAN, "JH01", "季度检查计划")
    assert [r.facts.code for r in item_rows(unit, TODAY)] == ["JH01"]
    with pytest.raises(ValidationError, match="督办事项须填写截止日期"):
        add(unit, SUPERVISED, "DB01", "县委督办件")
    with pytest.raises(ValidationError, match="没有编号为9的三定职责"):
        add(unit, PLAN, "JH02", "计划", duties=("9",))


def test_an_entry_linked_to_an_item_counts_toward_the_item_and_takes_its_duty(world):
    unit = world.units["a"]
    item = add(unit, KEY_TASK, "ZD01", "食品安全放心工程", duties=("2",))
    entry = EntryDraft(hours=6.0, category="业务工作", content="检查城区学校食堂8家", item_id=item)
    logs.save_day(unit, actor_for(unit, "zs"), DAYS[3], "正常", [entry], submit=True, today=TODAY)
    with unit.read() as s:
        stored = s.scalar(select(LogEntry).where(LogEntry.item_id == item))
    assert stored.duty_id == duty_id(unit, "2")            # the duty follows the item
    [row] = [r for r in item_rows(unit, TODAY) if r.id == item]
    assert (row.facts.entries, row.facts.hours, row.facts.last_day) == (1, 6.0, DAYS[3].isoformat())
    approve(unit, "ld", "zs", DAYS[3])
    [figures] = stats.unit_stats_many(unit, [MONTH], today=TODAY)
    assert figures.uncovered_duties == ["1", "3"]       # the item's duty 2 has its trace
    # the writer may not pick a duty the item does not carry
    wrong = EntryDraft(hours=2.0, category="业务工作", content="处理投诉2件", item_id=item,
                       duty_id=duty_id(unit, "3"))
    with pytest.raises(ValidationError, match="关联职责须从中选择"):
        logs.save_day(unit, actor_for(unit, "zs"), DAYS[4], "正常", [wrong], today=TODAY)


def test_an_item_with_several_duties_keeps_the_one_the_writer_picked(world):
    unit = world.units["a"]
    item = add(unit, KEY_TASK, "ZD02", "许可与检查一体化", duties=("1", "2"))
    picked = EntryDraft(hours=3.0, category="业务工作", content="审核许可申请5件", item_id=item,
                        duty_id=duty_id(unit, "1"))
    day = logs.save_day(unit, actor_for(unit, "zs"), DAYS[4], "正常", [picked], today=TODAY)
    assert day.entries[0].duty_id == duty_id(unit, "1") and day.entries[0].item_id == item


def test_old_entries_keep_their_hash_and_a_linked_one_changes_it():
    plain = EntryDraft(hours=2.0, category="业务工作", content="起草通知")
    from app.core.logrules import content_hash
    before = content_hash("正常", [plain])
    assert before == "%s" % content_hash("正常", [EntryDraft.from_dict(plain.to_dict())])
    linked = EntryDraft(hours=2.0, category="业务工作", content="起草通知", item_id="x")
    assert content_hash("正常", [linked]) != before


def test_a_red_supervised_item_shows_at_the_bureau_after_the_report(world):
    unit = world.units["a"]
    overdue = add(unit, SUPERVISED, "DB01", "县委督办：校园食品安全整改", deadline="2026-10-20")
    add(unit, SUPERVISED, "DB02", "县政府督办：夜市整治", deadline="2026-12-20")
    entry = EntryDraft(hours=4.0, category="业务工作", content="督促整改学校食堂问题3处", item_id=overdue)
    logs.save_day(unit, actor_for(unit, "zs"), DAYS[3], "正常", [entry], submit=True, today=TODAY)
    rows = {r.facts.code: r for r in item_rows(unit, TODAY)}
    assert rows["DB01"].light == RED and "已超过截止日期2026-10-20" in rows["DB01"].reason
    assert rows["DB01"].facts.entries == 1
    assert (rows["DB02"].light, rows["DB02"].reason) == (YELLOW, "尚无履职记录")
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    [row] = table.county_table(world.bureau, world.mirrors, MONTH, today=TODAY)
    assert row.red_items == 1
    assert row.to_json()["red_items"] == 1
    set_done(unit, actor_for(unit, "ld"), overdue, dt.date(2026, 10, 29))     # 办结: green again
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    [row] = table.county_table(world.bureau, world.mirrors, MONTH, today=TODAY)
    assert row.red_items == 0


def test_task_ratio_counts_the_item_list_and_says_so(world):
    unit = world.units["a"]
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    [row] = table.county_table(world.bureau, world.mirrors, MONTH, today=TODAY)
    assert (row.ratio.key_tasks, row.ratio.source, row.red_items) == (6, "登记数", None)
    for n in range(1, 3):
        add(unit, KEY_TASK, f"ZD0{n}", f"年度重点工作{n}")
    add(unit, PLAN, "JH01", "不是重点工作")
    world.receive(world.report("a"))
    [row] = table.county_table(world.bureau, world.mirrors, MONTH, today=TODAY)
    quota = row.staffing.quota_total
    assert (row.ratio.key_tasks, row.ratio.source) == (2, "事项清单")
    assert row.ratio.ratio == pytest.approx(2 / (quota / 3))


def test_approval_counts_are_checked_and_light_the_item(world):
    unit = world.units["a"]
    item = add(unit, APPROVAL, "SP01", "食品经营许可", duties=("1",))
    leader = actor_for(unit, "ld")
    with pytest.raises(ValidationError, match="月份：“2026-13”不是有效月份"):
        set_count(unit, leader, item, "2026-13", 5, 5, 0)
    set_count(unit, leader, item, "2026-10", 12, 11, 2)
    [row] = item_rows(unit, TODAY)
    assert row.light == RED and "超时2件" in row.reason


# ---------------------------------------------------------------- Excel
def fill(path, item_rows_, count_rows=()):
    wb = load_workbook(path)
    for sheet, rows in (("工作事项", item_rows_), ("审批办理量", count_rows)):
        ws = wb[sheet]
        for n, values in enumerate(rows, start=2):
            for c, v in enumerate(values, start=1):
                ws.cell(row=n, column=c, value=v)
    wb.save(path)


def test_an_excel_import_with_a_bad_row_names_it_and_imports_nothing(world, tmp_path):
    unit = world.units["a"]
    path = tmp_path / "items.xlsx"
    items_excel.write_items_template(path)
    fill(path, [("年度重点工作", "ZD01", "食品安全放心工程", "2", "", "", 2026, ""),
                ("督办事项", "DB01", "县委督办件", "2", "", "", 2026, ""),
                ("工作计划", "JH01", "检查计划", "7", "", "2026-11-31", "", "")],
         [("ZD01", "2026-10", 3, 3, 0)])
    leader = actor_for(unit, "ld")
    with pytest.raises(ValidationError) as caught:
        items_excel.import_items(unit, leader, path, today=TODAY)
    found = [str(p) for p in caught.value.problems]
    assert "工作表「工作事项」第3行「截止日期」：督办事项须填写截止日期" in found
    assert "工作表「工作事项」第4行「截止日期」：“2026-11-31”不是有效日期（格式如 2026-12-31）" in found
    assert any("第4行「关联职责编号」：没有编号为7的三定职责" in p for p in found)
    assert any("「审批办理量」第2行「事项编号」：“ZD01”是年度重点工作" in p for p in found)
    with unit.read() as s:
        assert s.scalars(select(WorkItem)).first() is None


def test_the_preview_writes_nothing_and_the_import_then_updates_by_number(world, tmp_path):
    unit = world.units["a"]
    path = tmp_path / "items.xlsx"
    items_excel.write_items_template(path)
    fill(path, [("年度重点工作", "ZD01", "食品安全放心工程", "2、3", "", "", "", ""),
                ("审批服务事项", "SP01", "食品经营许可", "1", "", "", "", "")],
         [("SP01", "2026-10", 9, 8, 1)])
    leader = actor_for(unit, "ld")
    preview = items_excel.import_items(unit, leader, path, apply=False, today=TODAY)
    assert [(r.code, r.status) for r in preview.rows] == [("ZD01", "新增"), ("SP01", "新增")]
    assert item_rows(unit, TODAY) == []
    done = items_excel.import_items(unit, leader, path, today=TODAY)
    assert "工作事项新增2项" in done.result.summary()
    rows = {r.facts.code: r for r in item_rows(unit, TODAY)}
    assert rows["ZD01"].duties == ["2 食品安全监督检查", "3 投诉举报处理"]
    assert rows["ZD01"].facts.year == 2026
    assert rows["SP01"].light == RED
    again = items_excel.import_items(unit, leader, path, apply=False, today=TODAY)
    assert [r.status for r in again.rows] == ["未变", "未变"]


def test_the_bureau_issues_key_tasks_in_the_dispatch_and_the_unit_cannot_change_them(world, tmp_path):
    unit = world.units["a"]
    world.receive(world.report("a"))
    path = tmp_path / "issued.xlsx"
    items_excel.write_items_template(path)
    fill(path, [("督办事项", "DB09", "编办不下发督办", "", "", "2026-12-01", "", "")])
    with pytest.raises(ValidationError) as caught:
        items_excel.issue_items(world.bureau, world.mirrors, SYSTEM, world.unit_ids["a"], path, today=TODAY)
    assert "工作表「工作事项」第2行「事项类型」：编办只下发年度重点工作（本行是督办事项）" in \
        [str(p) for p in caught.value.problems]
    fill(path, [("年度重点工作", "ZD90", "全县营商环境攻坚", "", "", "", 2026, "")])
    items_excel.issue_items(world.bureau, world.mirrors, SYSTEM, world.unit_ids["a"], path, today=TODAY)
    world.unit_receives("a", world.dispatch("a"))
    [row] = item_rows(unit, TODAY)
    assert (row.facts.code, row.facts.issued) == ("ZD90", True)
    leader = actor_for(unit, "ld")
    with pytest.raises(Exception, match="由编办下发"):
        save_item(unit, leader, ItemInput(KEY_TASK, "ZD90", "改个名字", [], year=2026), row.id)
    save_item(unit, leader, ItemInput(KEY_TASK, "ZD90", "全县营商环境攻坚", ["2"], year=2026), row.id)
    set_done(unit, leader, row.id, dt.date(2026, 10, 28))
    [row] = item_rows(unit, TODAY)
    assert row.duties == ["2 食品安全监督检查"] and row.light == GREEN
    assert [r.status for r in world.receive(world.report("a"))] == ["imported"]
    [mirrored] = item_rows(world.mirror("a"), TODAY)
    assert (mirrored.facts.done_on, mirrored.duties) == ("2026-10-28", ["2 食品安全监督检查"])
    [county_row] = table.county_table(world.bureau, world.mirrors, MONTH, today=TODAY)
    assert (county_row.ratio.key_tasks, county_row.ratio.source) == (1, "事项清单")

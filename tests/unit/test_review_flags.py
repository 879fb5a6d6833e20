"""Assisted review flags (app/core/flags, app/services/review_flags): every rule on a hand-built
unit, just below and just above its threshold, 涉密 entries, and thresholds from unit settings."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from app.core import flags as F
from app.core.logrules import EntryDraft
from app.db.models import Section, WorkLog
from app.services.org import accounts, unit_settings, settings_change
from app.services.logs import daily as logs
from app.services.review.flags import compute_flags

TODAY = dt.date(2026, 11, 20)          # a Friday
MON = dt.date(2026, 11, 16)
SAT = dt.date(2026, 11, 14)
NATIONAL_DAY = dt.date(2026, 10, 1)    # 国庆节 in the shipped 2026 calendar
MAKEUP_SAT = dt.date(2026, 10, 10)     # 国庆节调休上班
PASSWORD = "pw123456"

# Distinct texts of more than ten characters, none similar to another.
TEXT_A = "审核城关街道三家食品经营许可申请材料"
TEXT_B = "起草第四季度特种设备安全监察工作方案"
TEXT_C = "受理并转办十二三一五消费投诉举报七件"
TEXT_D = "整理归档十月份行政处罚案卷共计十五卷"
TEXT_E = "赴青石镇开展电梯维保单位专项检查"
TEXT_F = "组织登记注册窗口人员业务培训并测试"


def e(hours=2.0, category="业务工作", content=TEXT_A, **kw) -> EntryDraft:
    return EntryDraft(hours=hours, category=category, content=content, **kw)


@pytest.fixture
def people(unit_db, admin):
    """张三 and 李四 in 综合科, 王五 in 执法大队, all logged in."""
    with unit_db.session() as s:
        s.add_all([Section(unit_id=unit_db.unit_id, name="综合科", summary="", sort_order=1),
                   Section(unit_id=unit_db.unit_id, name="执法大队", summary="", sort_order=2)])
    actors = {}
    for login, name, section in (("zhangsan", "张三", "综合科"), ("lisi", "李四", "综合科"),
                                 ("wangwu", "王五", "执法大队")):
        accounts.add_user(unit_db, admin, accounts.NewUser(login, name, PASSWORD, section=section,
                                                           must_change=False))
        actors[login] = accounts.login(unit_db, login, PASSWORD)
    return actors


def submit(db, actor, day, entries, state="正常", late_days=0) -> str:
    """Submit the day's log; it counts as submitted `late_days` after the work date (the real
    clock stamps submissions, so tests set the time themselves)."""
    log_id = logs.save_day(db, actor, day, state, entries, submit=True, today=TODAY).log_id
    stamp = dt.datetime.combine(day + dt.timedelta(days=late_days), dt.time(18, 0))
    with db.session() as s:
        s.execute(update(WorkLog).where(WorkLog.id == log_id)
                  .values(submitted_at=stamp.isoformat(timespec="seconds")))
    return log_id


def flags_of(db, log_id) -> list[F.Flag]:
    return compute_flags(db, [log_id], today=TODAY)[log_id]


def codes(db, log_id) -> list[tuple[str, int | None]]:
    return [(f.code, f.entry_seq) for f in flags_of(db, log_id)]


def reasons(db, log_id, code) -> list[str]:
    return [f.reason for f in flags_of(db, log_id) if f.code == code]


def configure(db, key, value):
    admin = accounts.login(db, "admin", "abc12345")
    settings_change.set_value(db, admin, key, str(value))


# --------------------------------------------------------------------------- pure parts

def test_thresholds_default_to_the_unit_settings_defaults():
    defaults = F.Thresholds()
    for key, spec in unit_settings.SPECS.items():
        if key.startswith("flags."):
            assert getattr(defaults, key.removeprefix("flags.")) == spec.default, key
    assert F.Thresholds.from_settings({"flags.late_days": 3, "review.levels": 2}).late_days == 3


def test_normalise_folds_width_and_drops_punctuation():
    assert F.normalise(" 检查１２家，ＡＢＣ餐饮店。\n") == "检查12家abc餐饮店"
    assert F.similarity("检查１２家餐饮店！", "检查12家餐饮店") == 1.0
    assert F.similarity("", "") == 0.0
    assert F.percent(0.9999) == 99 and F.percent(0.95) == 95


def test_clean_log_has_no_flags(unit_db, people):
    log_id = submit(unit_db, people["zhangsan"], MON, [e(4, content=TEXT_A), e(4, content=TEXT_B)])
    assert compute_flags(unit_db, [log_id, "no-such-log"], today=TODAY) == {log_id: []}
    assert compute_flags(unit_db, []) == {}


# --------------------------------------------------------------------------- day total

def test_day_total_over_the_maximum(unit_db, people):
    zs, ls = people["zhangsan"], people["lisi"]
    at_limit = submit(unit_db, zs, MON, [e(4, content=TEXT_A), e(4, content=TEXT_B),
                                         e(4, content=TEXT_C)])
    over = submit(unit_db, ls, MON, [e(4, content=TEXT_D), e(4, content=TEXT_E),
                                     e(4.5, content=TEXT_F)])
    assert codes(unit_db, at_limit) == []
    assert reasons(unit_db, over, F.DAY_OVER) == ["当日合计12.5小时，超过12小时"]
    configure(unit_db, "flags.day_max_hours", 12.5)
    assert codes(unit_db, over) == []


def test_day_total_under_the_minimum_on_working_days_only(unit_db, people):
    zs = people["zhangsan"]
    at_limit = submit(unit_db, zs, MON, [e(2, content=TEXT_A)])
    under = submit(unit_db, zs, MON + dt.timedelta(days=1), [e(1.5, content=TEXT_B)])
    weekend = submit(unit_db, zs, SAT, [e(1.5, content=TEXT_C)])
    assert codes(unit_db, at_limit) == []
    assert reasons(unit_db, under, F.DAY_UNDER) == ["当日合计1.5小时，少于2小时"]
    assert [f.code for f in flags_of(unit_db, weekend)] == [F.NON_WORKING_DAY]
    configure(unit_db, "flags.day_min_hours", 1.5)
    assert codes(unit_db, under) == []


def test_day_total_only_for_normal_days(unit_db, people):
    trip = submit(unit_db, people["zhangsan"], MON, [e(7, content=TEXT_A), e(6, content=TEXT_B)],
                  state="出差")
    leave = submit(unit_db, people["lisi"], MON, [], state="请假")
    assert codes(unit_db, trip) == [] and codes(unit_db, leave) == []


# --------------------------------------------------------------------------- category hours

def test_entry_over_its_category_standard(unit_db, people):
    # 会议活动 has 2 standard hours: twice that is allowed, more is flagged
    log_id = submit(unit_db, people["zhangsan"], MON, [e(4, "会议活动", TEXT_A),
                                                      e(4.5, "会议活动", TEXT_B)])
    assert codes(unit_db, log_id) == [(F.OVER_STANDARD, 2)]
    assert reasons(unit_db, log_id, F.OVER_STANDARD) == ["4.5小时超过“会议活动”标准工时2小时的2倍"]
    configure(unit_db, "flags.category_factor", 2.25)
    assert codes(unit_db, log_id) == []


# --------------------------------------------------------------------------- copies

def test_copy_of_own_earlier_entry(unit_db, people):
    zs = people["zhangsan"]
    submit(unit_db, zs, dt.date(2026, 11, 9), [e(8, content="审核城关街道三家食品经营许可申请材料。")])
    log_id = submit(unit_db, zs, MON, [e(4, content=" 审核城关街道三家食品经营许可申请材料"),
                                       e(4, content=TEXT_B)])
    assert codes(unit_db, log_id) == [(F.COPY_SELF, 1)]
    assert reasons(unit_db, log_id, F.COPY_SELF) == ["与本人11月9日的内容相同"]


def test_near_copy_at_the_similarity_threshold(unit_db, people):
    zs = people["zhangsan"]
    earlier = "审核城关街道三家食品经营许可申请材料并现场核查"
    later = "审核城关街道五家食品经营许可申请材料并现场核查"
    score = F.similarity(earlier, later)
    assert 0.9 <= score < 1
    submit(unit_db, zs, dt.date(2026, 11, 9), [e(8, content=earlier)])
    log_id = submit(unit_db, zs, MON, [e(8, content=later)])
    assert reasons(unit_db, log_id, F.COPY_SELF) == [
        f"与本人11月9日的内容几乎相同（相似度{F.percent(score)}%）"]
    configure(unit_db, "flags.similarity", score)            # at the threshold: flagged
    assert [c for c, _ in codes(unit_db, log_id)] == [F.COPY_SELF]
    configure(unit_db, "flags.similarity", score + 0.001)    # just above it: not
    assert codes(unit_db, log_id) == []


def test_own_copies_are_sought_thirty_days_back(unit_db, people):
    zs, ls = people["zhangsan"], people["lisi"]
    submit(unit_db, zs, MON - dt.timedelta(days=30), [e(8, content=TEXT_C)])
    submit(unit_db, ls, MON - dt.timedelta(days=31), [e(8, content=TEXT_D)])
    inside = submit(unit_db, zs, MON, [e(8, content=TEXT_C)])
    outside = submit(unit_db, ls, MON, [e(8, content=TEXT_D)])
    assert reasons(unit_db, inside, F.COPY_SELF) == ["与本人10月17日的内容相同"]
    assert codes(unit_db, outside) == []


def test_later_entries_are_not_earlier_ones(unit_db, people):
    zs = people["zhangsan"]
    first = submit(unit_db, zs, MON, [e(8, content=TEXT_A)])
    second = submit(unit_db, zs, MON + dt.timedelta(days=1), [e(8, content=TEXT_A)])
    result = compute_flags(unit_db, [first, second], today=TODAY)
    assert result[first] == []
    assert [f.reason for f in result[second]] == ["与本人11月16日的内容相同"]


def test_copy_of_a_colleague_the_same_day(unit_db, people):
    zs, ls, ww = people["zhangsan"], people["lisi"], people["wangwu"]
    near = "审核城关街道五家食品经营许可申请材料并现场核查"
    mine = submit(unit_db, zs, MON, [e(8, content="审核城关街道三家食品经营许可申请材料并现场核查")])
    section_mate = submit(unit_db, ls, MON, [e(8, content=near)])
    other_section = submit(unit_db, ww, MON, [e(8, content=near)])
    tuesday = submit(unit_db, ww, MON + dt.timedelta(days=1), [e(8, content=TEXT_D)])
    result = compute_flags(unit_db, [mine, section_mate, other_section, tuesday], today=TODAY)
    # near copies count within the section only; exact copies anywhere in the unit
    assert [f.reason for f in result[mine]] == ["与同科室李四当天的内容几乎相同（相似度90%）"]
    assert [f.reason for f in result[section_mate]] == ["与执法大队王五当天的内容相同"]
    assert [f.reason for f in result[other_section]] == ["与综合科李四当天的内容相同"]
    assert result[tuesday] == []


def test_several_colleagues_with_the_same_text_are_counted(unit_db, people):
    ids = [submit(unit_db, people[login], MON, [e(8, content=TEXT_B)])
           for login in ("zhangsan", "lisi", "wangwu")]
    assert reasons(unit_db, ids[0], F.COPY_COLLEAGUE) == ["与同科室李四等2人当天的内容相同"]


def test_vague_or_short_texts_are_not_also_copies(unit_db, people):
    ids = [submit(unit_db, people[login], MON, [e(8, content="参加全局例会")])
           for login in ("zhangsan", "lisi")]
    assert codes(unit_db, ids[1]) == [(F.TOO_SHORT, 1)]


# --------------------------------------------------------------------------- vague text

@pytest.mark.parametrize("content, shown", [
    ("开会", "开会"), ("参加会议，学习。", "参加会议，学习。"), ("处理日常事务", "处理日常事务"),
    ("上午开会 下午学习 值班 其他日常工作", "上午开会 下午学习 值班…")])
def test_only_generic_words(unit_db, people, content, shown):
    log_id = submit(unit_db, people["zhangsan"], MON, [e(8, content=content)])
    assert codes(unit_db, log_id) == [(F.VAGUE, 1)]
    assert reasons(unit_db, log_id, F.VAGUE) == [f"内容过于笼统（仅“{shown}”）"]


def test_generic_words_with_substance_are_fine(unit_db, people):
    log_id = submit(unit_db, people["zhangsan"], MON, [e(8, content="学习《食品安全法》修正案，整理学习笔记")])
    assert codes(unit_db, log_id) == []


def test_too_few_characters(unit_db, people):
    zs = people["zhangsan"]
    ten, nine = "审核城关街道许可材料", "审核城关街道许可材"
    at_limit = submit(unit_db, zs, MON, [e(8, content=ten)])
    below = submit(unit_db, zs, MON + dt.timedelta(days=1), [e(8, content=nine)])
    spaced = submit(unit_db, zs, MON + dt.timedelta(days=2), [e(8, content=" 审核 许可，材料。 ")])
    assert codes(unit_db, at_limit) == []
    assert reasons(unit_db, below, F.TOO_SHORT) == ["内容少于10个字"]
    assert reasons(unit_db, spaced, F.TOO_SHORT) == ["内容少于10个字"]   # 6 characters
    configure(unit_db, "flags.vague_min_chars", 11)
    assert reasons(unit_db, at_limit, F.TOO_SHORT) == ["内容少于11个字"]


# --------------------------------------------------------------------------- late, non-working

def test_logged_too_late(unit_db, people):
    zs, ls = people["zhangsan"], people["lisi"]
    on_time = submit(unit_db, zs, MON, [e(8, content=TEXT_A)], late_days=7)
    late = submit(unit_db, ls, MON, [e(8, content=TEXT_B)], late_days=8)
    assert codes(unit_db, on_time) == []
    assert codes(unit_db, late) == [(F.LATE, None)]
    assert reasons(unit_db, late, F.LATE) == ["工作日期后8天才提交"]
    configure(unit_db, "flags.late_days", 8)
    assert codes(unit_db, late) == []


def test_work_on_non_working_days(unit_db, people):
    zs = people["zhangsan"]
    holiday = submit(unit_db, zs, NATIONAL_DAY, [e(3, content=TEXT_A)])
    weekend = submit(unit_db, zs, SAT, [e(3, content=TEXT_B)])
    makeup = submit(unit_db, zs, MAKEUP_SAT, [e(8, content=TEXT_C)])
    assert reasons(unit_db, holiday, F.NON_WORKING_DAY) == ["非工作日（国庆节）填报工作"]
    assert reasons(unit_db, weekend, F.NON_WORKING_DAY) == ["非工作日（星期六）填报工作"]
    assert codes(unit_db, makeup) == []
    leave = submit(unit_db, people["lisi"], SAT, [], state="公休")
    assert codes(unit_db, leave) == []


# --------------------------------------------------------------------------- 涉密

def test_secret_entries_have_no_text_flags_but_their_hours_count(unit_db, people):
    zs, ls = people["zhangsan"], people["lisi"]
    submit(unit_db, ls, MON, [e(8, "会议活动", "", secret=True)])
    log_id = submit(unit_db, zs, MON, [e(5, "会议活动", "", secret=True), e(3, content=TEXT_A)])
    assert codes(unit_db, log_id) == [(F.OVER_STANDARD, 1)]
    over = submit(unit_db, zs, MON + dt.timedelta(days=1), [e(7, content="", secret=True),
                                                            e(6, content="", secret=True)])
    assert codes(unit_db, over) == [(F.DAY_OVER, None)]


def test_flags_come_day_first_then_by_entry(unit_db, people):
    log_id = submit(unit_db, people["zhangsan"], SAT, [e(5, "会议活动", TEXT_A), e(8.5, content="开会")],
                    late_days=9)
    assert codes(unit_db, log_id) == [(F.DAY_OVER, None), (F.LATE, None),
                                      (F.NON_WORKING_DAY, None), (F.OVER_STANDARD, 1),
                                      (F.OVER_STANDARD, 2), (F.VAGUE, 2)]
    assert all(f.label for f in flags_of(unit_db, log_id))

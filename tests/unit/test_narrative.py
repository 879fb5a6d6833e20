"""Report text from hand-made numbers: rise/fall, uncovered duties, loads, no data, suggestions."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.reports import narrative as nv
from app.reports.model import (Bands, DutyActivity, DutyRef, FocusShares, LoadItem,
                               PeriodSummary)

PILOT = FocusShares(0.512, 0.337, 0.151)     # 桓台县市场监督管理局 (seed 002), as a sample

UNIT = "沂河县市场监督管理局"


def summary(**kw) -> PeriodSummary:
    base = dict(name=UNIT, period_label="2026年10月", working_days=22, people=58,
                logged_hours=8956.5, expected_hours=9280.0, approved_entries=2310,
                submission_rate=0.95, focus=FocusShares(0.46, 0.37, 0.17), duties_total=40)
    base.update(kw)
    return PeriodSummary(**base)


def test_overall_states_inputs_band_and_submission():
    text = nv.overall(summary())
    assert text == ("总体看，2026年10月沂河县市场监督管理局58名人员参与履职留痕，本期工作日22天，"
                    "应出勤工时9280小时，经审定的工作时长8956.5小时（工作记录2310条），"
                    "工作饱和度为96.5%，处于合理区间（绿灯）。日志填报率为95.0%。")


def test_overall_levels_follow_the_bands():
    assert "明显高于合理区间（红灯）" in nv.overall(summary(logged_hours=13000))
    assert "高于合理区间（黄灯）" in nv.overall(summary(logged_hours=11000))
    assert "低于合理区间（黄灯）" in nv.overall(summary(logged_hours=7000))
    assert "明显低于合理区间（红灯）" in nv.overall(summary(logged_hours=4000))
    custom = Bands(0.9, 1.1, 0.5, 1.2)
    assert "低于合理区间（黄灯）" in nv.overall(summary(logged_hours=8000), custom)


def test_no_data_and_no_expected_hours_are_said_plainly():
    empty = summary(logged_hours=0, approved_entries=0, submission_rate=0.4)
    assert nv.overall(empty) == ("2026年10月，沂河县市场监督管理局本期无已审定的日志，"
                                 "无法评价饱和度。日志填报率为40.0%。")
    assert "本期无已审定的日志，无法评价饱和度" in nv.overall(empty)
    assert nv.changes(empty) == []
    assert nv.suggestion_paragraph(empty).startswith("建议督促按时填报和审阅工作日志")
    zero = summary(expected_hours=0, working_days=0)
    assert "应出勤工时为零，饱和度不作计算" in nv.overall(zero)
    assert nv.focus(summary(focus=None)) == "本期无已审定的工时，无法计算主责主业聚焦度。"
    assert nv.coverage(summary(duties_total=0)) == "尚未录入在用的“三定”职责，无法评价履职全面度。"


def test_low_submission_rate_makes_the_saturation_indicative():
    text = nv.overall(summary(submission_rate=0.7))
    assert "填报率低于80%，部分工作未留痕，饱和度可能被低估，相关结论仅供参考。" in text
    assert "督促按时填报工作日志" in nv.suggestion_paragraph(summary(submission_rate=0.7))


def test_rise_and_fall_against_the_previous_period():
    prev = summary(period_label="2026年9月", logged_hours=8400.0, submission_rate=0.95,
                   focus=FocusShares(0.5, 0.33, 0.17),
                   uncovered=tuple(DutyRef(f"SD-{i}", "职责") for i in range(6)),
                   sections=(LoadItem("综合执法科", 1000, 1100), LoadItem("办公室", 800, 700),
                             LoadItem("登记注册科", 900, 950), LoadItem("法规科", 500, 500)),
                   categories=(("业务工作", 5000), ("会议活动", 1500), ("检查调研", 1900)))
    now = summary(previous=prev, uncovered=(DutyRef("SD-7", "职责"),),
                  sections=(LoadItem("综合执法科", 1200, 1100), LoadItem("办公室", 1000, 700),
                            LoadItem("登记注册科", 500, 950), LoadItem("法规科", 510, 500)),
                  categories=(("业务工作", 5000), ("会议活动", 2100), ("检查调研", 1856.5)))
    first, sections, categories = nv.changes(now)
    assert first == ("从变化看，与上期（2026年9月）相比，工作饱和度上升6.0个百分点（上期90.5%），"
                     "经审定的工作时长增加6.6%（上期8400小时），日志填报率持平，"
                     "核心职责工时占比下降4.0个百分点，履职全面度上升12.5个百分点。")
    assert sections == ("分科室看，饱和度上升较多的是办公室（上升28.6个百分点）、"
                        "综合执法科（上升18.2个百分点）；下降较多的是登记注册科（下降42.1个百分点）。")
    assert categories == "从工作类别看，会议活动工时占比上升5.6个百分点，业务工作工时占比下降3.7个百分点。"


def test_small_section_changes_and_missing_previous_data():
    prev = summary(period_label="2026年9月", sections=(LoadItem("甲科", 100, 100),))
    now = summary(previous=prev, sections=(LoadItem("甲科", 102, 100),))
    assert "各科室工作饱和度与上期相比变化均在5个百分点以内" in " ".join(nv.changes(now))
    no_prev = summary(previous=summary(period_label="2026年9月", logged_hours=0, approved_entries=0))
    assert nv.changes(no_prev) == ["上期（2026年9月）无已审定的日志，本期无法与上期比较。"]
    assert nv.changes(summary()) == []


def test_over_and_under_loaded_sections_and_persons_are_named():
    s = summary(sections=(LoadItem("综合执法科", 1200, 1100), LoadItem("办公室", 1000, 700),
                          LoadItem("登记注册科", 500, 950), LoadItem("新设科", 0, 0)),
                persons=(LoadItem("王堃", 200, 140), LoadItem("李喆", 60, 176),
                         LoadItem("张昇", 150, 176), LoadItem("赵赟", 120, 176),
                         LoadItem("钱玥", 170, 176)))
    sections, persons = nv.load(s)
    assert sections == ("从科室看，4个科室中，饱和度处于合理区间的1个；高于合理区间的1个：办公室（142.9%）；"
                        "低于合理区间的1个：登记注册科（52.6%）；新设科本期无应出勤工时，未作评价。")
    assert persons == ("从人员看，5人中，饱和度处于合理区间的2人，占40.0%；高于130%（红灯）的1人："
                       "王堃（142.9%）；低于60%（红灯）的1人：李喆（34.1%）；"
                       "处于黄灯区间的1人（偏高0人、偏低1人）。")
    advice = nv.suggestion_paragraph(s)
    assert "对工作饱和度高于130%的办公室和王堃同志，统筹调剂任务分工" in advice
    assert "对工作饱和度低于60%的登记注册科和李喆同志，结合岗位职责核实原因" in advice


def test_long_lists_are_cut_with_a_count():
    people = tuple(LoadItem(f"人员{i}", 300, 100) for i in range(12))
    text = nv.load(summary(persons=people))[0]
    assert "等12人" in text
    assert "等12名同志" in nv.suggestion_paragraph(summary(persons=people))


def test_uncovered_duties_are_listed_with_a_suggestion():
    s = summary(uncovered=(DutyRef("SD-07", "负责全县计量器具强制检定的组织实施和监督管理工作，依法查处计量违法行为", "核心"),
                           DutyRef("SD-12", "标准化管理", "一般")))
    text = nv.coverage(s)
    assert text.startswith("从履职全面度看，在用的“三定”职责共40项，本期有已审定工作记录的38项，履职全面度为95.0%。")
    assert "本期未见履职记录的职责2项：SD-07“负责全县计量器具强制检定的组织实施和监督管理工作…”、SD-12“标准化管理”。" in text
    assert "对本期未见履职记录的2项职责逐项核实原因" in nv.suggestion_paragraph(s)
    assert nv.coverage(summary()).endswith("各项职责本期均有履职记录。")


def test_focus_with_and_without_the_huantai_reference():
    assert nv.focus(summary()) == ("从主责主业聚焦度看，核心职责工时占比46.0%，一般职责占比37.0%，"
                                   "辅助职责（含未关联职责的工作）占比17.0%，核心职责工时占比不足一半。")
    text = nv.focus(summary(), PILOT, "桓台县市场监督管理局试点数据")
    assert "作为外部参照，桓台县市场监督管理局试点数据核心、一般、辅助职能工时占比分别为51.2%、33.7%、15.1%" in text
    assert text.endswith("本期核心职责占比低于该数据5.2个百分点。")
    assert "进一步聚焦主责主业" in nv.suggestion_paragraph(summary())


def test_daily_hours_buckets():
    assert nv.daily_hours(summary(daily_buckets=(5, 12, 35, 6))) == (
        "从日均工时看，日均5小时以下的5人，5–7小时的12人，7–10小时的35人，10小时以上的6人；"
        "日均5小时以上的53人，占91.4%。")
    assert nv.daily_hours(summary(daily_buckets=(0, 0, 0, 0))) is None


def test_core_duties():
    s = summary(duties=(DutyActivity("SD-01", "市场主体登记注册", "核心", 820, 12, 310),
                        DutyActivity("SD-02", "食品安全监管", "核心", 640, 9, 200),
                        DutyActivity("SD-09", "机关后勤", "辅助", 100, 3, 20)),
                uncovered=(DutyRef("SD-07", "计量监督", "核心"),))
    first, top, idle = nv.core_duties(s)
    assert first == ("从核心职能履行看，核心职责共3项，本期有履职记录的2项，累计工时1460小时，"
                     "占全部已审定工时的16.3%，工作记录510条。")
    assert top.startswith("工时较多的是SD-01“市场主体登记注册”，820小时，12人参与，310条记录；")
    assert idle == "核心职责中本期未见履职记录的1项：SD-07“计量监督”。"
    assert nv.core_duties(summary()) == ["本期未发现已分类为核心职责的“三定”职责，无法评价核心职能履行情况。"]


def test_person_paragraphs():
    p = PeriodSummary("王堃", "2026年10月", kind="person", working_days=22, logged_hours=200,
                      expected_hours=140, approved_entries=40, submission_rate=1.0,
                      focus=FocusShares(0.6, 0.3, 0.1),
                      categories=(("业务工作", 150), ("会议活动", 50)))
    text = nv.person_paragraphs(p)
    assert text[0].startswith("总体看，2026年10月王堃同志本期工作日22天")
    assert "从工作类别看，用时最多的是业务工作（150小时，占75.0%），其次是会议活动（50小时，占25.0%）。" in text
    assert text[-1] == "建议所在科室统筹调剂任务，减轻其工作负荷（本期饱和度142.9%）。"
    calm = PeriodSummary("李喆", "2026年10月", kind="person", working_days=22, logged_hours=170,
                         expected_hours=176, approved_entries=40, submission_rate=1.0,
                         focus=FocusShares(0.6, 0.3, 0.1))
    assert nv.person_paragraphs(calm)[-1] == "本期各项指标未见异常，建议继续保持日志填报和审阅质量。"


def test_change_helpers():
    assert nv.change_points(0.5, 0.5) == "持平"
    assert nv.change_points(0.52, 0.5) == "上升2.0个百分点"
    assert nv.change_relative(90, 100) == "减少10.0%"
    assert nv.change_relative(5, 0) is None


ratios = st.one_of(st.none(), st.floats(0, 2))
loads = st.lists(st.builds(LoadItem, st.text("甲乙丙丁", min_size=1, max_size=4),
                           st.floats(0, 500), st.one_of(st.just(0.0), st.floats(1, 500))),
                max_size=6)


@settings(max_examples=60, deadline=None)
@given(logged=st.floats(0, 20000), expected=st.one_of(st.just(0.0), st.floats(8, 20000)), entries=st.integers(0, 5000),
       rate=ratios, core=st.floats(0, 100), general=st.floats(0, 100), aux=st.floats(0, 100),
       sections=loads, persons=loads, total=st.integers(0, 50), prev=st.booleans())
def test_any_numbers_give_complete_sentences(logged, expected, entries, rate, core, general,
                                             aux, sections, persons, total, prev):
    s = summary(logged_hours=logged, expected_hours=expected, approved_entries=entries,
                submission_rate=rate, focus=FocusShares.from_hours(core, general, aux),
                sections=tuple(sections), persons=tuple(persons), duties_total=total,
                uncovered=tuple(DutyRef(f"SD-{i}", "职责") for i in range(min(total, 3))),
                previous=summary(period_label="上月", logged_hours=logged / 2) if prev else None)
    parts = [nv.overall(s), *nv.changes(s), *nv.load(s), nv.focus(s, PILOT, "桓台县市场监督管理局试点数据"),
             nv.coverage(s), *nv.core_duties(s), nv.suggestion_paragraph(s)]
    for text in parts:
        assert text and text.endswith("。"), text
        for bad in ("None", "nan", "inf", "{", "}"):
            assert bad not in text, text

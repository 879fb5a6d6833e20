"""Evaluation reports on a small hand-built unit: the PDFs are read back and their sentences
checked against numbers worked out by hand (who is over- and under-loaded, which duty was not
carried out, what rose and fell), secret entries never show text, access rules apply, and the
Excel file holds the tables the PDF shows.

Two sections; p1 (甲科) works 12 h a day, p2 (乙科) 8 h, p3 (乙科) 2 h in the week of
2026-10-12..16 (W = 5, E = 40 h each); in the five days before (10-07..11: the 10th is a
make-up workday, the 7th a holiday, 3 working days) everyone worked 8 h a working day.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.signers import signed
from app.core.errors import AppError, PermissionDenied
from app.core.metrics import parse_period
from app.db.models import EntryText, LogEntry, Unit
from app.reports import report_data as R
from app.reports.typeset.fonts import register_fonts
from app.services.reporting.unit import build_report, focus_reference
from app.reports.report_parts import title_lines
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from tests.unit.stats_fixtures import Builder

WEEK = parse_period("2026-10-12..2026-10-16")
BEFORE = parse_period("2026-10-07..2026-10-11")     # the 5 days before: 8, 9 and 10 are working
NOW = [dt.date(2026, 10, d) for d in range(12, 17)]
TODAY = dt.date(2026, 10, 20)
SECRET_TEXT = "涉密会议的具体议题不应出现在报告中"


@pytest.fixture
def unit(unit_db):
    b = Builder(unit_db)
    b.section("甲科", 1)
    b.section("乙科", 2)
    for login, section in (("p1", "甲科"), ("p2", "乙科"), ("p3", "乙科")):
        b.person(login, section)
    b.duty("SD-01", "核心", ("甲科",), posts=("p1",))
    b.duty("SD-02", "一般", ("乙科",), posts=("p2",))
    b.duty("SD-03", "核心", ("乙科",), posts=("p3",))          # never worked on
    b.duty("SD-04", "辅助", ("乙科",))
    before = work_calendar(unit_db).working_days(BEFORE.start, BEFORE.end)
    assert [d.day for d in before] == [8, 9, 10]
    texts = {"SD-01": ["检查辖区内第{n}家食品经营户的进货查验记录并现场督促整改",
                       "组织召开第{n}次食品安全风险会商会议并形成会议纪要"],
             "SD-02": ["起草第{n}份规范性文件的合法性审查意见"]}
    count = iter(range(10_000))

    def item(hours, category, code, seq):
        options = texts.get(code, ["学习业务知识"])
        return (hours, category, code, options[(seq - 1) % len(options)].format(n=next(count)))

    rows = []
    for day in before:
        rows += [(p, day, "approved", "正常", [item(8, "业务工作", "SD-01", 1)]) for p in ("p1", "p2", "p3")]
    for day in NOW:
        rows += [("p1", day, "approved", "正常", [item(8, "业务工作", "SD-01", 1), item(4, "检查调研", "SD-01", 2)]),
                 ("p2", day, "approved", "正常", [item(6, "业务工作", "SD-02", 1), item(2, "综合事务", "SD-04", 2)]),
                 ("p3", day, "approved", "正常", [item(2, "学习教育", None, 1)])]
    # The last SD-01 entry gets the longest text, and is secret: it must never be printed.
    rows[-3][4][-1] = (4, "检查调研", "SD-01", SECRET_TEXT * 2, True)
    b.logs(rows)
    b.db = unit_db
    return b


def actor(b: Builder, login: str, role: str = "科室人员") -> Actor:
    section = {"p1": "甲科", "p2": "乙科", "p3": "乙科"}.get(login)
    return signed(b.db, Actor(b.persons[login], login, f"人员{login}", role, b.sections.get(section),
                             False))


def pdf_text(path) -> str:
    reader = PdfReader(str(path))
    pages = [page.extract_text() for page in reader.pages]
    assert all(p.strip() for p in pages), "a page without text"
    return re.sub(r"\s+", "", "".join(pages))


def report(unit, tmp_path, kind, **kw):
    out = tmp_path / f"{kind}.pdf"
    info = build_report(unit.db, kind, WEEK, out, today=TODAY, xlsx=tmp_path / f"{kind}.xlsx", **kw)
    assert info.pages >= 1 and info.path == out and info.seconds > 0
    return info, pdf_text(out)


def test_unit_report_names_the_loads_the_uncovered_duty_and_the_fall(unit, tmp_path):
    info, text = report(unit, tmp_path, "unit")
    assert info.title == "测试县市场监督管理局2026-10-12至2026-10-16部门履职评估分析报告"
    # 110 h of 120 h: 91.7 %; the week before 120 of 120
    assert "应出勤工时120小时，经审定的工作时长110小时（工作记录25条），工作饱和度为91.7%" in text
    assert "工作饱和度下降8.3个百分点（上期100.0%）" in text
    assert "经审定的工作时长增加52.8%（上期72小时）" in text
    # p1 60/40 = 150 % (red, high), p3 10/40 = 25 % (red, low), p2 40/40 = 100 %
    assert "高于130%（红灯）的1人：人员p1（150.0%）" in text
    assert "低于60%（红灯）的1人：人员p3（25.0%）" in text
    assert "对工作饱和度高于130%的甲科和人员p1同志，统筹调剂任务分工" in text
    assert "对工作饱和度低于60%的人员p3同志" in text
    # SD-03 had no approved entry: named in the text and in the table
    assert "在用的“三定”职责共4项，本期有已审定工作记录的3项，履职全面度为75.0%" in text
    assert "本期未见履职记录的职责1项：SD-03“职责SD-03”" in text
    assert "表" in text and "本期未见履职记录的职责" in text
    # 甲科 150 % (red) and 乙科 50/80 = 62.5 % (yellow, low)
    assert "高于合理区间的1个：甲科（150.0%）" in text
    assert "低于合理区间的1个：乙科（62.5%）" in text
    # focus: core 60 of 110 h, general 30, auxiliary 20 (10 of them without a duty)
    assert "核心职责工时占比54.5%，一般职责占比27.3%，辅助职责（含未关联职责的工作）占比18.2%" in text
    assert "计入工时110小时÷应出勤工时120小时" in text
    for junk in ("None", "nan", "{", "}"):
        assert junk not in text
    assert SECRET_TEXT not in text


def test_the_pilot_reference_is_printed_only_for_units_of_its_kind(unit, tmp_path):
    ref = focus_reference("沂河县市场监督管理局")
    assert (ref.label, ref.shares.core) == ("桓台试点", 0.512)
    assert focus_reference("沂河县委组织部") is None and focus_reference("沂河县人民医院") is None
    _, text = report(unit, tmp_path, "unit")                   # 测试县市场监督管理局: of its kind
    assert "外部参照数据为桓台县市场监督管理局试点数据" in text and "作为外部参照" in text
    with unit.db.session() as s:
        s.get(Unit, unit.db.unit_id).name = "测试县委组织部"
    _, text = report(unit, tmp_path, "unit")
    assert "桓台" not in text and "参照" not in text


def test_core_report_examples_exclude_secret_entries(unit, tmp_path):
    info, text = report(unit, tmp_path, "core")
    assert "核心职责共2项，本期有履职记录的1项，累计工时60小时，占全部已审定工时的54.5%" in text
    assert "核心职责中本期未见履职记录的1项：SD-03" in text
    assert "本期该项职责累计工时60小时，占核心职责工时的100.0%，1名人员参与，工作记录10条" in text
    assert "“三定”规定的承担科室为甲科" in text
    assert "食品经营户的进货查验记录" in text or "食品安全风险会商会议" in text
    assert SECRET_TEXT not in text
    assert "SD-01本期仅由1人承担" in text
    assert "对本期未见履职记录的1项核心职责（SD-03）逐项核实原因" in text
    assert "核心职责工时合计减少16.7%（上期72小时）" in text      # SD-01: 72 h → 60 h
    book = load_workbook(tmp_path / "core.xlsx")
    assert "工作记录示例" in book.sheetnames
    examples = [row for row in book["工作记录示例"].iter_rows(min_row=3, values_only=True)]
    assert examples and all(row[0] == "SD-01" for row in examples)
    assert all(SECRET_TEXT not in (row[4] or "") for row in examples)


def test_person_and_section_reports(unit, tmp_path):
    _, text = report(unit, tmp_path, "person", user="p3")
    assert "甲科人员p3同志" not in text and "乙科人员p3同志本期工作日5天" in text
    assert "工作饱和度为25.0%，明显低于合理区间（红灯）" in text
    assert "结合岗位职责核实原因，充实工作任务（本期饱和度25.0%）" in text
    assert "本人岗位职责共1项，本期有已审定工作记录的0项" in text
    assert "SD-03" in text and "未关联职责的工作" in text
    _, text = report(unit, tmp_path, "section", section="乙科")
    assert "总体看，2026-10-12至2026-10-16乙科2名人员参与履职留痕" in text
    assert "工作饱和度62.5%，比全单位低29.2个百分点（全单位91.7%）" in text
    assert "本科室承担的在用职责共3项，本期有已审定工作记录的2项" in text
    assert "SD-03“职责SD-03”" in text
    book = load_workbook(tmp_path / "section.xlsx")
    assert book.sheetnames[0] == "表1 主要指标"
    sheet = book["表3 本科室人员履职情况"]
    assert [c.value for c in sheet[2]][:3] == ["姓名", "计入工时", "应出勤工时"]
    assert [c.value for c in sheet[3]][:4] == ["人员p2", 40, 40, 1.0]
    assert sheet.cell(3, 4).number_format == "0.0%"


def test_access_rules_of_the_statistics_apply(unit, tmp_path):
    staff = actor(unit, "p2")
    for kind in ("unit", "core"):
        with pytest.raises(PermissionDenied):
            build_report(unit.db, kind, WEEK, tmp_path / "x.pdf", actor=staff, today=TODAY)
    with pytest.raises(PermissionDenied):
        build_report(unit.db, "person", WEEK, tmp_path / "x.pdf", user="p1", actor=staff)
    with pytest.raises(PermissionDenied):
        build_report(unit.db, "section", WEEK, tmp_path / "x.pdf", section="甲科", actor=staff)
    info = build_report(unit.db, "person", WEEK, tmp_path / "own.pdf", user="p2", actor=staff,
                        today=TODAY)
    assert info.pages >= 1
    head = actor(unit, "p2", "科室负责人")
    assert build_report(unit.db, "section", WEEK, tmp_path / "s.pdf", section="乙科", actor=head,
                        today=TODAY).pages >= 1
    assert not (tmp_path / "x.pdf").exists()


def test_bad_requests_say_what_is_wrong(unit, tmp_path):
    cases = [(dict(kind="weekly"), "报告类型"), (dict(kind="section", section="丙科"), "丙科"),
             (dict(kind="section"), "--section"), (dict(kind="person", user="nobody"), "nobody"),
             (dict(kind="unit", period="2026-13"), "月份")]
    for kw, words in cases:
        kw.setdefault("period", WEEK)
        with pytest.raises(AppError, match=words):
            build_report(unit.db, kw.pop("kind"), kw.pop("period"), tmp_path / "x.pdf", **kw)


def test_previous_periods_and_titles():
    prev = R.previous_period
    assert prev(parse_period("2026-01")) == parse_period("2025-12")
    assert prev(parse_period("2026-Q1")) == parse_period("2025-Q4")
    assert prev(parse_period("2026-Q3")) == parse_period("2026-Q2")
    assert prev(parse_period("2026")) == parse_period("2025")
    assert prev(WEEK) == parse_period("2026-10-07..2026-10-11")
    font = register_fonts().heiti
    assert title_lines(["甲科", "2026年10月", "科室履职评估分析报告"], font) == \
        "甲科2026年10月科室履职评估分析报告"
    lines = title_lines(["沂河县市场监督管理局", "2026年第四季度", "部门核心职能履行评估分析报告"],
                        font).split("\n")
    assert lines == ["沂河县市场监督管理局2026年第四季度", "部门核心职能履行评估分析报告"]


def test_a_table_never_leaves_its_header_alone_at_the_foot_of_a_page():
    """With a two-line header, reportlab splits a row inside when no whole row fits even before
    the row's first line: the header stood alone at the foot of a page (the core-duty report's
    table). RuledTable refuses such a split; a split after real lines still happens."""
    from reportlab.platypus import Table

    from app.reports.typeset.document import OfficialDocument
    from app.reports.typeset.layout import TEXT_WIDTH
    from app.reports.typeset.tables import build_table
    doc = OfficialDocument("测试", "单位", TODAY, register_fonts())
    row = ["SD-07", "承担县食品安全委员会日常工作，负责食品安全监督管理综合协调，组织食品安全重大活动保障",
           "4144", "8.3%", "34", "1509", "办公室、食品安全科"]
    table = build_table(doc, ["编号", "职责内容", "工时", "占核心工时", "人数", "条数", "承担科室"],
                        [row] * 3, col_widths=None, align=None, font_size=10.5,
                        emphasize_last=False)
    table.wrap(TEXT_WIDTH, 1000)
    header = table._rowHeights[0]
    [bare, _] = Table.split(table, TEXT_WIDTH, header + 3)    # reportlab: header + padding
    assert bare._rowHeights[1] < 8
    assert table.split(TEXT_WIDTH, header + 3) == []
    first, rest = table.split(TEXT_WIDTH, header + 40)         # a row cut after its first lines
    assert first._rowHeights[1] >= 8 and len(rest._rowHeights) == 4

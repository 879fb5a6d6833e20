"""The county report (机构编制执行情况和使用效益分析报告) of a small county: a 编办 and three
enrolled demo units whose 上报包 were imported, plus a fourth unit registered but never heard
from. The PDF is read back with pypdf and its figures compared with county_table's, formatted the
way the report prints them; the Excel holds the same numbers. The county's ratios are checked to
come from the sums of the units' inputs (hand-made rows), not from averages of percentages.

Quotas are chosen against the demo roster (行政18, 事业4, 工勤2, 政法1 on quota types; about 22
FTE of logged work in October) so that the four staffing-need verdicts all occur.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.core.bureau import county as C
from app.core import metrics as M
from app.core.errors import AppError
from app.core.metrics import parse_period
from app.core.validators import make_credit_code
from app.reports.county import data as D
from app.reports.county import text as T
from app.services.reporting.county import build_county_report
from app.reports.county.report import write_report
from app.reports.model import hours, pct
from app.reports.report_book import BAND_WORDS
from app.services.county import bureau, table as county
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.org.actor import SYSTEM
from app.core.bureau.county import CountyRow
from app.core.figures import Figures
from app.core.need import NeedRule, assess
from app.demo.unit import generate_demo
from app.services.org.setup import UnitSetup, initialise_unit, open_database

PERIOD = parse_period("2026-10")
TODAY = dt.date(2026, 11, 22)
BUREAU = "沂河县委编办"
UNITS = [  # name, quotas, leader posts, 编制任务比 class, key tasks
    ("沂河县市场监督管理局", {"行政编制": 20, "事业编制": 4}, {"正职": 1, "副职": 4}, "服务经济", 8),
    ("沂河县人力资源和社会保障局", {"行政编制": 14, "事业编制": 4}, {"正职": 1, "副职": 3}, "社会民生", 3),
    ("沂河县机关事务服务中心", {"行政编制": 20, "事业编制": 6, "工勤编制": 3, "政法专项编制": 1},
     {"正职": 1, "副职": 3}, "综合保障", 8),
]
SILENT = ("沂河县档案馆", {"事业编制": 6}, {"正职": 1, "副职": 1}, None, None)


def build_county(root: Path) -> Path:
    """The 编办 database of the test county (made once per test session, see copy_county)."""
    b = open_database(root / "county.sqlite", create=True)
    initialise_unit(b, UnitSetup(BUREAU, make_credit_code("11371321", "MB285103"),
                                 edition="bureau"))
    mirrors = Mirrors(b)
    (root / "usb").mkdir()
    packages = []
    for i, (name, quotas, posts, task_class, tasks) in enumerate([*UNITS, SILENT]):
        uid = bureau.register_unit(b, SYSTEM, UnitSetup(name, make_credit_code(
            "11371321", f"MB28{5104 + i:04d}"), staffing_quotas=quotas, leader_posts=posts),
            task_class=task_class, key_tasks=tasks)
        if i == len(UNITS):
            break                                   # the silent unit never sends a package
        e = enrollment.write_enrollment(b, mirrors, uid, root / "usb")
        generate_demo(root / f"u{i}.sqlite", seed=5 + i, months=1, people=30, enrollment=e.path,
                      enrollment_code=e.code, end=dt.date(2026, 10, 31))
        u = open_database(root / f"u{i}.sqlite")
        packages.append(unit_sync.export_report(u, root / "usb").path)
        u.dispose()
    results = bureau.import_packages(b, mirrors, packages, apply=True)
    assert [r.status for r in results] == ["imported"] * len(UNITS)
    mirrors.close()
    b.dispose()
    return root / "county.sqlite"


def copy_county(tmp_path_factory) -> Path:
    """A fresh copy of the test county (the database and its `.units` mirrors). The county is
    built once per session in a fixed folder of the session's temporary directory, so the e2e
    tests (another module) reuse it."""
    source = tmp_path_factory.getbasetemp() / "county_source"
    if not (source / "complete").exists():
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir()
        build_county(source)
        (source / "complete").touch()
    target = tmp_path_factory.mktemp("county") / "c"
    shutil.copytree(source, target)
    return target / "county.sqlite"


def pdf_text(path) -> str:
    """The text without whitespace and page numbers, so sentences read across page breaks."""
    pages = [p.extract_text() for p in PdfReader(str(path)).pages]
    assert pages and all(p.strip() for p in pages), "a page without text"
    for n, page in enumerate(pages, 1):
        assert f"— {n} —" in page, f"page {n} has no page number"
        pages[n - 1] = page.replace(f"— {n} —", "", 1)
    return re.sub(r"\s+", "", "".join(pages))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    path = copy_county(tmp_path_factory)
    db = open_database(path)
    out = path.parent / "report"
    info = build_county_report(db, PERIOD, out / "county.pdf", xlsx=out / "county.xlsx",
                               today=TODAY)
    mirrors = Mirrors(db)
    rows = county.county_table(db, mirrors, PERIOD, today=TODAY)
    mirrors.close()
    yield db, info, rows, pdf_text(info.path)
    db.dispose()


def test_title_units_and_county_figures_from_sums(made):
    db, info, rows, text = made
    assert info.title == "沂河县机构编制执行情况和使用效益分析报告（2026年10月）"
    assert text.index("沂河县机构编制执行情况和使用效益分析报告（2026年10月）") < text.index("一、总体情况")
    assert text.count("沂河县委编办") == 1 and "2026年11月22日" in text      # 落款
    for name, *_ in [*UNITS, SILENT]:
        assert name in text, name
    data = [r.figures for r in rows if r.figures and r.figures.logged_hours > 0]
    assert len(data) == 3
    L = sum(f.logged_hours for f in data)
    E = sum(f.expected_hours for f in data)
    sub, avail = sum(f.submitted_days for f in data), sum(f.available_days for f in data)
    core = sum(f.focus_hours["core"] for f in data)
    total = sum(sum(f.focus_hours.values()) for f in data)
    covered = sum(len(f.covered_duties) for f in data)
    active = sum(f.active_duties for f in data)
    people = sum(f.people for f in data)
    assert f"全县3个单位{people}名人员参与履职留痕" in text
    assert (f"应出勤工时{hours(E)}小时，经审定的工作时长{hours(L)}小时，全县工作饱和度为"
            f"{pct(L / E)}") in text
    assert f"日志填报率为{pct(sub / avail)}（已提交日志{sub}人日÷应出勤{avail}人日）" in text
    assert f"核心职责工时占比{pct(core / total)}" in text
    assert f"履职全面度为{pct(covered / active)}（有留痕的职责{covered}项÷在用职责{active}项）" in text
    assert "另有1个单位本期没有已审定的日志或未报送上报包：沂河县档案馆" in text
    quota = sum(r.staffing.quota_total for r in rows)
    actual = sum(r.staffing.actual_total for r in rows)
    assert f"全县在编办登记的单位4个，核定编制{quota}名" in text
    assert f"实有人员{actual}人，编制使用率{pct(actual / quota)}" in text
    assert "上期（2026年9月）各单位均无已审定的日志，本期无法与上期比较" in text
    for junk in ("None", "nan", "{", "}"):
        assert junk not in text


def test_unit_rows_need_and_task_ratio(made):
    _, _, rows, text = made
    # one month is shorter than the minimum span: no unit is judged, each says why
    assert {r.need.verdict for r in rows} == {"数据不足"}
    for r in rows:
        if r.figures is not None and r.figures.logged_hours > 0:
            assert "编制需求至少按3个完整月测算" in "；".join(r.need.reasons), r.name
            assert f"{r.name}（{'；'.join(r.need.reasons)}）" in text, r.name
    for r in rows:
        f = r.figures
        if f and f.logged_hours > 0:
            saturation = f.logged_hours / f.expected_hours     # unrounded, as printed
            assert (f"{r.name}{hours(f.logged_hours)}{hours(f.expected_hours)}"
                    f"{pct(saturation)}{BAND_WORDS[f.band]}") in text, r.name
        if r.ratio.ratio is not None:
            assert f"{r.ratio.task_class}{r.ratio.quota}{r.ratio.key_tasks}{r.ratio.target:.2f}" \
                   f"{r.ratio.ratio:.2f}" in text
    assert "沂河县档案馆（本期没有已审定的日志" in text
    assert "沂河县档案馆本期没有已审定的日志" in text                  # 表 各单位预警事项
    assert "1个单位尚未设定编制任务比类别或重点任务数（或核定编制为零）：沂河县档案馆" in text
    assert "测算需要人数=在岗人数×工作饱和度÷目标饱和度100%" in text.replace("＝", "=")
    assert "饱和度高于115%且测算人数比在岗人数多1人以上、又超出核定编制1名以上的，为增编依据" in text
    over = [r for r in rows if r.staffing.over_leaders]
    assert over and f"{len(over)}个单位超职数配备领导干部" in text
    assert "六、需要关注的问题" in text and "七、建议" in text
    # one month of data, partly in review: no staffing advice either way
    assert "统筹调剂编制资源" not in text and "核减富余编制" not in text and "审阅进度滞后" in text


def test_excel_holds_the_tables_with_the_same_numbers(made):
    _, info, rows, _ = made
    book = load_workbook(info.xlsx)
    names = book.sheetnames
    assert names[:2] == ["表1 全县编制配备情况（按编制类型）", "表2 全县主要指标（2026年10月）"]
    by_name = {r.name: r for r in rows}

    def sheet(prefix):
        ws = book[next(n for n in names if n.startswith(prefix))]
        head = [c.value for c in ws[2]]
        return [dict(zip(head, row)) for row in ws.iter_rows(min_row=3, values_only=True)]

    load = sheet("表3 ")
    assert [x["单位"] for x in load][-1] == "全县合计"
    for x in load[:-1]:
        f = by_name[x["单位"]].figures
        if f and f.logged_hours > 0:
            assert (x["计入工时"], x["应出勤工时"]) == (f.logged_hours, f.expected_hours)
            assert x["饱和度"] == pytest.approx(f.saturation, abs=1e-4) and x["排名"] >= 1
        else:
            assert x["排名"] is None and x["分档"] == "无数据"
    staff = sheet("表4 ")
    for x in staff[:-1]:
        s = by_name[x["单位"]].staffing
        assert (x["编制数"], x["实有"], x["空编"], x["借调"]) == (
            s.quota_total, s.actual_total, s.vacancies, s.seconded)
    assert staff[-1]["编制数"] == sum(r.staffing.quota_total for r in rows)
    need = sheet("表5 ")
    assert {x["测算结论"] for x in need} == {"数据不足"}              # one month: not judged
    for x in need:
        r = by_name[x["单位"]]
        has = r.figures is not None and r.figures.logged_hours > 0
        need_n = round(r.need.need, 2) if has else None
        assert (x["测算需要"], x["在岗人数"], x["核定编制"]) == (need_n, r.need.people, r.need.quota)
        assert x["待审工时"] == (r.figures.pending_hours if has else None)
    ratios = sheet("表6 ")
    values = [x["编制任务比"] for x in ratios]          # high to low, units without one last
    assert values[-1] is None and values[:-1] == sorted(values[:-1], reverse=True)
    got = {x["单位"]: x["编制任务比"] for x in ratios}
    assert got == {r.name: None if r.ratio.ratio is None else round(r.ratio.ratio, 2)
                   for r in rows}
    assert any(n.startswith("图 各单位工作饱和度") for n in names)


def test_a_range_is_compared_with_the_days_before(made, tmp_path):
    db, *_ = made
    period = parse_period("2026-10-19..2026-10-31")
    before = parse_period("2026-10-06..2026-10-18")
    info = build_county_report(db, period, tmp_path / "r.pdf", today=TODAY)
    text = pdf_text(info.path)
    mirrors = Mirrors(db)
    t = D.totals(county.county_table(db, mirrors, period, today=TODAY), period)
    p = D.totals(county.county_table(db, mirrors, before, today=TODAY), before)
    mirrors.close()
    assert t.has_data and p.has_data
    assert info.title.endswith("（2026-10-19至2026-10-31）")
    # the last days of October are still in review: no rise or fall is read from them
    assert t.review_completion < 0.9 and t.pending_logs > 0
    assert (f"尚有{pct(1 - t.review_completion)}的已提交工时待审，审定率低于90%，本期与上期"
            f"（2026-10-06至2026-10-18）的差异主要反映审阅和报送进度，不作升降判断：本期工作饱和度"
            f"{pct(t.saturation)}、上期{pct(p.saturation)}") in text
    assert "全县工作饱和度下降" not in text and "全县工作饱和度上升" not in text
    assert f"已提交、尚未审定的日志{t.pending_logs}篇" in text


# ---------------------------------------------------------------- hand-made rows
QUARTER = parse_period("2026-Q3")      # an ended quarter: the need rule may conclude


def row(name, quotas, actual, logged=0.0, expected=0.0, submitted=0, available=0,
        focus=(0.0, 0.0, 0.0), covered=0, active=0, people=1, tasks=None):
    staffing = C.Staffing(quotas, actual, {"正职": 1}, {"正职": 1}, 0)
    figures = None
    if expected:
        figures = Figures("unit", name, name, QUARTER, people=people,
                          people_by_class={"在编": people}, logged_hours=logged,
                          expected_hours=expected, saturation=logged / expected,
                          band=M.band(logged / expected), working_days=21,
                          submitted_days=submitted, available_days=available,
                          submission_rate=submitted / available,
                          focus_hours=dict(zip(("core", "general", "auxiliary"), focus)),
                          focus={"core": focus[0] / sum(focus) if sum(focus) else None},
                          covered_duties=["x"] * covered,
                          uncovered_duties=["SD-09"] * (active - covered), active_duties=active)
    need = assess(figures, staffing.quota_total, staffing.vacancies, NeedRule(), TODAY)
    ratio = C.task_ratio(tasks and "社会民生", staffing.quota_total, tasks)
    return CountyRow(name, name, "", "", staffing, figures, need, ratio,
                     C.warnings(staffing, figures), "2026-11-01")


def test_county_ratios_are_sums_not_averages_and_vacancies_do_not_cancel():
    big = row("甲局", {"行政编制": 10}, {"行政编制": 12}, 180, 200, 20, 25, (90, 60, 30), 9, 10,
              people=12)
    small = row("乙中心", {"行政编制": 10}, {"行政编制": 7}, 10, 100, 2, 10, (1, 0, 9), 1, 4,
                people=7)
    quiet = row("丙所", {"事业编制": 3}, {})
    t = D.totals([big, small, quiet], PERIOD)
    assert t.saturation == pytest.approx(190 / 300)          # not (0.9 + 0.1) / 2
    assert t.submission_rate == pytest.approx(22 / 35)
    assert t.focus.core == pytest.approx(91 / 190) and t.coverage == pytest.approx(10 / 14)
    assert t.reporting == ("甲局", "乙中心") and t.silent == ("丙所",)
    line = {x.name: x for x in t.types}
    assert (line["行政编制"].quota, line["行政编制"].actual) == (20, 19)
    assert (line["行政编制"].vacancies, line["行政编制"].over, line["行政编制"].over_units) == (3, 2, 1)
    assert (t.vacancies, t.over_quota, t.vacancy_units) == (6, 2, 2)
    text = T.activity(t)
    assert "全县工作饱和度为63.3%" in text and "日志填报率为62.9%（已提交日志22人日÷应出勤35人日）" in text
    assert "填报率低于80%" in text and "另有1个单位" in text
    need = "".join(T.need([big, small, quiet]))
    assert "基本匹配的1个" in need and "增编依据" not in need     # 甲局 90 %: green, never evidence
    assert ("数据不足、暂不作结论的2个：乙中心（填报率20.0%低于80%）、丙所（本期没有上报数据）"
            in need)
    heads = [h for h, _ in T.problems([big, small, quiet], t)]
    assert heads[:2] == ["部分单位超编", "编制资源使用率不高"]
    assert "履职留痕不完整" in heads and "部分职责无履职记录" in heads


def test_area_name_and_unit_database_refused(tmp_path):
    assert D.area_name("沂河县委编办") == "沂河县"
    assert D.area_name("临沂市机构编制委员会办公室") == "临沂市"
    assert D.area_name("编办") == "编办"
    db = open_database(tmp_path / "u.sqlite", create=True)
    initialise_unit(db, UnitSetup("测试县市场监督管理局", make_credit_code("11371321", "MB285104")))
    with pytest.raises(AppError, match="编办版"):
        build_county_report(db, PERIOD, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    db.dispose()


def _pages(rows: int, separate_notes: bool) -> list[str]:
    """A page of filler, then a table of `rows` rows with a note (as the table's note, or as a
    separate note after it: the layout before TableEnd)."""
    import io

    from app.reports.typeset.document import OfficialDocument
    from app.reports.typeset.fonts import register_fonts
    doc = OfficialDocument("测试", "测试单位", TODAY, register_fonts(), signature="none")
    for _ in range(4):
        doc.paragraph("这是一段用来占据版面的正文，" * 6)
    table = (["项目", "数值"], [[f"第{i}项", str(i)] for i in range(rows)])
    if separate_notes:
        doc.table(*table, caption="示例")
        doc.note("表注示例")
    else:
        doc.table(*table, caption="示例", notes=["表注示例"])
    buffer = io.BytesIO()
    doc.build(buffer)
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(buffer).pages]


def test_a_table_note_never_opens_a_page_alone():
    orphans = {False: [], True: []}
    for separate in (False, True):
        for rows in range(1, 7):          # the table ends near the foot of the first page
            pages = _pages(rows, separate)
            if any(p.split("—", 2)[-1].startswith("注") for p in pages[1:]):
                orphans[separate].append(rows)
    assert orphans[True], "the control never put the note at a page top: the test proves nothing"
    assert orphans[False] == []


def test_a_county_of_32_units_gets_long_tables_and_several_charts(tmp_path):
    rows = []
    for i in range(32):           # saturation 40 %…120 %, some untrusted, quotas around 10
        expected = 800.0 + 40 * (i % 7)
        logged = round(expected * (0.4 + 0.025 * i), 1)
        quota, staff = 8 + i % 5, 6 + i % 7
        rows.append(row(f"沂河县第{i + 1}号单位", {"事业编制": quota}, {"事业编制": staff}, logged,
                        expected, 18 * staff - i % 4 * 9, 18 * staff, (logged * .5, logged * .3,
                        logged * .2), 9 + i % 2, 10, people=staff, tasks=i % 6))
    out = tmp_path / "big.pdf"
    info = write_report(rows, [], PERIOD, parse_period("2026-09"), BUREAU, TODAY, out,
                        tmp_path / "big.xlsx")
    text = pdf_text(out)
    assert info.pages > 8
    for r in rows:
        assert r.name in text
    for caption in ("图1各单位工作饱和度（1/2）", "图2各单位工作饱和度（2/2）",
                    "图3各单位核心、一般、辅助职责工时占比（1/2）",
                    "图4各单位核心、一般、辅助职责工时占比（2/2）"):
        assert caption in text, caption
    vacant = sum(1 for r in rows if r.staffing.vacancies)
    assert vacant > 8 and f"有空编的{vacant}个：" in text and f"等{vacant}个；" in text
    load = load_workbook(tmp_path / "big.xlsx")["表3 各单位工作饱和度与主责主业聚焦度"]
    assert load.max_row - 2 == 33                      # 32 units and the county total


def test_units_without_approved_work_are_not_ranked():
    busy = row("甲局", {"行政编制": 10}, {"行政编制": 10}, 160, 200, 20, 25, (90, 60, 10), 9, 10)
    idle = row("乙局", {"行政编制": 10}, {"行政编制": 10}, 0, 200, 0, 25, (0, 0, 0), 0, 10)
    silent = row("丙局", {"行政编制": 10}, {"行政编制": 10}, 0, 0, 0, 0, (0, 0, 0), 0, 10)
    assert idle.figures is not None and idle.figures.saturation == 0.0     # figures, but no work
    for key in ("saturation", "focus", "submission_rate"):          # the rows carry no coverage
        ranking = [(rank, r.name) for rank, r in C.ranked([idle, silent, busy], key)]
        assert ranking[0] == (1, "甲局") and {rank for rank, _ in ranking[1:]} == {None}, key

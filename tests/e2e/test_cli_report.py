"""`python -m app report` on a generated demo unit (two months of logs with real reviews), run as
a user runs it: the PDFs are read back with pypdf and their headline figures compared with what
`python -m app stats --json` says for the same period, formatted the way the report prints them
(hours with at most one decimal, percentages with one)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from app.db.models import Duty, Person, WorkLog
from app.reports.model import hours, pct
from app.demo.unit import generate_demo
from app.services.org.setup import open_database
from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.cli_world import principal_of
from tests.e2e.test_cli_basic import run_all

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo database, a staff member's login and the core duty codes."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, seed=5, months=2, end=dt.date(2026, 10, 31))
    db = open_database(path)
    with db.read() as s:
        # the staff member with the most approved logs in October (the first by login on a tie)
        login = s.scalar(select(Person.login).join(WorkLog, WorkLog.person_id == Person.id)
                         .where(Person.role == "科室人员", WorkLog.status == "approved",
                                WorkLog.month == 202610)
                         .group_by(Person.login).order_by(func.count().desc(), Person.login)
                         .limit(1))
        core = list(s.scalars(select(Duty.code).where(Duty.duty_class == "核心",
                                                      Duty.active.is_(True),
                                                      Duty.deleted.is_(False))))
        pending = s.scalar(select(func.count()).select_from(WorkLog).where(
            WorkLog.month == 202610, WorkLog.status == "submitted", WorkLog.deleted.is_(False)))
    db.dispose()
    return path, login, core, pending


@pytest.fixture(scope="module")
def results(demo, env_dir, tmp_path_factory):
    db, login, *_ = demo
    out = tmp_path_factory.mktemp("reports")
    # read as the 主要领导, who sees the whole unit (the admin of the demo is a staff member)
    base = ("--db", db, "--period", PERIOD, "--as", principal_of(db))
    commands = [
        ("stats", *base, "--level", "unit", "--json"),
        ("stats", *base, "--level", "person", "--user", login, "--json"),
        ("report", *base, "--kind", "unit", "--out", out / "unit.pdf", "--xlsx", out / "unit.xlsx"),
        ("report", *base, "--kind", "person", "--user", login, "--out", out / "person.pdf"),
        ("report", *base, "--kind", "core", "--out", out / "core.pdf"),
        ("report", *base, "--kind", "section", "--section", "食品安全科", "--out", out / "section.pdf"),
    ]
    done = run_all(commands, env_dir, password=DEMO_PASSWORD)
    for r in done:
        assert r.returncode == 0, r.stderr
    return {"unit": json.loads(done[0].stdout)[0], "person": json.loads(done[1].stdout)[0],
            "dir": out, "stdout": [r.stdout for r in done[2:]]}


def pdf_text(path) -> str:
    pages = [p.extract_text() for p in PdfReader(str(path)).pages]
    assert pages and all(p.strip() for p in pages), f"{path}: a page without text"
    return re.sub(r"\s+", "", "".join(pages))


def expected_texts(f: dict) -> list[str]:
    """The headline figures of a stats --json object as the report prints them. Ratios are
    taken from their inputs (hours to 2 decimals, day counts), i.e. unrounded like the report;
    the JSON's own 4-decimal ratios must agree with them."""
    logged, expected = f["logged_hours"], f["expected_hours"]
    sat = logged / expected
    submission = f["submitted_days"] / f["available_days"]
    core = f["focus_hours"]["core"] / logged
    assert abs(sat - f["saturation"]) < 5e-5 and abs(submission - f["submission_rate"]) < 5e-5
    assert abs(core - f["focus"]["core"]) < 5e-5
    texts = [f"应出勤工时{hours(expected)}小时，经审定的工作时长{hours(logged)}小时",
             f"工作饱和度为{pct(sat)}", f"日志填报率为{pct(submission)}",
             f"计入工时{hours(logged)}小时÷应出勤工时{hours(expected)}小时",
             f"已提交日志{f['submitted_days']}人日÷应出勤{f['available_days']}人日",
             f"核心职责工时占比{pct(core)}"]
    if f["active_duties"]:
        coverage = len(f["covered_duties"]) / f["active_duties"]
        assert abs(coverage - f["coverage"]) < 5e-5
        texts.append(f"有留痕的职责{len(f['covered_duties'])}项÷在用职责{f['active_duties']}项")
        texts.append(pct(coverage))
    return texts


def test_unit_report_headline_equals_stats_json(results, demo):
    u = results["unit"]
    text = pdf_text(results["dir"] / "unit.pdf")
    assert text.count("2026年10月部门履职评估分析报告") == 1 and "（月报）" in text
    for expected in expected_texts(u):
        assert expected in text, expected
    assert f"履职全面度为{pct(len(u['covered_duties']) / u['active_duties'])}" in text
    assert f"{u['people']}名人员参与履职留痕" in text
    # the last days of October are still in review: no rise or fall is read from them, and the
    # report says how much is waiting
    waiting = u["pending_hours"] / (u["logged_hours"] + u["pending_hours"])
    assert waiting > 0.1
    assert (f"本期尚有{pct(waiting)}的已提交工时待审（审定率低于90%），与上期（2026年9月）的差异"
            f"主要反映审阅进度，不作升降判断") in text
    assert f"另有已提交、尚待审阅的日志{u['pending_logs']}篇、{hours(u['pending_hours'])}小时" in text
    changes = text[text.index("二、变化情况"):text.index("三、")]
    assert "下降" not in changes and "上升" not in changes and "不作比较" in changes
    assert "编制需求数据不足" in text and "编制需求至少按3个完整月测算" in text
    for code in u["uncovered_duties"]:
        assert code in text
    assert "建议" in text and "沂河县市场监督管理局" in text
    pending = demo[3]
    assert pending > 0 and f"本期另有{pending}篇日志已提交、尚待审阅，未计入以上数据" in text
    assert "页，用时" in results["stdout"][0] and "unit.xlsx" in results["stdout"][0]


def test_person_report_headline_equals_stats_json(results):
    p = results["person"]
    text = pdf_text(results["dir"] / "person.pdf")
    assert f"{p['name']}同志2026年10月个人履职报告" in text
    for expected in expected_texts(p):
        assert expected in text, expected


def test_core_report_lists_every_core_duty(results, demo):
    text = pdf_text(results["dir"] / "core.pdf")
    _, _, core, _ = demo
    assert core
    for code in core:
        assert code in text, code
    assert "部门核心职能履行评估分析报告" in text and "工作记录示例" in text
    assert f"核心职责共{len(core)}项" in text


def test_section_report_and_excel(results):
    text = pdf_text(results["dir"] / "section.pdf")
    assert "食品安全科2026年10月科室履职评估分析报告" in text and "与全单位相比" in text
    book = load_workbook(results["dir"] / "unit.xlsx")
    assert book.sheetnames[0] == "表1 主要指标"
    assert "表3 各科室履职情况" in book.sheetnames and "表4 各人员履职情况" in book.sheetnames
    people = book["表4 各人员履职情况"]
    assert people.max_row - 2 == results["unit"]["people"]


def test_bad_requests_exit_1_with_a_chinese_message(demo, env_dir, tmp_path):
    db, login, *_ = demo
    base = ("report", "--db", db, "--out", tmp_path / "x.pdf", "--as", principal_of(db))
    cases = [((*base, "--kind", "weekly", "--period", PERIOD), "报告类型应为"),
             ((*base, "--kind", "unit", "--period", "2026-13"), "月份应在1–12之间"),
             ((*base, "--kind", "section", "--section", "无此科", "--period", PERIOD),
              "没有名为“无此科”的科室"),
             ((*base, "--kind", "person", "--user", "nobody", "--period", PERIOD),
              "没有登录名为“nobody”的人员"),
             ((*base, "--kind", "unit", "--user", login, "--period", PERIOD), "--user 只能与")]
    for r, (_, message) in zip(run_all([c for c, _ in cases], env_dir, password=DEMO_PASSWORD),
                               cases):
        assert r.returncode == 1 and message in r.stderr and "错误：" in r.stderr, r.stderr
    assert not (tmp_path / "x.pdf").exists()

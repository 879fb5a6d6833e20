"""`python -m app report --kind county` on the test county of tests/unit/test_county_report.py
(a 编办, three enrolled demo units with imported 上报包, one silent unit), run as a user runs it:
the PDF is read back and each unit's row of the ranked table compared with what
`python -m app stats --scope county --sort saturation --json` says, formatted the way the report
prints it; the Excel holds the same numbers; wrong requests exit 1 with a Chinese message."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from app.reports.model import hours, pct
from app.reports.report_book import BAND_WORDS
from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.cli_world import add_admin
from tests.e2e.test_cli_basic import run
from tests.unit.test_county_report import copy_county, pdf_text

PERIOD = "2026-10"
TITLE = "沂河县机构编制执行情况和使用效益分析报告（2026年10月）"


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def results(tmp_path_factory, env_dir):
    db = copy_county(tmp_path_factory)
    add_admin(db)
    out = db.parent / "out"
    # stats first: both commands fill the 编办's figure cache, and the report must agree with it
    stats = run("stats", "--db", db, "--scope", "county", "--period", PERIOD, "--sort",
                "saturation", "--json", data_dir=env_dir)
    assert stats.returncode == 0, stats.stderr
    report = run("report", "--db", db, "--kind", "county", "--period", PERIOD, "--out",
                 out / "county.pdf", "--xlsx", out / "county.xlsx", data_dir=env_dir)
    assert report.returncode == 0, report.stderr
    return {"db": db, "rows": json.loads(stats.stdout), "out": out, "stdout": report.stdout}


def test_report_prints_the_ranked_figures_of_stats_json(results):
    text = pdf_text(results["out"] / "county.pdf")
    assert f"已生成《{TITLE}》" in results["stdout"] and "页，用时" in results["stdout"]
    assert "county.xlsx" in results["stdout"]
    assert TITLE in text and text.count("沂河县委编办") == 1
    rows = results["rows"]
    assert len(rows) == 4 and [r["rank"] for r in rows] == [1, 2, 3, None]
    for r in rows:
        f = r["figures"]
        if r["rank"] is None:
            assert r["name"] in text and f"{r['name']}（本期没有" in text
            continue
        # ratios from their inputs, unrounded like the report; the JSON's 4-decimal ones agree
        saturation = f["logged_hours"] / f["expected_hours"]
        core = f["focus_hours"]["core"] / sum(f["focus_hours"].values())
        submission = f["submitted_days"] / f["available_days"]
        assert abs(saturation - f["saturation"]) < 5e-5 and abs(core - f["focus"]["core"]) < 5e-5
        assert abs(submission - f["submission_rate"]) < 5e-5
        line = (f"{r['rank']}{r['name']}{hours(f['logged_hours'])}{hours(f['expected_hours'])}"
                f"{pct(saturation)}{BAND_WORDS[f['band']]}{pct(core)}{pct(submission)}")
        assert line in text, line
        s = r["staffing"]
        staff = (f"{r['name']}{s['quota_total']}{s['actual_total']}"
                 f"{'—' if s['usage'] is None else pct(s['usage'])}{s['vacancies']}")
        assert staff in text, staff
        assert r["need"]["verdict"] in text
    logged = sum(r["figures"]["logged_hours"] for r in rows if r["rank"])
    expected = sum(r["figures"]["expected_hours"] for r in rows if r["rank"])
    assert f"全县工作饱和度为{pct(logged / expected)}" in text


def test_excel_from_the_cli(results):
    book = load_workbook(results["out"] / "county.xlsx")
    ws = book[next(n for n in book.sheetnames if n.startswith("表3 "))]
    got = {row[1]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    for r in results["rows"]:
        if r["rank"]:
            rank, _, logged, expected, saturation, *_ = got[r["name"]]
            assert (rank, logged, expected) == (r["rank"], r["figures"]["logged_hours"],
                                                r["figures"]["expected_hours"])
            assert saturation == pytest.approx(r["figures"]["saturation"], abs=1e-4)
    assert got["全县合计"][2] == pytest.approx(sum(r["figures"]["logged_hours"]
                                                  for r in results["rows"] if r["rank"]))


def test_bad_county_requests_exit_1(results, env_dir, tmp_path):
    db = results["db"]
    unit_db = db.parent / "u0.sqlite"
    base = ("report", "--kind", "county", "--out", tmp_path / "x.pdf")
    cases = [((*base, "--db", unit_db, "--period", PERIOD), "只在编办版中可用"),
             ((*base, "--db", db, "--period", PERIOD, "--section", "办公室"), "--section 只能与")]
    on_unit = run(*cases[0][0], data_dir=env_dir, password=DEMO_PASSWORD)   # a demo unit
    for r, (_, message) in zip([on_unit, run(*cases[1][0], data_dir=env_dir)], cases):
        assert r.returncode == 1 and message in r.stderr and "错误：" in r.stderr, r.stderr
    assert not (tmp_path / "x.pdf").exists()

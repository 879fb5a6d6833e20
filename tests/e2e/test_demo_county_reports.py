"""The reports of a month whose last week is still in review, on the demo county, run with the
CLI as a 编办 analyst and a unit would: the 疾病预防控制中心's reviewers are behind (app.demo.workload
"lagging"), so its October has normal work but a fifth of it waiting. No report may read a fall
(下降) or a staffing cut (核减, 减编) from that; each says how much is waiting."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app.demo.county import generate_county
from app.reports.model import hours, pct
from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.cli_world import principal_of
from tests.e2e.test_cli_basic import run_all
from tests.e2e.test_cli_report import pdf_text

END = dt.date(2026, 10, 31)
LAGGING = "沂河县疾病预防控制中心"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    # the first five units of the small demo county (the fifth is the one whose reviewers lag),
    # two months, so that October has a September to be compared with
    generate_county(folder, units=5, people=30, months=2, seed=1, end=END, workers=2)
    return folder


@pytest.fixture(scope="module")
def results(county, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    unit_db = county / "units" / f"{LAGGING}.sqlite"
    boss = ("--as", principal_of(unit_db))          # whole-unit figures are the 主要领导's to read
    commands = [
        ("stats", "--db", unit_db, "--period", "2026-10", "--json", *boss),
        ("report", "--db", unit_db, "--period", "2026-10", "--kind", "unit", "--out", out / "unit.pdf",
         *boss),
        ("stats", "--db", county / "county.sqlite", "--scope", "county", "--period", "2026-10", "--json"),
        ("report", "--db", county / "county.sqlite", "--period", "2026-10", "--kind", "county",
         "--out", out / "county.pdf"),
    ]
    done = run_all(commands, tmp_path_factory.mktemp("appdata"), password=DEMO_PASSWORD)
    for r in done:
        assert r.returncode == 0, r.stderr
    return {"unit": json.loads(done[0].stdout)[0], "county": json.loads(done[2].stdout),
            "unit_pdf": pdf_text(out / "unit.pdf"), "county_pdf": pdf_text(out / "county.pdf")}


def test_the_units_report_reads_no_fall_from_a_month_still_in_review(results):
    u, text = results["unit"], results["unit_pdf"]
    waiting = u["pending_hours"] / (u["logged_hours"] + u["pending_hours"])
    assert waiting > 0.1, u                       # the demo's last week is still in review
    assert (f"另有已提交、尚待审阅的日志{u['pending_logs']}篇、{hours(u['pending_hours'])}小时，"
            f"占已提交工时的{pct(waiting)}，审定后计入") in text
    changes = text[text.index("二、变化情况"):text.index("三、")]
    assert f"本期尚有{pct(waiting)}的已提交工时待审" in changes and "不作升降判断" in changes
    assert "下降" not in changes and "上升" not in changes
    assert "核减" not in text and "减编依据" not in text and "增编依据" not in text
    assert "编制需求数据不足" in text and f"尚有{pct(waiting)}的工时" in text


def test_the_county_report_names_the_backlog_and_judges_no_one_on_one_month(results):
    rows = {r["name"]: r for r in results["county"]}
    text = results["county_pdf"]
    lagging = rows[LAGGING]
    assert lagging["need"]["verdict"] == "数据不足"
    assert any("待审，审定率低于90%" in x for x in lagging["need"]["reasons"]), lagging["need"]
    assert {r["need"]["verdict"] for r in rows.values()} == {"数据不足"}     # one month: nobody
    assert "审阅进度滞后" in text and f"{LAGGING}（待审" in text
    assert "核减富余编制" not in text and "统筹调剂编制资源" not in text
    f = lagging["figures"]
    assert f"{LAGGING}" in text and hours(f["pending_hours"]) in text

"""`reminders --scope county`, `county-notice` and the 编办's reminder settings, run as a 编办
would, on the demo county of tests/notice_county.py (总工会 sent no 上报包 for October, the
疾控's reviewers are a week behind); and `reminders` of a person on a unit database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.services.org.setup import open_database

from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.test_cli_basic import run, run_all
from tests.notice_county import LAGGING, LATE, notice_county
from tests.pdf_text import pdf_text


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return notice_county(tmp_path_factory)


@pytest.fixture(scope="module")
def appdata(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


def test_reminders_and_the_notice_name_the_late_unit_and_the_low_review_rate(county, appdata, tmp_path):
    db = county / "county.sqlite"
    out = tmp_path / "通报.pdf"
    # the first login rehashes the demo admin's password: the other commands log in after it
    text_run = run("reminders", "--scope", "county", "--db", db, "--period", "2026-10", "--today", "2026-11-10",
                   data_dir=appdata, password=DEMO_PASSWORD)
    json_run, notice = run_all([
        ("reminders", "--scope", "county", "--db", db, "--period", "2026-10", "--today", "2026-11-10", "--json"),
        ("county-notice", "--db", db, "--period", "2026-10", "--out", out, "--today", "2026-11-10",
         "--number", "12"),
    ], appdata, password=DEMO_PASSWORD)
    for r in (text_run, json_run, notice):
        assert r.returncode == 0, r.stderr
    assert f"【上报包逾期未报】{LATE}：应于11月5日前报送2026年10月的上报包，已逾期5天" in text_run.stdout
    assert f"【审核率偏低】{LAGGING}：2026年10月审核率" in text_run.stdout
    found = json.loads(json_run.stdout)
    assert {(r["kind"], r["unit"]) for r in found["reminders"]} >= {("package_late", LATE),
                                                                    ("review_low", LAGGING)}
    assert found["settings"] == {"package_due_day": 5, "min_review_rate": 0.8, "min_submission_rate": 0.8}
    assert "已生成《关于2026年10月全县机关履职监测情况的通报》" in notice.stdout and out.exists()
    text = "".join(pdf_text(out).split())
    problems = text[text.index("三、存在问题"):text.index("四、下一步要求")]
    assert "沂编办通〔2026〕12号" in text and LATE in problems and LAGGING in problems


def test_the_bureaus_settings_move_the_deadline(county, appdata):
    db = county / "county.sqlite"
    bad = run("settings", "set", "--db", db, "notice.package_due_day", "30", data_dir=appdata,
              password=DEMO_PASSWORD)
    assert bad.returncode == 1 and "notice.package_due_day" in bad.stderr and "1–28" in bad.stderr
    done = run("settings", "set", "--db", db, "notice.package_due_day", "15", data_dir=appdata,
               password=DEMO_PASSWORD)
    assert done.returncode == 0, done.stderr
    listed = run("settings", "get", "--db", db, data_dir=appdata, password=DEMO_PASSWORD)
    assert "notice.package_due_day = 15" in listed.stdout
    later = run("reminders", "--scope", "county", "--db", db, "--period", "2026-10", "--today", "2026-11-10",
                data_dir=appdata, password=DEMO_PASSWORD)
    assert later.returncode == 0, later.stderr
    assert "逾期未报" not in later.stdout
    assert f"【上报包待报】{LATE}：2026年10月的上报包应于11月15日前报送（还有5天）" in later.stdout


def test_refusals_say_what_is_wrong(county, appdata, tmp_path):
    db = county / "county.sqlite"
    unit = county / "units" / f"{LATE}.sqlite"
    wrong_scope = run("reminders", "--db", db, data_dir=appdata, password=DEMO_PASSWORD)   # logs in first
    bad_period, unit_db = run_all([
        ("county-notice", "--db", db, "--period", "2026-13", "--out", tmp_path / "x.pdf"),
        ("county-notice", "--db", unit, "--period", "2026-10", "--out", tmp_path / "y.pdf", "--as", "admin"),
    ], appdata, password=DEMO_PASSWORD)
    assert wrong_scope.returncode == 1 and "--scope county" in wrong_scope.stderr
    assert bad_period.returncode == 1 and "月份应在1–12之间" in bad_period.stderr
    assert unit_db.returncode == 1 and "编办版" in unit_db.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


def test_a_reviewers_reminders_on_the_unit_database(county, appdata):
    """The 疾控's 分管领导, the unit's reviewers being a week behind: the logs waiting for him."""
    unit = county / "units" / f"{LAGGING}.sqlite"
    db = open_database(unit)
    try:
        with db.read() as s:
            deputy = s.scalar(select(Person.login).where(Person.role == "分管领导").order_by(Person.login))
    finally:
        db.dispose()
    r = run("reminders", "--db", unit, "--as", deputy, "--today", "2026-11-02", "--json",
            data_dir=appdata, password=DEMO_PASSWORD)
    assert r.returncode == 0, r.stderr
    kinds = {x["kind"]: x for x in json.loads(r.stdout)}
    assert kinds["review_queue"]["count"] > 0 and "等待您审阅" in kinds["review_queue"]["text"]

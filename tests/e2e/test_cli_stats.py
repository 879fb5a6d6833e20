"""`python -m app stats` on a generated demo unit (one month of logs), run as a user runs it."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app.demo.unit import generate_demo
from app.demo.data import PASSWORD as DEMO_PASSWORD
from tests.e2e.cli_world import principal_of
from tests.e2e.test_cli_basic import run, run_all

REQUIRED = {"name", "login", "logged_hours", "expected_hours", "saturation", "band",
            "submission_rate", "buckets", "focus", "coverage", "uncovered_duties",
            "hours_by_category"}
BUCKETS = {"<5", "5-7", "7-10", ">10"}


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, seed=3, months=1, end=dt.date(2026, 10, 31))
    return path


@pytest.fixture(scope="module")
def results(demo_db, env_dir):
    # read as the 主要领导, who sees the whole unit (the admin of the demo is a staff member)
    args = ("stats", "--db", demo_db, "--period", "2026-10", "--as", principal_of(demo_db))
    commands = [(*args, "--level", level, "--json") for level in ("unit", "section", "person")]
    commands += [(*args, "--level", "unit", "--json", "--all-logs"), (*args, "--level", "section")]
    done = run_all(commands, env_dir, password=DEMO_PASSWORD)
    for r in done:
        assert r.returncode == 0, r.stderr
    return done


def test_json_has_the_required_keys(results):
    unit, sections, persons = (json.loads(r.stdout) for r in results[:3])
    assert len(unit) == 1 and len(sections) >= 2 and len(persons) >= 30
    for obj in unit + sections + persons:
        assert REQUIRED <= set(obj), REQUIRED - set(obj)
        assert set(obj["buckets"]) == BUCKETS
        assert set(obj["focus"]) == {"core", "general", "auxiliary"}
        assert obj["band"] in ("green", "yellow", "red", None)
        assert obj["saturation"] is None or 0 <= obj["saturation"] < 5
        assert all(isinstance(code, str) for code in obj["uncovered_duties"])
    assert all(p["login"] for p in persons) and unit[0]["login"] is None
    [u] = unit
    assert u["period"]["label"] == "2026年10月" and u["working_days"] == 18
    assert u["logged_hours"] > 0 and u["expected_hours"] > 0
    assert sum(u["buckets"].values()) == u["people"]


def test_unit_hours_are_the_sum_over_sections_and_persons(results):
    [u], sections, persons = (json.loads(r.stdout) for r in results[:3])
    for level in (sections, persons):
        assert sum(x["logged_hours"] for x in level) == pytest.approx(u["logged_hours"], abs=0.01)
        assert sum(x["expected_hours"] for x in level) == pytest.approx(u["expected_hours"])
        assert sum(x["people"] for x in level) == u["people"]
        for bucket in BUCKETS:
            assert sum(x["buckets"][bucket] for x in level) == u["buckets"][bucket]
    for cat, hours in u["hours_by_category"].items():
        assert sum(x["hours_by_category"].get(cat, 0) for x in sections) == pytest.approx(hours, abs=0.01)
    assert sum(u["hours_by_category"].values()) == pytest.approx(u["logged_hours"], abs=0.01)


def test_all_logs_and_the_readable_table(results):
    [approved], [every] = json.loads(results[0].stdout), json.loads(results[3].stdout)
    assert every["logged_hours"] >= approved["logged_hours"] and every["approved_only"] is False
    table = results[4].stdout
    assert table.startswith("科室统计  2026年10月（2026-10-01至2026-10-31，工作日18天")
    assert "饱和度" in table and "填报率" in table and "只计已审定日志" in table


def test_bad_period_and_unknown_section(demo_db, env_dir):
    bad, section = run_all([("stats", "--db", demo_db, "--period", "2026-13"),
                            ("stats", "--db", demo_db, "--period", "2026-10", "--section", "无此科")],
                           env_dir, password=DEMO_PASSWORD)
    assert bad.returncode == 2 and "月份应在1–12之间：2026-13" in bad.stderr
    assert section.returncode == 1 and "没有名为“无此科”的科室" in section.stderr
    user = run("stats", "--db", demo_db, "--period", "2026-Q4", "--level", "person", "--user",
               "admin", "--json", data_dir=env_dir, password=DEMO_PASSWORD)
    assert user.returncode == 0, user.stderr
    [admin] = json.loads(user.stdout)
    assert admin["login"] == "admin" and admin["in_totals"] is False

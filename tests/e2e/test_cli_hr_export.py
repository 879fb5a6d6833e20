"""`python -m app hr-export` as a user runs it: the 主要领导 writes the workbook (rows = the
per-person `stats --json` of the quarter), a staff member is refused with one Chinese line and
exit 1, a wrong file type is refused before anything is written."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.db.models import Person
from app.demo.data import PASSWORD as DEMO_PASSWORD
from app.demo.unit import generate_demo
from app.services.org.setup import open_database
from tests.e2e.test_cli_basic import run_all


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("hr") / "demo.sqlite"
    generate_demo(path, seed=4, months=3, people=30, end=dt.date(2026, 9, 30))
    db = open_database(path)
    with db.read() as s:
        logins = {role: s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(False))
                                 .order_by(Person.login).limit(1)) for role in ("主要领导", "科室人员")}
    db.dispose()
    return path, logins


def test_hr_export_for_the_principal_and_refused_for_staff(demo, tmp_path):
    db, logins = demo
    out = tmp_path / "hr.xlsx"
    done, refused, wrong, stats = run_all([
        ("hr-export", "--db", db, "--period", "2026-Q3", "--out", out, "--as", logins["主要领导"]),
        ("hr-export", "--db", db, "--period", "2026-Q3", "--out", tmp_path / "no.xlsx", "--as", logins["科室人员"]),
        ("hr-export", "--db", db, "--period", "2026-Q3", "--out", tmp_path / "hr.txt", "--as", logins["主要领导"]),
        ("stats", "--db", db, "--level", "person", "--period", "2026-Q3", "--json", "--as", logins["主要领导"]),
    ], tmp_path, password=DEMO_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "2026年第三季度干部履职情况（全单位" in done.stdout and str(out) in done.stdout
    assert refused.returncode == 1 and refused.stderr.strip() == "错误：组织人事导出限主要领导、分管领导和单位管理员"
    assert not (tmp_path / "no.xlsx").exists()
    assert wrong.returncode == 1 and "输出文件应为 .xlsx 或 .pdf" in wrong.stderr
    people = json.loads(stats.stdout)
    ws = load_workbook(out).active
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "季度")
    rows = {ws.cell(r, 4).value: (ws.cell(r, 7).value, ws.cell(r, 9).value)
            for r in range(header + 1, header + 1 + len(people))}
    assert rows == {p["name"]: (round(p["logged_hours"], 2), round(p["saturation"], 4)) for p in people}

"""组织人事 export (seed 002: 履职数据推送至组织部门，作为公务员平时考核的重要参考): one row per
person per quarter whose figures are the statistics' own person figures, for the 主要领导 (the
whole unit), a 分管领导 (their sections) and the admin; a staff member or section head is
refused. The workbook has a header block; the printed table names people and figures."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import metrics as M
from app.core.errors import AppError, PermissionDenied
from app.core.figures import PERSON
from app.core.metrics import parse_period
from app.db.models import Person
from app.demo.unit import generate_demo
from app.reports.model import hours, pct
from app.services.org import accounts
from app.services.org.setup import open_database
from app.services.stats import compute
from app.services.stats.hr_export import hr_table, write_hr_export
from tests.pdf_text import pdf_text

END = dt.date(2026, 9, 30)
TODAY = dt.date(2026, 10, 12)
PASSWORD = "lzkp2026"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hr") / "demo.sqlite"
    generate_demo(path, seed=11, months=4, people=30, end=END)     # June and the whole third quarter
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, copy)
    db = open_database(copy)
    yield db
    db.dispose()


def actor(db, role: str, admin: bool = False):
    with db.read() as s:
        login = s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(admin))
                         .order_by(Person.login).limit(1))
    return accounts.login(db, login, PASSWORD)


def figures_of(db, quarter: str, who=None) -> dict[str, tuple]:
    return {f.login: (f.name, f.section, f.logged_hours, f.expected_hours, f.saturation, f.submission_rate,
                      f.review_completion, f.focus.get(M.CORE))
            for f in compute.unit_stats(db, parse_period(quarter), PERSON, actor=who, today=TODAY)}


def row_values(r) -> tuple:
    return (r.name, r.section, r.logged_hours, r.expected_hours, r.saturation, r.submission_rate,
            r.approved_share, r.core_share)


def test_rows_are_the_per_person_statistics_of_each_quarter(demo):
    principal = actor(demo, "主要领导")
    table = hr_table(demo, principal, "2026-Q3", today=TODAY)
    assert table.quarters == ["2026年第三季度"] and table.scope == "全单位"
    expected = figures_of(demo, "2026-Q3")
    assert len(expected) >= 25
    assert {r.login: row_values(r) for r in table.rows} == expected
    assert all(r.quarter == "2026年第三季度" for r in table.rows)
    # the rows really differ from person to person and some logs still wait for review
    assert len({r.saturation for r in table.rows}) > 10
    assert any(r.approved_share is not None and r.approved_share < 1 for r in table.rows)
    # a year: one row per person per quarter begun by today (Q4 begins on 10-01; Q2 has June)
    year = hr_table(demo, principal, "2026", today=TODAY)
    assert year.quarters == ["2026年第一季度", "2026年第二季度", "2026年第三季度", "2026年第四季度"]
    q2 = [r for r in year.rows if r.quarter == "2026年第二季度"]
    assert {r.login: row_values(r) for r in q2} == figures_of(demo, "2026-Q2")
    assert [r for r in year.rows if r.quarter == "2026年第三季度"] == table.rows


def test_who_may_export(demo):
    for role in ("科室人员", "科室负责人"):
        with pytest.raises(PermissionDenied, match="组织人事导出限主要领导、分管领导和单位管理员"):
            hr_table(demo, actor(demo, role), "2026-Q3", today=TODAY)
    # the admin (a staff member by role in the demo) exports the whole unit
    admin = actor(demo, "科室人员", admin=True)
    assert {r.login for r in hr_table(demo, admin, "2026-Q3", today=TODAY).rows} == set(figures_of(demo, "2026-Q3"))
    # a 分管领导: the people the statistics show them, themself included
    deputy = actor(demo, "分管领导")
    rows = hr_table(demo, deputy, "2026-Q3", today=TODAY)
    mine = figures_of(demo, "2026-Q3", deputy)
    assert rows.scope == "分管科室" and {r.login: row_values(r) for r in rows.rows} == mine
    assert deputy.login in mine and 1 < len(mine) < len(figures_of(demo, "2026-Q3"))
    with pytest.raises(AppError, match="尚未开始"):
        hr_table(demo, deputy, "2027-Q1", today=TODAY)


def test_the_workbook_has_a_header_block_and_one_row_per_person(demo, tmp_path):
    principal = actor(demo, "主要领导")
    path, table = write_hr_export(demo, principal, "2026-Q3", tmp_path / "hr.xlsx", today=TODAY)
    ws = load_workbook(path).active
    head = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 7)}
    assert head["单位"] == table.unit_name and head["统计期间"] == "2026年第三季度"
    assert head["统计范围"] == "全单位" and head["导出人"] == f"{principal.name}（主要领导）"
    assert dt.datetime.strptime(head["生成时间"], "%Y-%m-%d %H:%M")
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "季度")
    assert [c.value for c in ws[header]][:12] == ["季度", "序号", "科室", "姓名", "职务", "编制类型", "计入工时",
                                                  "应出勤工时", "工作饱和度", "提交率", "审核通过率", "核心职责占比"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_row=header + len(table.rows))]
    expected = figures_of(demo, "2026-Q3")
    for cells, r in zip(body, table.rows):
        name, section, logged, expected_h, sat, sub, approved, core = expected[r.login]
        assert cells[3] == name and cells[6] == round(logged, 2) and cells[7] == round(expected_h, 2)
        assert cells[8] == round(sat, 4) and cells[9] == round(sub, 4)
    assert ws.cell(header + len(table.rows) + 1, 1).value is None      # nothing else in the table


def test_the_printed_table_names_people_and_their_figures(demo, tmp_path):
    principal = actor(demo, "主要领导")
    path, table = write_hr_export(demo, principal, "2026-Q3", tmp_path / "hr.pdf", today=TODAY)
    text = pdf_text(path)
    flat = text.replace("\n", "")
    assert "干部履职情况季度统计表" in flat and "2026年第三季度干部履职情况" in flat
    assert "填表人（签字）" in flat and "单位主要负责人（签字）" in flat
    cells = [x.strip() for x in text.splitlines()]       # pypdf reads the table cell by cell
    for r in table.rows:
        at = next(i for i in range(1, len(cells)) if cells[i] == r.name and r.section.endswith(cells[i - 1]))
        row = "".join([r.staffing_type, hours(r.logged_hours), hours(r.expected_hours), pct(r.saturation),
                       pct(r.submission_rate), pct(r.approved_share), pct(r.core_share)])
        assert "".join(cells[at + 1:at + 10]).startswith(row), r.name     # a long 编制类型 wraps
    with pytest.raises(AppError, match="应为 .xlsx 或 .pdf"):
        write_hr_export(demo, principal, "2026-Q3", tmp_path / "hr.csv", today=TODAY)

"""`feedback` through the command line: the 编办 writes a remark on a demo unit's monthly
feedback, issues a month again, exports the unit's 下发包; the unit imports it and its leader
reads and prints the feedback; staff may not, and a month not yet over is refused."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from pypdf import PdfReader

from app.demo.county import generate_county
from tests.e2e.test_cli_basic import run

END = dt.date(2026, 10, 31)
REMARK = "请于11月20日前组织复核人民医院的日志填报情况。"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fbcli")
    generate_county(folder, units=2, people=30, months=1, seed=6, end=END, workers=1)
    return folder


def ok(result, *words):
    assert result.returncode == 0, result.stderr + result.stdout
    for word in words:
        assert word in result.stdout, result.stdout
    return result


def logins(unit, role: str) -> str:
    conn = sqlite3.connect(unit)
    try:
        return conn.execute("SELECT login FROM person WHERE role = ? AND is_admin = 0 ORDER BY login", (role,)).fetchone()[0]
    finally:
        conn.close()


def test_a_remark_travels_by_dispatch_and_the_leader_reads_and_prints_it(county, tmp_path):
    bureau = county / "county.sqlite"
    [name] = [p.stem for p in (county / "units").glob("*.sqlite")][:1]
    unit = county / "units" / f"{name}.sqlite"

    def cli(*args, **kw):
        return run(*args, data_dir=tmp_path / "data", password="lzkp2026", **kw)

    listed = ok(cli("feedback", "--db", bureau, "--month", "2026-10", "--list"), "已有2个单位的月度反馈", name)
    assert "饱和度" in listed.stdout
    ok(cli("feedback", "--db", bureau, "--month", "2026年10月", "--unit", name, "--remark", REMARK),
       f"已写入{name}2026-10反馈的编办意见")
    ok(cli("feedback", "--db", bureau, "--month", "2026-10"), "已生成2个单位的月度反馈", REMARK)
    out = tmp_path / "dispatch"
    out.mkdir()
    ok(cli("export-package", "--db", bureau, "--out", out, "--unit", name), "已导出")
    ok(cli("import-package", "--db", unit, out), "已导入")

    leader = logins(unit, "主要领导")
    shown = ok(cli("feedback", "--db", unit, "--as", leader), f"{name}2026年10月履职监测反馈",
               "全县中位数", REMARK)
    assert "工作饱和度 |" in shown.stdout
    pdf = tmp_path / "反馈.pdf"
    ok(cli("feedback", "--db", unit, "--as", leader, "--month", "2026-10", "--pdf", pdf), "已写入PDF（1页）")
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace(" ", "").replace("\n", "")
    assert "2026年10月履职监测反馈" in text and "11月20日前组织复核" in text

    staff = logins(unit, "科室人员")
    denied = cli("feedback", "--db", unit, "--as", staff)
    assert denied.returncode != 0 and "仅主要领导、分管领导和管理员可以查看" in denied.stderr + denied.stdout


def test_a_month_not_over_and_a_bad_month_are_refused(county, tmp_path):
    bureau = county / "county.sqlite"

    def cli(*args):
        return run(*args, data_dir=tmp_path / "data", password="lzkp2026")

    early = cli("feedback", "--db", bureau, "--month", "2026-11", "--today", "2026-11-20")
    assert early.returncode != 0 and "2026年11月尚未结束" in early.stderr + early.stdout
    bad = cli("feedback", "--db", bureau, "--month", "2026-13")
    assert bad.returncode != 0 and "月份应在1–12之间" in bad.stderr + bad.stdout

"""A county's sync round trip through the command line, as a 编办 and its units run it:
`init --edition bureau`, `register-unit`, `enrollment`, `export-package`, `import-package
[--preview]`, `packages`, `set-quota`, `stats --scope county` — each a `python -m app` subprocess.

The three unit databases start from their 单位注册包 and are filled by the demo generator
(`generate_demo(enrollment=…)`, the CLI has no such option); everything after that goes through
the CLI. The 编办's figures for a unit must equal the unit's own `stats --json`, whole dict.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.services.exchange import packages as P
from app.demo.data import PASSWORD as DEMO_PASSWORD
from app.demo.unit import MIN_PEOPLE, generate_demo
from app.services.org.setup import open_database
from tests.e2e.cli_world import principal_of
from tests.e2e.test_cli_basic import run, run_all
from tests.unit.sync_fixtures import content_hash, credit

END = dt.date(2026, 10, 31)
MONTH, QUARTER = "2026-10", "2026-Q4"
UNITS = [  # name, quotas, leader posts, class, task class, key tasks
    ("沂河县市场监督管理局", "行政编制=40,事业编制=20", "正职=1,副职=4", "政府部门", "服务经济", "12"),
    ("沂河县教育和体育局", "行政编制=25,事业编制=8", "正职=1,副职=3", "政府部门", "社会民生", "9"),
    ("沂河县机关事务服务中心", "事业编制=30", "正职=1,副职=2", "直属事业单位", "综合保障", "5"),
]
SYNCED_COUNTED = ("person", "work_log", "log_entry", "review_action")


def ok(result, *words):
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stdout, result.stdout
    return result


def rows_of(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        conn.close()


def exported_rows(result) -> int:
    return int(re.search(r"已导出第\d+号包（\S+算法）：(\d+)条变更", result.stdout).group(1))


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def county(tmp_path_factory, env_dir):
    """编办 + three units, first 上报包 of each previewed and imported (hashes taken around)."""
    root = tmp_path_factory.mktemp("county")
    bureau, enroll_dir, usb = root / "county.sqlite", root / "enroll", root / "usb"
    enroll_dir.mkdir()
    usb.mkdir()

    def cli(*args):      # the units' people are the demo's: they share its password,
        return run(*args, data_dir=env_dir, password=DEMO_PASSWORD)    # and so does bb here

    ok(cli("init", "--db", bureau, "--edition", "bureau", "--unit-name", "沂河县委编办",
           "--credit-code", credit(0), "--admin", "bb", "--password", DEMO_PASSWORD))
    codes = [credit(i) for i in range(1, len(UNITS) + 1)]
    for code, (name, quotas, leaders, unit_class, task_class, key_tasks) in zip(codes, UNITS):
        ok(cli("register-unit", "--db", bureau, "--unit-name", name, "--credit-code", code,
               "--quotas", quotas, "--leader-posts", leaders, "--unit-class", unit_class,
               "--task-class", task_class, "--key-tasks", key_tasks), f"已登记“{name}”")
    one_time = []
    for r in run_all([("enrollment", "--db", bureau, "--unit", code, "--out", enroll_dir)
                      for code in codes], env_dir, password=DEMO_PASSWORD):
        ok(r, "已生成单位注册包", "一次性注册码")
        one_time.append(re.search(r"一次性注册码：\s+(\S+)", r.stdout).group(1))
    units, infos = [], []
    for i, (code, (name, *_)) in enumerate(zip(codes, UNITS)):
        [file] = enroll_dir.glob(f"{name}_单位注册包_*.lzkp")
        path = root / f"unit{i + 1}.sqlite"
        infos.append(generate_demo(path, seed=i + 1, months=1, people=MIN_PEOPLE, end=END,
                                   enrollment=file, enrollment_code=one_time[i]))
        assert infos[-1].credit_code == code
        units.append(path)
    fingerprints = []
    for path in units:
        db = open_database(path)
        fingerprints.append(P.own_fingerprint(db))
        db.dispose()

    exports = run_all([("export-package", "--db", u, "--out", usb) for u in units], env_dir,
                      password=DEMO_PASSWORD)
    for r in exports:
        ok(r, "已导出第1号包")
    before = content_hash(bureau)
    preview = ok(cli("import-package", "--db", bureau, usb, "--preview", "--json"))
    after_preview = content_hash(bureau)
    confirmed = [x for fp in fingerprints for x in ("--fingerprint", fp)]   # checked by phone
    imported = ok(cli("import-package", "--db", bureau, usb, "--json", *confirmed))
    return SimpleNamespace(root=root, bureau=bureau, usb=usb, units=units, codes=codes, infos=infos,
                           fingerprints=fingerprints, exports=exports, before=before,
                           preview=json.loads(preview.stdout), after_preview=after_preview,
                           imported=json.loads(imported.stdout), after_import=content_hash(bureau),
                           cli=cli, env_dir=env_dir)


def test_preview_counts_each_units_rows_and_writes_nothing(county):
    assert county.after_preview == county.before
    by_sender = {r["sender"]: r for r in county.preview}
    assert sorted(by_sender) == sorted(u[0] for u in UNITS)
    for unit, (name, *_), export in zip(county.units, UNITS, county.exports):
        result = by_sender[name]
        assert (result["status"], result["seq"], result["code"]) == ("ok", 1, ""), result
        assert result["message"].startswith("可以导入：")
        counts = result["counts"]
        for table in SYNCED_COUNTED:      # everything the unit wrote is new to the 编办
            assert counts[table] == {"new": rows_of(unit, table), "changed": 0, "same": 0, "stale": 0}, table
        assert "unit" not in counts and "staffing_quota" not in counts   # the 编办's own rows
        assert sum(c["new"] for c in counts.values()) == exported_rows(export)


def test_import_learns_each_units_key_and_lists_the_packages(county):
    assert county.after_import != county.before
    by_sender = {r["sender"]: r for r in county.imported}
    for (name, *_), fingerprint in zip(UNITS, county.fingerprints):
        result = by_sender[name]
        assert result["status"] == "imported" and result["note"] == "", result
        assert result["new_key"] == fingerprint
        previewed = next(r for r in county.preview if r["sender"] == name)
        assert result["counts"] == previewed["counts"]
    listed = json.loads(ok(county.cli("packages", "--db", county.bureau, "--json")).stdout)
    assert sorted((line["unit_name"], line["seq"], line["kind"], line["note"]) for line in listed) == \
        sorted((name, 1, "上报包", "") for name, *_ in UNITS)
    assert all(line["rows"] > 0 for line in listed)


def county_and_own_figures(county, period: str, units: list[Path] | None = None):
    """The 编办's county rows by credit code, and each unit's own `stats --json`[0] (read by
    its 主要领导, who sees the whole unit)."""
    commands = [("stats", "--db", county.bureau, "--scope", "county", "--period", period, "--json")]
    commands += [("stats", "--db", u, "--period", period, "--json", "--as", principal_of(u))
                 for u in units or county.units]
    done = run_all(commands, county.env_dir, password=DEMO_PASSWORD)
    for r in done:
        ok(r)
    rows = {row["credit_code"]: row for row in json.loads(done[0].stdout)}
    return rows, [json.loads(r.stdout)[0] for r in done[1:]]


@pytest.mark.parametrize("period", [MONTH, QUARTER])
def test_county_figures_equal_each_units_own(county, period):
    rows, own = county_and_own_figures(county, period)
    assert sorted(rows) == sorted(county.codes)
    for code, figures, (name, *_), info in zip(county.codes, own, UNITS, county.infos):
        assert rows[code]["name"] == name
        assert rows[code]["figures"] == figures          # the whole dict, exactly
        assert figures["logged_hours"] > 0 and figures["people"] >= MIN_PEOPLE - 5


def test_importing_the_same_folder_again_changes_nothing(county):
    before = content_hash(county.bureau)
    again = ok(county.cli("import-package", "--db", county.bureau, county.usb))
    assert len(re.findall(r"第1号包已于[-\d :T]+导入过，本次未作任何修改", again.stdout)) == len(UNITS), \
        again.stdout
    assert content_hash(county.bureau) == before


def test_new_logs_travel_and_the_dispatch_acknowledges_them(county, tmp_path):
    from app.core.metrics import parse_period
    from app.services.org import chart as org_chart, unit_settings
    from app.services.stats import compute as stats
    unit, code, info = county.units[0], county.codes[0], county.infos[0]
    cli = county.cli
    db = open_database(unit)
    try:
        chart, levels = org_chart.load(db), unit_settings.get(db, "review.levels")
        hours_before = stats.unit_stats(db, parse_period(MONTH), "unit")[0].logged_hours
    finally:
        db.dispose()
    by_login = {p.login: p for p in chart.persons.values()}
    chains = {login: [chart.persons[r].login for r in chart.chain(p.id, levels)]
              for login, p in by_login.items()}
    # two days the demo left without a log, of two authors with the shortest review chains
    gaps = sorted((len(chains[login]), day, login) for login, day in info.gaps
                  if day.startswith(MONTH) and chains.get(login))
    picked = [gaps[0], next(g for g in gaps if g[2] != gaps[0][2])]

    for _, day, login in picked:
        ok(cli("log", "add", "--db", unit, "--user", login, "--date", day, "--hours", "7.5",
               "--category", "业务工作", "--content", "补录：开展特种设备安全专项检查，现场检查电梯12台",
               "--submit"), "已提交")
        for reviewer in chains[login]:
            ok(cli("review", "approve", "--db", unit, "--user", reviewer, "--author", login,
                   "--date", day, "--comment", "同意"))
    approvals = sum(len(chains[login]) for _, _, login in picked)

    out2 = tmp_path / "second"
    out2.mkdir()
    ok(cli("export-package", "--db", unit, "--out", out2), "已导出第2号包")
    [second] = json.loads(ok(cli("import-package", "--db", county.bureau, out2, "--json")).stdout)
    assert second["status"] == "imported", second
    # it repeats rows the 编办 has not acknowledged yet (no 下发包 so far), but writes only the new
    written = {t: (c["new"], c["changed"]) for t, c in second["counts"].items() if c["new"] or c["changed"]}
    assert written == {"work_log": (2, 0), "log_entry": (2, 0), "entry_text": (2, 0),
                       "review_action": (approvals, 0),
                       "signed_statement": (2 + approvals, 0)}, written   # one per command

    # the 编办 changes a quota; its 下发包 carries it and the acknowledgement of packages 1–2
    ok(cli("set-quota", "--db", county.bureau, "--unit", code, "--name", "行政编制", "--quota", "45"))
    out3 = tmp_path / "dispatch"
    out3.mkdir()
    dispatched = ok(cli("export-package", "--db", county.bureau, "--out", out3, "--unit", code),
                    "已导出第1号包")
    assert exported_rows(dispatched) == 1
    ok(cli("import-package", "--db", unit, out3), "已导入：新增0条，更新1条")
    conn = sqlite3.connect(unit)
    try:
        assert conn.execute("SELECT quota FROM staffing_quota WHERE kind = 'staffing' AND "
                            "name = '行政编制'").fetchone() == (45,)
    finally:
        conn.close()
    out4 = tmp_path / "third"
    out4.mkdir()
    third = ok(cli("export-package", "--db", unit, "--out", out4), "已导出第3号包")
    assert exported_rows(third) == 0        # nothing the 编办 has not acknowledged
    ok(cli("import-package", "--db", county.bureau, out4), "已导入：新增0条，更新0条")
    # the figures the 编办 computed when package 2 came in follow the unit's, new logs included
    rows, own = county_and_own_figures(county, MONTH, [unit])
    assert rows[code]["figures"] == own[0]
    assert own[0]["logged_hours"] == pytest.approx(hours_before + 15)
    assert rows[code]["staffing"]["quotas"]["行政编制"] == 45

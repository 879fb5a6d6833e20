"""A whole evaluation round (五单工作法) through the command line, across one 编办 database and two
unit databases, with every step carried by packages (export-package / import-package):

    定单  indicators install-defaults, round create, round assign (default template per unit class)
    接单  round auto-fill, round self-score --batch for every other point, one point with an
          evidence file, round submit
    评单  round auto-fill at the 编办 (from the mirrors), round score --batch, round problem add of
          three types with deadlines (one already past the --today the results are judged by)
    改单  round rectify (owner, measures, progress, done, an evidence file)
    用单  round verify --close / --reopen --comment, round results, round report (PDF read back
          with pypdf, Excel with openpyxl)

The world (编办 + two registered units enrolled from their 注册包, filled by the demo generator,
first 上报包 imported) is built through the services; every round step runs as a user runs it.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.services.county import bureau as B
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.org.actor import SYSTEM
from app.demo.data import PASSWORD as DEMO_PASSWORD
from app.demo.unit import generate_demo
from tests.e2e.cli_world import add_admin
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from tests.e2e.test_cli_basic import run, run_all
from tests.unit.sync_fixtures import credit

TODAY = "2026-11-22"              # overdue items are judged by this day
ROUND = "2026年度机构编制执行情况和使用效益评估"
UNITS = {  # key: name, class, quotas, demo seed
    "a": ("沂河县市场监督管理局", "政府部门", {"行政编制": 28, "事业编制": 6}, 1),
    "b": ("沂河县机关事务服务中心", "直属事业单位", {"事业编制": 30}, 2),
}


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """root with county.sqlite (编办, units registered) and unit_a/unit_b.sqlite (30-person demos,
    October 2026) whose first 上报包 the 编办 imported."""
    root = tmp_path_factory.mktemp("round")
    bureau = open_database(root / "county.sqlite", create=True)
    initialise_unit(bureau, UnitSetup("沂河县委编办", credit(0), edition="bureau"))
    mirrors = Mirrors(bureau)
    ids = {}
    for i, (key, (name, unit_class, quotas, seed)) in enumerate(UNITS.items(), 1):
        ids[key] = B.register_unit(bureau, SYSTEM, UnitSetup(name, credit(i), unit_class=unit_class,
                                                             staffing_quotas=quotas,
                                                             leader_posts={"正职": 1, "副职": 2}),
                                   task_class="服务经济", key_tasks=6)
        file = enrollment.write_enrollment(bureau, mirrors, ids[key], root)
        generate_demo(root / f"unit_{key}.sqlite", seed=seed, months=1, people=30, enrollment=file.path,
                      enrollment_code=file.code, end=dt.date(2026, 10, 31))
        unit = open_database(root / f"unit_{key}.sqlite")
        report = unit_sync.export_report(unit, root).path
        unit.dispose()
        assert not B.import_packages(bureau, mirrors, [report], apply=True)[0].rejected
    mirrors.close()
    bureau.dispose()
    # the 编办's admin; the demo units' admins have the demo password, and so does he here
    add_admin(root / "county.sqlite", password=DEMO_PASSWORD)
    return root, ids


class Cli:
    def __init__(self, root: Path, env_dir: Path):
        self.root, self.env = root, env_dir
        self.b = root / "county.sqlite"
        self.u = {k: root / f"unit_{k}.sqlite" for k in UNITS}
        self.folders = 0

    def ok(self, *args) -> str:
        return checked(run(*args, data_dir=self.env, password=DEMO_PASSWORD))

    def all(self, *commands) -> list[str]:
        return [checked(r) for r in run_all(list(commands), self.env, password=DEMO_PASSWORD)]

    def show(self, bureau: bool = False) -> dict[str, dict]:
        """`round show --json` of both units, on their own databases or at the 编办."""
        def args(key):
            db = ("--db", self.b, "--unit", credit(list(UNITS).index(key) + 1)) if bureau else ("--db", self.u[key])
            return ("round", "show", *db, "--round", ROUND, "--today", TODAY, "--json")
        return dict(zip(UNITS, map(json.loads, self.all(*map(args, UNITS)))))

    def folder(self) -> Path:
        self.folders += 1
        path = self.root / f"usb{self.folders}"
        path.mkdir()
        return path

    def to_units(self) -> None:
        """编办 → units: 下发包 for both, each imported by its unit."""
        out = self.folder()
        self.ok("export-package", "--db", self.b, "--out", out)
        files = {k: next(out.glob(f"{UNITS[k][0]}_下发包_*")) for k in UNITS}
        self.all(*[("import-package", "--db", self.u[k], files[k]) for k in UNITS])

    def to_bureau(self) -> None:
        """Units → 编办: a 上报包 from each, both imported at once."""
        out = self.folder()
        self.all(*[("export-package", "--db", self.u[k], "--out", out) for k in UNITS])
        self.ok("import-package", "--db", self.b, *sorted(out.glob("*_上报包_*")))


def checked(result) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return result.stdout


def write_csv(path: Path, rows: list[tuple[str, float, str]], text: str) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "得分", text])
        w.writerows(rows)
    return path


def leaves(shown: dict) -> list[dict]:
    return [i for i in shown["items"] if i["level"] == 3]


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))


def test_whole_round_through_packages(county, env_dir):
    root, ids = county
    cli = Cli(root, env_dir)
    code = {k: credit(i) for i, k in enumerate(UNITS, 1)}

    # ---- 编办定单: templates, the round, both units by their default template, 下发包
    assert cli.ok("indicators", "install-defaults", "--db", cli.b).count("已安装") == 7
    out = cli.ok("round", "create", "--db", cli.b, "--name", ROUND, "--year", "2026", "--period", "2026-10",
                 "--deadline", "2026-11-30")
    round_id = re.search(r"编号：(\S+)", out).group(1)
    # one unknown unit in the list: none is assigned, the message names it
    bad = run("round", "assign", "--db", cli.b, "--round", ROUND, "--units", f"{code['a']},沂河县不存在局",
              data_dir=cli.env, password=DEMO_PASSWORD)
    assert bad.returncode == 1 and "所列单位都未下达" in bad.stderr and "“沂河县不存在局”" in bad.stderr
    assert "单位0个" in cli.ok("round", "list", "--db", cli.b)
    out = cli.ok("round", "assign", "--db", cli.b, "--round", round_id[-8:], "--units", ",".join(code.values()))
    assert "沂河县市场监督管理局（政府部门评估指标体系）" in out
    assert "沂河县机关事务服务中心（直属事业单位评估指标体系）" in out
    cli.to_units()

    # ---- 部门接单: automatic points from the unit's own statistics, the rest by CSV, evidence
    filled = cli.all(*[("round", "auto-fill", "--db", cli.u[k], "--round", ROUND, "--today", TODAY) for k in UNITS])
    assert all("已按统计数据填写" in text for text in filled)
    shown = cli.show()
    assert {k: s["stage"] for k, s in shown.items()} == {"a": "定单", "b": "定单"}
    auto_self = {k: {i["code"]: i["self_score"] for i in leaves(s) if i["self_score"] is not None}
                 for k, s in shown.items()}
    assert all(len(v) >= 10 for v in auto_self.values())
    assert all("自动评分" in i["explanation"] for s in shown.values() for i in leaves(s) if i["self_score"] is not None)
    own = {}          # the units' self-scores of the remaining points
    for k, s in shown.items():
        share = 1.0 if k == "a" else 0.8
        own[k] = {i["code"]: round(i["max_score"] * share, 1) for i in leaves(s) if i["self_score"] is None}
        write_csv(root / f"self_{k}.csv", [(c, v, "已对照评分标准逐项落实") for c, v in own[k].items()], "说明")
    evidence = root / "自评佐证材料.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence of the self-assessment\n")
    first_manual = {k: next(iter(own[k])) for k in UNITS}
    cli.all(*[("round", "self-score", "--db", cli.u[k], "--round", ROUND, "--batch", root / f"self_{k}.csv")
              for k in UNITS])
    out = cli.ok("round", "self-score", "--db", cli.u["a"], "--round", ROUND, "--item", first_manual["a"],
                 "--score", str(own["a"][first_manual["a"]]), "--explanation", "党组会议纪要3份",
                 "--evidence", evidence)
    assert "佐证材料1个" in out
    cli.all(*[("round", "submit", "--db", cli.u[k], "--round", ROUND) for k in UNITS])
    self_total = {k: round(sum(auto_self[k].values()) + sum(own[k].values()), 2) for k in UNITS}
    cli.to_bureau()

    # ---- 编办评单: the 编办's automatic scores come from the mirror and must equal the unit's
    # own; a point lower for every manual point of 3 or more
    filled = cli.ok("round", "auto-fill", "--db", cli.b, "--round", ROUND, "--today", TODAY)
    assert "沂河县市场监督管理局：已按统计数据填写" in filled and "沂河县机关事务服务中心：已按统计数据填写" in filled
    at_bureau = cli.show(bureau=True)
    for k, s in at_bureau.items():
        assert s["stage"] == "评单" and s["self_totals"]["total"] == self_total[k]
        assert {i["code"]: i["bureau_score"] for i in leaves(s) if i["bureau_score"] is not None} == auto_self[k]
        files = [e for i in leaves(s) for e in i["evidence"] if e.get("kind") == "file"]
        if k == "a":      # the evidence file travelled with the self-score into the mirror
            assert [e["name"] for e in files] == ["自评佐证材料.pdf"]
            stored = root / "county.sqlite.units" / f"{ids['a']}.sqlite.files" / files[0]["sha256"][:2] / files[0]["sha256"]
            assert stored.read_bytes() == evidence.read_bytes()
    given = {k: {c: max(0.0, v - 1) if v >= 3 else v for c, v in own[k].items()} for k in UNITS}
    for k in UNITS:
        write_csv(root / f"score_{k}.csv", [(c, v, "现场查阅资料") for c, v in given[k].items()], "意见")
    cli.all(*[("round", "score", "--db", cli.b, "--round", ROUND, "--unit", code[k], "--batch",
               root / f"score_{k}.csv") for k in UNITS])
    bureau_total = {k: round(sum(auto_self[k].values()) + sum(given[k].values()), 2) for k in UNITS}

    def add(k, category, kind, description, *extra):
        return ("round", "problem", "add", "--db", cli.b, "--round", ROUND, "--unit", code[k], "--category",
                category, "--type", kind, "--description", description, *extra)
    first = cli.all(add("a", "借调人员时间较长或人员较多", "限时整改", "借调人员2人借调时间超过1年",
                        "--deadline", "2026-11-10", "--item", "2.5.2"),
                    add("b", "编制资源使用率不高", "长期坚持", "事业编制空编较多，长期未补充"))
    second = run_all([add("a", "佐证资料不够规范", "立查立改", "自评佐证资料未按评估要点归档", "--deadline", "2026-12-31"),
                      add("b", "超职数配备领导干部", "限时整改", "副职超职数配备1名", "--deadline", "2026-12-15"),
                      add("b", "佐证资料不够规范", "限时整改", "没有期限")], env_dir, password=DEMO_PASSWORD)   # refused: no deadline
    second = [checked(r) for r in second[:2]] + second[2:]
    pid = {name: re.search(r"问题ID：(\S+)", text).group(1)
           for name, text in zip(("a_late", "b_long", "a_now", "b_posts"), first + second[:2])}
    assert second[2].returncode == 1 and "限时整改的问题须写明整改期限" in second[2].stderr
    cli.to_units()

    # ---- 部门改单: the unit reports on the problems by the ids the 编办 printed
    proof = root / "召回通知.pdf"
    proof.write_bytes(b"%PDF-1.4 recall notice\n")
    cli.all(("round", "rectify", "--db", cli.u["a"], "--problem", pid["a_late"][-8:], "--owner", "人事科",
             "--measures", "召回借调人员，办理调动手续", "--progress", "已召回1人", "--done", "--evidence", proof),
            ("round", "rectify", "--db", cli.u["b"], "--problem", pid["b_posts"][-8:], "--owner", "组织人事科",
             "--measures", "副职退休后不再补充", "--progress", "已制定消化计划"))
    cli.ok("round", "rectify", "--db", cli.u["a"], "--problem", pid["a_now"], "--owner", "办公室",
           "--measures", "补齐佐证资料并按要点归档", "--done")
    cli.to_bureau()

    # ---- 编办用单: close one, send the other back; results judged on TODAY
    a_code = code["a"]
    closed, refused = run_all([("round", "verify", "--db", cli.b, "--unit", a_code, "--problem", pid["a_now"][-8:],
                                "--close", "--comment", "资料已归档"),
                               ("round", "verify", "--db", cli.b, "--unit", a_code, "--problem", pid["a_late"],
                                "--reopen")], env_dir, password=DEMO_PASSWORD)
    checked(closed)
    assert refused.returncode == 1 and "退回整改须写明理由" in refused.stderr
    cli.ok("round", "verify", "--db", cli.b, "--unit", a_code, "--problem", pid["a_late"], "--reopen",
           "--comment", "仍有1人未召回，请继续整改")
    results = json.loads(cli.ok("round", "results", "--db", cli.b, "--round", ROUND, "--today", TODAY, "--json"))
    by_name = {r["name"]: r for r in results["units"]}
    ranked = sorted(UNITS, key=lambda k: -bureau_total[k])
    assert [r["name"] for r in results["units"]] == [UNITS[k][0] for k in ranked]
    assert [r["rank"] for r in results["units"]] == [1, 2]
    for k in UNITS:
        r = by_name[UNITS[k][0]]
        assert (r["self_total"], r["bureau_total"], r["stage"]) == (self_total[k], bureau_total[k], "改单")
    assert (by_name[UNITS["a"][0]]["open_problems"], by_name[UNITS["a"][0]]["overdue"]) == (1, 1)
    assert (by_name[UNITS["b"][0]]["open_problems"], by_name[UNITS["b"][0]]["overdue"]) == (2, 0)
    assert (results["problems"], results["open_problems"], results["overdue"]) == (4, 3, 1)
    cli.to_units()
    # ---- reports (the round's, unit a's at the 编办, unit b's on its own database) beside the
    # problems as the units now see them
    shows = [("round", "show", "--db", cli.u[k], "--round", ROUND, "--today", TODAY, "--json") for k in UNITS]
    *_, show_a, show_b = cli.all(
        ("round", "report", "--db", cli.b, "--round", ROUND, "--out", root / "round.pdf", "--xlsx",
         root / "round.xlsx", "--today", TODAY),
        ("round", "report", "--db", cli.b, "--round", ROUND, "--unit", a_code, "--out", root / "a.pdf",
         "--today", TODAY),
        ("round", "report", "--db", cli.u["b"], "--round", ROUND, "--out", root / "b.pdf", "--today", TODAY),
        *shows)
    seen = {"a": json.loads(show_a), "b": json.loads(show_b)}
    assert {k: (s["bureau_totals"]["total"], s["stage"]) for k, s in seen.items()} == \
        {k: (bureau_total[k], "改单") for k in UNITS}
    states = {p["id"]: (p["state"], p["overdue"], p["verify_comment"]) for s in seen.values() for p in s["problems"]}
    assert states == {pid["a_late"]: ("退回整改", True, "仍有1人未召回，请继续整改"),
                      pid["a_now"]: ("已销号", False, "资料已归档"),
                      pid["b_long"]: ("待整改", False, ""), pid["b_posts"]: ("整改中", False, "")}
    text = pdf_text(root / "round.pdf")
    for words in ("沂河县2026年度机构编制评估工作情况报告", "沂河县市场监督管理局", "沂河县机关事务服务中心",
                  f"{bureau_total[ranked[0]]:g}", f"{bureau_total[ranked[1]]:g}", "共发现问题4个",
                  "借调人员时间较长或人员较多的1个", "立查立改问题1个、限时整改问题2个、长期坚持问题1个",
                  "逾期未完成1个", "借调人员2人借调时间超过1年", "改单"):
        assert words in text, words
    text = pdf_text(root / "a.pdf")
    for words in ("沂河县市场监督管理局机构编制执行情况和使用效益评估报告", f"自评得分{self_total['a']:g}分",
                  f"编办评估得分{bureau_total['a']:g}分", "借调人员2人借调时间超过1年", "退回整改",
                  "仍有1人未召回，请继续整改", "已销号", "改单", "整改建议", "尽快完成逾期事项"):
        assert words in text, words
    text = pdf_text(root / "b.pdf")
    for words in ("沂河县机关事务服务中心机构编制执行情况和使用效益评估报告", "事业编制空编较多，长期未补充",
                  "待整改", "副职超职数配备1名", "整改中", f"编办评估得分{bureau_total['b']:g}分"):
        assert words in text, words
    book = load_workbook(root / "round.xlsx", read_only=True)
    scores = list(book["评估要点得分"].iter_rows(min_row=3, values_only=True))
    assert len(scores) == sum(len(leaves(s)) for s in at_bureau.values())
    problems = list(book["问题清单"].iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[5], r[7]) for r in problems) == sorted([
        ("沂河县市场监督管理局", "限时整改", "退回整改"), ("沂河县市场监督管理局", "立查立改", "已销号"),
        ("沂河县机关事务服务中心", "长期坚持", "待整改"), ("沂河县机关事务服务中心", "限时整改", "整改中")])

    # ---- closing with problems still open is refused unless forced, then the round is frozen
    refused = run("round", "close", "--db", cli.b, "--round", ROUND, "--today", TODAY, data_dir=cli.env,
                  password=DEMO_PASSWORD)
    assert refused.returncode == 1 and "批次未结束；确需结束请加 --force" in refused.stderr
    assert "沂河县市场监督管理局：问题1个未销号（其中退回整改1个）" in refused.stderr
    assert "进行中" in cli.ok("round", "list", "--db", cli.b)
    out = cli.ok("round", "close", "--db", cli.b, "--round", ROUND, "--force")
    assert "未完成即结束（--force）" in out and "沂河县机关事务服务中心：问题2个未销号" in out
    assert f"已于{dt.date.today().isoformat()}结束" in cli.ok("round", "list", "--db", cli.b)

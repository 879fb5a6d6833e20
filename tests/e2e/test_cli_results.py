"""编办用单 on the command line, on real files: `round grades` (cut-offs checked, grades listed),
`round adjust` (a 加分 past its cap capped with the message), `round results --json` (final
score, 百分制, 等次), `decision add` with evidence and its refusals, and `decision list` in the
unit after `export-package` / `import-package` carried the decision."""
from __future__ import annotations

import json

import pytest

from app.services.evaluation import rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.indicators import install_defaults
from app.services.org.actor import SYSTEM
from tests.e2e.cli_world import add_admin
from tests.e2e.test_cli_basic import run
from tests.unit.sync_fixtures import build_world, credit


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Units a and b in a submitted round over October 2026, scored by the 编办 at 100 % and
    70 %; admin accounts on the 编办 and on unit a."""
    root = tmp_path_factory.mktemp("cli-results") / "world"
    w = build_world(root)
    for key in ("a", "b"):
        assert not w.receive(w.report(key))[0].rejected
    install_defaults(w.bureau, SYSTEM)
    round_id = rounds.create_round(w.bureau, SYSTEM, "十月评估", 2026, "2026-10")
    for key in ("a", "b"):
        rounds.assign(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids[key])
        assert not w.unit_receives(key, w.dispatch(key))[0].rejected
        for item in rounds.detail(w.units[key], round_id).leaves:
            rounds.set_self_score(w.units[key], SYSTEM, round_id, item.id, item.max_score, "已落实")
        rounds.submit_self(w.units[key], SYSTEM, round_id)
        assert not w.receive(w.report(key))[0].rejected
    for key, share in (("a", 1.0), ("b", 0.7)):
        for item in rounds.detail(w.mirror(key), round_id, w.unit_ids[key]).leaves:
            RB.set_bureau_score(w.bureau, w.mirrors, SYSTEM, round_id, w.unit_ids[key], item.id,
                                round(item.max_score * share, 2))
    paths = {"bureau": w.bureau.path, "a": w.units["a"].path}
    w.close()
    add_admin(paths["bureau"])
    add_admin(paths["a"])
    return root, paths


def test_grades_adjustments_and_a_decision_reaching_the_unit(world, tmp_path):
    root, paths = world
    b, a = paths["bureau"], paths["a"]

    def cli(*args):
        return run(*args, data_dir=tmp_path / "data")

    bad = cli("round", "grades", "--db", b, "--round", "十月评估", "--set", "好=90,较好=95,较差")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "等次标准有误，未保存" in bad.stderr and "从高到低" in bad.stderr
    r = cli("round", "grades", "--db", b, "--round", "十月评估", "--set", "优秀=95,合格=70,不合格")
    assert r.returncode == 0, r.stderr
    assert "已设定等次标准：优秀≥95，合格≥70，不合格<70" in r.stdout
    assert "1  沂河县第1局  最终得分120/120  折算100  优秀" in r.stdout
    assert "2  沂河县第2局  最终得分84/120  折算70  合格" in r.stdout

    listed = cli("round", "adjust", "--db", b, "--round", "十月评估", "--unit", credit(2))
    assert "J1 获得表彰或工作经验被推广｜加分：每次加2分，最多加5分｜未录入" in listed.stdout
    r = cli("round", "adjust", "--db", b, "--round", "十月评估", "--unit", credit(2), "--item", "J1",
            "--times", "3", "--reason", "获省级表彰3次")
    assert r.returncode == 0, r.stderr
    assert "3次×2分=6分，超过上限5分，按加5分计" in r.stdout and "加减分合计+5分" in r.stdout
    shown = cli("round", "show", "--db", b, "--round", "十月评估", "--unit", credit(2))
    assert "加分扣分：J1 获得表彰或工作经验被推广  3次  +5分  理由：获省级表彰3次" in shown.stdout
    r = cli("round", "results", "--db", b, "--round", "十月评估", "--json")
    units = {u["name"]: u for u in json.loads(r.stdout)["units"]}
    assert (units["沂河县第2局"]["final_total"], units["沂河县第2局"]["grade"]) == (89, "合格")
    assert units["沂河县第1局"]["rank"] == 1 and units["沂河县第1局"]["grade"] == "优秀"

    refused = cli("decision", "add", "--db", b, "--unit", credit(1), "--kind", "编制核减",
                  "--date", "2026-11-02", "--evidence", "round")
    assert refused.returncode == 1 and "编制核减须填写编制数" in refused.stderr
    r = cli("decision", "add", "--db", b, "--unit", credit(1), "--kind", "编制核减", "--posts", "2",
            "--date", "2026-11-02", "--doc", "沂编〔2026〕12号", "--evidence", "round", "--today", "2026-11-02")
    assert r.returncode == 0, r.stderr
    assert "已记录对沂河县第1局的决定：编制核减2名（沂编〔2026〕12号）" in r.stdout
    assert "依据 十月评估：编办评分120分" in r.stdout and "等次“优秀”" in r.stdout

    # the unit has nothing until its 下发包; then its history shows the decision and its evidence
    assert cli("decision", "list", "--db", a).stdout.strip() == "没有决定记录"
    out = tmp_path / "out"
    out.mkdir()
    r = cli("export-package", "--db", b, "--unit", credit(1), "--out", out)
    assert r.returncode == 0, r.stderr
    [package] = list(out.glob("*.lzkp"))
    r = cli("import-package", "--db", a, package)
    assert r.returncode == 0, r.stderr
    r = cli("decision", "list", "--db", a, "--json")
    [decision] = json.loads(r.stdout)
    assert (decision["kind"], decision["posts"], decision["doc_no"]) == ("编制核减", 2, "沂编〔2026〕12号")
    assert "等次“优秀”" in decision["evidence"][0]["text"]

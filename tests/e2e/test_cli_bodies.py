"""`register-unit --parent` and `set-parent` (编办): a 主管部门 named at registration, a cycle
and a second level refused with one Chinese line and exit 1, nothing changed; `--parent ""`
makes the unit stand alone again."""
from __future__ import annotations

from tests.e2e.test_cli_basic import run
from tests.unit.sync_fixtures import credit

HEALTH, CDC, HOSPITAL = "沂河县卫生健康局", "沂河县疾病预防控制中心", "沂河县人民医院"


def test_register_under_a_department_and_refusals(tmp_path):
    def cli(*args):
        return run(*args, data_dir=tmp_path / "appdata")

    bureau = tmp_path / "county.sqlite"
    assert cli("init", "--db", bureau, "--edition", "bureau", "--unit-name", "沂河县委编办",
               "--credit-code", credit(0), "--admin", "bb", "--password", "abc12345").returncode == 0
    assert cli("register-unit", "--db", bureau, "--unit-name", HEALTH, "--credit-code", credit(1)).returncode == 0
    done = cli("register-unit", "--db", bureau, "--unit-name", CDC, "--credit-code", credit(2),
               "--unit-class", "公益一类事业单位", "--parent", HEALTH)
    assert done.returncode == 0 and f"主管部门：{HEALTH}" in done.stdout
    refused = cli("register-unit", "--db", bureau, "--unit-name", HOSPITAL, "--credit-code", credit(3),
                  "--parent", CDC)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"主管部门：“{CDC}”本身是“{HEALTH}”的所属单位，不能再作为主管部门" in refused.stderr
    assert cli("register-unit", "--db", bureau, "--unit-name", HOSPITAL, "--credit-code", credit(3)).returncode == 0
    cycle = cli("set-parent", "--db", bureau, "--unit", HEALTH, "--parent", CDC)
    assert cycle.returncode == 1 and len(cycle.stderr.strip().splitlines()) == 1
    assert f"“{CDC}”的主管部门是“{HEALTH}”，再把“{CDC}”设为“{HEALTH}”的主管部门会形成循环" in cycle.stderr
    moved = cli("set-parent", "--db", bureau, "--unit", HOSPITAL, "--parent", HEALTH)
    assert moved.returncode == 0 and f"“{HOSPITAL}”的主管部门设为“{HEALTH}”" in moved.stdout
    alone = cli("set-parent", "--db", bureau, "--unit", HOSPITAL, "--parent", "")
    assert alone.returncode == 0 and f"“{HOSPITAL}”不再隶属“{HEALTH}”" in alone.stdout

"""`pcs`: two PCs of one unit joined through a temporary exchange folder, run as a user runs the
command line (subprocesses). Each PC has its own data folder (settings.json: its exchange
configuration) as two real PCs would."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.e2e.test_cli_basic import D2, init_args, run


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    root = tmp_path_factory.mktemp("pcs")
    share = root / "share"
    share.mkdir()
    a_dir, b_dir = root / "pcA", root / "pcB"
    a_db, b_db = root / "a.sqlite", root / "b.sqlite"
    r = run(*init_args(a_db), data_dir=a_dir)
    assert r.returncode == 0, r.stderr
    r = run("pcs", "setup", "--db", a_db, "--folder", share, "--name", "管理员电脑", data_dir=a_dir)
    assert r.returncode == 0, r.stderr
    code = re.search(r"加入码：(\S+)", r.stdout).group(1)
    r = run("pcs", "join", "--db", b_db, "--folder", share, "--code", code, "--name", "二号机",
            data_dir=b_dir)
    assert r.returncode == 0, r.stderr
    assert "已加入本单位" in r.stdout and "管理员电脑" in r.stdout
    assert "问题" not in r.stdout, r.stdout     # the admin PC's first file (unit row, quotas) taken
    return root, share, (a_db, a_dir), (b_db, b_dir)


def test_a_log_written_on_one_pc_appears_on_the_other_after_sync(unit):
    _, share, (a_db, a_dir), (b_db, b_dir) = unit
    r = run("log", "add", "--db", b_db, "--user", "admin", "--date", D2, "--hours", "3",
            "--category", "业务工作", "--content", "在二号机上写的日志", data_dir=b_dir)
    assert r.returncode == 0, r.stderr
    show = ("log", "show", "--db", a_db, "--user", "admin", "--date", D2, "--json")
    assert json.loads(run(*show, data_dir=a_dir).stdout)["entries"] == []
    r = run("pcs", "sync", "--db", b_db, data_dir=b_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("同步完成：写出1个变更文件")
    r = run("pcs", "sync", "--db", a_db, data_dir=a_dir)
    assert r.returncode == 0, r.stderr
    assert "读入1个" in r.stdout and "看到其他电脑1台" in r.stdout
    [entry] = json.loads(run(*show, data_dir=a_dir).stdout)["entries"]
    assert entry["content"] == "在二号机上写的日志"
    status = run("pcs", "status", "--db", a_db, data_dir=a_dir)
    assert "电脑：二号机" in status.stdout and "看到其他电脑1台" in status.stdout


def test_sync_with_the_folder_gone_says_so_and_keeps_local_work(unit):
    root, share, (a_db, a_dir), (b_db, b_dir) = unit
    r = run("log", "add", "--db", b_db, "--user", "admin", "--date", D2, "--hours", "1",
            "--category", "业务工作", "--content", "断网时写的", data_dir=b_dir)
    assert r.returncode == 0, r.stderr
    moved = root / "share-offline"
    shutil.move(share, moved)
    try:
        r = run("pcs", "sync", "--db", b_db, data_dir=b_dir)
        assert r.returncode == 1
        assert r.stderr.splitlines() == [f"错误：交换文件夹无法访问：{share}（本机照常工作，文件夹恢复后再同步）"]
        show = run("log", "show", "--db", b_db, "--user", "admin", "--date", D2, "--json", data_dir=b_dir)
        assert "断网时写的" in [e["content"] for e in json.loads(show.stdout)["entries"]]
    finally:
        shutil.move(moved, share)
    r = run("pcs", "sync", "--db", b_db, data_dir=b_dir)     # back: it catches up
    assert r.returncode == 0 and "写出1个变更文件" in r.stdout


def test_a_wrong_join_code_makes_no_database(unit):
    root, share, _, (_, b_dir) = unit
    r = run("pcs", "join", "--db", root / "c.sqlite", "--folder", share, "--code",
            "2345-6789-ABCD-EFGH-JKLM", data_dir=root / "pcC")
    assert r.returncode == 1 and r.stderr.startswith("错误：加入码")
    assert not (root / "c.sqlite").exists()


def test_retire_is_for_the_admin_and_names_the_pc(unit):
    _, _, (a_db, a_dir), _ = unit
    r = run("pcs", "retire", "--db", a_db, "--pc", "二号机", data_dir=a_dir, password="wrong123")
    assert r.returncode == 1 and "密码" in r.stderr
    r = run("pcs", "retire", "--db", a_db, "--pc", "二号机", data_dir=a_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("已停用电脑“二号机”")
    assert "已停用" in run("pcs", "status", "--db", a_db, data_dir=a_dir).stdout

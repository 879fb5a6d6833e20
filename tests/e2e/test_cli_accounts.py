"""Account commands as an admin runs them: initial-passwords (screen and 初始密码单 PDF), the
forced change-password, unlock."""
from __future__ import annotations

import os

from tests.e2e.test_cli_basic import init_args, run
from tests.pdf_text import pdf_text


def test_initial_password_forced_change_lock_and_unlock(tmp_path):
    db = tmp_path / "unit.sqlite"
    assert run(*init_args(db), data_dir=tmp_path).returncode == 0
    r = run("add-user", "--db", db, "--user", "li", "--name", "李玥", "--password", "li123456",
            data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("initial-passwords", "--db", db, "--user", "li", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    (line,) = [x for x in r.stdout.splitlines() if x.startswith("li\t")]
    password = line.split("\t")[1]
    assert len(password) == 10

    r = run("log", "show", "--db", db, "--user", "li", "--date", "2026-11-02", data_dir=tmp_path,
            password=password)
    assert r.returncode == 1 and "须先修改密码" in r.stderr and "Traceback" not in r.stderr
    os.environ["LZKP_NEW_PASSWORD"] = "mine2026x"
    try:
        r = run("change-password", "--db", db, "--user", "li", data_dir=tmp_path, password=password)
    finally:
        del os.environ["LZKP_NEW_PASSWORD"]
    assert r.returncode == 0 and "已修改 li 的密码" in r.stdout, r.stderr

    for _ in range(5):
        r = run("log", "show", "--db", db, "--user", "li", "--date", "2026-11-02",
                data_dir=tmp_path, password="wrong123")
    assert r.returncode == 1 and "账号已锁定1分钟" in r.stderr
    r = run("unlock", "--db", db, "--user", "li", data_dir=tmp_path)
    assert r.returncode == 0 and "已解除 li 的锁定" in r.stdout
    r = run("log", "show", "--db", db, "--user", "li", "--date", "2026-11-02", data_dir=tmp_path,
            password="mine2026x")
    assert r.returncode == 0, r.stderr


def test_initial_passwords_pdf_for_new_accounts(tmp_path):
    db = tmp_path / "unit.sqlite"
    assert run(*init_args(db), data_dir=tmp_path).returncode == 0
    r = run("initial-passwords", "--db", db, data_dir=tmp_path)
    assert r.returncode == 0 and "没有需要发放初始密码的账号" in r.stdout
    pdf = tmp_path / "初始密码单.pdf"
    r = run("add-user", "--db", db, "--user", "lisi", "--name", "李四", data_dir=tmp_path)
    assert r.returncode == 0 and "尚无密码" in r.stdout, r.stderr
    r = run("initial-passwords", "--db", db, "--out", pdf, data_dir=tmp_path)
    assert r.returncode == 0 and "已为1个账号生成初始密码" in r.stdout, r.stderr
    text = pdf_text(pdf)
    assert "初始密码单" in text and "首次登录须修改密码" in text and "lisi" in text and "李四" in text
    r = run("initial-passwords", "--db", db, "--user", "admin", data_dir=tmp_path)
    assert r.returncode == 1 and "修改密码" in r.stderr     # one's own password: changed, not issued


def test_add_user_with_staffing_type_counts_as_actual_then_edit_and_disable(tmp_path):
    """Issue 17: a unit built by the command line showed 实有 0 — add-user sets 编制类型."""
    import json

    db = tmp_path / "unit.sqlite"
    assert run(*init_args(db), data_dir=tmp_path).returncode == 0
    r = run("add-user", "--db", db, "--user", "zs", "--name", "张三", "--password", "zs123456",
            "--staffing-type", "行政编制", "--post", "科长", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("staffing", "--db", db, "--json", data_dir=tmp_path)
    types = {t["staffing_type"]: t for t in json.loads(r.stdout)["types"]}
    assert types["行政编制"]["actual"] == 1
    r = run("add-user", "--db", db, "--user", "ls", "--name", "李四", "--staffing-type", "临时",
            data_dir=tmp_path)
    assert r.returncode == 1 and "未知的编制类型“临时”（可选：行政编制" in r.stderr

    r = run("edit-user", "--db", db, "--user", "zs", "--staffing-type", "事业编制", data_dir=tmp_path)
    assert r.returncode == 0 and "已修改 zs 的信息" in r.stdout, r.stderr
    types = {t["staffing_type"]: t for t in json.loads(run(
        "staffing", "--db", db, "--json", data_dir=tmp_path).stdout)["types"]}
    assert types["行政编制"]["actual"] == 0 and types["事业编制"]["actual"] == 1

    r = run("disable-user", "--db", db, "--user", "zs", data_dir=tmp_path)
    assert r.returncode == 0 and "已停用 zs 的账号" in r.stdout
    r = run("log", "show", "--db", db, "--user", "zs", "--date", "2026-11-02", data_dir=tmp_path,
            password="zs123456")
    assert r.returncode == 1 and "已停用" in r.stderr
    r = run("disable-user", "--db", db, "--user", "admin", data_dir=tmp_path)
    assert r.returncode == 1 and "不能停用自己的账号" in r.stderr
    assert run("enable-user", "--db", db, "--user", "zs", data_dir=tmp_path).returncode == 0

"""The command line, run as a user runs it: `python -m app COMMAND ...` in a subprocess.

Each start of the program costs ~1.5 s (imports) and each password hash ~0.5 s (argon2id with
the program's real parameters), so one database is initialised per module and commands that do
not depend on one another run concurrently.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.migrate import head_revision
from app.db.models import EntryText, LogEntry

ROOT = Path(__file__).resolve().parents[2]
GOOD_CODE = "11371321MB28510360"
TODAY = dt.date.today()
D1 = TODAY - dt.timedelta(days=1)   # the secret + submitted entry
D2 = TODAY - dt.timedelta(days=2)   # ordinary entries
D3 = TODAY - dt.timedelta(days=3)   # 请假
ZS = "zs654321"                      # zhangsan's password after the admin's reset


def run(*args: str | Path, data_dir: Path, password: str = "abc12345",
        new_password: str | None = None) -> subprocess.CompletedProcess:
    """`password`: the acting user's (--user), as batch work passes it (LZKP_PASSWORD);
    `new_password`: for change-password (LZKP_NEW_PASSWORD)."""
    env = {**os.environ, "LZKP_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8",
           "LZKP_PASSWORD": password}
    if new_password is not None:
        env["LZKP_NEW_PASSWORD"] = new_password
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def run_all(commands: list[tuple], data_dir: Path, password: str = "abc12345",
            new_password: str | None = None) -> list[subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda c: run(*c, data_dir=data_dir, password=password,
                                           new_password=new_password), commands))


def init_args(db: Path, **over) -> list[str]:
    opts = {"--unit-name": "测试县市场监督管理局", "--credit-code": GOOD_CODE,
            "--quotas": "行政编制=20,事业编制=5", "--leader-posts": "正职=1,副职=3",
            "--admin": "admin", "--password": "abc12345", **over}
    return ["init", "--db", db, *[x for kv in opts.items() for x in kv]]


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory, env_dir) -> Path:
    """A unit initialised with the CLI: admin (abc12345) and zhangsan (reset to zs654321)."""
    db = tmp_path_factory.mktemp("cli") / "unit.sqlite"
    r = run(*init_args(db), data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    assert "已创建单位“测试县市场监督管理局”" in r.stdout
    r = run("add-user", "--db", db, "--user", "zhangsan", "--name", "张三", "--password",
            "zs123456", "--id-number", "11010519491231002X", "--staffing-type", "行政编制",
            data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    assert "已添加账号 zhangsan" in r.stdout
    r = run("set-password", "--db", db, "--user", "zhangsan", "--password", "zsreset1",
            data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    assert "已重设 zhangsan 的密码（首次登录须修改）" in r.stdout
    # a reset password must be changed before use
    r = run("change-password", "--db", db, "--user", "zhangsan", data_dir=env_dir,
            password="zsreset1", new_password=ZS)
    assert r.returncode == 0, r.stderr
    return db


def open_db(path: Path):
    from app.services.org.setup import open_database
    return open_database(path)


def test_init_failures_leave_no_file(tmp_path, env_dir):
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"keep me")
    bad_code, no_admin, exists = run_all([
        init_args(tmp_path / "a.sqlite", **{"--credit-code": "91350100M000100Y44",
                                            "--password": "12345678"}),
        init_args(tmp_path / "b.sqlite", **{"--admin": " "}),   # fails after creating the file
        init_args(existing),
    ], env_dir)
    assert bad_code.returncode == 1
    assert bad_code.stderr.splitlines() == ["错误：初始化失败：统一社会信用代码校验位错误（应为3）；"
                                            "密码须同时包含字母和数字"]
    assert no_admin.returncode == 1 and "请填写登录名" in no_admin.stderr
    assert exists.returncode == 1 and "文件已存在" in exists.stderr
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.sqlite"]
    assert "Traceback" not in "".join(r.stderr for r in (bad_code, no_admin, exists))


def test_init_add_user_and_set_password_then_login(cli_db):
    from app.services.org import accounts
    db = open_db(cli_db)
    try:
        admin = accounts.login(db, "admin", "abc12345")
        assert not admin.must_change_password     # init: the admin chose it himself, as in the wizard
        zhang = accounts.login(db, "zhangsan", "zs654321")
        assert zhang.name == "张三" and not zhang.must_change_password   # changed after the reset
        with pytest.raises(accounts.LoginFailed):
            accounts.login(db, "zhangsan", "zs123456")
        from app.services.org.setup import unit_of
        assert unit_of(db).credit_code == GOOD_CODE
    finally:
        db.dispose()


def test_log_add_secret_submit_and_day_state(cli_db, env_dir):
    user = ("--db", cli_db, "--user", "zhangsan")
    secret, normal, leave = run_all([
        ("log", "add", *user, "--date", D1, "--hours", "2.5", "--category", "督办事项",
         "--content", "某涉密专项内容", "--secret", "--submit"),
        ("log", "add", *user, "--date", D2, "--hours", "3", "--category", "业务工作",
         "--content", "审核许可材料"),
        ("log", "day-state", *user, "--date", D3, "--state", "请假"),
    ], env_dir, password=ZS)
    assert secret.returncode == 0, secret.stderr
    assert secret.stdout.strip() == f"zhangsan {D1}：1条，合计2.5小时，已提交"
    assert normal.returncode == 0, normal.stderr
    assert leave.returncode == 0 and leave.stdout.strip() == f"zhangsan {D3}：请假"

    edit, show = run_all([
        ("log", "add", *user, "--date", D1, "--hours", "1", "--category", "业务工作",
         "--content", "补充"),
        ("log", "show", *user, "--date", D1, "--json"),
    ], env_dir, password=ZS)
    assert edit.returncode == 1
    assert f"{D1}的日志已提交，不能直接修改（尚未审阅时可先撤回）" in edit.stderr
    assert show.returncode == 0
    data = json.loads(show.stdout)
    assert (data["state"], data["total_hours"]) == ("submitted", 2.5)
    [entry] = data["entries"]
    assert (entry["category"], entry["secret"], entry["content"]) == ("督办事项", True, "")
    assert normal.stdout.strip() == f"zhangsan {D2}：1条，合计3小时，草稿"

    db = open_db(cli_db)
    try:
        with db.read() as s:
            row = s.get(LogEntry, entry["entry_id"])
            assert (row.hours, row.secret) == (2.5, True)
            assert s.get(EntryText, entry["entry_id"]) is None
            assert "某涉密专项内容" not in s.scalars(select(EntryText.content)).all()
    finally:
        db.dispose()
    assert "某涉密专项内容".encode() not in cli_db.read_bytes()


def test_log_rejections(cli_db, env_dir):
    user = ("--db", cli_db, "--user", "zhangsan")
    future, too_long, ghost, nan = run_all([
        ("log", "add", *user, "--date", TODAY + dt.timedelta(days=1), "--hours", "2",
         "--category", "业务工作", "--content", "明天的事"),
        ("log", "add", *user, "--date", TODAY - dt.timedelta(days=5), "--hours", "25",
         "--category", "打麻将", "--content", "通宵"),
        ("log", "add", "--db", cli_db, "--user", "ghost", "--date", D2, "--hours", "1",
         "--category", "业务工作", "--content", "x"),
        ("log", "add", *user, "--date", TODAY - dt.timedelta(days=5), "--hours", "nan",
         "--category", "业务工作", "--content", "x"),
    ], env_dir, password=ZS)
    for r in (future, too_long, ghost, nan):
        assert r.returncode == 1, r.stdout
        assert r.stderr.startswith("错误：") and "Traceback" not in r.stderr
    assert f"不能填写未来日期（{TODAY + dt.timedelta(days=1)}）的日志" in future.stderr
    assert "当日工时合计25小时，超过24小时" in too_long.stderr
    assert "第1条：未知的工作类别“打麻将”" in too_long.stderr
    assert ghost.stderr.strip() == "错误：没有登录名为“ghost”的人员"
    assert "第1条：工时应大于0" in nan.stderr


def test_log_submit_a_leave_only_day_and_refusals(cli_db, env_dir):
    user = ("--db", cli_db, "--user", "zhangsan")
    off, nothing = TODAY - dt.timedelta(days=8), TODAY - dt.timedelta(days=9)
    marked = run("log", "day-state", *user, "--date", off, "--state", "公休", data_dir=env_dir,
                 password=ZS)
    assert marked.returncode == 0, marked.stderr
    submitted, missing = run_all([("log", "submit", *user, "--date", off),
                                  ("log", "submit", *user, "--date", nothing)], env_dir, password=ZS)
    assert submitted.returncode == 0, submitted.stderr
    assert submitted.stdout.strip() == (f"已提交 zhangsan {off} 的日志（公休，0条，合计0小时），"
                                        f"当前状态：已提交")
    assert missing.returncode == 1 and missing.stderr.strip() == f"错误：{nothing}还没有日志，无法提交"
    again, show = run_all([("log", "submit", *user, "--date", off),
                           ("log", "show", *user, "--date", off, "--json")], env_dir, password=ZS)
    assert again.returncode == 1 and "已提交，不能直接修改" in again.stderr
    data = json.loads(show.stdout)
    assert (data["state"], data["day_state"], data["entries"]) == ("submitted", "公休", [])


def test_backup_then_check(cli_db, tmp_path, env_dir):
    backup = tmp_path / "copies" / "unit-backup.sqlite"
    damaged = tmp_path / "damaged.sqlite"
    shutil.copyfile(cli_db, damaged)
    size = damaged.stat().st_size
    with damaged.open("r+b") as fh:                 # 16 KiB of garbage in the middle
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(bytes(range(256)) * 64)
    made, bad = run_all([
        ("backup", "--db", cli_db, "--out", backup),
        ("check", "--db", damaged),
    ], env_dir)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"已备份到 {backup}"
    assert bad.returncode == 1 and bad.stderr.startswith("错误：数据库文件已损坏：")

    before = backup.read_bytes()
    r = run("check", "--db", backup, "--full", data_dir=env_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"完整性检查通过；数据库版本 {head_revision()}")
    assert backup.read_bytes() == before            # checking never writes to the file
    assert sorted(p.name for p in backup.parent.iterdir()) == ["unit-backup.sqlite"]
    # and the backup is a complete database
    from app.services.org import accounts
    db = open_db(backup)
    try:
        assert accounts.login(db, "zhangsan", "zs654321").name == "张三"
    finally:
        db.dispose()

"""Every command-line error is one Chinese line on stderr: exit 1 when the operation failed, 2
when the command line was wrong; never a traceback unless --debug asks for one.

Run as a user runs it (`python -m app` in a subprocess): what matters is what the terminal shows.
"""
from __future__ import annotations

import os
import pty
import select as io
import sqlite3
import sys
import time

import pytest

from tests.e2e.cli_world import CREDIT_CODE, PASSWORDS
from tests.e2e.test_cli_basic import ROOT, run

ADMIN_PW = PASSWORDS["admin"]


def one_line(r, code: int, prefix: str = "错误：") -> str:
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(prefix), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def test_missing_enrollment_file(tmp_path):
    missing = tmp_path / "没有这个文件.lzkp"
    r = run("init", "--db", tmp_path / "u.sqlite", "--enrollment", missing, "--admin", "admin",
            "--password", "abc12345", data_dir=tmp_path)
    line = one_line(r, 1)
    assert "找不到" in line and str(missing) in line
    assert not (tmp_path / "u.sqlite").exists()


def test_missing_package_path(tmp_path):
    from app.services.org import accounts
    from app.services.org.setup import UnitSetup, create_database
    bureau = tmp_path / "county.sqlite"
    create_database(bureau, UnitSetup("测试县委编办", CREDIT_CODE, edition="bureau"),
                    accounts.NewUser("admin", "编办管理员", ADMIN_PW, is_admin=True,
                                     must_change=False)).dispose()
    missing = tmp_path / "U盘" / "上报包"
    r = run("import-package", "--db", bureau, missing, data_dir=tmp_path, password=ADMIN_PW)
    line = one_line(r, 1)
    assert "找不到" in line and str(missing) in line


def test_backup_to_a_folder_that_cannot_exist(db_file, tmp_path):
    blocker = tmp_path / "U盘"
    blocker.write_text("a file where the folder should be")
    r = run("backup", "--db", db_file, "--out", blocker / "备份.sqlite", data_dir=tmp_path,
            password=ADMIN_PW)
    line = one_line(r, 1)
    assert str(blocker) in line


def test_several_problems_are_one_line(tmp_path):
    r = run("init", "--db", tmp_path / "u.sqlite", "--unit-name", "测试", "--credit-code",
            "91350100M000100Y44", "--admin", "admin", "--password", "12345678", data_dir=tmp_path)
    line = one_line(r, 1)
    assert "统一社会信用代码校验位错误（应为3）" in line and "密码须同时包含字母和数字" in line


@pytest.mark.parametrize("argv, hint", [
    (("stats", "--db", "x.sqlite"), "--period"),               # a required option missing
    (("no-such-command",), "no-such-command"),
    (("stats", "--db", "x.sqlite", "--period", "2026", "--level", "county"), "county"),
    (("log", "add", "--db", "x.sqlite", "--user", "a", "--date", "2026-13-01", "--hours", "1",
      "--category", "x"), "2026-13-01"),
])
def test_usage_errors_exit_2_with_a_chinese_hint(tmp_path, argv, hint):
    r = run(*argv, data_dir=tmp_path)
    line = one_line(r, 2, prefix="命令行有误：")
    assert hint in line
    assert "usage:" not in r.stderr and "error:" not in r.stderr


def test_debug_shows_the_traceback(tmp_path):
    r = run("--debug", "init", "--db", tmp_path / "u.sqlite", "--enrollment", tmp_path / "none.lzkp",
            "--admin", "admin", "--password", "abc12345", data_dir=tmp_path)
    assert r.returncode == 1
    assert "Traceback" in r.stderr and r.stderr.splitlines()[-1].startswith("错误：")


def test_a_locked_database_is_one_line_and_nothing_is_written(db_file, tmp_path):
    holder = sqlite3.connect(db_file, timeout=0)
    holder.execute("BEGIN IMMEDIATE")          # another program holds the write lock
    try:
        started = time.monotonic()
        r = run("settings", "set", "--db", db_file, "flags.late_days", "9", data_dir=tmp_path,
                password=ADMIN_PW)
        assert time.monotonic() - started < 60
    finally:
        holder.rollback()
        holder.close()
    line = one_line(r, 1)
    assert "占用" in line
    assert "argon2" not in r.stderr and "INSERT" not in r.stderr and "UPDATE" not in r.stderr


def test_ctrl_c_at_the_password_prompt(db_file, tmp_path):
    env = {**os.environ, "LZKP_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    env.pop("LZKP_PASSWORD", None)
    pid, fd = pty.fork()
    if pid == 0:        # the child: the program on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "app", "settings", "set", "--db",
                                   str(db_file), "flags.late_days", "9"], env)
    seen = b""
    deadline = time.monotonic() + 60
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = io.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and "密码".encode() in seen:
            os.write(fd, b"\x03")
            sent = True
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert sent, text
    assert os.waitstatus_to_exitcode(status) == 1, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert "已取消" in text

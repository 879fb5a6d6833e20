"""`backups run|list|preview|restore`, run as a user runs them (subprocesses)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from app.services.logs import daily as logs
from app.services.org import accounts

ROOT = Path(__file__).resolve().parents[2]


def run(*args, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LZKP_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8",
           "LZKP_PASSWORD": "abc12345"}       # the acting admin's (backups are admin commands)
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          stdin=subprocess.DEVNULL)


def test_run_list_preview_restore(unit_db, tmp_path):
    admin = accounts.login(unit_db, "admin", "abc12345")
    logs.save_day(unit_db, admin, dt.date(2026, 11, 16), "正常",
                  [logs.EntryDraft(hours=2, category="业务工作", content="备份前")], today=dt.date(2026, 11, 20))
    unit_db.dispose()
    data, db = tmp_path / "data", unit_db.path
    unplugged = tmp_path / "U盘"

    made = run("backups", "run", "--db", db, "--second", unplugged, data_dir=data)
    assert made.returncode == 0, made.stderr
    assert "已备份" in made.stdout
    assert "第二备份位置" in made.stderr and "Traceback" not in made.stderr

    listed = run("backups", "list", "--db", db, data_dir=data)
    assert listed.returncode == 0, listed.stderr
    [backup] = list((db.parent / "backups").glob("unit-*-auto.sqlite"))
    assert backup.name in listed.stdout and "每日" in listed.stdout

    shown = run("backups", "preview", "--db", db, backup, data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert "测试县市场监督管理局" in shown.stdout and "日志：1篇" in shown.stdout
    assert "2026-11-16" in shown.stdout

    # a later log, then restore: without --yes nothing happens (no terminal to confirm on)
    unit = __import__("app.services.org.setup", fromlist=["open_database"]).open_database(db)
    logs.save_day(unit, admin, dt.date(2026, 11, 17), "正常",
                  [logs.EntryDraft(hours=2, category="业务工作", content="备份后")], today=dt.date(2026, 11, 20))
    unit.dispose()
    refused = run("backups", "restore", "--db", db, backup, data_dir=data)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "1篇日志" in refused.stderr
    assert list(backup.parent.glob("*before-restore*")) == []

    restored = run("backups", "restore", "--db", db, backup, "--yes", data_dir=data)
    assert restored.returncode == 0, restored.stderr
    assert "已恢复" in restored.stdout and "before-restore" in restored.stdout
    assert len(list(backup.parent.glob("*before-restore*"))) == 1

    missing = run("backups", "preview", "--db", db, tmp_path / "nope.sqlite", data_dir=data)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "找不到" in missing.stderr

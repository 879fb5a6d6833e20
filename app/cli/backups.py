"""CLI command `backups`: the rotating automatic backups.

    python -m app backups run --db D [--second DIR]      back up now (and prune: 7 daily + 4 weekly)
    python -m app backups list --db D                    this database's backups
    python -m app backups preview --db D FILE            what a backup holds, what restoring would lose
    python -m app backups restore --db D FILE [--yes]    restore it (the current file is kept first)

FILE is a path, or the name of a file in the database's backups/ folder. The second location
defaults to the one set on the 数据备份 page (settings.json); `run` suits a scheduled task.
Admin commands: --as names the acting admin (app.cli.auth).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import ADMIN, acts_as
from app.cli.common import open_db
from app.db.backup import backups_dir
from app.services.org import backups
from app.settings import Settings


def add_parsers(sub) -> None:
    group = sub.add_parser("backups", help="自动备份：立即备份、列出、预览、恢复",
                           description="自动备份（每日一份，保留最近7天的每日备份和之前4周的每周备份）")
    actions = group.add_subparsers(dest="backups_command", metavar="ACTION")
    actions.required = True

    def action(name, help_text):
        sp = acts_as(actions.add_parser(name, help=help_text, description=help_text), ADMIN)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        return sp

    sp = action("run", "立即备份并按规则清理旧备份（可作为计划任务每天运行）")
    sp.add_argument("--second", type=Path,
                    help="第二备份位置（如U盘上的文件夹；默认用“数据备份”页设置的位置）")
    action("list", "列出本数据库的备份（时间、类型、大小）")
    sp = action("preview", "查看备份中的内容，以及恢复会丢失的改动")
    sp.add_argument("file", type=Path, help="备份文件（路径，或 backups 文件夹中的文件名）")
    sp = action("restore", "用备份恢复数据库（先把当前数据另存为“恢复前”备份）")
    sp.add_argument("file", type=Path, help="备份文件（路径，或 backups 文件夹中的文件名）")
    sp.add_argument("--yes", action="store_true", help="不再询问，直接恢复")


def _backup_file(db_path: Path, given: Path) -> Path:
    if not given.exists() and given.parent == Path("."):
        inside = backups_dir(db_path) / given.name
        if inside.exists():
            return inside
    if not given.is_file():
        raise AppError(f"找不到备份文件：{given}")
    return given


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, n // 1024)} KB"


def cmd_backups(a) -> int:
    db = open_db(a.db)
    try:
        return _run(a, db)
    finally:
        db.dispose()


def _run(a, db) -> int:
    what = a.backups_command
    if what == "run":
        second = a.second or Settings().backup_second_dir or None
        started = time.perf_counter()
        result = backups.back_up_now(db, a.actor, second=second)
        print(f"已备份到 {result.taken}（{time.perf_counter() - started:.2f} 秒）；"
              f"清理旧备份{len(result.removed)}份" + (f"；已复制到 {second}" if result.copied else ""))
        for warning in result.warnings:
            print(f"警告：{warning}", file=sys.stderr)
        return 0
    if what == "list":
        found = backups.list_backups(db, a.actor)
        if not found:
            print(f"还没有备份（备份文件夹：{backups_dir(db.path)}）")
        for b in found:
            print(f"{b.taken:%Y-%m-%d %H:%M}  {b.kind}  {_size(b.size):>9}  {b.path.name}")
        return 0
    backup = _backup_file(db.path, a.file)
    shown = backups.preview(db, a.actor, backup)
    if what == "preview":
        print(f"备份：{backup}")
        print("\n".join(shown.summary_lines()))
        print(shown.loss_text())
        return 0
    if not a.yes and not _confirmed(shown):
        raise AppError(f"{shown.loss_text()}确认恢复请加 --yes（当前数据会先另存为“恢复前”备份）")
    started = time.perf_counter()
    result = backups.restore(db, a.actor, backup)
    result.db.dispose()
    print(f"已恢复：{backup.name}（{time.perf_counter() - started:.2f} 秒）。"
          f"恢复前的数据另存为 {result.safety}")
    return 0


def _confirmed(shown) -> bool:
    if not sys.stdin.isatty():
        return False
    print("\n".join(shown.summary_lines()))
    print(shown.loss_text())
    return input("确认用此备份恢复？输入 y 确认：").strip().lower() in ("y", "yes", "是")


COMMANDS = {"backups": cmd_backups}

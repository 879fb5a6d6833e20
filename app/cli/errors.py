"""How the command line reports a failure: one Chinese line on stderr, whatever went wrong.

Exit 1 when the operation failed, 2 when the command line itself was wrong (argparse's messages,
translated). Files missing, disks full, a database another program holds, Ctrl-C at the password
prompt: each gets a sentence a user can act on, never a traceback — `--debug` shows that too.
A failed statement's SQL and parameters are never printed (they can hold password hashes).
"""
from __future__ import annotations

import argparse
import errno
import re
import sqlite3

from sqlalchemy import exc as sa_exc

from app.core.errors import AppError, ValidationError
from app.db.faults import fault_message, kind_of

EXIT_FAILED, EXIT_USAGE = 1, 2
MAX_PROBLEMS = 200

# argparse's messages (Python 3.11–3.13), most specific first; the last one keeps the
# Chinese messages of our own argument types ("argument --date: 日期格式应为…").
_USAGE = [
    (r"the following arguments are required: (.+)", r"缺少必需的参数 \1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数 \1"),
    (r"argument (?:COMMAND|ACTION): invalid choice: (.+?) \(choose from (.+)\)", r"没有命令 \1（可用的命令：\2）"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", r"参数 \1 的取值 \2 无效（可选：\3）"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面需要一个值"),
    (r"argument (\S+): expected at least one argument", r"参数 \1 后面至少需要一个值"),
    (r"argument (\S+): invalid \S+ value: (.+)", r"参数 \1 的取值 \2 无效"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能与 \2 同时使用"),
    (r"argument (\S+): ignored explicit argument (.+)", r"参数 \1 不接受取值 \2"),
    (r"one of the arguments (.+) is required", r"须给出以下参数之一：\1"),
    (r"ambiguous option: (\S+) could match (.+)", r"参数 \1 有歧义，可能是 \2"),
    (r"argument (\S+): (.+)", r"参数 \1：\2"),
]


def usage_text(message: str) -> str:
    for pattern, chinese in _USAGE:
        if re.fullmatch(pattern, message, flags=re.S):
            return re.sub(pattern, chinese, message, flags=re.S)
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse, whose usage errors are one Chinese line (exit 2) instead of usage + English."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"命令行有误：{usage_text(message)}（用 {self.prog} -h 查看用法）\n")


_OS_ERRORS = {
    errno.ENOENT: "找不到文件或文件夹",
    errno.EACCES: "没有权限读写",
    errno.EPERM: "没有权限读写",
    errno.ENOSPC: "磁盘空间不足，无法写入",
    errno.EROFS: "磁盘或文件夹是只读的，无法写入",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.EEXIST: "已存在同名的文件或文件夹",
    errno.EIO: "读写磁盘出错（U盘是否已拔出或损坏？）",
}

def error_line(exc: BaseException) -> str:
    """The one line that tells the user what went wrong (without the '错误：' prefix)."""
    if isinstance(exc, ValidationError) and exc.problems:
        return _problems(exc)
    if isinstance(exc, AppError):
        return _one_line(str(exc))
    if isinstance(exc, (KeyboardInterrupt, EOFError)):
        return "已取消"
    if isinstance(exc, (sa_exc.DBAPIError, sqlite3.Error)):
        return _database(exc)
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return "数据库出错，本次操作未保存（加 --debug 运行可查看详细信息）"
    if isinstance(exc, OSError):
        return _os_error(exc)
    if isinstance(exc, MemoryError):
        return "内存不足，操作未完成"
    return f"程序内部错误（{type(exc).__name__}），操作未完成；加 --debug 运行可查看详细信息"


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _problems(exc: ValidationError) -> str:
    head = _one_line(exc.args[0].splitlines()[0] if exc.args else "").rstrip("：:；")
    problems = [_one_line(str(p)) for p in exc.problems]
    if not head or head == "；".join(problems) or head in problems:
        head = ""
    shown = "；".join(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        shown += f"；……另有{len(problems) - MAX_PROBLEMS}处问题未列出（共{len(problems)}处）"
    return f"{head}：{shown}" if head else shown


def _database(exc: BaseException) -> str:
    """A database error that reached the CLI outside the engines' fault hook (app.db.faults)."""
    kind = kind_of(exc)
    if kind is not None:
        return _one_line(fault_message(kind, None, str(getattr(exc, "orig", exc))))
    return f"数据库出错（{_one_line(str(getattr(exc, 'orig', exc)))}），本次操作未保存"


def _os_error(exc: OSError) -> str:
    what = _OS_ERRORS.get(exc.errno, f"读写文件失败（{exc.strerror or type(exc).__name__}）")
    where = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    return f"{what}：{' → '.join(where)}" if where else what

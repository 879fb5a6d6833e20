"""Worker for test_sync_kill.py: imports 上报包 into 编办 databases in forked children, each
reporting its progress on stdout so the test can tell where its `kill -9` landed.

Run as `python tests/e2e/sync_kill_worker.py`. It loads the program once and prints "L"; then,
for every line "<编办 database>\t<package file>" on stdin, it forks a child that imports the
package (a fresh process as far as SQLite is concerned: nothing is opened before the fork), and
reaps it after the next line (so the pid the test may kill stays that child's). Loading the
program costs seconds on a busy machine; a fork costs milliseconds.

    P <pid>          the child doing this import
    R <t>            database opened, import starting (t: seconds since R, here 0)
    C <t> <file>     a writing transaction is committing (before SQLite's COMMIT)
    D <t> <file>     … committed
    E <t> <status>   import_packages returned
    X <code> <cpu>   the child is gone: exit status (-9: killed); CPU seconds of all children

Lines go straight to the pipe (os.write): whatever was printed before the kill is there.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db.engine import WRITE_OPTION  # noqa: E402
from app.services.county import bureau  # noqa: E402
from app.services.county.mirrors import Mirrors
from app.services.org.setup import open_database  # noqa: E402

START = [0.0]


def say(*words: object) -> None:
    os.write(1, (" ".join(str(w) for w in words) + "\n").encode())


def _elapsed() -> str:
    return f"{time.perf_counter() - START[0]:.4f}"


@event.listens_for(Engine, "commit")
def _committing(conn) -> None:
    if conn.get_execution_options().get(WRITE_OPTION):
        say("C", _elapsed(), Path(conn.engine.url.database).name)


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    db = session.info.get("db")
    if db is not None:   # writing sessions only (Database.session sets it)
        say("D", _elapsed(), db.path.name)


def child(db_path: str, package: str) -> None:
    db = open_database(Path(db_path))
    mirrors = Mirrors(db)
    START[0] = time.perf_counter()
    say("R", _elapsed())
    (result,) = bureau.import_packages(db, mirrors, [Path(package)], apply=True)
    say("E", _elapsed(), result.status)
    mirrors.close()
    db.dispose()


def main() -> None:
    say("L")
    for line in sys.stdin:
        db_path, package = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child(db_path, package)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)   # no atexit handlers or buffered output of the parent's copy
        say("P", pid)
        sys.stdin.readline()   # reaped only when the test says so: until then the pid it may
        _, status = os.waitpid(pid, 0)   # kill cannot be reused by another process
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        say("X", os.waitstatus_to_exitcode(status), f"{used.ru_utime + used.ru_stime:.2f}")


if __name__ == "__main__":
    main()

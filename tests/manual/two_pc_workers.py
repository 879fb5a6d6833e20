"""The two PCs of the manual share check (tests/manual/two_pc_share.py), each one OS process.

    python tests/manual/two_pc_workers.py writer   --db A --events F --until T [--marker M]
    python tests/manual/two_pc_workers.py reviewer --db B --events F --until T

writer (PC 甲, the admin's): writes and submits one log after another for a few staff members,
on October days the demo has no logs for, and syncs (pc_unit.sync: this PC's folder, i.e. mount 1)
after every two. While a round runs it keeps `--marker` present, so the driver can kill it
mid-round. Started again after a kill, it skips the days already written.

reviewer (PC 乙, joined): syncs through its own folder (mount 2), then approves, as each
section head and 分管领导, every log of those staff members it sees in its queues.

Both append one JSON line per event to `--events` (submit / seen / final / round), with time.time()
— one machine, one clock — so the driver can measure submit-to-visible. Each process has its
own LZKP_DATA_DIR (its settings.json: the exchange configuration of that PC).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.logrules import EntryDraft                      # noqa: E402
from app.services.exchange import pc_unit                      # noqa: E402
from app.services.logs import daily as logs                    # noqa: E402
from app.services.org import accounts                          # noqa: E402
from app.services.org.setup import open_database               # noqa: E402
from app.services.review import queue as review                # noqa: E402

PASSWORD = "lzkp2026"                  # the demo's password for every account
# staff of three sections of the demo unit, and who reviews them (科室负责人, then 分管领导)
AUTHORS = ("donghuajun", "liyingmei", "mengqian", "zhaozhipeng", "hanbo", "hanyonggang")
REVIEWERS = ("gaolinlei", "zhengyan", "zhangbo", "lvqiangjun", "yubo", "yuwei", "caoderui",
             "wanggangxin")
FIRST_DAY, LAST_DAY = dt.date(2026, 9, 1), dt.date(2026, 10, 31)   # before the demo's logs


def schedule() -> list[tuple[str, dt.date]]:
    """(author, day) in the order the writer works through them: newest day first."""
    days, day = [], LAST_DAY
    while day >= FIRST_DAY:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return [(a, d) for d in days for a in AUTHORS]


class Events:
    """One JSON line per event, appended with one write() each (whole lines survive a kill)."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def __call__(self, kind: str, **data) -> None:
        line = json.dumps({"ev": kind, "t": time.time(), "pid": os.getpid(), **data}, ensure_ascii=False)
        os.write(self.fd, (line + "\n").encode("utf-8"))


def _round(db, event: Events, who: str) -> None:
    report = pc_unit.sync(db)
    event("round", who=who, seconds=round(report.seconds, 3), written=len(report.written),
          applied=len(report.applied), rows=report.rows, problems=report.problems,
          offsets=list(report.clock_offsets.values()))


def writer(a: argparse.Namespace) -> int:
    db = open_database(a.db)
    event = Events(a.events)
    actors = {login: accounts.login(db, login, PASSWORD) for login in AUTHORS}
    event("start", who="writer")
    todo = iter(schedule())
    while time.time() < a.until:
        written = 0
        while written < 2:
            author, day = next(todo)
            if logs.load_day(db, actors[author], day).state is not None:
                event("found", author=author, day=day.isoformat())     # written before a kill
                continue
            written += 1
            logs.add_entry(db, actors[author], day,
                           EntryDraft(hours=7.5, category="业务工作",
                                      content=f"共享文件夹验证：{author} {day} 的工作"), submit=True)
            event("submit", author=author, day=day.isoformat())
        if a.marker:
            Path(a.marker).touch()
        _round(db, event, "writer")
        if a.marker:
            Path(a.marker).unlink(missing_ok=True)
        time.sleep(a.pause)
    _round(db, event, "writer")
    event("stop", who="writer")
    db.dispose()
    return 0


def reviewer(a: argparse.Namespace) -> int:
    db = open_database(a.db)
    event = Events(a.events)
    actors = [accounts.login(db, login, PASSWORD) for login in REVIEWERS]
    event("start", who="reviewer")
    seen: set[tuple[str, str]] = set()
    while time.time() < a.until:
        _round(db, event, "reviewer")
        for actor in actors:
            for item in review.queue(db, actor, flt=review.QueueFilter(start=FIRST_DAY, end=LAST_DAY),
                                     with_flags=False):
                if item.author_login not in AUTHORS:
                    continue
                key = (item.author_login, item.day.isoformat())
                if key not in seen:
                    seen.add(key)
                    event("seen", author=key[0], day=key[1])
                decision = review.approve(db, actor, review.find_log(db, *key[:1], item.day),
                                          "共享文件夹验证：同意")
                if decision.final:
                    event("final", author=key[0], day=key[1])
        time.sleep(a.pause)
    _round(db, event, "reviewer")
    event("stop", who="reviewer")
    db.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("role", choices=("writer", "reviewer"))
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--events", type=Path, required=True)
    p.add_argument("--until", type=float, required=True, help="time.time() at which to stop")
    p.add_argument("--pause", type=float, default=0.5, help="seconds between rounds")
    p.add_argument("--marker", type=Path, help="writer: present while a sync round runs")
    a = p.parse_args(argv)
    return writer(a) if a.role == "writer" else reviewer(a)


if __name__ == "__main__":
    sys.exit(main())

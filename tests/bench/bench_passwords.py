"""Benchmark: the cost of a password hash and of a login, real account against unknown login.

    .venv/bin/python tests/bench/bench_passwords.py [--runs 7]

Uses the program's own argon2id parameters (app.services.org.passwords.PARAMETERS) on a fresh
unit database in a temporary folder, and prints median and max over --runs runs of:

- hash_password: one argon2id hash;
- login, wrong password for a real account;
- login, unknown login name (verified against the dummy hash);
- login, right password (verify, plus opening the person's sealed signing key);
- also the same hash with a single thread (taskset-like: parallelism 1, same memory and passes),
  the worst case for an old PC whose cores are busy.

Reports figures; it is not a pass/fail test (docs/ARCHITECTURE.md "Tests").
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from argon2 import PasswordHasher  # noqa: E402

from app.services.org import accounts, passwords  # noqa: E402
from app.services.org.actor import SYSTEM  # noqa: E402
from app.services.org.setup import UnitSetup, initialise_unit, open_database  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    p = passwords.PARAMETERS
    print(f"argon2id m={p.memory_cost // 1024} MiB, t={p.time_cost}, p={p.parallelism}")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite", create=True)
        initialise_unit(db, UnitSetup("测试县市场监督管理局", "11371321MB28510360"))
        accounts.add_user(db, SYSTEM, accounts.NewUser("zhangsan", "张三", "zs123456",
                                                       must_change=False))
        accounts.login(db, "zhangsan", "zs123456")            # makes the signing key
        t0 = dt.datetime(2030, 1, 1)

        def fail(login):
            def run(i):
                try:
                    accounts.login(db, login, "wrong123", now=t0 + dt.timedelta(hours=i))
                except accounts.LoginFailed:
                    pass
            return run

        fail("nobody")(999)                                      # the dummy hash is made once
        single = PasswordHasher(time_cost=p.time_cost, memory_cost=p.memory_cost, parallelism=1)
        rows = [
            ("hash_password", timed(lambda i: passwords.hash_password("zs123456"), args.runs)),
            ("hash, 1 lane (1 core)", timed(lambda i: single.hash("zs123456"), args.runs)),
            ("login: wrong password", timed(fail("zhangsan"), args.runs)),
            ("login: unknown login", timed(fail("nobody"), args.runs)),
            ("login: right password", timed(lambda i: accounts.login(
                db, "zhangsan", "zs123456", now=t0 + dt.timedelta(days=30 + i)),
                                            args.runs)),
        ]
        db.dispose()
    for name, (median, worst) in rows:
        print(f"{name:<24} median {median * 1000:6.0f} ms   max {worst * 1000:6.0f} ms")
    known, unknown = rows[2][1][0], rows[3][1][0]
    print(f"unknown / wrong password: {unknown / known:.2f}")


if __name__ == "__main__":
    main()

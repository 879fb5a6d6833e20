"""Benchmark: opening 统计分析 from the navigation, as a user sees it (issue 17: "under 1 s on the
12-month demo").

    .venv/bin/python -m app demo --db /tmp/demo.sqlite --force        # once
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_stats_open.py --db /tmp/demo.sqlite
        [--login wanggangxin] [--password lzkp2026]

A fresh process per run (the first statistics of a process pay the signature check, as the
program does after login): builds the main window, then times go_to_page('统计分析') until the
page is on screen ("shown") and until its figures are filled in ("filled", the background load
of StatsPage.reload_in_background). Prints both in seconds; not a pass/fail test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="wanggangxin")
    parser.add_argument("--password", default="lzkp2026")
    a = parser.parse_args()
    from app.ui.main import make_app
    app = make_app()
    from app.services.org import accounts
    from app.services.org.setup import open_database
    from app.settings import Settings
    from app.ui.main_window import MainWindow
    db = open_database(Path(a.db))
    actor = accounts.login(db, a.login, a.password)
    window = MainWindow(db, actor, Settings(Path(tempfile.mkdtemp()) / "settings.json"))
    window.show()
    app.processEvents()
    start = time.perf_counter()
    window.go_to_page("统计分析")
    app.processEvents()
    shown = time.perf_counter() - start
    page = window.stats_page
    while getattr(page, "loading", False) and time.perf_counter() - start < 60:
        app.processEvents()
        time.sleep(0.005)
    filled = time.perf_counter() - start
    print(f"{a.login}: 统计分析 shown {shown:.2f} s, figures filled {filled:.2f} s")


if __name__ == "__main__":
    main()

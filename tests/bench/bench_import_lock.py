"""How long another user's save waits while a 600-person 人员名册 is imported.

Two processes on one database file, as two copies of the program: one imports the roster
(app.services.excel.roster), the other stores a log draft (the log page's autosave) every 50 ms
and times each save. A save gives up after the program's busy timeout (8 s) and then counts as
failed. Prints the import's time and the writer's longest wait.

    PYTHONPATH=. python tests/bench/bench_import_lock.py [--people 600] [--before REV] [--after REV]

--before REV also runs the import and the writer of git revision REV (its tree exported with
`git archive` into a temporary folder), for the before/after figures in tests/bench/README.md;
--after REV runs that revision instead of this working tree.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [f"第{n}科" for n in range(1, 9)]
PASSWORD = "Bench-pass-1"

IMPORTER = r"""
import sys, time
from pathlib import Path
from app.services.excel.roster import import_roster
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database
db = open_database(Path(sys.argv[1]))
started = time.perf_counter()
result = import_roster(db, SYSTEM, Path(sys.argv[2]))
print(round(time.perf_counter() - started, 2))
"""

WRITER = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from app.core.logrules import EntryDraft
from app.services.logs import tools
from app.services.org import accounts
from app.services.org.setup import open_database
db = open_database(Path(sys.argv[1]))
actor = accounts.login(db, "admin", sys.argv[3])
stop = Path(sys.argv[2])
day = dt.date.today() - dt.timedelta(days=1)
waits, failed, n = [], 0, 0
print("ready", flush=True)
while not stop.exists():
    n += 1
    draft = [EntryDraft(hours=1.0, category="业务工作", content=f"起草第{n}稿")]
    started = time.perf_counter()
    try:
        tools.autosave(db, actor, day, "正常", draft)
    except Exception:
        failed += 1
    waits.append(time.perf_counter() - started)
    time.sleep(0.05)
print(json.dumps({"saves": len(waits), "failed": failed, "longest": max(waits)}))
"""


def make_database(folder: Path, people: int) -> tuple[Path, Path]:
    from app.core.validators import make_id_number
    from app.db.models import Section
    from app.services.excel.templates import write_template
    from app.services.org import accounts
    from app.services.org.setup import UnitSetup, create_database

    db_path = folder / "unit.sqlite"
    db = create_database(db_path, UnitSetup("基准测试局", "11371321MB28510360"),
                         accounts.NewUser("admin", "管理员", PASSWORD, is_admin=True,
                                          must_change=False))
    with db.session() as s:
        for order, name in enumerate(SECTIONS):
            s.add(Section(unit_id=db.unit_id, name=name, sort_order=order))
    db.dispose()
    roster = folder / "roster.xlsx"
    write_template("roster", roster)
    wb = load_workbook(roster)
    ws = wb["人员名册"]
    headers = [c.value for c in ws[1]]
    for i in range(people):
        birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        row = {"姓名": f"测试{i}", "身份证号": make_id_number("371321", birth, i % 1000, i % 2 == 0),
               "性别": "男" if i % 2 == 0 else "女", "学历": "大学本科",
               "科室": SECTIONS[i % len(SECTIONS)], "职务": "一级科员", "编制类型": "行政编制",
               "角色": "科室人员", "登录名": f"user{i}", "人员状态": "在职"}
        for j, name in enumerate(headers, start=1):
            ws.cell(row=2 + i, column=j).value = row.get(name)
    for row in wb["岗位职责"].iter_rows(min_row=2):
        for cell in row:
            cell.value = None
    wb.save(roster)
    return db_path, roster


def run_once(tree: Path, template: Path, roster: Path, work: Path) -> dict:
    db = work / "unit.sqlite"
    shutil.copyfile(template, db)
    stop = work / "stop"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(stop), PASSWORD],
                              cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    imported = subprocess.run([sys.executable, "-c", IMPORTER, str(db), str(roster)], cwd=tree,
                              env=env, capture_output=True, text=True)
    if imported.returncode != 0:
        raise SystemExit(imported.stderr)
    time.sleep(0.3)
    stop.touch()
    figures = json.loads(writer.communicate()[0].strip().splitlines()[-1])
    figures["import_seconds"] = float(imported.stdout.strip())
    return figures


def export_tree(rev: str, folder: Path) -> Path:
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=600)
    ap.add_argument("--before", help="git revision to compare with (e.g. main)")
    ap.add_argument("--after", help="git revision to measure instead of this working tree")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "made").mkdir()
        template, roster = make_database(tmp / "made", args.people)
        trees = [(f"after ({args.after})", export_tree(args.after, tmp / "after"))
                 if args.after else ("after (this tree)", ROOT)]
        if args.before:
            trees.insert(0, (f"before ({args.before})", export_tree(args.before, tmp / "before")))
        print(f"{args.people}-person roster import, a second process saving a draft every 50 ms")
        for label, tree in trees:
            work = tmp / f"run-{len(label)}-{tree.name}"
            work.mkdir()
            f = run_once(tree, template, roster, work)
            print(f"{label:>22}: import {f['import_seconds']:.1f} s; other user's saves: "
                  f"{f['saves']}, longest wait {f['longest']:.2f} s, failed {f['failed']}")


if __name__ == "__main__":
    main()

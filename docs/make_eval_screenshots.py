"""One page of the unit's evaluation report (docs/screenshots/report_eval.png), from a world
where a round has gone through 定单, 接单, 评单 and part of 改单 (county.sqlite with its mirrors,
u1.sqlite, the round's id in the file `rid`, as /tmp/h/flow.py-style scripts leave it):

    .venv/bin/python docs/make_eval_screenshots.py WORLD_DIR

report_eval.png: page 3 of the unit report (self-score beside the 编办's by 一级/二级 indicator).
The world is copied first: nothing in it changes. The 评估自评 and 评估批次 pages are pictured by
tests/manual/screenshots.py.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).parent / "screenshots"
TODAY = dt.date(2026, 11, 22)


def main(world: str) -> None:
    from app.services.reporting.evaluation import build_eval_report
    from app.services.county.mirrors import Mirrors, registered_units
    from app.services.org.setup import open_database
    scratch = Path(tempfile.mkdtemp()) / "world"
    shutil.copytree(world, scratch)
    round_id = (scratch / "rid").read_text().strip()
    OUT.mkdir(exist_ok=True)

    bureau = open_database(scratch / "county.sqlite")
    mirrors = Mirrors(bureau)
    pdf = scratch / "unit.pdf"
    build_eval_report(bureau, round_id, pdf, unit=registered_units(bureau)[0].unit_id, today=TODAY)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "3", "-l", "3", "-singlefile", str(pdf),
                    str(OUT / "report_eval")], check=True)
    mirrors.close()


if __name__ == "__main__":
    main(sys.argv[1])

"""Screenshots of the evaluation pages and one page of the unit's evaluation report, from a world
where a round has gone through 定单, 接单, 评单 and part of 改单 (county.sqlite with its mirrors,
u1.sqlite, the round's id in the file `rid`, as /tmp/h/flow.py-style scripts leave it):

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_eval_screenshots.py WORLD_DIR

eval_page.png: the unit's 评估自评 page on u1.sqlite with a manual point selected;
rounds_page.png: the 编办's 评估批次 page, 评单 tab on the first unit with a problem selected;
report_eval.png: page 3 of the unit report (self-score beside the 编办's by 一级/二级 indicator).
The world is copied first: nothing in it changes.
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
    from PySide6.QtWidgets import QApplication

    from app.services.reporting.evaluation import build_eval_report
    from app.services.org.actor import SYSTEM
    from app.services.county.mirrors import Mirrors, registered_units
    from app.services.org.setup import open_database
    from app.ui.main import make_app
    from app.ui.pages.eval_page import EvalPage
    from app.ui.pages.bureau.rounds_page import RoundsPage
    from app.ui.tasks import SyncRunner
    app = make_app()
    scratch = Path(tempfile.mkdtemp()) / "world"
    shutil.copytree(world, scratch)
    round_id = (scratch / "rid").read_text().strip()
    OUT.mkdir(exist_ok=True)

    unit = open_database(scratch / "u1.sqlite")
    page = EvalPage(unit, SYSTEM, runner=SyncRunner(), today=TODAY)
    page.resize(1500, 900)
    page.show()
    page.tree.select_code("1.1.1")
    _shot(app, page, "eval_page.png")

    bureau = open_database(scratch / "county.sqlite")
    mirrors = Mirrors(bureau)
    page = RoundsPage(bureau, mirrors, SYSTEM, runner=SyncRunner(), today=TODAY)
    page.resize(1560, 950)
    page.show()
    page.tabs.setCurrentIndex(1)
    page.unit_tab.unit_box.setCurrentIndex(page.unit_tab.unit_box.findData(registered_units(bureau)[0].unit_id))
    page.unit_tab.tree.select_code("2.3.1")
    page.unit_tab.problems.selectRow(0)
    _shot(app, page, "rounds_page.png")

    pdf = scratch / "unit.pdf"
    build_eval_report(bureau, round_id, pdf, unit=registered_units(bureau)[0].unit_id, today=TODAY)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "3", "-l", "3", "-singlefile", str(pdf),
                    str(OUT / "report_eval")], check=True)
    mirrors.close()
    QApplication.processEvents()


def _shot(app, widget, name: str) -> None:
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(OUT / name))
    print(OUT / name)


if __name__ == "__main__":
    main(sys.argv[1])

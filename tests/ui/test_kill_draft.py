"""kill -9 the program while a log is being typed: nothing older than the autosave delay is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from app.services.org import accounts
from app.services.logs import tools as log_tools
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import TODAY

CHILD = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from app.services.org import accounts
    from app.services.org.setup import open_database
    from app.settings import Settings
    from app.ui.pages.log_page import LogPage
    from app.ui.models.entries_model import COL_CONTENT
    app = QApplication([])
    db = open_database(Path(sys.argv[1]))
    actor = accounts.login(db, "li", sys.argv[2])
    page = LogPage(db, actor, Settings(Path(sys.argv[3])), today=lambda: dt.date.fromisoformat(sys.argv[4]))
    page.show()
    page.add_entry()
    page.model.setData(page.model.index(0, COL_CONTENT), "核查一起价格投诉，已约谈经营者")
    deadline = time.time() + 10
    while "自动保存" not in page.autosave_label.text() and time.time() < deadline:
        app.processEvents(); time.sleep(0.05)
    print("TYPED", flush=True)
    while True:
        app.processEvents(); time.sleep(0.05)
""")


def test_killed_process_keeps_the_typed_entry(staff_db, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(staff_db.path), TEST_PASSWORD,
         str(tmp_path / "settings.json"), TODAY.isoformat()],
        stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()
        assert line.strip() == "TYPED"
        time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    actor = accounts.login(staff_db, "li", TEST_PASSWORD)
    draft = log_tools.load_autosave(staff_db, actor, TODAY)
    assert draft is not None
    assert [e.content for e in draft.entries] == ["核查一起价格投诉，已约谈经营者"]

"""Global crash hook: log the traceback to the data folder and show it with "copy details".

Set LZKP_NO_CRASH_DIALOG=1 (tests, CI) to log without a dialog.
"""
from __future__ import annotations

import logging
import os
import sys
import traceback
from logging.handlers import RotatingFileHandler

from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.db.faults import DatabaseFault
from app.paths import data_dir

log = logging.getLogger(__name__)


def setup_logging() -> None:
    handler = RotatingFileHandler(data_dir() / "lzkp.log", maxBytes=2_000_000, backupCount=3,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def install_crash_hook() -> None:
    def hook(exc_type, exc, tb):
        if isinstance(exc, DatabaseFault) and QApplication.instance() is not None \
                and not os.environ.get("LZKP_NO_CRASH_DIALOG"):
            # A locked file or a full disk met where no page expected it: not a program error.
            log.warning("database fault not handled by the page: %s", exc)
            QMessageBox.warning(None, exc.title, str(exc))
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled exception (version %s):\n%s", __version__, details)
        if os.environ.get("LZKP_NO_CRASH_DIALOG") or QApplication.instance() is None:
            sys.__excepthook__(exc_type, exc, tb)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "程序出错",
                          "程序遇到意外错误。您的已保存数据不受影响；正在编辑的日志已自动保存草稿。\n"
                          f"错误详情已记录到：{data_dir() / 'lzkp.log'}")
        box.setDetailedText(details)
        copy = box.addButton("复制详情", QMessageBox.ButtonRole.ActionRole)
        box.addButton("关闭", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        if box.clickedButton() is copy:
            QApplication.clipboard().setText(details)

    sys.excepthook = hook

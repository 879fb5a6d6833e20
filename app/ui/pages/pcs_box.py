"""The 数据交换 page's 多台电脑共用 group (unit admin): the exchange folder, 立即同步, and the last
round's outcome (app.services.exchange.pc_unit; the rounds run on the task runner, never on the
GUI thread)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout)

from app.db.engine import Database
from app.services.exchange import pc_unit
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.key_passphrase import ask_to_unlock
from app.ui.widgets.file_dialogs import ask_folder


def status_text(cfg: pc_unit.PcConfig | None) -> str:
    if cfg is None:
        return "本机单独使用。选择一个各电脑都能访问的共享文件夹后，其他电脑可凭加入码加入本单位。"
    text = f"上次同步：{cfg.last_sync or '尚未同步'}　看到其他电脑{cfg.last_pcs}台"
    return text + ("\n" + "\n".join(f"⚠ {p}" for p in cfg.last_problems) if cfg.last_problems else "　无异常")


class PcsBox(QGroupBox):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, settings: Settings, runner: TaskRunner, parent=None):
        super().__init__("多台电脑共用（每台电脑一份数据，通过共享文件夹交换变更）", parent)
        self.db, self.actor, self.settings, self.runner = db, actor, settings, runner
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("交换文件夹："))
        self.folder = QLabel(objectName="pcsFolder")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.folder, 1)
        choose = QPushButton("选择…", objectName="pcsChoose")
        choose.clicked.connect(self.choose_folder)
        row.addWidget(choose)
        self.sync_button = QPushButton("立即同步", objectName="pcsSyncNow")
        self.sync_button.clicked.connect(self.sync_now)
        row.addWidget(self.sync_button)
        layout.addLayout(row)
        self.status = QLabel(objectName="pcsStatus", wordWrap=True)
        layout.addWidget(self.status)
        self.show_state()

    def show_state(self) -> None:
        cfg = pc_unit.config(self.db, self.settings)
        self.folder.setText(str(cfg.folder) if cfg else "（未设置）")
        self.sync_button.setEnabled(cfg is not None)
        self.status.setText(status_text(cfg))

    def choose_folder(self) -> None:
        cfg = pc_unit.config(self.db, self.settings)
        folder = ask_folder(self, "exchange_folder", "选择交换文件夹（各电脑都能访问的共享文件夹）",
                            str(cfg.folder) if cfg else "", self.settings)
        if not folder or not ask_to_unlock(self, self.db):
            return
        db, actor, settings = self.db, self.actor, self.settings
        self.runner.run(lambda: pc_unit.setup(db, actor, Path(folder), settings=settings),
                        self._set_up, lambda exc: show_error(self, "设置失败", exc),
                        parent=self, label="正在设置交换文件夹并生成数据快照…")

    def _set_up(self, code: str) -> None:
        self.show_state()
        self.status_message.emit("已设置多台电脑共用")
        QMessageBox.information(self, "加入码", f"已设置交换文件夹并生成数据快照。\n\n加入码：{code}\n\n"
                                "请当面或电话把加入码告诉要加入的电脑的使用人；换新加入码后旧的即失效。")

    def sync_now(self) -> None:
        if not ask_to_unlock(self, self.db):
            return
        self.sync_button.setEnabled(False)
        db, settings = self.db, self.settings
        self.runner.run(lambda: pc_unit.sync(db, settings=settings), self._synced, self._failed)

    def _synced(self, report) -> None:
        self.show_state()
        self.status_message.emit(report.summary())

    def _failed(self, exc: BaseException) -> None:
        self.show_state()
        show_error(self, "同步失败", exc)

"""数据备份 page (admins of both editions): the automatic backups, a second location for copies
(a USB stick), back up now, and restore with a preview of the backup and of what would be lost.

Permission checks are in app.services.org.backups; the page only shows what the service allows.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.backup import backups_dir
from app.db.engine import Database
from app.services.org import backups
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_folder

EXPLANATION = ("程序每天第一次打开数据库时自动备份一次（一直开着时每小时检查一次），保留最近7天的每日备份"
               "和之前4周的每周备份；用备份恢复前，当前数据会先另存为“恢复前”备份。")


def size_text(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, n // 1024)} KB"


class BackupsPage(QWidget):
    status_message = Signal(str)
    restoring = Signal()          # about to restore: the window lets go of the database file
    restored = Signal(object)     # backups.RestoreResult: the window closes, the user starts again

    def __init__(self, db: Database, actor: Actor, settings: Settings,
                 now: Callable[[], dt.datetime] | None = None, parent=None):
        super().__init__(parent)
        self.db, self.actor, self.settings = db, actor, settings
        self.now = now or dt.datetime.now
        self.items: list[backups.BackupInfo] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(EXPLANATION, wordWrap=True))
        layout.addWidget(QLabel(f"备份文件夹：{backups_dir(db.path)}", wordWrap=True,
                                objectName="backupFolder", styleSheet="color:#555"))
        layout.addLayout(self._second_row())
        self.warning = QLabel(objectName="backupWarning", wordWrap=True, styleSheet="color:#b00020")
        self.warning.hide()
        layout.addWidget(self.warning)

        body = QHBoxLayout()
        self.table = RecordTable(["备份时间", "类型", "大小", "文件名"], 3)
        self.table.setObjectName("backupTable")
        self.table.itemSelectionChanged.connect(self.show_preview)
        body.addWidget(self.table, 3)
        box = QGroupBox("备份内容")
        inner = QVBoxLayout(box)
        self.preview = QLabel("选择左侧的一份备份，这里显示其中的内容，以及恢复会丢失哪些改动。",
                              objectName="backupPreview", wordWrap=True)
        self.preview.setMinimumWidth(300)
        inner.addWidget(self.preview)
        inner.addStretch(1)
        body.addWidget(box, 2)
        layout.addLayout(body, 1)

        buttons = QHBoxLayout()
        self.backup_button = QPushButton("立即备份", objectName="backupNow")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("用所选备份恢复…", objectName="restoreBackup")
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        layout.addLayout(buttons)
        self.refresh()

    def _second_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("第二备份位置（如U盘上的文件夹）："))
        self.second_location = QLineEdit(self.settings.backup_second_dir, objectName="secondLocation",
                                         placeholderText="不设置则只备份在本机")
        self.second_location.editingFinished.connect(self._save_second)
        row.addWidget(self.second_location, 1)
        choose = QPushButton("选择…", objectName="chooseSecond")
        choose.clicked.connect(self._choose_second)
        row.addWidget(choose)
        return row

    # ------------------------------------------------------------------ actions
    def _save_second(self) -> None:
        self.settings.backup_second_dir = self.second_location.text().strip()

    def _choose_second(self) -> None:
        folder = ask_folder(self, "backup", "选择第二备份位置", self.second_location.text(), self.settings)
        if folder:
            self.second_location.setText(folder)
            self._save_second()

    def back_up_now(self) -> None:
        self._save_second()
        try:
            result = backups.back_up_now(self.db, self.actor, now=self.now(),
                                         second=self.settings.backup_second_dir or None)
        except AppError as exc:
            show_error(self, "备份失败", exc)
            return
        self.refresh()
        self.show_warnings(result.warnings)
        self.status_message.emit(f"已备份：{result.taken.name}")

    def show_warnings(self, warnings: list[str]) -> None:
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))

    def refresh(self) -> None:
        self.items = backups.list_backups(self.db, self.actor)
        self.table.set_rows([(f"{b.taken:%Y-%m-%d %H:%M}", b.kind, size_text(b.size), b.path.name)
                             for b in self.items])
        self.restore_button.setEnabled(False)
        second = self.settings.backup_second_dir
        self.show_warnings([f"第二备份位置现在不可用：{second}（U盘未插入或文件夹不存在）；"
                            "备份照常保存在本机，插入后下次备份时补齐。"]
                           if second and not Path(second).is_dir() else [])

    def selected(self) -> backups.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        name = self.table.item(rows[0].row(), 3).text()      # the table may be sorted
        return next((b for b in self.items if b.path.name == name), None)

    def show_preview(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(chosen is not None)
        if chosen is None:
            return
        try:
            shown = backups.preview(self.db, self.actor, chosen.path)
        except AppError as exc:
            self.preview.setText(str(exc))
            self.restore_button.setEnabled(False)
            return
        self.preview.setText("\n".join([f"备份时间：{chosen.taken:%Y-%m-%d %H:%M}（{chosen.kind}）",
                                        *shown.summary_lines(), "", shown.loss_text()]))

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        try:
            shown = backups.preview(self.db, self.actor, chosen.path)
        except AppError as exc:
            show_error(self, "不能恢复", exc)
            return
        if not self._confirm(chosen, shown):
            return
        self.restoring.emit()
        try:
            result = backups.restore(self.db, self.actor, chosen.path, now=self.now())
        except AppError as exc:
            show_error(self, "不能恢复", exc)
            self.refresh()
            return
        self.restored.emit(result)

    def _confirm(self, chosen: backups.BackupInfo, shown: backups.BackupPreview) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "用备份恢复",
                          f"用 {chosen.taken:%Y-%m-%d %H:%M} 的{chosen.kind}备份恢复数据库？", parent=self)
        box.setInformativeText(
            "\n".join(shown.summary_lines()) + "\n\n" + shown.loss_text()
            + "\n\n恢复前，当前数据会先另存为安全副本（本页列出的“恢复前”备份），需要时可再恢复回来。"
            "恢复后程序将关闭，请重新打开并登录。")
        go = box.addButton("恢复此备份", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is go

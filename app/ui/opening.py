"""Opening a database in the GUI, at start-up and from 文件 → 打开数据库…: only damage found by
SQLite offers the newest automatic backup; everything else is said, and changes nothing."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.db.backup import restore_from
from app.services.org.setup import DatabaseDamaged, open_database


def say(icon: QMessageBox.Icon, title: str, text: str, buttons=(("确定", QMessageBox.ButtonRole.AcceptRole),)):
    """A start-up message box with Chinese buttons; returns the role of the button clicked."""
    box = QMessageBox(icon, title, text)
    box.setObjectName("startMessage")
    made = {box.addButton(label, role): role for label, role in buttons}
    box.setDefaultButton(next(iter(made)))
    box.exec()
    return made.get(box.clickedButton(), QMessageBox.ButtonRole.RejectRole)


def open_or_restore(path: Path):
    """Open the database. Only damage found by SQLite offers the newest automatic backup; a fault
    (locked, read-only, disk full, no permission) or a file that is not ours is said as such and
    changes nothing (DatabaseFault, shown by run_gui)."""
    try:
        return open_database(path)
    except DatabaseDamaged as exc:
        if not exc.backups:
            say(QMessageBox.Icon.Critical, "数据库损坏", str(exc))
            return None
        role = say(QMessageBox.Icon.Question, "数据库损坏",
                   f"{exc}\n\n是否用该备份恢复？损坏的文件会被改名保留，不会删除；"
                   "备份之后写入的内容不在备份中。",
                   (("用备份恢复", QMessageBox.ButtonRole.AcceptRole),
                    ("不恢复，退出", QMessageBox.ButtonRole.RejectRole)))
        if role != QMessageBox.ButtonRole.AcceptRole:
            return None
        restore_from(exc.backups[0], path)      # refused while another process has the file open
        return open_database(path)

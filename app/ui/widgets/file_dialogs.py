"""Every file dialog of the program, and what follows a saved file.

A dialog starts in the folder last used for the same kind of file (a report where the last
report went, a package where the last package went), the first time in the user's 文档 folder —
never in the program's folder. The folders are remembered per kind in the user's settings.

After a report or a workbook is saved the user is told where it is and may open it or its folder
at once. Opening uses the desktop's handler; when there is none (a bare Linux desktop without a
PDF viewer) the user is told so, with the path, instead of nothing happening.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.settings import Settings

# The kinds used by the pages; a new kind needs no declaration, these only document them.
KINDS = ("report_pdf", "excel_export", "excel_import", "chart_png", "package", "backup",
         "roster_import", "attachment", "exchange_folder")
SAVED_TITLE = "已保存"


def documents_folder() -> str:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return found if found and Path(found).is_dir() else str(Path.home())


def start_folder(kind: str, settings: Settings | None = None) -> str:
    """The folder last used for `kind` if it still exists, else 文档."""
    remembered = (settings or Settings()).dialog_folders.get(kind, "")
    return remembered if remembered and Path(remembered).is_dir() else documents_folder()


def remember(kind: str, chosen: str, settings: Settings | None = None) -> None:
    """Remember the folder of a chosen file (or a chosen folder itself) for `kind`."""
    if not chosen:
        return
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    settings = settings or Settings()
    settings.dialog_folders = {**settings.dialog_folders, kind: str(folder)}


def ask_save_path(parent: QWidget | None, kind: str, title: str, default_name: str,
                  file_filter: str, settings: Settings | None = None) -> str:
    """A path to write to, or "" when the user cancels."""
    start = str(Path(start_folder(kind, settings)) / default_name)
    path, _ = QFileDialog.getSaveFileName(parent, title, start, file_filter)
    remember(kind, path, settings)
    return path


def ask_open_path(parent: QWidget | None, kind: str, title: str, file_filter: str,
                  settings: Settings | None = None) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_folder(kind, settings), file_filter)
    remember(kind, path, settings)
    return path


def ask_open_paths(parent: QWidget | None, kind: str, title: str, file_filter: str = "",
                   settings: Settings | None = None) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start_folder(kind, settings), file_filter)
    if paths:
        remember(kind, paths[0], settings)
    return paths


def ask_folder(parent: QWidget | None, kind: str, title: str, start: str = "",
               settings: Settings | None = None) -> str:
    """A folder; `start` (a folder already set on the page) wins over the remembered one."""
    begin = start if start and Path(start).is_dir() else start_folder(kind, settings)
    folder = QFileDialog.getExistingDirectory(parent, title, begin)
    remember(kind, folder, settings)
    return folder


def open_path(parent: QWidget | None, path: str | Path) -> bool:
    """Open a file or folder with the desktop's program; say so, with the path, if none opens it."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    QMessageBox.warning(parent, "无法打开",
                        f"本机没有可以打开此文件的程序（或系统未设置默认程序）。\n\n文件位置：{path}\n\n"
                        "请在文件管理器中找到它，或安装相应的阅读软件（如PDF阅读器、WPS）后再打开。")
    return False


def confirm_saved(parent: QWidget | None, path: str | Path, what: str = "文件") -> None:
    """A modal note: where the file is, with 打开 / 打开所在文件夹 / 关闭."""
    path = Path(path)
    box = QMessageBox(QMessageBox.Icon.Information, SAVED_TITLE, f"{what}已保存到：\n{path}", parent=parent)
    box.setObjectName("savedMessage")
    open_file = box.addButton("打开", QMessageBox.ButtonRole.AcceptRole)
    open_folder = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_file)
    box.exec()
    if box.clickedButton() is open_file:
        open_path(parent, path)
    elif box.clickedButton() is open_folder:
        open_path(parent, path.parent)

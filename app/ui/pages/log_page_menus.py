"""Template and attachment menus of the log page. Each menu is given the LogPage it serves (not
imported here: the page imports the menus)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QToolButton

from app.core.errors import AppError
from app.services.logs import attachments, tools as log_tools
from app.ui.dialogs.base import show_error
from app.ui.widgets.file_dialogs import ask_open_paths, open_path


def _tool_button(text: str, name: str) -> tuple[QToolButton, QMenu]:
    button = QToolButton(objectName=name, text=text)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    button.setMenu(menu)
    return button, menu


class TemplateMenu:
    """Apply one of the person's templates, or save the current entries as one."""

    def __init__(self, page):
        self.page = page
        self.button, self.menu = _tool_button("模板 ▾", "templates")
        self.menu.aboutToShow.connect(self.rebuild)

    def rebuild(self) -> None:
        self.menu.clear()
        templates = log_tools.list_templates(self.page.db, self.page.actor)
        for t in templates:
            self.menu.addAction(f"套用：{t.name}（{t.entry_count}条）", lambda t=t: self.apply(t.id))
        if templates:
            self.menu.addSeparator()
        self.menu.addAction("将当前条目存为模板…", self.save_current)
        if templates:
            remove = self.menu.addMenu("删除模板")
            for t in templates:
                remove.addAction(t.name, lambda t=t: self.delete(t.id, t.name))

    def apply(self, template_id: str) -> None:
        entries = log_tools.template_entries(self.page.db, self.page.actor, template_id)
        start = len(self.page.model.entries)
        self.page.model.extend(entries)
        self.page.undo_stack.append(("套用模板", lambda: [self.page.model.remove(start) for _ in entries]))
        self.page.status_message.emit(f"已套用模板，添加 {len(entries)} 条")

    def save_current(self) -> None:
        self.page.commit_pending_edit()
        name, ok = QInputDialog.getText(self.page, "存为模板", "模板名称：")
        if not ok:
            return
        try:
            log_tools.save_template(self.page.db, self.page.actor, name, self.page.model.entries)
        except AppError as exc:
            show_error(self.page, "保存模板失败", exc)
            return
        self.page.status_message.emit(f"已保存模板“{name.strip()}”")

    def delete(self, template_id: str, name: str) -> None:
        if QMessageBox.question(self.page, "删除模板", f"删除模板“{name}”？") == QMessageBox.StandardButton.Yes:
            log_tools.delete_template(self.page.db, self.page.actor, template_id)


class AttachmentMenu:
    """Add, open or remove files on the selected entry."""

    def __init__(self, page):
        self.page = page
        self.button, self.menu = _tool_button("附件 ▾", "attachments")
        self.menu.aboutToShow.connect(self.rebuild)

    def rebuild(self) -> None:
        self.menu.clear()
        entry = self.page.current_entry()
        if entry is None:
            self.menu.addAction("请先在表格中选中一条").setEnabled(False)
            return
        self.menu.addAction("添加附件文件…", self.add)
        for ref in entry.attachments:
            sub = self.menu.addMenu(ref.filename)
            sub.addAction("打开", lambda ref=ref: self.open(ref))
            sub.addAction("移除", lambda ref=ref: self.remove(ref))

    def add(self, paths: list[str] | None = None) -> None:
        entry = self.page.current_entry()
        if entry is None:
            return
        if paths is None:
            paths = ask_open_paths(self.page, "attachment", "选择附件")
        refs = list(entry.attachments)
        try:
            for path in paths:
                ref = attachments.store_file(self.page.db, Path(path))
                if all(r.sha256 != ref.sha256 for r in refs):
                    refs.append(ref)
        except AppError as exc:
            show_error(self.page, "添加附件失败", exc)
        self.page.replace_entry_files(entry, refs)

    def remove(self, ref) -> None:
        entry = self.page.current_entry()
        if entry is not None:
            self.page.replace_entry_files(entry, [r for r in entry.attachments if r != ref])

    def open(self, ref) -> None:
        """Open a copy under its original name, so the system picks the right program."""
        import shutil
        import tempfile
        folder = Path(tempfile.mkdtemp(prefix="lzkp-"))
        target = folder / ref.filename
        shutil.copyfile(attachments.stored_path(self.page.db, ref.sha256), target)
        open_path(self.page, target)

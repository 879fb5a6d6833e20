"""工作事项 page (unit): the unit's 年度重点工作, 督办事项, 审批服务事项 and 工作计划 with the work
logged on each and its red/yellow/green light (rule: app.core.items, also in the tooltips).
Everyone reads; the unit admin, the 主要领导 and the 分管领导 add, edit, import, report 办结 and
审批 counts (app.services.items.manage decides, the buttons only follow it)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.core.items import APPROVAL, GREEN, KINDS, RED, RULE_TEXT, YELLOW
from app.db.engine import Database
from app.services.items import excel as items_excel, manage
from app.services.items.progress import ItemRow, item_rows
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.dialogs.item_dialogs import CountDialog, ItemDialog, ItemsPreviewDialog
from app.ui.widgets.file_dialogs import ask_open_path, ask_save_path
from app.ui.widgets.record_table import RecordTable

ALL_KINDS = "全部类型"
LIGHT_TINTS = {RED: "#f8d7da", YELLOW: "#fff3cd", GREEN: "#d4edda"}
HEADERS = ["灯", "类型", "编号", "名称", "关联职责", "责任科室", "截止日期", "记录条数", "工时",
           "最近记录", "情况", "来源"]
COL_LIGHT, COL_TITLE, COL_STATE = 0, 3, 10


class ItemsPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, today=dt.date.today, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.today = today if callable(today) else (lambda: today)
        self.rows: list[ItemRow] = []
        self.shown: list[ItemRow] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.kind = QComboBox(objectName="itemKindFilter")
        self.kind.addItems([ALL_KINDS, *KINDS])
        self.kind.currentTextChanged.connect(lambda _: self.show_rows())
        self.idle_only = QCheckBox("只看无履职记录、零办理的事项", objectName="idleOnly")
        self.idle_only.toggled.connect(lambda _: self.show_rows())
        self.summary = QLabel(objectName="itemsSummary")
        for w in (QLabel("类型"), self.kind, self.idle_only, self.summary):
            top.addWidget(w)
        top.addStretch(1)
        layout.addLayout(top)
        self.table = RecordTable(HEADERS, COL_TITLE)
        self.table.setObjectName("itemsTable")
        self.table.horizontalHeader().setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(COL_STATE, 250)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.edit_item() if self.may_manage else None)
        layout.addWidget(self.table, 1)
        legend = QLabel(RULE_TEXT.replace("\n", "<br>"), objectName="itemsLegend", wordWrap=True)
        legend.setStyleSheet("color:#555")
        layout.addWidget(legend)
        self.may_manage = manage.may_manage(actor)
        self.buttons: dict[str, QPushButton] = {}
        if self.may_manage:
            row = QHBoxLayout()
            for text, name, slot in (("新增事项…", "addItem", self.add_item),
                                     ("编辑…", "editItem", self.edit_item),
                                     ("删除", "deleteItem", self.delete_item),
                                     ("报告办结", "doneItem", self.toggle_done),
                                     ("填报办理量…", "countItem", self.add_count),
                                     ("生成导入模板…", "itemsTemplate", self.save_template),
                                     ("从Excel导入…", "importItems", self.import_file)):
                button = QPushButton(text, objectName=name)
                button.clicked.connect(lambda _=False, f=slot: f())
                row.addWidget(button)
                self.buttons[name] = button
            row.addStretch(1)
            layout.addLayout(row)
        self.reload()

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        self.rows = item_rows(self.db, self.today())
        self.show_rows()

    def show_rows(self) -> None:
        kind = self.kind.currentText()
        self.shown = [r for r in self.rows if (kind == ALL_KINDS or r.kind == kind)
                      and (not self.idle_only.isChecked() or r.idle)]
        self.table.setSortingEnabled(False)
        self.table.set_rows([self._cells(r) for r in self.shown])
        self.table.setSortingEnabled(False)          # rows map to self.shown by position
        for n, r in enumerate(self.shown):
            light = self.table.item(n, COL_LIGHT)
            light.setBackground(QBrush(QColor(LIGHT_TINTS[r.light])))
            light.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            for col in (COL_LIGHT, COL_STATE):
                self.table.item(n, col).setToolTip(f"{r.light}灯：{r.reason}\n\n{RULE_TEXT}")
            self.table.item(n, 4).setToolTip("\n".join(r.duties))
        counts = {c: sum(1 for r in self.rows if r.light == c) for c in (RED, YELLOW, GREEN)}
        idle = sum(1 for r in self.rows if r.idle)
        self.summary.setText(f"共{len(self.rows)}项：红灯{counts[RED]}项，黄灯{counts[YELLOW]}项，"
                             f"绿灯{counts[GREEN]}项；无履职记录或零办理{idle}项")
        self._selection_changed()

    @staticmethod
    def _cells(r: ItemRow) -> tuple:
        f = r.facts
        duties = "、".join(d.split(" ", 1)[0] for d in r.duties) or "—"
        return (r.light, f.kind, f.code, f.title, duties, r.section or "—", f.deadline or "—",
                f.entries, f.hours, f.last_day or "—", r.reason, "编办下发" if f.issued else "本单位")

    def selected(self) -> ItemRow | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.shown[min(rows)] if rows else None

    def _selection_changed(self) -> None:
        if not self.buttons:
            return
        row = self.selected()
        for name in ("editItem", "deleteItem", "doneItem"):
            self.buttons[name].setEnabled(row is not None)
        self.buttons["deleteItem"].setEnabled(row is not None and not row.facts.issued)
        self.buttons["countItem"].setEnabled(row is not None and row.kind == APPROVAL)
        self.buttons["doneItem"].setText("重新打开" if row is not None and row.facts.done_on else "报告办结")

    # ------------------------------------------------------------------ actions
    def _form(self, current=None, issued=False) -> manage.ItemInput | None:
        duties, sections = manage.form_choices(self.db)
        dialog = ItemDialog(duties, sections, current, issued, self.today(), self)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add_item(self) -> None:
        data = self._form()
        if data is not None:
            self._save(data, None)

    def edit_item(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            current, issued = manage.load_item(self.db, row.id)
        except AppError as exc:
            show_error(self, "编辑工作事项", exc)
            return
        data = self._form(current, issued)
        if data is not None:
            self._save(data, row.id)

    def _save(self, data, item_id) -> None:
        try:
            manage.save_item(self.db, self.actor, data, item_id)
        except AppError as exc:
            show_error(self, "保存工作事项失败", exc)
            return
        self.reload()
        self.status_message.emit(f"已保存工作事项“{data.title}”")

    def delete_item(self) -> None:
        row = self.selected()
        if row is None or QMessageBox.question(
                self, "删除工作事项", f"删除“{row.facts.title}”吗？已关联它的日志条目保留，但不再计入该事项。") \
                != QMessageBox.StandardButton.Yes:
            return
        try:
            manage.delete_item(self.db, self.actor, row.id)
        except AppError as exc:
            show_error(self, "删除工作事项失败", exc)
            return
        self.reload()
        self.status_message.emit(f"已删除工作事项“{row.facts.title}”")

    def toggle_done(self) -> None:
        row = self.selected()
        if row is None:
            return
        reopen = bool(row.facts.done_on)
        try:
            manage.set_done(self.db, self.actor, row.id, None if reopen else self.today())
        except AppError as exc:
            show_error(self, "报告办结失败", exc)
            return
        self.reload()
        self.status_message.emit(f"“{row.facts.title}”" + ("已重新打开" if reopen else "已报告办结"))

    def add_count(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = CountDialog(row.facts.title, self.today(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            manage.set_count(self.db, self.actor, row.id, *dialog.value())
        except AppError as exc:
            show_error(self, "填报办理量失败", exc)
            return
        self.reload()
        self.status_message.emit(f"已填报“{row.facts.title}”{dialog.value()[0]}的办理量")

    def save_template(self, path: str | None = None) -> None:
        if path is None:
            path = ask_save_path(self, "excel_template", "保存模板", "工作事项导入模板.xlsx",
                                 "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            items_excel.write_items_template(Path(path))
        except AppError as exc:
            show_error(self, "生成模板失败", exc)
            return
        self.status_message.emit(f"模板已保存：{path}")

    def import_file(self, path: str | None = None) -> bool:
        """Preview, then import on 确认导入. Problems are listed by sheet, row and column."""
        if path is None:
            path = ask_open_path(self, "items_import", "选择要导入的工作事项文件", "Excel 工作簿 (*.xlsx)")
        if not path:
            return False
        try:
            preview = items_excel.import_items(self.db, self.actor, Path(path), apply=False,
                                               today=self.today())
        except AppError as exc:
            show_error(self, "导入工作事项失败", exc)
            return False
        if ItemsPreviewDialog(preview, Path(path).name, self).exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            done = items_excel.import_items(self.db, self.actor, Path(path), today=self.today())
        except AppError as exc:
            show_error(self, "导入工作事项失败", exc)
            return False
        self.reload()
        self.status_message.emit(done.result.summary())
        return True

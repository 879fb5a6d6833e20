"""Cell editors for the entries table: every one works from the keyboard alone."""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QComboBox, QCompleter, QDoubleSpinBox, QLineEdit,
                               QStyledItemDelegate)

from app.services.logs.tools import DutyChoice, filter_duties
from app.ui.models.entries_model import ROLE_DUTY_ID, ROLE_ITEM_DUTIES, ROLE_ITEM_ID

SCOPE_TAGS = {"岗位职责": "【岗位】", "科室职责": "【科室】", "单位职责": "【单位】"}
NO_DUTY = "（不关联职责）"
NO_ITEM = "（不关联事项）"



def searchable_box(parent, entries: list[tuple[str, object]], popup_width: int) -> QComboBox:
    """An editable combo box of (text, data) entries whose typed words filter the list (a
    contains match, any case): the duty and 工作事项 pickers of the entry table."""
    box = QComboBox(parent)
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for text, data in entries:
        box.addItem(text, data)
    completer = QCompleter(box.model(), box)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    box.setCompleter(completer)
    box.view().setMinimumWidth(popup_width)
    return box

class HoursDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):
        box = QDoubleSpinBox(parent)
        box.setRange(0, 24)
        box.setDecimals(1)
        box.setSingleStep(0.5)
        box.setSuffix(" 小时")
        return box

    def updateEditorGeometry(self, editor, option, index):
        # The column is narrow (the table shows "4"); the editor shows "4.0 小时" and its arrows,
        # so it may reach over the next cell while it is open rather than clip its own text.
        rect = option.rect
        editor.setGeometry(rect.x(), rect.y(), max(rect.width(), editor.sizeHint().width()), rect.height())

    def setEditorData(self, editor, index):
        editor.setValue(float(index.data(Qt.ItemDataRole.EditRole) or 0))
        editor.selectAll()

    def setModelData(self, editor, model, index):
        editor.interpretText()
        model.setData(index, editor.value())


class RangeDelegate(QStyledItemDelegate):
    PATTERN = QRegularExpression(r"^$|^\d{1,2}:\d{2}\s*[-～—–]\s*\d{1,2}:\d{2}$")

    def createEditor(self, parent, option, index):
        edit = QLineEdit(parent)
        edit.setPlaceholderText("08:30-11:30")
        edit.setValidator(QRegularExpressionValidator(self.PATTERN, edit))
        return edit

    def setEditorData(self, editor, index):
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.text())


class CategoryDelegate(QStyledItemDelegate):
    def __init__(self, categories: list[str], parent=None):
        super().__init__(parent)
        self.categories = categories

    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        box.addItems(self.categories)
        return box

    def setEditorData(self, editor, index):
        current = index.data(Qt.ItemDataRole.EditRole)
        if current and editor.findText(current) < 0:
            editor.addItem(current)  # a retired category on an old entry stays visible
        editor.setCurrentText(current or self.categories[0])

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText())


class DutyDelegate(QStyledItemDelegate):
    """Searchable duty picker: type any part of the code or text; own post duties come first."""

    def __init__(self, choices: list[DutyChoice], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        allowed = index.data(ROLE_ITEM_DUTIES) or []     # an item with duties: only those
        return searchable_box(parent, ([] if allowed else [(NO_DUTY, None)])
                              + [(f"{SCOPE_TAGS[c.scope]}{c.label}", c.id) for c in self.choices
                                 if not allowed or c.id in allowed], 520)

    def setEditorData(self, editor, index):
        found = editor.findData(index.data(ROLE_DUTY_ID))
        editor.setCurrentIndex(max(found, 0))
        editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):
        text = editor.currentText().strip()
        row = editor.findText(text)
        if row >= 0:
            duty_id = editor.itemData(row)
            model.setData(index, (duty_id, text.split("】", 1)[-1] if duty_id else ""))
            return
        # Typed keywords + Enter: take the best (first) match, own post duties ranking first.
        allowed = index.data(ROLE_ITEM_DUTIES) or []
        matches = [c for c in filter_duties(self.choices, text) if not allowed or c.id in allowed]
        if matches:
            model.setData(index, (matches[0].id, matches[0].label))


class ItemDelegate(QStyledItemDelegate):
    """Searchable 工作事项 picker (open items; those on the writer's own duties first). Picking
    one sets the entry's duty from the item (app.services.items.links.apply_item)."""

    def __init__(self, choices, parent=None):
        super().__init__(parent)
        self.choices = choices          # list of ItemChoice, done ones included (for labels)

    def createEditor(self, parent, option, index):
        current = index.data(ROLE_ITEM_ID)
        return searchable_box(parent, [(NO_ITEM, None)] + [(f"【{c.kind[:2]}】{c.label}", c.id)
                                                           for c in self.choices if not c.done or c.id == current], 420)

    def setEditorData(self, editor, index):
        editor.setCurrentIndex(max(editor.findData(index.data(ROLE_ITEM_ID)), 0))
        editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):
        text = editor.currentText().strip()
        row = editor.findText(text)
        if row >= 0:
            model.setData(index, editor.itemData(row))
            return
        words = text.lower().split()
        matches = [c for c in self.choices if not c.done and all(w in c.label.lower() for w in words)]
        if matches:
            model.setData(index, matches[0].id)


class ContentDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):
        edit = QLineEdit(parent)
        edit.setPlaceholderText("做了什么、结果如何（如：检查3家商超，发现问题2处已督促整改）")
        edit.setMaxLength(1000)
        return edit

    def setEditorData(self, editor, index):
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.text())

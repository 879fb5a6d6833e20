"""Table model over a day's entries (list of EntryDraft). Edits change the drafts in place and
emit `edited`, which the log page uses to schedule an autosave."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.core.logrules import EntryDraft, effective_hours, hours_from_range, total_hours
from app.core.vocab import SECRET_CONTENT_LABEL
from app.services.items.links import ItemChoice, apply_item

COL_HOURS, COL_RANGE, COL_CATEGORY, COL_ITEM, COL_DUTY, COL_CONTENT, COL_SECRET, COL_FILES = range(8)
HEADERS = ("工时", "起止时间", "工作类别", "工作事项", "关联职责", "工作内容", "涉密", "附件")
ROLE_DUTY_ID = Qt.ItemDataRole.UserRole + 1
ROLE_ITEM_ID = Qt.ItemDataRole.UserRole + 2
ROLE_ITEM_DUTIES = Qt.ItemDataRole.UserRole + 3     # the duty ids the row's item allows


class EntriesModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[EntryDraft] = []
        self.duty_labels: dict[str, str] = {}
        self.items: dict[str, ItemChoice] = {}      # 工作事项 by id (labels, duties)
        self.read_only = False

    # ----------------------------------------------------------------- content
    def set_entries(self, entries: list[EntryDraft], duty_labels: dict[str, str],
                    read_only: bool) -> None:
        self.beginResetModel()
        self.entries = [replace(e) for e in entries]
        self.duty_labels = dict(duty_labels)
        self.read_only = read_only
        self.endResetModel()

    def append(self, entry: EntryDraft) -> int:
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()
        self.edited.emit()
        return row

    def extend(self, entries: list[EntryDraft]) -> None:
        if not entries:
            return
        start = len(self.entries)
        self.beginInsertRows(QModelIndex(), start, start + len(entries) - 1)
        self.entries.extend(entries)
        self.endInsertRows()
        self.edited.emit()

    def remove(self, row: int) -> EntryDraft | None:
        if not 0 <= row < len(self.entries):
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        removed = self.entries.pop(row)
        self.endRemoveRows()
        self.edited.emit()
        return removed

    def insert(self, row: int, entry: EntryDraft) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.insert(row, entry)
        self.endInsertRows()
        self.edited.emit()

    def total_hours(self) -> float:
        return total_hours(self.entries)

    # ----------------------------------------------------------------- Qt model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return HEADERS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only:
            return base
        if index.column() == COL_SECRET:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == COL_FILES:
            return base
        if index.column() == COL_CONTENT and self.entries[index.row()].secret:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e, col = self.entries[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_SECRET:
            return Qt.CheckState.Checked if e.secret else Qt.CheckState.Unchecked
        if role == ROLE_DUTY_ID and col == COL_DUTY:
            return e.duty_id
        if role == ROLE_ITEM_ID and col == COL_ITEM:
            return e.item_id
        if role == ROLE_ITEM_DUTIES:
            item = self.items.get(e.item_id or "")
            return list(item.duty_ids) if item else []
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_ITEM:
            item = self.items.get(e.item_id or "")
            if item is None:
                return "可选：关联本单位的工作事项（年度重点工作、督办事项、审批服务事项、工作计划），职责随事项带出"
            return (f"{item.kind}：{item.label}\n关联职责：" + "；".join(item.duty_labels)
                    + ("\n（事项关联多项职责，可在“关联职责”列中从中选择）" if len(item.duty_ids) > 1 else ""))
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_CONTENT and e.secret:
            return QColor("#888888")
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_DUTY, COL_CONTENT):
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        if col == COL_HOURS:
            try:
                return effective_hours(e) if role == Qt.ItemDataRole.EditRole else f"{effective_hours(e):g}"
            except ValueError:
                return 0.0 if role == Qt.ItemDataRole.EditRole else ""
        if col == COL_RANGE:
            return f"{e.start}-{e.end}" if e.start and e.end else ""
        if col == COL_CATEGORY:
            return e.category
        if col == COL_DUTY:
            return self.duty_labels.get(e.duty_id, "") if e.duty_id else ""
        if col == COL_ITEM:
            item = self.items.get(e.item_id or "")
            return item.label if item else ""
        if col == COL_CONTENT:
            return f"（{SECRET_CONTENT_LABEL}，不记录内容）" if e.secret and role == Qt.ItemDataRole.DisplayRole else e.content
        if col == COL_FILES:
            return "、".join(a.filename for a in e.attachments)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.read_only:
            return False
        e, col = self.entries[index.row()], index.column()
        if col == COL_SECRET and role == Qt.ItemDataRole.CheckStateRole:
            e.secret = Qt.CheckState(value) == Qt.CheckState.Checked
            self._changed(index.row())
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        if col == COL_HOURS:
            e.hours = round(float(value), 2)
            e.start = e.end = None  # typing hours replaces a time range
        elif col == COL_RANGE:
            text = str(value).strip().replace("～", "-").replace("—", "-").replace("–", "-")
            if not text:
                e.start = e.end = None
            else:
                start, _, end = text.partition("-")
                try:
                    e.hours = hours_from_range(start, end)
                except ValueError:
                    return False
                e.start, e.end = start.strip(), end.strip()
        elif col == COL_CATEGORY:
            e.category = str(value)
        elif col == COL_DUTY:
            duty_id, label = value if isinstance(value, tuple) else (value or None, "")
            e.duty_id = duty_id
            if duty_id and label:
                self.duty_labels[duty_id] = label
        elif col == COL_ITEM:
            item = self.items.get(value) if value else None
            apply_item(e, item)
            if item is not None:
                self.duty_labels.update(zip(item.duty_ids, item.duty_labels))
        elif col == COL_CONTENT:
            e.content = str(value)
        else:
            return False
        self._changed(index.row())
        return True

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.edited.emit()

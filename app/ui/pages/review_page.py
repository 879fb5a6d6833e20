"""履职审阅 page: the reviewer's queue grouped by person and day, with entries, assisted-review
flags and the author's week saturation; approve, return, or approve every clean log at once."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from app.core import vocab
from app.core.errors import AppError
from app.db.engine import Database
from app.services.review import queue as review
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error
from app.ui.dialogs.text_prompt_dialog import ask_text
from app.ui.widgets.record_table import RecordTable

FLAG_BRUSH = QBrush(QColor("#fff0d9"))
ROLE_LOG = Qt.ItemDataRole.UserRole + 1


class ReviewPage(QWidget):
    status_message = Signal(str)
    queue_changed = Signal(int)

    def __init__(self, db: Database, actor: Actor, today=dt.date.today, parent=None):
        super().__init__(parent)
        self.db, self.actor, self.today = db, actor, today
        self.items: list[review.QueueItem] = []
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.section_filter = QComboBox(objectName="sectionFilter")
        self.flag_filter = QComboBox(objectName="flagFilter")
        for text, value in (("全部", None), ("仅有提示的", True), ("仅无提示的", False)):
            self.flag_filter.addItem(text, value)
        self.section_filter.currentIndexChanged.connect(lambda _i: self.show_items())
        self.flag_filter.currentIndexChanged.connect(lambda _i: self.show_items())
        refresh = QPushButton("刷新 (F5)")
        refresh.clicked.connect(self.refresh)
        self.approve_clean = QPushButton("同意全部无提示日志…", objectName="approveClean")
        self.approve_clean.clicked.connect(self.approve_all_clean)
        delegate = QPushButton("代审设置…")
        delegate.clicked.connect(self.edit_delegation)
        top = QHBoxLayout()
        for w in (QLabel("科室"), self.section_filter, QLabel("提示"), self.flag_filter, refresh):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(delegate)
        top.addWidget(self.approve_clean)

        self.summary = QLabel(objectName="queueSummary")
        self.tree = QTreeWidget(objectName="queueTree")
        self.tree.setHeaderLabels(["人员 / 日期", "工时", "审阅级", "本周饱和度", "辅助审核提示"])
        self.tree.header().setStretchLastSection(True)
        for col, width in enumerate((200, 46, 52, 80)):
            self.tree.setColumnWidth(col, width)
        self.tree.currentItemChanged.connect(lambda cur, _prev: self.show_detail())

        self.detail_title = QLabel(objectName="detailTitle", wordWrap=True)
        self.detail_title.setStyleSheet("font-size:13pt; font-weight:bold")
        self.entries = RecordTable(["工时", "类别", "关联职责", "工作内容"], 3)
        self.entries.setObjectName("detailEntries")
        self.entries.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.entries.setColumnWidth(2, 220)
        self.flags = QLabel(objectName="detailFlags", wordWrap=True)
        self.flags.setStyleSheet("color:#8a4b00")
        self.comment = QLineEdit(objectName="comment", placeholderText="批阅意见（可不填）")
        self.approve_button = QPushButton("同意 (Ctrl+Enter)", objectName="approve")
        self.approve_button.setStyleSheet("font-weight:bold")
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button = QPushButton("退回…", objectName="return")
        self.return_button.clicked.connect(self.return_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.comment, 1)
        actions.addWidget(self.return_button)
        actions.addWidget(self.approve_button)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        for w in (self.detail_title, self.entries, self.flags):
            rl.addWidget(w, 1 if w is self.entries else 0)
        rl.addLayout(actions)

        splitter = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.summary)
        ll.addWidget(self.tree, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        for keys, slot in (("Ctrl+Return", self.approve_selected), ("Ctrl+Enter", self.approve_selected),
                           ("F5", self.refresh)):
            QShortcut(QKeySequence(keys), self, activated=slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        self.items = review.queue(self.db, self.actor, today=self.today())
        sections = sorted({i.section for i in self.items})
        current = self.section_filter.currentText()
        self.section_filter.blockSignals(True)
        self.section_filter.clear()
        self.section_filter.addItem("全部科室", None)
        for name in sections:
            self.section_filter.addItem(name or "（未分科室）", name)
        if current in sections:
            self.section_filter.setCurrentText(current)
        self.section_filter.blockSignals(False)
        self.show_items()
        self.queue_changed.emit(len(self.items))

    def visible_items(self) -> list[review.QueueItem]:
        section, flagged = self.section_filter.currentData(), self.flag_filter.currentData()
        return [i for i in self.items
                if (section is None or i.section == section)
                and (flagged is None or i.flagged == flagged)]

    def show_items(self) -> None:
        self.tree.clear()
        shown = self.visible_items()
        people: dict[str, QTreeWidgetItem] = {}
        for item in shown:
            parent = people.get(item.author_id)
            if parent is None:
                parent = QTreeWidgetItem([f"{item.author_name}（{item.section or '—'}）"])
                people[item.author_id] = parent
                self.tree.addTopLevelItem(parent)
            sat = item.week_saturation
            row = QTreeWidgetItem([
                f"{item.day.isoformat()} 周{'一二三四五六日'[item.day.weekday()]}"
                + (f"（代{item.on_behalf_of}）" if item.on_behalf_of else "")
                + (f"（第{item.version}版修改）" if item.version > 1 else ""),
                f"{item.total_hours:g}", f"{item.level}/{item.chain_len}",
                "—" if sat is None else f"{sat:.0%}",
                # the count only: the reasons are listed once, in full, beside the entries
                f"{len(item.flags)}项" if item.flags else ""])
            row.setData(0, ROLE_LOG, item.log_id)
            row.setCheckState(0, Qt.CheckState.Unchecked)
            if item.flagged:
                for col in range(5):
                    row.setBackground(col, FLAG_BRUSH)
                row.setToolTip(4, "\n".join(f.reason for f in item.flags))
            parent.addChild(row)
        for parent in people.values():
            parent.setText(1, f"{parent.childCount()}篇")
        self.tree.expandAll()
        clean = sum(1 for i in shown if not i.flagged)
        self.summary.setText(f"待审 {len(shown)} 篇，其中无提示 {clean} 篇、有提示 {len(shown) - clean} 篇"
                             + ("" if len(shown) == len(self.items) else f"（全部待审 {len(self.items)} 篇）"))
        self.approve_clean.setEnabled(clean > 0)
        first = self.tree.topLevelItem(0)
        self.tree.setCurrentItem(first.child(0) if first and first.childCount() else None)
        self.show_detail()

    def _rows(self) -> list[QTreeWidgetItem]:
        """The day rows in the order the reviewer sees them."""
        return [self.tree.topLevelItem(p).child(c) for p in range(self.tree.topLevelItemCount())
                for c in range(self.tree.topLevelItem(p).childCount())]

    def _refresh_keeping_place(self, decided: list[str]) -> None:
        """Refresh after a decision and select the log that followed the current one, so the
        reviewer goes on down the queue instead of back to its top (issue 17)."""
        ids = [row.data(0, ROLE_LOG) for row in self._rows()]
        current = self.current_item()
        at = ids.index(current.log_id) if current and current.log_id in ids else 0
        following = [i for i in ids[at:] + ids[:at][::-1] if i not in decided]
        self.refresh()
        rows = {row.data(0, ROLE_LOG): row for row in self._rows()}
        target = next((rows[i] for i in following if i in rows), None)
        if target is not None:
            self.tree.setCurrentItem(target)          # shows its detail

    def refresh_keeping_place(self) -> None:
        """Read the queue again (other PCs' logs and decisions arrived) without moving the
        reviewer: the log being read stays selected, the ticked ones stay ticked, the comment
        stays as typed."""
        current = self.current_item()
        ticked = {row.data(0, ROLE_LOG) for row in self._rows()
                  if row.checkState(0) == Qt.CheckState.Checked}
        self.refresh()
        for row in self._rows():
            if row.data(0, ROLE_LOG) in ticked:
                row.setCheckState(0, Qt.CheckState.Checked)
            if current is not None and row.data(0, ROLE_LOG) == current.log_id:
                self.tree.setCurrentItem(row)

    def current_item(self) -> review.QueueItem | None:
        node = self.tree.currentItem()
        log_id = node.data(0, ROLE_LOG) if node else None
        return next((i for i in self.items if i.log_id == log_id), None)

    def selected_log_ids(self) -> list[str]:
        """Checked day rows, or the current one when none is checked."""
        checked = []
        for p in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(p)
            for c in range(parent.childCount()):
                child = parent.child(c)
                if child.checkState(0) == Qt.CheckState.Checked:
                    checked.append(child.data(0, ROLE_LOG))
        if checked:
            return checked
        current = self.current_item()
        return [current.log_id] if current else []

    def show_detail(self) -> None:
        item = self.current_item()
        enabled = item is not None
        for w in (self.approve_button, self.return_button, self.comment):
            w.setEnabled(enabled)
        if item is None:
            self.detail_title.setText("请在左侧选择一篇日志" if self.items else "没有待您审阅的日志")
            self.entries.set_rows([])
            self.flags.setText("")
            return
        state = "" if item.day_state == vocab.DAY_NORMAL else f"（{item.day_state}）"
        amended = f"\n修改理由：{item.amend_reason}" if item.amend_reason else ""
        self.detail_title.setText(f"{item.author_name} · {item.section} · {item.day.isoformat()}{state}"
                                  f" · 合计 {item.total_hours:g} 小时 · 本周已填 {item.week_hours:g}"
                                  f"/{item.week_expected:g} 小时{amended}")
        self.entries.set_rows([(f"{e.hours:g}", e.category, item.duty_labels.get(e.duty_id, ""),
                                vocab.SECRET_CONTENT_LABEL if e.secret else e.content)
                               for e in item.entries])
        by_entry = {}
        for f in item.flags:
            by_entry.setdefault(f.entry_seq, []).append(f.reason)
        self.flags.setText("\n".join(("当日：" if seq is None else f"第{seq}条：") + "；".join(r)
                                     for seq, r in by_entry.items()))

    # ------------------------------------------------------------------ actions
    def approve_selected(self) -> None:
        ids = self.selected_log_ids()
        if not ids:
            return
        try:
            decisions = review.approve_many(self.db, self.actor, ids, self.comment.text(),
                                            today=self.today())
        except AppError as exc:
            show_error(self, "审阅失败", exc)
            return
        self.comment.clear()
        self.status_message.emit(f"已同意 {len(decisions)} 篇（其中终审 {sum(d.final for d in decisions)} 篇）")
        self._refresh_keeping_place(ids)

    def return_selected(self) -> None:
        item = self.current_item()
        if item is None:
            return
        reason = ask_text(self, "退回日志", f"退回 {item.author_name} {item.day.isoformat()} 的日志，"
                          "请写明理由（作者会看到）：", required=True)
        if reason is None:
            return
        try:
            review.return_log(self.db, self.actor, item.log_id, reason, today=self.today())
        except AppError as exc:
            show_error(self, "退回失败", exc)
            return
        self.status_message.emit(f"已退回 {item.author_name} {item.day.isoformat()} 的日志")
        self._refresh_keeping_place([item.log_id])

    def approve_all_clean(self) -> None:
        clean = [i for i in self.visible_items() if not i.flagged]
        if not clean:
            return
        answer = QMessageBox.question(
            self, "同意全部无提示日志",
            f"将同意当前筛选范围内 {len(clean)} 篇没有辅助审核提示的日志"
            f"（涉及 {len({i.author_id for i in clean})} 人）。有提示的 "
            f"{sum(1 for i in self.visible_items() if i.flagged)} 篇不受影响。确定吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            decisions = review.approve_many(self.db, self.actor, [i.log_id for i in clean],
                                            self.comment.text(), today=self.today())
        except AppError as exc:
            show_error(self, "批量审阅失败", exc)
            return
        self.status_message.emit(f"已同意 {len(decisions)} 篇无提示日志")
        self.refresh()

    def edit_delegation(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.delegation_dialog import DelegationDialog
        DelegationDialog(self.db, self.actor, self).exec()

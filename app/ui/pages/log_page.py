"""工作日志 page: pick a day on the calendar, write its entries, save or submit.

What the user types is autosaved (local draft table) a couple of seconds after each edit, so a
crash or a killed process loses at most those seconds; the draft is offered back on reopening.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QApplication, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QPushButton, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from app.core import vocab
from app.core.errors import AppError
from app.db.faults import DatabaseFault
from app.core.logrules import EntryDraft, total_hours
from app.db.engine import Database
from app.services.logs import tools as log_tools, daily as logs
from app.services.org.actor import Actor
from app.services.org.calendar import list_overrides, work_calendar
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.models.entries_model import (COL_CATEGORY, COL_CONTENT, COL_DUTY, COL_FILES,
                                         COL_HOURS, COL_ITEM, COL_RANGE, COL_SECRET, EntriesModel)
from app.ui.pages.log_page_menus import AttachmentMenu, TemplateMenu
from app.ui.widgets.entry_delegates import (CategoryDelegate, ContentDelegate, DutyDelegate,
                                            HoursDelegate, ItemDelegate, RangeDelegate)
from app.services.items.links import item_choices
from app.ui.widgets.log_calendar import LEGEND, LogCalendar, to_date
from app.services.logs.amend import start_amendment

WEEKDAYS = "一二三四五六日"
DEFAULT_ENTRY_HOURS = 1.0
AUTOSAVE_RETRY_SECONDS = 5     # after a fault (disk full, file locked…), until the draft is stored


class LogPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, settings: Settings, today=dt.date.today,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor, self.settings, self.today = db, actor, settings, today
        self.calendar_rules = work_calendar(db)
        self.holiday_names = {d.day: (d.kind, d.name) for d in list_overrides(db)}
        self.day: dt.date = today()
        self.loaded: logs.DayLog | None = None
        self.dirty = False
        self.undo_stack: list[tuple[str, callable]] = []
        self.model = EntriesModel(self)
        self.model.edited.connect(self._on_edited)
        self.autosave_timer = QTimer(self, singleShot=True)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self._build()
        self._shortcuts()
        self.open_day(self.day)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.calendar = LogCalendar(self.calendar_rules.is_working_day)
        self.calendar.setObjectName("logCalendar")
        self.calendar.clicked.connect(lambda q: self.open_day(to_date(q)))
        self.calendar.currentPageChanged.connect(lambda y, m: self.refresh_calendar(y, m))
        # One line (a wrapped legend split "请假/公休" from its colour): thin spaces between the
        # items, and the panel is never narrower than the line.
        legend = QLabel("&nbsp;&nbsp;".join(f"<span style='color:{c}'>■</span>{t}" for t, c in LEGEND),
                        objectName="calendarLegend")
        legend.setWordWrap(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.calendar)
        left_layout.addWidget(legend)
        self.month_summary = QLabel()
        self.month_summary.setWordWrap(True)
        left_layout.addWidget(self.month_summary)
        left_layout.addStretch(1)

        self.title = QLabel(objectName="dayTitle")
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold")
        self.state_badge = QLabel(objectName="stateBadge")
        self.day_state = QComboBox(objectName="dayState")
        self.day_state.addItems(vocab.DAY_STATES)
        self.day_state.setToolTip("请假、公休会相应减少应出勤工时；出差是在外工作，照常计应出勤工时")
        self.day_state.activated.connect(lambda _i: self._on_edited())
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.state_badge)
        header.addStretch(1)
        header.addWidget(QLabel("当日状态"))
        header.addWidget(self.day_state)

        self.banner = QLabel(objectName="banner", wordWrap=True)
        self.banner.setStyleSheet("background:#fff4d6; border:1px solid #e0c068; padding:6px")
        self.banner.hide()

        self.add_button = QPushButton("添加条目 (Ctrl+N)", objectName="addEntry")
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button = QPushButton("删除条目 (Ctrl+Del)", objectName="removeEntry")
        self.remove_button.clicked.connect(self.remove_entry)
        self.copy_button = QPushButton("复制上一工作日 (Ctrl+D)", objectName="copyPrevious")
        self.copy_button.clicked.connect(self.copy_previous)
        self.templates = TemplateMenu(self)
        self.attachments = AttachmentMenu(self)
        tools = QHBoxLayout()
        for w in (self.add_button, self.remove_button, self.copy_button, self.templates.button,
                  self.attachments.button):
            tools.addWidget(w)
        tools.addStretch(1)

        self.table = QTableView(objectName="entriesTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(True)
        self.duty_choices = log_tools.duty_choices(self.db, self.actor)
        self.categories = logs.category_names(self.db)
        self.table.setItemDelegateForColumn(COL_HOURS, HoursDelegate(self.table))
        self.table.setItemDelegateForColumn(COL_RANGE, RangeDelegate(self.table))
        self.table.setItemDelegateForColumn(COL_CATEGORY, CategoryDelegate(self.categories, self.table))
        self.table.setItemDelegateForColumn(COL_DUTY, DutyDelegate(self.duty_choices, self.table))
        self.table.setItemDelegateForColumn(COL_CONTENT, ContentDelegate(self.table))
        self.item_choices = []         # 工作事项, read again with each day (open_day)
        self.table.setItemDelegateForColumn(COL_ITEM, ItemDelegate(self.item_choices, self.table))
        head = self.table.horizontalHeader()
        for col, width in ((COL_HOURS, 64), (COL_RANGE, 96), (COL_CATEGORY, 84), (COL_ITEM, 130),
                           (COL_DUTY, 170),
                           (COL_SECRET, 40), (COL_FILES, 90)):
            self.table.setColumnWidth(col, width)
        head.setSectionResizeMode(COL_CONTENT, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # A row's height is measured at the columns' width of that moment; the stretched 工作内容
        # column gets its real width only once the page is laid out (rows were ~120 px tall at
        # 1366×768, issue 17), so the rows are measured again whenever a column changes width.
        self._remeasure = QTimer(self, singleShot=True, interval=0)
        self._remeasure.timeout.connect(self.table.resizeRowsToContents)
        head.sectionResized.connect(lambda *_: self._remeasure.start())

        self.total_label = QLabel(objectName="totalHours")
        self.autosave_label = QLabel(objectName="autosaveStatus")
        self.autosave_label.setStyleSheet("color:#777")
        self.save_button = QPushButton("保存 (Ctrl+S)", objectName="save")
        self.save_button.clicked.connect(lambda: self.save(submit=False))
        self.submit_button = QPushButton("提交审阅 (Ctrl+Enter)", objectName="submit")
        self.submit_button.setStyleSheet("font-weight:bold")
        self.submit_button.clicked.connect(lambda: self.save(submit=True))
        self.recall_button = QPushButton("撤回", objectName="recall")
        self.recall_button.clicked.connect(self.recall)
        self.amend_button = QPushButton("申请修改…", objectName="amend")
        self.amend_button.setToolTip("已审定的日志如需更正：写明理由后修改，重新送审；原版本保留")
        self.amend_button.clicked.connect(self.amend)
        self.history_button = QPushButton("版本记录", objectName="history")
        self.history_button.clicked.connect(self.show_history)
        footer = QHBoxLayout()
        footer.addWidget(self.total_label)
        footer.addSpacing(16)
        footer.addWidget(self.autosave_label, 1)
        for w in (self.history_button, self.amend_button, self.recall_button, self.save_button,
                  self.submit_button):
            footer.addWidget(w)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(header)
        rl.addWidget(self.banner)
        rl.addLayout(tools)
        rl.addWidget(self.table, 1)
        rl.addLayout(footer)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 1000])
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)

    def _shortcuts(self) -> None:
        for keys, slot in (("Ctrl+N", self.add_entry), ("Ctrl+Delete", self.remove_entry),
                           ("Ctrl+D", self.copy_previous), ("Ctrl+S", lambda: self.save(False)),
                           ("Ctrl+Return", lambda: self.save(True)),
                           ("Ctrl+Enter", lambda: self.save(True)), ("Ctrl+Z", self.undo),
                           ("Alt+Left", lambda: self.step_day(-1)),
                           ("Alt+Right", lambda: self.step_day(1)),
                           ("Ctrl+T", self.go_to_today)):
            QShortcut(QKeySequence(keys), self, activated=slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def go_to_today(self) -> None:
        if self.day == self.today():
            self.status_message.emit(f"已是今天（{self.day.isoformat()}）")
            return
        self.open_day(self.today())

    # ------------------------------------------------------------------ day loading
    def open_day(self, day: dt.date) -> None:
        day = min(day, self.today())
        self.commit_pending_edit()
        if self.dirty and self.loaded is not None and not self.autosave_now():
            # What is typed here lives only in this window: leaving the day would lose it.
            current = self.day
            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
            self.status_message.emit("本日内容尚未保存，也未能存为草稿，为免丢失暂不切换日期："
                                     + self.autosave_label.text())
            return
        self.day = day
        self.loaded = logs.load_day(self.db, self.actor, day)
        entries, state, restored = self.loaded.entries, self.loaded.day_state, None
        if self.loaded.editable:
            draft = log_tools.load_autosave(self.db, self.actor, day)
            if draft and (draft.entries, draft.day_state) != (entries, state):
                entries, state, restored = draft.entries, draft.day_state, draft.saved_at
        self.model.set_entries(entries, self.loaded.duty_labels, not self.loaded.editable)
        self.model.duty_labels.update({c.id: c.label for c in self.duty_choices})
        self.item_choices[:] = item_choices(self.db, self.actor, with_done=True)  # added meanwhile
        self.model.items = {c.id: c for c in self.item_choices}
        self.day_state.setCurrentText(state)
        self.dirty = restored is not None
        self.undo_stack.clear()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.refresh_calendar(day.year, day.month)
        self._show_header(restored)
        self._update_controls()

    def _show_header(self, restored: str | None) -> None:
        d = self.day
        kind, name = self.holiday_names.get(d, (None, ""))
        if self.loaded.is_working_day:
            what = f"调休上班（{name}）" if kind == "workday" else "工作日"
        else:
            what = f"节假日（{name}）" if kind == "holiday" else "休息日"
        self.title.setText(f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]} · {what}")
        self.state_badge.setText(f"【{self.loaded.state_label}】")
        messages = []
        if self.loaded.state == vocab.LOG_RETURNED and self.loaded.return_reason:
            messages.append(f"审阅人退回：{self.loaded.return_reason}。修改后请重新提交。")
        if self.loaded.amend_reason and self.loaded.state != vocab.LOG_APPROVED:
            messages.append(f"正在修改已审定的日志（第{self.loaded.version}版），理由：{self.loaded.amend_reason}")
        if self.loaded.state == vocab.LOG_SUBMITTED:
            messages.append(f"等待第{self.loaded.pending_level}级审阅。")
        if restored:
            messages.append(f"已恢复 {restored[11:19]} 自动保存的未保存内容。保存或提交后生效。")
        if not self.loaded.editable:
            messages.append(self._locked_text())
        self.banner.setText("\n".join(messages))
        self.banner.setVisible(bool(messages))

    def _locked_text(self) -> str:
        return ("此日志" + self.loaded.state_label + "，不能修改"
                + ("；如需修改请先“撤回”。" if self.loaded.state == vocab.LOG_SUBMITTED else "。"))

    def _editable_or_say(self) -> bool:
        """A shortcut on a day that cannot change says why instead of doing nothing."""
        if self.loaded is not None and self.loaded.editable:
            return True
        if self.loaded is not None:
            self.status_message.emit(self._locked_text())
        return False

    def _update_controls(self) -> None:
        editable = self.loaded.editable
        for w in (self.add_button, self.remove_button, self.copy_button, self.save_button,
                  self.submit_button, self.day_state, self.templates.button, self.attachments.button):
            w.setEnabled(editable)
        self.recall_button.setVisible(self.loaded.state == vocab.LOG_SUBMITTED
                                      and self.loaded.pending_level == 1)
        self.amend_button.setVisible(self.loaded.state == vocab.LOG_APPROVED)
        self.history_button.setVisible(self.loaded.version > 1)
        self._update_total()

    def _update_total(self) -> None:
        total = self.model.total_hours()
        colour = "#b00020" if total > 24 else "#333"
        self.total_label.setText(f"<span style='color:{colour}'>当日合计 <b>{total:g}</b> 小时，"
                                 f"{len(self.model.entries)} 条</span>")

    def refresh_calendar(self, year: int, month: int) -> None:
        statuses = logs.month_overview(self.db, self.actor, year, month)
        self.calendar.set_statuses(statuses)
        first = dt.date(year, month, 1)
        last = min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), self.today())
        working = self.calendar_rules.working_days(first, last) if last >= first else []
        done = sum(1 for d in working if d in statuses and statuses[d].state != vocab.LOG_DRAFT)
        self.month_summary.setText(f"{year}年{month}月：应填 {len(working)} 天，已提交 {done} 天")

    def refresh_after_sync(self) -> None:
        """Other PCs' changes arrived (a review of this person's log, a log written on another
        PC): the month view always, the day itself only when nothing is being typed in it — an
        edited day, or a cell editor still open, stays exactly as it is."""
        editing = self.table.state() == QAbstractItemView.State.EditingState
        if self.dirty or editing or self.loaded is None:
            self.refresh_calendar(self.day.year, self.day.month)
        else:
            self.open_day(self.day)

    def step_day(self, delta: int) -> None:
        self.open_day(self.day + dt.timedelta(days=delta))

    # ------------------------------------------------------------------ editing
    def _on_edited(self) -> None:
        self.dirty = True
        self._update_total()
        self.autosave_label.setText("正在编辑…")
        self.autosave_timer.start(max(1, self.settings.autosave_seconds) * 1000)

    def autosave_now(self) -> bool:
        """Store the draft; False when it could not be stored (it then stays in the window and
        is tried again every few seconds)."""
        self.autosave_timer.stop()
        if not self.dirty or self.loaded is None or not self.loaded.editable:
            return True
        try:
            log_tools.autosave(self.db, self.actor, self.day, self.day_state.currentText(),
                               self.model.entries)
        except DatabaseFault as exc:        # disk full, file locked, read-only…
            self._draft_not_stored(exc)
            return False
        self.autosave_label.setText(f"草稿已自动保存 {dt.datetime.now():%H:%M:%S}")
        return True

    def _draft_not_stored(self, exc: DatabaseFault) -> None:
        self.autosave_label.setText(f"草稿未能自动保存（{exc.title}）：已输入的内容仍在本窗口中，"
                                    f"每{AUTOSAVE_RETRY_SECONDS}秒自动重试")
        self.autosave_timer.start(AUTOSAVE_RETRY_SECONDS * 1000)

    def commit_pending_edit(self) -> None:
        """Push an open cell editor's text into the model (before save, day change, autosave)."""
        editor = QApplication.focusWidget()
        # The focus may sit inside the editor (the line edit of an editable combo box).
        while editor is not None and editor.parentWidget() is not self.table.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.table.commitData(editor)
            self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def add_entry(self) -> None:
        if not self._editable_or_say():
            return
        self.commit_pending_edit()
        last = self.model.entries[-1].category if self.model.entries else self.categories[0]
        row = self.model.append(EntryDraft(hours=DEFAULT_ENTRY_HOURS, category=last))
        self.undo_stack.append(("添加条目", lambda: self.model.remove(row)))
        index = self.model.index(row, COL_HOURS)
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        self.table.edit(index)

    def remove_entry(self) -> None:
        row = self.table.currentIndex().row()
        if not self._editable_or_say():
            return
        if row < 0:
            self.status_message.emit("请先选中要删除的条目")
            return
        self.commit_pending_edit()
        removed = self.model.remove(row)
        if removed is not None:
            self.undo_stack.append(("删除条目", lambda: self.model.insert(row, removed)))
            self.status_message.emit("已删除一条，按 Ctrl+Z 撤销")

    def undo(self) -> None:
        if not self._editable_or_say():
            return
        if not self.undo_stack:
            self.status_message.emit("没有可撤销的操作")
            return
        what, action = self.undo_stack.pop()
        action()
        self.status_message.emit(f"已撤销：{what}")

    def copy_previous(self) -> None:
        if not self._editable_or_say():
            return
        try:
            copy = log_tools.previous_day_entries(self.db, self.actor, self.day)
        except AppError as exc:
            self.status_message.emit(str(exc))
            return
        secret = f"（另有{copy.secret_skipped}条涉密事项未复制，请按实际另行填写）" if copy.secret_skipped else ""
        if not copy.entries:
            self.status_message.emit(f"{copy.day.isoformat()} 只有涉密事项，没有复制{secret}")
            return
        kept = list(self.model.entries)
        choice = self._ask_replace_or_append(copy, kept) if kept else "append"
        if choice is None:
            return
        replaced = kept if choice == "replace" else []
        for _ in replaced:
            self.model.remove(0)
        self.model.extend(copy.entries)

        def undo() -> None:
            for _ in copy.entries:
                self.model.remove(len(self.model.entries) - 1)
            self.model.extend(replaced)
        self.undo_stack.append(("复制", undo))
        done = "替换为" if replaced else "复制"
        self.status_message.emit(f"已从 {copy.day.isoformat()} {done} {len(copy.entries)} 条，"
                                 f"可修改后保存（Ctrl+Z 撤销）{secret}")

    def _ask_replace_or_append(self, copy, kept) -> str | None:
        """The day already has entries: "append" the copy, "replace" them, or None."""
        box = QMessageBox(QMessageBox.Icon.Question, "复制上一工作日",
                          f"当天已有{len(kept)}条、共{total_hours(kept):g}小时。\n"
                          f"{copy.day.isoformat()} 的{len(copy.entries)}条（{copy.hours:g}小时）要：", parent=self)
        append = box.addButton("追加到后面", QMessageBox.ButtonRole.AcceptRole)
        replace_all = box.addButton("替换当天内容", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        return "append" if clicked is append else "replace" if clicked is replace_all else None

    def current_entry(self) -> EntryDraft | None:
        row = self.table.currentIndex().row()
        return self.model.entries[row] if 0 <= row < len(self.model.entries) else None

    def replace_entry_files(self, entry: EntryDraft, refs) -> None:
        row = self.model.entries.index(entry)
        self.model.entries[row] = replace(entry, attachments=tuple(refs))
        self.model._changed(row)

    # ------------------------------------------------------------------ save / submit
    def save(self, submit: bool) -> bool:
        if not self._editable_or_say():
            return False
        self.commit_pending_edit()
        try:
            saved = logs.save_day(self.db, self.actor, self.day, self.day_state.currentText(),
                                  [replace(e) for e in self.model.entries], submit=submit,
                                  today=self.today())
        except DatabaseFault as exc:
            # The draft cannot be stored now either (a locked file would keep the user waiting
            # once more): it stays in the window and the autosave retries until it is stored.
            self._draft_not_stored(exc)
            show_error(self, "提交失败" if submit else "保存失败", exc)
            return False
        except AppError as exc:
            self.autosave_now()  # whatever was typed stays safe even when it cannot be saved
            show_error(self, "提交失败" if submit else "保存失败", exc)
            return False
        log_tools.discard_autosave(self.db, self.actor, self.day)
        self.dirty = False
        self.autosave_label.setText("")
        self.open_day(saved.day)
        self.status_message.emit(f"{saved.day.isoformat()} 的日志已{'提交' if submit else '保存'}")
        return True

    def recall(self) -> None:
        try:
            logs.recall_day(self.db, self.actor, self.day)
        except AppError as exc:
            show_error(self, "撤回失败", exc)
            return
        self.open_day(self.day)
        self.status_message.emit("已撤回，可修改后重新提交")

    def amend(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.text_prompt_dialog import ask_text
        reason = ask_text(self, "申请修改", "请写明修改理由（审阅人会看到，原版本保留）：", required=True)
        if reason is None:
            return
        try:
            start_amendment(self.db, self.actor, self.day, reason)
        except AppError as exc:
            show_error(self, "申请修改失败", exc)
            return
        self.open_day(self.day)
        self.status_message.emit("可以修改了；修改后请重新提交审阅")

    def show_history(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.version_dialog import VersionDialog
        if self.loaded.log_id:
            VersionDialog(self.db, self.actor, self.loaded.log_id, self).exec()

    def has_unsaved(self) -> bool:
        return self.dirty

    def shutdown(self) -> bool:
        """Called when the window closes: keep whatever is typed as a local draft. False when
        it could not be stored (the window then asks before closing)."""
        self.commit_pending_edit()
        return self.autosave_now()

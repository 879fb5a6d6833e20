"""The GUI walker of tests/ui/test_gui_walk.py: visits every page and tab of a MainWindow and
triggers every visible enabled button, menu action and shortcut on it, as a user would (mouse
clicks, key presses, QAction.trigger for menu entries), and tells for each what the user saw.

An action counts as having done something when at least one of these follows it: a dialog or a
menu, a file dialog asked (and a file written into the temp folder), a file or folder opened, a
status-bar message, a change of any visible label, input, button state, table or the current
page/tab, the clipboard, or any committed write to one of the databases. Modal dialogs are
answered by a timer while the action runs: message boxes with their accepting button, or with
their cancelling one when the action is destructive (删除, 恢复 …); other dialogs are rejected;
a dialog that cannot be closed is force-closed and reported.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import SIGNAL, QModelIndex, Qt, QThreadPool
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication,
                               QCalendarWidget, QCheckBox, QComboBox, QDialog, QLabel, QLineEdit,
                               QMenu, QPlainTextEdit, QPushButton, QRadioButton, QStackedWidget,
                               QTabBar, QTabWidget, QTextEdit, QToolButton, QWidget)

from tests.ui.walk_answers import Answerer, Seen, alive, patch_static_dialogs

# Confirmations of these are answered with the cancelling button: the walk must see the question,
# not lose the database or the window.
DESTRUCTIVE = re.compile(r"删除|恢复|撤销|注销|退出|停用|重置|清空|覆盖|吊销|作废|移除|结束|关闭|切换用户|打开数据库")
# Actions that end the window (or the session): each is triggered last, on a window of its own.
TERMINAL = re.compile(r"^(退出|注销|切换用户|打开数据库)")
TASK_TIMEOUT_S = 30.0
ROWS_HASHED = 40


@dataclass
class Action:
    page: str
    label: str
    effect: str = ""
    problem: str = ""
    seconds: float = 0.0
    traceback: str = ""

    def line(self) -> str:
        mark = f"  ✗ {self.problem}" if self.problem else ""
        return f"{self.page} › {self.label} → {self.effect or '（无反应）'}{mark}（{self.seconds:.1f} s）"


def label_of(widget_or_action) -> str:
    w = widget_or_action
    text = (w.text() if hasattr(w, "text") else "") or w.toolTip() or w.objectName() \
        or type(w).__name__
    return text.replace("&", "").replace("\n", " ").strip()


def _internal(widget: QWidget) -> bool:
    """Buttons that belong to a Qt widget's own machinery (calendar arrows, tab scrollers, spin
    boxes, line-edit clear buttons), not to the program."""
    if widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QCalendarWidget, QTabBar, QAbstractSpinBox, QLineEdit, QComboBox,
                               QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def shown(widget: QWidget) -> bool:
    return alive(widget) and widget.isVisible() and widget.isEnabled()


class Walker:
    def __init__(self, qtbot, window, temp: Path, databases: list[Path], monkeypatch):
        self.qtbot, self.window, self.temp = qtbot, window, temp
        self.actions: list[Action] = []
        self.answerer = Answerer(window, temp)
        self._versions = []
        for path in databases:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA data_version").fetchone()
            self._versions.append(conn)
        self._status = 0
        window.statusBar().messageChanged.connect(self._status_shown)
        self._status_text = ""
        patch_static_dialogs(monkeypatch, self.answerer, temp)

    def rebind(self, window) -> None:
        """Go on with a new window (after one that an action closed)."""
        self.window = self.answerer.window = window
        window.statusBar().messageChanged.connect(self._status_shown)

    def close(self) -> None:
        for conn in self._versions:
            conn.close()

    def _status_shown(self, text: str) -> None:
        if text:
            self._status += 1
            self._status_text = text

    # -- waiting ---------------------------------------------------------------------------
    def settle(self) -> None:
        """Until every background task has delivered its result."""
        pools = [QThreadPool.globalInstance()]
        runner = getattr(self.window, "bureau_runner", None) if alive(self.window) else None
        if runner is not None and alive(runner.pool):
            pools.append(runner.pool)
        deadline = time.monotonic() + TASK_TIMEOUT_S
        self.qtbot.wait(5)
        while any(alive(p) and p.activeThreadCount() for p in pools) and time.monotonic() < deadline:
            self.qtbot.wait(10)
        self.qtbot.wait(10)          # the task's result is delivered by a queued signal

    # -- what the user sees --------------------------------------------------------------
    def snapshot(self) -> dict:
        w = self.window
        if not alive(w):            # 注销/切换用户 closes and deletes the window
            return {"页面": None, "标题": "", "剪贴板": QApplication.clipboard().text(), "窗口": False,
                    "控件": "", "标签": set(), "表格": [], "文件": self._files()}
        state = {"页面": (w.nav.currentRow(), w.stack.currentIndex()), "标题": w.windowTitle(),
                 "剪贴板": QApplication.clipboard().text(), "窗口": w.isVisible()}
        widgets = []
        tables = []
        for child in w.findChildren(QWidget):
            if not child.isVisible():
                continue
            if isinstance(child, (QTabWidget, QStackedWidget)):
                widgets.append(("页", child.currentIndex()))
            elif isinstance(child, QLabel):
                widgets.append(("标签", child.text()))
            elif isinstance(child, QLineEdit):
                widgets.append(("输入", child.text()))
            elif isinstance(child, (QTextEdit, QPlainTextEdit)):
                widgets.append(("文本", hash(child.toPlainText())))
            elif isinstance(child, QComboBox):
                widgets.append(("选项", child.currentText(), child.count()))
            elif isinstance(child, QAbstractSpinBox):
                widgets.append(("数值", child.text()))
            elif isinstance(child, QAbstractButton):
                widgets.append(("按钮", child.text(), child.isEnabled(), child.isChecked()))
            elif isinstance(child, QAbstractItemView) and child.model() is not None \
                    and child is not w.nav:          # the page shown is state["页面"]
                tables.append(self._table(child))
            widgets.append(("可见", type(child).__name__, child.isEnabled()))
        state["控件"] = hashlib.sha1(repr(widgets).encode()).hexdigest()
        state["标签"] = {t for k, t, *_ in (x for x in widgets if x[0] == "标签") if t}
        state["表格"] = tables
        state["文件"] = self._files()
        return state

    def _files(self) -> list:
        return sorted((p.name, p.stat().st_size) for p in self.temp.rglob("*") if p.is_file())

    @staticmethod
    def _table(view: QAbstractItemView) -> tuple:
        model = view.model()
        root = QModelIndex()
        rows = model.rowCount(root)
        try:
            cols = model.columnCount(root)
        except TypeError:           # a list model keeps its column count private
            cols = 1
        digest = hashlib.sha1()
        for r in range(min(rows, ROWS_HASHED)):
            for c in range(min(cols, 12)):
                digest.update(repr(model.index(r, c).data()).encode())
        current = view.currentIndex()
        selected = tuple(sorted(i.row() for i in view.selectionModel().selectedRows())) \
            if view.selectionModel() else ()
        return (shiboken6.getCppPointer(model)[0], rows, cols, digest.hexdigest(), (current.row(), current.column()), selected)

    def db_changed(self) -> bool:
        changed = False
        for i, conn in enumerate(self._versions):
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            key = f"_v{i}"
            if getattr(self, key, None) is not None and getattr(self, key) != version:
                changed = True
            setattr(self, key, version)
        return changed

    def effect(self, before: dict, after: dict, seen: Seen, db: bool, status: int) -> str:
        if seen.dialogs:
            return "对话框：" + "；".join(seen.dialogs)[:60]
        if seen.files:
            written = set(after["文件"]) - set(before["文件"])
            return f"文件对话框：{seen.files[0]}" + (f"，写出 {sorted(written)[0][0]}" if written else "")
        if seen.opened:
            return f"打开：{Path(seen.opened[0]).name}"
        if status:
            return f"状态栏：{self._status_text[:50]}"
        if not after["窗口"]:
            return "窗口已关闭"
        if after["页面"] != before["页面"]:
            return f"转到：{self.window.nav.currentItem().text() if self.window.nav.currentItem() else ''}"
        if db:
            return "数据库已写入"
        new_labels = after["标签"] - before["标签"]
        if new_labels:
            return f"提示：{sorted(new_labels)[0][:50]}"
        if after["表格"] != before["表格"]:
            return "表格已变化"
        if after["剪贴板"] != before["剪贴板"]:
            return "已复制到剪贴板"
        if after["控件"] != before["控件"]:
            return "界面已变化"
        if after["标题"] != before["标题"]:
            return "标题已变化"
        return ""

    # -- doing -----------------------------------------------------------------------------
    def act(self, page: str, label: str, do, judge: bool = True) -> Action:
        """Run `do` (a click, a key press, a trigger) with the answerer on, and judge it; with
        `judge` False (going to a page or tab) only an exception or a stuck dialog counts."""
        action = Action(page, label)
        started = time.perf_counter()
        errors: list[str] = []
        previous = sys.excepthook
        sys.excepthook = lambda t, e, tb: errors.append("".join(traceback.format_exception(t, e, tb)))
        self.db_changed()
        if alive(self.window):      # the last message has timed out: a repeated one shows anew
            self.window.statusBar().clearMessage()
        before = self.snapshot()
        self._status = 0
        self.answerer.start(destructive=bool(DESTRUCTIVE.search(label)))
        try:
            do()
            self.settle()
        except Exception:           # noqa: BLE001 - a test-side failure is reported, not hidden
            errors.append(traceback.format_exc())
        finally:
            seen = self.answerer.stop()
            self._close_strays()
            sys.excepthook = previous
            # a desktop's window manager gives the activation back when a dialog closes; the
            # offscreen platform does not, and a shortcut needs an active window
            if alive(self.window) and self.window.isVisible() and QApplication.activeWindow() is None:
                self.window.activateWindow()
                self.qtbot.wait(5)
        after = self.snapshot()
        action.effect = self.effect(before, after, seen, self.db_changed(), self._status)
        if errors:
            action.problem = "未处理的异常：" + errors[0].strip().splitlines()[-1]
            action.traceback = errors[0]
        elif seen.stuck:
            action.problem = f"对话框无法关闭：{seen.stuck[0]}"
        elif not action.effect and judge:
            action.problem = "无任何反应"
        action.seconds = time.perf_counter() - started
        if judge or action.problem:
            self.actions.append(action)
        if alive(self.window) and self.window.isVisible():
            self._check_fit(f"{page} › {label}")
        return action

    def _close_strays(self) -> None:
        for w in QApplication.topLevelWidgets():
            if alive(w) and w.isVisible() and w is not self.window and isinstance(w, (QDialog, QMenu)):
                w.close() if isinstance(w, QMenu) else w.done(0)

    # -- walking ---------------------------------------------------------------------------
    def walk(self, screen: tuple[int, int]) -> list[str]:
        """Every page, every tab, every control; then the menu bar. Returns the terminal menu
        entries (退出 …) left for windows of their own, and records pages that do not fit."""
        self.too_big: dict[str, tuple[int, int]] = {}
        self.screen = screen
        nav = self.window.nav
        for row in range(nav.count()):
            self._row = row
            self._tabs: list[tuple[QTabWidget, int]] = []
            self._go_to_row()
            page = self.window.stack.currentWidget()
            self.walk_area(page, nav.item(row).text().split("（")[0], self._go_to_row)
        terminal = []
        self._row, self._tabs = None, []
        for path, action in menu_actions(self.window.menuBar()):
            if TERMINAL.match(path.split(" › ")[-1]):
                terminal.append(path)
                continue
            if alive(action) and action.isEnabled():
                self.act("菜单栏", path, action.trigger)
        return terminal

    def _go_to_row(self) -> None:
        nav = self.window.nav
        item = nav.item(self._row)
        self.act(item.text(), "（打开）", lambda: QTest.mouseClick(
            nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center()), judge=False)

    def _check_fit(self, where: str) -> None:
        hint = self.window.minimumSizeHint()
        if hint.width() > self.screen[0] or hint.height() > self.screen[1]:
            self.too_big[where] = (hint.width(), hint.height())

    def _restore(self) -> None:
        """Back to the page and tab being walked, if an action went elsewhere."""
        if self._row is None or not self.window.isVisible():
            return
        if self.window.nav.currentRow() != self._row:
            self.window.nav.setCurrentRow(self._row)
            self.settle()
        for tabs, index in self._tabs:
            if alive(tabs) and tabs.currentIndex() != index:
                tabs.setCurrentIndex(index)

    def walk_area(self, area: QWidget, name: str, arrive) -> None:
        """`arrive()` comes to `area` as a user does (a click on its navigation entry or tab):
        each shortcut is pressed right after it, with the focus where that click left it."""
        for _, keys in self.shortcuts(area):
            arrive()
            self.act(name, f"快捷键 {keys}", lambda k=keys: self.key(k))
            self._restore()
        self.select_first_rows(area, name)
        done: set[int] = set()
        for _ in range(2):      # a second round for what the first made appear
            for control in self.controls(area):
                if id(control) in done or not shown(control):
                    continue
                done.add(id(control))
                self.press(control, name)
                self._restore()
        for tabs in outermost(area, QTabWidget):
            if not shown(tabs):
                continue
            for i in range(tabs.count()):
                if not alive(tabs) or not tabs.isTabEnabled(i) or not tabs.isTabVisible(i):
                    continue
                def click_tab(tabs=tabs, i=i):
                    bar = tabs.tabBar()
                    self.act(f"{name} › {tabs.tabText(i)}", "（打开）", lambda: QTest.mouseClick(
                        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center()), judge=False)
                click_tab()
                self._tabs.append((tabs, i))
                self.walk_area(tabs.widget(i), f"{name} › {tabs.tabText(i).split('（')[0]}", click_tab)
                self._tabs.pop()

    def select_first_rows(self, area: QWidget, name: str) -> None:
        """A click on the first row of each table, as a user picks a record before the buttons
        that act on one (the walk then reaches more than 请先选择…)."""
        views = area.findChildren(QAbstractItemView)
        if isinstance(area, QAbstractItemView):      # a tab that is a table itself
            views.insert(0, area)
        for view in views:
            if view is self.window.nav or not shown(view) or _internal(view) or inside_tabs(view, area):
                continue
            model = view.model()
            if model is None or model.rowCount(QModelIndex()) == 0:
                continue
            rect = view.visualRect(model.index(0, 0))
            if not rect.isValid():
                continue
            what = view.objectName() or type(view).__name__
            if not view.currentIndex().isValid():
                self.act(name, f"（选中首行：{what}）", lambda: QTest.mouseClick(
                    view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()), judge=False)
            if alive(view) and view.isVisible() and double_click_handled(view):
                self.act(name, f"双击首行：{what}", lambda: QTest.mouseDClick(
                    view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()))
                self._restore()

    def controls(self, area: QWidget) -> list[QAbstractButton]:
        """Visible enabled push and tool buttons of `area`, outside its tab widgets."""
        found = []
        for button in area.findChildren(QAbstractButton):
            if isinstance(button, (QCheckBox, QRadioButton)) or not isinstance(button, (QPushButton, QToolButton)):
                continue
            if not shown(button) or _internal(button) or inside_tabs(button, area):
                continue
            found.append(button)
        return found

    def shortcuts(self, area: QWidget) -> list[tuple[object, str]]:
        keys = []
        for shortcut in area.findChildren(QShortcut):
            if shortcut.isEnabled() and not shortcut.key().isEmpty() and not inside_tabs(shortcut.parent(), area):
                keys.append((shortcut, shortcut.key().toString()))
        for action in area.findChildren(QAction):
            if action.isEnabled() and not action.shortcut().isEmpty():
                keys.append((action, action.shortcut().toString()))
        return keys

    def key(self, keys: str) -> None:
        from PySide6.QtGui import QKeySequence
        target = QApplication.focusWidget() or self.window
        QTest.keySequence(target, QKeySequence(keys))

    def press(self, button: QAbstractButton, name: str) -> None:
        label = label_of(button)
        menu = button.menu() if hasattr(button, "menu") else None
        if menu is None:
            self.act(name, label, lambda: QTest.mouseClick(button, Qt.MouseButton.LeftButton))
            return
        self.act(name, label, lambda: QTest.mouseClick(button, Qt.MouseButton.LeftButton))
        for path, action in menu_actions(menu):
            if alive(action) and action.isEnabled():
                self.act(name, f"{label} › {path}", action.trigger)
                self._restore()


DOUBLE_CLICKS = ("doubleClicked(QModelIndex)", "activated(QModelIndex)", "cellDoubleClicked(int,int)",
                 "itemDoubleClicked(QTableWidgetItem*)", "itemDoubleClicked(QListWidgetItem*)",
                 "itemDoubleClicked(QTreeWidgetItem*,int)")


def double_click_handled(view: QAbstractItemView) -> bool:
    """Whether the program connected a double-click on a row (明细（双击下钻）, a reminder):
    more receivers than Qt's own class has by itself."""
    base = next(c for c in type(view).__mro__ if c.__module__.startswith("PySide6"))
    bare = base()
    try:
        for signature in DOUBLE_CLICKS:
            if view.metaObject().indexOfSignal(signature) < 0:
                continue
            if view.receivers(SIGNAL(signature)) > bare.receivers(SIGNAL(signature)):
                return True
        return False
    finally:
        bare.deleteLater()


def inside_tabs(widget, area: QWidget) -> bool:
    """Whether a tab widget stands between `widget` and `area` (the tab walk reaches it)."""
    parent = widget.parentWidget() if widget is not area else None
    while parent is not None and parent is not area:
        if isinstance(parent, QTabWidget):
            return True
        parent = parent.parentWidget()
    return False


def outermost(area: QWidget, kind) -> list:
    return [w for w in area.findChildren(kind) if not inside_tabs(w, area)]


def menu_actions(container, prefix: str = "") -> list[tuple[str, QAction]]:
    """(path, action) of every leaf entry of a menu bar or menu, its submenus shown first so
    that entries built on aboutToShow exist.

    With PySide6 6.8 (the Kylin arm64 build's), the first look at a new window's menus after
    the previous window was deleted can hand out an already-deleted wrapper (shiboken reuses a
    stale one for the new object at the same address); a second look gets a valid one."""
    found = _menu_actions(container, prefix)
    if not all(alive(action) for _path, action in found):
        found = _menu_actions(container, prefix)
    return found


def _menu_actions(container, prefix: str) -> list[tuple[str, QAction]]:
    found = []
    for action in list(container.actions()):
        if action.isSeparator() or not action.isVisible():
            continue
        text = action.text().replace("&", "").split("\t")[0]
        path = f"{prefix} › {text}" if prefix else text
        sub = action.menu()
        if sub is not None:
            sub.aboutToShow.emit()
            found.extend(_menu_actions(sub, path))
        else:
            found.append((path, action))
    return found

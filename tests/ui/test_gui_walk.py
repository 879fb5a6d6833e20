"""The GUI walk (issue 17: several buttons did nothing and no test noticed): log in as every role
of the demo unit and of the demo county, visit every page and tab, trigger every visible enabled
button, menu entry and shortcut as a user would (tests/ui/walker.py), and fail on an unhandled
exception, on an action the user would see no effect of, and on a page that makes the window
larger than a 1366×768 screen less its task bar. With -v the actions are listed per role as
页面 › 按钮 → what the user saw."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from app.demo.county import generate_county
from app.demo.data import PASSWORD
from app.demo.unit import MIN_PEOPLE, generate_demo
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.ui.walk_answers import alive
from tests.ui.walker import Walker, menu_actions

SCREEN = (1366, 768 - 40)            # a 1366×768 office monitor less a 40 px task bar
END = dt.date(2026, 11, 30)
ANALYST = "fenxi"

# (world, role, login): the demo accounts README names
ROLES = [("unit", "科室人员", "donghuajun"), ("unit", "科室负责人", "gaolinlei"),
         ("unit", "分管领导", "lvqiangjun"),      # in charge of three sections
         ("unit", "主要领导", "wanggangxin"), ("unit", "单位管理员", "admin"),
         ("county", "编办管理员", "admin"), ("county", "编办分析员", ANALYST)]
IDS = ["unit-staff", "unit-head", "unit-deputy", "unit-principal", "unit-admin", "county-admin",
       "county-analyst"]

# Actions whose effect no snapshot can see, each with its reason; "KNOWN:" marks a bug that
# another change is fixing: remove its entry when that change lands. (pattern on 页面 › 按钮,
# reason[, the roles it is limited to])
ALLOWED = [
    (r"› (刷新( \(F5\))?|重新读取|统计|查询|生成通报|快捷键 F5)$",
     "reads the database again: on a database the walk left as it was, the same rows and "
     "figures are the right answer"),
]


def allowed(action, role: str) -> str | None:
    where = f"{action.page} › {action.label}"
    return next((entry[1] for entry in ALLOWED
                 if re.search(entry[0], where) and (len(entry) < 3 or role in entry[2])), None)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    """The demo unit (one month) and a two-unit demo county with a 编办分析员, made once."""
    unit = tmp_path_factory.mktemp("walk-unit") / "demo.sqlite"
    generate_demo(unit, months=1, end=END)
    county = tmp_path_factory.mktemp("walk-county") / "county"
    generate_county(county, units=2, people=MIN_PEOPLE, months=1, seed=3, end=END, workers=1)
    db = open_database(county / "county.sqlite")
    accounts.add_user(db, SYSTEM, accounts.NewUser(ANALYST, "编办分析员", PASSWORD, must_change=False))
    db.dispose()
    return {"unit": unit.parent, "county": county}


def open_window(qtbot, db, login: str, settings) -> MainWindow:
    actor = accounts.login(db, login, PASSWORD)
    window = MainWindow(db, actor, settings, today=lambda: END)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.mark.parametrize("world,role,login", ROLES, ids=IDS)
def test_every_button_of_every_page_does_something(qtbot, worlds, tmp_path, settings, monkeypatch,
                                                   request, capsys, world, role, login):
    folder = tmp_path / "world"
    shutil.copytree(worlds[world], folder)      # each role walks a fresh copy: the walk writes
    path = folder / ("demo.sqlite" if world == "unit" else "county.sqlite")
    db = open_database(path)
    out = tmp_path / "out"
    out.mkdir()
    databases = sorted(folder.rglob("*.sqlite"))
    window = open_window(qtbot, db, login, settings)
    walker = Walker(qtbot, window, out, databases, monkeypatch)
    try:
        terminal = walker.walk(SCREEN)
        for entry in terminal:        # 退出 … end the window: each on a window of its own
            if not alive(window) or not window.isVisible():
                window = open_window(qtbot, db, login, settings)
                walker.rebind(window)
            # the session the program starts with, its "quit the program" only noted
            session = Session(settings, window_class=MainWindow, quit=lambda: None, today=lambda: END)
            session.window, window.session = window, session
            action = dict(menu_actions(window.menuBar()))[entry]
            walker.act("菜单栏", entry, action.trigger)
            if session.window is not None and session.window is not window:   # logged in again
                window = session.window
                qtbot.addWidget(window)
                walker.rebind(window)
    finally:
        walker.close()
        if alive(window) and window.isVisible():
            window.close()
        db.dispose()
    lines = [a.line() + ("  〔允许清单：KNOWN〕" if (a.problem and (allowed(a, role) or "").startswith("KNOWN"))
                         else "  〔允许清单〕" if a.problem and allowed(a, role) else "")
             for a in walker.actions]
    report = f"\n== {role}（{login}）：{len(lines)} 个操作\n" + "\n".join(f"  {line}" for line in lines)
    if request.config.get_verbosity() >= 0:     # -v (pyproject's addopts say -q: -v makes it 0)
        with capsys.disabled():
            print(report)
    else:
        print(report)                           # shown with -s, and with a failure
    for a in walker.actions:    # a control this user may not use should not be offered to them
        if "无权" in a.effect and not a.problem:
            a.problem = "提供了无权使用的操作"
    failures = [a for a in walker.actions if a.problem and not allowed(a, role)]
    details = "\n".join(a.line() + (f"\n{a.traceback}" if a.traceback else "") for a in failures)
    assert not failures and not walker.too_big, \
        f"{role}：{len(failures)} 个操作出错或无反应：\n{details}\n超出 {SCREEN} 的页面：{walker.too_big}"
    pages = {a.page.split(" › ")[0] for a in walker.actions}
    assert len(pages) >= 3, lines              # the walk reached the pages and their buttons


def test_the_walk_flags_a_dead_button_and_an_exception_and_sees_the_rest(qtbot, tmp_path, monkeypatch):
    """The walker itself: a button with no effect, one that raises, a dialog that will not close
    and a page too large for the screen are reported; a message box, a file dialog, a status
    message and a changed label count as effects."""
    from PySide6.QtWidgets import (QDialog, QFileDialog, QLabel, QListWidget, QMainWindow,
                                   QMessageBox, QPushButton, QStackedWidget, QVBoxLayout, QWidget)

    def save_as(parent):        # a file dialog of Qt's own widgets, not the static function
        dialog = QFileDialog(parent, "另存为", "b.txt")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if dialog.exec():
            open(dialog.selectedFiles()[0], "w").close()

    class Stubborn(QDialog):
        def reject(self):           # ignores 取消 and Esc
            pass

    window = QMainWindow()
    window.nav, window.stack = QListWidget(), QStackedWidget()
    page = QWidget()
    layout = QVBoxLayout(page)
    note = QLabel("")
    buttons = {"无用": lambda: None, "出错": lambda: 1 / 0,
               "提示": lambda: QMessageBox.information(window, "提示", "已完成"),
               "导出": lambda: open(QFileDialog.getSaveFileName(window, "导出", "a.txt")[0], "w").close(),
               "状态": lambda: window.statusBar().showMessage("已保存"),
               "标签": lambda: note.setText("共 3 条"),
               "不关": lambda: Stubborn(window).exec(),
               "变大": lambda: page.setMinimumSize(1400, 800),
               "另存": lambda: save_as(window)}
    for text, slot in buttons.items():
        button = QPushButton(text)
        button.clicked.connect(lambda checked=False, slot=slot: slot())
        layout.addWidget(button)
    layout.addWidget(note)
    window.nav.addItem("页")
    window.stack.addWidget(page)
    body = QWidget()
    row = QVBoxLayout(body)
    row.addWidget(window.nav)
    row.addWidget(window.stack)
    window.setCentralWidget(body)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    database = tmp_path / "x.sqlite"
    __import__("sqlite3").connect(database).close()
    out = tmp_path / "out"
    out.mkdir()
    walker = Walker(qtbot, window, out, [database], monkeypatch)
    walker.answerer.timeout = 0.3
    walker.walk(SCREEN)
    walker.close()
    by_label = {a.label: a for a in walker.actions}
    assert by_label["无用"].problem == "无任何反应"
    assert by_label["出错"].problem.startswith("未处理的异常：ZeroDivisionError")
    assert by_label["提示"].effect.startswith("对话框：提示") and not by_label["提示"].problem
    assert by_label["导出"].effect == "文件对话框：导出，写出 a.txt"
    assert by_label["状态"].effect == "状态栏：已保存"
    assert by_label["标签"].effect == "提示：共 3 条"
    assert by_label["另存"].effect == "文件对话框：另存为，写出 b.txt"
    assert by_label["不关"].problem == "对话框无法关闭：Stubborn"
    assert next(iter(walker.too_big)) == "页 › 变大"         # the first action after which it grew

"""Main window: navigation on the left, one page per entry, status bar with who is working.
Pages and dialogs are imported where they are first built, so that login stays quick.

The 编办 edition shows 全县分析 (every account: 编办管理员 and 编办分析员 both read and analyse),
and for its admin 单位管理, 同步包 and the 编办's own accounts — instead of the unit's log,
review, published-log and reminder pages: nobody writes work logs in the 编办's database (a
编办 that wants its own staff to keep logs registers itself as a unit and runs a 单位版), so
those pages and the unit statistics over them would always be empty."""
from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QMainWindow,
                               QMessageBox, QStackedWidget, QWidget)

from app import APP_NAME, __version__
from app.db.engine import Database
from app.services.org.actor import Actor
from app.services.org.setup import unit_of
from app.settings import Settings
from app.ui.pages.log_page import LogPage
from app.core import vocab
from app.db.backup import backup_to
from app.services.county.bureau import backup_all
from app.services.county.mirrors import Mirrors
from app.services.review import queue as review
from app.ui.widgets.file_dialogs import ask_save_path

STATUS_TIMEOUT_MS = 6000


class MainWindow(QMainWindow):
    def __init__(self, db: Database, actor: Actor, settings: Settings, today=None):
        super().__init__()
        self.db, self.actor, self.settings = db, actor, settings
        unit = unit_of(db)
        bureau = db.edition == "bureau"
        self.setWindowTitle(f"{APP_NAME}{'（编办版）' if bureau else ''} — {unit.name}")
        self._lazy: dict[int, tuple] = {}
        self.nav = QListWidget(objectName="navigation")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget{font-size:12pt} QListWidget::item{padding:8px}")
        self.stack = QStackedWidget()
        kwargs = {"today": today} if today else {}
        self.log_page = self.review_page = self.reminders_page = self.mirrors = self.sync_page = None
        self.backups_page = None
        self._restored = False
        if bureau:
            self._bureau_pages(kwargs)
        else:
            self._unit_pages(kwargs)
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setCurrentRow(0)
        self._focus_page_on_choice()
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        if bureau:   # a 编办 account's unit role means nothing there (DOMAIN: 管理员 or 分析员)
            who = f"{actor.name}（{actor.login}）· {'编办管理员' if actor.is_admin else '编办分析员'}"
        else:
            who = f"{actor.name}（{actor.login}）· {actor.role}" + (" · 管理员" if actor.is_admin else "")
        self.statusBar().addPermanentWidget(QLabel(f"{who} ｜ {unit.name}"))
        self._menus()
        saved = settings.geometry("MainWindow")
        if saved:
            self.restoreGeometry(QByteArray.fromBase64(saved.encode()))
        else:
            self._first_size()

    def _unit_pages(self, kwargs) -> None:
        db, actor, settings = self.db, self.actor, self.settings
        self.log_page = LogPage(db, actor, settings, **kwargs)
        self.log_page.status_message.connect(self.show_status)
        self._add_page("工作日志", self.log_page)
        from app.ui.pages.published_page import PublishedPage
        from app.ui.pages.review_page import ReviewPage
        self.review_page = None
        if actor.role != vocab.ROLE_STAFF or self._has_delegated_queue():
            self.review_page = ReviewPage(db, actor, **kwargs)
            self.review_page.status_message.connect(self.show_status)
            self.review_page.queue_changed.connect(self._queue_count)
            self._add_page("履职审阅", self.review_page)
            self._queue_count(len(self.review_page.items))
        # Built on first visit: statistics (and pyqtgraph) and the published list are not needed
        # to write today's log, so login stays quick.
        self.stats_page = self.published_page = None
        self._add_lazy_page("统计分析", "stats_page", lambda: self._make_stats_page(kwargs))
        self._add_lazy_page("单位履职动态", "published_page", lambda: PublishedPage(db, actor))
        self._add_lazy_page("工作事项", "items_page", lambda: self._make_page("items", kwargs))
        self.staffing_page = None
        if actor.is_admin or actor.role in (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY):
            self._add_lazy_page("人员编制", "staffing_page", lambda: self._make_staffing_page(kwargs))
        from app.ui.pages.reminders_page import RemindersPage
        self.reminders_page = RemindersPage(db, actor, **kwargs)
        self.reminders_page.status_message.connect(self.show_status)
        self.reminders_page.go_to.connect(self.go_to_page)
        self._add_page("提醒与通报", self.reminders_page)
        self._set_count(self.reminders_page, "提醒与通报", len(self.reminders_page.items))
        self.reminders_page.count_changed.connect(
            lambda n: self._set_count(self.reminders_page, "提醒与通报", n))
        self.eval_page = None
        from app.services.evaluation.rounds import may_view   # one rule with the command line
        if may_view(db, actor):
            self._add_lazy_page("评估自评", "eval_page", lambda: self._make_page("eval", kwargs))
        if actor.is_admin:
            from app.ui.pages.admin_page import AdminPage
            self.admin_page = AdminPage(db, actor)
            self.admin_page.status_message.connect(self.show_status)
            self._add_page("单位管理", self.admin_page)
            self._add_lazy_page("数据交换", "sync_page", self._make_sync_page)
            self._add_lazy_page("数据备份", "backups_page", self._make_backups_page)
        from app.ui.pages.feedback_tab import start_notice   # a new 编办 monthly feedback
        self.feedback_notice = start_notice(self, db, actor, settings)

    def _make_sync_page(self):
        from app.ui.pages.sync_page import SyncPage
        page = SyncPage(self.db, self.actor, self.settings)
        page.status_message.connect(self.show_status)
        page.pcs.changed.connect(self.pc_status_changed)
        page.pcs.synced.connect(self._pc_synced)
        return page

    def _make_backups_page(self):
        from app.ui.pages.backups_page import BackupsPage
        page = BackupsPage(self.db, self.actor, self.settings)
        page.status_message.connect(self.show_status)
        page.restoring.connect(self._release_database)
        page.restored.connect(self._after_restore)
        return page

    def _release_database(self) -> None:
        """Before a restore: what is typed is saved, and no connection of ours stays open."""
        if self.log_page is not None:
            self.log_page.shutdown()
        if self.mirrors is not None:
            self.mirrors.close()

    def _after_restore(self, result) -> None:
        """Every page holds data of the replaced file: start again from the login."""
        self._restored = True
        result.db.dispose()
        QMessageBox.information(self, "已恢复", f"已用备份 {result.preview.path.name} 恢复数据库。\n"
                                f"恢复前的数据已另存为 {result.safety.name}。\n\n程序将关闭，请重新打开并登录。")
        self.close()

    def start_daily_backups(self) -> None:
        """The day's automatic backup now, then a check every hour (app.db.rotation says why)."""
        from PySide6.QtCore import QTimer
        self._backup_timer = QTimer(self, interval=3600 * 1000)
        self._backup_timer.timeout.connect(self._daily_backup)
        self._backup_timer.start()
        QTimer.singleShot(0, self._daily_backup)

    def start_pc_sync(self, runner=None) -> None:
        """Exchange-folder rounds (app.ui.pc_syncer: at start, every 45 s, shortly after each
        write here) and their state in the status bar. Each round checks whether this PC has a
        folder set, so setting one on the 数据交换 page starts them."""
        if self.db.edition != "unit":
            return
        # imported here: only the running program syncs, not every window a test builds
        from app.ui.pc_syncer import PcSyncer
        from app.ui.widgets.pc_status import PcStatus
        self.pc_syncer = PcSyncer(self.db, self.settings, self, runner)
        self.pc_syncer.synced.connect(self._pc_synced)
        self.pc_syncer.failed.connect(self._pc_failed)
        self.pc_syncer.paused.connect(self.show_status)
        self.pc_status = PcStatus(self.actor.is_admin)
        if self.actor.is_admin:
            self.pc_status.clicked.connect(lambda: self.go_to_page("数据交换"))
        self.statusBar().addPermanentWidget(self.pc_status)
        self.pc_status_changed()
        self.pc_syncer.start()

    def pc_sync(self) -> None:
        """One round now, in the background."""
        self.pc_syncer.sync()

    def pc_status_changed(self) -> None:
        if getattr(self, "pc_status", None) is not None:
            # imported here: only the running program syncs, not every window a test builds
            from app.services.exchange import pc_unit
            self.pc_status.show_config(pc_unit.config(self.db, self.settings))

    def _pc_synced(self, report) -> None:
        if report.problems:
            self.statusBar().showMessage(report.summary(), 30_000)
        elif report.applied or report.written:
            self.show_status(report.summary())
        self.pc_status_changed()
        if self.sync_page is not None and self.sender() is not self.sync_page.pcs:
            self.sync_page.pcs.show_state()
        self._pages_stale = self._pages_stale or bool(report.applied or report.dispatches)
        self._refresh_after_pc_sync()

    def _pc_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"多台电脑同步失败：{exc}", 30_000)

    _pages_stale = False

    def _refresh_after_pc_sync(self) -> None:
        """Pages showing the database read it again after other PCs' changes arrived; what is
        being typed stays as typed (the log page keeps an edited day; with a dialog open —
        a return reason, a confirmation — everything waits for the next round)."""
        from PySide6.QtWidgets import QApplication
        if not self._pages_stale or QApplication.activeModalWidget() is not None:
            return
        self._pages_stale = False
        if self.review_page is not None:
            self.review_page.refresh_keeping_place()
        if self.log_page is not None:
            self.log_page.refresh_after_sync()
        if self.reminders_page is not None:
            self.reminders_page.refresh()
        stats = getattr(self, "stats_page", None)
        if stats is not None and self.stack.currentWidget() is stats:
            stats.reload()

    def _daily_backup(self) -> None:
        # imported here: only the running program backs up, not every window a test builds
        from app.services.org.backups import daily_backup
        from app.ui.tasks import TaskRunner
        if not hasattr(self, "_backup_runner"):
            self._backup_runner = TaskRunner()
        path, second = self.db.path, self.settings.backup_second_dir or None
        self._backup_runner.run(lambda: daily_backup(path, second=second), self._backup_done,
                                lambda exc: self.show_status(f"自动备份失败：{exc}"))

    def _backup_done(self, result) -> None:
        if result.warnings:
            self.statusBar().showMessage("；".join(result.warnings), 30_000)
        elif result.taken is not None:
            self.show_status(f"已自动备份：{result.taken.name}")
        if self.backups_page is not None:
            self.backups_page.refresh()

    def _bureau_pages(self, kwargs) -> None:
        from PySide6.QtCore import QThreadPool

        from app.ui.tasks import TaskRunner
        self.mirrors = Mirrors(self.db)
        # One worker for the 编办 pages: the mirrors they share are opened and written by one
        # task at a time (imports, county figures, unit list).
        pool = QThreadPool(self)
        pool.setMaxThreadCount(1)
        self.bureau_runner = TaskRunner(pool)
        self.county_page = self.units_page = self.packages_page = None
        self._add_lazy_page("全县分析", "county_page", lambda: self._make_bureau_page("county", kwargs))
        self.staffing_page = None
        self._add_lazy_page("人员编制", "staffing_page", lambda: self._make_staffing_page(
            dict(kwargs, mirrors=self.mirrors, runner=self.bureau_runner)))
        self.overlap_page = None
        self._add_lazy_page("职责交叉", "overlap_page", self._make_overlap_page)
        if not self.actor.is_admin:
            return
        self.rounds_page = None
        self._add_lazy_page("评估批次", "rounds_page", lambda: self._make_page("rounds", kwargs))
        self._add_lazy_page("单位管理", "units_page", lambda: self._make_bureau_page("units", {}))
        self._add_lazy_page("同步包", "packages_page", lambda: self._make_bureau_page("packages", {}))
        self.accounts_page = None
        self._add_lazy_page("本办账号", "accounts_page", self._make_bureau_accounts_page)
        self._add_lazy_page("数据备份", "backups_page", self._make_backups_page)

    def _make_bureau_page(self, which: str, kwargs):
        from app.ui.pages.bureau.packages_page import BureauPackagesPage
        from app.ui.pages.bureau.units_page import BureauUnitsPage
        from app.ui.pages.bureau.county_page import CountyPage
        kind = {"county": CountyPage, "units": BureauUnitsPage, "packages": BureauPackagesPage}[which]
        page = kind(self.db, self.mirrors, self.actor, self.settings, runner=self.bureau_runner, **kwargs)
        page.status_message.connect(self.show_status)
        # New figures or units: the county table recomputes if it has been opened.
        if which == "units":
            page.units_changed.connect(self._county_changed)
        elif which == "packages":
            page.imported.connect(self._county_changed)
        return page

    def _make_bureau_accounts_page(self):
        """本办账号: the 编办's own accounts (编办管理员/编办分析员), not the unit's 人员名册."""
        from app.ui.pages.bureau.bureau_accounts_page import BureauAccountsPage
        page = BureauAccountsPage(self.db, self.actor)
        page.status_message.connect(self.show_status)
        return page

    def _county_changed(self) -> None:
        if self.county_page is not None:
            self.county_page.reload()
        if self.staffing_page is not None:
            self.staffing_page.reload()

    def _make_page(self, which: str, kwargs):
        """评估自评 (unit; read-only for the principal) and 评估批次 (编办 admin: it writes the
        mirrors, so it shares the 编办 pages' single worker)."""
        today = kwargs.get("today")
        today = today() if callable(today) else today     # these pages take a date, not a clock
        if which == "items":
            import datetime as dt

            from app.ui.pages.items_page import ItemsPage
            page = ItemsPage(self.db, self.actor, today=kwargs.get("today") or dt.date.today)
        elif which == "eval":
            from app.ui.pages.eval_page import EvalPage
            page = EvalPage(self.db, self.actor, today=today)
        else:
            from app.ui.pages.bureau.rounds_page import RoundsPage
            page = RoundsPage(self.db, self.mirrors, self.actor, runner=self.bureau_runner, today=today)
        page.status_message.connect(self.show_status)
        return page

    def _make_overlap_page(self):
        from app.ui.pages.bureau.overlap_page import OverlapPage
        page = OverlapPage(self.db, self.mirrors, runner=self.bureau_runner)
        page.status_message.connect(self.show_status)
        return page

    def _make_staffing_page(self, kwargs):
        from app.ui.pages.staffing_page import StaffingPage
        page = StaffingPage(self.db, self.actor, **kwargs)
        page.status_message.connect(self.show_status)
        return page

    def _has_delegated_queue(self) -> bool:
        import datetime as dt

        return bool(review.delegators(self.db, self.actor, dt.date.today()))

    def _queue_count(self, n: int) -> None:
        self._set_count(self.review_page, "履职审阅", n)

    def _set_count(self, page: QWidget, title: str, n: int) -> None:
        self.nav.item(self.stack.indexOf(page)).setText(f"{title}（{n}）" if n else title)

    def go_to_page(self, title: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).text().startswith(title):
                self.nav.setCurrentRow(row)
                self.focus_page()
                return

    def show_login_reminders(self) -> None:
        """三提醒 at login: a short list; the page holds the details."""
        if not self.isVisible():       # closed meanwhile (注销/切换用户 right after login)
            return
        items = self.reminders_page.items if self.reminders_page is not None else []
        if items:
            lines = [line for r in items for line in (f"· {r.text}", *(f"    {d}" for d in r.details[:5]))]
            QMessageBox.information(self, "提醒", "\n".join(lines) + "\n\n详见左侧“提醒与通报”。")

    def _make_stats_page(self, kwargs):
        from app.ui.pages.stats_page import StatsPage
        page = StatsPage(self.db, self.actor, background=True, **kwargs)
        page.status_message.connect(self.show_status)
        return page

    def _add_lazy_page(self, title: str, attribute: str, factory) -> None:
        placeholder = QWidget()
        self._lazy[id(placeholder)] = (attribute, factory)
        self._add_page(title, placeholder)

    def _show_row(self, row: int) -> None:
        placeholder = self.stack.widget(row)
        pending = self._lazy.pop(id(placeholder), None) if placeholder is not None else None
        if pending:
            attribute, factory = pending
            page = factory()
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            setattr(self, attribute, page)
        self.stack.setCurrentIndex(row)

    def _first_size(self) -> None:
        """1280×780 where there is room; on a 1366×768 monitor (728 px above the task bar) the
        window would otherwise reach below the screen and hide its status bar (issue 17)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            self.resize(1280, 780)
            return
        self.resize(min(1280, screen.width()), min(780, screen.height() - 30))   # 30: title bar

    def _focus_page_on_choice(self) -> None:
        """A page's shortcuts (Ctrl+N, Ctrl+Enter) act while the focus is inside it (issue 17):
        a page chosen by a click, by Enter in the list or from a menu, and the first page after
        login, get the focus. Arrow keys in the list keep it there, to walk on through the list."""
        from PySide6.QtCore import QTimer
        self.nav.itemClicked.connect(lambda _item: self.focus_page())
        self.nav.itemActivated.connect(lambda _item: self.focus_page())
        QTimer.singleShot(0, self.focus_page)

    def focus_page(self) -> None:
        """Focus the current page's main list or table (the first one it holds), else the page."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QAbstractItemView
        page = self.stack.currentWidget()
        if page is None:
            return
        views = [v for v in page.findChildren(QAbstractItemView) if v.isVisibleTo(page)
                 and v.focusPolicy() != Qt.FocusPolicy.NoFocus]
        (views[0] if views else page).setFocus(Qt.FocusReason.OtherFocusReason)

    def _add_page(self, title: str, page: QWidget) -> None:
        self.nav.addItem(title)
        self.stack.addWidget(page)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        if self.actor.is_admin:
            file_menu.addAction("备份数据库…", self.backup)
        self._session_actions(file_menu)
        file_menu.addAction("退出", "Ctrl+Q", self.close)
        account = self.menuBar().addMenu("账号(&A)")
        account.addAction("修改密码…", self.change_password)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        help_menu.addAction("快捷键", self.show_shortcuts)
        help_menu.addAction("关于", lambda: QMessageBox.about(
            self, "关于", f"{APP_NAME} {__version__}\n机关事业单位履职留痕、审阅与编制评估（离线版）\n"
                          f"数据库：{self.db.path}"))

    session = None      # app.ui.session.Session, set by it; a window built alone makes its own

    def _session_actions(self, file_menu) -> None:
        """注销/切换用户 for everyone; 打开数据库… where the services allow it (Actor)."""
        file_menu.addSeparator()
        self.switch_user_action = file_menu.addAction("注销/切换用户", self._switch_user)
        self.open_database_action = None
        if self.actor.may_open_other_database():
            self.open_database_action = file_menu.addAction("打开数据库…", self._open_database)
        file_menu.addSeparator()

    def _own_session(self):
        if self.session is None:
            # imported here: only a window asked to log out or open another file needs it
            from app.ui.session import Session
            self.session = Session(self.settings, window_class=type(self))
            self.session.window = self
        return self.session

    def _switch_user(self) -> None:
        self._own_session().switch_user()

    def _open_database(self) -> None:
        self._own_session().choose_and_open()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def backup(self) -> None:
        target = ask_save_path(self, "backup", "备份数据库", f"{self.db.path.stem}-备份.sqlite",
                               "数据库文件 (*.sqlite)", self.settings)
        if not target:
            return
        try:
            if self.db.edition == "bureau":
                backup_all(self.db, __import__("pathlib").Path(target))
            else:
                backup_to(self.db.path, __import__("pathlib").Path(target))
        except OSError as exc:
            QMessageBox.warning(self, "备份失败", f"无法写入 {target}：{exc}")
            return
        self.show_status(f"已备份到 {target}")

    def change_password(self) -> None:
        from app.ui.dialogs.change_password_dialog import ChangePasswordDialog
        dialog = ChangePasswordDialog(self.db, self.actor, forced=False, parent=self)
        if dialog.exec():
            self.actor = dialog.actor
            self.show_status("密码已修改")

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "快捷键", "\n".join((
            "Ctrl+N 添加条目　Ctrl+Del 删除条目　Ctrl+Z 撤销",
            "Ctrl+D 复制上一工作日", "Ctrl+S 保存　Ctrl+Enter 提交审阅",
            "Tab / Shift+Tab 在单元格间移动，直接输入即开始编辑；职责栏输入关键字即可筛选",
            "Alt+← / Alt+→ 前一天/后一天　Ctrl+T 回到今天")))

    def closeEvent(self, event) -> None:
        # not for a restored file: the draft belongs to the file that was replaced
        if self.log_page is not None and not self._restored and not self.log_page.shutdown():
            answer = QMessageBox.warning(
                self, "内容尚未保存", "工作日志中输入的内容未能保存，也未能存为草稿（"
                + self.log_page.autosave_label.text() + "）。\n现在退出会丢失这些内容，仍要退出吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.mirrors is not None:
            self.mirrors.close()
        self.settings.set_geometry("MainWindow", bytes(self.saveGeometry().toBase64()).decode())
        super().closeEvent(event)

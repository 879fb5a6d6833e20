"""监测反馈: the 编办's monthly 履职监测反馈 as the unit received them (a tab of 统计分析 for
主要领导, 分管领导 and administrators), and the one-line notice at start when a new one arrived.
What a reader may see is decided in app.services.reporting.feedback."""
from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.org.actor import Actor
from app.services.reporting import feedback as unit_fb
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.widgets.file_dialogs import ask_save_path

NOTICE_MS = 60_000
EMPTY = ("还没有收到编办的月度履职监测反馈。编办每月生成反馈后，随下发包送达；"
         "管理员在“数据交换”页导入下发包后即可在此查看。")


def seen_key(db: Database, actor: Actor) -> str:
    return f"{db.unit_id}:{actor.login}"


def mark_seen(settings: Settings, db: Database, actor: Actor, item: unit_fb.UnitFeedback) -> None:
    if settings.feedback_seen.get(seen_key(db, actor)) != item.marker:
        settings.set_item("feedback_seen", seen_key(db, actor), item.marker)


def start_notice(window, db: Database, actor: Actor, settings: Settings) -> str:
    """At start: a status-bar line when a feedback arrived that this reader has not opened."""
    if db.edition != "unit":
        return ""
    item = unit_fb.new_arrival(db, actor, settings.feedback_seen.get(seen_key(db, actor), ""))
    if item is None:
        return ""
    text = unit_fb.notice(item)
    window.statusBar().showMessage(text, NOTICE_MS)
    return text


def feedback_tab(db: Database, actor: Actor) -> "FeedbackTab | None":
    """The tab for those who read the 编办's feedback in their own unit's file, else None."""
    if db.edition != "unit" or not actor.person_id or not unit_fb.may_view(actor):
        return None
    return FeedbackTab(db, actor)


def add_feedback_tab(page) -> None:
    """Add 监测反馈 to a 统计分析 page when its reader reads feedback (one call from the page)."""
    tab = feedback_tab(page.db, page.actor)
    if tab is not None:
        tab.status_message.connect(page.status_message)
        page.tabs.addTab(tab, "监测反馈")
        page.feedback_tab = tab


class FeedbackTab(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, settings: Settings | None = None, parent=None):
        super().__init__(parent, objectName="feedbackTab")
        self.db, self.actor, self._own_settings = db, actor, settings
        self.items: list[unit_fb.UnitFeedback] = []
        self.months = QListWidget(objectName="feedbackMonths")
        self.months.setFixedWidth(150)
        self.months.currentRowChanged.connect(self._show)
        self.view = QTextBrowser(objectName="feedbackView")
        self.header = QLabel(objectName="feedbackHeader", wordWrap=True)
        self.header.setStyleSheet("font-size:12pt; font-weight:bold")
        self.pdf_button = QPushButton("打印PDF…", objectName="feedbackPdf", enabled=False)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        reload = QPushButton("刷新", objectName="feedbackReload")
        reload.clicked.connect(lambda: self.reload())
        bar = QHBoxLayout()
        bar.addWidget(self.header, 1)
        bar.addWidget(reload)
        bar.addWidget(self.pdf_button)
        right = QVBoxLayout()
        right.addLayout(bar)
        right.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.months)
        layout.addLayout(right, 1)
        self.reload()

    @property
    def settings(self) -> Settings:
        """The main window's settings when the tab sits in it (the start notice reads them)."""
        found = getattr(self.window(), "settings", None)
        return found if isinstance(found, Settings) else self._own_settings or Settings()

    def reload(self) -> None:
        try:
            self.items = unit_fb.feedback_list(self.db, self.actor)
        except AppError as exc:
            show_error(self, "无法读取月度反馈", exc)
            return
        self.months.clear()
        for item in self.items:
            self.months.addItem(QListWidgetItem(item.label))
        if self.items:
            self.months.setCurrentRow(0)
        else:
            self.header.setText("编办月度反馈")
            self.view.setHtml(f"<p>{html.escape(EMPTY)}</p>")
            self.pdf_button.setEnabled(False)

    def current(self) -> unit_fb.UnitFeedback | None:
        row = self.months.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _show(self, row: int) -> None:
        item = self.current()
        if item is None:
            return
        self.header.setText(f"{item.label}履职监测反馈（编办{item.issued_at[:10]}生成）")
        self.view.setHtml(render_html(item))
        self.pdf_button.setEnabled(True)
        if row == 0 and self.isVisible():
            mark_seen(self.settings, self.db, self.actor, item)

    def showEvent(self, event) -> None:      # the newest one counts as seen once it is shown
        super().showEvent(event)
        if self.items and self.months.currentRow() == 0:
            mark_seen(self.settings, self.db, self.actor, self.items[0])

    def save_pdf(self, path: str | None = None) -> None:
        item = self.current()
        if item is None:
            return
        path = path or ask_save_path(self, "report_pdf", "保存月度反馈PDF",
                                     f"{item.label}履职监测反馈.pdf", "PDF 文件 (*.pdf)", self.settings)
        if not path:
            return
        try:
            pages = unit_fb.write_pdf(self.db, self.actor, item.month, path)
        except (AppError, OSError) as exc:
            show_error(self, "生成PDF失败", exc if isinstance(exc, AppError) else AppError(str(exc)))
            return
        self.status_message.emit(f"已保存月度反馈PDF（{pages}页）：{path}")


def render_html(item: unit_fb.UnitFeedback) -> str:
    """The feedback's sections as HTML for the view (the PDF prints the same sections)."""
    return sections_html(item.sections)


def sections_html(sections) -> str:
    out = []
    for section in sections:
        out.append(f"<h3>{html.escape(section.title)}</h3>")
        if section.headers:
            cells = "".join(f"<th>{html.escape(h)}</th>" for h in section.headers)
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                           for row in section.rows)
            out.append(f'<table border="1" cellspacing="0" cellpadding="4"><tr>{cells}</tr>{rows}</table>')
        out += [f"<p>{html.escape(line)}</p>" for line in section.lines]
    return "".join(out)

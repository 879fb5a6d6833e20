"""职责分析 page (编办 edition): 职责交叉候选 with both duty texts side by side, the shared phrases
highlighted and the clauses that matched framed (when a pair meets in one clause of each),
共性职责 (what every organ has, not compared), 无人承担的职责, 长期不运行的权责事项
(app.services.county.overlap), a similarity threshold, and the lists as Excel.

The mirrors are read once (in the background); changing the threshold or the number of pairs
re-runs only the analysis on what was read. Changing the closing day reads again (the last
approved day of each duty is counted up to it)."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDateEdit, QDoubleSpinBox, QHBoxLayout, QLabel,
                               QPushButton, QSpinBox, QSplitter, QTabWidget, QTextBrowser,
                               QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import overlap as O
from app.services.county.mirrors import Mirrors
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_save_path

MARK = "background-color:#ffe58f;"
CLAUSE_MARK = "background-color:#d6e4ff; text-decoration:underline;"
CROSS_HEADERS = ["排名", "相似度", "单位甲", "职责编号甲", "单位乙", "职责编号乙", "比对方式", "共同关键词"]
COMMON_HEADERS = ["类别", "单位数", "职责数", "代表性表述", "涉及单位及职责编号"]
UNASSIGNED_HEADERS = ["单位", "职责编号", "职能类别", "承担科室", "在岗人员", "问题", "职责内容"]
IDLE_HEADERS = ["单位", "职责编号", "职能类别", "最近审定日志", "日志观察期", "职责内容"]
ROLE_INDEX = Qt.ItemDataRole.UserRole + 1


def highlight_html(text: str, spans: list[tuple[int, int]], clause: tuple[int, int] | None = None
                   ) -> str:
    """The text as HTML with the [start, end) spans marked (escaped, spans in order) and the
    matching clause, if any, on a blue ground and underlined (Qt's rich text draws no borders
    and no nested backgrounds: each run gets its own style)."""
    shared = [False] * len(text)
    for start, end in spans:
        shared[start:end] = [True] * (end - start)
    inside = [False] * len(text)
    if clause is not None:
        inside[clause[0]:clause[1]] = [True] * (clause[1] - clause[0])
    parts, k = [], 0
    while k < len(text):
        end = k
        while end < len(text) and (shared[end], inside[end]) == (shared[k], inside[k]):
            end += 1
        style = (MARK if shared[k] else "") + (CLAUSE_MARK if inside[k] else "")
        if shared[k] and inside[k]:
            style = MARK + "text-decoration:underline;"
        piece = html.escape(text[k:end])
        parts.append(f'<span style="{style}">{piece}</span>' if style else piece)
        k = end
    return "".join(parts)


def duty_html(duty: O.DutyRef, spans: list[tuple[int, int]],
              clause: tuple[int, int] | None = None) -> str:
    return (f"<p><b>{html.escape(duty.unit_name)}</b>　{html.escape(duty.code)}"
            f"（{html.escape(duty.duty_class)}）</p>"
            f'<p style="font-size:15px; line-height:150%;">'
            f"{highlight_html(duty.content, spans, clause)}</p>")


def match_way(pair: O.OverlapPair) -> str:
    return "整项" if pair.clause_a is None and pair.clause_b is None else "分句"


class OverlapPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, mirrors: Mirrors, parent=None, *,
                 runner: TaskRunner | None = None):
        super().__init__(parent)
        self.db, self.mirrors = db, mirrors
        self.runner = runner or TaskRunner()
        self.data: O.CountyDuties | None = None
        self.report: O.OverlapReport | None = None
        self._ticket = 0     # results of a run overtaken by a newer one are dropped
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "比对各单位“三定”职责的文字：不同单位中表述相近的职责列为交叉候选（按相似度排序，供核实是否职责交叉）；"
            "同时列出没有承担科室或在岗人员的职责，以及12个月内没有审定日志的职责（长期不运行的权责事项）。",
            wordWrap=True))
        row = QHBoxLayout()
        row.addWidget(QLabel("相似度阈值"))
        self.threshold = QDoubleSpinBox(objectName="threshold", decimals=2, singleStep=0.05)
        self.threshold.setRange(0.2, 1.0)
        self.threshold.setValue(O.DEFAULT_THRESHOLD)
        self.threshold.setKeyboardTracking(False)   # re-analyse on commit, not on every key
        self.threshold.setToolTip("两项职责的文字相似度（0–1）不低于此值时列为交叉候选；"
                                  f"默认{O.DEFAULT_THRESHOLD:g}，调高则只看更相近的")
        self.threshold.valueChanged.connect(self.reanalyse)
        row.addWidget(self.threshold)
        row.addWidget(QLabel("最多列出"))
        self.top = QSpinBox(objectName="top", suffix=" 对")
        self.top.setRange(10, 1000)
        self.top.setSingleStep(10)
        self.top.setValue(O.DEFAULT_TOP)
        self.top.setKeyboardTracking(False)
        self.top.valueChanged.connect(self.reanalyse)
        row.addWidget(self.top)
        row.addWidget(QLabel("截至"))
        self.today = QDateEdit(QDate.currentDate(), objectName="today", calendarPopup=True)
        self.today.setDisplayFormat("yyyy-MM-dd")
        self.today.dateChanged.connect(lambda _d: self.refresh())
        row.addWidget(self.today)
        row.addStretch(1)
        for text, name, slot in (("重新读取", "reload", self.refresh),
                                 ("导出Excel…", "exportExcel", lambda: self.export_excel())):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        self.summary = QLabel(objectName="overlapSummary", wordWrap=True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget(objectName="overlapTabs")
        layout.addWidget(self.tabs, 1)
        cross = QWidget()
        cross_layout = QVBoxLayout(cross)
        split = QSplitter(Qt.Orientation.Vertical)
        self.cross_table = RecordTable(CROSS_HEADERS, 7)
        self.cross_table.setObjectName("crossTable")
        # one line per pair (the texts are below): row heights measured while the table is still
        # narrow would otherwise stay several lines tall
        self.cross_table.setWordWrap(False)
        self.cross_table.itemSelectionChanged.connect(self.show_pair)
        split.addWidget(self.cross_table)
        pane = QWidget()
        sides = QHBoxLayout(pane)
        sides.setContentsMargins(0, 0, 0, 0)
        self.side_a = QTextBrowser(objectName="sideA")
        self.side_b = QTextBrowser(objectName="sideB")
        for side in (self.side_a, self.side_b):
            sides.addWidget(side)
        split.addWidget(pane)
        split.setSizes([560, 160])
        cross_layout.addWidget(split, 1)
        self.why = QLabel(objectName="pairWhy", wordWrap=True)
        cross_layout.addWidget(self.why)
        self.cross_note = QLabel(objectName="crossNote", wordWrap=True, styleSheet="color:#555")
        cross_layout.addWidget(self.cross_note)
        self.tabs.addTab(cross, "交叉候选")

        self.common_table = RecordTable(COMMON_HEADERS, 3)
        self.common_table.setObjectName("commonTable")
        self.common_note = QLabel(objectName="commonNote", wordWrap=True, styleSheet="color:#555")
        self.tabs.addTab(self._with_note(self.common_table, self.common_note), "共性职责")

        self.unassigned_table = RecordTable(UNASSIGNED_HEADERS, 6)
        self.unassigned_table.setObjectName("unassignedTable")
        self.unassigned_note = QLabel(objectName="unassignedNote", wordWrap=True, styleSheet="color:#555")
        self.tabs.addTab(self._with_note(self.unassigned_table, self.unassigned_note), "无人承担")
        self.idle_table = RecordTable(IDLE_HEADERS, 5)
        self.idle_table.setObjectName("idleTable")
        self.idle_note = QLabel(objectName="idleNote", wordWrap=True, styleSheet="color:#555")
        self.tabs.addTab(self._with_note(self.idle_table, self.idle_note), "长期不运行")
        # wrapped duty texts: rows measured in a hidden (narrow) tab stay many lines tall, so
        # they are measured again when their tab is shown and when the page changes size
        self.tabs.currentChanged.connect(lambda _i: self.fit_rows())
        self.refresh()

    def fit_rows(self) -> None:
        for table in (self.common_table, self.unassigned_table, self.idle_table):
            if table.isVisible() and table.rowCount() <= 500:
                table.resizeRowsToContents()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.fit_rows)

    @staticmethod
    def _with_note(table: RecordTable, note: QLabel) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.addWidget(note)
        lay.addWidget(table, 1)
        return box

    # ------------------------------------------------------------------ loading
    def closing_day(self) -> dt.date:
        return self.today.date().toPython()

    def refresh(self) -> None:
        """Read the mirrors again (in the background) and analyse."""
        db, mirrors, day = self.db, self.mirrors, self.closing_day()
        threshold, top = self.threshold.value(), self.top.value()

        def work(report):
            data = O.load(db, mirrors, day, progress=report)
            return data, O.analyse(data, threshold, top)
        ticket = self._next_ticket()
        self.runner.run(work, lambda outcome: self._loaded(ticket, outcome),
                        lambda exc: show_error(self, "职责分析失败", exc),
                        parent=self, label="正在读取各单位职责并比对…", with_progress=True)

    def _next_ticket(self) -> int:
        self._ticket += 1
        return self._ticket

    def _loaded(self, ticket: int, outcome) -> None:
        if ticket != self._ticket:
            return
        self.data, report = outcome
        self._show(report)

    def reanalyse(self) -> None:
        """Threshold or count changed: analyse what was read, without reading again."""
        if self.data is None:
            return
        data, threshold, top = self.data, self.threshold.value(), self.top.value()
        ticket = self._next_ticket()
        self.runner.run(lambda: O.analyse(data, threshold, top),
                        lambda report: ticket == self._ticket and self._show(report),
                        lambda exc: show_error(self, "职责分析失败", exc), parent=self,
                        label="正在比对职责…")

    # ------------------------------------------------------------------ showing
    def _show(self, report: O.OverlapReport) -> None:
        self.report = report
        if report.units == 0 and not report.missing:
            self.summary.setText("还没有登记单位：在“单位管理”中登记单位、导入其上报包后再做职责分析。")
        else:
            more = f"（另有{report.cross_total - len(report.cross)}对未列出）" \
                if report.cross_total > len(report.cross) else ""
            text = (f"{report.units}个单位、{report.duties}项在用职责，截至{report.today}：交叉候选"
                    f"{report.cross_total}对{more}，共性职责{len(report.common)}组，无人承担{len(report.unassigned)}项，"
                    f"长期不运行{len(report.idle)}项。")
            if report.missing:
                text += "未能读取（缺少数据文件）：" + "、".join(report.missing) + "。"
            self.summary.setText(text)
        self.summary_text = self.summary.text()
        self.cross_table.set_rows([(n, f"{p.score:.2f}", p.a.unit_name, p.a.code, p.b.unit_name,
                                    p.b.code, match_way(p), "、".join(p.phrases[:6]))
                                   for n, p in enumerate(report.cross, 1)])
        for row in range(self.cross_table.rowCount()):
            self.cross_table.item(row, 0).setData(ROLE_INDEX, row)
        notes = [f"相似度为两项职责文字的相似程度（0–1，按字词片段比对，"
                 f"“负责”“承担”“工作”等套话和县名不计）：整项职责比对，也逐个分句比对，取其高者；"
                 f"不低于{report.threshold:.2f}的列出。"]
        if report.common:
            notes.append(f"另有共性职责{len(report.common)}组（各机关普遍具有的内部职责），见“共性职责”页，"
                         "不列为交叉。")
        if report.repeats:
            notes.append(f"同一单位内表述几乎相同的职责{len(report.repeats)}对。")
        if report.common or report.repeats:
            notes.append("明细见导出的Excel。")
        self.cross_note.setText("".join(notes))
        self.common_table.set_rows([
            (g.kind, g.units, len(g.duties), g.example.content,
             "、".join(f"{d.unit_name}{d.code}" for d in g.duties))
            for g in report.common])
        self.common_note.setText(
            "各机关普遍具有的内部职责（机关文电、财务、人事、党建、统计信访等综合事务），按表述识别，"
            "单位再少也适用；单位较多时，多数单位表述相近的职责也归入此处（类别为“多数单位表述相近”）。"
            "这些职责不作交叉比对，列出以便核对是否归类得当。")
        self.unassigned_table.set_rows([
            (u.duty.unit_name, u.duty.code, u.duty.duty_class, "、".join(u.sections) or "—", u.at_work,
             u.problem, u.duty.content) for u in report.unassigned])
        self.unassigned_note.setText(
            "职责没有承担科室，或承担该职责的岗位上没有在岗人员（借调、离岗人员不计）。"
            + (f"尚未收到人员和科室信息的单位未列入：{'、'.join(report.no_roster)}。" if report.no_roster else ""))
        self.idle_table.set_rows([
            (i.duty.unit_name, i.duty.code, i.duty.duty_class, i.last_day or "从未", O.observed_text(i),
             i.duty.content) for i in report.idle])
        self.fit_rows()
        self.idle_note.setText(
            f"{report.window_start}至{report.today}没有终审通过的日志关联的职责。"
            "日志观察期不足12个月的单位，只能说明自开始填报以来未运行。"
            + (f"尚无日志的单位未列入：{'、'.join(report.no_logs)}。" if report.no_logs else ""))
        if report.cross:
            self.cross_table.selectRow(0)
        else:
            self.side_a.clear()
            self.side_b.clear()
            self.why.setText("没有达到阈值的交叉候选。" if report.units else "")
        self.status_message.emit(f"职责分析：交叉候选{report.cross_total}对")

    def current_pair(self) -> O.OverlapPair | None:
        row = self.cross_table.currentRow()
        if self.report is None or row < 0 or self.cross_table.item(row, 0) is None:
            return None
        return self.report.cross[self.cross_table.item(row, 0).data(ROLE_INDEX)]

    def show_pair(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        self.side_a.setHtml(duty_html(pair.a, pair.spans_a, pair.clause_a))
        self.side_b.setHtml(duty_html(pair.b, pair.spans_b, pair.clause_b))
        text = f"相似度{pair.score:.2f}"
        if pair.clause_a is not None or pair.clause_b is not None:
            text += (f"（按分句）；匹配分句（蓝底、下划线标出）：甲“{pair.clause_text_a or '整项职责'}”，"
                     f"乙“{pair.clause_text_b or '整项职责'}”")
        self.why.setText(f"{text}；共同关键词（黄色标出）：{'、'.join(pair.phrases) or '—'}")

    # ------------------------------------------------------------------ Excel
    def export_excel(self, path: str | None = None) -> None:
        if self.report is None:
            show_error(self, "导出Excel", AppError("还没有分析结果"))
            return
        path = path or ask_save_path(self, "excel_export", "导出职责分析", f"职责分析_{self.report.today}.xlsx",
                                     "Excel 文件 (*.xlsx)")
        if not path:
            return
        report = self.report
        self.runner.run(lambda: O.write_excel(report, Path(path)), self._exported,
                        lambda exc: show_error(self, "导出失败", exc if isinstance(exc, AppError)
                                               else AppError(str(exc))),
                        parent=self, label="正在导出Excel…")

    def _exported(self, path: Path) -> None:
        self.last_export = path
        self.status_message.emit(f"已导出：{path}")
        self.summary.setText(f"{self.summary_text}\n已导出：{path}")

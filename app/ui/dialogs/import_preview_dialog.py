"""Preview of sync packages before they are imported (and the same table for the result):
per file the sender, sequence, what would change, problems, gap/fork notes; rejected files in
red with their reason. A sender's key seen for the first time must be confirmed by phone before
anything is imported (and the import then registers only the keys confirmed here)."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QDialogButtonBox, QLabel, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)

from app.core.table_names import table_name
from app.services.exchange import packages as P
from app.sync import container
from app.settings import Settings
from app.ui.dialogs.base import PreservingDialog
from app.ui.widgets.fingerprint import grouped
from app.ui.widgets.record_table import RecordTable

STATUS_LABELS = {P.OK: "可以导入", P.IMPORTED: "已导入", P.DUPLICATE: "已导入过", P.OLDER: "较旧，无新内容",
                 P.REJECTED: "拒绝", P.SKIPPED: "跳过"}
REJECTED_COLOUR = QColor("#b00020")
SKIPPED_COLOUR = QColor("#888888")
NOTE_BRUSH = QBrush(QColor("#fff0d9"))
HEADERS = ["文件", "发送方", "序号", "算法", "生成时间", "状态", "新增", "更新", "说明"]


def counts(result: P.PackageResult) -> tuple[int, int]:
    return (sum(c.new for c in result.plan.counts.values()),
            sum(c.changed for c in result.plan.counts.values()))


def summary(results: list[P.PackageResult]) -> str:
    tally: dict[str, int] = {}
    for r in results:
        tally[r.status] = tally.get(r.status, 0) + 1
    parts = [f"{STATUS_LABELS[s]}{n}个" for s, n in tally.items()]
    return f"共{len(results)}个文件：" + "，".join(parts)


def details_html(r: P.PackageResult) -> str:
    """Everything known about one file, for the pane under the table."""
    lines = [f"<b>{r.path.name}</b>"]
    if r.sender_name:
        lines.append(f"发送方：{r.sender_name}　第{r.seq}号{P.KIND_NAMES.get(r.kind, '')}　"
                     f"生成于{r.created_at.replace('T', ' ')[:16]}")
    colour = "#b00020" if r.rejected else "#333"
    label = STATUS_LABELS[r.status]
    text = r.message if r.message.startswith(label) else f"{label}：{r.message}"
    lines.append(f"<span style='color:{colour}'>{text}</span>")
    if r.note:
        lines.append(f"<span style='background:#fff0d9'>⚠ {r.note}</span>")
    if r.new_key and not r.rejected:
        lines.append(f"首次收到该方的包，其密钥指纹：<b>{r.new_key}</b>（请电话核对）")
    if r.calendar_days:          # moves figures without being work: above the counts, in sight
        lines.append(f"<span style='background:#fff0d9'>⚠ {P.calendar_text(r.calendar_days)}</span>")
    for change in r.figure_changes:         # duty classes and statistics settings: the same
        lines.append(f"<span style='background:#fff0d9'>⚠ {html.escape(change.text)}</span>")
    rows = [(table_name(t), c) for t, c in sorted(r.plan.counts.items(), key=lambda tc: -tc[1].written)
            if c.new or c.changed or c.same or c.stale]
    if rows:
        # 相同: the very version already here (skipped); 较旧: this computer has a later one.
        lines.append("<table cellspacing=0 cellpadding=3 border=1 style='border-color:#ccc'>"
                     "<tr><th>内容</th><th>新增</th><th>更新</th><th>相同，跳过</th><th>本机已有较新版本</th></tr>"
                     + "".join(f"<tr><td>{name}</td><td align=right>{c.new}</td>"
                               f"<td align=right>{c.changed}</td><td align=right>{c.same}</td>"
                               f"<td align=right>{c.stale}</td></tr>"
                               for name, c in rows) + "</table>")
    for problem in r.plan.problems:
        lines.append(f"<span style='color:#b00020'>· {problem}</span>")
    if r.plan.future_rows:
        lines.append(f"有{r.plan.future_rows}条记录的时间晚于本机时间一天以上：发送方电脑时钟可能不准")
    return "<br>".join(lines)


class ImportPreviewDialog(PreservingDialog):
    """`results` from a preview (apply=False): 确认导入 accepts. With `done=True` the results of
    the import itself are shown and the only button is 关闭."""

    def __init__(self, results: list[P.PackageResult], settings: Settings | None = None,
                 parent: QWidget | None = None, done: bool = False):
        super().__init__(settings, parent)
        self.results = results
        self.setWindowTitle("导入结果" if done else "导入预览")
        layout = QVBoxLayout(self)
        head = summary(results) + ("" if done else "。确认后每个包要么全部导入，要么完全不导入。")
        self.summary = QLabel(head, objectName="previewSummary", wordWrap=True)
        layout.addWidget(self.summary)
        self.table = RecordTable(HEADERS, 8)
        self.table.setObjectName("previewTable")
        self.table.set_rows([self._row(r) for r in results])
        self.table.setSortingEnabled(False)   # rows stay in the order of self.results
        self._colour()
        self.details = QTextBrowser(objectName="previewDetails")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([300, 200])
        layout.addWidget(splitter, 1)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_details(row))
        new_keys = [r for r in results if r.new_key and r.status in (P.OK, P.IMPORTED)]
        self.key_check = None
        if new_keys and not done:
            note = QLabel("<b>首次收到以下单位的包</b>（附有本编办所发注册码的有效证明）。请打电话给各单位管理员，"
                          "请对方念出“数据交换”页上的本单位密钥指纹，与下表逐组核对；不一致的包不要导入"
                          "（取消后把它移出文件夹）。导入时只登记这里显示并核对过的指纹。", wordWrap=True)
            layout.addWidget(note)
            # One line per unit, scrolling: a county's first import brings dozens of keys.
            self.keys = QTextBrowser(objectName="newKeys")
            self.keys.setHtml("<table cellpadding=3>" + "".join(
                f"<tr><td>{r.sender_name}</td><td style='font-family:monospace; font-size:14pt;"
                f" font-weight:bold; color:#1a3d7c'>&nbsp;&nbsp;{grouped(r.new_key).replace(chr(10), '&nbsp;&nbsp;')}"
                f"</td></tr>" for r in {r.sender_id: r for r in new_keys}.values()) + "</table>")
            self.keys.setStyleSheet("background:#fff7e0; border:1px solid #e0c070")
            self.keys.setMaximumHeight(min(230, 40 + 34 * len({r.sender_id for r in new_keys})))
            layout.addWidget(self.keys)
            self.key_check = QCheckBox("我已电话核对，上述指纹完全一致", objectName="keysConfirmed")
            self.key_check.toggled.connect(self._enable)
            layout.addWidget(self.key_check)
        if done:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.rejected.connect(self.accept)
            self.import_button = None
        else:
            buttons = QDialogButtonBox()
            self.import_button = buttons.addButton("确认导入", QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.setObjectName("confirmImport")
            buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
            buttons.accepted.connect(self.accept)
            buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._enable()
        if results:   # the first importable file: rejected rows stay visible in red
            first = next((i for i, r in enumerate(results) if r.status in (P.OK, P.IMPORTED)), 0)
            self.table.selectRow(first)
            self._show_details(first)
        self.resize(980, 620)
        self.restore_geometry()

    @property
    def importable(self) -> list[P.PackageResult]:
        return [r for r in self.results if r.status == P.OK]

    def _row(self, r: P.PackageResult) -> tuple:
        new, changed = counts(r)
        text = r.message
        if r.note:
            text = f"⚠ {r.note}；{text}"
        if r.new_key and not r.rejected:
            text += "；首次收到该方密钥，请核对指纹"
        if r.calendar_days or r.figure_changes:
            text += "；⚠ 有影响统计的设置变更（见下方说明）"
        return (r.path.name, r.sender_name or "—", r.seq or "—",
                container.suite_label(r.suite) if r.suite else "—",
                r.created_at.replace("T", " ")[:16] or "—", STATUS_LABELS[r.status],
                new if r.plan.counts else "—", changed if r.plan.counts else "—", text)

    def _colour(self) -> None:
        for row, r in enumerate(self.results):
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if r.rejected:
                    item.setForeground(REJECTED_COLOUR)
                elif r.status == P.SKIPPED:
                    item.setForeground(SKIPPED_COLOUR)
                if r.note:
                    item.setBackground(NOTE_BRUSH)

    def _show_details(self, row: int) -> None:
        if 0 <= row < len(self.results):
            self.details.setHtml(details_html(self.results[row]))

    def _enable(self) -> None:
        if self.import_button is not None:
            self.import_button.setEnabled(bool(self.importable)
                                          and (self.key_check is None or self.key_check.isChecked()))

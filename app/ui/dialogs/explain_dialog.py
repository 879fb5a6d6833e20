"""Why a light has its colour: the metric's definition with its inputs and thresholds, and the
approved entries behind it."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.core import vocab
from app.ui.widgets.record_table import RecordTable

MAX_ROWS = 500


class ExplainDialog(QDialog):
    def __init__(self, title: str, lines: list[str], facts, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel("<br>".join(f"· {line}" for line in lines), objectName="explainText")
        text.setWordWrap(True)
        layout.addWidget(text)
        shown = facts[:MAX_ROWS]
        layout.addWidget(QLabel(f"计入的日志条目 {len(facts)} 条" +
                                (f"（显示前 {MAX_ROWS} 条）" if len(facts) > MAX_ROWS else "")))
        table = RecordTable(["日期", "姓名", "科室", "工时", "类别", "职责", "职能类别"], 5)
        table.setObjectName("explainFacts")
        table.set_rows([(f.day.isoformat(), f.name, f.section, f"{f.hours:g}", f.category,
                         f.duty_code or "（未关联）", f.duty_class or "辅助")
                        for f in shown])
        layout.addWidget(table, 1)
        self.resize(900, 560)


def secret_note() -> str:
    return f"注：{vocab.SECRET_CONTENT_LABEL}只计工时和类别，不显示内容。"

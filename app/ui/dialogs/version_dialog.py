"""History of a log: every version with its reviews, and the changes between two versions."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.db.engine import Database
from app.services.logs import amend
from app.services.org.actor import Actor
from app.services.logs.daily import duty_labels


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class VersionDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, log_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("版本记录")
        versions = amend.history(db, actor, log_id)
        labels = duty_labels(db, [e.duty_id for v in versions for e in v.entries])
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        for v in versions:
            view = QTextBrowser(objectName=f"version{v.version}")
            body = "<br>".join(_html_escape(line) for line in v.lines(labels))
            reviews = "<br>".join(_html_escape(r) for r in v.reviews) or "（尚无审阅记录）"
            reason = f"<p><b>修改理由：</b>{_html_escape(v.reason)}</p>" if v.reason else ""
            view.setHtml(f"<h3>{v.label}</h3><p>{body}</p><p><b>审阅：</b><br>{reviews}</p>{reason}")
            row.addWidget(view)
        layout.addLayout(row, 2)
        if len(versions) >= 2:
            layout.addWidget(QLabel(f"{versions[-2].label} → {versions[-1].label} 的改动："))
            self.diff = QTextBrowser(objectName="diff")
            lines = []
            for line in amend.diff(db, versions[-2], versions[-1])[2:]:
                colour = {"-": "#b00020", "+": "#1b5e20"}.get(line[:1], "#666")
                lines.append(f"<span style='color:{colour}'>{_html_escape(line)}</span>")
            self.diff.setHtml("<br>".join(lines) or "（内容相同）")
            layout.addWidget(self.diff, 1)
        self.resize(980, 560)

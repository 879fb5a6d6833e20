"""The status bar's 多台电脑同步 line (every role: the state is this PC's): when the last round
ended, how many other PCs it saw, and the first thing wrong; the admin clicks it to reach the
数据交换 page."""
from __future__ import annotations

import datetime as dt
import re

from PySide6.QtWidgets import QPushButton

from app.services.exchange import pc_unit


def short_problem(problem: str) -> str:
    """A problem cut to what fits a status bar: up to its first explanation."""
    head = re.split(r"[（：，]", problem, maxsplit=1)[0]
    return head + ("，本机照常工作" if head.startswith("交换文件夹") else "")


def status_text(cfg: pc_unit.PcConfig, today: dt.date | None = None) -> str:
    when = "尚未同步"
    if cfg.last_sync:
        day, _, clock = cfg.last_sync.partition(" ")
        when = clock[:5] if day == (today or dt.date.today()).isoformat() else f"{day[5:]} {clock[:5]}"
    text = f"多台电脑同步：上次 {when} · 其他电脑 {cfg.last_pcs} 台"
    if cfg.last_problems:
        more = len(cfg.last_problems) - 1
        text += f"　⚠ {short_problem(cfg.last_problems[0])}" + (f" 等{more + 1}项" if more else "")
    return text


class PcStatus(QPushButton):
    def __init__(self, admin: bool, parent=None):
        super().__init__(parent, objectName="pcSyncStatus", flat=True)
        self.admin = admin
        self.setStyleSheet("QPushButton{border:none; padding:0 6px; text-align:left}")
        self.hide()

    def show_config(self, cfg: pc_unit.PcConfig | None) -> None:
        """Shown only on a PC with an exchange folder."""
        self.setVisible(cfg is not None)
        if cfg is None:
            return
        self.setText(status_text(cfg))
        self.setStyleSheet("QPushButton{border:none; padding:0 6px; text-align:left; color:%s}"
                           % ("#b00020" if cfg.last_problems else "#333"))
        lines = [cfg.last_summary or "尚未同步", *(f"⚠ {p}" for p in cfg.last_problems)]
        lines.append("点击打开“数据交换”页" if self.admin else "如有问题请告知单位管理员")
        self.setToolTip("\n".join(lines))

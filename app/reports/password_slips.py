"""初始密码单: one slip per person on A4, two columns, dashed lines to cut along.

The password is printed in a monospaced Latin font at a large size (the alphabet leaves out
characters that look alike, app.services.org.passwords.INITIAL_ALPHABET), the Chinese text in
the program's CJK fonts (app.reports.typeset.fonts).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.reports.typeset.fonts import register_fonts

COLUMNS, ROWS = 2, 5
MARGIN = 12 * mm
PASSWORD_FONT = "Courier-Bold"


def write_slips(slips, path: Path, issued: dt.date | None = None) -> Path:
    """Write `slips` (initial_passwords.Slip) to a PDF at `path`."""
    if not slips:
        raise ValueError("no slips to print")
    issued = issued or dt.date.today()
    fonts = register_fonts()
    width, height = A4
    slip_w = (width - 2 * MARGIN) / COLUMNS
    slip_h = (height - 2 * MARGIN) / ROWS
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("初始密码单")
    per_page = COLUMNS * ROWS
    for start in range(0, len(slips), per_page):
        if start:
            canvas.showPage()
        page = slips[start:start + per_page]
        _cut_lines(canvas, width, height, slip_w, slip_h, -(-len(page) // COLUMNS))
        for i, slip in enumerate(page):
            x = MARGIN + (i % COLUMNS) * slip_w
            y = height - MARGIN - (i // COLUMNS + 1) * slip_h
            _slip(canvas, fonts, slip, x, y, slip_w, slip_h, issued)
    canvas.save()
    return path


def _cut_lines(canvas, width, height, slip_w, slip_h, rows: int) -> None:
    """Dashed lines around the rows of slips this page uses."""
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.5)
    top, bottom = height - MARGIN, height - MARGIN - rows * slip_h
    for c in range(COLUMNS + 1):
        x = MARGIN + c * slip_w
        canvas.line(x, bottom, x, top)
    for r in range(rows + 1):
        y = top - r * slip_h
        canvas.line(MARGIN, y, width - MARGIN, y)
    canvas.restoreState()


def _text(canvas, fonts, x, y, text, size, role="heiti") -> None:
    canvas.setFont(fonts.font_for(text, role), size)
    canvas.drawString(x, y, text)


def _slip(canvas, fonts, slip, x, y, w, h, issued: dt.date) -> None:
    left, top = x + 7 * mm, y + h - 9 * mm
    _text(canvas, fonts, left, top, "初始密码单", 13)
    unit = slip.unit if len(slip.unit) <= 18 else slip.unit[:17] + "…"
    _text(canvas, fonts, left + 28 * mm, top, unit, 9, "songti")
    rows = (("科室", slip.section or "—"), ("姓名", slip.name), ("登录名", slip.login))
    line = top - 8 * mm
    for label, value in rows:
        _text(canvas, fonts, left, line, f"{label}：", 10, "songti")
        _text(canvas, fonts, left + 16 * mm, line, value, 11, "heiti")
        line -= 6 * mm
    _text(canvas, fonts, left, line - 1 * mm, "初始密码：", 10, "songti")
    canvas.setFont(PASSWORD_FONT, 17)
    canvas.drawString(left + 19 * mm, line - 1.5 * mm, slip.password)
    line -= 9 * mm
    _text(canvas, fonts, left, line, "首次登录须修改密码。本单仅交本人，用后销毁。", 9, "heiti")
    _text(canvas, fonts, left, line - 4.5 * mm, f"{issued:%Y年%m月%d日}发放；再次发放后本单作废。",
          7.5, "songti")

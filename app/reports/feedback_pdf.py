"""The one-page PDF of a 履职监测反馈 (app.core.feedback), in the official layout of the reports
(app.reports.typeset.document: GB/T 9704 page, 仿宋 body, ruled tables). Tables print in 五号
so that a month's feedback keeps to one page; a unit with many open problems runs on."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core import feedback as FB
from app.reports.typeset.document import OfficialDocument
from app.reports.typeset.fonts import register_fonts

SMALL = 10.5          # 五号
ALIGN = {"figures": ["L", "R", "R", "C"], "problems": ["L", "L", "C", "C"]}
MAX_PROBLEM_ROWS = 6  # more are counted, not listed (the unit's 评估自评 page lists them all)


def write_feedback_pdf(path: Path, content: dict, remark: str, issuer: str,
                       issued: dt.date | str) -> int:
    """Write the feedback to `path`; returns the number of pages."""
    title = f"{content.get('unit_name', '')}{content.get('label', '')}履职监测反馈"
    doc = OfficialDocument(title, issuer, issued, register_fonts(), signature="top")
    for section in FB.sections(content, remark):
        doc.heading(2, section.title)
        rows = section.rows
        more = 0
        if section.key == "problems" and len(rows) > MAX_PROBLEM_ROWS:
            rows, more = rows[:MAX_PROBLEM_ROWS], len(rows) - MAX_PROBLEM_ROWS
        lines = list(section.lines)
        if more:
            lines.append(f"另有{more}个问题未列出，详见“评估自评”页。")
        if section.headers:
            doc.table(section.headers, rows, font_size=SMALL, align=ALIGN.get(section.key),
                      notes=[" ".join(lines)] if lines else ())
        else:
            for line in lines:
                doc.paragraph(line)
    return doc.build(str(path))

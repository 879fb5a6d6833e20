"""The one-page PDF of a 履职监测反馈 (app.core.feedback), in the official layout of the reports
(app.reports.typeset.document: GB/T 9704 page, 仿宋 body, ruled tables). Tables print in 五号
and sections without a table run in after their heading, so that a month's feedback keeps to
one page; at most 6 problems and 2 lit work items are listed (the rest counted)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core import feedback as FB
from app.reports.typeset.document import OfficialDocument
from app.reports.typeset.fonts import register_fonts

SMALL = 10.5          # 五号
ALIGN = {"figures": ["L", "R", "R", "C"], "problems": ["L", "L", "C", "C"], "items": ["C", "L", "L", "L"]}
MAX_PROBLEMS = 6      # more are counted, not listed (the unit's 评估自评 page lists them all)
MAX_ITEMS = 2         # lit work items listed, red first (the unit's 工作事项 page lists them all)
SHORT_KINDS = {"年度重点工作": "重点工作", "督办事项": "督办", "审批服务事项": "审批", "工作计划": "计划"}


def write_feedback_pdf(path: Path, content: dict, remark: str, issuer: str,
                       issued: dt.date | str) -> int:
    """Write the feedback to `path`; returns the number of pages."""
    # the unit on one line, the month on the next: never broken inside a date
    title = f"{content.get('unit_name', '')}\n{content.get('label', '')}履职监测反馈"
    doc = OfficialDocument(title, issuer, issued, register_fonts(), signature="top")
    for section in FB.sections(content, remark):
        headers, rows, lines = section.headers, section.rows, list(section.lines)
        if section.key == "problems" and len(rows) > MAX_PROBLEMS:
            lines.append(f"另有{len(rows) - MAX_PROBLEMS}个问题未列出，详见“评估自评”页。")
            rows = rows[:MAX_PROBLEMS]
        if section.key == "items" and rows:
            headers, rows, lines = _items_table(content.get("items") or {}, section)
        if headers:
            doc.heading(2, section.title)
            doc.table(headers, rows, font_size=SMALL, align=ALIGN.get(section.key),
                      notes=[" ".join(lines)] if lines else ())
        else:   # a run-in heading (二级 in 楷体) keeps the month on one page
            text = "；".join(line.rstrip("。；") for line in lines) + "。"
            doc.paragraph(text.replace("（无）。", "无。"), lead=section.title + "。")
    return doc.build(str(path))


def _items_table(part: dict, section: FB.Section) -> tuple[list[str], list[list[str]], list[str]]:
    """The lit items as the page prints them: the first MAX_ITEMS (red first), without their
    编号, and the count line saying how many more the unit's 工作事项 page shows."""
    lit = (part.get("red") or 0) + (part.get("yellow") or 0)
    rows = [[light, SHORT_KINDS.get(kind, kind), title, reason] for light, kind, _code, title, reason in section.rows[:MAX_ITEMS]]
    lines = [section.lines[0]]
    if lit > len(rows):
        lines.append(f"下表列出其中{len(rows)}项，其余{lit - len(rows)}项见单位“工作事项”页。")
    return ["灯", "类别", "事项", "说明"], rows, lines


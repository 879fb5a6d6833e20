"""The 任务类型 part of the unit and section reports (seed 002, 桓台县: 按任务类型进行统计分析):
a paragraph naming the share of 业务工作 and of the rest, the split table (工时, 占比, 任务数,
参与人数) and one row per section or person below the group."""
from __future__ import annotations

from app.core.task_types import BUSINESS, TASK_TYPES, TaskTypeView
from app.reports.model import pct
from app.reports.report_book import HOURS, INT, PCT, SMALL_TABLE, Col, ReportBook

SPLIT_COLS = (Col("任务类型"), Col("工时", HOURS), Col("工时占比", PCT), Col("任务数", INT),
              Col("任务数占比", PCT), Col("参与人数", INT), Col("参与人数占比", PCT))


def task_type_part(book: ReportBook, view: TaskTypeView | None, children: str = "科室") -> None:
    if view is None:
        return
    doc, t = book.doc, view.total
    doc.section(2, "任务类型")
    if not t.hours:
        doc.paragraph("本期没有已审定的工时，无法按任务类型分析。")
        return
    business = next(r for r in t.rows if r.task_type == BUSINESS)
    others = [r for r in t.rows if r.task_type != BUSINESS and r.hours > 0]
    others.sort(key=lambda r: -r.hours)
    text = (f"按任务类型统计，本期计入工时{t.hours:g}小时中，业务工作{business.hours:g}小时，占{pct(business.share)}；"
            f"非业务工作（党建、财务和组织人事、信访投诉、综合性工作）占{pct(1 - (business.share or 0))}")
    if others:
        text += "，其中" + "、".join(f"{r.task_type}{pct(r.share)}" for r in others[:3])
    doc.paragraph(text + "。")
    rows = [[r.task_type, r.hours, r.share, r.entries, r.entry_share, r.people, r.people_share]
            for r in t.rows]
    rows.append(["合计", t.hours, 1.0, t.entries, 1.0 if t.entries else None, t.people, None])
    book.table("按任务类型统计", SPLIT_COLS, rows, emphasize_last=True, font_size=SMALL_TABLE,
               notes=["任务类型取自各条职责；未关联职责的工作按工作类别归类（党建工作、信访接待等）。"
                      "参与人数：本期有该类工时的人数。"])
    if view.children:
        cols = (Col(children), Col("计入工时", HOURS), *(Col(k.replace("工作", "") or k, HOURS) for k in TASK_TYPES),
                Col("非业务占比", PCT))
        book.table(f"各{children}任务类型工时", cols,
                   [[c.name, c.hours, *(c.hours_of(k) for k in TASK_TYPES),
                     (1 - c.hours_of(BUSINESS) / c.hours) if c.hours else None] for c in view.children],
                   font_size=SMALL_TABLE)

"""组织人事 export (seed 002: 履职数据推送至组织部门，作为公务员平时考核的重要参考): one row per
person per quarter — 计入工时, 工作饱和度, 提交率, 审核通过率, 核心职责占比 — as an Excel workbook
with a header block (unit, period, generated time) and as a printed table in the official
layout with 签章 lines. The rows are gathered by app.services.stats.hr_export from the
statistics' own per-person figures; this module only lays them out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm

from app.reports.model import DASH, hours, pct
from app.reports.typeset.document import OfficialDocument
from app.reports.typeset.fonts import register_fonts
from app.reports.xlsx_safe import save_workbook

TITLE = "干部履职情况季度统计表"
HEADERS = ("序号", "科室", "姓名", "职务", "编制类型", "计入工时", "应出勤工时", "工作饱和度",
           "提交率", "审核通过率", "核心职责占比")
# The printed table leaves out 职务 (kept in the workbook): eleven columns do not fit the
# 156 mm text width of the official page without wrapping every row.
PDF_HEADERS = tuple(h for h in HEADERS if h != "职务")
PDF_WIDTHS_MM = (7, 34, 13, 17, 13, 13, 15, 15, 15, 14)
NOTES = ("计入工时：经审核通过的日志工时；工作饱和度＝计入工时÷应出勤工时（应出勤工时＝（工作日－请假、公休日）×8小时）。",
         "提交率＝已提交日志的工作日÷应填报工作日；审核通过率＝已审核通过的工时÷已提交工时（含待审）；"
         "核心职责占比＝核心职责工时÷计入工时。数据与本系统“统计分析”的个人统计一致。")
BLANK = "_" * 12                # a line to sign on
SIGN_LINES = (f"填表人（签字）：{BLANK}\u3000审核人（签字）：{BLANK}",
              f"单位主要负责人（签字）：{BLANK}\u3000（单位盖章）")
TABLE_FONT = 9.0


@dataclass(frozen=True)
class HrRow:
    quarter: str                  # 2026年第三季度
    section: str
    name: str
    login: str
    post: str
    staffing_type: str
    logged_hours: float
    expected_hours: float
    saturation: float | None
    submission_rate: float | None
    approved_share: float | None
    core_share: float | None


@dataclass(frozen=True)
class HrTable:
    unit_name: str
    period_label: str             # what was asked for: 2026年第三季度, 2026年
    quarters: list[str]           # the quarters the rows cover, in order
    generated_at: dt.datetime
    exporter: str                 # 姓名（角色）
    scope: str                    # 全单位 / 分管科室
    rows: list[HrRow]


def _cells(n: int, r: HrRow) -> list:
    return [n, r.section, r.name, r.staffing_type or DASH, hours(r.logged_hours),
            hours(r.expected_hours), pct(r.saturation), pct(r.submission_rate),
            pct(r.approved_share), pct(r.core_share)]


def write_xlsx(table: HrTable, path: Path | str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "干部履职情况"
    ws.append([f"{table.unit_name}{TITLE}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS) + 1)
    for label, value in (("单位", table.unit_name), ("统计期间", table.period_label),
                         ("统计范围", table.scope), ("导出人", table.exporter),
                         ("生成时间", table.generated_at.strftime("%Y-%m-%d %H:%M"))):
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["季度", *HEADERS])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for n, r in enumerate(table.rows, 1):
        ws.append([r.quarter, n, r.section, r.name, r.post, r.staffing_type,
                   round(r.logged_hours, 2), round(r.expected_hours, 2),
                   *(None if v is None else round(v, 4)
                     for v in (r.saturation, r.submission_rate, r.approved_share, r.core_share))])
        for col in range(9, 13):
            ws.cell(ws.max_row, col).number_format = "0.0%"
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    for col, width in enumerate((16, 6, 14, 10, 14, 12, 10, 11, 11, 9, 11, 13), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.append([])
    for note in NOTES:
        ws.append([f"注：{note}"])
    return save_workbook(wb, path)


def write_pdf(table: HrTable, path: Path | str) -> int:
    """The printed table: one table per quarter, the notes, the 签章 lines. Returns pages."""
    doc = OfficialDocument(f"{table.unit_name}\n{TITLE}", table.unit_name,
                           table.generated_at.date(), register_fonts(),
                           subtitle=f"（{table.period_label}，{table.scope}）")
    doc.paragraph(f"本表依据本单位履职考评系统中经审核的工作日志生成，供组织人事部门开展公务员平时考核参考。"
                  f"统计期间{table.period_label}，共{len({r.login for r in table.rows})}人。"
                  f"导出人：{table.exporter}；生成时间：{table.generated_at:%Y年%m月%d日 %H:%M}。")
    for quarter in table.quarters:
        rows = [r for r in table.rows if r.quarter == quarter]
        if not rows:
            doc.paragraph(f"{quarter}：没有计入统计的人员。")
            continue
        doc.table(PDF_HEADERS, [_cells(n, r) for n, r in enumerate(rows, 1)],
                  col_widths=[w * mm for w in PDF_WIDTHS_MM],
                  caption=f"{quarter}干部履职情况", font_size=TABLE_FONT,
                  notes=("工时单位为小时。",))
    for note in NOTES:
        doc.note(note)
    doc.blank_line()
    for line in SIGN_LINES:         # the last is kept with the issuer and date below it
        doc.paragraph(line, indent=False)
    return doc.build(str(path))

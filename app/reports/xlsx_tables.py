"""Writing tables to an .xlsx workbook for people to read (one sheet per table): a title row,
bold headers with a fill, widths from the content, frozen header, percentages formatted.

openpyxl writes ~9 k rows/s here (docs/ARCHITECTURE.md "Known traps"): callers with large tables
run this in a background task."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.reports.xlsx_safe import save_workbook

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
MAX_WIDTH = 60


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)   # CJK characters are double width


def sheet_title(title: str, sheet_name: str) -> str:
    """A sheet's title row: the workbook's title and the sheet's name, said once ("全县各单位
    2026-Q3", not "全县各单位 2026-Q3 — 全县各单位")."""
    return title if sheet_name in title else f"{title} — {sheet_name}"


def write_tables(path: Path, title: str,
                 tables: Iterable[tuple[str, Sequence[str], Sequence[Sequence]]],
                 percent_columns: set[str] = frozenset(), decimal_columns: set[str] = frozenset()) -> Path:
    """`percent_columns` show 12.3%, `decimal_columns` two decimals (1.38), by header."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet_name, headers, rows in tables:
        ws = wb.create_sheet(sheet_name[:31])
        ws.cell(1, 1, sheet_title(title, sheet_name)).font = Font(bold=True, size=13)
        for col, header in enumerate(headers, 1):
            cell = ws.cell(2, col, header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [_width(h) for h in headers]
        for r, row in enumerate(rows, 3):
            for col, value in enumerate(row, 1):
                cell = ws.cell(r, col, value)
                if headers[col - 1] in percent_columns and isinstance(value, (int, float)):
                    cell.number_format = "0.0%"
                elif headers[col - 1] in decimal_columns and isinstance(value, (int, float)):
                    cell.number_format = "0.00"
                widths[col - 1] = max(widths[col - 1], _width(value))
        for col, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
        ws.freeze_panes = "A3"
    return save_workbook(wb, path)

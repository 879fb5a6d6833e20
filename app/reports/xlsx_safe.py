"""The one way the program saves an .xlsx: text that a spreadsheet could run stays text.

A section named `=1+2` or a person named `=HYPERLINK(...)` must reach the reader as those very
characters. openpyxl turns any string starting with "=" into a formula, and Excel or WPS re-read
a cell starting with = + - @ (or a tab / carriage return before one) as a formula as soon as the
cell is edited (OWASP "CSV injection"). So before saving, every such text cell is typed as a
string and marked with Excel's quotePrefix (the leading-apostrophe flag): shown unchanged, never
evaluated, and still text after an edit. Numbers are not touched: -3 stays the number -3.

tests/unit/test_excel_export_safety.py checks that no other module calls `.save` on a workbook.
"""
from __future__ import annotations

from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def defuse(workbook) -> int:
    """Make every formula-like text cell of `workbook` plain text; returns how many were."""
    count = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    count += 1
    return count


def save_workbook(workbook, path: Path | str) -> Path:
    """Defuse and save (creating the folder). OSError is left to the caller to explain."""
    path = Path(path)
    defuse(workbook)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path

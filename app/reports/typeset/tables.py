"""Ruled tables for printed reports: wrapped cells, fitted column widths, numbers right-aligned."""
from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.platypus import Table, TableStyle

from app.reports.typeset.layout import TEXT_WIDTH, Styles, width_of
from app.reports.typeset.linebreak import CJKParagraph as Paragraph

RULE_THIN = 0.5
RULE_BOX = 1.0
PAD_H = 4.0
PAD_V = 2.5
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)
TOTAL_FILL = colors.Color(0.95, 0.95, 0.95)
EMPTY_TABLE_TEXT = "（无数据）"
MIN_TEXT_CHARS = 3          # a text column is never narrower than this many characters
_ALIGN = {"L": TA_LEFT, "C": TA_CENTER, "R": TA_RIGHT}
_NUMERIC = re.compile(r"^[-+]?(\d[\d,]*(\.\d+)?|\.\d+)\s*(%|‰|小时|时|天|人|条|项|次|个|件|篇)?$")


def cell_text(value) -> str:
    """A cell value as text: None → —, floats with one decimal, the rest as str."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def is_numeric_text(text: str) -> bool:
    return bool(_NUMERIC.match(text.strip()))


def default_align(rows: Sequence[Sequence[str]], n_cols: int) -> list[str]:
    """R for columns whose non-empty cells are all numbers ("—" counts as empty), else L."""
    out = []
    for c in range(n_cols):
        cells = [r[c].strip() for r in rows if c < len(r) and r[c].strip() not in ("", "—")]
        out.append("R" if cells and all(is_numeric_text(t) for t in cells) else "L")
    return out


def _natural(text: str, font: str, size: float) -> float:
    return max((width_of(line, font, size) for line in text.split("\n")), default=0.0)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str],
                  body_font: str, head_font: str, size: float,
                  total: float = TEXT_WIDTH) -> list[float]:
    """Widths that add up to `total`. When every column's content fits on one line, spare width
    is shared out in proportion. Otherwise number columns keep their width (a long header may
    wrap), narrow text columns keep theirs, and the wide text columns share what is left in
    proportion to their content — none narrower than its header (up to MIN_TEXT_CHARS…6
    characters) so that headers such as "职责编号" do not wrap."""
    n = len(headers)
    pad = 2 * PAD_H
    cell_w = [max((_natural(r[c], body_font, size) for r in rows if c < len(r)), default=0.0)
              for c in range(n)]
    head_w = [_natural(h, head_font, size) for h in headers]
    natural = [max(cell_w[c], head_w[c]) + pad for c in range(n)]
    if sum(natural) <= total:
        spare = total - sum(natural)
        return [w + spare * w / sum(natural) for w in natural]
    widths: dict[int, float] = {}
    for c in range(n):
        if align[c] == "R":      # numbers never wrap; a long header may wrap at 4 characters
            widths[c] = max(cell_w[c], min(head_w[c], 4 * size)) + pad
    minimum = {c: min(natural[c], max(MIN_TEXT_CHARS * size, min(head_w[c], 6 * size)) + pad)
               for c in range(n) if c not in widths}
    rest = total - sum(widths.values())
    pool = sorted(minimum, key=lambda c: natural[c])
    if rest < sum(minimum.values()):               # too many columns: shrink all alike
        scale = total / sum(natural)
        return [w * scale for w in natural]
    while pool:
        c = pool[0]
        if natural[c] <= rest / len(pool):         # narrow column: its own width
            widths[c] = natural[c]
            rest -= natural[c]
            pool.pop(0)
            continue
        share = rest / sum(natural[k] for k in pool)
        small = [k for k in pool if natural[k] * share < minimum[k]]
        if not small:
            for k in pool:
                widths[k] = natural[k] * share
            break
        for k in small:
            widths[k] = minimum[k]
            rest -= minimum[k]
            pool.remove(k)
    return [widths[c] for c in range(n)]


class RuledTable(Table):
    """A platypus Table that never leaves its header alone at the foot of a page.

    When no whole row fits, reportlab splits a row inside (splitInRow) — also when not even
    its first line fits, giving a first part of the header and a row cut before any text
    (only its padding). Such a split is refused, so the table moves on to the next page."""

    MIN_FRAGMENT = 8.0          # below one line of the smallest table type: padding only

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) >= 2:
            body = list(parts[0]._rowHeights or [])[1:]       # row 0 is the (repeated) header
            if not any(h >= self.MIN_FRAGMENT for h in body):
                return []
        return parts


def build_table(doc, headers: list[str], rows: list[list[str]], *,
                col_widths: Sequence[float] | None, align: Sequence[str] | None,
                font_size: float, emphasize_last: bool) -> Table:
    """The platypus Table for OfficialDocument.table (cells already converted to text)."""
    st: Styles = doc.styles
    fonts = st.plain
    n = len(headers)
    if any(len(r) != n for r in rows):
        raise ValueError(f"every row needs {n} cells")
    align = list(align) if align else default_align(rows, n)
    body = st.cell.clone("cell_sized", fontSize=font_size, leading=font_size * 1.3)
    head = st.cell_head.clone("head_sized", fontSize=font_size, leading=font_size * 1.3,
                              fontName=fonts.heiti)
    if col_widths is None:
        col_widths = column_widths(headers, rows, align, fonts.songti, fonts.heiti, font_size)
    elif abs(sum(col_widths) - TEXT_WIDTH) > 1:
        col_widths = [w * TEXT_WIDTH / sum(col_widths) for w in col_widths]
    styles = [body.clone(f"cell_{a}", alignment=_ALIGN[a]) for a in align]
    data = [[Paragraph(fonts.markup(h, "heiti"), head) for h in headers]]
    last = len(rows) - 1
    for i, row in enumerate(rows):
        bold = emphasize_last and i == last
        data.append([Paragraph(fonts.markup(t, "heiti" if bold else "songti"),
                               styles[c].clone("b", fontName=fonts.heiti) if bold else styles[c])
                     for c, t in enumerate(row)])
    commands = [
        ("GRID", (0, 0), (-1, -1), RULE_THIN, colors.black),
        ("BOX", (0, 0), (-1, -1), RULE_BOX, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_H),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_H),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_V),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_V + 1),
    ]
    if emphasize_last and rows:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL))
    if not rows:
        data.append([Paragraph(fonts.markup(EMPTY_TABLE_TEXT, "songti"), st.cell_center)]
                    + [""] * (n - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = RuledTable(data, colWidths=list(col_widths), repeatRows=1, splitInRow=1,
                       hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table

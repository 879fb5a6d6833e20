"""GB/T 9704-2012 measures, the type grid and paragraph styles for printed reports.

The text block is 156 × 225 mm (A4 with margins top 37, bottom 35, left 28, right 26 mm) and
holds 22 lines of 28 characters of 3号 (16 pt) 仿宋. 28 characters of 16 pt do not fit into
156 mm (442.2 pt / 28 = 15.79 pt), which is why Word's 公文 templates set a character grid that
narrows the pitch. We do the same: `grid_fonts` registers copies of the fonts whose advance
widths are scaled by 15.79 / 16, so glyphs are drawn at 16 pt while reportlab's line breaking and
the PDF /Widths advance them by 15.79 pt — exactly 28 per line, 22 lines at 28.99 pt leading.
"""
from __future__ import annotations

import copy
import math
import threading
from weakref import WeakKeyDictionary

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFNameBytes

from app.reports.typeset.fonts import ROLES, FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_BOTTOM = 35 * mm
MARGIN_LEFT = 28 * mm          # binding side
MARGIN_RIGHT = 26 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT      # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM    # 225 mm

CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
BODY_SIZE = 16.0               # 3号
TITLE_SIZE = 22.0              # 2号
PAGE_NUMBER_SIZE = 14.0        # 4号
TABLE_SIZE = 12.0              # 小四
NOTE_SIZE = 14.0               # 4号
CAPTION_SIZE = 14.0
CHAR = TEXT_WIDTH / CHARS_PER_LINE          # 15.79 pt: one character of the body grid
LEADING = TEXT_HEIGHT / LINES_PER_PAGE      # 28.99 pt
PAGE_NUMBER_GAP = 7 * mm       # 一字线上距版心下边缘 7 mm
GRID_SUFFIX = "-G28"

_lock = threading.Lock()


def grid_font(name: str, advance: float = CHAR, size: float = BODY_SIZE) -> str:
    """Register (once) a copy of TrueType font `name` whose advance widths are scaled so that a
    full-width character of `size` pt advances `advance` pt; returns the copy's name."""
    clone_name = name + GRID_SUFFIX
    with _lock:
        if clone_name in pdfmetrics.getRegisteredFontNames():
            return clone_name
        base = pdfmetrics.getFont(name)
        scale = advance / size
        clone = copy.copy(base)
        clone.fontName = clone_name
        clone.face = copy.copy(base.face)
        # A distinct PostScript name: reportlab keys embedded subsets, ToUnicode maps and its
        # font registry by face name, and must not mix the copy with the original.
        clone.face.name = TTFNameBytes(bytes(base.face.name) + GRID_SUFFIX.encode())
        clone.face.charWidths = {k: v * scale for k, v in base.face.charWidths.items()}
        clone.face.defaultWidth = base.face.defaultWidth * scale
        clone.state = WeakKeyDictionary()
        pdfmetrics.registerFont(clone)
        pdfmetrics.registerFontFamily(clone_name, normal=clone_name, bold=clone_name,
                                      italic=clone_name, boldItalic=clone_name)
    return clone_name


def grid_fonts(fonts: FontSet) -> FontSet:
    """The FontSet with every role and fallback on the 28-character grid (see module doc)."""
    names = {role: grid_font(fonts.role(role)) for role in ROLES}
    fallbacks = tuple(grid_font(f) for f in fonts.fallbacks)
    files = dict(fonts.files)
    for original in [*(fonts.role(r) for r in ROLES), *fonts.fallbacks]:
        if original in fonts.files:
            files[original + GRID_SUFFIX] = fonts.files[original]
    return FontSet(fallbacks=fallbacks, files=files, system_roles=fonts.system_roles, **names)


class Styles:
    """Paragraph styles of one document. `grid` fonts for text on the body grid, `plain` fonts for
    the title, tables, captions and notes (not on the grid)."""

    def __init__(self, fonts: FontSet):
        self.plain = fonts
        self.grid = grid_fonts(fonts)
        g, p = self.grid, self.plain
        indent = 2 * CHAR
        self.body = ParagraphStyle("body", fontName=g.fangsong, fontSize=BODY_SIZE, leading=LEADING,
                                   firstLineIndent=indent, alignment=TA_JUSTIFY, wordWrap="CJK")
        self.body_flush = ParagraphStyle("body_flush", parent=self.body, firstLineIndent=0)
        self.headings = {
            1: ParagraphStyle("h1", parent=self.body, fontName=g.heiti, alignment=TA_LEFT),
            2: ParagraphStyle("h2", parent=self.body, fontName=g.kaiti, alignment=TA_LEFT),
            3: ParagraphStyle("h3", parent=self.body, fontName=g.fangsong, alignment=TA_LEFT),
        }
        self.heading_roles = {1: "heiti", 2: "kaiti", 3: "fangsong"}
        self.title = ParagraphStyle("title", fontName=p.heiti, fontSize=TITLE_SIZE,
                                    leading=LEADING, alignment=TA_CENTER, wordWrap="CJK")
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontName=g.kaiti,
                                       alignment=TA_CENTER, firstLineIndent=0)
        self.signature = ParagraphStyle("signature", parent=self.body, firstLineIndent=0,
                                        alignment=TA_LEFT)
        self.cell = ParagraphStyle("cell", fontName=p.songti, fontSize=TABLE_SIZE,
                                   leading=TABLE_SIZE * 1.3, wordWrap="CJK", alignment=TA_LEFT)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=2)
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=p.heiti,
                                        alignment=TA_CENTER)
        self.caption = ParagraphStyle("caption", fontName=p.heiti, fontSize=CAPTION_SIZE,
                                      leading=CAPTION_SIZE * 1.5, alignment=TA_CENTER,
                                      wordWrap="CJK")
        note_indent = 2 * NOTE_SIZE   # hanging indent after "注："
        self.note = ParagraphStyle("note", fontName=p.fangsong, fontSize=NOTE_SIZE,
                                   leading=NOTE_SIZE * 1.5, leftIndent=note_indent,
                                   firstLineIndent=-note_indent, wordWrap="CJK",
                                   alignment=TA_JUSTIFY)


def width_of(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


# Characters that must not start a line, and after which a title line may break.
_NO_LINE_START = set("，。、；：？！）》」』”’%．·…—")
_NO_LINE_END = set("（《「『“‘")
_GOOD_BREAK_AFTER = set("的于和与及、）》")


def split_title(title: str, font: str, size: float = TITLE_SIZE,
                width: float = TEXT_WIDTH) -> list[str]:
    """Title lines: the caller's line breaks if any, else one line, else lines of similar length
    that break at a natural place (after 的/于/和/、/）…), never inside a number or before a
    closing mark — GB/T 9704 asks for a balanced trapezoid or diamond, not a filled first line."""
    if "\n" in title:
        return [line.strip() for line in title.splitlines() if line.strip()]
    title = title.strip()
    total = width_of(title, font, size)
    if total <= width:
        return [title]
    n_lines = math.ceil(total / width)
    lines, rest = [], title
    for k in range(n_lines, 1, -1):
        target = width_of(rest, font, size) / k
        best, best_score = None, None
        for i in range(1, len(rest)):
            head = rest[:i]
            w = width_of(head, font, size)
            if w > width:
                break
            if rest[i] in _NO_LINE_START or rest[i - 1] in _NO_LINE_END:
                continue
            if rest[i - 1].isdigit() and rest[i].isdigit():
                continue
            if width_of(rest[i:], font, size) > width * (k - 1):
                continue
            score = abs(w - target) - (size * 1.5 if rest[i - 1] in _GOOD_BREAK_AFTER else 0)
            if best_score is None or score < best_score:
                best, best_score = i, score
        if best is None:
            break
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines


def lines_to_grid(height: float, at_least_blank: int = 1) -> float:
    """Space to add after a block of `height` so that what follows sits on the body grid, with at
    least `at_least_blank` empty grid lines."""
    filled = math.ceil(height / LEADING - 1e-6)
    return (filled + at_least_blank) * LEADING - height

"""OfficialDocument: a report laid out as a GB/T 9704-2012 official document (党政机关公文格式).

    doc = OfficialDocument("关于2026年10月履职情况的分析报告", "沂河县市场监督管理局",
                           dt.date(2026, 11, 22), register_fonts())
    doc.heading(1, "一、总体情况")        # or doc.section(1, "总体情况") numbers it for you
    doc.paragraph("总体看，……")
    doc.table(["科室", "饱和度"], [["综合执法科", "96.5%"]], caption="各科室工作饱和度")
    doc.figure(charts.saturation_bars(...), "各科室工作饱和度")
    doc.build("report.pdf")              # or a BytesIO

Page: A4, text block 156 × 225 mm at left 28 / top 37 mm, 22 lines × 28 characters of 3号仿宋
(see layout.py); title 2号 小标宋 (黑体 when the machine has no 小标宋) centred, balanced over
two lines when long; headings 一、 黑体, （一） 楷体, 1. 仿宋, indented two characters like the
body; page number "— 1 —" 4号宋体 7 mm below the text block, odd pages right and even pages left,
one character in from the edge; issuer and date (落款) under the text, GB/T 9704 §7.3.5.2:
issuer two characters from the right, date starting two characters right of the issuer.
All user text is escaped, and characters the main font lacks print in a fallback font.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import BinaryIO

from reportlab.graphics.shapes import Drawing
from reportlab.platypus import (BaseDocTemplate, Frame, KeepTogether, PageBreak, PageTemplate,
                                Spacer)

from app.reports.typeset.fonts import FontSet
from app.reports.typeset.keep import SLACK, TABLE_START, Ending, KeepStart, TableEnd
from app.reports.typeset.layout import (CHAR, LEADING, MARGIN_BOTTOM, MARGIN_LEFT, PAGE_HEIGHT, PAGE_NUMBER_GAP, PAGE_NUMBER_SIZE, PAGE_WIDTH, TABLE_SIZE, TEXT_HEIGHT, TEXT_WIDTH, Styles, lines_to_grid, split_title, width_of)
from app.reports.typeset.linebreak import CJKParagraph as Paragraph
from app.reports.typeset.tables import build_table, cell_text

CREATOR = "履职考评"

_CN_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (for heading numbers up to 99)."""
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十"))
    return text + (_CN_DIGITS[ones] if ones else "")


def chinese_date(day: dt.date | str) -> str:
    """2026-11-22 → 2026年11月22日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    if isinstance(day, str):
        return day
    return f"{day.year}年{day.month}月{day.day}日"


class OfficialDocument:
    """Collects the parts of one report and lays them out on GB/T 9704 pages (see module doc)."""

    def __init__(self, title: str, issuer: str, date: dt.date | str, fonts: FontSet, *,
                 subtitle: str | None = None, signature: str = "end"):
        if signature not in ("end", "top", "none"):
            raise ValueError("signature must be 'end', 'top' or 'none'")
        self.title = title
        self.issuer = issuer
        self.date_text = chinese_date(date)
        self.fonts = fonts
        self.styles = Styles(fonts)
        self.signature = signature
        self._story: list = []
        self._numbers = [0, 0, 0]
        self._figures = 0
        self._tables = 0
        self.pages = 0
        self._title_block(subtitle)

    # ----- text -----------------------------------------------------------------------------
    def _markup(self, text: str, role: str, grid: bool = True) -> str:
        return (self.styles.grid if grid else self.styles.plain).markup(text, role)

    def _title_block(self, subtitle: str | None) -> None:
        st = self.styles
        lines = split_title(self.title, st.plain.heiti)
        markup = "<br/>".join(self._markup(line, "heiti", grid=False) for line in lines)
        self._story.append(Paragraph(markup, st.title))
        height = len(lines) * st.title.leading
        under = []
        if subtitle:
            under.append(subtitle)
        if self.signature == "top":
            under.append(f"{self.issuer}\u3000{self.date_text}")
        for line in under:
            self._story.append(Paragraph(self._markup(line, "kaiti"), st.subtitle))
            height += LEADING
        # 主送机关/正文 start one empty line below the title, back on the body grid.
        self._story.append(Spacer(1, lines_to_grid(height)))

    def heading(self, level: int, text: str) -> None:
        """A heading as given, numbering included: heading(1, "一、总体情况")."""
        if level not in (1, 2, 3):
            raise ValueError("heading level must be 1, 2 or 3")
        st = self.styles
        p = Paragraph(self._markup(text, st.heading_roles[level]), st.headings[level])
        p.is_heading = True
        self._story.append(p)

    def section(self, level: int, text: str) -> str:
        """A numbered heading: 一、 / （一） / 1. counted per document; returns the full text."""
        self._numbers[level - 1] += 1
        for lower in range(level, 3):
            self._numbers[lower] = 0
        n = self._numbers[level - 1]
        number = {1: f"{chinese_number(n)}、", 2: f"（{chinese_number(n)}）", 3: f"{n}."}[level]
        self.heading(level, number + text)
        return number + text

    def paragraph(self, text: str, *, lead: str | None = None, lead_role: str = "kaiti",
                  indent: bool = True) -> None:
        """A body paragraph (仿宋, first line indented two characters). `lead` is a run-in
        heading in another face, e.g. lead="（一）工作饱和度。" in 楷体."""
        st = self.styles
        markup = self._markup(text, "fangsong")
        if lead:
            markup = f'<font face="{st.grid.role(lead_role)}">{self._markup(lead, lead_role)}</font>' + markup
        self._story.append(Paragraph(markup, st.body if indent else st.body_flush))

    def note(self, text: str) -> None:
        """A 注 line in 4号仿宋 with a hanging indent; "注：" is added unless present."""
        self._story.append(self._note_paragraph(text))

    def _note_paragraph(self, text: str) -> Paragraph:
        if not text.startswith("注"):
            text = "注：" + text
        return Paragraph(self._markup(text, "fangsong", grid=False), self.styles.note)

    def blank_line(self, lines: int = 1) -> None:
        self._story.append(Spacer(1, LEADING * lines))

    def page_break(self) -> None:
        self._story.append(PageBreak())

    # ----- tables and figures -------------------------------------------------------------
    def table(self, headers: Sequence[str], rows: Sequence[Sequence], *,
              col_widths: Sequence[float] | None = None, align: Sequence[str] | None = None,
              caption: str | None = None, notes: Sequence[str] = (),
              emphasize_last: bool = False, font_size: float = TABLE_SIZE) -> None:
        """A ruled table across the text width. Cells wrap (no overflow); the header row repeats
        on every page; long rows may split across pages. `align` per column: "L", "C" or "R";
        by default columns whose cells are all numbers are right-aligned. `caption` prints above
        as "表N　caption"; `notes` below as 注 lines. `emphasize_last` sets a 合计 row in 黑体."""
        st = self.styles
        texts = [[cell_text(v) for v in row] for row in rows]
        flow = build_table(self, list(headers), texts, col_widths=col_widths, align=align,
                           font_size=font_size, emphasize_last=emphasize_last)
        parts: list = []
        if caption:
            self._tables += 1
            label = caption if caption.startswith("表") else f"表{self._tables}\u3000{caption}"
            parts.append(Paragraph(self._markup(label, "heiti", grid=False), st.caption))
            parts.append(Spacer(1, 4))
        if notes:                  # the notes stay with the table's last row
            flow = TableEnd(flow, [Spacer(1, 3), *(self._note_paragraph(t) for t in notes)])
        # The caption, the header and the first rows start on one page; a long table then runs
        # on (keeping the whole table together would leave most of a page empty).
        self._story.append(KeepStart([*parts, flow], need=TABLE_START))
        self._story.append(Spacer(1, LEADING / 2))

    def figure(self, drawing: Drawing, caption: str) -> None:
        """A chart (reportlab Drawing) centred, scaled down to the text width if wider, with
        "图N　caption" below; drawing and caption stay on one page."""
        self._figures += 1
        label = caption if caption.startswith("图") else f"图{self._figures}\u3000{caption}"
        if drawing.width > TEXT_WIDTH:
            factor = TEXT_WIDTH / drawing.width
            drawing.scale(factor, factor)
            drawing.width *= factor
            drawing.height *= factor
        drawing.hAlign = "CENTER"
        caption_p = Paragraph(self._markup(label, "heiti", grid=False), self.styles.caption)
        self._story.append(KeepTogether([Spacer(1, 6), drawing, Spacer(1, 4), caption_p,
                                         Spacer(1, LEADING / 2)]))

    # ----- build ----------------------------------------------------------------------------
    def _signature_block(self) -> list:
        st = self.styles
        font = st.grid.fangsong
        w_issuer = width_of(self.issuer, font, st.body.fontSize)
        w_date = width_of(self.date_text, font, st.body.fontSize)
        x_issuer = TEXT_WIDTH - 2 * CHAR - w_issuer
        x_date = x_issuer + 2 * CHAR
        if x_date + w_date > TEXT_WIDTH - 2 * CHAR:      # date longer: date two characters in
            x_date = TEXT_WIDTH - 2 * CHAR - w_date
            x_issuer = x_date - 2 * CHAR
        x_issuer, x_date = max(0.0, x_issuer), max(0.0, x_date)
        return [Spacer(1, LEADING),
                Paragraph(self._markup(self.issuer, "fangsong"),
                          st.signature.clone("issuer", leftIndent=x_issuer)),
                Paragraph(self._markup(self.date_text, "fangsong"),
                          st.signature.clone("date", leftIndent=x_date))]

    def _draw_page_number(self, canvas, doc) -> None:
        n = canvas.getPageNumber()
        text = f"— {n} —"
        font = self.fonts.songti
        w = width_of(text, font, PAGE_NUMBER_SIZE)
        if n % 2:   # odd page: right, one character in
            x = MARGIN_LEFT + TEXT_WIDTH - PAGE_NUMBER_SIZE - w
        else:       # even page: left, one character in
            x = MARGIN_LEFT + PAGE_NUMBER_SIZE
        # The dashes sit about 0.32 em above the baseline; their line is 7 mm under the block.
        y = MARGIN_BOTTOM - PAGE_NUMBER_GAP - 0.32 * PAGE_NUMBER_SIZE
        canvas.saveState()
        canvas.setFont(font, PAGE_NUMBER_SIZE)
        canvas.drawString(x, y, text)
        canvas.restoreState()

    def build(self, target: str | BinaryIO) -> int:
        """Write the PDF to a path or a binary file object; returns the number of pages."""
        story = list(self._story)
        if self.signature == "end":
            if story and isinstance(story[-1], Paragraph):
                story[-1] = Ending(story[-1], self._signature_block())
            else:
                story.append(KeepTogether(self._signature_block()))
        story = _keep_headings(story)
        template = BaseDocTemplate(
            str(target) if not hasattr(target, "write") else target,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN_LEFT, bottomMargin=MARGIN_BOTTOM,
            title=self.title.replace("\n", ""), author=self.issuer, creator=CREATOR,
            subject=self.title.replace("\n", ""))
        # SLACK: 22 lines of 28.99 pt must fit 225 mm despite floating-point sums.
        frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM - SLACK, TEXT_WIDTH, TEXT_HEIGHT + SLACK,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        template.addPageTemplates([PageTemplate("gbt9704", [frame],
                                                onPage=self._draw_page_number)])
        template.build(story)
        self.pages = template.page
        return self.pages


def _keep_headings(story: list) -> list:
    """Each run of headings travels with the start of the flowable after it (keep.KeepStart)."""
    out, heads = [], []
    for f in story:
        if getattr(f, "is_heading", False):
            heads.append(f)
            continue
        if heads and not isinstance(f, (PageBreak, Spacer)):
            out.append(KeepStart([*heads, f]))
        else:
            out += heads + [f]
        heads = []
    return out + heads


__all__ = ["OfficialDocument", "chinese_number", "chinese_date"]

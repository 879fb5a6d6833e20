"""Chinese line breaking (避头尾) for reportlab paragraphs.

reportlab's CJK wrapping knows Japanese punctuation but not the Chinese full-width comma,
semicolon, colon, question and exclamation marks, closing book-title marks or quotes, so lines
started with "，" or "》"; where it does know a mark it lets it hang into the right margin, and
after a number such as "96.5%" it could move a comma to the next line. `CJKParagraph` breaks
lines the way Chinese typesetting (and Word's 按中文习惯控制首尾字符) does, inside the text block:

- no line starts with closing punctuation (，。、；：？！）》”… %); the character before it moves
  down with it (推出, and with it a number such as "96.5%" before "，"); the shorter line is
  justified;
- no line ends with opening punctuation (（《“…);
- runs of Latin letters and digits ("8956.5", "96.5%", "SD-07") are not split unless a run is
  longer than half a line.
"""
from __future__ import annotations

from reportlab.platypus import paragraph as _rl
from reportlab.platypus.paragraph import Paragraph, ParaLines, makeCJKParaLine
from reportlab.rl_config import _FUZZ

NO_LINE_START = frozenset("，。、；：？！）》」』〕】〉”’…—～·．%‰℃°,.;:?!)]}") | frozenset(
    _rl.ALL_CANNOT_START)
NO_LINE_END = frozenset("（《「『〔【〈“‘([{")
_WORD_EXTRA = frozenset(".%_-/:@#+&'")


def _wordlike(ch: str) -> bool:
    return bool(ch) and ch.isascii() and (ch.isalnum() or ch in _WORD_EXTRA)


def _good_break(chars: list[str], b: int) -> bool:
    """May a line end before chars[b]?"""
    before, after = chars[b - 1], chars[b]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return not (_wordlike(before) and _wordlike(after))


def break_lines(chars: list[str], widths: list[float], max_widths: list[float],
                hard: set[int] = frozenset()) -> list[tuple[int, int, float, bool]]:
    """Lines as (start, end, width used, ends with a hard break); characters at the `hard`
    indices end their line (and belong to it)."""
    lines: list[tuple[int, int, float, bool]] = []
    n, start = len(chars), 0
    while start < n:
        max_w = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i, forced = 0.0, start, False
        while i < n:
            if i in hard:
                i, forced = i + 1, True
                break
            if used + widths[i] > max_w + _FUZZ and i > start:
                break
            used += widths[i]
            i += 1
        b = i
        if not forced and i < n and not _good_break(chars, b):
            limit = start + max(1, (i - start) // 2)  # move down at most half a line
            b = i
            while b > limit and not _good_break(chars, b):
                b -= 1
            if not _good_break(chars, b):
                b = i                                  # no better place: break where it overflowed
            used = sum(widths[start:b])
        lines.append((start, b, used, forced))
        start = b
        while start < n and chars[start] == " " and start not in hard:   # no leading spaces
            start += 1
    return lines


def split_frags(frags, max_widths, calc_bounds: bool):
    """Replacement of reportlab's cjkFragSplit with the rules above (same result type)."""
    units = []
    for f in frags:
        text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
        if text:
            units.extend(_rl.cjkU(t, f, "utf8") for t in text)
        else:                                  # e.g. a <br/> or an image frag
            units.append(_rl.cjkU(text, f, "utf8"))
    chars = [str(u) for u in units]
    widths = []
    for u in units:
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_widths[0]
            w = w.normalizedValue(max_widths[0])
        widths.append(w)
    hard = {k for k, u in enumerate(units) if hasattr(u.frag, "lineBreak")}
    lines = []
    for k, (start, end, used, forced) in enumerate(break_lines(chars, widths, max_widths, hard)):
        max_w = max_widths[min(k, len(max_widths) - 1)]
        lines.append(makeCJKParaLine(units[start:end], max_w, used, max_w - used, forced,
                                     calc_bounds))
    return ParaLines(kind=1, lines=lines)


class CJKParagraph(Paragraph):
    """A Paragraph whose CJK wrapping (wordWrap="CJK") follows the Chinese rules above."""

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        _rl._handleBulletWidth(self.bulletText, style, maxWidths)
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return split_frags(self.frags, maxWidths, auto not in ("", "off"))

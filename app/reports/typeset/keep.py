"""Page-break rules of the report layout as two small platypus flowables.

reportlab's keepWithNext keeps a heading with the *whole* next flowable, so a heading before a
long paragraph near the foot of a page moved that paragraph over and left half a page empty.
Chinese official documents keep a heading with the first lines of what follows, and never let
the 落款 (issuer and date) stand alone at the top of a page:

- `KeepStart([heading, …, next], need)`: the headings stay with the first `need` points of
  `next` (two lines of a paragraph, a figure whole, a table's caption, header and first rows);
  `next` then splits as usual. It is a layout directive: it always splits into its parts.
- `Ending(paragraph, signature)`: the last paragraph and the 落款; when the 落款 does not fit
  under the paragraph, the paragraph's last two lines go over with it.
- `TableEnd(table, notes)`: a table and the 注 lines under it; when the notes do not fit under
  the table's last row, that row goes over with them (a note never opens a page alone).
"""
from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from app.reports.typeset.layout import LEADING, TEXT_HEIGHT

SLACK = 0.01
TABLE_START = TEXT_HEIGHT / 6       # a table's caption, header row and first rows


def min_height(f: Flowable, aW: float, aH: float) -> float:
    """How much of `f` must fit below a heading for the heading to stay on this page."""
    if isinstance(f, KeepStart):
        return f.min_height(aW, aH)
    h = f.wrap(aW, aH)[1]
    if isinstance(f, (Paragraph, Ending)):
        return min(h, 2 * LEADING)
    if isinstance(f, KeepTogether):          # a figure with its caption: whole
        return h
    return min(h, TABLE_START)


class KeepStart(Flowable):
    """Headings (or a caption) kept with the start of the flowable after them (module doc)."""

    def __init__(self, parts: list, need: float | None = None):
        super().__init__()
        self.parts = parts
        self.need = need

    def min_height(self, aW: float, aH: float) -> float:
        heads = sum(p.wrap(aW, aH)[1] for p in self.parts[:-1])
        last = self.parts[-1]
        start = (min(last.wrap(aW, aH)[1], self.need) if self.need is not None
                 else min_height(last, aW, aH))
        return heads + start

    def wrap(self, aW, aH):
        return aW, aH + 1                     # never drawn whole: the frame always splits it

    def split(self, aW, aH):
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        if not (at_top or self.min_height(aW, aH) <= aH + SLACK):
            return []                         # all of it starts on the next page
        first = self.parts[0]
        if len(self.parts) == 1 and first.wrap(aW, aH)[1] > aH + SLACK:
            return first.split(aW, aH)        # platypus places the first part unsplit
        return list(self.parts)

    def draw(self):                           # pragma: no cover - split always replaces it
        pass


class TableEnd(Flowable):
    """A table followed by its notes (module doc)."""

    def __init__(self, table: Flowable, notes: list):
        super().__init__()
        self.table = table
        self.notes = notes
        self._wrapped_at = None

    def wrap(self, aW, aH):
        if self._wrapped_at != aW:   # heights depend on the width only; a long table is slow
            self._heights = [self.table.wrap(aW, aH)[1]] + [f.wrap(aW, aH)[1] for f in self.notes]
            self._wrapped_at = aW
        self.width, self.height = aW, sum(self._heights)
        return self.width, self.height

    def split(self, aW, aH):
        self.wrap(aW, aH)
        if self.height <= aH + SLACK:
            return [self.table, *self.notes]
        if self._heights[0] > aH + SLACK:             # the table runs on: its end decides later
            parts = self.table.split(aW, aH)
            return [parts[0], TableEnd(parts[1], self.notes)] if len(parts) == 2 else []
        # The table fits but its notes do not: break above the last row, which goes over.
        rows = list(getattr(self.table, "_rowHeights", None) or [])
        parts = self.table.split(aW, self._heights[0] - rows[-1] - 1) if len(rows) > 2 else []
        if len(parts) == 2:
            return [parts[0], KeepTogether([parts[1], *self.notes])]
        return []           # a one-row table: it moves on with its notes

    def draw(self):
        y = self.height
        for f, h in zip([self.table, *self.notes], self._heights):
            y -= h
            f.drawOn(self.canv, 0, y)


class Ending(Flowable):
    """The last paragraph followed by the 落款 (module doc)."""

    def __init__(self, last: Paragraph, signature: list):
        super().__init__()
        self.last = last
        self.signature = signature

    def wrap(self, aW, aH):
        self._heights = [self.last.wrap(aW, aH)[1]] + [f.wrap(aW, aH)[1] for f in self.signature]
        self.width, self.height = aW, sum(self._heights)
        return self.width, self.height

    def split(self, aW, aH):
        self.wrap(aW, aH)
        if self.height <= aH + SLACK:
            return [self.last, *self.signature]
        room = min(aH, self._heights[0] - 2 * LEADING)
        parts = self.last.split(aW, room) if room >= LEADING else []
        if len(parts) == 2:
            return [parts[0], KeepTogether([parts[1], *self.signature])]
        return []           # nothing fits here: the paragraph and the 落款 move on together

    def draw(self):
        y = self.height
        for f, h in zip([self.last, *self.signature], self._heights):
            y -= h
            f.drawOn(self.canv, 0, y)

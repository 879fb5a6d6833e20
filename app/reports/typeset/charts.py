"""Vector charts for printed reports (reportlab Drawings, 156 mm wide to fill the text block).

Every chart labels its values in text and separates its parts by lightness, hatching or line
style as well as by hue, so a grayscale print reads the same as a colour one. Labels use the
CJK print fonts; names with characters the main font lacks switch to a fallback font.

    saturation_bars   horizontal bars of saturation per section/person over the band zones
    hours_histogram   persons per daily-average-hours bucket (< 5, 5–7, 7–10, > 10 h)
    category_bars     hours per work category, largest first, with shares
    donut             shares with a legend (e.g. work categories, focus)
    focus_bars        100 % stacked bars core / general / auxiliary, one row per period or unit
    trend_lines       weekly (or monthly) values, one or more series, optional band and 100 % line
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import (Circle, Drawing, Group, Line, PolyLine, Polygon, Rect,
                                       String, Wedge)
from reportlab.lib import colors

from app.reports.typeset.fonts import FontSet
from app.reports.typeset.layout import TEXT_WIDTH, width_of
from app.reports.model import DAILY_BUCKETS, Bands, FocusShares

INK = colors.Color(0.1, 0.1, 0.1)
GRID = colors.Color(0.75, 0.75, 0.75)
BAR = colors.HexColor("#2f4b7c")           # dark: grey ≈ 30 % in print
ZONE_FILL = {"green": colors.HexColor("#dcefd6"), "yellow": colors.HexColor("#fcf1c9"),
             "red": colors.HexColor("#f6d5d1")}
HATCH = colors.HexColor("#d98880")
# Sequential blues, dark to light: order survives grayscale printing.
SEQUENCE = [colors.HexColor(h) for h in ("#1f3864", "#2f5597", "#4f7fc0", "#7ea6d8", "#a9c4e8",
                                         "#cfdcef", "#e6ecf6", "#f4f6fb")]
FOCUS_FILLS = (colors.HexColor("#1f3864"), colors.HexColor("#6f93c8"), colors.HexColor("#dde6f3"))
FOCUS_LABELS = FocusShares.LABELS
LABEL_SIZE = 9.0
VALUE_SIZE = 8.5
MAX_DONUT_SLICES = len(SEQUENCE)


# ----- helpers --------------------------------------------------------------------------------
def _s(fonts: FontSet, x: float, y: float, text: str, size: float = LABEL_SIZE,
       anchor: str = "start", color=INK, role: str = "songti") -> String:
    return String(x, y, text, fontName=fonts.font_for(text, role), fontSize=size,
                  textAnchor=anchor, fillColor=color)


def _boxed(fonts: FontSet, x: float, y: float, text: str, size: float = VALUE_SIZE,
           anchor: str = "start") -> Group:
    """A label on a white box, readable over grid lines, zones and other series."""
    w = _w(fonts, text, size)
    left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return Group(Rect(left - 1, y - size * 0.25, w + 2, size * 1.1, fillColor=colors.white,
                      strokeColor=None),
                 _s(fonts, x, y, text, size, anchor))


def _w(fonts: FontSet, text: str, size: float = LABEL_SIZE, role: str = "songti") -> float:
    return width_of(text, fonts.font_for(text, role), size)


def fit_text(fonts: FontSet, text: str, max_width: float, size: float = LABEL_SIZE) -> str:
    """`text`, cut with "…" so it is at most max_width wide."""
    if _w(fonts, text, size) <= max_width + 1e-6:     # label widths are summed and subtracted
        return text
    while text and _w(fonts, text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def _pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(span: float, ticks: int = 5) -> float:
    """A 1/2/2.5/5 × 10^k step giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def hatch(x: float, y: float, w: float, h: float, spacing: float = 5.0, color=HATCH,
          width: float = 0.5) -> Group:
    """45° lines filling the rectangle (for red zones and grayscale-safe fills)."""
    g = Group()
    c = -h
    while c < w:
        t0, t1 = max(0.0, -c), min(h, w - c)
        if t1 > t0:
            g.add(Line(x + c + t0, y + t0, x + c + t1, y + t1, strokeColor=color, strokeWidth=width))
        c += spacing
    return g


def _zones(bands: Bands) -> list[tuple[float, float, str, str]]:
    """(from, to, colour key, label) along the saturation axis; the last zone is open-ended."""
    return [(0.0, bands.yellow_low, "red", "过低"), (bands.yellow_low, bands.green_low, "yellow", "偏低"),
            (bands.green_low, bands.green_high, "green", "适中"),
            (bands.green_high, bands.yellow_high, "yellow", "偏高"),
            (bands.yellow_high, math.inf, "red", "过高")]


def _legend(fonts: FontSet, d: Drawing, x: float, y: float, entries, size: float = LABEL_SIZE,
            gap: float = 14.0) -> float:
    """Swatches with labels in one row from (x, y); entries: (label, fill, hatched). Returns the
    x after the last entry."""
    for label, fill, hatched in entries:
        d.add(Rect(x, y - 1, 10, 8, fillColor=fill, strokeColor=INK, strokeWidth=0.4))
        if hatched:
            d.add(hatch(x, y - 1, 10, 8, spacing=3, color=INK, width=0.3))
        d.add(_s(fonts, x + 13, y, label, size))
        x += 13 + _w(fonts, label, size) + gap
    return x


# ----- saturation -----------------------------------------------------------------------------
def saturation_bars(items: Sequence[tuple[str, float | None]], fonts: FontSet,
                    bands: Bands = Bands(), *, width: float = TEXT_WIDTH,
                    value_max: float | None = None, pitch: float = 17.0) -> Drawing:
    """Horizontal bars, one per (name, saturation) in the given order, over the band zones
    (red zones hatched, zone names on top), with a dashed reference line at 100 % and the value
    at each bar's end. None prints "无数据" instead of a bar."""
    values = [v for _, v in items if v is not None]
    top = max(values + [bands.yellow_high + 0.15]) if value_max is None else value_max
    step = 0.2 if top <= 2.0 else nice_step(top, 6)
    vmax = math.ceil(top / step - 1e-9) * step
    label_w = min(max((_w(fonts, n) for n, _ in items), default=0) + 6, width * 0.26)
    head, foot, right = 16.0, 16.0, 8.0
    n = max(len(items), 1)
    height = head + n * pitch + foot
    x0, x1 = label_w, width - right
    y0, y1 = foot, foot + n * pitch

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * min(v, vmax) / vmax

    d = Drawing(width, height)
    for lo, hi, key, label in _zones(bands):
        if lo >= vmax:
            continue
        a, b = sx(lo), sx(min(hi, vmax))
        d.add(Rect(a, y0, b - a, y1 - y0, fillColor=ZONE_FILL[key], strokeColor=None))
        if key == "red":
            d.add(hatch(a, y0, b - a, y1 - y0, spacing=6, color=HATCH, width=0.3))
        if b - a >= _w(fonts, label, 8) + 2:
            d.add(_s(fonts, (a + b) / 2, y1 + 4, label, 8, "middle"))
    t = 0.0
    while t <= vmax + 1e-9:
        x = sx(t)
        d.add(Line(x, y0, x, y0 - 3, strokeColor=INK, strokeWidth=0.5))
        d.add(_s(fonts, x, y0 - 12, _pct(t, 0), 8, "middle"))
        t += step
    d.add(Line(x0, y0, x1, y0, strokeColor=INK, strokeWidth=0.6))
    d.add(Line(x0, y0, x0, y1, strokeColor=INK, strokeWidth=0.6))
    ref = sx(1.0)
    d.add(Line(ref, y0, ref, y1 + 2, strokeColor=INK, strokeWidth=0.9, strokeDashArray=[3, 2]))
    bar_h = pitch * 0.58
    for i, (name, v) in enumerate(items):
        yc = y1 - (i + 0.5) * pitch
        d.add(_s(fonts, x0 - 4, yc - 3, fit_text(fonts, name, label_w - 6), LABEL_SIZE, "end"))
        if v is None:
            d.add(_s(fonts, x0 + 4, yc - 3, "无数据", VALUE_SIZE, color=colors.Color(.4, .4, .4)))
            continue
        xe = sx(v)
        d.add(Rect(x0, yc - bar_h / 2, xe - x0, bar_h, fillColor=BAR, strokeColor=None))
        text = _pct(v)
        if xe + 4 + _w(fonts, text, VALUE_SIZE) <= x1:
            d.add(_boxed(fonts, xe + 4, yc - 3, text))
        else:
            d.add(_s(fonts, xe - 3, yc - 3, text, VALUE_SIZE, "end", colors.white))
    return d


# ----- histogram and categories -----------------------------------------------------------
def hours_histogram(counts: Sequence[int], fonts: FontSet, *,
                    labels: Sequence[str] = DAILY_BUCKETS, unit: str = "人",
                    width: float = TEXT_WIDTH, height: float = 150.0) -> Drawing:
    """Vertical bars: how many persons fall in each daily-average-hours bucket, with the count and
    the share above each bar. The lowest bucket is hatched (grayscale-safe warning)."""
    if len(counts) != len(labels):
        raise ValueError("one count per bucket")
    total = sum(counts)
    top = max(max(counts, default=0), 1)
    step = max(1, math.ceil(nice_step(top, 4)))
    ymax = math.ceil(top * 1.15 / step) * step
    left, foot, head = 34.0, 22.0, 14.0
    x0, x1, y0, y1 = left, width - 8, foot, height - head
    d = Drawing(width, height)
    t = 0
    while t <= ymax:
        y = y0 + (y1 - y0) * t / ymax
        d.add(Line(x0, y, x1, y, strokeColor=GRID if t else INK, strokeWidth=0.4 if t else 0.6))
        d.add(_s(fonts, x0 - 4, y - 3, str(t), 8, "end"))
        t += step
    d.add(_s(fonts, x0 - 4, y1 + 6, unit, 8, "end"))
    slot = (x1 - x0) / len(counts)
    bar_w = min(slot * 0.55, 70)
    for i, (label, c) in enumerate(zip(labels, counts)):
        xc = x0 + (i + 0.5) * slot
        h = (y1 - y0) * c / ymax
        d.add(Rect(xc - bar_w / 2, y0, bar_w, h, fillColor=BAR if i else SEQUENCE[3],
                   strokeColor=INK, strokeWidth=0.4))
        if i == 0 and h > 0:
            d.add(hatch(xc - bar_w / 2, y0, bar_w, h, spacing=4, color=INK, width=0.35))
        share = f"（{_pct(c / total)}）" if total else ""
        d.add(_s(fonts, xc, y0 + h + 4, f"{c}{unit}{share}", VALUE_SIZE, "middle"))
        d.add(_s(fonts, xc, y0 - 13, label, LABEL_SIZE, "middle"))
    return d


def category_bars(items: Sequence[tuple[str, float]], fonts: FontSet, *, unit: str = "小时",
                  width: float = TEXT_WIDTH, pitch: float = 17.0) -> Drawing:
    """Horizontal bars of hours per category, largest first, labelled "123.5小时（23.4%）"."""
    rows = sorted(((n, v) for n, v in items if v > 0), key=lambda r: -r[1])
    total = sum(v for _, v in rows)
    label_w = min(max((_w(fonts, n) for n, _ in rows), default=0) + 6, width * 0.26)
    value_w = max((_w(fonts, f"{_num(v)}{unit}（{_pct(v / total)}）", VALUE_SIZE) for _, v in rows),
                  default=0) + 6
    foot, head = 6.0, 4.0
    height = foot + head + max(len(rows), 1) * pitch
    d = Drawing(width, height)
    x0, x1 = label_w, width - value_w
    vmax = rows[0][1] if rows else 1.0
    y1 = height - head
    d.add(Line(x0, foot, x0, y1, strokeColor=INK, strokeWidth=0.6))
    if not rows:
        d.add(_s(fonts, x0 + 6, y1 - pitch / 2 - 3, "无数据", LABEL_SIZE))
    for i, (name, v) in enumerate(rows):
        yc = y1 - (i + 0.5) * pitch
        w = (x1 - x0) * v / vmax
        d.add(_s(fonts, x0 - 4, yc - 3, fit_text(fonts, name, label_w - 6), LABEL_SIZE, "end"))
        d.add(Rect(x0, yc - pitch * 0.29, w, pitch * 0.58, fillColor=BAR, strokeColor=None))
        d.add(_s(fonts, x0 + w + 3, yc - 3, f"{_num(v)}{unit}（{_pct(v / total)}）", VALUE_SIZE))
    return d


def donut(items: Sequence[tuple[str, float]], fonts: FontSet, *, center: str | None = None,
          width: float = TEXT_WIDTH, height: float = 150.0, fills=None,
          unit: str | None = "小时") -> Drawing:
    """A ring of shares, largest first clockwise from 12 o'clock, fills dark to light; the share
    is printed on each slice of 5 % or more and in the legend beside the ring (with the value in
    `unit` unless unit is None). More than eight items: the smallest are summed as "其他"."""
    rows = sorted(((n, v) for n, v in items if v > 0), key=lambda r: -r[1])
    if len(rows) > MAX_DONUT_SLICES:
        rest = sum(v for _, v in rows[MAX_DONUT_SLICES - 1:])
        rows = rows[:MAX_DONUT_SLICES - 1] + [("其他", rest)]
    fills = list(fills or SEQUENCE)
    total = sum(v for _, v in rows)
    d = Drawing(width, height)
    r = height / 2 - 8
    r_in = r * 0.55
    cx, cy = r + 16, height / 2
    if not rows:
        d.add(Circle(cx, cy, r, fillColor=None, strokeColor=GRID))
        d.add(_s(fonts, cx, cy - 3, "无数据", LABEL_SIZE, "middle"))
        return d
    angle = 90.0
    labels = []
    for i, (name, v) in enumerate(rows):
        sweep = 360.0 * v / total
        start, end = angle - sweep, angle
        fill = fills[i % len(fills)]
        if sweep >= 359.99:
            d.add(Circle(cx, cy, r, fillColor=fill, strokeColor=INK, strokeWidth=0.4))
        else:
            d.add(Wedge(cx, cy, r, start, end, fillColor=fill, strokeColor=colors.white,
                        strokeWidth=1.2))
        if v / total >= 0.05:
            mid = math.radians((start + end) / 2)
            rm = (r + r_in) / 2
            color = INK if _lightness(fill) > 0.6 else colors.white
            labels.append(_s(fonts, cx + rm * math.cos(mid), cy + rm * math.sin(mid) - 3,
                             _pct(v / total), VALUE_SIZE, "middle", color))
        angle = start
    # A white disc makes the ring (reportlab's annular wedges draw wrongly in some viewers).
    d.add(Circle(cx, cy, r_in, fillColor=colors.white, strokeColor=colors.white))
    for label in labels:
        d.add(label)
    if len(rows) > 1 and any(fills[i % len(fills)] == colors.white for i in range(len(rows))):
        d.add(Circle(cx, cy, r, fillColor=None, strokeColor=INK, strokeWidth=0.4))
    if center:
        lines = center.split("\n")
        for k, line in enumerate(lines):
            d.add(_s(fonts, cx, cy + (len(lines) / 2 - k - 0.8) * 12, line, 10, "middle",
                     role="heiti"))
    lx = cx + r + 28
    pitch = min(18.0, (height - 10) / len(rows))
    ly = cy + pitch * len(rows) / 2 - pitch * 0.7
    for i, (name, v) in enumerate(rows):
        y = ly - i * pitch
        d.add(Rect(lx, y - 1, 10, 8, fillColor=fills[i % len(fills)], strokeColor=INK,
                   strokeWidth=0.4))
        d.add(_s(fonts, lx + 14, y, fit_text(fonts, name, 110)))
        d.add(_s(fonts, lx + 130, y, _pct(v / total), LABEL_SIZE))
        if unit is not None:
            d.add(_s(fonts, lx + 180, y, f"{_num(v)}{unit}", LABEL_SIZE))
    return d


def _lightness(c) -> float:
    return 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue


# ----- focus ----------------------------------------------------------------------------------
def focus_bars(rows: Sequence[tuple[str, FocusShares | None]], fonts: FontSet, *,
               width: float = TEXT_WIDTH, pitch: float = 24.0) -> Drawing:
    """100 % stacked bars, one per (label, shares): core dark, general mid, auxiliary light and
    hatched; shares printed inside the segments; legend on top."""
    label_w = min(max((_w(fonts, n) for n, _ in rows), default=0) + 8, width * 0.3)
    head, foot = 22.0, 4.0
    height = head + foot + max(len(rows), 1) * pitch
    d = Drawing(width, height)
    _legend(fonts, d, label_w, height - 12,
            [(lab, fill, k == 2) for k, (lab, fill) in enumerate(zip(FOCUS_LABELS, FOCUS_FILLS))])
    x0, x1 = label_w, width - 6
    y1 = height - head
    for i, (name, shares) in enumerate(rows):
        yc = y1 - (i + 0.5) * pitch
        bh = pitch * 0.62
        d.add(_s(fonts, x0 - 6, yc - 3, fit_text(fonts, name, label_w - 8), LABEL_SIZE, "end"))
        if shares is None:
            d.add(_s(fonts, x0 + 4, yc - 3, "无数据", VALUE_SIZE))
            continue
        x = x0
        for k, part in enumerate((shares.core, shares.general, shares.auxiliary)):
            w = (x1 - x0) * part
            if w <= 0:
                continue
            fill = FOCUS_FILLS[k]
            d.add(Rect(x, yc - bh / 2, w, bh, fillColor=fill, strokeColor=colors.white,
                       strokeWidth=0.8))
            if k == 2:
                d.add(hatch(x, yc - bh / 2, w, bh, spacing=4, color=colors.Color(.55, .6, .7),
                            width=0.3))
            text = _pct(part)
            if _w(fonts, text, VALUE_SIZE) + 4 <= w:
                color = INK if _lightness(fill) > 0.6 else colors.white
                d.add(_s(fonts, x + w / 2, yc - 3, text, VALUE_SIZE, "middle", color))
            x += w
    return d


# ----- trends ---------------------------------------------------------------------------------
_SERIES_STYLE = [  # (stroke colour, dash, marker)
    (colors.HexColor("#1f3864"), None, "circle"),
    (colors.Color(.35, .35, .35), [4, 2], "square"),
    (colors.HexColor("#7ea6d8"), [1, 2], "triangle"),
]


def _marker(kind: str, x: float, y: float, color, size: float = 3.0):
    if kind == "circle":
        return Wedge(x, y, size, 0, 360, fillColor=color, strokeColor=color)
    if kind == "square":
        return Rect(x - size, y - size, 2 * size, 2 * size, fillColor=colors.white,
                    strokeColor=color, strokeWidth=0.9)
    return Polygon([x - size, y - size, x + size, y - size, x, y + size],
                   fillColor=color, strokeColor=color)


def trend_lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                fonts: FontSet, *, percent: bool = True, reference: float | None = 1.0,
                bands: Bands | None = None, width: float = TEXT_WIDTH,
                height: float = 170.0, value_labels: bool = True) -> Drawing:
    """Lines over time (e.g. weekly saturation): series told apart by dash and marker shape; the
    first series' values printed at its points; a dashed reference line (100 %) and, with
    `bands`, the green zone shaded. None leaves a gap."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = max(values + ([reference] if reference is not None else []) +
              ([bands.green_high] if bands else []) + [0.0])
    step = nice_step(top * 1.15 or 1.0, 5)
    ymax = math.ceil(top * 1.12 / step) * step or step
    fmt = (lambda v: _pct(v, 0)) if percent else _num
    left = max(_w(fonts, fmt(ymax), 8) + 8, 30.0)
    head = 22.0 if len(series) > 1 else 10.0
    foot = 18.0
    x0, x1, y0, y1 = left, width - (_w(fonts, "适中区间", 8) + 8 if bands else 12), foot, height - head
    d = Drawing(width, height)
    n = len(labels)

    def sx(i: int) -> float:
        return x0 + (x1 - x0) * (i + 0.5) / max(n, 1)

    def sy(v: float) -> float:
        return y0 + (y1 - y0) * min(v, ymax) / ymax

    if bands:
        d.add(Rect(x0, sy(bands.green_low), x1 - x0, sy(bands.green_high) - sy(bands.green_low),
                   fillColor=ZONE_FILL["green"], strokeColor=None))
        d.add(_s(fonts, x1 + 4, (sy(bands.green_low) + sy(bands.green_high)) / 2 - 3, "适中区间", 8))
    t = 0.0
    while t <= ymax + 1e-9:
        d.add(Line(x0, sy(t), x1, sy(t), strokeColor=GRID if t else INK,
                   strokeWidth=0.4 if t else 0.6))
        d.add(_s(fonts, x0 - 4, sy(t) - 3, fmt(t), 8, "end"))
        t += step
    if reference is not None:
        d.add(Line(x0, sy(reference), x1, sy(reference), strokeColor=INK, strokeWidth=0.8,
                   strokeDashArray=[3, 2]))
    slot = (x1 - x0) / max(n, 1)
    every = max(1, math.ceil((max((_w(fonts, lab, 8) for lab in labels), default=0) + 6) / slot))
    for i, lab in enumerate(labels):
        if i % every == 0:
            d.add(_s(fonts, sx(i), y0 - 12, lab, 8, "middle"))
    on_top: list = []     # value labels go over every line
    for k, (name, vs) in enumerate(series):
        color, dash, marker = _SERIES_STYLE[k % len(_SERIES_STYLE)]
        run: list[float] = []
        for i, v in enumerate(list(vs) + [None]):
            if v is None:
                if len(run) >= 4:
                    d.add(PolyLine(run, strokeColor=color, strokeWidth=1.4, strokeDashArray=dash))
                run = []
                continue
            run += [sx(i), sy(v)]
        for i, v in enumerate(vs):
            if v is None:
                continue
            d.add(_marker(marker, sx(i), sy(v), color))
            if value_labels and k == 0 and n <= 16:
                on_top.append(_boxed(fonts, sx(i), sy(v) + 6, _pct(v) if percent else fmt(v),
                                     7.5, "middle"))
    for label in on_top:
        d.add(label)
    if len(series) > 1:
        x = x0
        for k, (name, _) in enumerate(series):
            color, dash, marker = _SERIES_STYLE[k % len(_SERIES_STYLE)]
            d.add(Line(x, height - 10, x + 18, height - 10, strokeColor=color, strokeWidth=1.4,
                       strokeDashArray=dash))
            d.add(_marker(marker, x + 9, height - 10, color, 2.5))
            d.add(_s(fonts, x + 22, height - 13, name))
            x += 22 + _w(fonts, name) + 16
    return d

"""Print charts: sizes, labels, band zones, grayscale-safe fills, fallback fonts, PDF rendering."""
from __future__ import annotations

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Group, Line, Rect, String, Wedge

from app.reports.typeset import charts
from app.reports.typeset.fonts import WENKAI, register_fonts
from app.reports.typeset.layout import TEXT_WIDTH
from app.reports.model import Bands, FocusShares

PILOT = FocusShares(0.512, 0.337, 0.151)     # 桓台's shares, as a sample


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


def walk(node):
    for child in getattr(node, "contents", []):
        yield child
        if isinstance(child, Group):
            yield from walk(child)


def texts(drawing) -> list[str]:
    return [n.text for n in walk(drawing) if isinstance(n, String)]


def strings(drawing) -> list[String]:
    return [n for n in walk(drawing) if isinstance(n, String)]


def pdf_text(drawing, tmp_path) -> str:
    path = tmp_path / "chart.pdf"
    renderPDF.drawToFile(drawing, str(path))
    return PdfReader(str(path)).pages[0].extract_text()


def inside(drawing) -> bool:
    """Every string's anchor lies inside the drawing."""
    return all(-1 <= s.x <= drawing.width + 1 and -1 <= s.y <= drawing.height + 1
               for s in strings(drawing))


def test_saturation_bars_draw_zones_reference_line_and_values(fonts, tmp_path):
    items = [("综合执法科", 0.965), ("办公室", 1.42), ("特种设备安全监察科", None), ("王堃", 0.55)]
    d = charts.saturation_bars(items, fonts, Bands())
    assert d.width == pytest.approx(TEXT_WIDTH)
    t = texts(d)
    for label in ("综合执法科", "办公室", "王堃", "96.5%", "142.0%", "55.0%", "无数据",
                  "过低", "偏低", "适中", "偏高", "过高", "100%"):
        assert label in t, label
    dashed = [n for n in walk(d) if isinstance(n, Line) and n.strokeDashArray]
    assert len(dashed) == 1                                   # the 100 % reference line
    fills = {n.fillColor for n in walk(d) if isinstance(n, Rect)}
    assert {charts.ZONE_FILL[k] for k in ("green", "yellow", "red")} <= fills
    assert inside(d)
    text = pdf_text(d, tmp_path)
    assert "王堃" in text and "142.0%" in text


def test_saturation_bars_follow_the_given_thresholds(fonts):
    d = charts.saturation_bars([("甲", 1.0)], fonts, Bands(0.9, 1.1, 0.7, 1.2))
    zone_rects = sorted((n.x, n.width) for n in walk(d) if isinstance(n, Rect)
                        and n.fillColor == charts.ZONE_FILL["green"])
    assert len(zone_rects) == 1
    x, w = zone_rects[0]
    ticks = {s.text: s.x for s in strings(d)}
    scale = (ticks["20%"] - ticks["0%"]) / 0.2
    assert x == pytest.approx(ticks["0%"] + 0.9 * scale)
    assert w == pytest.approx(0.2 * scale)


def test_long_names_are_cut_and_rare_characters_use_a_fallback_font(fonts):
    d = charts.saturation_bars([("市场监督管理综合行政执法大队第一中队第二小组", 1.0), ("刘䶮", 0.9)], fonts)
    t = texts(d)
    assert any(x.endswith("…") for x in t)
    rare = [s for s in strings(d) if s.text == "刘䶮"][0]
    assert rare.fontName == WENKAI.name


def test_hours_histogram_counts_shares_and_bucket_labels(fonts):
    d = charts.hours_histogram([5, 12, 35, 6], fonts)
    t = texts(d)
    assert "35人（60.3%）" in t
    for label in ("5小时以下", "5–7小时", "7–10小时", "10小时以上"):
        assert label in t
    assert inside(d)
    with pytest.raises(ValueError):
        charts.hours_histogram([1, 2], fonts)
    assert "0人" in texts(charts.hours_histogram([0, 0, 0, 0], fonts))


def test_category_bars_sort_and_label_hours_with_shares(fonts):
    d = charts.category_bars([("会议活动", 100), ("业务工作", 300), ("空", 0)], fonts)
    t = texts(d)
    assert "300小时（75.0%）" in t and "100小时（25.0%）" in t
    assert t.index("业务工作") < t.index("会议活动")
    assert "空" not in t
    assert "无数据" in texts(charts.category_bars([], fonts))


def test_donut_merges_small_slices_and_handles_no_data(fonts):
    items = [(f"类别{i}", 10 - i) for i in range(10)]
    d = charts.donut(items, fonts, center="总工时\n55小时")
    t = texts(d)
    assert "其他" in t and "类别9" not in t
    assert len([n for n in walk(d) if isinstance(n, Wedge)]) == charts.MAX_DONUT_SLICES
    assert "总工时" in t and "55小时" in t
    assert "无数据" in texts(charts.donut([], fonts))
    whole = charts.donut([("核心职责", 1.0)], fonts, unit=None)
    assert "100.0%" in texts(whole) and any(isinstance(n, Circle) for n in walk(whole))


def test_focus_bars_print_shares_and_a_legend(fonts):
    d = charts.focus_bars([("本期", FocusShares(0.48, 0.37, 0.15)), ("参照", PILOT),
                           ("无日志科室", None)], fonts)
    t = texts(d)
    for label in ("核心职责", "一般职责", "辅助职责", "48.0%", "37.0%", "15.0%", "51.2%", "无数据"):
        assert label in t
    assert inside(d)


def test_fills_differ_in_lightness_for_grayscale_printing():
    lum = [charts._lightness(c) for c in charts.FOCUS_FILLS]
    assert lum[0] + 0.2 < lum[1] and lum[1] + 0.2 < lum[2]
    seq = [charts._lightness(c) for c in charts.SEQUENCE]
    assert seq == sorted(seq)
    assert all(b - a > 0.03 for a, b in zip(seq, seq[1:]))


def test_trend_lines_gaps_reference_band_and_legend(fonts, tmp_path):
    weeks = [f"第{w}周" for w in range(36, 50)]
    values = [0.9, 0.95, None, 1.02] + [1.0] * 10
    d = charts.trend_lines(weeks, [("工作饱和度", values), ("填报率", [0.95] * 14)], fonts,
                           bands=Bands())
    t = texts(d)
    assert "工作饱和度" in t and "填报率" in t and "适中区间" in t
    assert "102.0%" in t and "第36周" in t
    assert any(isinstance(n, Line) and n.strokeDashArray == [3, 2] for n in walk(d))
    assert inside(d)
    assert "第36周" in pdf_text(d, tmp_path)
    plain = charts.trend_lines(["1月", "2月"], [("工时", [120.0, 130.5])], fonts, percent=False,
                               reference=None)
    assert "130.5" in texts(plain)


def test_helpers():
    assert charts.nice_step(1.0, 5) == pytest.approx(0.2)
    assert charts.nice_step(47, 4) == 20
    g = charts.hatch(10, 20, 30, 15, spacing=4)
    for line in g.contents:
        for x, y in ((line.x1, line.y1), (line.x2, line.y2)):
            assert 10 - 1e-9 <= x <= 40 + 1e-9 and 20 - 1e-9 <= y <= 35 + 1e-9

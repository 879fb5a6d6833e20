"""GB/T 9704 document builder: a several-page sample read back with pypdf (text, fonts, positions)
and rendered with pdftoppm (ink stays inside the text block and the page-number zone)."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections import Counter

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.reports.typeset import charts
from app.reports.typeset.document import OfficialDocument, chinese_date, chinese_number
from app.reports.typeset.fonts import register_fonts
from app.reports.typeset.layout import (CHAR, LEADING, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH, TEXT_WIDTH, TITLE_SIZE, split_title, width_of)
from app.reports.model import Bands, FocusShares
from app.reports.typeset.tables import column_widths, default_align, is_numeric_text

NAMES = "王堃、李喆、张昇、赵赟、钱玥、〇号"
TITLE = "沂河县市场监督管理局关于2026年10月工作饱和度和核心职能履行情况的评估分析报告"
LONG = ("根据《中华人民共和国公务员法》和年度考核办法，2026年10月本局共有在职人员58人参与履职留痕，"
        "应有工时9280小时，已审定工时8956.5小时，工作饱和度96.5%，处于合理区间。")
GRID_LINE = "一二三四五六七八九十" * 3        # 30 characters: 28 fit on a line


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


def sample(fonts) -> OfficialDocument:
    doc = OfficialDocument(TITLE, "沂河县市场监督管理局", dt.date(2026, 11, 22), fonts,
                           subtitle="（2026年10月）")
    doc.section(1, "总体情况")
    doc.paragraph(LONG * 3)
    doc.section(2, "工作饱和度")
    doc.paragraph(GRID_LINE * 2)
    doc.section(3, "负荷较重的人员")
    doc.paragraph(f"{NAMES}等同志负荷较重；A&B <i>不是标签</i>。", lead="（一）负荷情况。")
    rows = [[f"综合执法第{i}科", 8, 1234.5, 1280.0, "96.4%"] for i in range(45)]
    doc.table(["科室", "人数", "已审定工时", "应有工时", "饱和度"], rows + [["合计", 360, 55552.5, 57600.0, "96.4%"]],
              caption="各科室工作饱和度", notes=["饱和度 = 已审定工时 ÷ 应有工时。"], emphasize_last=True)
    doc.figure(charts.saturation_bars([("综合执法科", 0.965), ("办公室", 1.42), ("王堃", None)],
                                      fonts, Bands()), "各科室工作饱和度")
    doc.figure(charts.hours_histogram([5, 12, 35, 6], fonts), "人员日均工时分布")
    cats = [("业务工作", 3200.5), ("检查调研", 900), ("会议活动", 610)]
    doc.figure(charts.category_bars(cats, fonts), "工作类别工时")
    doc.figure(charts.donut(cats, fonts, center="总工时"), "工作类别分布")
    doc.figure(charts.focus_bars([("本期", FocusShares(0.48, 0.37, 0.15)), ("参照", FocusShares(0.512, 0.337, 0.151))],
                                 fonts), "主责主业聚焦度")
    doc.figure(charts.trend_lines([f"第{w}周" for w in range(40, 48)],
                                  [("饱和度", [0.9, 0.95, None, 1.02, 1.1, 0.97, 0.88, 0.93])],
                                  fonts, bands=Bands()), "每周工作饱和度")
    doc.page_break()
    for _ in range(4):
        doc.paragraph(LONG * 2)
    doc.note("本报告数据截至2026年10月31日。")
    return doc


@pytest.fixture(scope="module")
def pdf(fonts, tmp_path_factory):
    path = tmp_path_factory.mktemp("doc") / "sample.pdf"
    pages = sample(fonts).build(path)
    assert pages >= 6
    return path


def fragments(page):
    """(text, x, y, font size) of every text show on the page, in page coordinates."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text, x, y, size))
    page.extract_text(visitor_text=visit)
    return out


def all_text(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(str(path)).pages)


def test_title_names_escaped_text_and_signature_are_extractable(pdf):
    text = all_text(pdf).replace("\n", "").replace(" ", "")
    for line in split_title(TITLE, register_fonts().heiti):
        assert line in text
    for ch in "堃喆昇赟玥〇":
        assert ch in text
    assert "A&B<i>不是标签</i>" in text
    assert "沂河县市场监督管理局" in text and "2026年11月22日" in text
    assert "表1" in text and "图6" in text and "注：饱和度" in text


def test_page_numbers_odd_right_even_left_below_the_text_block(pdf):
    reader = PdfReader(str(pdf))
    centre = PAGE_WIDTH / 2
    for i, page in enumerate(reader.pages, start=1):
        marks = [f for f in fragments(page) if f[0].strip() == f"— {i} —"]
        assert len(marks) == 1, f"page {i}"
        _, x, y, size = marks[0]
        assert size == 14
        assert y < MARGIN_BOTTOM - 7 * mm
        if i % 2:
            assert x > centre
            right = x + width_of(f"— {i} —", register_fonts().songti, 14)
            assert right == pytest.approx(MARGIN_LEFT + TEXT_WIDTH - 14, abs=0.5)
        else:
            assert x == pytest.approx(MARGIN_LEFT + 14, abs=0.5)


def test_body_is_16pt_and_starts_at_the_28mm_binding_margin(pdf):
    reader = PdfReader(str(pdf))
    frags = [f for p in reader.pages for f in fragments(p)]
    body = [f for f in frags if any(w in f[0] for w in ("公务员法", "履职留痕", "处于合理区间"))
            and f[3] != 12]                       # body paragraphs, not the table cells
    assert len(body) > 20
    assert {size for *_, size in body} == {16}
    lefts = Counter(round(x, 1) for _, x, _, _ in body)
    assert round(MARGIN_LEFT, 1) in lefts                                 # continuation lines
    assert round(MARGIN_LEFT + 2 * CHAR, 1) in lefts                      # indented first lines
    assert min(x for _, x, _, _ in body) == pytest.approx(28 * mm, abs=0.01)
    title = [f for f in frags if f[3] == TITLE_SIZE]
    assert title and max(y for _, _, y, _ in title) < PAGE_HEIGHT - MARGIN_TOP


def test_grid_of_28_characters_and_22_lines(fonts):
    doc = OfficialDocument("测试", "某单位", "2026年11月22日", fonts, signature="none")
    doc.page_break()
    doc.paragraph("国" * (28 * 30), indent=False)
    buf = io.BytesIO()
    assert doc.build(buf) == 3
    page = PdfReader(buf).pages[1]
    lines = sorted({round(y, 2) for t, x, y, s in fragments(page) if s == 16}, reverse=True)
    assert len(lines) == 22
    assert all(abs((a - b) - LEADING) < 0.02 for a, b in zip(lines, lines[1:]))
    assert lines[0] - lines[-1] == pytest.approx(21 * LEADING, abs=0.05)
    text = page.extract_text().split("\n")
    assert max(len(t.strip()) for t in text if "国" in t) == 28


def test_escaping_and_bytesio_build(fonts):
    doc = OfficialDocument("A & B <c>", "单位&<>", dt.date(2026, 1, 5), fonts, signature="top")
    doc.heading(1, "一、<标题>&")
    doc.table(["名称&", "值"], [["<x>", 1], ["y", None]])
    doc.table(["空表"], [])
    buf = io.BytesIO()
    assert doc.build(buf) == 1
    text = PdfReader(buf).pages[0].extract_text()
    for part in ("A & B <c>", "单位&<>", "2026年1月5日", "一、<标题>&", "<x>", "—", "（无数据）"):
        assert part in text


def test_table_header_repeats_on_each_page(pdf):
    reader = PdfReader(str(pdf))
    pages = [i for i, p in enumerate(reader.pages) if "综合执法第" in p.extract_text()]
    assert len(pages) >= 2
    for i in pages:
        assert "已审定工时" in reader.pages[i].extract_text()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_rendered_ink_stays_in_the_text_block_and_page_number_zone(pdf, tmp_path):
    dpi = 72
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "2", str(pdf),
                    str(tmp_path / "pg")], check=True)
    for n, path in enumerate(sorted(tmp_path.glob("pg-*.pgm")), start=1):
        width, height, pixels = _read_pgm(path.read_bytes())
        ink = [(x, y) for y in range(height) for x in range(width) if pixels[y * width + x] < 128]
        assert ink
        left, right = MARGIN_LEFT, MARGIN_LEFT + TEXT_WIDTH       # points == pixels at 72 dpi
        top, bottom = MARGIN_TOP, PAGE_HEIGHT - MARGIN_BOTTOM
        page_no_top = bottom + 7 * mm - 8
        for x, y in ink:
            assert left - 1 <= x <= right + 1, (n, x, y)
            assert top - 2 <= y <= bottom + 2 or page_no_top <= y <= page_no_top + 24, (n, x, y)
        # The binding-side edge of the text: continuation lines begin right at 28 mm.
        assert min(x for x, y in ink) - left < 3


def _read_pgm(data: bytes):
    parts, pos = [], 0
    while len(parts) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    assert parts[0] == b"P5"
    w, h = int(parts[1]), int(parts[2])
    return w, h, data[pos + 1:]


def test_split_title_balances_long_titles_and_keeps_given_breaks(fonts):
    lines = split_title(TITLE, fonts.heiti)
    assert len(lines) == 2 and "".join(lines) == TITLE
    widths = [width_of(line, fonts.heiti, TITLE_SIZE) for line in lines]
    assert max(widths) <= TEXT_WIDTH
    assert not lines[1][0] in "，。、）》"
    assert split_title("短标题", fonts.heiti) == ["短标题"]
    assert split_title("第一行\n第二行", fonts.heiti) == ["第一行", "第二行"]


def test_numbers_and_dates():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九"]
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    with pytest.raises(ValueError):
        chinese_number(0)


def test_section_numbering_restarts_lower_levels(fonts):
    doc = OfficialDocument("标题", "单位", "2026年1月1日", fonts)
    got = [doc.section(1, "甲"), doc.section(2, "乙"), doc.section(3, "丙"), doc.section(3, "丁"),
           doc.section(2, "戊"), doc.section(1, "己"), doc.section(2, "庚")]
    assert got == ["一、甲", "（一）乙", "1.丙", "2.丁", "（二）戊", "二、己", "（一）庚"]


def test_numeric_columns_align_right_and_widths_fill_the_text_block(fonts):
    rows = [["综合执法科", "12", "96.5%", "—"], ["办公室", "3", "—", "说明文字"]]
    assert default_align(rows, 4) == ["L", "R", "R", "L"]
    assert is_numeric_text("1,234.5小时") and not is_numeric_text("SD-01")
    widths = column_widths(["科室", "人数", "饱和度", "备注"], rows, ["L", "R", "R", "L"],
                           fonts.songti, fonts.heiti, 12)
    assert sum(widths) == pytest.approx(TEXT_WIDTH)
    long_rows = [["很长的工作内容" * 20, "1", "2", "3"]]
    widths = column_widths(["内容", "甲", "乙", "丙"], long_rows, ["L", "R", "R", "R"],
                           fonts.songti, fonts.heiti, 12)
    assert sum(widths) == pytest.approx(TEXT_WIDTH)
    assert widths[0] > TEXT_WIDTH * 0.6


def test_long_cell_text_wraps_and_splits_across_pages(fonts):
    doc = OfficialDocument("长表格", "单位", "2026年1月1日", fonts, signature="none")
    doc.table(["编号", "内容"], [[str(i), "检查记录" * 150] for i in range(3)])
    buf = io.BytesIO()
    assert doc.build(buf) >= 2


def test_a_heading_with_its_paragraph_fills_the_last_lines_of_a_page(fonts):
    doc = OfficialDocument("测试", "某单位", "2026年11月22日", fonts, signature="none")
    doc.page_break()
    for _ in range(19):
        doc.paragraph("国" * 20)
    doc.heading(1, "一、标题")
    doc.paragraph("国" * 40)
    buf = io.BytesIO()
    assert doc.build(buf) == 2          # 19 + 1 + 2 = 22 lines: nothing spills to a third page


def test_characters_beyond_gbk_print_in_the_fallback_font_everywhere(fonts):
    doc = OfficialDocument("刘䶮同志个人履职报告", "某单位", "2026年11月22日", fonts)
    doc.paragraph("刘䶮、张𬌗同志。")
    doc.table(["姓名"], [["刘䶮"]])
    buf = io.BytesIO()
    doc.build(buf)
    text = PdfReader(buf).pages[0].extract_text()
    assert text.count("䶮") == 3 and "𬌗" in text


def _body_lines(page):
    """Body lines of a page (16 pt) as (text, x) in reading order, one entry per baseline."""
    rows: dict[float, list] = {}
    for text, x, y, size in fragments(page):
        if size == 16:
            rows.setdefault(round(y, 1), []).append((x, text))
    return [("".join(t for _, t in sorted(parts)).strip(), min(x for x, _ in parts))
            for y, parts in sorted(rows.items(), reverse=True)]


def test_chinese_line_breaking_keeps_punctuation_and_numbers_in_place(fonts):
    from app.reports.typeset.linebreak import NO_LINE_END, NO_LINE_START
    text = ("工作饱和度为96.5%，处于合理区间（绿灯）；填报率为78.0%，低于80%。“三定”职责共40项，"
            "《中华人民共和国公务员法》规定……") * 12
    doc = OfficialDocument("断行", "单位", "2026年1月1日", fonts, signature="none")
    doc.paragraph(text)
    buf = io.BytesIO()
    doc.build(buf)
    reader = PdfReader(buf)
    lines = [t for page in reader.pages for t, _ in _body_lines(page)]
    assert len(lines) > 10
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, line
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, line
    joined = "".join(lines)
    assert joined.count("96.5%") == 12 and joined.count("78.0%") == 12
    # Nothing hangs into the right margin: every line ends inside the text block.
    for page in reader.pages:
        for text, x, y, size in fragments(page):
            if size == 16:
                assert x + width_of(text.strip(), fonts.fangsong + "-G28", 16) <= MARGIN_LEFT + TEXT_WIDTH + 0.5


def test_heading_stays_with_the_first_lines_of_its_paragraph(fonts):
    def build(filler_lines: int) -> list[list[str]]:
        doc = OfficialDocument("标题", "单位", "2026年1月1日", fonts, signature="none")
        doc.page_break()
        for _ in range(filler_lines):
            doc.paragraph("国" * 20)
        doc.heading(1, "一、小标题")
        doc.paragraph("家" * 28 * 6, indent=False)
        buf = io.BytesIO()
        doc.build(buf)
        return [[t for t, _ in _body_lines(p)] for p in PdfReader(buf).pages[1:]]
    pages = build(19)                  # 3 lines left: heading + 2 lines of the paragraph
    assert pages[0][-3:] == ["一、小标题", "家" * 28, "家" * 28] and len(pages[0]) == 22
    pages = build(20)                  # 2 lines left: the heading moves on, never alone
    assert pages[0][-1] == "国" * 20 and pages[1][0] == "一、小标题"


def test_signature_never_stands_alone_on_a_page(fonts):
    doc = OfficialDocument("标题", "沂河县市场监督管理局", "2026年1月1日", fonts)
    doc.page_break()
    doc.paragraph("家" * 28 * 22, indent=False)          # fills page 2 exactly
    buf = io.BytesIO()
    assert doc.build(buf) == 3
    lines = _body_lines(PdfReader(buf).pages[2])
    assert [t for t, _ in lines] == ["家" * 28, "家" * 28, "沂河县市场监督管理局", "2026年1月1日"]
    # GB/T 9704 §7.3.5.2: issuer two characters from the right, date two characters right of it.
    (_, x_issuer), (_, x_date) = lines[2], lines[3]
    assert x_issuer + 10 * CHAR == pytest.approx(MARGIN_LEFT + TEXT_WIDTH - 2 * CHAR, abs=0.1)
    assert x_date == pytest.approx(x_issuer + 2 * CHAR, abs=0.1)
    doc = OfficialDocument("标题", "沂河县市场监督管理局", "2026年1月1日", fonts)
    doc.paragraph("短文。")
    buf = io.BytesIO()
    assert doc.build(buf) == 1

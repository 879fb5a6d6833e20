"""Printing fonts: bundled coverage of name characters, registration, PDF text round trip."""
from __future__ import annotations

import shutil

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from app.reports.typeset import fonts
from app.reports.typeset.fonts import ROLES, bundled_font_path, missing_glyphs, register_fonts

NAME_CHARS = "堃喆昇赟玥〇"
PARAGRAPH = ("根据《中华人民共和国公务员法》和年度考核办法，2025年第一季度本科室共完成"
             "行政许可审批１２８件、专项检查３６次，按时办结率100%；“双随机、一公开”抽查"
             "覆盖全部市场主体——详见附件。（王昇、赵赟、钱玥审核）")
BEYOND_GBK = "䶮𬌗"   # in 通用规范汉字表, outside GBK (CJK Ext A / Ext B)


def _text_of(pdf) -> str:
    return "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


@pytest.fixture(scope="module")
def bundled():
    return register_fonts(use_system=False)


def test_bundled_font_files_are_shipped_with_licences():
    folder = bundled_font_path().parent
    assert bundled_font_path().is_file()
    assert bundled_font_path().suffix == ".ttc"
    assert (folder / "README.md").is_file()
    assert list(folder.glob("LICENSE-*")), "fonts need their licence texts"
    assert [p.name for p in fonts.bundled_font_paths()] == ["wqy-microhei.ttc",
                                                           "LXGWWenKai-Regular.ttf"]


def test_bundled_fonts_cover_name_characters_and_a_typical_paragraph(bundled):
    for role in ROLES:
        assert missing_glyphs(bundled.role(role), NAME_CHARS + PARAGRAPH) == [], role


def test_missing_glyphs_reports_each_missing_character_once_and_ignores_whitespace(bundled):
    assert missing_glyphs(bundled.heiti, f"刘{BEYOND_GBK}、刘䶮\n\t ") == list(BEYOND_GBK)
    assert missing_glyphs(bundled.heiti, "") == []


def test_wenkai_fallback_covers_characters_beyond_gbk(bundled):
    assert missing_glyphs(fonts.WENKAI.name, BEYOND_GBK) == []
    assert bundled.font_for("刘䶮", "heiti") == fonts.WENKAI.name
    assert bundled.font_for("张堃", "heiti") == bundled.heiti


def test_without_system_fonts_every_role_uses_a_bundled_font(bundled):
    assert not bundled.uses_system_fonts
    assert bundled.fangsong == bundled.heiti == bundled.songti == fonts.MICROHEI.name
    assert bundled.kaiti == fonts.WENKAI.name
    assert "仿宋：wqy-microhei.ttc（内置字体）" in bundled.describe()


def test_markup_escapes_and_switches_font_for_missing_characters(bundled):
    text = bundled.markup("刘䶮<甲>&乙\n丙", "fangsong")
    assert text == (f'刘<font face="{fonts.WENKAI.name}">䶮</font>'
                    "&lt;甲&gt;&amp;乙<br/>丙")


def test_registered_fonts_render_chinese_that_reads_back(tmp_path, bundled):
    pdf = tmp_path / "line.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    c.setFont(bundled.fangsong, 15.79)
    c.drawString(80, 700, "张堃、李喆、王昇、赵赟、钱玥，二〇二五年")
    c.setFont(bundled.kaiti, 15.79)
    c.drawString(80, 660, "楷体标题")
    c.save()
    text = _text_of(pdf)
    assert "张堃、李喆、王昇、赵赟、钱玥，二〇二五年" in text
    assert "楷体标题" in text


def test_paragraph_with_fallback_characters_reads_back(tmp_path, bundled):
    pdf = tmp_path / "para.pdf"
    style = ParagraphStyle("body", fontName=bundled.fangsong, fontSize=15.79, leading=28.99)
    SimpleDocTemplate(str(pdf), pagesize=A4).build(
        [Paragraph(bundled.markup(f"刘{BEYOND_GBK}：" + PARAGRAPH), style),
         Paragraph("<b>加粗</b>" + bundled.markup("无粗体字面时不报错"), style)])
    text = "".join(_text_of(pdf).split())   # line breaks fall anywhere in CJK text
    assert f"刘{BEYOND_GBK}：" in text            # Ext B needs the ToUnicode fix in fonts.py
    assert "".join(PARAGRAPH.split()) in text
    assert "加粗无粗体字面时不报错" in text


def test_system_fonts_are_preferred_when_found(tmp_path):
    # A TrueType file named like the Windows font stands in for simhei.ttf.
    shutil.copy(fonts.fonts_dir() / fonts.WENKAI.file, tmp_path / "SIMHEI.TTF")
    found = register_fonts(use_system=True, search_dirs=[tmp_path])
    assert found.heiti == fonts.SYSTEM_NAMES["heiti"]
    assert found.files[found.heiti] == tmp_path / "SIMHEI.TTF"
    assert found.system_roles == ("heiti",)
    assert found.fangsong == fonts.MICROHEI.name          # no simfang.ttf there
    assert "黑体：SIMHEI.TTF（系统字体）" in found.describe()


def test_unusable_system_font_is_skipped(tmp_path):
    (tmp_path / "simfang.ttf").write_bytes(b"not a font")
    found = register_fonts(use_system=True, search_dirs=[tmp_path])
    assert found.fangsong == fonts.MICROHEI.name
    assert "fangsong" not in found.system_roles


def test_environment_switch_forces_bundled_fonts(monkeypatch):
    monkeypatch.setenv(fonts.ENV_BUNDLED_ONLY, "1")
    assert not register_fonts().uses_system_fonts

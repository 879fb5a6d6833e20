"""全县机关履职监测情况的通报: the 编办's 通报 of a month, quarter, half year or year as a
GB/T 9704 PDF, in the county report's typesetting (app.reports.typeset).

    info = write_notice(rows, packages, settings, period, issuer, today, "通报.pdf", number=7)

文号 line and a red rule above the title, addressed to 各单位主要负责同志; 一、总体情况 (the
county's figures, the 上报包 standing, a table of every unit), 二、表扬, 三、存在问题 (named),
四、下一步要求 — all worded from the numbers (app.reports.county.notice_text).
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus.flowables import HRFlowable

from app.core.bureau.reminders import NoticeSettings
from app.core.metrics import Period
from app.reports.county import data as D
from app.reports.county import notice_text as T
from app.reports.typeset.document import OfficialDocument
from app.reports.typeset.fonts import register_fonts
from app.reports.typeset.layout import LEADING, TEXT_WIDTH
from app.reports.typeset.linebreak import CJKParagraph as Paragraph
from app.reports.report_book import SMALL_TABLE
from app.reports.report_parts import ReportInfo, title_lines

ADDRESSEE = "各单位主要负责同志："
RED = colors.HexColor("#c00000")
UNIT_COLS = ("序号", "单位", "上报包", "填报率", "审核率", "饱和度", "核心聚焦度", "情况")
UNIT_WIDTHS = (0.06, 0.25, 0.1, 0.1, 0.1, 0.1, 0.11, 0.18)


class NoticeDocument(OfficialDocument):
    """An OfficialDocument with the 发文字号 centred above a red rule before the title."""

    def __init__(self, number: str, *args, **kwargs):
        self.number = number
        super().__init__(*args, **kwargs)

    def _title_block(self, subtitle):
        style = self.styles.subtitle.clone("number", fontName=self.styles.grid.fangsong)
        self._story.append(Paragraph(self._markup(self.number, "fangsong"), style))
        self._story.append(HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=4,
                                      spaceAfter=LEADING - 5.5))
        super()._title_block(subtitle)


def write_notice(rows, packages: dict, settings: NoticeSettings, period: Period, issuer: str,
                 today: dt.date, out: Path | str, number: int | None = None) -> ReportInfo:
    """The 通报 from the county table's `rows` of `period` (with 审核率) and each unit's 上报包
    standing on `today` (app.core.bureau.reminders.PackageStatus by unit id)."""
    started = time.perf_counter()
    area = D.area_name(issuer)
    title = T.title(period)
    fonts = register_fonts()
    doc = NoticeDocument(T.number_line(area, today.year, number), title_lines(T.title_parts(period), fonts.heiti),
                         issuer, today, fonts)
    st = T.Standing(rows, packages, settings, period, today)
    t = D.totals(rows, period)
    doc.paragraph(ADDRESSEE, indent=False)
    doc.paragraph(f"为推动各单位全面规范履职，编办依据各单位报送的履职日志数据，对{T.period_words(period)}"
                  f"全县{len(rows)}个单位的履职留痕、日志审核和上报包报送情况进行了监测。现将有关情况通报如下：")
    doc.section(1, "总体情况")
    doc.paragraph(T.totals_line(st, t))
    if packages:
        doc.paragraph(T.packages_line(st))
    doc.table(UNIT_COLS, T.unit_lines(st), caption=f"各单位履职监测情况（{period.label}）",
              col_widths=[w * TEXT_WIDTH for w in UNIT_WIDTHS],
              align=("C", "L", "C", "R", "R", "R", "R", "L"), font_size=SMALL_TABLE,
              notes=[f"上报包：截至{T.day_text(today)}，{settings.describe()}。填报率＝已提交日志人日÷应出勤"
                     "人日；审核率＝已审定日志÷送审日志（主要领导的日志无需审阅，不计）；饱和度只计经最终审定"
                     "的日志；合理区间为绿灯区间。"])
    doc.section(1, "表扬")
    for text in T.praise(st):
        doc.paragraph(text)
    doc.section(1, "存在问题")
    found = T.problems(st)
    for i, (head, text) in enumerate(found):
        doc.paragraph(text, lead=f"（{'一二三四五六七八'[i]}）{head}")
    if not found:
        doc.paragraph("本期未发现上报包逾期、审核率或填报率偏低、工作饱和度异常的单位。")
    doc.section(1, "下一步要求")
    for i, (head, text) in enumerate(T.requirements(st)):
        doc.paragraph(text, lead=f"（{'一二三四五六七八'[i]}）{head}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = doc.build(out)
    return ReportInfo(out, pages, time.perf_counter() - started, title)


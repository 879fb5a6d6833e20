"""Statistics periods: a month, a quarter, a half year, a year or a date range, parsed from text
such as 2026-10, 2026-Q4, 2026-H1, 2026 or 2026-10-01..2026-10-15 (and from their own Chinese
labels: 2026年10月, 2026年第四季度, 2026年上半年, 2026年…). The half years follow the annual cycle
of seeds 001/002: 季度监测 → 半年评估 → 年终考核."""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass

from app.core.errors import AppError

_QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
_HALF_NAMES = ("上半年", "下半年")
_FORMATS = "应写作 2026-10、2026-Q4、2026-H1（上半年）、2026 或 2026-10-01..2026-10-15"


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with its Chinese label; kind is month/quarter/half/year/range.
    `full` is set on a period cut short at today (`elapsed`): the whole period it is part of."""
    start: dt.date
    end: dt.date
    label: str
    kind: str = "range"
    full: "Period | None" = None

    @property
    def first_month(self) -> int:
        """The `month` column value (e.g. 202610) of the first day: prunes by the integer index."""
        return self.start.year * 100 + self.start.month

    @property
    def last_month(self) -> int:
        return self.end.year * 100 + self.end.month

    @property
    def whole_months(self) -> bool:
        """True when P is made of whole calendar months (then the month filter alone is exact)."""
        last = _calendar.monthrange(self.end.year, self.end.month)[1]
        return self.start.day == 1 and self.end.day == last

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    @property
    def whole_month_count(self) -> int:
        """Calendar months lying wholly inside [start, end] (a quarter: 3; 10-05..12-31: 2)."""
        first = self.start if self.start.day == 1 else _next_month(self.start)
        after = self.end + dt.timedelta(days=1)
        last = after if after.day == 1 else after.replace(day=1)
        return max(0, (last.year - first.year) * 12 + last.month - first.month)

    @property
    def text(self) -> str:
        """The canonical command-line form (parse_period(p.text) == p)."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{1 if self.start.month <= 6 else 2}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def elapsed(period: Period, last_day: dt.date) -> Period:
    """P as far as it has happened: unchanged when it ended by `last_day`, else cut at that day
    and labelled 本期截至… (a period that has not begun keeps no day: end = start − 1)."""
    if period.end <= last_day:
        return period
    if last_day < period.start:
        return Period(period.start, period.start - dt.timedelta(days=1),
                      f"{period.label}（尚未开始）", "range", period)
    return Period(period.start, last_day,
                  f"{period.label}（本期截至{last_day.month}月{last_day.day}日）", "range", period)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"月份应在1–12之间：{year}-{month}")
    last = _calendar.monthrange(_year(year), month)[1]
    return Period(dt.date(year, month, 1), dt.date(year, month, last), f"{year}年{month}月", "month")


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise ValueError(f"季度应为 Q1–Q4：{year}-Q{quarter}")
    first = month_period(year, quarter * 3 - 2)
    last = month_period(year, quarter * 3)
    return Period(first.start, last.end, f"{year}年{_QUARTER_NAMES[quarter - 1]}", "quarter")


def half_period(year: int, half: int) -> Period:
    """上半年 (half 1: January–June) or 下半年 (half 2: July–December)."""
    if half not in (1, 2):
        raise ValueError(f"半年应为 H1（上半年）或 H2（下半年）：{year}-H{half}")
    first = month_period(year, half * 6 - 5)
    last = month_period(year, half * 6)
    return Period(first.start, last.end, f"{year}年{_HALF_NAMES[half - 1]}", "half")


def months_of(period: Period) -> list[Period]:
    """The calendar months a period of whole months is made of (a half year: its six months)."""
    out, day = [], period.start.replace(day=1)
    while day <= period.end:
        out.append(month_period(day.year, day.month))
        day = _next_month(day)
    return out


def year_period(year: int) -> Period:
    _year(year)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年", "year")


def range_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValueError(f"结束日期早于开始日期：{start.isoformat()}..{end.isoformat()}")
    return Period(start, end, f"{start.isoformat()}至{end.isoformat()}", "range")


def _year(year: int) -> int:
    if not 1900 <= year <= 9999:
        raise ValueError(f"年份应在1900–9999之间：{year}")
    return year


def _date(text: str, whole: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期无效：{text}（统计期间“{whole}”，日期应写作 YYYY-MM-DD）") from None


def parse_period(text: str) -> Period:
    """'2026-10' → 2026年10月; '2026-Q4' → 2026年第四季度; '2026' → 2026年;
    '2026-H1' → 2026年上半年, '2026-H2' → 2026年下半年;
    '2026-10-01..2026-10-15' → 2026-10-01至2026-10-15 (both days included).

    The Chinese labels themselves are accepted too (2026年10月, 2026年第四季度, 2026年上半年, 2026年,
    2026-10-01至2026-10-15), so parse_period(p.label) == p. Anything else raises ValueError with
    the reason in Chinese."""
    raw = text
    text = (text or "").strip().replace("－", "-").replace("．", ".")
    if not text:
        raise ValueError(f"请填写统计期间（{_FORMATS}）")
    for sep in ("..", "至", "~"):
        if sep in text:
            a, _, b = text.partition(sep)
            return range_period(_date(a.strip(), raw), _date(b.strip(), raw))
    if m := re.fullmatch(r"(\d{4})\s*-?\s*[Qq]([0-9])", text):
        return quarter_period(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})\s*-?\s*[Hh]([0-9])", text):
        return half_period(_year(int(m[1])), int(m[2]))
    if m := re.fullmatch(r"(\d{4})年?([上下])半年", text):
        return half_period(_year(int(m[1])), "上下".index(m[2]) + 1)
    if m := re.fullmatch(r"(\d{4})年第([一二三四])季度", text):
        return quarter_period(int(m[1]), "一二三四".index(m[2]) + 1)
    if m := re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})月?", text):
        return month_period(_year(int(m[1])), int(m[2]))
    if m := re.fullmatch(r"(\d{4})年?", text):
        return year_period(int(m[1]))
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        day = _date(text, raw)
        return range_period(day, day)
    raise ValueError(f"无法识别的统计期间“{raw}”（{_FORMATS}）")


def as_period(period: "Period | str") -> Period:
    """A period given as text or as a Period; bad text is an AppError saying the formats."""
    if not isinstance(period, str):
        return period
    try:
        return parse_period(period)
    except ValueError as exc:
        raise AppError(str(exc)) from None


"""Dates of a working life: age on a day, age bands, time spent in a status (借调), and the
statutory retirement date under editable rules.

Retirement rules are data (resources/retirement_rules.json, overridable per unit). Each rule says
whom it covers (gender, optionally 编制类型) and how the gradual raise works, in the terms of
《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》(from 2025-01-01):

    original_age            the age before the raise (60 / 55 / 50)
    start_birth_month       the first birth month that is delayed ("1965-01" for men)
    months_per_delay_month  one month of delay for every N months of birth from the start (4 / 2)
    max_delay_months        the cap (36: 60→63, 55→58; 60: 50→55)

delay = 0 before the start month, else min(cap, (birth month − start) // N + 1). A person born in
the start month retires one month late: a man born 1965-01 at 60岁1个月 in 2025-02, one born
1965-12 at 60岁3个月 in 2026-03 (the official 对照表). The retirement day is the day the person
reaches that age (birth day in the retirement month, clamped to the month's end).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

UNKNOWN = "未知"
# Age bands of the staffing analysis (upper bound inclusive; None = open).
AGE_BANDS = (("30岁及以下", 30), ("31-40岁", 40), ("41-50岁", 50), ("51-55岁", 55), ("55岁以上", None))
AGE_BAND_NAMES = tuple(name for name, _ in AGE_BANDS) + (UNKNOWN,)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(birth: dt.date | None, day: dt.date) -> str:
    if birth is None:
        return UNKNOWN
    age = age_on(birth, day)
    return next(name for name, high in AGE_BANDS if high is None or age <= high)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


@dataclass(frozen=True)
class Span:
    """Time from a start day to today as whole months and remaining days (借调 1年2个月 …)."""
    months: int
    days: int
    total_days: int

    @property
    def text(self) -> str:
        years, months = divmod(self.months, 12)
        parts = ([f"{years}年"] if years else []) + ([f"{months}个月"] if months else [])
        if self.days or not parts:
            parts.append(f"{self.days}天")
        return "".join(parts)


def span(start: dt.date, day: dt.date) -> Span:
    """Whole months from `start` to `day` and the days left over (start 2025-08-15, day
    2026-10-30 → 14 months 15 days). A start after `day` gives a zero span."""
    if start >= day:
        return Span(0, 0, 0)
    months = (day.year - start.year) * 12 + day.month - start.month
    if add_months(start, months) > day:
        months -= 1
    return Span(months, (day - add_months(start, months)).days, (day - start).days)


# ---------------------------------------------------------------- retirement rules
@dataclass(frozen=True)
class Rule:
    label: str
    gender: str | None                  # '男' / '女' / None = anyone
    staffing_types: tuple[str, ...]     # empty = any 编制类型
    original_age: int
    start_birth_month: tuple[int, int] | None   # (year, month); None = no raise
    months_per_delay_month: int
    max_delay_months: int

    def covers(self, gender: str | None, staffing_type: str | None) -> bool:
        return ((self.gender is None or gender == self.gender)
                and (not self.staffing_types or staffing_type in self.staffing_types))

    def delay_months(self, birth: dt.date) -> int:
        if self.start_birth_month is None or self.months_per_delay_month <= 0:
            return 0
        start_year, start_month = self.start_birth_month
        after = (birth.year - start_year) * 12 + birth.month - start_month
        if after < 0:
            return 0
        return min(self.max_delay_months, after // self.months_per_delay_month + 1)

    def retirement(self, birth: dt.date) -> "Retirement":
        delay = self.delay_months(birth)
        age_months = self.original_age * 12 + delay
        return Retirement(self, birth, age_months, delay, add_months(birth, age_months))


@dataclass(frozen=True)
class Retirement:
    rule: Rule
    birth: dt.date
    age_months: int       # statutory retirement age in months
    delay_months: int     # months added by the gradual raise
    on: dt.date           # the day the person reaches that age

    @property
    def age_text(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{years}岁" + (f"{months}个月" if months else "")


@dataclass(frozen=True)
class RuleSet:
    name: str
    basis: str
    rules: tuple[Rule, ...]

    def rule_for(self, gender: str | None, staffing_type: str | None) -> Rule | None:
        """The first rule covering the person (None: gender unknown or no rule applies)."""
        return next((r for r in self.rules if r.covers(gender, staffing_type)), None)

    def retirement(self, gender: str | None, staffing_type: str | None,
                   birth: dt.date | None) -> Retirement | None:
        rule = self.rule_for(gender, staffing_type)
        return None if rule is None or birth is None else rule.retirement(birth)

    def to_json(self) -> dict:
        return {"name": self.name, "basis": self.basis, "rules": [{
            "label": r.label, "gender": r.gender, "staffing_types": list(r.staffing_types),
            "original_age": r.original_age,
            "start_birth_month": (None if r.start_birth_month is None
                                  else f"{r.start_birth_month[0]:04d}-{r.start_birth_month[1]:02d}"),
            "months_per_delay_month": r.months_per_delay_month,
            "max_delay_months": r.max_delay_months} for r in self.rules]}


def _int(item: dict, key: str, where: str, low: int, high: int) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{where}的{key}应为{low}–{high}之间的整数：{value!r}")
    return value


def _month(text, where: str) -> tuple[int, int] | None:
    if text is None or text == "":
        return None
    try:
        year, month = (int(p) for p in str(text).split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"{where}的start_birth_month应写作“1965-01”：{text!r}") from None
    return year, month


def parse_rules(data) -> RuleSet:
    """A RuleSet from its JSON form; raises ValueError with a Chinese reason."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise ValueError("退休年龄规则应为含有非空“rules”列表的JSON对象")
    rules = []
    for i, item in enumerate(data["rules"], 1):
        where = f"第{i}条规则"
        if not isinstance(item, dict):
            raise ValueError(f"{where}应为JSON对象")
        gender = item.get("gender")
        if gender not in (None, "男", "女"):
            raise ValueError(f"{where}的gender应为“男”“女”或null：{gender!r}")
        types = item.get("staffing_types") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise ValueError(f"{where}的staffing_types应为编制类型列表")
        rules.append(Rule(
            label=str(item.get("label") or where), gender=gender, staffing_types=tuple(types),
            original_age=_int(item, "original_age", where, 40, 75),
            start_birth_month=_month(item.get("start_birth_month"), where),
            months_per_delay_month=_int(item, "months_per_delay_month", where, 0, 24)
            if "months_per_delay_month" in item else 0,
            max_delay_months=_int(item, "max_delay_months", where, 0, 120)
            if "max_delay_months" in item else 0))
    return RuleSet(str(data.get("name") or "退休年龄规则"), str(data.get("basis") or ""), tuple(rules))

"""The staffing-need rule (编制需求测算): how many people a unit's approved workload justifies, and
whether that is evidence for more or fewer 编制. One rule, used by the unit's 统计分析 page, the
编办's 全县分析 table, the CLI and every report (README "Staffing need" says the same in words).

Definitions (a unit, a period P):
- 在岗人数 P: the people the period's figures count (Figures.people), split by staffing type into
  在编 (a staffing type with a quota: 行政/事业/工勤/政法专项编制), 编外 and 未填写编制类型.
- 测算需要人数 N = L ÷ (E ÷ P) ÷ target = P × saturation ÷ target: the people who would carry the
  approved hours L at the target saturation, each available as many days as the unit's people
  were on average (leave taken into account, so that N ÷ P is the saturation itself and the
  verdict agrees with the band colour). 编外 hours count in L because 编外 people are in P.
- Verdict, only when the data is complete enough (else 数据不足 with every reason, see below):
  - saturation above the green band and N − P ≥ 1: the workforce is short. 增编依据 when N
    exceeds the 核定编制 Q by at least 1 (size N − Q); otherwise the gap fits within vacant
    编制 and the verdict is 基本匹配 (补充空编, not 增编).
  - saturation below the green band and P − N ≥ 1: the workforce is idle. 减编依据 when Q
    exceeds N by at least 1 (size Q − N: 编外 people are released before 编制); otherwise the
    surplus is 编外 and the verdict is 基本匹配.
  - anything else, in particular every green unit: 基本匹配.
- Withheld (数据不足), each reason named: no approved work; the period has not ended; the
  period is shorter than the minimum span (default 3 whole months); the submission rate is under
  the trust threshold (default 80 %); the share of hours still waiting for review is above the
  allowed backlog (default 10 %, i.e. review completion under 90 %). N is still shown, marked
  仅供参考.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core import vocab
from app.core.figures import Figures
from app.core.metrics import DASH, Bands, percent

MORE, FEWER, MATCH, UNKNOWN = "增编依据", "减编依据", "基本匹配", "数据不足"
VERDICTS = (MORE, FEWER, MATCH, UNKNOWN)
IN_QUOTA, EXTRA, UNTYPED = vocab.IN_QUOTA, vocab.EXTRA, vocab.UNTYPED
MIN_GAP = 1.0           # people: a smaller gap is rounding noise in a small unit


@dataclass(frozen=True)
class NeedRule:
    """The thresholds of the rule (unit settings stats.*; the 编办 applies its own to every unit)."""
    bands: Bands = Bands()
    target: float = 1.0
    trust_threshold: float = 0.8        # minimum submission rate
    min_completion: float = 0.9         # minimum share of hours finally approved
    min_span_months: int = 3

    def describe(self) -> str:
        g = self.bands
        return (f"测算需要人数 = 在岗人数 × 工作饱和度 ÷ 目标饱和度{percent(self.target, 0)}；"
                f"饱和度高于{percent(g.green_high, 0)}且测算人数比在岗人数多1人以上、又超出核定编制1名以上的，"
                f"为增编依据；饱和度低于{percent(g.green_low, 0)}且测算人数比在岗人数少1人以上、又少于核定编制"
                f"1名以上的，为减编依据（编外人员先于编制核减）；其余（含绿灯单位）为基本匹配。"
                f"期间不少于{self.min_span_months}个完整月、已结束、填报率不低于{percent(self.trust_threshold, 0)}、"
                f"审定率不低于{percent(self.min_completion, 0)}时才下结论，否则为数据不足并写明原因。")


@dataclass
class Need:
    """The rule's result for one unit and period, with every input it used."""
    verdict: str
    need: float | None              # 测算需要人数 N
    people: int                     # 在岗人数 P
    by_class: dict[str, int]        # 在编 / 编外 / 未填写 → people
    quota: int                      # 核定编制 Q
    vacancies: int
    saturation: float | None
    reasons: list[str] = field(default_factory=list)   # why 数据不足
    text: str = ""

    @property
    def trustworthy(self) -> bool:
        return not self.reasons

    @property
    def gap(self) -> float | None:
        """N − P: positive = more work than people."""
        return None if self.need is None else self.need - self.people

    @property
    def quota_gap(self) -> float | None:
        """N − Q: the 编制 to add (positive) or that could be cut (negative)."""
        return None if self.need is None else self.need - self.quota

    def short_text(self) -> str:
        """34.6（+6.6）, with * when it is only for reference (the tables' 测算需（差额） column)."""
        if self.need is None:
            return DASH
        return f"{self.need:.1f}（{self.gap:+.1f}）" + ("" if self.trustworthy else "*")

    def quota_text(self) -> str:
        """超出核定编制3.6名 / 比核定编制少14.6名 (the size of the evidence against the 编制)."""
        if self.quota_gap is None:
            return ""
        gap = self.quota_gap
        return f"超出核定编制{gap:.1f}名" if gap >= 0 else f"比核定编制少{-gap:.1f}名"

    def headcount_text(self) -> str:
        parts = [f"{k}{n}" for k, n in self.by_class.items() if n]
        return f"在岗{self.people}人" + (f"（{'、'.join(parts)}）" if len(parts) > 1 else "")

    def size_text(self) -> str:
        """e.g. 测算需34.8人（在岗28人：在编25、编外3），差额+6.8；核定编制30名，空编5名."""
        if self.need is None:
            return "无法测算（本期没有应出勤工时）"
        text = f"测算需{self.need:.1f}人，{self.headcount_text()}，差额{self.gap:+.1f}"
        text += f"；核定编制{self.quota}名"
        return text + (f"，空编{self.vacancies}名" if self.vacancies else "")

    def to_json(self) -> dict:
        r = lambda v: None if v is None else round(v, 2)  # noqa: E731
        return {"verdict": self.verdict, "need": r(self.need), "people": self.people,
                "by_class": dict(self.by_class), "quota": self.quota, "vacancies": self.vacancies,
                "saturation": None if self.saturation is None else round(self.saturation, 4),
                "gap": r(self.gap), "quota_gap": r(self.quota_gap),
                "reasons": list(self.reasons), "text": self.text}


def withheld_reasons(figures: Figures, rule: NeedRule, today: dt.date) -> list[str]:
    """Why the figures cannot support a verdict (empty: they can)."""
    reasons = []
    period = figures.period
    if not figures.logged_hours:
        reasons.append("本期没有已审定的日志")
    if period.full is not None or period.end >= today:
        reasons.append(f"统计期间尚未结束（数据截至{period.end.month}月{period.end.day}日）")
    months = period.whole_month_count
    if months < rule.min_span_months:
        reasons.append(f"统计期间{'不足1个完整月' if months == 0 else f'只有{months}个月'}，"
                       f"编制需求至少按{rule.min_span_months}个完整月测算")
    rate = figures.submission_rate
    if rate is not None and round(rate, 9) < rule.trust_threshold:
        reasons.append(f"填报率{percent(rate)}低于{percent(rule.trust_threshold, 0)}")
    waiting = figures.backlog(rule.min_completion)
    if waiting is not None:
        reasons.append(f"尚有{percent(waiting)}的工时（{figures.pending_hours:g}小时）待审，"
                       f"审定率低于{percent(rule.min_completion, 0)}")
    return reasons


def assess(figures: Figures | None, quota: int, vacancies: int, rule: NeedRule,
           today: dt.date) -> Need:
    """The verdict for a unit's figures against its 核定编制 `quota` (with `vacancies`)."""
    if figures is None:
        return Need(UNKNOWN, None, 0, {}, quota, vacancies, None, ["本期没有上报数据"],
                    "本期没有上报数据")
    people = figures.people
    by_class = {k: figures.people_by_class.get(k, 0) for k in (IN_QUOTA, EXTRA, UNTYPED)}
    s = figures.saturation
    need = None if s is None else people * s / rule.target
    result = Need(MATCH, need, people, by_class, quota, vacancies, s)
    result.reasons = withheld_reasons(figures, rule, today)
    if need is None:
        result.verdict, result.text = UNKNOWN, "；".join(result.reasons) or "本期没有应出勤工时"
        return result
    size = result.size_text()
    if result.reasons:
        result.verdict = UNKNOWN
        result.text = f"{size}（仅供参考）。不作结论：" + "；".join(result.reasons)
        return result
    s9, bands = round(s, 9), rule.bands
    if s9 > bands.green_high and result.gap >= MIN_GAP:
        if result.quota_gap >= MIN_GAP:
            result.verdict = MORE
            result.text = f"{size}。{result.quota_text()}"
        else:
            result.text = f"{size}。工作量超出在岗人员，可由空编补充，未超出核定编制"
    elif s9 < bands.green_low and -result.gap >= MIN_GAP:
        if -result.quota_gap >= MIN_GAP:
            result.verdict = FEWER
            result.text = f"{size}。{result.quota_text()}"
            if by_class[EXTRA]:
                result.text += f"（编外{by_class[EXTRA]}人宜先于编制核减）"
        else:
            result.text = f"{size}。富余人员在编外，核定编制基本够用"
    else:
        result.text = f"{size}。工作饱和度{percent(s)}，人员与工作量基本匹配"
    return result

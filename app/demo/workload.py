"""How a demo unit's logs are bent, so that the 编办's county table has a realistic spread:
units under- and over-loaded, one whose people often leave a day without a log, one whose
reviewers are behind. `DEFAULT` is the single-unit demo as it always was (no factor applied,
no draw added); the county demo takes the PRESETS.

Saturation is approved hours ÷ ((working days − leave days) × 8 h), so `load` scales it
almost proportionally; the presets below are measured on the small demo county
(`python -m app demo-county --units 8`, the last month; docs in app.demo.county).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    key: str
    label: str                      # what the county demo summary says of it
    load: float = 1.0               # factor on each person's usual day (hours)
    off_days: float = 1.0           # factor on the chance of working a weekend or holiday
    absent_share: float = 0.0       # share of staff and section heads who often leave a day without a log …
    absent_rate: tuple[float, float] = (0.35, 0.65)   # … and how often (uniform range)
    review_lag: int = 0             # the last N working days: nobody has reviewed yet


DEFAULT = Workload("default", "工作量正常")
PRESETS = {w.key: w for w in (
    Workload("normal", "工作量正常", load=1.06),
    Workload("under", "工作量不足", load=0.73, off_days=0.5),
    Workload("over", "工作量饱满偏重", load=1.3, off_days=12.0),
    Workload("sparse", "填报不全", load=1.06, absent_share=0.75, absent_rate=(0.45, 0.75)),
    Workload("lagging", "审核滞后", load=1.06, review_lag=5),
)}
# The small demo county (the first eight units of app.demo.county.CATALOGUE), in order.
# 发改 is the over-loaded one: its quota is as planned, so its overload is 增编 evidence (组织部
# has many vacancies, which would absorb it).
SMALL_COUNTY = ("over", "normal", "normal", "normal", "lagging", "sparse", "under", "under")
# The units after those: drawn with these weights.
WEIGHTS = (("normal", 60), ("under", 16), ("over", 10), ("sparse", 7), ("lagging", 7))

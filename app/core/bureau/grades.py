"""等次 of an evaluation round (编办用单): a unit's final score (the 编办's total plus its 加分/扣分)
is turned into a 百分制 score (final ÷ the template's full score × 100: the shipped systems are
100 common + 20 individual points) and graded by the round's cut-offs, e.g. 好 ≥ 90, 较好 ≥ 80,
一般 ≥ 60, 较差 below. Optionally the top grade is capped to a share of the units (好 ≤ 30 %):
then the ranking decides, and a unit past the cap gets the next grade."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Seeds 001/002: 考核结果一等次 … 倾斜; the four grades a county's 综合绩效考核 uses.
DEFAULT_CUTOFFS: tuple[tuple[str, float], ...] = (("好", 90.0), ("较好", 80.0), ("一般", 60.0))
DEFAULT_LOWEST = "较差"


@dataclass(frozen=True)
class Grading:
    cutoffs: tuple[tuple[str, float], ...] = DEFAULT_CUTOFFS    # descending
    lowest: str = DEFAULT_LOWEST                                 # below the last cut-off
    top_share: float | None = None                               # percent of units, None: no cap

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.cutoffs] + [self.lowest]

    def text(self) -> str:
        """好≥90，较好≥80，一般≥60，较差<60 (and the cap)."""
        parts = [f"{n}≥{v:g}" for n, v in self.cutoffs]
        if self.cutoffs:
            parts.append(f"{self.lowest}<{self.cutoffs[-1][1]:g}")
        cap = f"；{self.cutoffs[0][0]}等次不超过参评单位的{self.top_share:g}%" if self.top_share and self.cutoffs else ""
        return "，".join(parts) + cap


def problems(cutoffs, lowest: str, top_share: float | None = None) -> list[str]:
    """Why cut-offs cannot be used (Chinese), empty when they can."""
    found = []
    if not cutoffs:
        found.append("至少要有一个等次分数线")
    names = [str(n).strip() for n, _ in cutoffs] + [lowest.strip()]
    for n in names:
        if not n:
            found.append("等次名称不能为空")
        elif len(n) > 10:
            found.append(f"等次名称“{n}”过长（最多10个字）")
    dup = sorted({n for n in names if n and names.count(n) > 1})
    if dup:
        found.append(f"等次名称重复：{'、'.join(dup)}")
    values = []
    for n, v in cutoffs:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            found.append(f"“{n}”的分数线不是数字")
        elif not 0 <= v <= 100:
            found.append(f"“{n}”的分数线{v:g}应在0至100之间（按百分制）")
        else:
            values.append(v)
    if len(values) == len(cutoffs) and any(a <= b for a, b in zip(values, values[1:])):
        found.append("分数线须从高到低排列且不重复（如 好≥90，较好≥80，一般≥60）")
    if top_share is not None and not (isinstance(top_share, (int, float)) and 0 < top_share <= 100):
        found.append("最高等次的比例上限应在0至100之间（如30表示不超过30%）")
    return found


def make(cutoffs, lowest: str = DEFAULT_LOWEST, top_share: float | None = None) -> Grading:
    """A checked Grading; ValueError naming every problem."""
    found = problems(cutoffs, lowest, top_share)
    if found:
        raise ValueError("；".join(found))
    return Grading(tuple((str(n).strip(), float(v)) for n, v in cutoffs), lowest.strip(),
                   float(top_share) if top_share else None)


_PART = re.compile(r"^(.+?)(?:>=|≥|＞=|:|：|=)(-?\d+(?:\.\d+)?)$")


def parse(text: str, top_share: float | None = None) -> Grading:
    """Cut-offs as people type them: "好=90,较好=80,一般=60,较差" (or 好≥90，…); the last name
    without a number is the grade below (default 较差). ValueError (Chinese) when unusable."""
    parts = [p.strip() for p in re.split(r"[,，、;；\s]+", text.strip()) if p.strip()]
    cutoffs, lowest = [], DEFAULT_LOWEST
    for i, part in enumerate(parts):
        m = _PART.match(part.replace("分", ""))
        if m:
            cutoffs.append((m[1].strip(), float(m[2])))
        elif i == len(parts) - 1 and not re.search(r"\d", part):
            lowest = part.lstrip("<＜").split("<")[0]
        else:
            raise ValueError(f"看不懂“{part}”：应写作 好=90,较好=80,一般=60,较差")
    return make(cutoffs, lowest, top_share)


def percent(final: float, full: float) -> float:
    """The 百分制 score: final ÷ full × 100 (2 decimals)."""
    return round(final / full * 100, 2) if full else 0.0


def grade_of(score: float, grading: Grading) -> str:
    """The grade of one 百分制 score (a score equal to a cut-off reaches it)."""
    for name, floor in grading.cutoffs:
        if score >= floor - 1e-9:
            return name
    return grading.lowest


def grade_all(ranked: list[float], grading: Grading) -> list[tuple[str, bool]]:
    """(grade, demoted by the cap) for scores in ranking order (best first). With a cap on the
    top grade, only the first floor(share × units) units reaching it keep it; the others get
    the next grade."""
    grades = [grade_of(s, grading) for s in ranked]
    out = [(g, False) for g in grades]
    if grading.top_share and grading.cutoffs and len(grading.names) > 1:
        top, nxt = grading.names[0], grading.names[1]
        allowed = math.floor(len(ranked) * grading.top_share / 100 + 1e-9)
        kept = 0
        for i, g in enumerate(grades):
            if g == top:
                if kept < allowed:
                    kept += 1
                else:
                    out[i] = (nxt, True)
    return out

"""Report text written from the numbers, in the style of an official analysis report (公文).

Each function turns one aspect of a `PeriodSummary` into Chinese sentences: the overall load
(总体看……), changes against the previous period (从变化看……), sections and persons outside the
green band (从科室看/从人员看……), daily hours, focus on core duties, coverage of the 三定 duties,
core duties in detail, and suggestions (建议……). Every sentence states numbers from the summary or
is chosen by them; where data is missing the text says so plainly instead of guessing.
"""
from __future__ import annotations

from collections.abc import Sequence

from app.reports.model import (DAILY_BUCKETS, Bands, FocusShares, LoadItem,
                               PeriodSummary, band_level, hours, pct)

MAX_LISTED = 8                 # names or duties listed before "等N个"
CHANGE_NOTICE = 0.05           # section saturation changes from 5 points up are named
CATEGORY_NOTICE = 0.03         # category share changes from 3 points up are named
DEFAULT_TRUST = 0.8            # submission rate below which saturation is only indicative
DUTY_NAME_CHARS = 24

_LEVEL_PHRASE = {
    "适中": "处于合理区间（绿灯）",
    "偏低": "低于合理区间（黄灯）",
    "过低": "明显低于合理区间（红灯），工作量不够饱满",
    "偏高": "高于合理区间（黄灯）",
    "过高": "明显高于合理区间（红灯），工作负荷过重",
}
_ORDINALS = "一二三四五六七八九十"


def subject(s: PeriodSummary) -> str:
    return f"{s.name}同志" if s.kind == "person" else s.name


def listing(items: Sequence[str], unit: str, limit: int = MAX_LISTED) -> str:
    """'甲、乙、丙' or '甲、乙……等12个' beyond the limit."""
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + f"等{len(items)}{unit}"


def change_points(now: float, before: float) -> str:
    """Change of a ratio in percentage points: 上升3.2个百分点 / 下降… / 持平."""
    diff = (now - before) * 100
    if abs(diff) < 0.05:
        return "持平"
    return f"{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def change_relative(now: float, before: float) -> str | None:
    """Relative change of an amount: 增加12.5% / 减少… / 持平; None when before is 0."""
    if before <= 0:
        return None
    rel = (now - before) / before
    if abs(rel) < 0.0005:
        return "持平"
    return f"{'增加' if rel > 0 else '减少'}{abs(rel) * 100:.1f}%"


def duty_label(code: str, name: str) -> str:
    short = name if len(name) <= DUTY_NAME_CHARS else name[:DUTY_NAME_CHARS] + "…"
    return f"{code}“{short}”" if code else f"“{short}”"


# ----- overall --------------------------------------------------------------------------------
def overall(s: PeriodSummary, bands=Bands(), trust: float = DEFAULT_TRUST) -> str:
    who = subject(s)
    rate = (f"日志填报率为{pct(s.submission_rate)}。" if s.submission_rate is not None else "")
    if s.expected_hours <= 0:
        return (f"{s.period_label}，{who}本期无应出勤的工作日（或均为请假、公休），"
                f"应出勤工时为零，饱和度不作计算。")
    if not s.has_data:
        return f"{s.period_label}，{who}本期无已审定的日志，无法评价饱和度。{rate}"
    people = f"{s.people}名人员参与履职留痕，" if s.kind != "person" and s.people else ""
    level = band_level(s.saturation, bands)
    text = (f"总体看，{s.period_label}{who}{people}本期工作日{s.working_days}天，"
            f"应出勤工时{hours(s.expected_hours)}小时，经审定的工作时长{hours(s.logged_hours)}小时"
            f"（工作记录{s.approved_entries}条），工作饱和度为{pct(s.saturation)}，"
            f"{_LEVEL_PHRASE[level]}。{rate}")
    if s.submission_rate is not None and s.submission_rate < trust:
        text += (f"填报率低于{pct(trust, 0)}，部分工作未留痕，饱和度可能被低估，"
                 f"相关结论仅供参考。")
    if s.pending_logs:
        total = s.logged_hours + s.pending_hours
        share = f"，占已提交工时的{pct(s.pending_hours / total)}" if total > 0 else ""
        text += (f"另有已提交、尚待审阅的日志{s.pending_logs}篇、{hours(s.pending_hours)}小时{share}，"
                 f"审定后计入。")
    return text


# ----- changes against the previous period --------------------------------------------------
def changes(s: PeriodSummary) -> list[str]:
    p = s.previous
    if p is None or not s.has_data:
        return []
    if not p.has_data:
        return [f"上期（{p.period_label}）无已审定的日志，本期无法与上期比较。"]
    why = s.withheld or p.withheld
    if why:
        which = "本期" if s.withheld else "上期"
        return [f"{which}{why.removeprefix('本期')}，与上期（{p.period_label}）的差异主要反映审阅进度，"
                f"不作升降判断：本期工作饱和度{pct(s.saturation)}、上期{pct(p.saturation)}。"]
    parts = []
    if s.saturation is not None and p.saturation is not None:
        parts.append(f"工作饱和度{change_points(s.saturation, p.saturation)}"
                     f"（上期{pct(p.saturation)}）")
    rel = change_relative(s.logged_hours, p.logged_hours)
    if rel:
        parts.append(f"经审定的工作时长{rel}（上期{hours(p.logged_hours)}小时）")
    if s.submission_rate is not None and p.submission_rate is not None:
        parts.append(f"日志填报率{change_points(s.submission_rate, p.submission_rate)}")
    if s.focus and p.focus:
        parts.append(f"核心职责工时占比{change_points(s.focus.core, p.focus.core)}")
    if s.coverage is not None and p.coverage is not None:
        parts.append(f"履职全面度{change_points(s.coverage, p.coverage)}")
    out = [f"从变化看，与上期（{p.period_label}）相比，" + "，".join(parts) + "。"] if parts else []
    section_text = _section_changes(s.sections, p.sections)
    if section_text:
        out.append(section_text)
    category_text = _category_changes(s.categories, p.categories)
    if category_text:
        out.append(category_text)
    return out


def _section_changes(now: Sequence[LoadItem], before: Sequence[LoadItem]) -> str | None:
    old = {x.name: x.saturation for x in before}
    deltas = [(x.name, x.saturation - old[x.name]) for x in now
              if x.saturation is not None and old.get(x.name) is not None]
    if not deltas:
        return None
    up = sorted((d for d in deltas if d[1] >= CHANGE_NOTICE), key=lambda d: -d[1])
    down = sorted((d for d in deltas if d[1] <= -CHANGE_NOTICE), key=lambda d: d[1])
    if not up and not down:
        return f"分科室看，各科室工作饱和度与上期相比变化均在{CHANGE_NOTICE * 100:.0f}个百分点以内。"
    parts = []
    if up:
        parts.append("饱和度上升较多的是" + listing(
            [f"{n}（上升{d * 100:.1f}个百分点）" for n, d in up], "个科室"))
    if down:
        parts.append("下降较多的是" + listing(
            [f"{n}（下降{-d * 100:.1f}个百分点）" for n, d in down], "个科室"))
    return "分科室看，" + "；".join(parts) + "。"


def _shares(categories) -> dict[str, float]:
    total = sum(h for _, h in categories)
    return {n: h / total for n, h in categories} if total > 0 else {}


def _category_changes(now, before) -> str | None:
    a, b = _shares(now), _shares(before)
    if not a or not b:
        return None
    deltas = sorted(((n, a.get(n, 0.0) - b.get(n, 0.0)) for n in {*a, *b}), key=lambda d: -abs(d[1]))
    named = [(n, d) for n, d in deltas if abs(d) >= CATEGORY_NOTICE][:4]
    if not named:
        return None
    return "从工作类别看，" + "，".join(f"{n}工时占比{change_points(a.get(n, 0.0), b.get(n, 0.0))}"
                                    for n, _ in named) + "。"


# ----- load of sections and persons ------------------------------------------------------------
def _grouped(items: Sequence[LoadItem], bands) -> dict[str | None, list[LoadItem]]:
    groups: dict[str | None, list[LoadItem]] = {}
    for x in items:
        groups.setdefault(band_level(x.saturation, bands), []).append(x)
    return groups


def _named(items: list[LoadItem], descending: bool) -> list[str]:
    items = sorted(items, key=lambda x: x.saturation or 0.0, reverse=descending)
    return [f"{x.name}（{pct(x.saturation)}）" for x in items]


def load(s: PeriodSummary, bands=Bands()) -> list[str]:
    out = []
    if s.sections:
        g = _grouped(s.sections, bands)
        high = g.get("偏高", []) + g.get("过高", [])
        low = g.get("偏低", []) + g.get("过低", [])
        parts = [f"从科室看，{len(s.sections)}个科室中，饱和度处于合理区间的{len(g.get('适中', []))}个"]
        if high:
            parts.append(f"高于合理区间的{len(high)}个：" + listing(_named(high, True), "个"))
        if low:
            parts.append(f"低于合理区间的{len(low)}个：" + listing(_named(low, False), "个"))
        if g.get(None):
            parts.append(f"{listing([x.name for x in g[None]], '个')}本期无应出勤工时，未作评价")
        out.append("；".join(parts) + "。")
    if s.persons:
        g = _grouped(s.persons, bands)
        n = len(s.persons)
        green = len(g.get("适中", []))
        parts = [f"从人员看，{n}人中，饱和度处于合理区间的{green}人，占{pct(green / n)}"]
        if g.get("过高"):
            parts.append(f"高于{pct(bands.yellow_high, 0)}（红灯）的{len(g['过高'])}人：" +
                         listing(_named(g["过高"], True), "人"))
        if g.get("过低"):
            parts.append(f"低于{pct(bands.yellow_low, 0)}（红灯）的{len(g['过低'])}人：" +
                         listing(_named(g["过低"], False), "人"))
        yh, yl = len(g.get("偏高", [])), len(g.get("偏低", []))
        if yh or yl:
            parts.append(f"处于黄灯区间的{yh + yl}人（偏高{yh}人、偏低{yl}人）")
        if g.get(None):
            parts.append(f"{len(g[None])}人本期无应出勤工时，未作评价")
        out.append("；".join(parts) + "。")
    daily = daily_hours(s)
    if daily:
        out.append(daily)
    return out


def daily_hours(s: PeriodSummary) -> str | None:
    if not s.daily_buckets or sum(s.daily_buckets) == 0:
        return None
    counts = s.daily_buckets
    total = sum(counts)
    parts = "，".join(f"{label}的{c}人" for label, c in zip(DAILY_BUCKETS, counts))
    above5 = total - counts[0]
    return (f"从日均工时看，日均{parts}；日均5小时以上的{above5}人，占{pct(above5 / total)}。")


# ----- categories, focus, coverage ---------------------------------------------------------
def categories(s: PeriodSummary, top: int = 3) -> str | None:
    rows = sorted(((n, h) for n, h in s.categories if h > 0), key=lambda r: -r[1])
    if not rows:
        return None
    total = sum(h for _, h in rows)
    named = [f"{n}（{hours(h)}小时，占{pct(h / total)}）" for n, h in rows[:top]]
    text = f"从工作类别看，用时最多的是{named[0]}"
    if len(named) > 1:
        text += "，其次是" + "、".join(named[1:])
    return text + "。"


def focus(s: PeriodSummary, reference: FocusShares | None = None, reference_source: str = "") -> str:
    f = s.focus
    if f is None:
        return "本期无已审定的工时，无法计算主责主业聚焦度。"
    half = "超过一半" if f.core > 0.5 else ("恰为一半" if f.core == 0.5 else "不足一半")
    text = (f"从主责主业聚焦度看，核心职责工时占比{pct(f.core)}，一般职责占比{pct(f.general)}，"
            f"辅助职责（含未关联职责的工作）占比{pct(f.auxiliary)}，核心职责工时占比{half}。")
    if reference is not None:
        diff = (f.core - reference.core) * 100
        compare = ("与之基本相当" if abs(diff) < 0.05 else
                   f"核心职责占比{'高出' if diff > 0 else '低于'}该数据{abs(diff):.1f}个百分点")
        text += (f"作为外部参照，{reference_source}核心、一般、辅助职能工时占比分别为"
                 f"{pct(reference.core)}、{pct(reference.general)}、{pct(reference.auxiliary)}，"
                 f"本期{compare}。")
    return text


def coverage(s: PeriodSummary) -> str:
    if s.duties_total <= 0:
        return "尚未录入在用的“三定”职责，无法评价履职全面度。"
    text = (f"从履职全面度看，在用的“三定”职责共{s.duties_total}项，本期有已审定工作记录的"
            f"{s.duties_covered}项，履职全面度为{pct(s.coverage)}。")
    if s.uncovered:
        text += (f"本期未见履职记录的职责{len(s.uncovered)}项：" +
                 listing([duty_label(d.code, d.name) for d in s.uncovered], "项") + "。")
    else:
        text += "各项职责本期均有履职记录。"
    return text


def core_duties(s: PeriodSummary, top: int = 3) -> list[str]:
    """The core-duty report's analysis: how much of the work went to core duties, which took the
    most hours, which had no record."""
    active = [d for d in s.duties if d.kind == "核心" and d.hours > 0]
    idle = [d for d in s.uncovered if d.kind == "核心"]
    total = len(active) + len(idle)
    if total == 0:
        return ["本期未发现已分类为核心职责的“三定”职责，无法评价核心职能履行情况。"]
    core_hours = sum(d.hours for d in active)
    share = f"，占全部已审定工时的{pct(core_hours / s.logged_hours)}" if s.logged_hours > 0 else ""
    out = [f"从核心职能履行看，核心职责共{total}项，本期有履职记录的{len(active)}项，累计工时"
           f"{hours(core_hours)}小时{share}，工作记录{sum(d.entries for d in active)}条。"]
    if active:
        ranked = sorted(active, key=lambda d: -d.hours)[:top]
        out.append("工时较多的是" + "；".join(
            f"{duty_label(d.code, d.name)}，{hours(d.hours)}小时，{d.people}人参与，"
            f"{d.entries}条记录" for d in ranked) + "。")
    if idle:
        out.append(f"核心职责中本期未见履职记录的{len(idle)}项：" +
                   listing([duty_label(d.code, d.name) for d in idle], "项") + "。")
    return out


# ----- suggestions ----------------------------------------------------------------------------
def suggestions(s: PeriodSummary, bands=Bands(), trust: float = DEFAULT_TRUST) -> list[str]:
    """Suggestions chosen by the numbers (each names the figure that calls for it)."""
    out = []
    if s.kind == "person":
        level = band_level(s.saturation, bands) if s.has_data else None
        if level == "过高":
            out.append(f"所在科室统筹调剂任务，减轻其工作负荷（本期饱和度{pct(s.saturation)}）")
        elif level == "过低":
            out.append(f"结合岗位职责核实原因，充实工作任务（本期饱和度{pct(s.saturation)}）")
    if s.uncovered:
        out.append(f"对本期未见履职记录的{len(s.uncovered)}项职责逐项核实原因，属于阶段性、"
                   f"季节性工作的作出说明，连续一年未运行的列为长期不运行的权责事项，按程序提出调整意见")
    heavy, light = [], []
    for items, is_section in ((s.sections, True), (s.persons, False)):
        g = _grouped(items, bands)
        if g.get("过高"):
            heavy.append(_who(sorted(g["过高"], key=lambda x: -(x.saturation or 0)), is_section))
        if g.get("过低"):
            light.append(_who(sorted(g["过低"], key=lambda x: x.saturation or 0), is_section))
    if heavy:
        out.append(f"对工作饱和度高于{pct(bands.yellow_high, 0)}的{'和'.join(heavy)}，"
                   f"统筹调剂任务分工，必要时充实工作力量")
    if light:
        out.append(f"对工作饱和度低于{pct(bands.yellow_low, 0)}的{'和'.join(light)}，"
                   f"结合岗位职责核实原因，优化分工")
    if s.submission_rate is not None and s.submission_rate < trust:
        out.append(f"督促按时填报工作日志，提高履职留痕的完整性（本期填报率{pct(s.submission_rate)}）")
    if s.focus is not None and s.focus.core < 0.5 and s.kind != "person":
        out.append(f"进一步聚焦主责主业，压减事务性工作，提高核心职责工时占比（本期"
                   f"{pct(s.focus.core)}）")
    return out


def _who(items: Sequence[LoadItem], is_section: bool, limit: int = 4) -> str:
    """办公室、登记注册科 / 甲、乙等6个科室 / 王堃同志 / 甲、乙等9名同志."""
    names = "、".join(x.name for x in items[:limit])
    if is_section:
        return names if len(items) <= limit else f"{names}等{len(items)}个科室"
    return f"{names}同志" if len(items) <= limit else f"{names}等{len(items)}名同志"


def suggestion_paragraph(s: PeriodSummary, bands=Bands(), trust: float = DEFAULT_TRUST) -> str:
    items = suggestions(s, bands, trust)
    if not s.has_data:
        return "建议督促按时填报和审阅工作日志，待有已审定的日志后再作评价。"
    if not items:
        return "本期各项指标未见异常，建议继续保持日志填报和审阅质量。"
    if len(items) == 1:
        return f"建议{items[0]}。"
    return "建议：" + "；".join(f"{_ORDINALS[i]}是{t}" if i < len(_ORDINALS) else t
                              for i, t in enumerate(items)) + "。"


def person_paragraphs(s: PeriodSummary, bands=Bands()) -> list[str]:
    """The narrative of a personal report: load, changes, categories, focus, suggestions."""
    out = [overall(s, bands)]
    if s.has_data:
        out += changes(s)
        cat = categories(s)
        if cat:
            out.append(cat)
        out.append(focus(s))
    out.append(suggestion_paragraph(s, bands))
    return out

"""Automatic scoring of 评估要点: the metrics an indicator may name, the rule kinds, and a
readable text form of each rule for the Excel sheet. Pure functions (app.core.bureau.indicators
re-exports what callers need).

Metrics (name → value; fractions are 0–1, never percent):
    saturation, daily_average, submission_rate, review_timeliness, coverage   the unit's
        `stats --json` object for the period (app.core.figures.Figures.to_json)
    focus_core          figures["focus"]["core"] (主责主业聚焦度)
    staffing_usage      实有人数 ÷ 核定编制数 (app.core.bureau.county.Staffing.usage)
    vacancy_rate        空编数 ÷ 核定编制数
    over_quota_count    超编人数, summed over 编制类型
    over_leader_count   超职数配备的领导人数, summed over 正职/副职
    seconded_count      借调人数
    task_ratio          编制任务比 (镇江): 重点任务数 ÷ (编制数 ÷ 基数)
    fte_gap_ratio       测算需要人数 ÷ 在岗人数 (app.core.need: both count 在编 and 编外 alike), only
                        when the submission rate makes the figures trustworthy
A value that cannot be computed is None with the reason; it gives no automatic score, never 0.

Rules are JSON objects; `score` turns (rule, value, max score) into a score and a sentence:
    {"kind": "band", "full": [0.85, 1.15], "zero": [0.6, 1.3]}
        full marks inside `full`, 0 at or outside `zero`, linear in between (both sides).
    {"kind": "at_least", "full": 0.95, "zero": 0.6}     higher is better: ≥ full → full marks,
        ≤ zero → 0, linear in between.
    {"kind": "at_most", "full": 0, "zero": 3}           lower is better: ≤ full → full marks,
        ≥ zero → 0, linear in between.
    {"kind": "steps", "steps": [[0.9, 1.0], [0.8, 0.8], [0, 0]]}   the first step whose threshold
        the value reaches gives that share of the max score (thresholds descending); none → 0.
    {"kind": "deduct", "per": 1, "points": 2}           every full `per` of the value takes
        `points` off the max score, down to 0 (每超配1名扣2分，扣完为止).
    {"kind": "adjust", "points": 2, "cap": 5}           a 加分/扣分 item (seed 001: 加分奖励; 扣分):
        not scored from a metric but entered by the 编办 per unit — each time it applies adds
        `points` (negative: takes them off), at most `cap` in all (获省级表彰每次加2分，最多加5分).
Scores are rounded to 2 decimals.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from app.core.bureau.county import TASK_BASE, Staffing, TaskRatio

PERCENT, HOURS, COUNT, RATIO = "percent", "hours", "count", "ratio"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str          # Chinese name shown in the sheet and the scores
    kind: str           # percent | hours | count | ratio: how values and thresholds are written
    source: str         # where the value comes from, in Chinese


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("saturation", "工作饱和度", PERCENT, "统计分析：计入工时 ÷ 应出勤工时"),
    Metric("daily_average", "日均有效工时", HOURS, "统计分析：计入工时 ÷ 出勤人日"),
    Metric("submission_rate", "日志填报率", PERCENT, "统计分析：已提交日志人日 ÷ 应填报人日"),
    Metric("review_timeliness", "审阅及时率", PERCENT, "统计分析：按时审阅的日志 ÷ 应审阅的日志"),
    Metric("focus_core", "主责主业聚焦度", PERCENT, "统计分析：核心职责工时 ÷ 全部工时"),
    Metric("coverage", "履职全面度", PERCENT, "统计分析：有留痕的三定职责 ÷ 有效职责"),
    Metric("staffing_usage", "编制使用率", PERCENT, "编制情况：实有人数 ÷ 核定编制数"),
    Metric("vacancy_rate", "空编率", PERCENT, "编制情况：空编数 ÷ 核定编制数"),
    Metric("over_quota_count", "超编人数", COUNT, "编制情况：各编制类型实有人数超出编制数之和"),
    Metric("over_leader_count", "超职数配备领导人数", COUNT, "编制情况：正职、副职实配超出核定职数之和"),
    Metric("seconded_count", "借调人数", COUNT, "人员名册：状态为借调的人数"),
    Metric("task_ratio", "编制任务比", RATIO, "重点任务数 ÷（编制数 ÷ 任务基数3/4/5）"),
    Metric("fte_gap_ratio", "工作量与人员匹配度", PERCENT, "测算需要人数 ÷ 在岗人数（填报率达到可信门槛时）"),
)}

RULE_KINDS = {"band": "区间", "at_least": "越高越好", "at_most": "越低越好", "steps": "分档",
              "deduct": "扣分", "adjust": "加减分"}
ADJUST_KIND = "adjust"


# ---------------------------------------------------------------- numbers
def _num(v: float) -> str:
    """Shortest plain text of a number (85.0 → '85', 0.125 → '0.125')."""
    text = f"{round(v, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: float | None, metric: str | None) -> str:
    """A metric value or threshold as people write it: 85% for percent metrics, else a number."""
    if value is None:
        return "—"
    kind = METRICS[metric].kind if metric in METRICS else RATIO
    if kind == PERCENT:
        return _num(round(value * 100, 2)) + "%"
    if kind == HOURS:
        return _num(round(value, 2)) + "小时"
    return _num(round(value, 4)) + ("名" if kind == COUNT else "")


def _bare(value: float, metric: str | None) -> str:
    """A threshold in rule text (no unit word for hours: '7~10得满分')."""
    kind = METRICS[metric].kind if metric in METRICS else RATIO
    if kind == PERCENT:
        return _num(value * 100) + "%"
    return _num(value) + ("小时" if kind == HOURS else "")


# ---------------------------------------------------------------- metric values
@dataclass(frozen=True)
class MetricValue:
    metric: str
    value: float | None
    inputs: str                 # the numbers the value comes from (Chinese)
    reason: str | None = None   # why there is no value

    @property
    def text(self) -> str:
        if self.value is None:
            return f"{METRICS[self.metric].label}：无数值（{self.reason}）"
        return f"{METRICS[self.metric].label}{format_value(self.value, self.metric)}（{self.inputs}）"


def metric_values(figures: dict | None, staffing: Staffing, ratio: TaskRatio) -> dict[str, MetricValue]:
    """Every metric of METRICS for one unit and period. `figures`: the unit's `stats --json`
    object (None: no statistics for the period); `staffing`/`ratio`: app.core.bureau.county."""
    out: dict[str, MetricValue] = {}

    def put(name: str, value, inputs: str = "", reason: str | None = None) -> None:
        out[name] = MetricValue(name, None if value is None else float(value), inputs,
                                reason if value is None else None)

    f = figures
    no_stats = "本期没有统计数据（单位尚未上报或没有日志）"
    if f is None:
        for name in ("saturation", "daily_average", "submission_rate", "review_timeliness",
                     "focus_core", "coverage", "fte_gap_ratio"):
            put(name, None, reason=no_stats)
    else:
        L, E, avail = f["logged_hours"], f["expected_hours"], f["available_days"]
        put("saturation", f["saturation"], f"计入工时{_num(L)}小时 ÷ 应出勤工时{_num(E)}小时",
            "应出勤工时为0")
        put("daily_average", f["daily_average"], f"计入工时{_num(L)}小时 ÷ 出勤人日{avail}",
            "出勤人日为0")
        put("submission_rate", f["submission_rate"],
            f"已提交日志{f['submitted_days']}人日 ÷ 应填报{avail}人日", "应填报人日为0")
        overdue = (f.get("thresholds") or {}).get("overdue_days")
        put("review_timeliness", f["review_timeliness"],
            f"{overdue}天内审阅的日志 ÷ 应审阅的日志（含逾期未审）", "本期没有应审阅的日志")
        hours = f.get("focus_hours") or {}
        put("focus_core", (f.get("focus") or {}).get("core"),
            f"核心职责工时{_num(hours.get('core', 0))}小时 ÷ 全部工时"
            f"{_num(sum(hours.values()))}小时", "本期没有计入的工时")
        put("coverage", f["coverage"],
            f"有留痕的职责{len(f['covered_duties'])}项 ÷ 有效职责{f['active_duties']}项",
            "单位没有有效的三定职责")
    if not staffing.actual:
        for name in ("staffing_usage", "vacancy_rate", "over_quota_count", "over_leader_count",
                     "seconded_count"):
            put(name, None, reason="没有人员名册数据")
    else:
        no_quota = "未核定编制数"
        q, a = staffing.quota_total, staffing.actual_total
        # Rounded like every fraction of `stats --json`, so a value is what the sheet shows.
        put("staffing_usage", round(staffing.usage, 4) if q else None, f"实有{a}人 ÷ 核定编制{q}名",
            no_quota)
        put("vacancy_rate", round(staffing.vacancies / q, 4) if q else None,
            f"空编{staffing.vacancies}名 ÷ 核定编制{q}名", no_quota)
        over = staffing.over_quota
        put("over_quota_count", sum(over.values()) if q else None,
            "、".join(f"{t}超编{n}名" for t, n in over.items()) or "各编制类型均未超编", no_quota)
        lead = staffing.over_leaders
        put("over_leader_count", sum(lead.values()) if staffing.leader_quotas else None,
            "、".join(f"{k}超配{n}名" for k, n in lead.items()) or "正职、副职均未超职数",
            "未核定领导职数")
        put("seconded_count", staffing.seconded, f"借调人员{staffing.seconded}人")
    if ratio.ratio is None:
        put("task_ratio", None, reason="未设定编制任务比类别、重点任务数或编制数")
    else:
        base = TASK_BASE[ratio.task_class]
        put("task_ratio", round(ratio.ratio, 4),
            f"重点任务{ratio.key_tasks}项 ÷ 目标任务数{_num(round(ratio.target, 2))}"
            f"（编制{ratio.quota}名 ÷ {ratio.task_class}类基数{base}；重点任务数按{ratio.source}）")
    if f is not None:
        # the staffing-need rule's basis: the people at work (在编 and 编外) and their hours
        people, saturation = f["people"], f["saturation"]
        if saturation is None:
            put("fte_gap_ratio", None, reason="无法测算人数（本期没有工作日或工时）")
        elif not f["fte_trustworthy"]:
            put("fte_gap_ratio", None, reason="填报率未达到可信门槛，测算人数不作依据")
        elif not people:
            put("fte_gap_ratio", None, reason="本期没有在岗人员")
        else:
            need = people * saturation / f["thresholds"]["target_saturation"]
            put("fte_gap_ratio", round(need / people, 4),
                f"测算需要{_num(round(need, 2))}人 ÷ 在岗{people}人")
    return out


# ---------------------------------------------------------------- rules
def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def rule_problem(rule) -> str | None:
    """Why a rule object is not valid (Chinese), or None."""
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        return "规则类型应为 " + "、".join(RULE_KINDS) + " 之一"
    kind = rule["kind"]
    if kind == "band":
        full, zero = rule.get("full"), rule.get("zero")
        if not (isinstance(full, list) and isinstance(zero, list) and len(full) == 2 == len(zero)
                and all(map(_is_num, full + zero))):
            return "区间规则须有满分区间 full [下限, 上限] 和零分界 zero [下限, 上限]"
        if not zero[0] <= full[0] <= full[1] <= zero[1]:
            return "区间规则须满足 零分下限 ≤ 满分下限 ≤ 满分上限 ≤ 零分上限"
    elif kind in ("at_least", "at_most"):
        full, zero = rule.get("full"), rule.get("zero")
        if not (_is_num(full) and _is_num(zero)):
            return "须有满分线 full 和零分线 zero（数值）"
        if kind == "at_least" and not zero < full:
            return "“越高越好”规则的零分线须低于满分线"
        if kind == "at_most" and not full < zero:
            return "“越低越好”规则的满分线须低于零分线"
    elif kind == "steps":
        steps = rule.get("steps")
        if not (isinstance(steps, list) and steps and all(
                isinstance(s, list) and len(s) == 2 and all(map(_is_num, s)) for s in steps)):
            return "分档规则须有 steps [[门槛, 得分比例], …]"
        thresholds = [s[0] for s in steps]
        if any(a <= b for a, b in zip(thresholds, thresholds[1:])):
            return "分档规则的门槛须从高到低排列且不重复"
        if not all(0 <= s[1] <= 1 for s in steps):
            return "分档规则的得分比例须在0到1之间（1为满分）"
    elif kind == ADJUST_KIND:
        points, cap = rule.get("points"), rule.get("cap")
        if not (_is_num(points) and _is_num(cap) and points != 0 and cap > 0):
            return "加减分规则须有 points（每次加减几分，扣分为负数）和 cap（最多加减几分，大于0）"
        if abs(points) > cap:
            return f"加减分规则每次{abs(points):g}分超过了上限{cap:g}分"
    elif kind == "deduct":
        if not (_is_num(rule.get("per")) and _is_num(rule.get("points"))
                and rule["per"] > 0 and rule["points"] > 0):
            return "扣分规则须有 per（每多少）和 points（扣几分），均大于0"
    return None


def _share(rule: dict, v: float) -> tuple[float, str]:
    """(share of the max score 0–1, why with {placeholders}) for the interpolating kinds."""
    kind = rule["kind"]
    if kind == "band":
        (lo, hi), (lo0, hi0) = rule["full"], rule["zero"]
        if lo <= v <= hi:
            return 1.0, "在满分区间{lo}~{hi}内"
        if v <= lo0:
            return 0.0, "不高于零分界{lo0}"
        if v >= hi0:
            return 0.0, "不低于零分界{hi0}"
        if v < lo:
            return (v - lo0) / (lo - lo0), "介于零分界{lo0}与满分下限{lo}之间，按比例"
        return (hi0 - v) / (hi0 - hi), "介于满分上限{hi}与零分界{hi0}之间，按比例"
    full, zero = rule["full"], rule["zero"]
    if kind == "at_least":
        if v >= full:
            return 1.0, "达到满分线{full}"
        if v <= zero:
            return 0.0, "不高于零分线{zero}"
        return (v - zero) / (full - zero), "介于零分线{zero}与满分线{full}之间，按比例"
    if v <= full:
        return 1.0, "不超过满分线{full}"
    if v >= zero:
        return 0.0, "达到零分线{zero}"
    return (zero - v) / (zero - full), "介于满分线{full}与零分线{zero}之间，按比例"


def score(rule: dict, value: float | None, max_score: float,
          metric: str | None = None) -> tuple[float | None, str]:
    """(score, explanation) of one 评估要点; None with the reason when the value is missing or
    the rule is not valid. `metric` only formats the numbers (85% rather than 0.85)."""
    problem = rule_problem(rule)
    if problem:
        return None, f"规则有误，不自动评分：{problem}"
    if rule["kind"] == ADJUST_KIND:
        return None, "加减分项由编办逐个单位录入，不自动评分"
    if value is None:
        return None, "没有指标数值，不自动评分"
    fmt = lambda x: _bare(x, metric)  # noqa: E731
    shown = format_value(value, metric)
    kind = rule["kind"]
    if kind == "steps":
        for threshold, share in rule["steps"]:
            if value >= threshold:
                pts = round(max_score * share, 2)
                return pts, f"{shown}不低于{fmt(threshold)}，得满分的{_num(share * 100)}%，即{_num(pts)}分"
        return 0.0, f"{shown}低于最低一档{fmt(rule['steps'][-1][0])}，得0分"
    if kind == "deduct":
        times = math.floor(max(value, 0) / rule["per"] + 1e-9)
        taken = min(max_score, times * rule["points"])
        pts = round(max_score - taken, 2)
        if not times:
            return pts, f"{shown}，不扣分，得满分{_num(max_score)}分"
        unit = "名" if metric in METRICS and METRICS[metric].kind == COUNT else ""
        return pts, (f"{shown}，每{fmt(rule['per'])}{unit}扣{_num(rule['points'])}分，扣{_num(taken)}分"
                     f"{'（扣完为止）' if taken >= max_score else ''}，得{_num(pts)}分")
    share, why = _share(rule, value)
    names = {"full": rule["full"], "zero": rule["zero"]}
    if kind == "band":
        names = {"lo": rule["full"][0], "hi": rule["full"][1], "lo0": rule["zero"][0],
                 "hi0": rule["zero"][1]}
    why = why.format(**{k: fmt(v) for k, v in names.items()})
    pts = round(max_score * share, 2)
    if share >= 1:
        return pts, f"{shown}{why}，得满分{_num(pts)}分"
    if share <= 0:
        return 0.0, f"{shown}{why}，得0分"
    return pts, f"{shown}{why}得{_num(pts)}分（满分{_num(max_score)}分×{_num(round(share * 100, 2))}%）"


# ---------------------------------------------------------------- readable rule text
# One sentence per kind, e.g. for saturation:
#   band      85%~115%得满分，低于60%或高于130%得0分，其间按比例
#   at_least  不低于95%得满分，低于60%得0分，其间按比例
#   at_most   不高于0得满分，高于3得0分，其间按比例
#   steps     分档：不低于90%得满分，不低于80%得满分的80%，不低于0得0分，其余得0分
#   deduct    每1名扣2分，扣完为止
# Percent metrics write thresholds as percentages; others as plain numbers. The sheet also
# accepts the JSON object itself.
_N = r"(-?\d+(?:\.\d+)?%?)"
_BAND = re.compile(rf"^{_N}~{_N}得满分,低于{_N}或高于{_N}得0分(?:,其间按比例)?$")
_AT_LEAST = re.compile(rf"^不低于{_N}得满分,低于{_N}得0分(?:,其间按比例)?$")
_AT_MOST = re.compile(rf"^不高于{_N}得满分,高于{_N}得0分(?:,其间按比例)?$")
_STEP = re.compile(rf"^不低于{_N}得(满分|满分的{_N}|0分)$")
_ADJUST = re.compile(r"^(加|扣)分(?:项)?:每(?:次|项|个)?(加|扣)?(\d+(?:\.\d+)?)分,最多(?:加|扣)?(\d+(?:\.\d+)?)分$")
_DEDUCT = re.compile(rf"^每{_N}(?:名|人|个|项|次)?扣{_N}分(?:,扣完为止)?$")
_TRANSLATE = str.maketrans({"，": ",", "；": ",", ";": ",", "、": ",", "：": ":", "～": "~",
                            "—": "~", "–": "~", "－": "~", "至": "~", "％": "%"})


def _halfwidth(text: str) -> str:
    """Full-width digits, letters and signs (８５％) → half-width."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def _number(text: str) -> float:
    return round(float(text[:-1]) / 100, 6) if text.endswith("%") else float(text)


def rule_text(rule: dict, metric: str | None) -> str:
    """The readable sentence of a (valid) rule."""
    f = lambda x: _bare(x, metric)  # noqa: E731
    kind = rule["kind"]
    if kind == "band":
        (lo, hi), (lo0, hi0) = rule["full"], rule["zero"]
        return f"{f(lo)}~{f(hi)}得满分，低于{f(lo0)}或高于{f(hi0)}得0分，其间按比例"
    if kind == "at_least":
        return f"不低于{f(rule['full'])}得满分，低于{f(rule['zero'])}得0分，其间按比例"
    if kind == "at_most":
        return f"不高于{f(rule['full'])}得满分，高于{f(rule['zero'])}得0分，其间按比例"
    if kind == "steps":
        parts = [f"不低于{f(t)}得" + ("满分" if s == 1 else "0分" if s == 0 else f"满分的{_num(s * 100)}%")
                 for t, s in rule["steps"]]
        return "分档：" + "，".join(parts) + "，其余得0分"
    if kind == ADJUST_KIND:
        word = "加" if rule["points"] > 0 else "扣"
        return f"{word}分：每次{word}{_num(abs(rule['points']))}分，最多{word}{_num(rule['cap'])}分"
    unit = "名" if metric in METRICS and METRICS[metric].kind == COUNT else ""
    return f"每{f(rule['per'])}{unit}扣{_num(rule['points'])}分，扣完为止"


def parse_rule(text: str) -> dict:
    """A rule from its readable sentence or its JSON; ValueError (Chinese) when neither."""
    raw = text.strip()
    if raw.startswith("{"):
        try:
            rule = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"规则JSON格式有误（第{exc.colno}个字符）") from None
    else:
        rule = _parse_sentence(raw)
    problem = rule_problem(rule)
    if problem:
        raise ValueError(problem)
    return rule


def _parse_sentence(raw: str) -> dict:
    t = re.sub(r"\s+", "", _halfwidth(raw)).translate(_TRANSLATE).rstrip("。.")
    t = re.sub(r"(?<=[\d%])-(?=\d)", "~", t)          # '85%-115%' is a range, not a minus
    t = t.replace("小时", "")                          # '7小时~10小时' (hours metrics)
    if m := _BAND.match(t):
        lo, hi, lo0, hi0 = map(_number, m.groups())
        return {"kind": "band", "full": [lo, hi], "zero": [lo0, hi0]}
    if m := _AT_LEAST.match(t):
        return {"kind": "at_least", "full": _number(m[1]), "zero": _number(m[2])}
    if m := _AT_MOST.match(t):
        return {"kind": "at_most", "full": _number(m[1]), "zero": _number(m[2])}
    if m := _ADJUST.match(t):
        sign = -1 if m[1] == "扣" else 1
        return {"kind": ADJUST_KIND, "points": sign * float(m[3]), "cap": float(m[4])}
    if m := _DEDUCT.match(t):
        return {"kind": "deduct", "per": _number(m[1]), "points": _number(m[2])}
    if t.startswith("分档:"):
        parts = [p for p in t[3:].split(",") if p]
        if parts and parts[-1] == "其余得0分":
            parts.pop()
        steps = []
        for part in parts:
            m = _STEP.match(part)
            if not m:
                raise ValueError(f"看不懂分档“{part}”，应写作“不低于90%得满分”或“不低于80%得满分的80%”")
            share = 1.0 if m[2] == "满分" else 0.0 if m[2] == "0分" else _number(m[3])
            steps.append([_number(m[1]), share])
        return {"kind": "steps", "steps": steps}
    raise ValueError("看不懂规则。可写作：“85%~115%得满分，低于60%或高于130%得0分”、“不低于95%得满分，"
                     "低于60%得0分”、“不高于0得满分，高于3得0分”、“分档：不低于90%得满分，不低于80%得"
                     "满分的80%”、“每1名扣2分，扣完为止”、“加分：每次加2分，最多加5分”，或JSON")


def normalize_rule(rule):
    """The canonical form of a rule (whole floats as ints), so equal rules store equal JSON."""
    if isinstance(rule, dict):
        return {k: normalize_rule(v) for k, v in rule.items()}
    if isinstance(rule, list):
        return [normalize_rule(v) for v in rule]
    if isinstance(rule, float) and rule.is_integer():
        return int(rule)
    return rule


def rule_json(rule: dict | None) -> str | None:
    """The stored text of a rule (canonical JSON), None for none."""
    return None if rule is None else json.dumps(normalize_rule(rule), ensure_ascii=False, sort_keys=True)


def thresholds(rule: dict) -> list[float]:
    """Every threshold of a rule (to check they are written in the metric's scale)."""
    kind = rule["kind"]
    if kind == "band":
        return [*rule["full"], *rule["zero"]]
    if kind in ("at_least", "at_most"):
        return [rule["full"], rule["zero"]]
    if kind == "steps":
        return [s[0] for s in rule["steps"]]
    if kind == ADJUST_KIND:
        return []
    return [rule["per"]]


def adjust_points(rule: dict, times: int) -> tuple[float, str | None]:
    """(signed points, why they were capped or None) of a 加减分 item applied `times` times."""
    raw = rule["points"] * times
    cap = rule["cap"]
    if abs(raw) <= cap + 1e-9:
        return round(raw, 2), None
    word = "加" if raw > 0 else "扣"
    return (round(cap if raw > 0 else -cap, 2),
            f"{times}次×{_num(abs(rule['points']))}分={_num(abs(raw))}分，超过上限{_num(cap)}分，按{word}{_num(cap)}分计")

"""The sentences of the county report, written from the county totals and the units' rows.

Like app.reports.narrative, every sentence states the numbers behind it or is chosen by them
(a problem or a suggestion appears only when some unit's figures call for it), and where data
is missing the text says so instead of guessing.
"""
from __future__ import annotations

from collections.abc import Sequence

from app.core.bureau import county as C
from app.core import metrics as M
from app.core.figures import waiting_over
from app.core.need import NeedRule
from app.reports.county import data as D
from app.reports.model import band_level, hours, pct
from app.reports.narrative import change_points, change_relative, listing

LEVEL_PHRASE = {"适中": "处于合理区间（绿灯）", "偏低": "低于合理区间（黄灯）",
                "过低": "明显低于合理区间（红灯）", "偏高": "高于合理区间（黄灯）",
                "过高": "明显高于合理区间（红灯）"}
TRUST = M.DEFAULT_TRUST_THRESHOLD
_ORDINALS = "一二三四五六七八九十"


def lead(i: int, text: str) -> str:
    """（一）text。 — a run-in heading of a numbered problem or suggestion."""
    return f"（{_ORDINALS[i] if i < len(_ORDINALS) else i + 1}）{text}。"


def _sat(r) -> str:
    return f"{r.name}（{pct(D.saturation(r))}）"


# ---------------------------------------------------------------- 一、总体情况
def staffing(t: D.CountyTotals) -> str:
    types = "、".join(f"{x.name}{x.quota}名" for x in t.types)
    text = (f"全县在编办登记的单位{t.units}个，核定编制{t.quota}名"
            + (f"（{types}）" if len(t.types) > 1 else "")
            + f"，实有人员{t.actual}人，编制使用率{pct(t.usage)}。")
    parts = []
    if t.vacancies:
        parts.append(f"空编{t.vacancies}名，涉及{t.vacancy_units}个单位")
    if t.over_quota:
        parts.append(f"{len(t.over_quota_units)}个单位超编，合计超编{t.over_quota}名")
    if t.over_leaders:
        parts.append(f"{len(t.over_leader_units)}个单位超职数配备领导干部{t.over_leaders}名")
    if t.seconded:
        parts.append(f"借调人员{t.seconded}人，涉及{t.seconded_units}个单位")
    return text + ("其中" + "；".join(parts) + "。" if parts else "各单位均无空编、超编和超职数配备。")


def activity(t: D.CountyTotals) -> str:
    label = t.period.label
    if not t.has_data:
        return f"{label}，各单位均无已审定的工作日志，无法评价全县工作饱和度和主责主业聚焦度。"
    f = t.focus
    level = band_level(t.saturation, D.BANDS)
    text = (f"{label}，全县{len(t.reporting)}个单位{t.people}名人员参与履职留痕，应出勤工时"
            f"{hours(t.expected_hours)}小时，经审定的工作时长{hours(t.logged_hours)}小时，全县工作"
            f"饱和度为{pct(t.saturation)}，{LEVEL_PHRASE[level]}；日志填报率为{pct(t.submission_rate)}"
            f"（已提交日志{t.submitted_days}人日÷应出勤{t.available_days}人日）；核心职责工时占比"
            f"{pct(f.core)}，一般职责占比{pct(f.general)}，辅助职责（含未关联职责的工作）占比"
            f"{pct(f.auxiliary)}")
    if t.active_duties:
        text += (f"；履职全面度为{pct(t.coverage)}（有留痕的职责{t.covered_duties}项÷在用职责"
                 f"{t.active_duties}项）")
    text += "。以上全县比率均由各单位的工时、人日和职责项数加总后计算，不是各单位比率的平均数。"
    if t.silent:
        text += (f"另有{len(t.silent)}个单位本期没有已审定的日志或未报送上报包："
                 f"{listing(list(t.silent), '个单位')}，未计入以上数据。")
    if t.submission_rate is not None and t.submission_rate < TRUST:
        text += f"全县填报率低于{pct(TRUST, 0)}，部分工作未留痕，饱和度可能被低估，相关结论仅供参考。"
    if t.pending_logs:
        text += (f"另有已提交、尚未审定的日志{t.pending_logs}篇、{hours(t.pending_hours)}小时，"
                 f"占已提交工时的{pct(1 - t.review_completion)}，未计入以上数据。")
    return text


def conclusive(t: D.CountyTotals, rule: NeedRule) -> str | None:
    """Why no rise or fall may be read from the totals (None: it may): the period is still
    running, or too much of its work is still waiting for review."""
    if t.running:
        return f"本期尚未结束（{t.period.label}）"
    waiting = waiting_over(t.review_completion, rule.min_completion)
    if waiting is not None:
        return f"{t.period.label}尚有{pct(waiting)}的已提交工时待审，审定率低于{pct(rule.min_completion, 0)}"
    return None


def changes(t: D.CountyTotals, p: D.CountyTotals, rule: NeedRule = NeedRule()) -> list[str]:
    if not t.has_data:
        return []
    if not p.has_data:
        return [f"上期（{p.period.label}）各单位均无已审定的日志，本期无法与上期比较。"]
    why = conclusive(t, rule) or conclusive(p, rule)
    if why:
        return [f"{why}，本期与上期（{p.period.label}）的差异主要反映审阅和报送进度，不作升降判断："
                f"本期工作饱和度{pct(t.saturation)}、上期{pct(p.saturation)}，本期日志填报率"
                f"{pct(t.submission_rate)}、上期{pct(p.submission_rate)}。"]
    parts = [f"全县工作饱和度{change_points(t.saturation, p.saturation)}（上期{pct(p.saturation)}）"]
    rel = change_relative(t.logged_hours, p.logged_hours)
    if rel:
        parts.append(f"经审定的工作时长{rel}（上期{hours(p.logged_hours)}小时）")
    if t.submission_rate is not None and p.submission_rate is not None:
        parts.append(f"日志填报率{change_points(t.submission_rate, p.submission_rate)}"
                     f"（上期{pct(p.submission_rate)}）")
    if t.focus and p.focus:
        parts.append(f"核心职责工时占比{change_points(t.focus.core, p.focus.core)}"
                     f"（上期{pct(p.focus.core)}）")
    if t.coverage is not None and p.coverage is not None:
        parts.append(f"履职全面度{change_points(t.coverage, p.coverage)}（上期{pct(p.coverage)}）")
    out = [f"与上期（{p.period.label}）相比，" + "，".join(parts) + "。"]
    if len(p.reporting) != len(t.reporting):
        out.append(f"上期有已审定日志的单位{len(p.reporting)}个，本期{len(t.reporting)}个，"
                   f"全县合计数的变化含单位数变化的影响。")
    if p.submission_rate is not None and p.submission_rate < TRUST:
        out.append(f"上期全县日志填报率为{pct(p.submission_rate)}，低于{pct(TRUST, 0)}，"
                   f"与上期的比较仅供参考。")
    return out


# ---------------------------------------------------------------- 二、饱和度与聚焦度
def load(rows: Sequence) -> str:
    g = D.band_groups(rows)
    n = sum(len(v) for v in g.values())
    if n == 0:
        return "本期各单位均无已审定的工作日志，无法比较各单位工作饱和度。"
    high = g.get("过高", []) + g.get("偏高", [])
    low = g.get("过低", []) + g.get("偏低", [])
    parts = [f"从工作饱和度看，{n}个有已审定日志的单位中，处于合理区间（绿灯）的{len(g.get('适中', []))}个"]
    if high:
        parts.append(f"高于合理区间的{len(high)}个：" + listing([_sat(r) for r in high], "个"))
    if low:
        parts.append(f"低于合理区间的{len(low)}个：" + listing([_sat(r) for r in low], "个"))
    text = "；".join(parts) + "。"
    data = sorted((r for v in g.values() for r in v), key=lambda r: -D.saturation(r))
    if len(data) > 1:
        gap = (D.saturation(data[0]) - D.saturation(data[-1])) * 100
        text += f"最高的是{_sat(data[0])}，最低的是{_sat(data[-1])}，相差{gap:.1f}个百分点。"
    return text


def focus(rows: Sequence, t: D.CountyTotals) -> str:
    data = [r for r in rows if D.has_data(r) and D.core_share(r) is not None]
    if not data or t.focus is None:
        return "本期没有已审定的工时，无法比较各单位主责主业聚焦度。"
    data.sort(key=lambda r: -D.core_share(r))
    text = f"从主责主业聚焦度看，全县核心职责工时占比{pct(t.focus.core)}"
    if len(data) > 1:
        text += (f"，各单位中最高的是{data[0].name}（{pct(D.core_share(data[0]))}），最低的是"
                 f"{data[-1].name}（{pct(D.core_share(data[-1]))}）")
    low = [r for r in reversed(data) if D.core_share(r) < 0.5]
    if low:
        text += (f"；核心职责工时占比不足一半的{len(low)}个：" +
                 listing([f"{r.name}（{pct(D.core_share(r))}）" for r in low], "个"))
    else:
        text += "；各单位核心职责工时占比均超过一半"
    return text + "。"


# ---------------------------------------------------------------- 三、编制配备与使用
def staffing_units(rows: Sequence) -> str:
    parts = []
    vac = sorted((r for r in rows if r.staffing.vacancies), key=lambda r: -r.staffing.vacancies)
    if vac:
        parts.append(f"有空编的{len(vac)}个：" + listing(
            [f"{r.name}（空编{r.staffing.vacancies}名）" for r in vac], "个"))
    over = [r for r in rows if r.staffing.over_quota]
    if over:
        parts.append(f"超编的{len(over)}个：" + listing(
            [f"{r.name}（{D.over_quota_text(r.staffing)}）" for r in over], "个"))
    lead_over = [r for r in rows if r.staffing.over_leaders]
    if lead_over:
        parts.append(f"超职数配备领导干部的{len(lead_over)}个：" + listing(
            [f"{r.name}（{D.over_leaders_text(r.staffing)}）" for r in lead_over], "个"))
    sec = [r for r in rows if r.staffing.seconded]
    if sec:
        parts.append(f"有借调人员的{len(sec)}个：" + listing(
            [f"{r.name}（{r.staffing.seconded}人）" for r in sec], "个"))
    text = ("从各单位看，" + "；".join(parts) + "。") if parts else \
        "各单位均无空编、超编、超职数配备和借调人员。"
    used = sorted((r for r in rows if r.staffing.usage is not None),
                  key=lambda r: -r.staffing.usage)
    if len(used) > 1:
        text += (f"编制使用率最高的是{used[0].name}（{pct(used[0].staffing.usage)}），最低的是"
                 f"{used[-1].name}（{pct(used[-1].staffing.usage)}）。")
    return text


# ---------------------------------------------------------------- 四、编制需求测算
def need_rule(rule: NeedRule) -> str:
    return ("测算方法：" + rule.describe() + "在岗人数指本期计入统计的人员（含编外，不含借调出去的人员），"
            "与第三部分按花名册统计的实有人数口径不同。")


def _need_item(r) -> str:
    return f"{r.name}（{r.need.size_text()}；{r.need.quota_text()}）"


def _short_reason(r) -> str:
    if not D.has_data(r):
        return f"{r.name}（本期无已审定的日志）"
    return f"{r.name}（填报率{pct(D.submission(r))}）"


def _withheld(r) -> str:
    return f"{r.name}（{'；'.join(r.need.reasons) or '无法测算'}）"


def need(rows: Sequence) -> list[str]:
    g = D.by_verdict(rows)
    parts = []
    if g["增编依据"]:
        parts.append(f"具备增编依据的{len(g['增编依据'])}个：" +
                     listing([_need_item(r) for r in g["增编依据"]], "个"))
    if g["减编依据"]:
        parts.append(f"具备减编依据的{len(g['减编依据'])}个：" +
                     listing([_need_item(r) for r in g["减编依据"]], "个"))
    parts.append(f"基本匹配的{len(g['基本匹配'])}个")
    if g["数据不足"]:
        parts.append(f"数据不足、暂不作结论的{len(g['数据不足'])}个：" +
                     listing([_withheld(r) for r in g["数据不足"]], "个"))
    out = [f"本期{len(rows)}个单位中，" + "；".join(parts) + "。"]
    trusted = [r for r in rows if r.need.trustworthy and r.need.need is not None]
    if trusted:
        out.append(f"可作结论的{len(trusted)}个单位测算需要人数合计{sum(r.need.need for r in trusted):.1f}人，"
                   f"在岗{sum(r.need.people for r in trusted)}人，核定编制"
                   f"{sum(r.need.quota for r in trusted)}名。")
    return out


# ---------------------------------------------------------------- 五、编制任务比
def ratio_rule() -> str:
    base = "，".join(f"{k}类每{v}名编制对应1项年度重点任务" for k, v in C.TASK_BASE.items())
    return (f"编制任务比参照镇江做法测算：{base}；标准任务数＝核定编制数÷对应基数，编制任务比＝"
            f"年度重点任务数÷标准任务数。比值大于1，说明以较少的编制承担了较多的重点任务；"
            f"小于1，说明重点任务相对于编制偏少。")


def ratios(rows: Sequence) -> str:
    with_ratio, without = D.ratio_rows(rows)
    parts = []
    if with_ratio:
        text = f"{len(with_ratio)}个单位已设定类别和重点任务数"
        if len(with_ratio) > 1:
            text += (f"，编制任务比最高的是{with_ratio[0].name}（{with_ratio[0].ratio.ratio:.2f}），"
                     f"最低的是{with_ratio[-1].name}（{with_ratio[-1].ratio.ratio:.2f}）")
        else:
            text += f"，{with_ratio[0].name}为{with_ratio[0].ratio.ratio:.2f}"
        parts.append(text)
        above = [r for r in with_ratio if r.ratio.ratio >= 1]
        below = [r for r in with_ratio if r.ratio.ratio < 1]
        parts.append(f"不低于1的{len(above)}个，低于1的{len(below)}个" + (
            "：" + listing([f"{r.name}（{r.ratio.ratio:.2f}）" for r in below], "个") if below else ""))
    if without:
        parts.append(f"{len(without)}个单位尚未设定编制任务比类别或重点任务数（或核定编制为零）："
                     f"{listing([r.name for r in without], '个')}，未作测算")
    return "；".join(parts) + "。"


# ---------------------------------------------------------------- 六、问题 七、建议
def _names(rows: Sequence, how=lambda r: r.name, unit: str = "个") -> str:
    return listing([how(r) for r in rows], unit)


def problems(rows: Sequence, t: D.CountyTotals) -> list[tuple[str, str]]:
    """(heading, text) of each problem the numbers show, most serious first."""
    out = []
    over = [r for r in rows if r.staffing.over_quota]
    if over:
        out.append(("部分单位超编", f"{len(over)}个单位超编，合计超编{t.over_quota}名：" +
                    _names(over, lambda r: f"{r.name}（{D.over_quota_text(r.staffing)}）") + "。"))
    leaders = [r for r in rows if r.staffing.over_leaders]
    if leaders:
        out.append(("超职数配备领导干部", f"{len(leaders)}个单位超职数配备领导干部{t.over_leaders}名：" +
                    _names(leaders, lambda r: f"{r.name}（{D.over_posts_text(r.staffing)}）")
                    + "。"))
    idle = [r for r in rows if r.staffing.usage is not None and r.staffing.usage < D.USAGE_LOW]
    if idle:
        out.append(("编制资源使用率不高", f"{len(idle)}个单位编制使用率低于{pct(D.USAGE_LOW, 0)}：" +
                    _names(idle, lambda r: f"{r.name}（核定{r.staffing.quota_total}名、实有"
                                           f"{r.staffing.actual_total}人，"
                                           f"使用率{pct(r.staffing.usage)}）")
                    + "。"))
    sec = [r for r in rows if r.staffing.seconded]
    if sec:
        out.append(("存在借调人员", f"{len(sec)}个单位有借调人员{t.seconded}人：" +
                    _names(sec, lambda r: f"{r.name}（{r.staffing.seconded}人）") + "。"))
    g = D.band_groups(rows)
    if g.get("过高") or g.get("过低"):
        parts = []
        if g.get("过高"):
            parts.append(f"高于{pct(D.BANDS.yellow_high, 0)}的{len(g['过高'])}个："
                         + _names(g["过高"], _sat))
        if g.get("过低"):
            parts.append(f"低于{pct(D.BANDS.yellow_low, 0)}的{len(g['过低'])}个："
                         + _names(g["过低"], _sat))
        out.append(("部分单位工作饱和度明显偏离合理区间", "工作饱和度" + "；".join(parts) + "。"))
    late = [r for r in rows if D.has_data(r) and (D.submission(r) or 0) < TRUST]
    if late or t.silent:
        parts = []
        if late:
            parts.append(f"{len(late)}个单位日志填报率低于{pct(TRUST, 0)}：" + _names(late, _short_reason))
        if t.silent:
            parts.append(f"{len(t.silent)}个单位本期没有已审定的日志或未报送上报包："
                         + listing(list(t.silent), "个"))
        out.append(("履职留痕不完整", "；".join(parts) + "。这些单位的饱和度和测算人数不作为增减编依据。"))
    behind = [r for r in rows if D.has_data(r) and r.figures.pending_logs and r.figures.backlog() is not None]
    if behind:
        out.append(("审阅进度滞后", f"{len(behind)}个单位已提交的日志尚未审完：" + _names(
            behind, lambda r: f"{r.name}（{r.figures.pending_text()}）")
            + "。待审工时不计入饱和度，这些单位本期不作增减编结论。"))
    gaps = [r for r in rows if D.has_data(r) and D.uncovered(r)]
    if gaps:
        n = sum(len(D.uncovered(r)) for r in gaps)
        out.append(("部分职责无履职记录", f"{len(gaps)}个单位共{n}项在用职责本期无已审定的履职记录：" +
                    _names(gaps, lambda r: f"{r.name}（{listing(D.uncovered(r), '项', 4)}）") + "。"))
    weak = [r for r in rows if D.has_data(r) and (D.core_share(r) or 0) < 0.5]
    if weak:
        out.append(("主责主业聚焦不够", f"{len(weak)}个单位核心职责工时占比不足一半：" +
                    _names(weak, lambda r: f"{r.name}（{pct(D.core_share(r))}）") + "。"))
    g = D.by_verdict(rows)
    if g["增编依据"] or g["减编依据"]:
        found = "、".join(f"具备{v}的单位{len(g[v])}个" for v in ("增编依据", "减编依据") if g[v])
        out.append(("工作量与编制配备不匹配", f"按留痕工作量测算，{found}（见第四部分），编制资源"
                    f"在单位之间的配置与工作量不完全匹配。"))
    low_ratio = [r for r in D.ratio_rows(rows)[0] if r.ratio.ratio < 1]
    if low_ratio:
        out.append(("部分单位重点任务相对编制偏少", f"{len(low_ratio)}个单位编制任务比低于1：" +
                    _names(low_ratio, lambda r: f"{r.name}（核定编制{r.ratio.quota}名、重点任务"
                                                f"{r.ratio.key_tasks}项，{r.ratio.ratio:.2f}）")
                    + "。"))
    return out


def suggestions(rows: Sequence, t: D.CountyTotals) -> list[tuple[str, str]]:
    """(heading, text) of each suggestion, each answering numbers in the report."""
    out = []
    g = D.by_verdict(rows)
    up, down = g["增编依据"], g["减编依据"]
    if up:
        text = f"对具备增编依据的{_names(up, _need_item)}，优先在全县编制总量内调剂解决"
        sources = []
        if down:
            sources.append(f"具备减编依据的{_names(down)}")
        if t.vacancies:
            sources.append(f"各单位空编{t.vacancies}名")
        if sources:
            text += "，可调剂的来源包括" + "和".join(sources)
        with_vacancy = [r for r in up if r.staffing.vacancies]
        if with_vacancy:
            text += "；其中" + _names(with_vacancy, lambda r: f"{r.name}尚有空编{r.staffing.vacancies}名") \
                + "，应先使用空编"
        out.append(("统筹调剂编制资源", text + "。"))
    if down:
        out.append(("核减富余编制", f"对具备减编依据的{_names(down, _need_item)}，核实职责任务和工作量，"
                    f"空编和自然减员腾出的编制予以收回或调剂。"))
    if t.over_quota or t.over_leaders:
        parts = []
        if t.over_quota:
            parts.append(f"超编的{len(t.over_quota_units)}个单位严格执行“先出后进”，限期消化超编人员"
                         f"{t.over_quota}名")
        if t.over_leaders:
            parts.append(f"超职数配备领导干部的{len(t.over_leader_units)}个单位按核定职数配备，"
                         f"逐步消化超职数{t.over_leaders}名，消化前不再新增")
        out.append(("严格控制编制和领导职数", "；".join(parts) + "。"))
    if t.seconded:
        out.append(("规范借调人员管理", f"清理规范{t.seconded_units}个单位的借调人员{t.seconded}人，逐人核实借调事由和"
                    f"期限，超过规定期限的按规定办理手续或返回原单位。"))
    late = [r for r in rows if D.has_data(r) and (D.submission(r) or 0) < TRUST]
    if late or t.silent:
        names = [r.name for r in late] + list(t.silent)
        out.append(("提高履职留痕质量", f"督促{listing(names, '个单位')}按时填报、审阅工作日志并按期报送"
                    f"上报包，填报率达到{pct(TRUST, 0)}、已提交的日志基本审完后，测算结果方可作为增减编依据。"))
    gaps = [r for r in rows if D.has_data(r) and D.uncovered(r)]
    if gaps:
        n = sum(len(D.uncovered(r)) for r in gaps)
        out.append(("清理长期不运行的职责", f"督促{len(gaps)}个单位对本期无履职记录的{n}项职责逐项核实原因，"
                    f"连续一年未运行的列为长期不运行的权责事项，按程序提出调整意见。"))
    weak = [r for r in rows if D.has_data(r) and (D.core_share(r) or 0) < 0.5]
    if weak:
        out.append(("推动聚焦主责主业", f"督促核心职责工时占比不足一半的{_names(weak)}压减事务性工作，"
                    f"把力量集中到核心职责上。"))
    low_ratio = [r for r in D.ratio_rows(rows)[0] if r.ratio.ratio < 1]
    if low_ratio:
        out.append(("用好编制任务比", f"对编制任务比低于1的{_names(low_ratio)}，下达年度重点任务时"
                    f"压实任务，编制调整时统筹考虑。"))
    return out

"""The sentences of the evaluation reports, written from a round's scores, problems, staffing and
statistics. Like app.reports.narrative, each sentence states its numbers or is chosen by them: a
strength, a problem or a suggestion appears only when the figures call for it, and where
something is missing (no scores yet, no logs) the text says so.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.core.bureau import evaluation as E
from app.core import metrics as M
from app.reports.evaluation import data as D
from app.reports.typeset.document import chinese_date
from app.reports.model import band_level, hours, pct
from app.reports.narrative import listing

STRONG, WEAK = 0.9, 0.8          # 一级/二级 score rates called strong / weak
LEVEL_PHRASE = {"适中": "处于合理区间", "偏低": "低于合理区间", "过低": "明显低于合理区间",
                "偏高": "高于合理区间", "过高": "明显高于合理区间"}
# What to do when an automatic point lost marks, by its metric.
METRIC_ADVICE = {
    "staffing_usage": "统筹使用空编，按程序及时补充急需人员，长期空置的编制研究收回或调剂",
    "vacancy_rate": "统筹使用空编，按程序及时补充急需人员，长期空置的编制研究收回或调剂",
    "over_quota_count": "严格按编制数进人，通过自然减员等方式逐步消化超编人员",
    "over_leader_count": "严格按核定职数配备领导干部，超职数的在职数空出前不再配备",
    "seconded_count": "清理规范借调人员，借调时间较长的按规定召回或办理调动",
    "coverage": "梳理长期无留痕的三定职责，确属不再运行的按程序调整权责清单",
    "focus_core": "聚焦主责主业，把人员力量更多投向核心职责",
    "saturation": "对照工作量优化内设机构人员配置，工作饱和度过低的科室研究内部调剂",
    "daily_average": "对照日均有效工时核实工作量，优化人员力量配置",
    "submission_rate": "督促人员按日如实填报工作日志，保证数据完整可信",
    "review_timeliness": "各级审阅人按期审阅日志，减少超期未审",
    "task_ratio": "对照编制任务比合理安排重点工作任务，统筹编制资源",
    "fte_gap_ratio": "对照测算人数研究编制需求，作为编制调整的参考",
}
TYPE_ADVICE = {"立查立改": "立即整改到位", "限时整改": "按整改期限完成整改并报送佐证材料",
               "长期坚持": "纳入长期工作计划，持续推进"}
_ORDINALS = "一二三四五六七八九十"


def lead(i: int, text: str) -> str:
    return f"（{_ORDINALS[i] if i < len(_ORDINALS) else i + 1}）{text}。"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}分"


def _date(text: str | None) -> str:
    return chinese_date(dt.date.fromisoformat(text[:10])) if text else "—"


# ---------------------------------------------------------------- one unit
def staffing(u: D.UnitEval) -> str:
    s = u.staffing
    types = "、".join(f"{k}{v}名" for k, v in s.quotas.items() if v)
    text = (f"{u.name}为{u.unit_class or '未设类别的单位'}，核定编制{s.quota_total}名"
            + (f"（{types}）" if len(s.quotas) > 1 else "")
            + f"，实有人员{s.actual_total}人，编制使用率{pct(s.usage)}")
    parts = []
    if s.vacancies:
        parts.append(f"空编{s.vacancies}名")
    if s.over_quota:
        parts.append("超编" + "、".join(f"{k}{v}名" for k, v in s.over_quota.items()))
    posts = "、".join(f"{k}{v}名" for k, v in s.leader_quotas.items() if v)
    if posts:
        parts.append(f"核定领导职数{posts}，实配" + "、".join(
            f"{k}{s.leaders.get(k, 0)}名" for k in s.leader_quotas))
    if s.over_leaders:
        parts.append("超职数配备" + "、".join(f"{k}{v}名" for k, v in s.over_leaders.items()))
    if s.seconded:
        parts.append(f"借调人员{s.seconded}人")
    return text + ("；" + "；".join(parts) if parts else "") + "。"


def activity(u: D.UnitEval) -> str:
    f = u.figures
    if f is None or not f.logged_hours:
        return (f"评估期间（{u.detail.period}）单位没有经审定的工作日志，工作饱和度、主责主业聚焦度等"
                f"统计指标无数值，相关评估要点须人工评分。")
    fo = f.focus_result()
    split = "、".join(f"{k}{n}人" for k, n in f.people_by_class.items() if n)
    text = (f"{f.period.label}，单位在岗{f.people}人" + (f"（{split}）" if len(f.people_by_class) > 1 else "")
            + f"参与履职留痕（在岗人数含编外、不含借调出去的人员，与编制配备表的实有人数口径不同），"
              f"经审定的工作时长{hours(f.logged_hours)}"
            f"小时，工作饱和度{pct(f.saturation)}")
    level = band_level(f.saturation, f.settings.bands)
    if level in LEVEL_PHRASE:
        text += f"，{LEVEL_PHRASE[level]}"
    text += f"；日志填报率{pct(f.submission_rate)}，核心职责工时占比{pct(fo.core)}"
    if f.active_duties:
        text += f"，履职全面度{pct(f.coverage)}（有留痕的职责{len(f.covered_duties)}项÷在用职责{f.active_duties}项）"
    if f.people_needed is not None:
        text += f"；按工作量测算需要{f.people_needed:.1f}人" + ("" if f.fte_trustworthy else "（填报率偏低，仅供参考）")
    if f.pending_logs:
        text += f"；另有{f.pending_text()}，未计入"
    return text + "。"


def process(u: D.UnitEval, template_leaves: int, auto_leaves: int) -> str:
    d = u.detail
    text = (f"本次评估按“{d.name}”安排进行，采用《{d.template_name}》，共{template_leaves}个评估要点"
            f"（共性指标、个性指标分别计分），其中{auto_leaves}个根据统计数据自动评分。")
    if d.submitted_at:
        text += f"单位于{_date(d.submitted_at)}提交自评"
        text += "，编办已完成实地评估评分" if d.bureau_totals.complete else (
            f"，编办已对{d.bureau_totals.scored}个评估要点评分" if d.bureau_totals.scored else "，编办尚未评分")
    else:
        text += "单位尚未提交自评"
    return text + f"，目前处于“{d.stage}”阶段。"


def totals(u: D.UnitEval, units_in_round: int | None = None) -> str:
    d = u.detail
    st, bt = d.self_totals, d.bureau_totals
    if not st.scored:
        return "单位尚未自评，暂无得分。"
    text = f"单位自评得分{st.total:g}分（共性指标{st.common:g}分、个性指标{st.individual:g}分）"
    if not bt.scored:
        return text + "；编办尚未评分。"
    if not bt.complete:
        return text + f"；编办已对{bt.scored}个评估要点评分（共{bt.leaves}个），暂计{bt.total:g}分，评分完成后确定总分。"
    text += f"；编办评估得分{bt.total:g}分（共性指标{bt.common:g}分、个性指标{bt.individual:g}分）"
    diff = round(st.total - bt.total, 2)
    text += f"，较自评{'低' if diff > 0 else '高'}{abs(diff):g}分" if abs(diff) >= 0.005 else "，与自评一致"
    if u.adjustments:
        text += (f"；加分扣分合计{u.adjust_total:+g}分（{'、'.join(f'{a[1]}{a[4]:+g}分' for a in u.adjustments)}），"
                 f"最终得分{u.final:g}分")
    if u.rank and units_in_round:
        text += f"，在本批次{units_in_round}个单位中排名第{u.rank}"
    if u.grade:
        text += f"，折算百分制{u.percent:g}分，评定等次为“{u.grade}”（{u.grading_text}）"
    return text + "。"


def strengths(u: D.UnitEval) -> list[str]:
    found = []
    top = [g for g in D.groups(u.detail) if g.level == 1 and g.rate is not None and g.rate >= STRONG]
    if top:
        found.append("从得分看，" + "、".join(f"“{g.name}”（{score(g.score)}，满分{g.max_score:g}分）"
                                              for g in top) + "得分率达到90%以上。")
    full = [g for g in D.groups(u.detail) if g.level == 2 and g.score is not None
            and g.max_score and g.score >= g.max_score - 0.005]
    if full:
        found.append(f"{listing([g.name for g in full], '项')}等{len(full)}项二级指标得满分。")
    f = u.figures
    if f is not None and f.logged_hours:
        good = []
        if band_level(f.saturation, f.settings.bands) == "适中":
            good.append(f"工作饱和度{pct(f.saturation)}，处于合理区间")
        if f.submission_rate is not None and f.submission_rate >= 0.9:
            good.append(f"日志填报率{pct(f.submission_rate)}，履职留痕较完整")
        core = f.focus_result().core
        if core is not None and core >= 0.5:
            good.append(f"核心职责工时占比{pct(core)}，主责主业较为聚焦")
        if good:
            found.append("从统计数据看，" + "；".join(good) + "。")
    closed = [p for p in u.detail.problems if p.status == "closed"]
    if closed:
        found.append(f"评估发现的问题中已有{len(closed)}个整改到位，经编办核验销号。")
    return found


def problem_line(p, n: int) -> str:
    text = f"{n}.{p.description}（{p.rectify_type}"
    if p.deadline:
        text += f"，整改期限{_date(p.deadline)}"
    text += f"，{p.state}" + ("，已逾期" if p.overdue else "") + "）"
    if p.measures:
        text += f"。整改措施：{p.measures}" + (f"；进展：{p.progress}" if p.progress else "")
    if p.reopened and p.verify_comment:
        text += f"。编办核验意见：{p.verify_comment}"
    return text.rstrip("。") + "。"


def problems(u: D.UnitEval) -> list[tuple[str, list[str]]]:
    """(category heading, lines) per category, seed 004's order."""
    out = []
    for category, n in D.by_category(u.detail.problems):
        lines = [problem_line(p, i) for i, p in
                 enumerate((p for p in u.detail.problems if p.category == category), 1)]
        out.append((f"{category}（{n}个）", lines))
    return out


def problems_summary(items: Sequence, what: str = "") -> str:
    kinds = D.by_type(items)
    text = (f"{what}共发现问题{len(items)}个。其中，"
            + "；".join(f"{c}的{n}个" for c, n in D.by_category(items)) + "。")
    text += "按整改类型分，" + "、".join(f"{t}问题{n}个" for t, n in kinds.items()) + "。"
    closed = sum(1 for p in items if p.status == "closed")
    waiting = sum(1 for p in items if p.state == "待核验")
    overdue = sum(1 for p in items if p.overdue)
    text += f"目前已整改销号{closed}个，单位报告已完成、待编办核验{waiting}个，尚在整改{len(items) - closed - waiting}个"
    return text + (f"，其中逾期未完成{overdue}个。" if overdue else "，没有逾期未完成的问题。")


def suggestions(u: D.UnitEval, today: dt.date) -> list[tuple[str, str]]:
    out = []
    open_ = u.open_problems
    if open_:
        parts = []
        for kind, n in D.by_type(open_).items():
            if n:
                deadlines = sorted(p.deadline for p in open_ if p.rectify_type == kind and p.deadline)
                extra = f"，最近的期限为{_date(deadlines[0])}" if deadlines and kind == "限时整改" else ""
                parts.append(f"{kind}的{n}个问题{TYPE_ADVICE[kind]}{extra}")
        out.append(("抓好问题整改", "对尚未销号的" + f"{len(open_)}个问题，" + "；".join(parts)
                    + "。整改完成后报送整改情况和佐证材料，由编办核验销号。"))
    late = u.overdue
    if late:
        out.append(("尽快完成逾期事项", f"有{len(late)}个问题已超过整改期限："
                    + "；".join(f"{p.description}（期限{_date(p.deadline)}，已逾期{D.days_overdue(p, today)}天）"
                               for p in late) + "。应说明原因，明确完成时限，尽快整改到位。"))
    lost = D.lost_points(u.detail)
    advice = []
    for item, points in lost:
        if item.method == "auto" and item.metric in METRIC_ADVICE:
            advice.append(f"“{item.code} {item.name}”失{points:g}分，建议{METRIC_ADVICE[item.metric]}")
    if advice:
        out.append(("针对失分较多的指标改进", "；".join(dict.fromkeys(advice)) + "。"))
    weak = [g for g in D.groups(u.detail) if g.level == 1 and g.rate is not None and g.rate < WEAK]
    if weak:
        out.append(("补齐薄弱环节", "、".join(f"“{g.name}”（得分率{pct(g.rate)}）" for g in weak)
                    + "得分率低于80%，应对照评分标准逐项查找原因，完善制度和佐证资料。"))
    f = u.figures
    if f is not None and f.submission_rate is not None and f.submission_rate < M.DEFAULT_TRUST_THRESHOLD:
        out.append(("提高履职留痕质量", f"日志填报率为{pct(f.submission_rate)}，低于"
                    f"{pct(M.DEFAULT_TRUST_THRESHOLD, 0)}，部分工作未留痕，统计指标可能偏低，"
                    "应督促人员按日如实填报。"))
    return out


# ---------------------------------------------------------------- the round
def round_overview(units: Sequence[D.UnitEval], issuer: str, name: str, period_label: str) -> str:
    templates: dict[str, int] = {}
    for u in units:
        templates[u.detail.template_name] = templates.get(u.detail.template_name, 0) + 1
    used = "、".join(f"《{t}》{n}个单位" for t, n in templates.items())
    submitted = sum(1 for u in units if u.detail.submitted_at)
    scored = sum(1 for u in units if u.scored)
    done = sum(1 for u in units if u.detail.stage == E.STAGE_DONE)
    text = (f"{issuer}组织开展“{name}”，对{len(units)}个单位的机构编制执行情况和使用效益进行评估，"
            f"统计期间为{period_label}。按单位类别分别采用评估指标体系：{used}。评估按编办定单、部门接单、"
            f"编办评单、部门改单、编办用单的“五单工作法”进行，目前已提交自评的单位{submitted}个，"
            f"编办完成评分的{scored}个")
    return text + (f"，评估发现的问题全部整改销号的{done}个。" if done else "。")


def round_results(units: Sequence[D.UnitEval]) -> str:
    scored = [u for u in units if u.scored]
    if not scored:
        return "编办尚未完成对任何单位的评分，暂无评估得分和排名。"
    scored.sort(key=lambda u: (-u.final, u.name))
    best, worst = scored[0], scored[-1]
    mean = sum(u.final for u in scored) / len(scored)
    text = f"已完成评分的{len(scored)}个单位平均最终得分{mean:.1f}分"
    if len(scored) > 1:
        text += f"，最高的是{best.name}（{best.final:g}分），最低的是{worst.name}（{worst.final:g}分）"
    grades = [u.grade for u in scored if u.grade]
    if grades:
        text += "；评定等次" + "、".join(f"“{g}”{grades.count(g)}个" for g in dict.fromkeys(grades))
    adjusted = [u for u in scored if u.adjustments]
    if adjusted:
        text += f"；{len(adjusted)}个单位有加分扣分，已计入最终得分"
    gaps = [u.detail.self_totals.total - u.total for u in scored]
    mean_gap = sum(gaps) / len(gaps)
    if abs(mean_gap) >= 0.05:
        text += f"；自评得分平均{'高' if mean_gap > 0 else '低'}于评估得分{abs(mean_gap):.1f}分"
    pending = [u.name for u in units if not u.scored]
    if pending:
        text += f"。另有{len(pending)}个单位尚未完成评分：{listing(pending, '个单位')}，暂不排名"
    return text + "。"


def round_suggestions(units: Sequence[D.UnitEval], today: dt.date) -> list[tuple[str, str]]:
    out = []
    problems = [p for u in units for p in u.detail.problems]
    open_ = [p for p in problems if p.status != "closed"]
    if open_:
        kinds = D.by_type(open_)
        out.append(("持续推进问题整改", f"对尚未销号的{len(open_)}个问题（" + "、".join(
            f"{t}{n}个" for t, n in kinds.items() if n) + "）建立问题台账，持续跟进督促，逐项核验销号；"
            "属于体制机制的问题加强调查研究，提出解决建议。"))
    late = [(u, p) for u in units for p in u.overdue]
    if late:
        names = listing(list(dict.fromkeys(u.name for u, _ in late)), "个单位")
        out.append(("督办逾期事项", f"{names}有{len(late)}个问题超过整改期限未销号，应督促其说明原因、"
                    "限期完成。"))
    unsubmitted = [u.name for u in units if not u.detail.submitted_at]
    if unsubmitted:
        out.append(("督促完成自评", f"{listing(unsubmitted, '个单位')}尚未提交自评，应督促其按期完成。"))
    scored = [u for u in units if u.scored]
    if scored:
        weak: dict[str, list[float]] = {}
        for u in scored:
            for g in D.groups(u.detail):
                if g.level == 1 and g.rate is not None:
                    weak.setdefault(g.name, []).append(g.rate)
        low = [(name, sum(r) / len(r)) for name, r in weak.items() if sum(r) / len(r) < WEAK]
        if low:
            out.append(("加强共性薄弱环节指导", "、".join(f"“{n}”（平均得分率{pct(r)}）" for n, r in low)
                        + "的得分率普遍偏低，应加强业务指导和培训。"))
        out.append(("强化评估结果运用", "将评估结果作为改进机构编制管理、优化编制资源配置的重要依据，"
                    "与机构编制审批联动，对评估中编制使用效益不高的单位从严审核用编。"))
    return out

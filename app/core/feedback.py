"""履职监测反馈: what the 编办 tells a unit about one month (seed 002: 每月问题动态反馈).

The 编办 computes a feedback's `content` once, when it issues it (app.services.county.feedback),
and the row travels to the unit unchanged, so the unit reads what the 编办 saw that day. The
content is plain JSON:

    {"version": 1, "month": "2026-10", "label": "2026年10月", "unit_name": "…",
     "figures":  {people, working_days, logged_hours, saturation, band, core_share,
                  submission_rate, review_timeliness, pending_logs, coverage, uncovered},
     "county":   {"units": n, "metrics": {key: {"median": x, "rank": r, "of": n}}},
     "problems": [{category, description, rectify_type, deadline, overdue}],
     "warnings": [text],
     "items":    {count, red, yellow, green, without_work,
                  listed: [{kind, code, title, light, reason}]}}   (absent before work items)

What a reader sees is a list of sections (`sections`), each with a title, lines and an
optional table; the unit page, the 编办's list and the PDF all print them. A later part adds
its own builder to `SECTIONS` and its content to app.services.county.feedback.CONTENT_PARTS.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from app.core import items as I

VERSION = 1
REMARK_MAX = 500
BAND_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
# the county comparison: content key, name, how a value prints
METRICS = (("saturation", "工作饱和度"), ("focus", "核心职责占比"),
           ("submission_rate", "日志提交率"), ("coverage", "职责覆盖率"))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)      # a table, when headers are given
    rows: list[list[str]] = field(default_factory=list)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def figures_part(f) -> dict:
    """The unit's own figures of the month (an app.core.figures.Figures, or None: no data)."""
    if f is None:
        return {"people": 0, "working_days": 0, "logged_hours": 0.0, "saturation": None,
                "band": None, "core_share": None, "submission_rate": None,
                "review_timeliness": None, "pending_logs": 0, "coverage": None, "uncovered": []}
    return {"people": f.people, "working_days": f.working_days,
            "logged_hours": round(f.logged_hours, 1), "saturation": f.saturation, "band": f.band,
            "core_share": f.focus.get("core"), "submission_rate": f.submission_rate,
            "review_timeliness": f.review_timeliness, "pending_logs": f.pending_logs,
            "coverage": f.coverage, "uncovered": list(f.uncovered_duties)}


def build(month: str, label: str, unit_name: str, figures: dict, county: dict,
          problems: list[dict], warnings: list[str]) -> dict:
    return {"version": VERSION, "month": month, "label": label, "unit_name": unit_name,
            "figures": figures, "county": county, "problems": problems, "warnings": warnings}


def loads(text: str) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def dumps(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def check_remark(remark: str) -> str | None:
    """The reason a remark cannot be kept, or None."""
    if len(remark.strip()) > REMARK_MAX:
        return f"编办意见最多{REMARK_MAX}字（现有{len(remark.strip())}字）"
    return None


# ---------------------------------------------------------------- sections
def _figures(content: dict) -> Section:
    f = content.get("figures") or {}
    county = (content.get("county") or {}).get("metrics") or {}
    n = (content.get("county") or {}).get("units") or 0

    def row(name: str, value: float | None, key: str | None, extra: str = "") -> list[str]:
        c = (county.get(key) or {}) if key else {}
        rank = f"{c['rank']}/{c['of']}" if c.get("rank") else "—"
        return [name, pct(value) + extra, pct(c.get("median")) if key else "—", rank if key else "—"]

    band = BAND_NAMES.get(f.get("band"), "")
    rows = [row("工作饱和度", f.get("saturation"), "saturation", f"（{band}）" if band else ""),
            row("核心职责占比", f.get("core_share"), "focus"),
            row("日志提交率", f.get("submission_rate"), "submission_rate"),
            row("审阅及时率", f.get("review_timeliness"), None),
            row("职责覆盖率", f.get("coverage"), "coverage")]
    lines = [f"本月纳入统计{f.get('people', 0)}人，工作日{f.get('working_days', 0)}天，"
             f"已审定工时{f.get('logged_hours', 0):g}小时；全县参与比较的单位{n}个（排名按数值由高到低）。"]
    if f.get("pending_logs"):
        lines.append(f"尚有{f['pending_logs']}篇已提交的日志待审阅，未计入本月统计。")
    if f.get("uncovered"):
        shown = "、".join(f["uncovered"][:12]) + ("等" if len(f["uncovered"]) > 12 else "")
        lines.append(f"本月未见履行记录的职责{len(f['uncovered'])}项：{shown}。")
    if not f.get("logged_hours"):
        lines.append("本月没有已审定的日志，无法计算各项指标。")
    return Section("figures", "本月履职数据", lines, ["指标", "本单位", "全县中位数", "全县排名"], rows)


def _problems(content: dict) -> Section:
    problems = content.get("problems") or []
    if not problems:
        return Section("problems", "待整改问题", ["本单位目前没有未销号的评估问题。"])
    rows = []
    for p in problems:
        deadline = p.get("deadline") or "—"
        if p.get("overdue"):
            deadline += "（已超期）"
        rows.append([p.get("category", ""), p.get("description", ""), p.get("rectify_type", ""), deadline])
    overdue = sum(1 for p in problems if p.get("overdue"))
    lines = [f"未销号的评估问题{len(problems)}个" + (f"，其中{overdue}个已超过整改期限" if overdue else "") + "。"]
    return Section("problems", "待整改问题", lines, ["类别", "问题", "整改类型", "整改期限"], rows)


ITEMS_LISTED = 8      # red and yellow items named in a feedback; the rest are counted


def items_part(facts: Sequence[I.ItemFacts], today: dt.date) -> dict:
    """The lights of the unit's work items on the day the 编办 issues the feedback (001: 红黄绿灯
    on lagging tasks): counts per light and the red, then yellow, items with their reasons."""
    judged = [(f, *I.light(f, today)) for f in facts]
    order = {I.RED: 0, I.YELLOW: 1}
    lagging = sorted((j for j in judged if j[1] in order), key=lambda j: (order[j[1]], j[0].kind, j[0].code))
    count = lambda colour: sum(1 for j in judged if j[1] == colour)  # noqa: E731
    return {"count": len(judged), "red": count(I.RED), "yellow": count(I.YELLOW), "green": count(I.GREEN),
            "without_work": sum(1 for f in facts if I.without_work(f, today)),
            "listed": [{"kind": f.kind, "code": f.code, "title": f.title, "light": colour, "reason": why}
                       for f, colour, why in lagging[:ITEMS_LISTED]]}


def _items(content: dict) -> Section | None:
    part = content.get("items")
    if part is None:            # issued before work items existed
        return None
    title = "工作事项红黄绿灯"
    if not part.get("count"):
        return Section("items", title, ["本单位尚未建立工作事项清单。"])
    lines = [f"工作事项{part['count']}项：红灯{part['red']}项、黄灯{part['yellow']}项、绿灯{part['green']}项"
             + (f"；无履职记录或零办理{part['without_work']}项" if part.get("without_work") else "") + "。"]
    listed = part.get("listed") or []
    lagging = part["red"] + part["yellow"]
    if lagging > len(listed):
        lines.append(f"下表列出其中{len(listed)}项，其余见单位“工作事项”页面。")
    rows = [[i["light"] + "灯", i["kind"], i["code"], i["title"], i["reason"]] for i in listed]
    return Section("items", title, lines, ["灯", "类别", "编号", "事项", "说明"] if rows else [], rows)


def _warnings(content: dict) -> Section:
    warnings = content.get("warnings") or []
    return Section("warnings", "预警提示", list(warnings) or ["本月没有预警。"])


SectionBuilder = Callable[[dict], "Section | None"]     # None: nothing to say (e.g. old content)
# In print order; append a builder to add a section (e.g. the lights of the unit's work items).
# A builder reads what it needs from the content (a new part adds its own key to the content
# when the 编办 issues the feedback) and returns its Section titled without a number.
SECTIONS: list[SectionBuilder] = [_figures, _items, _problems, _warnings]
_NUMBERS = "一二三四五六七八九十"


def sections(content: dict, remark: str = "") -> list[Section]:
    """What a feedback says, section by section and numbered 一、二、…, ending with the 编办's
    remark."""
    out = [found for found in (build_section(content) for build_section in SECTIONS) if found is not None]
    out.append(Section("remark", "编办意见", [remark.strip() or "（无）"]))
    return [replace(s, title=f"{_NUMBERS[min(i, 9)]}、{s.title}") for i, s in enumerate(out)]


def summary(content: dict) -> str:
    """One line: the month's saturation and core share, and the open problems."""
    f = content.get("figures") or {}
    problems = len(content.get("problems") or [])
    red = (content.get("items") or {}).get("red")
    return (f"{content.get('label', '')}：饱和度{pct(f.get('saturation'))}，核心职责占比"
            f"{pct(f.get('core_share'))}，待整改问题{problems}个" + (f"，红灯事项{red}项" if red else ""))


def is_overdue(deadline: str | None, today: dt.date) -> bool:
    try:
        return deadline is not None and dt.date.fromisoformat(deadline) < today
    except ValueError:
        return False

"""Clauses of a 三定 duty, and the generic (共性) clauses every organ has.

Clauses. A duty of a 三定 is often several responsibilities in one paragraph: "负责食品安全监督管理
综合协调。组织制定食品安全重大政策措施并组织实施。负责食品安全应急体系建设，组织指导食品安全事件应急
处置和调查处理工作。" Two duties that share one of them score low as wholes (the rest of each text
weighs against it), so the 职责交叉 analysis also scores clause against clause. A clause ends at
。；; (the regulations' own sentence breaks) and at a comma followed by a verb that opens a new
responsibility (负责、承担、组织、指导、牵头、推动…: "…应急体系建设，组织指导…事件应急处置"); a
comma before anything else continues the clause ("建立…机制并组织实施，防范区域性…风险" is one).
A piece with fewer than MIN_CHARS characters of content (after the normalisation of
app.core.bureau.similarity: 负责、组织实施、工作… and place words removed) joins the clause before it
("拟订…规划，组织实施" is one clause).

Generic clauses. What every organ does for itself — 机关文电、会务、档案、保密, 机关财务和内部审计,
机关人事, 机关党建, 统计、信访、安全生产等综合工作 — is not a 交叉 between two units however alike
the words. A clause is generic when it names the organ itself (ANCHOR: 机关 — not 县直机关、机关事务 —,
本单位, 本部门, 日常运转, 综合工作…) and GENERIC_COVER of its content is made of the STEMS below.
Both conditions, so that a 组织部's 干部教育培训, a 审计局's 内部审计 or an 应急管理局's 安全生产 (their
own subjects, no anchor) stay subjects. The stems carry the 类别 under which the page lists them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.core.bureau.similarity import segment_texts

MIN_CHARS = 4
GENERIC_COVER = 0.75
# Verbs that open a new responsibility after a comma (as the 2018 三定 texts write them).
LEADS = ("负责", "承担", "组织", "指导", "牵头", "推动", "推进", "统筹", "协调", "参与", "拟订", "制定",
         "建立", "健全", "完善", "监督", "管理", "发布", "编制", "会同", "配合", "依法", "按规定", "综合",
         "规范", "培育", "提出", "实施", "开展", "做好", "督促", "协助", "依职责", "统一")
_HARD = re.compile(r"[。；;！？!?\n]+")
_SOFT = re.compile(r"[，,](?=(?:" + "|".join(LEADS) + "))")

# 类别 → stems (as they read after normalisation: no 负责、工作、和、的、等).
STEMS: dict[str, tuple[str, ...]] = {
    "机关运转": ("机关", "本机关", "本单位", "本部门", "文电", "会务", "督办", "督查督办", "信息", "档案", "保密", "机要", "日常运转", "政务公开",
             "后勤", "后勤保障", "综合协调", "值班", "值守", "安全保卫", "办公", "接待", "网站"),
    "财务资产": ("财务", "国有资产管理", "国有资产", "资产管理", "内部审计", "预算", "决算"),
    "人事编制": ("人事", "机构编制", "教育培训", "干部队伍建设", "队伍建设", "干部", "离退休干部", "老干部",
             "人员管理", "工资", "人才"),
    "机关党建": ("党建", "党风廉政建设", "精神文明建设", "党组织建设", "党员教育管理", "作风建设", "意识形态",
             "群团", "工会", "共青团", "妇女", "党的建设", "纪检"),
    "法治宣传": ("法治建设", "规范性文件合法性审查", "合法性审查", "行政复议", "行政应诉", "普法宣传", "普法",
             "政策宣传", "新闻宣传", "宣传"),
    "综合事务": ("统计", "信访", "安全生产", "应急管理", "综合", "事务", "网络安全"),
}
_STEM_KIND = {stem: kind for kind, stems in STEMS.items() for stem in stems}
_WHOSE = re.compile("本机关|本单位|本部门|机关")
_STEM = re.compile("|".join(sorted(map(re.escape, _STEM_KIND), key=len, reverse=True)))
# The organ itself: 机关 (not 县直机关、各机关、国家机关、机关事务、机关工委), 本单位, 本部门 …
ANCHOR = re.compile(r"(?<![直各家级县属关])机关(?!事务|工委|单位)|本单位|本部门|本机关|日常运转|综合工作|综合事务"
                    r"|内部管理")


@dataclass(frozen=True)
class Clause:
    start: int          # [start, end) in the duty's text, without the closing punctuation
    end: int
    segments: tuple[str, ...]   # its normalised text (app.core.bureau.similarity.segment_texts)
    kind: str           # the 类别 of a generic clause; "" for a clause on the unit's own subject

    @property
    def generic(self) -> bool:
        return bool(self.kind)


def split(text: str) -> list[Clause]:
    """The clauses of a duty text, in order; a text without content gives []."""
    pieces: list[tuple[int, int]] = []
    for hard in _spans(text, _HARD, 0, len(text)):
        pieces.extend(_spans(text, _SOFT, *hard))
    merged: list[list] = []          # [start, end, segments, content]
    for start, end in pieces:
        segments = segment_texts(text[start:end])
        n = sum(map(len, segments))
        if merged and (n < MIN_CHARS or merged[-1][3] < MIN_CHARS):
            merged[-1][1] = end
            merged[-1][2] += segments
            merged[-1][3] += n
        else:
            merged.append([start, end, segments, n])
    return [Clause(s, e, tuple(segs), generic_kind(text[s:e], segs)) for s, e, segs, n in merged if n]


def _spans(text: str, breaks: re.Pattern, start: int, end: int) -> list[tuple[int, int]]:
    result, pos = [], start
    for m in breaks.finditer(text, start, end):
        if m.start() > pos:
            result.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        result.append((pos, end))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in result) if e > s]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].strip():
        start += 1
    while end > start and not text[end - 1].strip():
        end -= 1
    return start, end


def generic_kind(clause: str, segments: list[str] | None = None) -> str:
    """The 类别 of a generic clause (see the module's docstring), or "" when it is not one;
    `segments`: its normalised text when known."""
    if not ANCHOR.search(unicodedata.normalize("NFKC", clause)):
        return ""
    if segments is None:
        segments = segment_texts(clause)
    total = sum(map(len, segments))
    if not total:
        return ""
    covered, weight = 0, {}
    for seg in segments:
        marks = [False] * len(seg)
        for m in _STEM.finditer(seg):
            for k in range(m.start(), m.end()):
                marks[k] = True
            kind = _STEM_KIND[m.group()]
            weight[kind] = weight.get(kind, 0) + len(m.group())
        covered += sum(marks)
    if covered < GENERIC_COVER * total:
        return ""
    # 机关、本单位 say whose, not what: the 类别 is what the other stems are about
    whose = sum(len(m) for m in _WHOSE.findall("".join(segments)))
    named = {k: w - (whose if k == "机关运转" else 0) for k, w in weight.items()}
    return max(sorted(named), key=lambda k: named[k]) if max(named.values()) > 0 else "机关运转"

"""职责交叉、缺位、长期不运行: the 编办's analysis of the 三定 duties of every registered unit,
read from the units' mirrors.

- 交叉候选: pairs of similar active duties in different units, ranked by similarity
  (app.core.bureau.similarity: character 2/3-gram TF-IDF with the IDF counted over units, cosine),
  scored as wholes and clause by clause (app.core.bureau.duty_match: the best of the two, with the
  clauses that met named when one clause pair scores higher than the wholes), with the phrases they
  share (`candidates` picks them). DEFAULT_THRESHOLD 0.6, measured on real 三定 texts
  (tests/unit/overlap_real_duties: 市场监管, 农业农村, 应急管理, 80 duties, 30 labelled overlaps:
  20 hand-written paraphrases, 6 overlaps in one clause of two long duties, 4 of the standard texts;
  tests/bench/bench_overlap_quality.py and tests/bench/README.md, 2026-12-06): inside a county of
  50 units recall 0.73, precision 0.92 (before the clause score, at its default 0.5: 0.60 / 1.00,
  and none of the one-clause overlaps); the three units alone 0.63 / 0.95 (0.50 / 1.00). At 0.5
  and 0.55 the clause score lists stock wording around two objects (健全食品安全追溯体系 /
  …应急体系 0.56) and precision falls to 0.85; the page's spinner, or --threshold 0.5, reads
  further. On tests/unit/overlap_fixtures.py (50 generated units × 40 duties) the planted
  near-duplicates score 0.72–1.0 and 48 pairs are listed at 0.6 (15 through a clause).
- 共性职责: what every organ has (机关党建、财务、文电… its internal management) is not a 交叉
  between two units: recognised by wording in any county, and by frequency in a large one
  (app.services.county.overlap_common), listed apart by 类别.
- 单位内重复: two duties of one unit at REPEAT_THRESHOLD or more (the IDF counts units, so two
  duties of one unit on the same subject score high; only near-identical ones are listed).
- 无人承担: active duties with no 承担科室, or with no post duty (岗位职责) of a person at work
  (在职; people 借调 or 离岗 hold the post but do not do the work). Units the 编办 has no roster
  of yet (no 上报包 received) are named instead of listing all their duties.
- 长期不运行: active duties with no finally approved log entry in the 12 months up to `today`,
  with the last such day. A unit whose logs start inside those 12 months is marked: its list
  says only "not since the logs began"; a unit without any log is named instead.

Every account of a 编办 database reads and analyses (app.services.county.mirror_reader), so the
check here is that this is a 编办 database.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select

from app.core import vocab
from app.core.errors import AppError
from app.core.bureau.duty_match import DutyCorpus, Match
from app.db.engine import Database
from app.db.models import Duty, DutySection, LogEntry, Person, PostDuty, Section, WorkLog
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.county.overlap_common import (COMMON_MIN_UNITS, COMMON_THRESHOLD, CommonGroup,
                                                frequency_groups, generic_groups, sort_groups)

DEFAULT_THRESHOLD = 0.6
DEFAULT_TOP = 50
REPEAT_THRESHOLD = 0.85
IDLE_MONTHS = 12
AT_WORK = "在职"


@dataclass(frozen=True)
class DutyRef:
    unit_id: str
    unit_name: str
    duty_id: str
    code: str
    content: str
    duty_class: str

    def to_json(self) -> dict:
        return {"unit": self.unit_name, "unit_id": self.unit_id, "code": self.code,
                "content": self.content, "duty_class": self.duty_class}


@dataclass
class UnitFacts:
    """What one unit's mirror says about its duties."""
    unit_id: str
    name: str
    duties: list[DutyRef]
    sections: dict[str, list[str]]          # duty id → 承担科室 names
    holders: dict[str, Counter]             # duty id → {person status: n}
    last_approved: dict[str, str]           # duty id → newest approved entry day (≤ today)
    first_log: str | None                   # the unit's earliest log day
    has_roster: bool                        # any person or section received from the unit


@dataclass
class CountyDuties:
    """Everything read from the mirrors; `analyse` works on it without reading again."""
    today: dt.date
    units: list[UnitFacts]
    missing: list[str]                      # registered units without a mirror file
    seconds: float = 0.0
    _corpus: DutyCorpus | None = field(default=None, repr=False)

    @property
    def duties(self) -> list[DutyRef]:
        return [d for u in self.units for d in u.duties]

    def corpus(self) -> DutyCorpus:
        if self._corpus is None:
            duties = self.duties
            self._corpus = DutyCorpus([d.content for d in duties], [d.unit_id for d in duties])
        return self._corpus


@dataclass
class OverlapPair:
    score: float
    a: DutyRef
    b: DutyRef
    phrases: list[str]                      # shared phrases as written in a, heaviest first
    spans_a: list[tuple[int, int]]          # shared parts of a.content / b.content [start, end)
    spans_b: list[tuple[int, int]]
    # the clauses that matched ([start, end) in a.content / b.content) when one clause scored
    # higher than the duty as a whole; None: the duty as a whole
    clause_a: tuple[int, int] | None = None
    clause_b: tuple[int, int] | None = None

    @property
    def clause_text_a(self) -> str | None:
        return None if self.clause_a is None else self.a.content[slice(*self.clause_a)]

    @property
    def clause_text_b(self) -> str | None:
        return None if self.clause_b is None else self.b.content[slice(*self.clause_b)]

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "a": self.a.to_json(), "b": self.b.to_json(),
                "phrases": self.phrases, "clause_a": self.clause_text_a,
                "clause_b": self.clause_text_b}


@dataclass
class UnassignedDuty:
    duty: DutyRef
    sections: list[str]
    at_work: int
    away: int
    problem: str

    def to_json(self) -> dict:
        return dict(self.duty.to_json(), sections=self.sections, people_at_work=self.at_work,
                    people_away=self.away, problem=self.problem)


@dataclass
class IdleDuty:
    duty: DutyRef
    last_day: str | None
    observed_since: str | None
    full_window: bool                       # the unit's logs cover the whole 12 months

    def to_json(self) -> dict:
        return dict(self.duty.to_json(), last_approved_day=self.last_day,
                    logs_since=self.observed_since, full_window=self.full_window)


@dataclass
class OverlapReport:
    threshold: float
    top: int
    today: dt.date
    window_start: dt.date
    units: int
    duties: int
    cross: list[OverlapPair]
    cross_total: int
    common: list[CommonGroup]
    repeats: list[OverlapPair]
    unassigned: list[UnassignedDuty]
    idle: list[IdleDuty]
    missing: list[str]
    seconds: float
    no_roster: list[str] = field(default_factory=list)   # units left out of 无人承担
    no_logs: list[str] = field(default_factory=list)     # units left out of 长期不运行

    def to_json(self) -> dict:
        return {"threshold": self.threshold, "top": self.top, "today": self.today.isoformat(),
                "idle_since": self.window_start.isoformat(), "units": self.units,
                "duties": self.duties, "cross_total": self.cross_total,
                "cross": [p.to_json() for p in self.cross],
                "common": [g.to_json() for g in self.common],
                "repeats": [p.to_json() for p in self.repeats],
                "unassigned": [u.to_json() for u in self.unassigned],
                "idle": [i.to_json() for i in self.idle],
                "missing_units": self.missing, "units_without_roster": self.no_roster,
                "units_without_logs": self.no_logs, "seconds": round(self.seconds, 3)}


# ---------------------------------------------------------------- reading the mirrors
def window_start(today: dt.date, months: int = IDLE_MONTHS) -> dt.date:
    """First day of the `months` months that end on `today` (2026-10-31 → 2025-11-01)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last)) + dt.timedelta(days=1)


def _unit_facts(mirror: Database, unit_id: str, name: str, today: dt.date) -> UnitFacts:
    with mirror.read() as s:
        conn = s.connection()
        duties = [DutyRef(unit_id, name, *row) for row in conn.execute(
            select(Duty.id, Duty.code, Duty.content, Duty.duty_class)
            .where(Duty.unit_id == unit_id, Duty.deleted.is_(False), Duty.active.is_(True))
            .order_by(Duty.sort_order, Duty.code))]
        sections: dict[str, list[str]] = {}
        for duty_id, section in conn.execute(
                select(DutySection.duty_id, Section.name)
                .join(Section, Section.id == DutySection.section_id)
                .where(DutySection.deleted.is_(False), Section.deleted.is_(False))
                .order_by(Section.sort_order, Section.name)):
            if section not in sections.setdefault(duty_id, []):
                sections[duty_id].append(section)
        holders: dict[str, Counter] = {}
        for duty_id, status, n in conn.execute(
                select(PostDuty.duty_id, Person.status, func.count(func.distinct(Person.id)))
                .join(Person, Person.id == PostDuty.person_id)
                .where(PostDuty.deleted.is_(False), Person.deleted.is_(False))
                .group_by(PostDuty.duty_id, Person.status)):
            holders.setdefault(duty_id, Counter())[status] = n
        last = dict(conn.execute(
            select(LogEntry.duty_id, func.max(LogEntry.day))
            .join(WorkLog, WorkLog.id == LogEntry.log_id)
            .where(WorkLog.status == vocab.LOG_APPROVED, WorkLog.deleted.is_(False),
                   LogEntry.deleted.is_(False), LogEntry.duty_id.is_not(None),
                   LogEntry.day <= today.isoformat())
            .group_by(LogEntry.duty_id)).all())
        first = conn.execute(select(func.min(WorkLog.day)).where(
            WorkLog.deleted.is_(False), WorkLog.day <= today.isoformat())).scalar()
        roster = conn.execute(select(Person.id).where(Person.deleted.is_(False)).limit(1)).first() \
            or conn.execute(select(Section.id).where(Section.deleted.is_(False)).limit(1)).first()
    return UnitFacts(unit_id, name, duties, sections, holders, last, first, roster is not None)


def load(db: Database, mirrors: Mirrors, today: dt.date | None = None,
         progress: Callable[[int, int, str], None] | None = None) -> CountyDuties:
    """Read every registered unit's duties, their 承担科室 and 岗位, and their last approved
    log day (up to `today`, default the real today). The last query scans the unit's approved
    entries (no index by duty): ~80 ms of CPU per unit-year of a 61-person unit on the build
    machine (tests/bench/bench_overlap.py --demo-months 12), hence `progress(i, n, unit name)`."""
    require_bureau(db)
    started = time.perf_counter()
    today = today or dt.date.today()
    units, missing = [], []
    registered = registered_units(db)
    for i, unit in enumerate(registered):
        if progress:
            progress(i, len(registered), unit.name)
        try:
            mirror = mirrors.get(unit.unit_id)
        except AppError:
            missing.append(unit.name)
            continue
        units.append(_unit_facts(mirror, unit.unit_id, unit.name, today))
    return CountyDuties(today, units, missing, time.perf_counter() - started)


# ---------------------------------------------------------------- the analysis
def analyse(data: CountyDuties, threshold: float = DEFAULT_THRESHOLD, top: int = DEFAULT_TOP
            ) -> OverlapReport:
    if not 0 < threshold <= 1:
        raise AppError("相似度阈值应在0到1之间（不含0）")
    if top < 1:
        raise AppError("显示条数应为正整数")
    started = time.perf_counter()
    duties = data.duties
    corpus = data.corpus()
    common, cross_idx, repeats_idx = candidates(duties, corpus, threshold, len(data.units))

    def pair(m: Match) -> OverlapPair:
        why = corpus.explain(m)
        return OverlapPair(m.score, duties[m.i], duties[m.j], [p.text for p in why.phrases],
                           why.spans_a, why.spans_b, m.clause_i, m.clause_j)

    start = window_start(data.today)
    return OverlapReport(
        threshold, top, data.today, start, len(data.units), len(duties),
        [pair(m) for m in cross_idx[:top]], len(cross_idx), common,
        [pair(m) for m in repeats_idx[:top]], unassigned_duties(data), idle_duties(data, start),
        data.missing, time.perf_counter() - started,
        [u.name for u in data.units if not u.has_roster],
        [u.name for u in data.units if u.first_log is None])


def candidates(duties: list[DutyRef], corpus: DutyCorpus, threshold: float, units: int
               ) -> tuple[list[CommonGroup], list[Match], list[Match]]:
    """The 共性 groups, the 交叉 matches between units at `threshold` or more that are not both
    inside one group, and the 单位内重复 pairs (as wholes); Match.i, .j index `duties` (= the
    corpus)."""
    if not duties:
        return sort_groups([]), [], []
    # the contents as wholes first: what most units word alike is found on them, and is not
    # compared clause by clause (it would pair every unit's 法治建设 clause with every other's)
    wholes, inside = corpus.wholes(min(threshold, COMMON_THRESHOLD))
    frequent, in_common = frequency_groups(wholes, duties, corpus, units)
    common = sort_groups(generic_groups(duties, corpus) + frequent)
    found = corpus.merge([m for m in wholes if m.score >= threshold], corpus.clause_matches(
        threshold, leave_out=in_common, stock=(COMMON_THRESHOLD, COMMON_MIN_UNITS)))
    cross = [m for m in found if m.i not in in_common or m.j not in in_common]
    repeats = [m for m in inside if m.score >= max(threshold, REPEAT_THRESHOLD)]
    return common, cross, repeats


def overlap(db: Database, mirrors: Mirrors, *, threshold: float = DEFAULT_THRESHOLD,
            top: int = DEFAULT_TOP, today: dt.date | None = None) -> OverlapReport:
    data = load(db, mirrors, today)
    report = analyse(data, threshold, top)
    report.seconds += data.seconds
    return report


def unassigned_duties(data: CountyDuties) -> list[UnassignedDuty]:
    """Per unit whose roster the 编办 has (a unit that never reported would list every duty)."""
    result = []
    for unit in data.units:
        if not unit.has_roster:
            continue
        for duty in unit.duties:
            sections = unit.sections.get(duty.duty_id, [])
            held = unit.holders.get(duty.duty_id, Counter())
            at_work = held.get(AT_WORK, 0)
            away = sum(n for status, n in held.items() if status != AT_WORK)
            problems = []
            if not sections:
                problems.append("未明确承担科室")
            if at_work == 0:
                problems.append(f"岗位人员均不在岗（{_away_text(held)}）" if away else "未分解到岗位人员")
            if problems:
                result.append(UnassignedDuty(duty, sections, at_work, away, "；".join(problems)))
    return result


def _away_text(held: Counter) -> str:
    return "、".join(f"{status}{n}人" for status, n in sorted(held.items()) if status != AT_WORK)


def idle_duties(data: CountyDuties, start: dt.date) -> list[IdleDuty]:
    result = []
    for unit in data.units:
        if unit.first_log is None:   # no log at all yet: every duty would be listed
            continue
        full = unit.first_log <= start.isoformat()
        for duty in unit.duties:
            last = unit.last_approved.get(duty.duty_id)
            if last is None or last < start.isoformat():
                result.append(IdleDuty(duty, last, unit.first_log, full))
    return result


# ---------------------------------------------------------------- Excel
def write_excel(report: OverlapReport, path: Path) -> Path:
    # imported here: openpyxl (~0.3 s), only when exporting
    from app.reports.xlsx_tables import write_tables
    title = f"职责交叉与履职分析（{report.today.isoformat()}，阈值{report.threshold:g}）"
    cross = [(n, round(p.score, 3), p.a.unit_name, p.a.code, p.a.content, p.b.unit_name, p.b.code,
              p.b.content, "、".join(p.phrases[:6]), clause_text(p)) for n, p in enumerate(report.cross, 1)]
    common = [(n, g.kind, g.units, len(g.duties), g.example.content, round(g.lowest, 3),
               "、".join(f"{d.unit_name}{d.code}" for d in g.duties))
              for n, g in enumerate(report.common, 1)]
    repeats = [(p.a.unit_name, round(p.score, 3), p.a.code, p.a.content, p.b.code, p.b.content)
               for p in report.repeats]
    unassigned = [(u.duty.unit_name, u.duty.code, u.duty.content, u.duty.duty_class,
                   "、".join(u.sections) or "—", u.at_work, u.problem) for u in report.unassigned]
    idle = [(i.duty.unit_name, i.duty.code, i.duty.content, i.duty.duty_class, i.last_day or "从未",
             observed_text(i)) for i in report.idle]
    return write_tables(path, title, [
        ("职责交叉候选", ["排名", "相似度", "单位甲", "职责编号甲", "职责内容甲", "单位乙", "职责编号乙",
                     "职责内容乙", "共同关键词", "匹配分句"], cross),
        ("共性职责", ["序号", "类别", "单位数", "职责数", "代表性表述", "与代表性表述最低相似度",
                   "涉及单位及职责编号"], common),
        ("单位内重复", ["单位", "相似度", "职责编号甲", "职责内容甲", "职责编号乙", "职责内容乙"], repeats),
        ("无人承担", ["单位", "职责编号", "职责内容", "职能类别", "承担科室", "在岗人员数", "问题"], unassigned),
        ("长期不运行", ["单位", "职责编号", "职责内容", "职能类别", "最近审定日志", "日志观察期"], idle),
    ])


def clause_text(pair: OverlapPair) -> str:
    """The matching clauses of a pair ("" when the duties matched as wholes)."""
    if pair.clause_a is None and pair.clause_b is None:
        return ""
    return (f"甲：{pair.clause_text_a or '（整项职责）'}；"
            f"乙：{pair.clause_text_b or '（整项职责）'}")


def observed_text(item: IdleDuty) -> str:
    if item.full_window:
        return "满12个月"
    return f"自{item.observed_since}起（不足12个月）"

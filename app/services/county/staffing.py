"""Staffing analysis (人员编制分析) of a unit, and of every unit for the 编办.

    analyse_unit(db, actor, today)               the unit edition: its own roster and quotas
    analyse_mirror(db, mirrors, unit_id, ...)    the 编办: one registered unit's mirror
    analyse_county(db, mirrors, actor, today)    the 编办: every unit, with totals
    export_xlsx(analysis, path)                  every table of an analysis as Excel

Counted people are those `app.services.org.headcount.staffing_of` counts (在职 or 借调, with a 编制类型,
编外 shown on its own row): quota vs actual per 编制类型 and the leadership posts come from it.
Structure (age bands at `today`, education, gender), 借调 people with the time since their
status began (person.status_since; a year or more is flagged — seed 004's 借调人员时间较长),
people past their retirement day still on the roster, and the retirement forecast for the
current year and the four after it.

Retirement rules: resources/retirement_rules.json (the 2025 gradual raise), replaced by the
unit setting `staffing.retirement_rules` when set. The 编办 applies its own database's rules to
every unit, so the county forecast uses one rule set.

Who may read: in a unit, the unit admin, 主要领导 and 分管领导 (the analysis is about the whole
roster, not about logs; section heads and staff are refused). In the 编办 every account (编办管理员
and 编办分析员 both analyse). The CLI acts as the system.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from app.core.bureau import county as C
from app.core.bureau import retirement as R
from app.core import vocab
from app.core.errors import PermissionDenied
from app.db.engine import Database
from app.db.models import Person, Section
from app.paths import resources_dir
from app.services.org import unit_settings
from app.services.org.actor import Actor
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org.headcount import COUNTED_STATUSES, staffing_of
from app.services.org.setup import unit_of

RULES_KEY = "staffing.retirement_rules"
FORECAST_YEARS = 5
READER_ROLES = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)
QUOTA_TYPES = tuple(t for t in vocab.STAFFING_TYPES if t != "编外")
OVERDUE = "已过退休日期仍在册"
DENIED = "人员编制分析仅限单位管理员、主要领导和分管领导查看"
GENDERS = vocab.GENDERS + (R.UNKNOWN,)
EDUCATIONS = vocab.EDUCATIONS + (R.UNKNOWN,)


# ---------------------------------------------------------------- rules and rights
@lru_cache(maxsize=1)
def default_rules() -> R.RuleSet:
    with open(resources_dir() / "retirement_rules.json", encoding="utf-8") as f:
        return R.parse_rules(json.load(f))


def rules_of(db: Database) -> R.RuleSet:
    """The unit's own rules when set (validated when saved), else the shipped default."""
    custom = unit_settings.get(db, RULES_KEY)
    if custom:
        try:
            return R.parse_rules(custom)
        except ValueError:
            pass        # written by an older or foreign program: fall back rather than fail
    return default_rules()


def require_reader(db: Database, actor: Actor | None) -> None:
    if db.edition == "bureau" or actor is None or not actor.person_id:
        return          # 编办 accounts all analyse; no person = the system (CLI)
    if not (actor.is_admin or actor.role in READER_ROLES):
        raise PermissionDenied(DENIED)


# ---------------------------------------------------------------- results
@dataclass
class TypeRow:
    staffing_type: str
    quota: int | None           # None: not a quota type (编外)
    actual: int
    vacancies: int
    over: int

    @property
    def usage(self) -> float | None:
        return self.actual / self.quota if self.quota else None


@dataclass
class LeaderRow:
    kind: str
    quota: int
    actual: int
    over: int


@dataclass
class Secondment:
    unit: str
    name: str
    section: str
    staffing_type: str
    since: dt.date | None
    span: R.Span | None

    @property
    def long(self) -> bool:
        return self.span is not None and self.span.months >= 12

    @property
    def text(self) -> str:
        return "起始日期未填" if self.span is None else self.span.text


@dataclass
class Retiree:
    unit: str
    name: str
    section: str
    staffing_type: str
    gender: str
    birth: dt.date
    retirement: R.Retirement


@dataclass
class Analysis:
    scope: str                       # 'unit' | 'county'
    name: str
    today: dt.date
    rules: R.RuleSet
    types: list[TypeRow]
    leaders: list[LeaderRow]
    people: int
    ages: dict[str, int]
    education: dict[str, int]
    gender: dict[str, int]
    seconded: list[Secondment]
    retirements: list[Retiree]       # from today to the end of the last forecast year
    overdue: list[Retiree]           # past their retirement day, still counted
    no_rule: int                     # counted people without a birth date or a covering rule
    warnings: list[str]
    units: list["Analysis"] = field(default_factory=list)     # county: one per unit
    unit_id: str | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.today.year, self.today.year + FORECAST_YEARS))

    @property
    def quota_total(self) -> int:
        return sum(r.quota or 0 for r in self.types)

    @property
    def actual_total(self) -> int:
        """On quota types (编外 is not counted against the quota)."""
        return sum(r.actual for r in self.types if r.quota is not None)

    @property
    def vacancies(self) -> int:
        return sum(r.vacancies for r in self.types)

    @property
    def over(self) -> int:
        return sum(r.over for r in self.types)

    @property
    def usage(self) -> float | None:
        return self.actual_total / self.quota_total if self.quota_total else None

    def retirement_counts(self) -> dict[int, dict[str, int]]:
        """Year → 编制类型 → people reaching their retirement day that year."""
        counts = {y: {} for y in self.years}
        for r in self.retirements:
            by_type = counts[r.retirement.on.year]
            by_type[r.staffing_type] = by_type.get(r.staffing_type, 0) + 1
        return counts

    def to_json(self) -> dict:
        def person(r: Retiree) -> dict:
            return {"unit": r.unit, "name": r.name, "section": r.section,
                    "staffing_type": r.staffing_type, "gender": r.gender,
                    "birth_date": r.birth.isoformat(), "rule": r.retirement.rule.label,
                    "retirement_age": r.retirement.age_text,
                    "delay_months": r.retirement.delay_months,
                    "retirement_date": r.retirement.on.isoformat()}
        return {
            "scope": self.scope, "name": self.name, "unit_id": self.unit_id,
            "today": self.today.isoformat(), "rules": self.rules.name,
            "quota_total": self.quota_total, "actual_total": self.actual_total,
            "vacancies": self.vacancies, "over_quota": self.over,
            "usage": None if self.usage is None else round(self.usage, 4),
            "types": [{"staffing_type": r.staffing_type, "quota": r.quota, "actual": r.actual,
                       "vacancies": r.vacancies, "over": r.over,
                       "usage": None if r.usage is None else round(r.usage, 4)} for r in self.types],
            "leaders": [vars(r) for r in self.leaders],
            "people": self.people, "ages": self.ages, "education": self.education,
            "gender": self.gender,
            "seconded": [{"unit": s.unit, "name": s.name, "section": s.section,
                          "staffing_type": s.staffing_type,
                          "since": s.since.isoformat() if s.since else None,
                          "months": s.span.months if s.span else None,
                          "days": s.span.total_days if s.span else None,
                          "duration": s.text, "over_a_year": s.long} for s in self.seconded],
            "retirement_years": {str(y): dict(c, 合计=sum(c.values()))
                                 for y, c in self.retirement_counts().items()},
            "retirements": [person(r) for r in self.retirements],
            "overdue": [person(r) for r in self.overdue],
            "no_rule": self.no_rule, "warnings": self.warnings,
            "units": [u.to_json() for u in self.units]}


# ---------------------------------------------------------------- one unit
def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _type_rows(staffing: C.Staffing) -> list[TypeRow]:
    """One row per 编制类型 with a quota or people. People on a 编制类型 the unit has no quota
    for (e.g. 工勤编制 without 工勤 slots) are over a quota of 0; 编外 has no quota."""
    names = [t for t in vocab.STAFFING_TYPES if t in staffing.quotas or staffing.actual.get(t)]
    names += sorted(t for t in set(staffing.quotas) | set(staffing.actual) if t not in names)
    rows = []
    for t in names:
        quota = staffing.quotas.get(t, 0 if t in QUOTA_TYPES else None)
        actual = staffing.actual.get(t, 0)
        rows.append(TypeRow(t, quota, actual, max(0, (quota or 0) - actual) if quota is not None else 0,
                            max(0, actual - quota) if quota is not None else 0))
    return rows


def _leader_rows(staffing: C.Staffing) -> list[LeaderRow]:
    kinds = [k for k in vocab.LEADER_POST_KINDS if k in staffing.leader_quotas or staffing.leaders.get(k)]
    return [LeaderRow(k, staffing.leader_quotas.get(k, 0), staffing.leaders.get(k, 0),
                      max(0, staffing.leaders.get(k, 0) - staffing.leader_quotas.get(k, 0)))
            for k in kinds]


def _analyse(db: Database, rules: R.RuleSet, today: dt.date, unit_name: str | None = None) -> Analysis:
    """The analysis of one unit database (a unit's own file or a 编办 mirror)."""
    staffing, unit = staffing_of(db)
    name = unit_name or unit.name
    with db.read() as s:
        sections = dict(s.execute(select(Section.id, Section.name)).all())
        people = s.execute(select(Person.name, Person.section_id, Person.staffing_type,
                                  Person.gender, Person.birth_date, Person.education,
                                  Person.status, Person.status_since)
                           .where(Person.deleted.is_(False), Person.status.in_(COUNTED_STATUSES),
                                  Person.staffing_type.is_not(None))
                           .order_by(Person.name)).all()
        roster_rows = s.scalar(select(Person.id).where(Person.deleted.is_(False)).limit(1))
    ages = dict.fromkeys(R.AGE_BAND_NAMES, 0)
    education = dict.fromkeys(EDUCATIONS, 0)
    gender = dict.fromkeys(GENDERS, 0)
    seconded, retirements, overdue, no_rule = [], [], [], 0
    last_day = dt.date(today.year + FORECAST_YEARS - 1, 12, 31)
    for p in people:
        birth = _date(p.birth_date)
        section = sections.get(p.section_id, "") if p.section_id else ""
        ages[R.age_band(birth, today)] += 1
        education[p.education if p.education in education else R.UNKNOWN] += 1
        gender[p.gender if p.gender in gender else R.UNKNOWN] += 1
        if p.status == "借调":
            since = _date(p.status_since)
            seconded.append(Secondment(name, p.name, section, p.staffing_type, since,
                                       None if since is None else R.span(since, today)))
        retire = rules.retirement(p.gender, p.staffing_type, birth)
        if retire is None:
            no_rule += 1
            continue
        person = Retiree(name, p.name, section, p.staffing_type, p.gender, birth, retire)
        if retire.on < today:
            overdue.append(person)
        elif retire.on <= last_day:
            retirements.append(person)
    retirements.sort(key=lambda r: (r.retirement.on, r.name))
    seconded.sort(key=lambda x: (x.since is None, x.since or today, x.name))
    types, leaders = _type_rows(staffing), _leader_rows(staffing)
    warnings = _warnings(types, leaders, seconded, overdue)
    if roster_rows is None:
        warnings.append("尚未收到人员名册（单位还没有上报）")
    return Analysis("unit", name, today, rules, types, leaders, len(people), ages, education,
                    gender, seconded, retirements, overdue, no_rule, warnings,
                    unit_id=db.unit_id)


def _warnings(types, leaders, seconded, overdue) -> list[str]:
    found = [f"{r.staffing_type}超编{r.over}名（核定{r.quota}名，实有{r.actual}人）"
             for r in types if r.over]
    found += [f"超职数配备{r.kind}领导{r.over}名（核定{r.quota}名，实配{r.actual}名）"
              for r in leaders if r.over]
    long = [s for s in seconded if s.long]
    if long:
        found.append(f"借调人员时间较长（借调满1年{len(long)}人）："
                     + "、".join(f"{s.name}（{s.text}）" for s in long))
    unknown = [s.name for s in seconded if s.since is None]
    if unknown:
        found.append("借调人员未填写借调起始日期：" + "、".join(unknown))
    if overdue:
        found.append(f"已达法定退休年龄仍在册{len(overdue)}人：" + "、".join(
            f"{r.name}（{r.retirement.on.isoformat()}达到{r.retirement.age_text}）" for r in overdue))
    return found


def analyse_unit(db: Database, actor: Actor | None, today: dt.date | None = None) -> Analysis:
    """The unit edition's own staffing analysis."""
    if db.edition == "bureau":
        raise PermissionDenied("编办版请查看全县或某一单位的人员编制分析")
    require_reader(db, actor)
    return _analyse(db, rules_of(db), today or dt.date.today())


def analyse_mirror(db: Database, mirrors: Mirrors, unit_id: str, actor: Actor | None = None,
                   today: dt.date | None = None) -> Analysis:
    """One registered unit, read from its mirror, under the 编办's rules."""
    require_bureau(db)
    require_reader(db, actor)
    name = next((u.name for u in registered_units(db) if u.unit_id == unit_id), None)
    return _analyse(mirrors.get(unit_id), rules_of(db), today or dt.date.today(), name)


# ---------------------------------------------------------------- the county
def analyse_county(db: Database, mirrors: Mirrors, actor: Actor | None = None,
                   today: dt.date | None = None) -> Analysis:
    """Every registered unit with a mirror, and the county totals. Vacancies and over-quota are
    summed per unit (one unit's vacancies never hide another's excess)."""
    require_bureau(db)
    today = today or dt.date.today()
    rules = rules_of(db)
    units = [_analyse(mirrors.get(u.unit_id), rules, today, u.name)
             for u in registered_units(db) if mirrors.path(u.unit_id).exists()]
    types: dict[str, TypeRow] = {}
    leaders: dict[str, LeaderRow] = {}
    for u in units:
        for r in u.types:
            total = types.setdefault(r.staffing_type, TypeRow(r.staffing_type, None, 0, 0, 0))
            if r.quota is not None:
                total.quota = (total.quota or 0) + r.quota
            total.actual, total.vacancies, total.over = (total.actual + r.actual, total.vacancies + r.vacancies,
                                                         total.over + r.over)
        for r in u.leaders:
            total = leaders.setdefault(r.kind, LeaderRow(r.kind, 0, 0, 0))
            total.quota, total.actual, total.over = total.quota + r.quota, total.actual + r.actual, total.over + r.over
    order = {t: i for i, t in enumerate(vocab.STAFFING_TYPES)}
    return Analysis(
        "county", unit_name_of(db), today, rules,
        sorted(types.values(), key=lambda r: (order.get(r.staffing_type, 99), r.staffing_type)),
        [leaders[k] for k in vocab.LEADER_POST_KINDS if k in leaders],
        sum(u.people for u in units), _sum(u.ages for u in units), _sum(u.education for u in units),
        _sum(u.gender for u in units), [s for u in units for s in u.seconded],
        sorted((r for u in units for r in u.retirements), key=lambda r: (r.retirement.on, r.unit, r.name)),
        [r for u in units for r in u.overdue], sum(u.no_rule for u in units),
        [f"{u.name}：{w}" for u in units for w in u.warnings], units)


def unit_name_of(db: Database) -> str:
    return unit_of(db).name


def _sum(dicts) -> dict[str, int]:
    total: dict[str, int] = {}
    for d in dicts:
        for k, n in d.items():
            total[k] = total.get(k, 0) + n
    return total


# ---------------------------------------------------------------- Excel
def shares(counts: dict[str, int]) -> list[tuple[str, int, float | None]]:
    total = sum(counts.values())
    return [(k, n, n / total if total else None) for k, n in counts.items()]


def tables(a: Analysis) -> list[tuple[str, list[str], list[tuple]]]:
    """Every table of the analysis as (sheet name, headers, rows): the Excel and the page's tables."""
    county = a.scope == "county"
    unit_col = ["单位"] if county else []
    result = [
        ("编制使用", ["编制类型", "核定编制", "实有人数", "空编", "超编", "使用率"],
         [(r.staffing_type, "—" if r.quota is None else r.quota, r.actual, r.vacancies, r.over,
           r.usage) for r in a.types]
         + [("合计（不含编外）", a.quota_total, a.actual_total, a.vacancies, a.over, a.usage)]),
        ("领导职数", ["职数", "核定", "实配", "超配"],
         [(r.kind, r.quota, r.actual, r.over) for r in a.leaders]),
        ("年龄结构", ["年龄段", "人数", "占比"], shares(a.ages)),
        ("学历结构", ["学历", "人数", "占比"], shares(a.education)),
        ("性别结构", ["性别", "人数", "占比"], shares(a.gender)),
        ("借调人员", unit_col + ["姓名", "科室", "编制类型", "借调起始日期", "已借调", "满1年"],
         [((s.unit,) if county else ()) + (s.name, s.section, s.staffing_type,
          s.since.isoformat() if s.since else "未填", s.text, "是" if s.long else "")
          for s in a.seconded]),
    ]
    counts = a.retirement_counts()
    kinds = sorted({t for c in counts.values() for t in c},
                   key=lambda t: (vocab.STAFFING_TYPES.index(t) if t in vocab.STAFFING_TYPES else 99, t))
    result.append(("退休预测", ["年度"] + kinds + ["合计"],
                   [(f"{y}年",) + tuple(c.get(t, 0) for t in kinds) + (sum(c.values()),)
                    for y, c in counts.items()]))
    result.append(("退休人员名单", unit_col + ["姓名", "科室", "编制类型", "性别", "出生日期",
                                         "适用规则", "法定退休年龄", "退休日期", "说明"],
                   [((r.unit,) if county else ()) + (r.name, r.section, r.staffing_type, r.gender,
                    r.birth.isoformat(), r.retirement.rule.label, r.retirement.age_text,
                    r.retirement.on.isoformat(), OVERDUE if r in a.overdue else "")
                    for r in a.overdue + a.retirements]))
    result.append(("预警", ["预警"], [(w,) for w in a.warnings]))
    if county:
        result.insert(0, ("各单位", ["单位", "核定编制", "实有人数", "空编", "超编", "使用率",
                                   "领导职数", "实配领导", "借调", "借调满1年",
                                   f"{a.years[0]}-{a.years[-1]}年退休", "预警数"],
                          [(u.name, u.quota_total, u.actual_total, u.vacancies, u.over, u.usage,
                            sum(r.quota for r in u.leaders), sum(r.actual for r in u.leaders),
                            len(u.seconded), sum(s.long for s in u.seconded), len(u.retirements),
                            len(u.warnings)) for u in a.units]))
    return result


def export_xlsx(a: Analysis, path: Path) -> Path:
    # imported here: openpyxl (~0.3 s), only when exporting
    from app.reports.xlsx_tables import write_tables
    title = f"{a.name}人员编制分析（{a.today.isoformat()}）"
    return write_tables(Path(path), title, tables(a), percent_columns={"使用率", "占比"})

"""The demo county's evaluation round and what the 编办 did with it (编办用单): the default
indicator systems, a round over the logs' span assigned to every unit and carried by real
packages — the unit self-scores and submits (上报包), the 编办 scores (automatic points from the
statistics, manual points at a level of its own per unit so the grades spread), enters two
加分/扣分 items, closes the round; two decisions on the units with the lowest and highest
saturation (编制核减 and 用编计划优先) resting on the figures of the round's period; and a last
下发包 so every unit holds its results and the decisions."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from app.core.metrics import parse_period
from app.db.engine import Database
from app.services.county import bureau
from app.services.county import decisions as D
from app.services.county.mirrors import Mirrors
from app.services.county.table import county_table
from app.services.evaluation import adjustments, rounds
from app.services.evaluation import rounds_bureau as RB
from app.services.evaluation.indicators import install_defaults, templates
from app.services.exchange import unit_side
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database

# the 编办's level for the manual points, unit by unit (the grades spread from 好 to 较差)
LEVELS = (0.97, 0.8, 0.6, 0.9, 0.7, 0.85, 0.5, 0.93)


def round_name(end: dt.date) -> str:
    return f"{end.year}年度机构编制执行情况和使用效益评估"


def round_period(start: dt.date, end: dt.date) -> str:
    """The round's statistics period: the last whole quarter the logs cover, else their whole
    months (a quarter or three months give a staffing-need verdict; fewer say 数据不足)."""
    for year, q in ((end.year, (end.month - 1) // 3 + 1), *(((end.year, n) for n in range((end.month - 1) // 3, 0, -1))),
                    (end.year - 1, 4)):
        first = dt.date(year, 3 * q - 2, 1)
        last = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
        if start <= first and last <= end:
            return f"{year}-Q{q}"
    first = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return f"{first.isoformat()}..{end.isoformat()}" if first < end else f"{start.isoformat()}..{end.isoformat()}"


def evaluate_county(db: Database, unit_paths: list[Path], start: dt.date, end: dt.date,
                    dated: dict | None = None) -> str:
    """Run the round in the county (`db`: the 编办, its units' packages already imported;
    `unit_paths`: the units' databases; `dated`: {path: datetime} for a unit whose packages
    carry a fixed date, the demo's late unit). Returns the round id."""
    dated = dated or {}
    today = end + dt.timedelta(days=1)
    period = round_period(start, end)
    mirrors = Mirrors(db)
    exchange = Path(tempfile.mkdtemp(prefix="lzkp-round-"))
    units = [open_database(p) for p in unit_paths]
    try:
        if not templates(db):
            install_defaults(db, SYSTEM)
        round_id = rounds.create_round(db, SYSTEM, round_name(end), end.year, period, end)
        rounds.assign_units(db, mirrors, SYSTEM, round_id, [u.unit_id for u in units])
        _dispatch(db, mirrors, units, exchange)
        for i, unit in enumerate(units):            # 部门接单
            rounds.fill_auto_self_scores(unit, SYSTEM, round_id, today)
            level = min(1.0, LEVELS[i % len(LEVELS)] + 0.04)
            for item in rounds.detail(unit, round_id).leaves:
                if item.self_score is None:
                    rounds.set_self_score(unit, SYSTEM, round_id, item.id, round(item.max_score * level, 1),
                                          "已按要求落实，佐证材料见单位存档")
            rounds.submit_self(unit, SYSTEM, round_id)
        packages = [unit_side.export_report(u, exchange, now=_clock(dated.get(Path(p)))).path
                    for u, p in zip(units, unit_paths)]
        bureau.import_packages(db, mirrors, packages, apply=True, workers=1)
        for i, unit in enumerate(units):            # 编办评单
            RB.fill_auto_bureau_scores(db, mirrors, SYSTEM, round_id, unit.unit_id, today)
            mirror = mirrors.get(unit.unit_id)
            for item in rounds.detail(mirror, round_id, unit.unit_id).leaves:
                if item.bureau_score is None:
                    RB.set_bureau_score(db, mirrors, SYSTEM, round_id, unit.unit_id, item.id,
                                        round(item.max_score * LEVELS[i % len(LEVELS)], 1), "实地评估、调阅材料")
        _adjust(db, mirrors, round_id, units)
        RB.close_round(db, mirrors, SYSTEM, round_id, force=True, today=today)
        _decide(db, mirrors, parse_period(period), end, today)
        _dispatch(db, mirrors, units, exchange)
        return round_id
    finally:
        for unit in units:
            unit.dispose()
        mirrors.close()
        shutil.rmtree(exchange, ignore_errors=True)


def _clock(fixed: dt.datetime | None):
    return dt.datetime.now if fixed is None else (lambda: fixed)


def _dispatch(db: Database, mirrors: Mirrors, units: list[Database], folder: Path) -> None:
    for unit in units:
        path = bureau.export_dispatch(db, mirrors, unit.unit_id, folder).path
        unit_side.import_dispatch(unit, [path], apply=True)


def _adjust(db: Database, mirrors: Mirrors, round_id: str, units: list[Database]) -> None:
    """Two 加分/扣分 entries: a 表彰 for the first unit, a 通报批评 for the last."""
    entries = [(units[0], "J1", 1, "获省市场监管局通报表扬（省市监办〔2026〕35号）"),
               (units[-1], "J3", 1, "日志填报不及时被县委督查室通报（县督通〔2026〕8号）")]
    for unit, code, times, reason in entries[: max(1, len(units))]:
        line = next((x for x in adjustments.lines(mirrors.get(unit.unit_id), round_id, unit.unit_id)
                     if x.code == code), None)
        if line is not None:
            adjustments.set_adjustment(db, mirrors, SYSTEM, round_id, unit.unit_id, line.item_id, times, reason)


def _decide(db: Database, mirrors: Mirrors, period, end: dt.date, today: dt.date) -> None:
    """编制核减 for the unit with the lowest saturation, 用编计划优先 for the highest."""
    rows = [r for r in county_table(db, mirrors, period, today)
            if r.figures is not None and r.figures.saturation is not None]
    if len(rows) < 2:
        return
    rows.sort(key=lambda r: r.figures.saturation)
    # the units the staffing-need rule names first, else the lowest and highest saturation
    low = next((r for r in rows if r.need.verdict == "减编依据"), rows[0])
    high = next((r for r in reversed(rows) if r.need.verdict == "增编依据" and r is not low), rows[-1])
    gap = low.need.quota_gap
    cut = max(1, int(-gap)) if gap is not None and gap < -1 else 1
    for row, kind, posts, doc, note in (
            (low, "编制核减", cut, f"县编委〔{end.year}〕7号", "工作饱和度偏低、空编较多，收回空编"),
            (high, "用编计划优先", 2, f"县编办〔{end.year}〕15号", "工作饱和度高，优先安排用编进人计划")):
        options = D.evidence_options(db, mirrors, row.unit_id, period, today)
        D.add_decision(db, mirrors, SYSTEM, row.unit_id, kind=kind, posts=posts, decided_on=end,
                       doc_no=doc, evidence=[e for e in options if e.kind in (D.NEED, D.FIGURES, D.ROUND)],
                       note=note)

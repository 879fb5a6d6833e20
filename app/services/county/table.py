"""The county table for the 编办: one row per registered unit (staffing, saturation, focus,
coverage, submission, staffing need, 编制任务比, warnings), read from the figures cache
(app.services.county.figures). Reading never writes: a period the cache lacks (a custom range,
a unit marked dirty by an interrupted import) is computed from the unit's mirror for this read
only.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from app.core.bureau import county as C
from app.core.bureau.county import CountyRow
from app.core.figures import Figures
from app.core.metrics import Period
from app.core.need import NeedRule, assess
from app.db.engine import Database
from app.db.models import CountyFigures
from app.services.county.figures import DIRTY_KEY, STAFFING_KEY, staffing_payload
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org import unit_settings
from app.services.county import basis, review_rate
from app.services.county.basis import bureau_values
from app.services.items.county import unit_items
from app.services.org.calendar import county_calendar
from app.services.stats import compute as stats
from app.services.stats.need import rule_of


def county_table(db: Database, mirrors: Mirrors, period: Period,
                 today: dt.date | None = None) -> list[CountyRow]:
    """One row per registered unit with a mirror, for `period`."""
    require_bureau(db)
    rule, own = rule_of(db), bureau_values(db)
    last_day = stats.as_of(today, unit_settings.get(db, "stats.day_closes_at"))[1]
    today = today or dt.date.today()
    # the cache holds figures as of their import day: a period still running is computed now
    running = period.end > last_day
    with db.read() as s:
        cached = {(r.unit_id, r.period): r for r in s.scalars(
            select(CountyFigures).where(CountyFigures.period.in_((period.text, STAFFING_KEY, DIRTY_KEY,
                                                                  review_rate.key_of(period)))))}
    rows = []
    for unit in registered_units(db):
        if not mirrors.path(unit.unit_id).exists():
            continue
        dirty = (unit.unit_id, DIRTY_KEY) in cached
        staffing_row = None if dirty else cached.get((unit.unit_id, STAFFING_KEY))
        info = json.loads(staffing_row.payload if staffing_row is not None
                          else staffing_payload(mirrors.get(unit.unit_id)))
        fig_row = None if dirty or running else cached.get((unit.unit_id, period.text))
        if fig_row is not None:
            payload = json.loads(fig_row.payload)
            figures = None if payload is None else Figures.from_json(payload, period)
            computed_on = fig_row.computed_on
        else:
            mirror = mirrors.get(unit.unit_id)
            found = stats.unit_stats_many(mirror, [period], today=today,
                                          calendar=county_calendar(mirror), settings=own)
            # as the cache holds them (rounded as in `stats --json`), so that a row computed for
            # this read says what the same row read from the cache would
            figures = Figures.from_json(found[0].to_json(), found[0].period)
            computed_on = today.isoformat()
        stored = None if dirty or running else cached.get((unit.unit_id, review_rate.key_of(period)))
        review = (review_rate.from_cache(stored.payload) if stored is not None
                  else review_rate.count(mirrors.get(unit.unit_id), period))
        rows.append(_row(unit, info, figures, computed_on, rule, today, own, period.end.year, review))
    return rows


def _row(unit, info: dict, figures: Figures | None, computed_on: str, rule: NeedRule,
         today: dt.date, own: dict, year: int | None = None, review=None) -> CountyRow:
    staffing = C.Staffing.from_json(info["staffing"])
    need = assess(figures, staffing.quota_total, staffing.vacancies, rule, today)
    red_items, ratio = unit_items(info, staffing.quota_total, today, year or today.year)
    warnings = C.warnings(staffing, figures) + basis.warnings(info, own)
    if info.get("invalid_logs"):
        warnings.append(f"签名无效的日志{info['invalid_logs']}篇，不计入统计（单位数据库被直接改动）")
    if info.get("audit_note"):
        warnings.append(f"审计记录异常：{info['audit_note']}")
    return CountyRow(unit.unit_id, unit.name, unit.credit_code, info.get("unit_class") or "",
                     staffing, figures, need, ratio, warnings, computed_on,
                     info.get("calendar_deviations") or [], info.get("calendar_accepted") or [],
                     red_items, review)

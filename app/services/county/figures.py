"""The 编办's cache of each unit's figures, filled when the unit's packages are imported.

Figures are computed with the statistics service on each unit's mirror — the same code the unit
runs on its own file — right after a package is imported, for every month the package touched
and the quarters and years holding them, and stored in `county_figures` of the 编办's database,
so the county table reads ~50 small rows instead of scanning millions of entries. A unit is
marked dirty before its mirror is written; a crash between the import and the cache update
leaves the mark, the county table then computes that unit live, and the unit's next import
rewrites its cache. Cached figures carry the day they were computed: review timeliness judges
pending logs against that day.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, func, select

from app.core import vocab
from app.core.bureau import county as C
from app.core.figures import Figures
from app.core.metrics import parse_period
from app.db.engine import Database
from app.db.models import CountyFigures, Peer, WorkLog
from app.services.county.basis import bureau_values, calendar_state, duty_changes, unit_values
from app.services.org.calendar import county_calendar
from app.services.org.headcount import staffing_of
from app.services.county.mirrors import Mirrors
from app.services.items.progress import facts_payload
from app.services.county import review_rate
from app.services.stats import compute as stats

STAFFING_KEY = "staffing"
DIRTY_KEY = "dirty"
def periods_for(months: set[int]) -> list[str]:
    """Month, quarter, half-year and year keys holding the given `month` values
    (202610 → 2026-10, 2026-Q4, 2026-H2, 2026)."""
    keys = []
    for m in sorted(months):
        year, month = divmod(m, 100)
        for key in (f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}",
                    f"{year}-H{1 if month <= 6 else 2}", str(year)):
            if key not in keys:
                keys.append(key)
    return keys


def mark_dirty(db: Database, unit_id: str) -> set[int]:
    """Mark the unit's cache as about to go stale (its mirror is being written). Returns the
    months to recompute besides the new package's: every cached month when an earlier import
    was interrupted before its figures were stored, else none."""
    with db.session() as s:
        was_dirty = s.get(CountyFigures, (unit_id, DIRTY_KEY)) is not None
        months = set()
        if was_dirty:
            for key in s.scalars(select(CountyFigures.period).where(CountyFigures.unit_id == unit_id)):
                if len(key) == 7 and key[4] == "-" and key[5:].isdigit():    # 2026-10
                    months.add(int(key[:4]) * 100 + int(key[5:]))
        s.merge(CountyFigures(unit_id=unit_id, period=DIRTY_KEY, payload="{}", marker=0,
                              computed_on=dt.date.today().isoformat()))
    return months


def refresh_unit(db: Database, mirrors: Mirrors, unit_id: str, months: set[int],
                 today: dt.date | None = None) -> None:
    """Recompute the cached figures of `unit_id` for the periods holding `months` (and its
    staffing snapshot), then clear its dirty mark."""
    today = today or dt.date.today()
    store_figures(db, unit_id, unit_figures(mirrors.get(unit_id), months, today, bureau_values(db)),
                  today)


def unit_figures(mirror: Database, months: set[int], today: dt.date,
                 values: dict[str, object] | None = None) -> list[tuple[str, str]]:
    """(period key, JSON) of the staffing snapshot and of the periods holding `months`, read
    from the unit's mirror and the 编办's setting `values` (basis.bureau_values) only: an import
    worker process computes them beside its import. The working days are the national
    calendar's, with the unit's own on the days the 编办 accepted (basis)."""
    rows = [(STAFFING_KEY, staffing_payload(mirror))]
    keys = periods_for(months)
    if keys:
        figures = stats.unit_stats_many(mirror, [parse_period(key) for key in keys], today=today,
                                        calendar=county_calendar(mirror), settings=values)
        rows += [(key, json.dumps(f.to_json(), ensure_ascii=False)) for key, f in zip(keys, figures)]
        rows += review_rate.cache_rows(mirror, keys)
    return rows


def store_figures(db: Database, unit_id: str, rows: list[tuple[str, str]], today: dt.date) -> None:
    """Cache the unit_figures rows in the 编办's database and clear the unit's dirty mark."""
    with db.session() as s:
        for key, payload in rows:
            s.merge(CountyFigures(unit_id=unit_id, period=key, payload=payload, marker=0,
                                  computed_on=today.isoformat()))
        s.execute(delete(CountyFigures).where(CountyFigures.unit_id == unit_id,
                                              CountyFigures.period == DIRTY_KEY))


def staffing_payload(mirror: Database) -> str:
    """The unit's staffing and what it set itself that moves figures (basis): the days its
    calendar departs from the national one (not accepted, and accepted), its duty class
    changes and its statistics settings; and what shows its data was edited behind the
    program: logs whose signatures fail, a break in its audit trail."""
    staffing, unit = staffing_of(mirror)
    departs, accepted = calendar_state(mirror)
    with mirror.read() as s:
        invalid = s.scalar(select(func.count()).select_from(WorkLog).where(
            WorkLog.status == vocab.LOG_INVALID, WorkLog.deleted.is_(False)))
        audit_note = s.scalar(select(Peer.audit_note).where(Peer.kind == "unit"))
    return json.dumps({"staffing": staffing.to_json(), "unit_class": unit.unit_class,
                       "task_class": unit.task_class, "key_tasks": unit.key_tasks,
                       "parent_id": unit.parent_id,      # 主管部门 (app.services.county.bodies)
                       "calendar_deviations": [d.isoformat() for d in departs],
                       "calendar_accepted": [d.isoformat() for d in accepted],
                       "duty_changes": [c.to_json() for c in duty_changes(mirror)],
                       "settings": unit_values(mirror),
                       "invalid_logs": invalid, "audit_note": audit_note,
                       "items": facts_payload(mirror)},
                      ensure_ascii=False)


def log_months(mirror: Database) -> set[int]:
    """Every month (202610) with a log in the unit's mirror: all its figures are recomputed when
    a package changed what they are computed from (calendar, roster, duties, settings)."""
    with mirror.read() as s:
        return set(s.scalars(select(WorkLog.month).distinct()))


def last_month_with_data(db: Database) -> str | None:
    """The latest month ("2026-11") for which any unit's cached figures hold approved work: where
    the county table opens, instead of a current month nobody has reported yet."""
    with db.read() as s:
        rows = s.execute(select(CountyFigures.period, CountyFigures.payload)
                         .where(CountyFigures.period.like("____-__"))
                         .order_by(CountyFigures.period.desc())).all()
    for period, payload in rows:
        if not period[5:].isdigit():          # 2026-Q4 has the same length
            continue
        data = json.loads(payload)
        if data is not None and C.has_data(Figures.from_json(data)):
            return period
    return None

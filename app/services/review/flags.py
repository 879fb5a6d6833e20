"""Assisted review (辅助审核) over the database: load exactly the facts the rules of
app.core.flags need for a batch of logs, in a handful of queries, and apply them.

Queries (each chunked to stay under SQLite's variable limit): the logs; their entries with text;
the authors' texts of the look-back window; everyone's texts on the days under review (for
copies between colleagues); people and sections; category standard hours; calendar overrides;
settings. Text is read only here and in the log page, never by statistics.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from app.core.calendar import WorkCalendar
from app.core.flags import (CorpusEntry, EntryFacts, Flag, LogFacts, PersonRef, TextCorpus,
                            Thresholds, flag_log)
from app.db.engine import Database, in_chunks
from app.db.models import EntryText, LogEntry, Person, Section, WorkCategory, WorkLog
from app.services.org import unit_settings
from app.services.org.calendar import list_overrides
from app.services.gc_pause import collector_paused


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def thresholds(db: Database) -> Thresholds:
    return Thresholds.from_settings(unit_settings.all_values(db))


def compute_flags(db: Database, log_ids: list[str], *,
                  today: dt.date | None = None) -> dict[str, list[Flag]]:
    """Flags of each log (an empty list for a clean one); ids of missing logs are left out.
    `today` only matters for logs not submitted yet, whose lateness counts up to it."""
    with collector_paused():
        return _compute_flags(db, log_ids, today)


def _compute_flags(db: Database, log_ids: list[str],
                   today: dt.date | None) -> dict[str, list[Flag]]:
    ids = list(dict.fromkeys(log_ids))
    if not ids:
        return {}
    today = today or dt.date.today()
    limits = thresholds(db)
    overrides = list_overrides(db)
    calendar = WorkCalendar((d.day, d.kind) for d in overrides)
    holiday_names = {d.day: d.name for d in overrides if d.kind == "holiday"}
    with db.read() as s:
        logs = []
        for chunk in in_chunks(ids):
            logs += s.execute(select(WorkLog.id, WorkLog.person_id, WorkLog.day,
                                     WorkLog.day_state, WorkLog.submitted_at)
                              .where(WorkLog.id.in_(chunk), WorkLog.deleted.is_(False))).all()
        if not logs:
            return {}
        entry_rows = defaultdict(list)
        for chunk in in_chunks([log.id for log in logs]):
            rows = s.execute(
                select(LogEntry.log_id, LogEntry.id, LogEntry.seq, LogEntry.hours,
                       LogEntry.category, LogEntry.secret)
                .where(LogEntry.log_id.in_(chunk), LogEntry.deleted.is_(False)))
            for log_id, *row in rows:
                entry_rows[log_id].append(row)
        days = {dt.date.fromisoformat(log.day) for log in logs}
        authors = sorted({log.person_id for log in logs})
        corpus_rows = _corpus_rows(s, authors, days, limits.lookback_days)
        people = _people(s)
        standard_hours = {name: float(hours or 0) for name, hours in s.execute(
            select(WorkCategory.name, WorkCategory.standard_hours)
            .where(WorkCategory.deleted.is_(False)))}
    # Every entry under review lies on a review day, so the corpus holds its text.
    texts = {row.entry_id: row.content for row in corpus_rows}
    entries = {log_id: tuple(EntryFacts(seq, float(hours or 0), category, bool(secret),
                                        "" if secret else texts.get(entry_id, ""))
                             for entry_id, seq, hours, category, secret in rows)
               for log_id, rows in entry_rows.items()}
    corpus = TextCorpus(corpus_rows, people, days, authors)
    result: dict[str, list[Flag]] = {}
    for log in logs:
        day = dt.date.fromisoformat(log.day)
        facts = LogFacts(log.id, log.person_id, day, log.day_state, _date(log.submitted_at),
                         tuple(entries.get(log.id, ())), calendar.is_working_day(day),
                         holiday_names.get(day, ""))
        result[log.id] = flag_log(facts, standard_hours, corpus, limits, today)
    return result


def _text_query():
    return (select(LogEntry.id, LogEntry.person_id, LogEntry.day, EntryText.content,
                   LogEntry.log_id)
            .join(EntryText, EntryText.id == LogEntry.id)
            .where(LogEntry.deleted.is_(False), LogEntry.secret.is_(False),
                   EntryText.deleted.is_(False)))


def _corpus_rows(s, authors: list[str], days: set[dt.date], lookback: int) -> list[CorpusEntry]:
    """Everyone's texts on the days under review, and the authors' texts on the other days from
    `lookback` days before the first one. Each entry is read once; `month` leads an index of
    log_entry (`day` alone has none)."""
    review_days = sorted(d.isoformat() for d in days)
    first = (min(days) - dt.timedelta(days=lookback)).isoformat()
    rows = list(s.execute(_text_query().where(
        LogEntry.month.in_(sorted({d.year * 100 + d.month for d in days})),
        LogEntry.day.in_(review_days))))
    for chunk in in_chunks(authors):
        rows += s.execute(_text_query().where(LogEntry.person_id.in_(chunk),
                                              LogEntry.day >= first,
                                              LogEntry.day <= review_days[-1],
                                              LogEntry.day.not_in(review_days)))
    # This program never tombstones a log header (only entries), but a sync merge could bring
    # one: its entries are dropped here rather than joining work_log on every row.
    retired = set(s.scalars(select(WorkLog.id).where(WorkLog.deleted.is_(True))))
    dates: dict[str, dt.date] = {}
    corpus = []
    for entry_id, person_id, day, content, log_id in rows:
        if log_id in retired:
            continue
        date = dates.get(day)
        if date is None:
            date = dates[day] = dt.date.fromisoformat(day)
        corpus.append(CorpusEntry(entry_id, person_id, date, content))
    return corpus


def _people(s) -> dict[str, PersonRef]:
    sections = dict(s.execute(select(Section.id, Section.name)).all())
    return {pid: PersonRef(name, section_id, sections.get(section_id, ""), role)
            for pid, name, section_id, role in s.execute(
                select(Person.id, Person.name, Person.section_id, Person.role))}

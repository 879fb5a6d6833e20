"""The change outbox that sync packages are built from (app/db/engine.py).

Every write of a synced row must leave exactly one outbox row naming it, written in the same
transaction, with the hlc the row now carries; local-only tables and no-op saves write nothing.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from sqlalchemy import func, select

from app.core.hlc import parse_hlc
from app.core.ids import new_id
from app.core.logrules import EntryDraft
from app.db.engine import Database
from app.db.models import (SYNCED_TABLES, EntryText, LocalDraft, LogEntry, LoginGuard, Outbox,
                           Section, Synced, WorkLog)
from app.services.logs import tools as log_tools, daily as logs

TODAY = dt.date(2026, 11, 20)
DAY = dt.date(2026, 11, 16)


def last_seq(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.coalesce(func.max(Outbox.seq), 0)))


def outbox_since(db: Database, seq: int) -> list[Outbox]:
    with db.read() as s:
        return list(s.scalars(select(Outbox).where(Outbox.seq > seq).order_by(Outbox.seq)))


def row(db: Database, model, row_id: str):
    with db.read() as s:
        return s.get(model, row_id)


def add_section(db: Database, name: str = "综合科") -> str:
    with db.session() as s:
        section = Section(unit_id=db.unit_id, name=name, summary="", sort_order=1)
        s.add(section)
    return section.id


def assert_matches(db: Database, entry: Outbox, model, row_id: str) -> None:
    current = row(db, model, row_id)
    assert (entry.table_name, entry.row_id) == (model.__tablename__, row_id)
    assert entry.hlc == current.hlc
    assert current.origin == db.origin != ""


def test_insert_appends_one_outbox_row(unit_db):
    start = last_seq(unit_db)
    section_id = add_section(unit_db)
    [entry] = outbox_since(unit_db, start)
    assert_matches(unit_db, entry, Section, section_id)
    assert row(unit_db, Section, section_id).deleted is False


def test_update_appends_one_outbox_row_with_a_later_hlc(unit_db):
    section_id = add_section(unit_db)
    first_hlc = row(unit_db, Section, section_id).hlc
    start = last_seq(unit_db)
    with unit_db.session() as s:
        s.get(Section, section_id).name = "办公室"
    [entry] = outbox_since(unit_db, start)
    assert_matches(unit_db, entry, Section, section_id)
    assert entry.hlc > first_hlc


def test_tombstone_appends_one_outbox_row(unit_db):
    section_id = add_section(unit_db)
    start = last_seq(unit_db)
    with unit_db.session() as s:
        s.get(Section, section_id).deleted = True
    [entry] = outbox_since(unit_db, start)
    assert_matches(unit_db, entry, Section, section_id)
    assert row(unit_db, Section, section_id).deleted is True


def test_several_rows_and_flushes_in_one_transaction(unit_db):
    start = last_seq(unit_db)
    with unit_db.session() as s:
        a = Section(unit_id=unit_db.unit_id, name="甲科", summary="")
        b = Section(unit_id=unit_db.unit_id, name="乙科", summary="")
        s.add_all([a, b])
        s.flush()
        a.name = "甲科（改）"       # a second change of `a` in the same transaction
        s.flush()
        a.summary = "职能"
    entries = outbox_since(unit_db, start)
    assert sorted(e.row_id for e in entries) == sorted([a.id, b.id])   # one per row, no dupes
    for e in entries:
        assert_matches(unit_db, e, Section, e.row_id)
    assert row(unit_db, Section, a.id).name == "甲科（改）"


def test_outbox_row_is_written_in_the_same_transaction(unit_db):
    start = last_seq(unit_db)
    with unit_db.session() as s:
        section = Section(unit_id=unit_db.unit_id, name="法规科", summary="")
        s.add(section)
        s.flush()
        inside = s.scalars(select(Outbox).where(Outbox.seq > start)).all()
        assert [(o.row_id, o.hlc) for o in inside] == [(section.id, section.hlc)]


def test_rolled_back_transaction_leaves_neither_row_nor_outbox(unit_db):
    start = last_seq(unit_db)
    section_id = add_section(unit_db)
    after_insert = last_seq(unit_db)
    assert after_insert > start
    with pytest.raises(RuntimeError, match="boom"):
        with unit_db.session() as s:
            new = Section(unit_id=unit_db.unit_id, name="临时科", summary="")
            s.add(new)
            s.get(Section, section_id).name = "改名"
            s.flush()                                    # written, then rolled back
            raise RuntimeError("boom")
    assert outbox_since(unit_db, after_insert) == []
    assert row(unit_db, Section, new.id) is None
    assert row(unit_db, Section, section_id).name == "综合科"


def test_unchanged_save_writes_nothing(unit_db):
    section_id = add_section(unit_db)
    start = last_seq(unit_db)
    with unit_db.session() as s:
        section = s.get(Section, section_id)
        section.name = section.name                     # same value: not a change
        section.deleted = False
    assert outbox_since(unit_db, start) == []


def test_save_day_twice_with_identical_entries_writes_no_outbox_rows(unit_db, admin):
    entries = [EntryDraft(hours=3, category="业务工作", content="审核许可材料"),
               EntryDraft(hours=None, start="14:00", end="16:30", category="会议活动",
                          content="参加例会"),
               EntryDraft(hours=1, category="业务工作", secret=True)]
    start = last_seq(unit_db)
    saved = logs.save_day(unit_db, admin, DAY, "正常", entries, today=TODAY)
    first = outbox_since(unit_db, start)
    # one per row: the log, three entries, two texts (the 涉密 entry has none)
    assert sorted(e.table_name for e in first) == sorted(
        ["work_log"] + ["log_entry"] * 3 + ["entry_text"] * 2)
    assert len({(e.table_name, e.row_id) for e in first}) == len(first)
    models = {"work_log": WorkLog, "log_entry": LogEntry, "entry_text": EntryText}
    for e in first:
        assert_matches(unit_db, e, models[e.table_name], e.row_id)

    middle = last_seq(unit_db)
    logs.save_day(unit_db, admin, DAY, "正常", saved.entries, today=TODAY)
    # the editor hands back fresh drafts with the same ids and the same values
    again = [EntryDraft.from_dict(e.to_dict()) for e in saved.entries]
    logs.save_day(unit_db, admin, DAY, "正常", again, today=TODAY)
    assert outbox_since(unit_db, middle) == []


def test_changing_one_entry_touches_only_that_entry(unit_db, admin):
    entries = [EntryDraft(hours=3, category="业务工作", content="甲"),
               EntryDraft(hours=2, category="业务工作", content="乙")]
    saved = logs.save_day(unit_db, admin, DAY, "正常", entries, today=TODAY)
    start = last_seq(unit_db)
    saved.entries[1].content = "乙（补充）"
    logs.save_day(unit_db, admin, DAY, "正常", saved.entries, today=TODAY)
    changed = [(e.table_name, e.row_id) for e in outbox_since(unit_db, start)]
    assert ("entry_text", saved.entries[1].entry_id) in changed
    assert ("entry_text", saved.entries[0].entry_id) not in changed
    assert ("log_entry", saved.entries[0].entry_id) not in changed


def test_local_tables_never_reach_the_outbox(unit_db, admin):
    start = last_seq(unit_db)
    log_tools.autosave(unit_db, admin, DAY, "正常", [EntryDraft(hours=1, category="业务工作",
                                                                content="草稿")])
    with unit_db.session() as s:
        s.add(LoginGuard(login="nobody", failures=1))
    log_tools.discard_autosave(unit_db, admin, DAY)
    assert outbox_since(unit_db, start) == []
    with unit_db.read() as s:
        assert s.scalar(select(func.count()).select_from(LoginGuard)) == 1
        assert s.scalar(select(func.count()).select_from(LocalDraft)) == 0


def test_bulk_insert_stamps_rows_and_outbox(unit_db):
    start = last_seq(unit_db)
    rows = [{"unit_id": unit_db.unit_id, "name": f"科室{n}", "summary": "", "sort_order": n}
            for n in range(500)]
    with unit_db.session() as s:
        unit_db.bulk_insert(s, Section, rows)
    entries = outbox_since(unit_db, start)
    assert len(entries) == 500
    assert [e.row_id for e in entries] == [r["id"] for r in rows]
    hlcs = [e.hlc for e in entries]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == 500
    with unit_db.read() as s:
        stored = {x.id: x for x in s.scalars(select(Section).where(Section.name.like("科室%")))}
    assert len(stored) == 500
    for e in entries:
        assert stored[e.row_id].hlc == e.hlc
        assert stored[e.row_id].origin == unit_db.origin
        assert stored[e.row_id].deleted is False
    with unit_db.session() as s:
        unit_db.bulk_insert(s, Section, [])          # nothing to do is fine
    assert last_seq(unit_db) == entries[-1].seq


def test_bulk_insert_rolls_back_with_its_transaction(unit_db):
    start = last_seq(unit_db)
    with pytest.raises(RuntimeError):
        with unit_db.session() as s:
            unit_db.bulk_insert(s, Section, [{"unit_id": unit_db.unit_id, "name": "x",
                                              "summary": ""}])
            raise RuntimeError("abort")
    assert outbox_since(unit_db, start) == []


def test_hard_delete_of_a_synced_row_is_refused(unit_db):
    section_id = add_section(unit_db)
    start = last_seq(unit_db)
    with pytest.raises(RuntimeError, match="tombstone"):
        with unit_db.session() as s:
            s.delete(s.get(Section, section_id))
    assert row(unit_db, Section, section_id) is not None
    assert outbox_since(unit_db, start) == []


def test_outbox_hlcs_grow_with_seq_and_survive_reopening(unit_db, admin):
    logs.save_day(unit_db, admin, DAY, "正常",
                  [EntryDraft(hours=2, category="业务工作", content="甲")], today=TODAY)
    with unit_db.read() as s:
        hlcs = list(s.scalars(select(Outbox.hlc).order_by(Outbox.seq)))
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    # A second Database on the same file continues after the newest timestamp even if the
    # wall clock were behind: the clock is restored from the outbox.
    reopened = Database(unit_db.path)
    try:
        assert parse_hlc(reopened.clock.last) == parse_hlc(hlcs[-1])
        assert reopened.clock.now() > hlcs[-1]
        assert reopened.origin == unit_db.origin
    finally:
        reopened.dispose()


def test_every_synced_table_has_the_sync_columns():
    assert {"unit", "person", "credential", "work_log", "log_entry", "entry_text", "attachment",
            "holiday", "log_template"} <= set(SYNCED_TABLES)
    for name, model in SYNCED_TABLES.items():
        assert issubclass(model, Synced)
        columns = model.__table__.columns
        assert {"id", "hlc", "origin", "deleted"} <= set(columns.keys()), name
        assert [c.name for c in model.__table__.primary_key] == ["id"], name
        assert not columns["id"].autoincrement is True, name
    assert "outbox" not in SYNCED_TABLES and "local_draft" not in SYNCED_TABLES


def test_ids_are_time_ordered_uuid7(unit_db):
    before_ms = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids)                 # text order is creation order
    assert len(set(ids)) == len(ids)
    for text in ids[:: 199]:
        u = uuid.UUID(text)
        assert str(u) == text
        assert u.version == 7
        assert u.variant == uuid.RFC_4122
        # 48-bit Unix milliseconds. uuid6 adds 1 ms per id made within an already used
        # millisecond (RFC 9562 monotonic method), so after bursts the stamp runs ahead of the
        # wall clock; it is never behind it.
        assert u.int >> 80 >= before_ms
    section_id = add_section(unit_db)
    assert uuid.UUID(section_id).version == 7
    assert ids[-1] < section_id

"""Sync between a 编办 and its units at the services level: what is refused (each refusal with its
own message, nothing written), the package ledger (duplicate, older, gap, fork) and what travels
(tombstones, attachments, no 涉密 text, review states recomputed on the receiving side).

A world (编办 + two enrolled units with people and logs) is built once and copied per test;
"the 编办 restored from a backup" is a second copy of it: same keys and register, no imports.
"""
from __future__ import annotations

import hashlib
import shutil

import pytest
from sqlalchemy import insert, select

from app.core import vocab
from app.core.logrules import EntryDraft
from app.db.migrate import head_revision
from app.db.models import Duty, EntryText, LogEntry, Outbox, Section, Unit
from app.services.logs import attachments, daily as logs
from app.services.review import queue as review
from app.services.county import bureau as B
from app.services.exchange import packages as P
from app.services.exchange import unit_side as unit_sync
from app.services.org.setup import open_database
from app.services.org.actor import SYSTEM
from app.sync import codes, merge
from app.sync.keys import generate
from tests.unit.sync_fixtures import (DAYS, TODAY, World, actor_for, add_people, approve, build_world,
                                      content_hash, content_of, enroll, register, reopen, restore,
                                      review_states, rewrap, snapshot, synced_rows, write_log)


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    root = tmp_path_factory.mktemp("sync_template") / "world"
    build_world(root).close()
    return root


def _copy(template, dest) -> World:
    shutil.copytree(template, dest)
    return reopen(dest)


@pytest.fixture
def world(_template, tmp_path):
    w = _copy(_template, tmp_path / "world")
    yield w
    w.close()


@pytest.fixture
def restored(_template, tmp_path):
    """The same 编办 as `world` before it imported anything (restored from an early backup)."""
    w = _copy(_template, tmp_path / "restored")
    yield w
    w.close()


def same_rows(unit, mirror) -> None:
    """Every synced row (unit-private tables aside) is the same on both sides."""
    a, b = synced_rows(unit), synced_rows(mirror)
    diff = {t: (len(set(a[t]) ^ set(b[t])), sum(a[t][i] != b[t].get(i) for i in a[t]))
            for t in a if a[t] != b[t]}
    assert not diff, f"table: (ids on one side only, rows that differ) {diff}"


def refused(world: World, path, code: str, words: str) -> str:
    before = content_hash(world.bureau.path)
    [result] = world.receive(path)
    assert result.status == P.REJECTED, (result.status, result.message)
    assert result.code == code, (result.code, result.message)
    assert words in result.message, result.message
    assert content_hash(world.bureau.path) == before, f"{code}: the 编办's data changed"
    return result.message


# ---------------------------------------------------------------- refusals
def test_every_refusal_has_its_own_message_and_writes_nothing(world, restored, tmp_path):
    a, b = world.units["a"], world.units["b"]
    [first] = world.receive(world.report("a"))
    assert first.status == P.IMPORTED and first.new_key == P.own_fingerprint(a)
    write_log(a, "zs", DAYS[3], "检查农贸市场计量器具20台")
    good = world.report("a")
    bureau_keys, unit_keys = P.ensure_keys(world.bureau), P.ensure_keys(a)
    messages = {}

    # a unit the 编办 never registered (here: registered in another copy of the same 编办)
    register(restored, "c", 3)
    c = enroll(restored, "c", tmp_path / "unit_c.sqlite")
    add_people(c, [("ww", "王五", "科室人员")])
    messages["unregistered"] = refused(world, restored.report("c"), "unknown_sender", "未登记")

    # a copy of unit a's database with a new key the 编办 never registered (made with a code the
    # 编办 did not issue: a unit makes a new key only after the 编办 revoked the old one)
    world.unit_ids["a2"] = world.unit_ids["a"]
    again = world.units["a2"] = open_database(snapshot(a, tmp_path / "unit_a_again.sqlite"))
    unit_sync.rekey(again, codes.new_code())
    add_people(again, [("zl", "赵六", "科室人员")])
    messages["key"] = refused(world, world.report("a2"), "wrong_key", "签名密钥与登记的不符")

    other_bureau = generate().public()
    messages["recipient"] = refused(
        world, rewrap(good, tmp_path / "for_other.lzkp", bureau_keys, sign_key=unit_keys,
                      recipient=other_bureau), "wrong_recipient", "发给另一接收方")

    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    (tampered := tmp_path / "tampered.lzkp").write_bytes(bytes(data))
    messages["tampered"] = refused(world, tampered, "signature", "被改动过")

    (cut := tmp_path / "cut.lzkp").write_bytes(good.read_bytes()[:-100])
    messages["truncated"] = refused(world, cut, "truncated", "不完整")

    newer = f"{int(head_revision()) + 1:04d}"
    messages["schema"] = refused(
        world, rewrap(good, tmp_path / "newer.lzkp", bureau_keys, sign_key=unit_keys,
                      recipient=bureau_keys.public(), header={"schema": newer}),
        "future_schema", "较新版本的程序")

    # unit b writes what belongs to the 编办 (each case undone by restoring b's backup)
    [ok] = world.receive(world.report("b"))
    assert ok.status == P.IMPORTED
    backup = snapshot(b, tmp_path / "b_backup.sqlite")
    with b.session(SYSTEM) as s:
        s.get(Unit, b.unit_id).name = "沂河县第2局（改名）"
    messages["unit row"] = refused(world, world.report("b"), "merge", "单位无权写入的数据（表“unit”）")

    b = world.units["b"] = restore(b, backup)
    with world.mirror("b").session(SYSTEM) as s:     # the 编办 issues a 三定 duty to b
        s.add(Duty(unit_id=world.unit_ids["b"], code="B-01", content="负责市场主体登记", duty_class="核心"))
    [got] = world.unit_receives("b", world.dispatch("b"))
    assert got.status == P.IMPORTED, got.message
    with b.session(SYSTEM) as s:
        s.scalar(select(Duty).where(Duty.code == "B-01")).content = "负责市场主体登记和年报"
    messages["owner"] = refused(world, world.report("b"), "merge", "属于编办，发送方无权修改")

    b = world.units["b"] = restore(b, backup)
    bureau_origin = world.bureau.origin
    with b.session(SYSTEM) as s:    # a row stamped with the 编办's origin, written at Core level
        row = dict(id="019a0000-0000-7000-8000-000000000001", hlc=b.clock.now(), origin=bureau_origin,
                   deleted=False, unit_id=b.unit_id, name="编办的科室", summary="", sort_order=9)
        s.execute(insert(Section.__table__), [row])
        s.execute(insert(Outbox.__table__), [{"table_name": "section", "row_id": row["id"], "hlc": row["hlc"]}])
    messages["origin"] = refused(world, world.report("b"), "merge", "不是发送方写的数据")

    assert len(set(messages.values())) == len(messages), messages
    # and the good package still goes in after all that
    [fine] = world.receive(good)
    assert fine.status == P.IMPORTED and fine.plan.written > 0


def test_a_dispatch_clashing_with_a_row_of_the_unit_is_refused_and_writes_nothing(world):
    b = world.units["b"]
    world.receive(world.report("b"))
    with b.session(SYSTEM) as s:      # the unit numbered a duty of its own …
        s.add(Duty(unit_id=b.unit_id, code="D-07", content="负责本单位安全生产", duty_class="一般"))
    with world.mirror("b").session(SYSTEM) as s:     # … as the 编办 numbers one it issues
        s.add(Duty(unit_id=world.unit_ids["b"], code="D-07", content="负责市场主体登记", duty_class="核心"))
    before = content_hash(b.path)
    [result] = world.unit_receives("b", world.dispatch("b"))
    assert (result.status, result.code) == (P.REJECTED, "merge"), result.message
    assert "重复" in result.message and "duty" in result.message, result.message
    assert content_hash(b.path) == before


def test_a_refusal_found_after_rows_were_written_rolls_all_of_them_back(world, monkeypatch):
    """Rows are merged batch by batch as the package is read: a problem found in a later batch
    must take back the earlier batches too (the import's one transaction)."""
    b = world.units["b"]
    world.receive(world.report("b"))
    with world.mirror("b").session(SYSTEM) as s:     # the 编办 issues a 三定 duty to b
        s.add(Duty(unit_id=world.unit_ids["b"], code="B-01", content="负责市场主体登记", duty_class="核心"))
    world.unit_receives("b", world.dispatch("b"))
    write_log(b, "zs", DAYS[4], "核查企业年报信息30户")        # new entry_text rows, read before duties
    with b.session(SYSTEM) as s:
        s.scalar(select(Duty).where(Duty.code == "B-01")).content = "负责市场主体登记和年报"
    monkeypatch.setattr(merge, "BATCH", 1)           # every row a batch of its own
    written = []
    flush = merge.Merger._flush

    def spy(self, table, spec):
        flush(self, table, spec)
        if self.write and not self.problems:
            written.append(table)
    monkeypatch.setattr(merge.Merger, "_flush", spy)
    refused(world, world.report("b"), "merge", "属于编办，发送方无权修改")
    assert "entry_text" in written, written           # rows had gone in before the duty was read


@pytest.mark.parametrize("bad", ["1795332488733-0000", "1795332488733-00000\n", "",
                                 "179533248873x-00000", "1795332488733-00000\n1795332488733-00001"])
def test_a_malformed_hlc_among_good_rows_is_refused_at_its_line(world, bad):
    """The HLCs of a batch are checked by one regex over all of them joined: a value that is
    not exactly one HLC — short, with a newline, empty, with a letter, two in one — is found
    and named by its line."""
    mirror = world.mirror("a")
    cols = merge.exported_columns("holiday")
    rows = [["holiday", f"2026-05-0{i}", "holiday", "劳动节", f"019a0000-0000-7000-8000-00000000000{i}",
             f"1795332488733-0000{i}", "019a0000-0000-7000-8000-0000000000aa", False] for i in range(1, 6)]
    rows[3][1 + cols.index("hlc")] = bad
    with mirror.read() as s:
        merger = merge.Merger(s.connection(), {"holiday": cols},
                              merge.SenderRule(world.bureau.origin, from_bureau=False), 0, write=False)
        with pytest.raises(merge.MergeError, match="第4行.*hlc|第4行.*值不合格式"):
            merger.add_rows(rows, 1)
            merger.finish()


# ---------------------------------------------------------------- the ledger
def test_duplicate_and_older_packages_write_nothing(world):
    a = world.units["a"]
    one = world.report("a")
    write_log(a, "zs", DAYS[3], "检查农贸市场计量器具20台")
    two = world.report("a")      # no acknowledgement yet: 2 holds everything 1 did, and more
    [r2] = world.receive(two)
    assert r2.status == P.IMPORTED
    before = content_hash(world.bureau.path)
    [dup] = world.receive(two)
    assert dup.status == P.DUPLICATE and "导入过" in dup.message and "未作任何修改" in dup.message
    [old] = world.receive(one)
    assert old.status == P.OLDER and "早于已导入的第2号包" in old.message
    assert old.message != dup.message
    assert content_hash(world.bureau.path) == before
    same_rows(a, world.mirror("a"))


def test_a_preview_of_several_packages_of_a_unit_judges_each_after_the_ones_before(world, restored):
    a = world.units["a"]
    one = world.report("a")
    world.receive(one)
    world.unit_receives("a", world.dispatch("a"))       # acknowledges package 1
    add_people(a, [("ww", "王五", "科室人员")])
    two = world.report("a")
    assert content_of(two, P.ensure_keys(world.bureau)).header["base"] > 0
    before = content_hash(restored.bureau.path)
    # `restored` has neither: shown together, package 2 follows package 1 without a gap …
    results = restored.receive(two, one, apply=False)
    assert [(r.seq, r.status, r.note) for r in results] == [(2, P.OK, ""), (1, P.OK, "")]
    # … while alone it does miss package 1's changes
    [alone] = restored.receive(two, apply=False)
    assert alone.status == P.OK and "缺口" in alone.note, alone.note
    assert content_hash(restored.bureau.path) == before


def test_a_gap_is_noted_and_the_next_package_fills_it(world, restored):
    a = world.units["a"]
    [r1] = world.receive(world.report("a"))
    [d1] = world.unit_receives("a", world.dispatch("a"))       # acknowledges package 1
    assert r1.status == d1.status == P.IMPORTED
    add_people(a, [("ww", "王五", "科室人员")])
    two = world.report("a")
    assert content_of(two, P.ensure_keys(world.bureau)).header["base"] > 0

    # `restored` never got package 1: package 2 starts after changes it has not seen. Its rows
    # (a new person) stand on their own, so it goes in, marked.
    [r2] = restored.receive(two)
    assert r2.status == P.IMPORTED and "缺口" in r2.note, r2.message
    lines = B.ledger_lines(restored.bureau, restored.mirrors)
    assert [(line.seq, "缺口" in line.note) for line in lines] == [(2, True)]
    mirror = restored.mirror("a")
    assert synced_rows(mirror)["person"].keys() < synced_rows(a)["person"].keys()

    # package 3 also holds a log of a person package 1 brought: refused, nothing written
    write_log(a, "zs", DAYS[3], "检查农贸市场计量器具20台")
    before = content_hash(restored.bureau.path)
    [r3] = restored.receive(world.report("a"))
    assert r3.status == P.REJECTED and r3.code == "merge"
    assert "引用了本机没有的数据" in r3.message and "缺口" in r3.message, r3.message
    assert content_hash(restored.bureau.path) == before

    # its 下发包 acknowledges nothing, so the unit's next package repeats the missing part
    [d] = world.unit_receives("a", restored.dispatch("a"))
    assert d.status == P.IMPORTED
    four = world.report("a")
    assert content_of(four, P.ensure_keys(world.bureau)).header["base"] == 0
    [r4] = restored.receive(four)
    assert r4.status == P.IMPORTED and r4.note == ""
    same_rows(a, mirror)
    assert review_states(a) == review_states(mirror)


def test_a_unit_restored_from_a_backup_forks_and_keeps_sending_its_changes(world, tmp_path):
    a = world.units["a"]
    world.receive(world.report("a"))
    backup = snapshot(a, tmp_path / "a_backup.sqlite")        # made after package 1
    for day in DAYS[3:]:                                       # packages 2 and 3, lost below
        write_log(a, "zs", day, f"检查农贸市场计量器具{day.day}台（备份后丢失的一天）")
        [r] = world.receive(world.report("a"))
        assert r.status == P.IMPORTED
    lost = world.dispatch("a")     # written before the 编办 learns of the restore

    a = world.units["a"] = restore(a, backup)
    for day in DAYS[3:]:
        write_log(a, "ls", day, f"恢复备份后：受理投诉举报{day.day}件")
    approve(a, "ld", "ls", DAYS[0])
    # the 下发包 made before the restore acknowledges changes this database no longer has
    [stale] = world.unit_receives("a", lost)
    assert stale.status == P.IMPORTED

    [fork] = world.receive(world.report("a"))   # again numbered 2, different content
    assert fork.status == P.IMPORTED and "分叉" in fork.note
    mirror = world.mirror("a")
    unit_logs = synced_rows(a)["work_log"]
    mirror_logs = synced_rows(mirror)["work_log"]
    assert unit_logs.items() <= mirror_logs.items()      # the restored unit's data merged …
    assert len(mirror_logs) == len(unit_logs) + 2          # … beside the days the restore lost

    write_log(a, "ls", DAYS[2], "整理投诉举报台账")
    [r3] = world.receive(world.report("a"))      # number 3 again, but on the new line: no new fork
    assert r3.status == P.IMPORTED and r3.note == "", r3.note
    world.unit_receives("a", world.dispatch("a"))
    write_log(a, "ld", DAYS[0], "主持召开局党组会议")
    [r4] = world.receive(world.report("a"))
    assert r4.status == P.IMPORTED and r4.note == ""
    lines = B.ledger_lines(world.bureau, world.mirrors)
    assert [(line.seq, "分叉" in line.note) for line in lines] == \
        [(4, False), (3, False), (2, True), (3, False), (2, False), (1, False)]
    rows_a, rows_m = synced_rows(a), synced_rows(mirror)
    for table, rows in rows_a.items():
        assert rows.items() <= rows_m[table].items(), table
    assert review_states(a).items() <= review_states(mirror).items()


def test_a_day_written_again_after_a_restore_replaces_the_lost_log_at_the_bureau(world, tmp_path):
    """The unit lost packages 2–3 by restoring a backup; 张三 fills in 10-15 again. The 编办
    still has the lost log of that day under another id: the newer one replaces it, with its
    entries and texts, instead of the whole package being refused as a duplicate."""
    a = world.units["a"]
    world.receive(world.report("a"))
    backup = snapshot(a, tmp_path / "a_backup.sqlite")
    for day in DAYS[3:]:
        write_log(a, "zs", day, f"检查农贸市场计量器具{day.day}台（备份后丢失的一天）")
        world.receive(world.report("a"))
    mirror = world.mirror("a")
    lost = {row[0]: row for row in mirror.engine.connect().exec_driver_sql(
        "SELECT w.day, w.id FROM work_log w JOIN person p ON p.id = w.person_id WHERE p.login = 'zs'").all()}

    a = world.units["a"] = restore(a, backup)
    write_log(a, "zs", DAYS[3], "恢复备份后重填：检查农贸市场计量器具")
    package = world.report("a")
    before = content_hash(world.bureau.path)
    [preview] = world.receive(package, apply=False)
    assert preview.status == P.OK and "重填了1篇" in preview.message, preview.message
    assert content_hash(world.bureau.path) == before

    [fork] = world.receive(package)
    assert fork.status == P.IMPORTED and "分叉" in fork.note, (fork.status, fork.message)
    assert "重填了1篇" in fork.message
    rows_a, rows_m = synced_rows(a), synced_rows(mirror)
    for table, rows in rows_a.items():
        assert rows.items() <= rows_m[table].items(), table
    old_id = lost[DAYS[3].isoformat()][1]
    with mirror.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("SELECT count(*) FROM work_log WHERE id = ?", (old_id,)).scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM log_entry WHERE log_id = ?", (old_id,)).scalar() == 0
        texts = conn.exec_driver_sql("SELECT content FROM entry_text").scalars().all()
    assert not any("10-15" in t or "15台（备份后丢失" in t for t in texts)
    assert any("恢复备份后重填" in t for t in texts)
    assert lost[DAYS[4].isoformat()][1] in rows_m["work_log"]      # a day not written again stays


# ---------------------------------------------------------------- what travels
def test_tombstones_attachments_and_review_states_travel_and_secret_text_does_not(world, tmp_path):
    a = world.units["a"]
    world.receive(world.report("a"))
    mirror = world.mirror("a")
    same_rows(a, mirror)
    assert review_states(a) == review_states(mirror)

    # a draft loses an entry (tombstones), a log gets a file, a text becomes 涉密
    ls = actor_for(a, "ls")
    day = logs.load_day(a, ls, DAYS[1])
    dropped = day.entries[0].entry_id
    logs.save_day(a, ls, DAYS[1], "正常", [EntryDraft(hours=4, category="业务工作", content="整理执法案卷")],
                  today=TODAY)
    (doc := tmp_path / "检查记录.pdf").write_bytes(b"%PDF-1.4 inspection record " * 400)
    ref = attachments.store_file(a, doc)
    write_log(a, "zs", DAYS[3], "现场检查并拍照留存", attachments=(ref,))
    secret_text = "筹备某涉密专项会议的议程"
    write_log(a, "ls", DAYS[2], secret_text, submit=False)
    secret_entry = logs.load_day(a, ls, DAYS[2]).entries[0]
    secret_entry.secret = True
    logs.save_day(a, ls, DAYS[2], "正常", [secret_entry], submit=True, today=TODAY)
    # review: ls's pending log approved, zs's new one returned
    approve(a, "ld", "ls", DAYS[0])
    review.return_log(a, actor_for(a, "ld"), review.find_log(a, "zs", DAYS[3]), "请补充检查对象名称",
                      today=TODAY)

    package = world.report("a")
    content = content_of(package, P.ensure_keys(world.bureau))
    assert secret_text.encode() not in content.plain
    texts = {r["id"]: r for r in content.table("entry_text")}
    assert texts[secret_entry.entry_id]["deleted"] and texts[secret_entry.entry_id]["content"] == ""
    assert hashlib.sha256(content.files[ref.sha256]).hexdigest() == ref.sha256

    before = content_hash(world.bureau.path)
    [preview] = world.receive(package, apply=False)
    assert preview.status == P.OK and preview.plan.counts["log_entry"].new == 3
    assert preview.plan.counts["log_entry"].changed == 1     # the dropped entry's tombstone
    assert content_hash(world.bureau.path) == before
    assert not attachments.stored_path(mirror, ref.sha256).exists()

    [done] = world.receive(package)
    assert done.status == P.IMPORTED
    same_rows(a, mirror)
    with mirror.read() as s:
        assert s.get(LogEntry, dropped).deleted and s.get(EntryText, dropped).deleted
        assert s.get(EntryText, secret_entry.entry_id).content == ""
    stored = attachments.stored_path(mirror, ref.sha256)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == ref.sha256
    states = review_states(mirror)
    assert states == review_states(a)
    assert {states[review.find_log(a, "ls", DAYS[0])][0], states[review.find_log(a, "zs", DAYS[3])][0]} \
        == {vocab.LOG_APPROVED, vocab.LOG_RETURNED}

"""Sync between the PCs of one unit through an exchange folder (issue 16; layout in
app.sync.pc_folder).

Every PC is a replica with an origin of its own. `sync_once` does one round:

1. import: every other PC's change files not applied yet, each in one transaction through the
   same Merger as the 编办's packages (last-writer-wins by (hlc, origin)); the rows must carry
   the sending PC's origin (but a log travels whole: app.services.exchange.pc_logs), may touch
   any unit-owned table (credentials and personal templates too: a person's account works on
   every PC of the unit) and never the 编办's rows;
2. the acknowledgement: ack.json says which files this PC has applied (for compaction later);
3. export: the rows this PC wrote since its last change file (outbox positions after the one its
   last file covered), and only those whose current version has this PC's origin — a row merged
   from another PC is that PC's to send, so no row travels twice.

Clocks: every imported HLC is fed into this PC's HybridClock, so a write made here after reading
another PC's change sorts after it, however slow this PC's wall clock is. (The 编办 path does not
do this on purpose — its rows and the unit's never compete — but the PCs of a unit edit the same
rows: a person's log on two PCs, a review on another.)

The 编办 sees one unit: the rows merged from other PCs are appended to this PC's outbox in the
import's transaction, so a 上报包 made on this PC carries every PC's changes — each row once, in
its current state. Any PC holding the unit key may make the 上报包: the 编办 numbers a unit's
packages per PC (app.services.exchange.report_lines), and a new PC starts a line of its own
(become_new_pc).

Keys (a start, until the join step hands them over): every PC holds the unit's exchange key pair
(`unit_keys`, app.services.exchange.keystore — the one the 编办 knows), and the change files are
encrypted to it, because the share is readable by others on the intranet; each PC signs its own
files with a key pair of its own (`pc_keys`), named on its card, which the unit key signs. A
retired or lost PC can so be refused by its key without changing the unit's.
"""
from __future__ import annotations

import datetime as dt
import time
from itertools import groupby
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.core.ids import new_id
from app.db import audit
from app.db.engine import Database, in_chunks, now_text
from app.db.migrate import head_revision
from app.db.models import Outbox, PackageLedger, Peer
from app.services.exchange.packages import (FORMAT_ERRORS, MAX_NUMBER, _conflict_message,
                                            _refresh_review_states, _store_file)
from app.services.exchange.pc_logs import WholeLogs
from app.services.exchange.recheck import logs_of_entries, recheck_logs
from app.db.exchange_models import bureau_origin
from app.services.org.actor import SYSTEM, Actor
from app.services.signing import verify
from app.sync import container, ledger, pc_folder as F
from app.sync.changes import LOG_PARTS, attachment_files, collect
from app.sync.keys import KeyPair, PublicKeys
from app.sync.merge import UNIT_FORBIDDEN, MergeError, Merger, SenderRule
from app.sync.payload import read_payload, write_payload

PEER_KIND = "pc"                     # this PC's own row in `peer`: its next file and outbox position
CLOCK_WARN_MS = 5 * 60_000           # a PC whose clock is further off is named in the report
APPLIED, DUPLICATE = "applied", "duplicate"


class PcRule(SenderRule):
    """Another PC of the same unit: any table the unit writes, its private ones included (they
    stay inside the unit: the files are encrypted to the unit key), never the 编办's tables nor
    rows the 编办 wrote (Merger: origin checks). A unit made without a 编办 (`init`, `demo`:
    no 注册包, so no 编办 origin) wrote its unit row and quotas itself; those travel too."""

    def table_ok(self, table: str) -> bool:
        return table not in UNIT_FORBIDDEN or not self.bureau_origin


@dataclass
class SyncReport:
    written: list[Path] = field(default_factory=list)          # this PC's new change files
    applied: list[tuple[str, int]] = field(default_factory=list)   # (origin, seq) merged now
    dispatches: int = 0                                        # 编办 下发包 imported from the folder
    duplicates: int = 0                                        # files met again, nothing changed
    rows: int = 0                                              # rows new or changed here
    pcs: dict[str, str] = field(default_factory=dict)          # origin → name of the PCs seen
    # origin → how far that PC's clock is ahead of this one's, in ms (negative: behind), estimated
    # from its newest file: the wall clock it wrote into the header against the file's mtime,
    # which the file server sets, less the same difference for this PC's own newest file.
    clock_offsets: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"同步完成：写出{len(self.written)}个变更文件，读入{len(self.applied)}个"
                f"（{self.rows}条记录有变化），看到其他电脑{len(self.pcs)}台")
        return text + ("；" + "；".join(self.problems) if self.problems else "")


# ---------------------------------------------------------------- one round
def sync_once(db: Database, folder: Path | str, *, pc_keys: KeyPair, unit_keys: KeyPair,
              name: str = "", actor: Actor = SYSTEM) -> SyncReport:
    """Apply every other PC's new files in `folder`, acknowledge, export this PC's changes.
    An unreachable folder is a problem in the report, not an error: the PC works on."""
    started = time.perf_counter()
    folder = Path(folder)
    report = SyncReport()
    if not folder.is_dir():
        report.problems.append(f"交换文件夹无法访问：{folder}（本机照常工作，文件夹恢复后再同步）")
        return report
    # The round's own writes (rows merged, a losing log's entries deleted) go out in this same
    # round: they must not tell the window to start another (Database.write_listeners).
    with db.quiet():
        _round(db, folder, pc_keys, unit_keys, name, actor, report)
    report.seconds = time.perf_counter() - started
    return report


def _round(db: Database, folder: Path, pc_keys: KeyPair, unit_keys: KeyPair, name: str, actor: Actor,
           report: SyncReport) -> None:
    try:
        if F.read_retirement(folder, db.origin, unit_keys.public()) is not None:
            report.problems.append("本机已被单位管理员停用，不再与其他电脑同步：请重新加入本单位")
            return
        _ensure_card(folder, db.origin, name, pc_keys, unit_keys)
        own_skew = _skew(folder, db.origin)
        acks = {}
        for origin in F.pcs(folder):
            if origin != db.origin:
                acks[origin] = _import_pc(db, folder, origin, unit_keys, actor, report, own_skew)
        F.write_ack(folder, db.origin, acks)
        if report.applied:
            _heal_invalid(db, actor)
        _import_dispatches(db, folder, report)
        # after the import: what it made this PC write (entries of a losing log version deleted)
        # goes out in the same round
        written = export_changes(db, folder, pc_keys=pc_keys, unit=unit_keys.public(), name=name,
                                 actor=actor)
        if written is not None:
            report.written.append(written)
    except F.FolderError as exc:
        report.problems.append(str(exc))
    except OSError as exc:
        report.problems.append(f"交换文件夹读写失败：{exc.strerror or exc}（本机照常工作，稍后再同步）")


def _heal_invalid(db: Database, actor: Actor) -> None:
    """Check again every log marked 签名无效 here. A file is checked as it arrives, and what a
    log's verdict rests on can come from several PCs' files in any order (the entries deleted by
    the PC that saw the winning version, a signature, a key); a log marked invalid while a piece
    was missing must not stay so on this PC alone once the piece is here."""
    from app.core.vocab import LOG_INVALID
    from app.db.models import WorkLog
    with db.session(actor) as s:
        invalid = set(s.scalars(select(WorkLog.id).where(WorkLog.status == LOG_INVALID,
                                                         WorkLog.deleted.is_(False))))
        if invalid:
            verify.mark(s, invalid)


def _ensure_card(folder: Path, origin: str, name: str, pc_keys: KeyPair, unit_keys: KeyPair) -> None:
    try:
        card = F.read_card(folder, origin, unit_keys.public())
    except F.FolderError:
        card = None                 # our own card damaged: write it again
    if card is None or card.keys != pc_keys.public() or (name and card.name != name):
        F.write_card(folder, origin, name or (card.name if card else origin), pc_keys.public(),
                     unit_keys)


# ---------------------------------------------------------------- export
def _own_peer(s, db: Database, name: str) -> Peer:
    peer = s.get(Peer, db.origin)
    if peer is None:
        peer = Peer(peer_id=db.origin, kind=PEER_KIND, name=name or "本机", credit_code="",
                    registered_at=now_text(), next_seq=1, acked_upto=0)
        s.add(peer)
    return peer


def export_changes(db: Database, folder: Path, *, pc_keys: KeyPair, unit: PublicKeys,
                   name: str = "", actor: Actor = SYSTEM) -> Path | None:
    """Write this PC's next change file (None when it has written nothing new since its last).
    The file is in place before the transaction that records it commits: a crash in between
    writes the same rows again into the next number, which a reader merges as a no-op."""
    with db.session(actor) as s:
        me = _own_peer(s, db, name)
        collected = collect(s, me.acked_upto, origin=db.origin)
        if not collected.writer.counts:
            me.acked_upto = collected.upto
            return None
        existing = F.change_files(folder, db.origin)
        seq = max(me.next_seq, existing[-1][0] + 1 if existing else 1)
        files, missing = attachment_files(db.files_dir, collected.attachments)
        wall = db.clock.wall()
        header = {"package_id": new_id(), "sender_name": me.name, "schema": head_revision(),
                  "created_at": dt.datetime.fromtimestamp(wall / 1000).isoformat(timespec="seconds"),
                  "wall_ms": wall, "base": collected.base, "upto": collected.upto}
        manifest = {"package_id": header["package_id"], "seq": seq, "kind": F.KIND,
                    "base": collected.base, "upto": collected.upto, "missing_files": missing}
        path = F.write_change(folder, db.origin, seq, header,
                              write_payload(manifest, collected.writer, files),
                              sign_key=pc_keys, unit=unit)
        me.next_seq, me.acked_upto = seq + 1, collected.upto
    return path


# ---------------------------------------------------------------- import
def applied_seqs(db: Database, origin: str) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(PackageLedger.seq).where(PackageLedger.sender == origin)))


def _import_pc(db: Database, folder: Path, origin: str, unit_keys: KeyPair, actor: Actor,
               report: SyncReport, own_skew: int | None) -> int:
    """Apply PC `origin`'s new files in seq order; returns the seq up to which all are here."""
    try:
        card = F.read_card(folder, origin, unit_keys.public())
    except F.FolderError as exc:
        report.problems.append(str(exc))
        return 0
    if card is None:
        return 0
    report.pcs[origin] = card.name
    try:
        retired = F.read_retirement(folder, origin, unit_keys.public())
    except F.FolderError as exc:
        report.problems.append(str(exc))
        return 0
    done = applied_seqs(db, origin)
    for seq, path in F.change_files(folder, origin):
        if seq in done:
            continue
        if retired is not None and seq > retired:
            report.problems.append(f"电脑“{card.name}”已停用，其第{seq}号变更文件（停用之后写的）不予读取")
            continue
        try:
            status, rows = apply_file(db, card, seq, path, unit_keys, actor)
        except (*FORMAT_ERRORS, F.FolderError) as exc:
            report.problems.append(f"电脑“{card.name}”的第{seq}号变更文件无法使用，已跳过：{exc}")
            continue
        if status == DUPLICATE:
            report.duplicates += 1
        else:
            report.applied.append((origin, seq))
            report.rows += rows
        done.add(seq)
    skew = _skew(folder, origin)
    if skew is not None:
        offset = skew - (own_skew or 0)
        report.clock_offsets[origin] = offset
        if abs(offset) > CLOCK_WARN_MS:
            way = "快" if offset > 0 else "慢"
            report.problems.append(f"电脑“{card.name}”的时钟比本机{way}约{abs(offset) // 60_000}分钟，"
                                   "请校准该电脑的时间")
    top = 0
    while top + 1 in done:
        top += 1
    return top


def _skew(folder: Path, origin: str) -> int | None:
    """The PC's wall clock in its newest file's header minus the file's mtime (ms)."""
    files = F.change_files(folder, origin)
    if not files:
        return None
    try:
        header = container.read_header(files[-1][1]).header
        wall = header.get("wall_ms")
        return wall - files[-1][1].stat().st_mtime_ns // 1_000_000 if type(wall) is int else None
    except (container.PackageError, OSError):
        return None


def apply_file(db: Database, card: F.Card, seq: int, path: Path, unit_keys: KeyPair,
               actor: Actor = SYSTEM) -> tuple[str, int]:
    """Merge one change file of PC `card` in one transaction; (status, rows written). A file
    applied before is a duplicate and changes nothing. Raises a FORMAT_ERRORS exception or
    FolderError when the file must be refused (nothing of it is kept)."""
    opened = container.read_header(path)
    header = opened.header
    if (header.get("kind") != F.KIND or header.get("sender") != card.origin or header.get("seq") != seq
            or type(header.get("package_id")) is not str
            or any(type(header.get(k)) is not int or not 0 <= header[k] < MAX_NUMBER
                   for k in ("base", "upto"))):
        raise F.FolderError(f"文件{path.name}不是电脑“{card.name}”的第{seq}号变更文件")
    container.verify(opened, card.keys)
    created: list[Path] = []
    try:
        with db.session(actor) as s:
            standing = ledger.judge(s, card.origin, header["package_id"], seq, header["base"],
                                    header["upto"])
            if standing.duplicate is not None:
                return DUPLICATE, 0
            written = _merge(db, s, card, opened, unit_keys, created)
            ledger.record(s, sender=card.origin, seq=seq, package_id=header["package_id"],
                          kind=F.KIND, base=header["base"], upto=header["upto"],
                          created_at=str(header.get("created_at", ""))[:19], imported_at=now_text(),
                          file_name=f"{card.origin}/{path.name}", rows=written, note=standing.note)
            audit.append(s, s.info.get("actor", "system"), "import-pc-file", "package_ledger",
                         header["package_id"], None,
                         audit.row_hash({"sender": card.origin, "seq": seq, "rows": written}))
    except IntegrityError as exc:       # a UNIQUE column, or (at commit) a missing parent row
        for p in created:
            p.unlink(missing_ok=True)
        raise MergeError(_conflict_message(exc, ledger.Standing())) from exc
    except BaseException:
        for p in created:
            p.unlink(missing_ok=True)
        raise
    return APPLIED, written


def _merge(db: Database, s, card: F.Card, opened: container.OpenedPackage, unit_keys: KeyPair,
           created: list[Path]) -> int:
    """The file's rows into the session's transaction: checked, merged, logs re-checked and
    their review states derived again, the rows appended to the outbox, the clock advanced."""
    header = opened.header
    stream = read_payload(container.open_payload(opened, unit_keys), header["body_length"])
    _, manifest = next(stream)
    if any(manifest.get(k) != header.get(k) for k in ("package_id", "seq", "kind", "base", "upto")):
        raise MergeError("变更文件的清单与文件头不符")
    columns = manifest.get("columns", {})
    rule = PcRule(bureau_origin(s) or "", from_bureau=False)
    merger = Merger(s.connection(), columns, rule, time.time_ns() // 1_000_000, write=True)
    at = {t: (cols.index("id") + 1, cols.index("hlc") + 1, cols.index("origin") + 1)
          for t, cols in columns.items() if {"id", "hlc", "origin"} <= set(cols)}
    whole = WholeLogs(s.connection(), columns)
    seen: dict[tuple[str, str], str] = {}
    in_file: set[str] = set()            # the file's logs and their entries
    runs: list[tuple[int, list]] = []    # (first line, rows) of each table, as the file has them
    line = 1
    for what, item in stream:
        if what != "rows":
            _store_file(db, *item, created)
            continue
        for _, run in groupby(item, key=itemgetter(0)):
            run = list(run)
            if runs and runs[-1][1][0][0] == run[0][0]:
                runs[-1][1].extend(run)
            else:
                runs.append((line, run))
            line += len(run)
    # The logs and their entries first: whether a text or a file goes with a log that lost is
    # known only then (the file has them in dependency order, texts and files first).
    runs.sort(key=lambda r: {"work_log": 0, "log_entry": 1}.get(r[1][0][0], 2))
    for line, item in runs:
        for n, row in enumerate(item):
            i, h, o = at.get(row[0], (0, 0, 0))
            if not o or len(row) <= o:
                raise MergeError(f"变更文件第{line + n}行格式不符，拒绝导入")
            part_of = row[columns[row[0]].index(LOG_PARTS[row[0]]) + 1] if row[0] in LOG_PARTS else None
            if row[0] == "work_log" or (row[0] == "log_entry" and part_of in in_file):
                in_file.add(row[i])
            # a PC sends the rows it wrote, and whole, as it has them, every log it changed, changed
            # a part of or reviewed (any PC of the unit may have written them: never the 编办, the
            # Merger's origin check)
            if row[o] != card.origin and row[0] != "work_log" and part_of not in in_file:
                raise MergeError(f"变更文件第{line + n}行不是电脑“{card.name}”写的数据，拒绝导入")
        kept = whole.sort(item)
        for row in kept:
            i, h, o = at[row[0]]
            if row[o] != db.origin:     # this PC's own rows coming back with a log: in its outbox
                seen[(row[0], row[i])] = row[h]
        merger.add_rows(kept, line)
    plan = merger.finish()
    if plan.problems:
        raise MergeError("；".join(plan.problems))
    if seen:
        db.clock.receive(max(seen.values()))
    elif kept_hlcs := [r[at[r[0]][1]] for _, run in runs for r in run if r[0] in at]:
        db.clock.receive(max(kept_hlcs))
    for table, row_id in whole.finish(db):
        seen[(table, row_id)] = ""
    touched = merger.logs | merger.content_logs | whole.touched
    if merger.content_entries:
        touched |= logs_of_entries(s, merger.content_entries)
    statements = sorted(r for t, r in seen if t == "signed_statement")
    if statements:      # a signature may arrive after what it signs (from another PC): check again
        touched |= _signed_logs(s, statements)
    if touched:
        found = recheck_logs(s, touched, str(header.get("created_at", "")))
        if found:
            raise MergeError("变更文件中的日志或审阅记录不符合规则，整个文件未导入：" + "；".join(found))
    _refresh_review_states(db, s, merger.logs | whole.touched, merger.chain_changed)
    if touched:
        verify.mark(s, touched)
    if seen:
        # Later local writes sort after everything read here (the clock received the file's
        # newest HLC above); the outbox rows take a stamp of this clock (the newest outbox row
        # keeps the newest local HLC, which a restart reads).
        stamp = db.clock.now()
        s.execute(insert(Outbox.__table__),
                  [{"table_name": t, "row_id": r, "hlc": stamp} for t, r in sorted(seen)])
    return plan.written


def retire_pc(folder: Path | str, origin: str, *, unit_keys: KeyPair) -> int:
    """Retire PC `origin` (lost, reinstalled): the change files it has written so far stay valid,
    any later one is not read by the other PCs. Returns the last valid file's number. (The
    permission check — the unit admin — belongs to the GUI's service call that will wrap this.)"""
    files = F.change_files(Path(folder), origin)
    after = files[-1][0] if files else 0
    F.write_retirement(Path(folder), origin, after, unit_keys)
    return after


# ---------------------------------------------------------------- the 编办's 下发包
def share_dispatch(folder: Path | str, package: Path) -> Path:
    """Put a 下发包 this PC received into the exchange folder for the unit's other PCs: the 编办's
    rows (quotas, duties, indicator systems…) reach them only so, as the 编办 signed them — a PC
    may not send rows of the 编办's as its own (PcRule)."""
    return F.share_file(package, Path(folder), F.BUREAU)


def _import_dispatches(db: Database, folder: Path, report: SyncReport) -> None:
    from app.services.exchange import packages as P, unit_side
    where = folder / F.BUREAU
    if not where.is_dir():
        return
    with db.read() as s:
        known = set(s.scalars(select(PackageLedger.file_name).where(PackageLedger.kind == P.KIND_DISPATCH)))
    new = sorted(p for p in where.iterdir() if p.suffix == P.SUFFIX and p.name not in known)
    if not new:
        return
    if unit_side.bureau_peer(db) is None:
        report.problems.append("交换文件夹中有编办下发包，但本机数据库尚未登记编办，无法导入")
        return
    for result in unit_side.import_dispatch(db, new, apply=True):
        if result.status == P.IMPORTED:
            report.dispatches += 1
        elif result.rejected:
            report.problems.append(f"交换文件夹中的编办下发包{result.path.name}未导入：{result.message}")


def _signed_logs(s, statements: list[str]) -> set[str]:
    """The logs whose submission or review the signed statements are."""
    found: set[str] = set()
    conn = s.connection()
    for chunk in in_chunks(statements):
        marks = ", ".join("?" * len(chunk))
        for sql in (f"SELECT id FROM work_log WHERE signature_id IN ({marks})",
                    f"SELECT log_id FROM review_action WHERE signature_id IN ({marks})"):
            found.update(r[0] for r in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


# ---------------------------------------------------------------- a new PC from a copy
def become_new_pc(db: Database, name: str = "") -> str:
    """Make `db`, a copy of another PC's replica (a snapshot), this PC's own replica: a new
    origin, and none of the other PC's per-PC state (login lockouts, drafts, its export
    position). What the copy held of every PC's files stays applied (its ledger). Returns the
    new origin. (The join step proper — the snapshot from the folder, the keys — builds on this.)"""
    from app.db.models import LocalDraft, LoginGuard, Replica
    origin = new_id()
    with db.session() as s:
        s.get(Replica, 1).origin = origin
        for model in (LoginGuard, LocalDraft):
            s.query(model).delete()
        s.query(Peer).filter(Peer.kind == PEER_KIND).delete()
        # The 上报包 numbering copied with the replica is the other PC's line: this PC starts a
        # line of its own (app.services.exchange.report_lines), its first package a whole one.
        s.query(Peer).filter(Peer.kind == "bureau").update({Peer.next_seq: 1, Peer.acked_upto: 0})
        s.add(Peer(peer_id=origin, kind=PEER_KIND, name=name or "本机", credit_code="",
                   registered_at=now_text(), next_seq=1, acked_upto=0))
    db.reload_identity()
    return origin

"""Sync packages between a unit and its 编办: export, preview, import (docs/ARCHITECTURE.md
"Data and sync model"; file format in app.sync.container, content in app.sync.payload).

Both directions work the same way: a package holds the sender's rows changed since the receiver
last acknowledged, plus the sender's acknowledgement of what it has received; it is signed by the
sender and encrypted to the receiver. The receiving database keeps a `peer` row for the sender
(keys, our next seq, what it acknowledged) and the `package_ledger`.

    上报包 (report)    unit  → 编办, received into the 编办's mirror of that unit
    下发包 (dispatch)  编办 → unit, rows the 编办 owns (unit, quotas, duties) + receipts
    单位注册包 (enroll) 编办 → new unit, signed, encrypted to a one-time code (app.services.exchange.enrollment)

A unit's key is registered by the first 上报包 that proves the unit's one-time code
(app.services.exchange.admission); a key the 编办 revoked is refused.

An import is all or nothing per package: one transaction holds the rows, the ledger entry, the
peer's acknowledgement and the recomputed review states.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import AppError
from app.core.ids import new_id
from app.db import audit
from app.db.engine import Database, now_text
from app.db.migrate import head_revision
from app.db.models import Peer
from app.paths import private_dir, private_open
from app.services.org.actor import SYSTEM, Actor
from app.services.gc_pause import collector_paused
from app.sync import container, ledger
from app.sync.changes import attachment_files, collect
from app.sync.keys import KeyFormatError, KeyPair, PublicKeys
from app.sync.merge import Merger, MergeError, MergePlan, SenderRule
from app.services.exchange import admission, figure_changes
from app.services.exchange.recheck import logs_of_entries, recheck_logs
from app.services.org.calendar import deviations_after
from app.sync.payload import PayloadError, read_payload, write_payload
from app.db.models import PackageLedger
from app.services.review import state as review_state
from app.services.signing import verify
from app.services.exchange import audit_head, keystore, report_lines, suite_choice

KIND_ENROLL, KIND_REPORT, KIND_DISPATCH = "enroll", "report", "dispatch"
MAX_NUMBER = 1 << 53                # sequence numbers and outbox positions in a header
# Tables every period's figures are computed from: a change recomputes all of a unit's figures.
REFERENCE_TABLES = frozenset({"holiday", "setting", "person", "section", "duty", "duty_section",
                              "post_duty", "work_category"})
KIND_NAMES = {KIND_ENROLL: "单位注册包", KIND_REPORT: "上报包", KIND_DISPATCH: "下发包"}
SUFFIX = ".lzkp"
FORMAT_ERRORS = (container.PackageError, PayloadError, MergeError, KeyFormatError)

# statuses of a PackageResult
OK, IMPORTED, DUPLICATE, OLDER, REJECTED, SKIPPED = ("ok", "imported", "duplicate", "older", "rejected",
                                                    "skipped")


# ---------------------------------------------------------------- keys
def ensure_keys(db: Database) -> KeyPair:
    """This replica's key pair, made on first use (opened with the 密钥口令 once protected)."""
    return keystore.ensure(db)


def own_fingerprint(db: Database) -> str:
    return keystore.fingerprint(db)


def peer_keys(peer: Peer) -> PublicKeys | None:
    return PublicKeys.from_dict(json.loads(peer.public_keys)) if peer.public_keys else None


def schema_number(text: str) -> int:
    return int(text) if str(text).isdigit() else 10 ** 6


# ---------------------------------------------------------------- results
@dataclass
class PackageResult:
    """What a preview or an import found for one file (shown per unit in the preview table)."""
    path: Path
    status: str = OK
    message: str = ""
    kind: str = ""
    sender_id: str = ""
    sender_name: str = ""
    seq: int = 0
    created_at: str = ""
    code: str = ""                 # PackageError code / 'merge' / 'payload' when rejected
    plan: MergePlan = field(default_factory=MergePlan)
    note: str = ""                 # gap / fork
    new_key: str = ""              # fingerprint of a sender key seen for the first time
    months: set[int] = field(default_factory=set)   # log months touched (for the county figures)
    reference_changed: bool = False  # rows every figure depends on (calendar, roster, duties…)
    calendar_days: list = field(default_factory=list)   # days the sender's calendar departs from the national one
    figure_changes: list = field(default_factory=list)  # figure_changes.FigureChange: duty classes, settings
    invalid_logs: list[str] = field(default_factory=list)   # logs whose signatures fail (not counted)
    audit_problem: str = ""        # the unit's audit trail was cut short or re-chained
    suite: str = ""                # the package's cipher suite (container.suite_label names it)
    seconds: float = 0.0

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED

    def counts_text(self) -> str:
        new = sum(c.new for c in self.plan.counts.values())
        changed = sum(c.changed for c in self.plan.counts.values())
        replaced = (f"；单位恢复备份后重填了{self.plan.replaced_logs}篇编办已有的日志，已替换旧日志"
                    if self.plan.replaced_logs else "")
        return f"新增{new}条，更新{changed}条{replaced}"


def reject(result: PackageResult, exc: Exception) -> None:
    """Record why a package was refused (nothing of it was written). A package of another kind
    (e.g. our own outgoing 下发包 on the same USB stick) is skipped, not an error."""
    result.status = SKIPPED if getattr(exc, "code", "") == "kind" else REJECTED
    result.code = getattr(exc, "code", "payload" if isinstance(exc, PayloadError) else "merge")
    result.message = str(exc)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the package files directly inside it."""
    found = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix == SUFFIX and p.is_file()))
        else:
            found.append(path)
    return found


def open_packages(paths: Iterable[Path], kind: str, sender_problem: Callable[[dict], str | None]
                  ) -> tuple[list[tuple[container.OpenedPackage, PackageResult]], list[PackageResult]]:
    """Read the headers of the package files (folders expanded): the ones of `kind` from an
    acceptable sender (`sender_problem(header)` None) in (sender, seq) order, and a result per
    file — the refused ones already marked."""
    opened, results = [], []
    for path in expand(paths):
        result = PackageResult(Path(path))
        try:
            package = container.read_header(Path(path))
            describe_header(result, package.header)
            check_header(package.header, {kind})
            problem = sender_problem(package.header)
            if problem:
                raise container.PackageError("unknown_sender", problem)
            opened.append((package, result))
        except FORMAT_ERRORS as exc:
            reject(result, exc)
        results.append(result)
    opened.sort(key=lambda pr: (pr[0].header["sender"], pr[0].header["seq"]))
    return opened, results


def describe_header(result: PackageResult, header: dict) -> None:
    result.kind = header.get("kind", "")
    result.sender_id = header.get("sender", "")
    result.sender_name = header.get("sender_name", "")
    result.seq = header.get("seq", 0)
    result.created_at = header.get("created_at", "")


def check_header(header: dict, kinds: set[str]) -> None:
    types = {"kind": str, "package_id": str, "seq": int, "sender": str, "sender_name": str,
             "schema": str, "created_at": str}
    for key, kind in types.items():
        if type(header.get(key)) is not kind:
            raise container.PackageError("header", f"同步包包头缺少或有误：{key}")
    for key in ("seq", "base", "upto"):      # SQLite integers: a 2⁶³ would overflow
        value = header.get(key, 0)
        if type(value) is not int or not 0 <= value < MAX_NUMBER:
            raise container.PackageError("header", f"同步包包头有误：{key}超出范围")
    line_problem = report_lines.header_problem(header)
    if line_problem:
        raise container.PackageError("header", line_problem)
    if header.get("suite") == container.PlainSuite.name and header["kind"] != KIND_ENROLL:
        raise container.PackageError("suite", "同步包未加密：上报包和下发包必须加密，拒收")
    if (header.get("suite") in (container.SecretChaChaSuite.name, container.SecretSm4Suite.name)
            and header["kind"] != KIND_ENROLL):
        raise container.PackageError("suite", "同步包未加密给接收方的密钥：上报包和下发包必须如此加密，拒收")
    if header["kind"] not in KIND_NAMES:      # not ours to skip: a damaged or foreign header
        raise container.PackageError("header", f"同步包包头有误：未知的包类型“{header['kind'][:20]}”")
    if header["kind"] not in kinds:
        wanted = "、".join(KIND_NAMES[k] for k in sorted(kinds))
        raise container.PackageError(
            "kind", f"这是{KIND_NAMES[header['kind']]}，此处只能导入{wanted}")
    if schema_number(header["schema"]) > schema_number(head_revision()):
        raise container.PackageError(
            "future_schema", f"同步包由较新版本的程序生成（数据版本{header['schema']}），"
                             f"本程序只支持到{head_revision()}：请先升级本程序再导入")


# ---------------------------------------------------------------- receive
@collector_paused()     # a unit-year's package is ~230,000 rows of lists: 10 % of the import's CPU
def receive(target: Database, peer_id: str, opened: container.OpenedPackage,
            keys: KeyPair | container.SharedSecret, rule: SenderRule, result: PackageResult, *,
            apply: bool, actor: Actor = SYSTEM, new_peer_keys: PublicKeys | None = None,
            previewed: list | None = None, confirmed_keys: Collection[str] | None = None,
            session=None) -> PackageResult:
    """Check and (with apply) merge one package into `target`, whose `peer` row `peer_id` is the
    sender. A preview (apply False) merges and re-checks the rows as the import would, in a
    transaction that is always rolled back: it refuses what the import would refuse. Raises a
    FORMAT_ERRORS exception when the package must be refused (and removes the attachment files
    it had stored). `new_peer_keys`: the sender's keys when none is registered yet (registered
    if the package proves the sender's one-time code); `confirmed_keys`: if given, a new key is
    registered only when its fingerprint is among them (checked by phone). `previewed`
    (previews only): the ledger entries the sender's packages previewed before this one would
    make; this one's is added when it could be imported. `session`: an open write transaction
    to merge into, committed by the caller (a standalone unit joining a 编办 changes its own
    unit id and takes in the 注册包 as one change: app.services.exchange.join)."""
    created: list[Path] = []
    try:
        return _receive(target, peer_id, opened, keys, rule, result, apply, actor, new_peer_keys,
                        previewed, created, confirmed_keys, session)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


def _receive(target: Database, peer_id: str, opened: container.OpenedPackage,
             keys: KeyPair | container.SharedSecret, rule: SenderRule, result: PackageResult,
             apply: bool, actor: Actor, new_peer_keys: PublicKeys | None, previewed: list | None,
             created: list[Path], confirmed_keys: Collection[str] | None, session=None) -> PackageResult:
    header = opened.header
    # A preview merges and re-checks too, in a transaction that is rolled back (nothing kept).
    session_cm = (nullcontext(session) if session is not None
                  else target.session(actor) if apply else target.rehearsal())
    with session_cm as s:
        peer = s.get(Peer, peer_id)
        admission.refuse_revoked(s, peer, header)
        known = peer_keys(peer)
        if known is None:
            if new_peer_keys is None:
                raise container.PackageError("unknown_sender", f"不知道“{peer.name}”的密钥，无法核验此包")
            known, result.new_key = new_peer_keys, new_peer_keys.fingerprint()
        container.verify(opened, known)
        result.suite = header["suite"]
        if result.new_key:
            admission.admit_new_key(s, peer, header, known, apply=apply, confirmed=confirmed_keys)
        # a 上报包 is judged on its line: the PC of the unit that made it (report_lines)
        on_line = report_lines.line_of(header) if header["kind"] == KIND_REPORT else ""
        report_lines.adopt_legacy(s, peer_id, on_line, header["seq"])
        standing = ledger.judge(s, peer_id, header["package_id"], header["seq"],
                                header.get("base", 0), header.get("upto", 0), previewed or (), on_line)
        if standing.duplicate is not None:
            result.status = DUPLICATE
            result.message = (f"第{header['seq']}号包已于{standing.duplicate.imported_at[:16].replace('T', ' ')}导入过，"
                              "本次未作任何修改")
            return result
        result.note = standing.note
        stream = read_payload(container.open_payload(opened, keys), header["body_length"])
        _, manifest = next(stream)
        for key in ("package_id", "seq", "kind", "base", "upto"):
            if manifest.get(key) != header.get(key):
                raise PayloadError("同步包清单与包头不符")
        merger = Merger(s.connection(), manifest.get("columns", {}), rule, time.time_ns() // 1_000_000,
                        write=True)
        before = None if rule.from_bureau else figure_changes.snapshot(s, merger.tables)
        trail = manifest.get("audit") if header["kind"] == KIND_REPORT else None
        trail_sha = trail.get("sha256") if isinstance(trail, dict) else None
        trail_data = b""
        try:
            line = 1
            for what, item in stream:
                if what == "rows":
                    merger.add_rows(item, line)
                    line += len(item)
                elif item[0] == trail_sha:
                    trail_data = item[1]
                elif apply:
                    _store_file(target, *item, created)
            result.plan = plan = merger.finish()
        except IntegrityError as exc:      # a UNIQUE column (login, code…) of another row
            raise MergeError(_conflict_message(exc, standing)) from exc
        if plan.problems:
            raise MergeError("；".join(plan.problems))
        touched = merger.logs | merger.content_logs
        if merger.content_entries:
            touched |= logs_of_entries(s, merger.content_entries)
        if touched:   # written rows (a preview's too): check them as a whole
            found = recheck_logs(s, touched, header["created_at"])
            if found:
                raise MergeError("同步包中的日志或审阅记录不符合规则，整包未导入：" + "；".join(found))
        if trail_sha:
            head, result.audit_problem = audit_head.check(
                trail_data, trail, report_lines.remembered_head(s, peer_id, on_line, previewed or ()))
        if before is not None:
            result.figure_changes = figure_changes.after_merge(s, before, rule.bureau_origin,
                                                               header["seq"])
        if merger.holidays and not rule.from_bureau:
            result.calendar_days = deviations_after(s, merger.holidays)
        if standing.older_than is not None and plan.written == 0:
            result.status = OLDER
            result.message = (f"第{header['seq']}号包早于已导入的第{standing.older_than}号包，"
                              "其中的变更都已导入，本次未作任何修改")
            return result
        entry = dict(sender=peer_id, seq=header["seq"], package_id=header["package_id"],
                     kind=header["kind"], base=header.get("base", 0), upto=header.get("upto", 0),
                     created_at=header["created_at"], imported_at=now_text(),
                     file_name=opened.path.name, rows=plan.written, note=standing.note, line=on_line,
                     audit_seq=head[0] if trail_sha else 0, audit_hash=head[1] if trail_sha else None,
                     suite=header["suite"])
        if not apply:
            result.months = merger.months
            result.message = "可以导入：" + result.counts_text() + (f"（{result.note}）" if result.note else "")
            if result.audit_problem:
                result.message += f"。{result.audit_problem}"
            if previewed is not None:
                previewed.append(ledger.entry(**entry))
            return result
        _refresh_review_states(target, s, merger.logs, merger.chain_changed)
        if touched and not rule.from_bureau:
            result.invalid_logs = [f.text() for f in verify.mark(s, touched).findings]
        ledger.record(s, **entry)
        if result.new_key:
            admission.register(s, peer, new_peer_keys, s.info.get("actor", "system"))
        suite_choice.learn(peer, opened, known)
        if trail_sha:
            peer.audit_seq, peer.audit_hash = head
            if result.audit_problem:
                peer.audit_note = result.audit_problem
                audit.append(s, s.info.get("actor", "system"), "audit-break", "peer", peer_id,
                             None, audit.row_hash({"problem": result.audit_problem}))
        report_lines.take_acknowledgement(s, peer, manifest.get("ack") or {},
                                          from_bureau=rule.from_bureau, origin=target.origin,
                                          fork=bool(standing.fork))
        audit.append(s, s.info.get("actor", "system"), "import-package", "package_ledger",
                     header["package_id"], None,
                     audit.row_hash({"sender": peer_id, "seq": header["seq"], "rows": plan.written}))
        if session is not None:
            s.flush()      # the caller's transaction: it commits (and checks the keys) itself
        else:
            try:
                s.commit()     # deferred foreign keys are checked here: a row whose parent is missing
            except IntegrityError as exc:
                raise MergeError(_conflict_message(exc, standing)) from exc
    result.status, result.months = IMPORTED, merger.months
    result.reference_changed = any(plan.counts[t].written for t in REFERENCE_TABLES & set(plan.counts))
    result.message = f"已导入：{result.counts_text()}" + (f"（{result.note}）" if result.note else "")
    if result.audit_problem:
        result.message += f"。{result.audit_problem}"
    if result.invalid_logs:
        shown = "；".join(result.invalid_logs[:5]) + (f"等共{len(result.invalid_logs)}篇"
                                                       if len(result.invalid_logs) > 5 else "")
        result.message += f"。签名无效{len(result.invalid_logs)}篇，不计入统计：{shown}"
    return result


def calendar_text(days: list[dt.date]) -> str:
    shown = "、".join(f"{d.month}月{d.day}日" for d in days[:5]) + ("等" if len(days) > 5 else "")
    return f"该单位工作日历与国家安排不同{len(days)}天（{shown}）：编办按国家安排统计"


def _conflict_message(exc: IntegrityError, standing: ledger.Standing) -> str:
    """Why SQLite refused the merged rows, for the user: nothing of the package was written."""
    text = str(exc.orig)
    if "UNIQUE" in text:
        return (f"同步包中的记录与本机已有的另一条记录重复（{text.split(':', 1)[-1].strip()}），未导入："
                "请核对双方数据（如同一登录名、职责编号用于两条记录）")
    gap = standing.gap.removesuffix("（请让发送方重新导出完整的包）")
    return (f"同步包中有记录引用了本机没有的数据{f'（{gap}）' if gap else ''}，未导入：请让发送方"
            "重新导出全部数据（不只是新的变更）后再导入")


def _refresh_review_states(target: Database, session, logs: set[str], chain_changed: bool) -> None:
    if chain_changed:   # one pass: every log refreshed once, not the package's logs twice
        review_state.refresh_all_for(target, session, also=logs)
    elif logs:
        review_state.refresh_for(target, session, logs)


def _store_file(db: Database, sha: str, data: bytes, created: list[Path]) -> None:
    """Attachment bytes into the content-addressed store (before the rows commit: an orphan
    file after a crash is harmless, a row without its file would not be). A file this import
    created is listed in `created`, so that a refused package leaves none behind."""
    path = db.files_dir / sha[:2] / sha
    if path.exists():
        return
    private_dir(db.files_dir)
    private_dir(path.parent)
    part = path.with_suffix(".part")
    with private_open(part) as out:
        out.write(data)
    os.replace(part, path)
    created.append(path)


# ---------------------------------------------------------------- export
def package_name(unit_name: str, kind: str, seq: int, when: dt.datetime) -> str:
    """“沂河县市场监督管理局_上报包_0003_20261122-0915.lzkp”: unit, sequence and date at a glance."""
    safe = "".join(c for c in unit_name if c not in '\\/:*?"<>|').strip() or "单位"
    return f"{safe}_{KIND_NAMES[kind]}_{seq:04d}_{when:%Y%m%d-%H%M}{SUFFIX}"


@dataclass
class ExportResult:
    path: Path
    seq: int
    rows: int
    files: int
    missing_files: int
    seconds: float
    suite: str = ""

    def summary(self) -> str:
        extra = f"，{self.missing_files}个附件文件缺失未带上" if self.missing_files else ""
        return (f"已导出第{self.seq}号包（{container.suite_label(self.suite)}算法）：{self.rows}条变更、"
                f"{self.files}个附件{extra}，用时{self.seconds:.1f}秒：{self.path}")


def export_to(source: Database, peer_id: str, out_dir: Path, *, kind: str, keys: KeyPair,
              sender_id: str, sender_name: str, file_unit_name: str,
              tables: set[str] | None = None, skip: frozenset[str] = frozenset(),
              extra_header: dict | None = None, full: bool = False, actor: Actor = SYSTEM,
              family: str | None = None,
              now: Callable[[], dt.datetime] = dt.datetime.now) -> ExportResult:
    """Write the package of `source`'s changes the peer has not acknowledged into out_dir, in
    the suite `family` asks for (None: the one the peer — a unit's 编办 — announced)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise AppError(f"导出位置不存在或不是文件夹：{out_dir}")
    with source.session(actor) as s:
        peer = s.get(Peer, peer_id)
        recipient = peer_keys(peer)
        if recipient is None:
            raise AppError(f"还没有“{peer.name}”的密钥：须先收到对方的第一个包（核对指纹后导入）")
        collected = collect(s, 0 if full else peer.acked_upto, tables=tables, skip=skip)
        files, missing = attachment_files(source.files_dir, collected.attachments)
        seq = peer.next_seq
        when = now()
        header = {"kind": kind, "package_id": new_id(), "seq": seq, "sender": sender_id,
                  "sender_name": sender_name, "schema": head_revision(),
                  "created_at": when.isoformat(timespec="seconds"),
                  "base": collected.base, "upto": collected.upto, **(extra_header or {})}
        if kind == KIND_REPORT:       # numbered on this PC's line (report_lines)
            header["line"] = source.origin
        manifest = {k: header[k] for k in ("package_id", "seq", "kind", "base", "upto")}
        if kind == KIND_DISPATCH:     # per line of the unit's PCs, with the audit heads confirmed
            manifest["ack"] = report_lines.acknowledgement(s, peer_id)
        else:
            manifest["ack"] = ledger.acknowledgement(ledger.entries(s, peer_id))
        manifest["missing_files"] = missing
        path = _free_path(out_dir / package_name(file_unit_name, kind, seq, when))
        with tempfile.TemporaryDirectory() as spool:
            trail = audit_head.segment_file(s, peer.audit_seq, Path(spool)) \
                if kind == KIND_REPORT else None
            if trail is not None:
                manifest["audit"] = trail[0]
                files = [*files, trail[1]]
            family = family or peer.suite_family
            suite = container.suite_for(family, recipient)
            container.write_package(path, header, write_payload(manifest, collected.writer, files),
                                    sign_key=keys, recipient=recipient, suite=suite,
                                    announce_sm2=family == container.GUOMI)
        peer.next_seq = seq + 1
    rows = sum(collected.writer.counts.values())
    return ExportResult(path, seq, rows, len(files), len(missing), time.perf_counter() - started,
                        suite)


def _free_path(path: Path) -> Path:
    """`path`, or with “-2”, “-3”… before the suffix when taken: two PCs of a unit may write a
    package of the same number in the same minute onto one USB stick."""
    n = 1
    candidate = path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def last_ledger_id(session) -> int:
    return session.scalar(select(func.max(PackageLedger.id))) or 0

"""The package ledger: which packages of a sender are here, and what a new one is relative to them.

Packages are numbered per sender (seq) and cover the sender's outbox from `base` (exclusive, the
last seq we acknowledged) to `upto`; a multi-PC unit's 上报包 per sender and line, the PC that
made them (app.services.exchange.report_lines). From the ledger rows of one sender (and line):
- duplicate: the same package_id was imported before — nothing to do;
- covered: the outbox positions received without a hole, counted from the newest fork;
- gap: a package starting after `covered` — changes in between are missing (imported anyway:
  rows are merged by newest version, and the acknowledgement stays at `covered`, so the sender's
  next package repeats the missing part);
- fork: the same seq with a different package, or an outbox position going backwards (on the
  current line) — the sender was restored from an old backup. The fork becomes the new line:
  `covered` restarts from it, so the acknowledgement never claims changes the restored sender
  no longer has.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import PackageLedger

FORK = "分叉"
GAP = "缺口"


@dataclass
class Standing:
    duplicate: PackageLedger | None = None
    older_than: int | None = None      # seq of a newer package already imported
    gap: str = ""
    fork: str = ""

    @property
    def note(self) -> str:
        return "；".join(n for n in (self.fork, self.gap) if n)


def entries(session: Session, sender: str, line: str | None = None) -> list[PackageLedger]:
    """The sender's ledger rows; with `line`, those of that line only (the 上报包 of one PC of a
    multi-PC unit: app.services.exchange.report_lines)."""
    query = select(PackageLedger).where(PackageLedger.sender == sender)
    if line is not None:
        query = query.where(PackageLedger.line == line)
    return list(session.scalars(query.order_by(PackageLedger.id)))


def current_line(rows: list[PackageLedger]) -> list[PackageLedger]:
    """The rows from the newest fork on (all rows when there was none)."""
    start = 0
    for i, row in enumerate(rows):
        if row.note.startswith(FORK):
            start = i
    return rows[start:]


def acknowledgement(rows: list[PackageLedger]) -> dict:
    """What a package tells its receiver about the receiver's own packages: its outbox is here up
    to `upto`, and `seq` is the newest of its packages that counted (so a receiver restored from
    a backup, which has not made that package yet, knows the acknowledgement is not about it)."""
    return {"upto": covered(rows), "seq": max((r.seq for r in current_line(rows)), default=0)}


def covered(rows: list[PackageLedger]) -> int:
    """The sender's outbox seq up to which every change has arrived (on the current line)."""
    line = current_line(rows)
    if not line:
        return 0
    top = line[0].base if line[0].note.startswith(FORK) else 0
    for row in sorted(line, key=lambda r: r.base):
        if row.base <= top:
            top = max(top, row.upto)
    return top


def judge(session: Session, sender: str, package_id: str, seq: int, base: int, upto: int,
          earlier: Iterable[PackageLedger] = (), line: str = "") -> Standing:
    """Where the package stands against the sender's ledger rows of its `line` — and `earlier`:
    rows not written, of packages previewed before it in the same batch (a preview writes
    nothing, yet the second of two new packages of a unit must not look as if the first were
    missing). A package met before is a duplicate whatever its line."""
    everything = entries(session, sender) + list(earlier)
    standing = Standing()
    for row in everything:
        if row.package_id == package_id:
            standing.duplicate = row
            return standing
    rows = [r for r in everything if (r.line or "") == line]
    if not rows:
        if base > 0:
            standing.gap = f"{GAP}：这是收到该发送方的第一个包，但它只含第{base}号变更之后的部分"
        return standing
    # Numbers are compared on the current line only: after a fork the sender reuses the numbers
    # of the lost line, and each of those is not another restore.
    line = current_line(rows)
    same_seq = [r for r in line if r.seq == seq]
    top = covered(rows)
    newest = max(line, key=lambda r: r.seq)
    if same_seq:
        standing.fork = (f"{FORK}：第{seq}号包已于{same_seq[-1].imported_at[:16].replace('T', ' ')}导入过另一份内容，"
                         "发送方可能从旧备份恢复过数据")
    elif seq > newest.seq and upto < newest.upto:
        standing.fork = (f"{FORK}：本包的变更序号（至{upto}）比已导入的第{newest.seq}号包（至{newest.upto}）"
                         "还早，发送方可能从旧备份恢复过数据")
    elif seq < newest.seq:
        standing.older_than = newest.seq
    if not standing.fork and base > top:
        standing.gap = f"{GAP}：缺少第{top + 1}至{base}号变更（请让发送方重新导出完整的包）"
    return standing


def entry(*, sender: str, seq: int, package_id: str, kind: str, base: int, upto: int,
          created_at: str, imported_at: str, file_name: str, rows: int, note: str, line: str = "",
          audit_seq: int = 0, audit_hash: str | None = None, suite: str = "") -> PackageLedger:
    return PackageLedger(sender=sender, seq=seq, package_id=package_id, kind=kind, base=base,
                         upto=upto, created_at=created_at, imported_at=imported_at,
                         file_name=file_name[-255:], rows=rows, note=note, line=line,
                         audit_seq=audit_seq, audit_hash=audit_hash, suite=suite[:40])


def record(session: Session, **fields) -> None:
    session.add(entry(**fields))

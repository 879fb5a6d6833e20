"""上报包 lines: a multi-PC unit's 上报包 can be made on any of its PCs (issue 16).

Why lines. A 上报包 is numbered by its maker's own state: its package seq (`peer.next_seq`), the
span of its outbox it covers (`base`, `upto`: outbox positions) and the head of its audit trail.
On a multi-PC unit every PC has all three of its own — rows merged from other PCs enter each
PC's outbox at positions of its own, and every PC's audit trail is a chain of its own (forked
from the snapshot it joined from). Read as one line, a second PC's package looked like the unit
restored from an old backup (分叉) and its audit trail as re-chained.

The design: the 编办 judges a unit's 上报包 per *line*, the replica origin of the PC that made
it (header `line`). Within a line everything stays as it was for a one-PC unit — duplicate,
older, gap and fork (`app.sync.ledger`, now per line), the audit chain checked from the head
that line brought last (kept in its ledger rows) — and its 下发包 acknowledges each line apart
(`ack.lines`: {origin: {upto, seq, audit}}), so each PC takes back only what is about its own
packages. Every PC's outbox holds every row it has (its own and those merged from the other
PCs), so a package from any line carries everything its maker knows beyond what the 编办
acknowledged on that line; rows merge by newest version, so a row that two lines both carry
changes the mirror once. The unit stays one unit: one mirror, one peer, one key.

Which PC may make a 上报包: any PC holding the unit key (every joined PC does). Two PCs making
one at the same time, without syncing in between, is fine: two lines, both imported, each row
at its newest version once — what one has not synced yet, a later package of either carries. A
PC's first package is a whole one (base 0: a new PC starts its line afresh, app.services.
exchange.pc_sync.become_new_pc), later ones only the changes since that line's acknowledgement.

Packages made before lines (no `line`) are line ''. The first lined package of the PC that made
them (its seq above 1: a new PC's line starts at 1) takes that line over, with its audit head.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update

from app.db.models import PackageLedger, Peer
from app.sync import ledger
from app.sync.changes import outbox_top

MAX_LINE = 36        # a replica origin (UUID text)


def line_of(header: dict) -> str:
    """The line a 上报包 belongs to ('' for packages of earlier program versions)."""
    line = header.get("line", "")
    return line if isinstance(line, str) else ""


def header_problem(header: dict) -> str | None:
    line = header.get("line", "")
    if not isinstance(line, str) or len(line) > MAX_LINE:
        return "同步包包头有误：line"
    return None


def adopt_legacy(s, sender: str, line: str, seq: int) -> None:
    """The PC that made the unit's packages before lines sends its first lined one: its earlier
    packages become its line (a new PC's line starts at seq 1 and takes nothing over)."""
    if not line or seq <= 1:
        return
    mine = s.scalar(select(func.count()).select_from(PackageLedger)
                    .where(PackageLedger.sender == sender, PackageLedger.line == line))
    if mine:
        return
    s.execute(update(PackageLedger).where(PackageLedger.sender == sender, PackageLedger.line == "")
              .values(line=line))


def remembered_head(s, sender: str, line: str, earlier: Iterable[PackageLedger] = ()
                    ) -> tuple[int, str | None]:
    """The audit head the line's newest package brought (and the packages previewed before
    this one in the same batch): the chain the next package of the line must continue."""
    row = s.scalar(select(PackageLedger).where(PackageLedger.sender == sender,
                                               PackageLedger.line == line,
                                               PackageLedger.audit_seq > 0)
                   .order_by(PackageLedger.id.desc()).limit(1))
    head = (row.audit_seq, row.audit_hash) if row is not None else (0, None)
    for entry in earlier:
        if entry.line == line and entry.audit_seq:
            head = (entry.audit_seq, entry.audit_hash)
    return head


def acknowledgement(s, sender: str) -> dict:
    """The 下发包's acknowledgement of a unit's 上报包: per line under `lines` (each with the
    audit head it brought), and the packages without a line at the top, as before lines (what
    a unit running an earlier version reads)."""
    rows = ledger.entries(s, sender)
    by_line: dict[str, list[PackageLedger]] = {}
    for row in rows:
        by_line.setdefault(row.line, []).append(row)
    ack = ledger.acknowledgement(by_line.pop("", []))
    legacy = remembered_head(s, sender, "")
    if legacy[0]:
        ack["audit"] = list(legacy)
    lines = {}
    for line, line_rows in by_line.items():
        lines[line] = ledger.acknowledgement(line_rows)
        head = remembered_head(s, sender, line)
        if head[0]:
            lines[line]["audit"] = list(head)
    ack["lines"] = lines
    return ack


def own_acknowledgement(ack: dict, origin: str) -> dict:
    """What of the 编办's acknowledgement is about this PC's packages: its line's, or — from a
    编办 without lines, or one that has only packages made before lines — the top one."""
    lines = ack.get("lines")
    if not isinstance(lines, dict) or not lines:
        return ack
    mine = lines.get(origin)
    return mine if isinstance(mine, dict) else {}


def take_acknowledgement(s, peer: Peer, ack: dict, *, from_bureau: bool, origin: str,
                         fork: bool) -> None:
    """What a received package says of our own packages: the outbox position the other side
    holds (`peer.acked_upto`) and, from the 编办, the audit head it confirmed. Of a multi-PC
    unit's acknowledgement only this PC's line is about its own packages."""
    lined = isinstance(ack.get("lines"), dict)
    if from_bureau:
        ack = own_acknowledgement(ack, origin)
    # An acknowledgement naming a package we have not made yet was meant for the line this
    # database had before it was restored from a backup, or is another PC's: not about our changes.
    stale = type(ack.get("seq")) is int and ack["seq"] >= peer.next_seq
    # (a 编办 without lines confirmed its one head whatever the seq: kept as it was)
    confirmed = ack.get("audit") if from_bureau and not (stale and lined) else None
    if (isinstance(confirmed, list) and len(confirmed) == 2 and type(confirmed[0]) is int
            and isinstance(confirmed[1], str)):
        peer.audit_seq, peer.audit_hash = confirmed
    if type(ack.get("upto")) is int and not stale:
        acked = min(ack["upto"], outbox_top(s))
        peer.acked_upto = acked if fork else max(peer.acked_upto, acked)

"""Local tables of the package exchange (never exported, never merged): this replica's keys
(`sync_key`), what it knows of each peer it exchanges packages with (`peer`), and the ledger of
the packages it imported (`package_ledger`). app.db.models re-exports them."""
from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class SyncKey(Base):
    """This replica's secret keys (Ed25519 signing, X25519 decryption) as JSON; never exported.
    A unit keeps beside them `enroll_proof`: the signature over their public halves by the key
    its one-time registration code derives (app.sync.codes), which its 上报包 carry so that the
    编办 registers these keys (docs/ARCHITECTURE.md "Registering a unit's key")."""
    __tablename__ = "sync_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[str] = mapped_column(String(19))
    enroll_proof: Mapped[str | None] = mapped_column(Text)


class Peer(Base):
    """A replica this database exchanges packages with: in a unit, its 编办; in a 编办 mirror, the
    unit; in the 编办's own database, the register of units. `public_keys` is learnt from the
    enrollment file (the 编办's) or the first package (a unit's) and checked on every package."""
    __tablename__ = "peer"
    peer_id: Mapped[str] = mapped_column(String(36), primary_key=True)   # the peer's unit id
    kind: Mapped[str] = mapped_column(String(10))                        # 'bureau' | 'unit'
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18))
    origin: Mapped[str | None] = mapped_column(String(36))    # the 编办's origin (owner of its rows)
    public_keys: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(40))
    registered_at: Mapped[str] = mapped_column(String(19))
    next_seq: Mapped[int] = mapped_column(Integer, default=1)      # our next package to the peer
    acked_upto: Mapped[int] = mapped_column(Integer, default=0)    # our outbox seq it confirmed
    # The unit's audit trail as last seen at the 编办 (app.services.exchange.audit_head): the
    # newest record's seq and hash, remembered on both sides; a later trail must still hold it.
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_hash: Mapped[str | None] = mapped_column(String(64))
    audit_note: Mapped[str | None] = mapped_column(Text)    # the last break the 编办 found
    # 编办 only: the unit's pending one-time registration code. In the mirror the public key it
    # derives (app.sync.codes: the only thing that can check a proof); in the mirror and the
    # register when it was issued. Both cleared when a key is registered with it (spent).
    enroll_verifier: Mapped[str | None] = mapped_column(String(64))
    code_issued_at: Mapped[str | None] = mapped_column(String(19))
    # In a unit, on its 编办's row: the cipher-suite family the 编办 chose for its county
    # ('classic' | 'guomi', app.sync.suites), as its last 注册包/下发包 said; None before.
    suite_family: Mapped[str | None] = mapped_column(String(10))


class PackageLedger(Base):
    """Packages imported from a peer, keyed by (sender, seq); duplicates, gaps and forks are
    judged against it. Written in the same transaction as the package's rows."""
    __tablename__ = "package_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    package_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    base: Mapped[int] = mapped_column(Integer)          # sender's outbox seq: changes after base
    upto: Mapped[int] = mapped_column(Integer)          # … up to and including upto
    created_at: Mapped[str] = mapped_column(String(19))
    imported_at: Mapped[str] = mapped_column(String(19))
    file_name: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(Integer)          # rows new or changed by this package
    note: Mapped[str] = mapped_column(Text, default="")  # gap / fork found on import
    # 上报包 of a multi-PC unit: the PC (replica origin) whose numbering seq/base/upto follow;
    # '' before report lines (app.services.exchange.report_lines)
    line: Mapped[str] = mapped_column(String(36), default="", server_default="")
    # the unit's audit head this package brought (that line's chain): the next one must hold it
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_hash: Mapped[str | None] = mapped_column(String(64))
    suite: Mapped[str] = mapped_column(String(40), default="", server_default="")  # cipher suite
    __table_args__ = (Index("ix_package_ledger_sender", "sender", "seq"),)


def bureau_origin(session) -> str | None:
    """Origin of the 编办's rows in a unit's database (its peer's): those rows are not the
    unit's to change. None before the unit has a 编办."""
    return session.scalar(select(Peer.origin).where(Peer.kind == "bureau"))


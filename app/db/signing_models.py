"""Personal signatures (履职留痕 that holds against an insider, docs/ARCHITECTURE.md "Signatures").

Every person has an Ed25519 key. Its public half is a synced `person_key` row, so it travels with
the roster to the 编办; its private half is sealed under the person's password in `credential`.
Submitting logs and acting on them makes a `signed_statement`: the canonical lines of what was
submitted or decided (app.core.signing) and the signature over them. A log and a review action
name the statement that covers them; both ends verify (app.services.signing.verify).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Synced


class PersonKey(Synced, Base):
    """A person's public signing key. A password reset by the admin makes a new one; the old row
    stays, so what was signed with it still verifies."""
    __tablename__ = "person_key"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    public_key: Mapped[str] = mapped_column(String(44))        # base64 of 32 raw bytes
    created_at: Mapped[str] = mapped_column(String(19))
    # 国密: the SM2 key derived from this one (base64 of 04‖x‖y) and this key's Ed25519
    # signature over it; filled when the person first signs with SM2 (migration 0013)
    sm2_public: Mapped[str | None] = mapped_column(String(88), nullable=True)
    sm2_endorsement: Mapped[str | None] = mapped_column(String(88), nullable=True)
    __table_args__ = (Index("ix_person_key_person", "person_id"),)


class SignedStatement(Synced, Base):
    """What one person signed at one moment: submissions of logs (kind 'submit') or review
    actions ('review'), one canonical line per item in `items`."""
    __tablename__ = "signed_statement"
    person_id: Mapped[str] = mapped_column(String(36))
    key_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(8))
    items: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(String(88))             # base64 Ed25519 or SM2 signature
    created_at: Mapped[str] = mapped_column(String(19))
    # 'ed25519' or 'sm2' (app.core.signing.ALG_*); NULL (a package of an older program) is Ed25519
    alg: Mapped[str | None] = mapped_column(String(8), nullable=True, default="ed25519",
                                            server_default="ed25519")


class ChangeCount(Base):
    """Writes per month to what a log's verdict rests on, counted by triggers (migration 0010):
    a statistics refresh checks again only the months whose count moved. Month 0: statements
    and keys. Local to this file: never synced."""
    __tablename__ = "change_count"
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)

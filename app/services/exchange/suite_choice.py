"""Which cipher suite a county's packages use: the 编办's choice, and what each side learns.

The 编办 chooses 通用 (classic) or 国密 (SM2/SM3/SM4) for its county; the choice is a setting of
its own database and travels in its 注册包 and 下发包 ("suite_family" in the header), from which a
unit keeps it on its 编办's peer row. A package is written in the chosen family when the
recipient's SM2 key is known (container.suite_for); the SM2 key of the other side is learnt from
its first 国密 package (endorsed by its registered key). So a county switches without a flag
day: the 编办's next 下发包 announces 国密, each unit's next 上报包 is 国密 and teaches the 编办
the unit's SM2 key, and the 下发包 after that are 国密 too. Every program reads both families.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from app.core.errors import AppError, ValidationError
from app.db.engine import Database
from app.db.models import Peer, Setting
from app.services.org.actor import Actor
from app.sync import container
from app.sync.keys import PublicKeys
from app.sync.suites import CLASSIC, FAMILY_LABELS, GUOMI

SETTING_KEY = "packages.suite_family"
FAMILIES = (CLASSIC, GUOMI)


def family_label(family: str | None) -> str:
    return FAMILY_LABELS.get(family or CLASSIC, family or "")


def county_family(db: Database) -> str:
    """The 编办's choice for its county (通用 until it chooses)."""
    with db.read() as s:
        return _county_family_in(s)


def _county_family_in(s) -> str:
    raw = s.scalar(select(Setting.value).where(Setting.key == SETTING_KEY,
                                               Setting.deleted.is_(False)))
    try:
        value = json.loads(raw) if raw else CLASSIC
    except ValueError:
        return CLASSIC
    return value if value in FAMILIES else CLASSIC


def set_county_family(db: Database, actor: Actor, family: str) -> str:
    """The 编办 administrator chooses the suite family of its county's packages."""
    if db.edition != "bureau":
        raise AppError("同步包的加密算法由编办为全县选定（本数据库是单位版）")
    actor.require_admin()
    if family not in FAMILIES:
        raise ValidationError(f"加密算法应为 {CLASSIC}（通用）或 {GUOMI}（国密）：{family}")
    with db.session(actor=actor) as s:
        row = s.scalar(select(Setting).where(Setting.key == SETTING_KEY))
        if row is None:
            s.add(Setting(key=SETTING_KEY, value=json.dumps(family)))
        else:
            row.value, row.deleted = json.dumps(family), False
    return family


def bureau_announced(db: Database) -> str | None:
    """The family this unit's 编办 announced in its last 注册包/下发包; None before any."""
    with db.read() as s:
        return _announced_in(s)


def unit_family(db: Database) -> str:
    """The family this unit follows: its 编办's (通用 before any, and without a 编办)."""
    return bureau_announced(db) or CLASSIC


def _announced_in(s) -> str | None:
    family = s.scalar(select(Peer.suite_family).where(Peer.kind == "bureau"))
    return family if family in FAMILIES else None


def _unit_family_in(s) -> str:
    return _announced_in(s) or CLASSIC


def family_in_use(db: Database) -> str:
    """The family this database's own signatures and packages follow: the 编办's choice in the
    编办's database, the announced one in a unit's."""
    return county_family(db) if db.edition == "bureau" else unit_family(db)


def family_in(s) -> str:
    """family_in_use, read in the session `s` (of Database.session: it knows its database)."""
    db = s.info.get("db")
    return _county_family_in(s) if db is not None and db.edition == "bureau" else _unit_family_in(s)


def announced(header: dict) -> str | None:
    """The family a 注册包/下发包 announces, if it names a known one."""
    value = header.get("suite_family")
    return value if value in FAMILIES else None


def learn(peer: Peer, opened: container.OpenedPackage, known: PublicKeys) -> None:
    """After a package from `peer` verified: remember its SM2 key (first 国密 package) and, from
    a 编办's package, the family it announces. Written in the import's transaction."""
    sm2 = container.sender_sm2(opened, known)
    if sm2 is not None and known.sm2 is None and peer.public_keys:
        # `known` is what peer.public_keys holds (or was just registered there from the header)
        peer.public_keys = json.dumps(known.with_sm2(sm2).to_dict())
    family = announced(opened.header)
    if family is not None and peer.kind == "bureau":
        peer.suite_family = family

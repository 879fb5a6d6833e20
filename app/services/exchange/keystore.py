"""This replica's package keys at rest: sealed under a 密钥口令 (key passphrase) the admin sets, so
a copy of the database file (a backup taken off the PC) does not let anyone sign or open
packages as this unit or this 编办.

A database starts with plain keys (made on first use, app.services.exchange.packages); the admin
protects them once — the first-run wizard asks for the passphrase, the CLI has `keys protect` —
and from then on the keys open for this program's run when the passphrase is given (GUI: asked
the first time a package is made or read; CLI and batch: LZKP_KEY_PASSPHRASE or a prompt).
"""
from __future__ import annotations

import getpass
import json
import os
import sys

from app.core import signing
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db import audit
from app.db.engine import Database, now_text
from app.db.models import SyncKey
from app.services.org.actor import Actor
from app.sync.keys import KeyPair, generate

PASSPHRASE_ENV = "LZKP_KEY_PASSPHRASE"
MIN_LENGTH = 8
_opened: dict[str, KeyPair] = {}        # database file → its keys, opened in this run
_passphrases: dict[str, str] = {}       # … and the passphrase that opened them (a rekey reseals)


class KeysLocked(AppError):
    """The keys are sealed and no passphrase was given in this run."""


def _where(db: Database) -> str:
    return str(db.path)


def ensure(db: Database) -> KeyPair:
    """This replica's key pair, made (plain, until the admin protects it) on first use."""
    with db.read() as s:
        row = s.get(SyncKey, 1)
    if row is not None:
        return load(db, row)
    keys = generate()
    with db.session() as s:
        s.add(SyncKey(id=1, secret=json.dumps(keys.to_dict()), fingerprint=keys.public().fingerprint(),
                      created_at=now_text()))
    return keys


def fingerprint(db: Database) -> str:
    """This replica's key fingerprint, read without opening the keys."""
    with db.read() as s:
        row = s.get(SyncKey, 1)
    return row.fingerprint if row is not None else ensure(db).public().fingerprint()


def stored_form(db: Database, keys: KeyPair, current_secret: str) -> str:
    """How new keys (a rekey) are written: sealed under the same passphrase when the current
    ones are (the caller opened them first, so the passphrase is known in this run)."""
    plain = json.dumps(keys.to_dict())
    if not signing.is_sealed(current_secret):
        return plain
    passphrase = _passphrases.get(_where(db)) or os.environ.get(PASSPHRASE_ENV)
    if passphrase is None:
        raise KeysLocked("本机同步密钥已用密钥口令加密保存：请先输入密钥口令")
    _opened[_where(db)] = keys
    return signing.seal_bytes(plain.encode(), passphrase)


def is_open(db: Database) -> bool:
    """The keys can be used in this run without asking (plain, or opened already)."""
    return _where(db) in _opened or not protected(db)


def protected(db: Database) -> bool:
    with db.read() as s:
        row = s.get(SyncKey, 1)
    return row is not None and signing.is_sealed(row.secret)


def load(db: Database, row: SyncKey) -> KeyPair:
    """The keys of `row` (this database's sync_key): plain, opened earlier in this run, opened
    with LZKP_KEY_PASSPHRASE, or asked for on a terminal; KeysLocked otherwise."""
    if not signing.is_sealed(row.secret):
        return KeyPair.from_dict(json.loads(row.secret))
    keys = _opened.get(_where(db))
    if keys is not None:
        return keys
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase is None and sys.stdin is not None and sys.stdin.isatty() and not _gui():
        passphrase = getpass.getpass("请输入本机同步密钥的密钥口令：")
    if passphrase is None:
        raise KeysLocked("本机同步密钥已用密钥口令加密保存：请先输入密钥口令"
                         f"（命令行可设置环境变量 {PASSPHRASE_ENV}）")
    return _open(db, row.secret, passphrase)


def _gui() -> bool:
    return "PySide6.QtWidgets" in sys.modules


def _open(db: Database, sealed: str, passphrase: str) -> KeyPair:
    try:
        keys = KeyPair.from_dict(json.loads(signing.unseal_bytes(sealed, passphrase, "同步密钥")))
    except signing.SealError:
        raise KeysLocked("密钥口令不正确") from None
    _opened[_where(db)] = keys
    _passphrases[_where(db)] = passphrase
    with db.engine.connect() as conn:     # the old page out of the write-ahead log too
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return keys


def unlock(db: Database, passphrase: str) -> KeyPair:
    """Open the sealed keys for this run (the GUI's passphrase dialog)."""
    with db.read() as s:
        row = s.get(SyncKey, 1)
    if row is None or not signing.is_sealed(row.secret):
        raise AppError("本机同步密钥尚未设置密钥口令")
    return _open(db, row.secret, passphrase)


def reseal(db: Database, keys: KeyPair, passphrase: str) -> None:
    """Store `keys` sealed under `passphrase` in place of the row's content, and open them for this
    run. For a PC joining a unit whose admin sealed the keys: the row copied from the snapshot is
    sealed under the admin's passphrase, which nobody at the new PC need know, so the joining PC
    seals its copy under a secret of its own (kept in its settings, apart from the database file:
    a copy of the file alone still does not open the keys)."""
    sealed = signing.seal_bytes(json.dumps(keys.to_dict()).encode(), passphrase)
    with db.session() as s:
        s.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        s.get(SyncKey, 1).secret = sealed
    _opened[_where(db)] = keys
    _passphrases[_where(db)] = passphrase
    with db.engine.connect() as conn:     # the old page out of the write-ahead log too
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def protect(db: Database, actor: Actor, passphrase: str, current: str | None = None) -> None:
    """Seal the keys under `passphrase` (or change it: `current` opens them first). Audited."""
    if not actor.is_admin:
        raise PermissionDenied("设置密钥口令需要管理员权限")
    if len(passphrase) < MIN_LENGTH:
        raise ValidationError(f"密钥口令至少{MIN_LENGTH}位")
    with db.read() as s:
        row = s.get(SyncKey, 1)
    if row is not None and signing.is_sealed(row.secret):
        if current is None:
            raise AppError("本机同步密钥已设置密钥口令：更改时须先输入原口令")
        keys = _open(db, row.secret, current)
    else:
        keys = ensure(db)
    sealed = signing.seal_bytes(json.dumps(keys.to_dict()).encode(), passphrase)
    with db.session(actor) as s:
        # the plain keys' bytes are overwritten in the file, not left in a free page
        s.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        s.get(SyncKey, 1).secret = sealed
        audit.append(s, actor.login, "protect-keys", "sync_key", "1", None, audit.row_hash(
            {"fingerprint": keys.public().fingerprint()}))
    _opened[_where(db)] = keys
    _passphrases[_where(db)] = passphrase
    with db.engine.connect() as conn:     # the old page out of the write-ahead log too
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

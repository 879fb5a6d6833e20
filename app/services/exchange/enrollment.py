"""单位注册包: the 编办 registers a unit and hands it a file that starts the unit's database.

The file carries the unit's identity (its id, name, credit code, class), the rows the 编办 wrote
for it (unit, quotas, duties), and the 编办's public keys and origin. It is signed by the 编办
but not encrypted: the unit has no key yet, and the file holds no personal data. The unit checks
the signature against the key inside the file and shows that key's fingerprint, which the two
sides compare by phone or on paper — the one step that makes the key trustworthy.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.engine import Database, now_text
from app.db.models import Peer, Replica
from app.services.org import accounts
from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM, Actor
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org.setup import add_local_defaults, open_database, unit_of
from app.sync import container
from app.sync.keys import PublicKeys
from app.sync.merge import BUREAU_TABLES, SenderRule
from app.db.backup import remove_database_files
from app.core.ids import new_id
from app.db.migrate import head_revision
from app.sync.changes import collect
from app.sync.payload import write_payload


def write_enrollment(db: Database, mirrors: Mirrors, unit_id: str, out_dir: Path, *,
                     actor: Actor = SYSTEM) -> Path:
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("生成单位注册包需要编办管理员权限")
    unit = next((u for u in registered_units(db) if u.unit_id == unit_id), None)
    if unit is None:
        raise AppError("该单位未登记")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise AppError(f"导出位置不存在或不是文件夹：{out_dir}")
    keys = P.ensure_keys(db)
    me = unit_of(db)
    mirror = mirrors.get(unit_id)
    with mirror.read() as s:
        collected = collect(s, 0, tables=set(BUREAU_TABLES))
    when = dt.datetime.now()
    header = {"kind": P.KIND_ENROLL, "package_id": new_id(), "seq": 0, "sender": me.id,
              "sender_name": me.name, "schema": head_revision(),
              "created_at": when.isoformat(timespec="seconds"), "base": 0, "upto": collected.upto,
              "unit_id": unit_id, "unit_name": unit.name, "bureau_origin": db.origin,
              "bureau_credit_code": me.credit_code, "sender_keys": keys.public().to_dict()}
    manifest = {k: header[k] for k in ("package_id", "seq", "kind", "base", "upto")}
    manifest["ack"] = {}
    path = out_dir / P.package_name(unit.name, P.KIND_ENROLL, 1, when)
    container.write_package(path, header, write_payload(manifest, collected.writer, []),
                            sign_key=keys, recipient=None)
    return path


@dataclass
class EnrollmentInfo:
    """What the unit sees before it accepts the file."""
    path: Path
    unit_name: str
    bureau_name: str
    bureau_fingerprint: str
    opened: container.OpenedPackage


def read_enrollment(path: Path) -> EnrollmentInfo:
    opened = container.read_header(Path(path))
    P.check_header(opened.header, {P.KIND_ENROLL})
    header = opened.header
    for key in ("unit_id", "unit_name", "bureau_origin", "bureau_credit_code"):
        if type(header.get(key)) is not str:
            raise container.PackageError("header", f"注册包包头缺少{key}")
    bureau_keys = PublicKeys.from_dict(header.get("sender_keys") or {})
    container.verify(opened, bureau_keys)
    return EnrollmentInfo(Path(path), header["unit_name"], header["sender_name"],
                          bureau_keys.fingerprint(), opened)


def init_from_enrollment(db_path: Path, enrollment: Path, admin_login: str, admin_name: str,
                         password: str, *, must_change: bool = True) -> tuple[Database, EnrollmentInfo]:
    """Create a unit database from a 单位注册包 (the unit edition's first start). The CLI's
    password was typed on a command line, so it must be changed; the wizard's was not."""
    problem = accounts.password_problem(password)
    if problem:
        raise ValidationError("初始化失败：", [problem])
    db, info = create_from_enrollment(db_path, enrollment)
    try:
        accounts.add_user(db, SYSTEM, accounts.NewUser(admin_login, admin_name, password,
                                                       is_admin=True, must_change=must_change))
    except BaseException:
        _discard(db)
        raise
    return db, info


def create_from_enrollment(db_path: Path, enrollment: Path) -> tuple[Database, EnrollmentInfo]:
    """A new unit database holding the enrollment's rows, the 编办 as its peer, its own keys and
    the local defaults (categories, holiday calendar) — without accounts yet."""
    info = read_enrollment(enrollment)
    db_path = Path(db_path)
    if db_path.exists() and db_path.stat().st_size > 0:
        raise AppError(f"文件已存在：{db_path}（为防止覆盖数据，请换一个文件名）")
    header = info.opened.header
    db = open_database(db_path, create=True)
    try:
        with db.session() as s:
            s.add(Replica(id=1, origin=new_id(), edition="unit", unit_id=header["unit_id"],
                          created_at=now_text()))
            s.add(Peer(peer_id=header["sender"], kind="bureau", name=header["sender_name"],
                       credit_code=header["bureau_credit_code"], origin=header["bureau_origin"],
                       public_keys=json.dumps(header["sender_keys"]), fingerprint=info.bureau_fingerprint,
                       registered_at=now_text(), next_seq=1, acked_upto=0))
        db.reload_identity()
        result = P.PackageResult(info.path)
        P.receive(db, header["sender"], info.opened, None,
                  SenderRule(header["bureau_origin"], from_bureau=True), result, apply=True)
        with db.session() as s:
            add_local_defaults(s)
        P.ensure_keys(db)
    except BaseException:
        _discard(db)
        raise
    return db, info


def _discard(db: Database) -> None:
    """Remove a half-made database, so a second attempt is not refused as 文件已存在."""
    db.dispose()
    remove_database_files(db.path)

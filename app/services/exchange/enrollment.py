"""单位注册包: the 编办 registers a unit and hands it a file that starts the unit's database.

The file carries the unit's identity (its id, name, credit code, class), the rows the 编办 wrote
for it (unit, quotas, duties), and the 编办's public keys and origin. Writing it issues the unit's
one-time registration code (注册码, app.sync.codes), shown once to the 编办 and handed to the unit
apart from the file: the payload is encrypted to the code, so a copy of the file alone cannot
start a database, and the unit's first 上报包 must prove the code before the 编办 registers the
unit's key (app.services.county.unit_keys). The file is signed by the 编办; the unit checks the
signature against the key inside the file and must confirm that key's fingerprint with the 编办
by phone or on paper — the one step that makes the 编办's key trustworthy.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.engine import Database, now_text
from app.db.models import Peer, Replica, SyncKey
from app.services.org import accounts
from app.services.exchange import packages as P, suite_choice
from app.services.org.actor import SYSTEM, Actor
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.county.unit_keys import registered_key, store_code
from app.services.org.setup import add_local_defaults, open_database, unit_of
from app.sync import codes, container
from app.sync.keys import PublicKeys
from app.sync.merge import BUREAU_TABLES, SenderRule
from app.db.backup import remove_database_files
from app.core.ids import new_id
from app.db.migrate import head_revision
from app.sync.changes import collect
from app.sync.payload import write_payload


@dataclass
class WrittenEnrollment:
    path: Path
    code: str          # the one-time registration code: shown once, stored nowhere


def write_enrollment(db: Database, mirrors: Mirrors, unit_id: str, out_dir: Path, *,
                     actor: Actor = SYSTEM) -> WrittenEnrollment:
    """Write the unit's 单位注册包 into out_dir and issue its one-time code (any earlier code of
    the unit is void from then on). Refused once the unit has a registered key."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("生成单位注册包需要编办管理员权限")
    unit = next((u for u in registered_units(db) if u.unit_id == unit_id), None)
    if unit is None:
        raise AppError("该单位未登记")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise AppError(f"导出位置不存在或不是文件夹：{out_dir}")
    fingerprint = registered_key(mirrors, unit_id)
    if fingerprint:
        raise AppError(f"“{unit.name}”已注册了密钥（指纹{fingerprint}），注册包只用于首次注册。单位重装或换电脑"
                       "需要重新建库、或密钥泄露、被冒用时，请先撤销该单位的密钥，再生成注册包")
    keys = P.ensure_keys(db)
    me = unit_of(db)
    mirror = mirrors.get(unit_id)
    with mirror.read() as s:
        collected = collect(s, 0, tables=set(BUREAU_TABLES))
    code = codes.new_code()
    code_keys = codes.derive(code, unit_id)
    family = suite_choice.county_family(db)
    when = dt.datetime.now()
    header = {"kind": P.KIND_ENROLL, "package_id": new_id(), "seq": 0, "sender": me.id,
              "sender_name": me.name, "schema": head_revision(),
              "created_at": when.isoformat(timespec="seconds"), "base": 0, "upto": collected.upto,
              "unit_id": unit_id, "unit_name": unit.name, "bureau_origin": db.origin,
              "bureau_credit_code": me.credit_code, "sender_keys": keys.public().to_dict(),
              "suite_family": family}
    manifest = {k: header[k] for k in ("package_id", "seq", "kind", "base", "upto")}
    manifest["ack"] = {}
    path = out_dir / P.package_name(unit.name, P.KIND_ENROLL, 1, when)
    secret = container.SharedSecret(code_keys.box)
    container.write_package(path, header, write_payload(manifest, collected.writer, []),
                            sign_key=keys, recipient=secret,
                            suite=container.suite_for(family, secret),
                            announce_sm2=family == container.GUOMI)
    try:
        store_code(db, mirrors, unit_id, code_keys, actor)
    except BaseException:
        path.unlink(missing_ok=True)     # a file whose code is not pending would only mislead
        raise
    return WrittenEnrollment(path, code)


@dataclass
class EnrollmentInfo:
    """What the unit sees before it accepts the file; `unlock` adds what the code derives."""
    path: Path
    unit_id: str
    unit_name: str
    bureau_name: str
    bureau_fingerprint: str
    opened: container.OpenedPackage
    code_keys: codes.CodeKeys | None = None


def read_enrollment(path: Path) -> EnrollmentInfo:
    """The file's header, its signature checked against the 编办 key it carries (whose
    fingerprint the unit must confirm by phone). Its content needs the code: `unlock`."""
    opened = container.read_header(Path(path))
    P.check_header(opened.header, {P.KIND_ENROLL})
    header = opened.header
    for key in ("unit_id", "unit_name", "bureau_origin", "bureau_credit_code"):
        if type(header.get(key)) is not str:
            raise container.PackageError("header", f"注册包包头缺少{key}")
    if header["suite"] not in (container.SecretChaChaSuite.name, container.SecretSm4Suite.name):
        raise container.PackageError("suite", "此注册包没有注册码保护（由旧版本程序生成）：请编办用新版本程序"
                                              "重新生成注册包，并把注册码一并告知")
    bureau_keys = PublicKeys.from_dict(header.get("sender_keys") or {})
    container.verify(opened, bureau_keys)
    return EnrollmentInfo(Path(path), header["unit_id"], header["unit_name"], header["sender_name"],
                          bureau_keys.fingerprint(), opened)


def code_problem(text: str) -> str | None:
    """What is wrong with a code as typed so far (None: well formed), for a form's message."""
    try:
        codes.normalize(text)
    except codes.CodeError as exc:
        return str(exc)
    return None


def unlock(info: EnrollmentInfo, code: str) -> EnrollmentInfo:
    """Check the typed one-time code against the file (≈ 0.15 s); AppError in words otherwise."""
    keys = codes.derive(code, info.unit_id)          # CodeError: malformed, with what is wrong
    try:
        container.check_opener(info.opened, container.SharedSecret(keys.box))
    except container.PackageError as exc:
        if exc.code != "wrong_secret":
            raise
        raise AppError("注册码不正确：与此注册包不符。请核对编办给的注册码（注意是否为最新一次生成注册包时的"
                       "注册码）；多次不符请向编办重新索取注册包和注册码") from None
    info.code_keys = keys
    return info


def check_fingerprint(info: EnrollmentInfo, typed: str | None) -> None:
    """The command line's phone check: the 编办 fingerprint typed in must be the file's."""
    if not typed:
        raise AppError(f"注册包中的编办密钥指纹：{info.bureau_fingerprint}\n请打电话给编办，请对方念出"
                       "编办版“单位管理”页（或 fingerprint 命令）显示的指纹，逐组核对；完全一致后加上 "
                       f"--fingerprint {info.bureau_fingerprint} 重新运行。本次未创建任何文件")
    if not codes.same_fingerprint(typed, info.bureau_fingerprint):
        raise AppError(f"指纹不符：注册包中的编办密钥指纹是 {info.bureau_fingerprint}，与输入的 {typed.strip()} "
                       "不同。此注册包可能不是编办发出的或途中被替换：请勿使用，向编办重新索取。本次未创建任何文件")


def init_from_enrollment(db_path: Path, enrollment: Path | EnrollmentInfo, code: str | None,
                         admin_login: str, admin_name: str, password: str, *,
                         must_change: bool = True) -> tuple[Database, EnrollmentInfo]:
    """Create a unit database from a 单位注册包 (the unit edition's first start). The CLI's
    password was typed on a command line, so it must be changed; the wizard's was not."""
    problem = accounts.password_problem(password)
    if problem:
        raise ValidationError("初始化失败：", [problem])
    db, info = create_from_enrollment(db_path, enrollment, code)
    try:
        accounts.add_user(db, SYSTEM, accounts.NewUser(admin_login, admin_name, password,
                                                       is_admin=True, must_change=must_change))
    except BaseException:
        _discard(db)
        raise
    return db, info


def create_from_enrollment(db_path: Path, enrollment: Path | EnrollmentInfo,
                           code: str | None) -> tuple[Database, EnrollmentInfo]:
    """A new unit database holding the enrollment's rows, the 编办 as its peer, its own keys
    with their proof of the code, and the local defaults (categories, holiday calendar) —
    without accounts yet. `enrollment`: the file, or read_enrollment's info (unlocked already,
    or `code` unlocks it)."""
    info = read_enrollment(enrollment) if isinstance(enrollment, (str, Path)) else enrollment
    if info.code_keys is None:
        if not code:
            raise AppError("请输入编办给的注册码：注册包的内容用它加密")
        unlock(info, code)
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
        P.receive(db, header["sender"], info.opened, container.SharedSecret(info.code_keys.box),
                  SenderRule(header["bureau_origin"], from_bureau=True), result, apply=True)
        with db.session() as s:
            add_local_defaults(s)
        keys = P.ensure_keys(db)
        with db.session() as s:
            s.get(SyncKey, 1).enroll_proof = codes.prove(info.code_keys, keys.public())
    except BaseException:
        _discard(db)
        raise
    return db, info


def _discard(db: Database) -> None:
    """Remove a half-made database, so a second attempt is not refused as 文件已存在."""
    db.dispose()
    remove_database_files(db.path)

"""A unit's PCs wired to an exchange folder: the admin's setup, a new PC's join, a sync round with
this PC's own configuration, its status, and retiring a PC (issue 16; the rounds themselves are
app.services.exchange.pc_sync, the snapshots pc_snapshot).

Where this PC's configuration lives: in the per-PC settings file (app.settings, `pc_exchange`,
keyed by the database file), not in the database. The folder's path belongs to the machine (a
drive letter, a mount point: Z:\\ on one PC is \\\\server\\share on another), the PC's signing key
pair is this PC's alone, and the database's own tables are copied whole into every snapshot a new
PC joins from — a path or key kept there would arrive on every other PC.

How a new PC gets the unit key: setup (and `new_join_code`) seals the unit's key pair under a
one-time-printed join code (20 characters of app.sync.codes, argon2id as the 密钥口令 seal) into
<folder>/join.json. The admin reads the code out to whoever sets up the new PC; the folder alone
(readable by others on the intranet) does not open it. A new code replaces the old one.

When the admin has sealed the unit key under a 密钥口令 (app.services.exchange.keystore), the
admin's PC asks for it before a join code is made (the key must be open to be sealed under the
code). A joining PC does not need it: the code opens the key, and the PC seals the copy in its
replica under a secret of its own kept in its settings entry (`key_secret`), so its background
rounds run without anyone typing the admin's passphrase and a copy of its database file alone
still does not open the key.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from app.core import signing
from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.backup import remove_database_files
from app.db.engine import Database
from app.services.exchange import keystore, packages, pc_snapshot, pc_sync
from app.services.org.actor import SYSTEM, Actor
from app.settings import Settings
from app.sync import codes, pc_folder as F
from app.sync.keys import KeyPair, generate

JOIN_FILE = "join.json"
# One round at a time in this program: the window's timer, a round after a save and 立即同步 on
# the 数据交换 page would otherwise number their change files alike.
_ROUND = threading.Lock()


@dataclass
class PcConfig:
    folder: Path
    name: str
    keys: KeyPair
    last_sync: str = ""          # when the last round ended (local time, to the second)
    last_summary: str = ""       # its outcome in one Chinese line
    last_pcs: int = 0
    last_problems: tuple[str, ...] = ()
    key_secret: str = ""         # seals this PC's copy of the unit key (a joined PC; see above)
    # origin → how far that PC's clock was ahead of this one's (ms; negative: behind) last round
    last_offsets: dict[str, int] = field(default_factory=dict)


def _key(db: Database) -> str:
    return str(Path(db.path).resolve())


def config(db: Database, settings: Settings | None = None) -> PcConfig | None:
    """This PC's exchange configuration for `db` (None: a one-PC unit, as far as this PC knows)."""
    entry = (settings or Settings()).pc_exchange.get(_key(db))
    if not isinstance(entry, dict) or not entry.get("folder"):
        return None
    try:
        keys = KeyPair.from_dict(entry["keys"])
    except (KeyError, TypeError, ValueError):
        keys = None
    return PcConfig(Path(entry["folder"]), str(entry.get("name") or socket.gethostname()),
                    keys or generate(), str(entry.get("last_sync", "")), str(entry.get("last_summary", "")),
                    int(entry.get("last_pcs", 0) or 0), tuple(entry.get("last_problems") or ()),
                    str(entry.get("key_secret", "")),
                    {k: v for k, v in (entry.get("last_offsets") or {}).items() if type(v) is int})


def _save(db: Database, cfg: PcConfig, settings: Settings | None) -> None:
    # one entry, the others as the file has them now: a round saves this from a worker thread
    (settings or Settings()).set_item("pc_exchange", _key(db), {
        "folder": str(cfg.folder), "name": cfg.name, "keys": cfg.keys.to_dict(),
        "last_sync": cfg.last_sync, "last_summary": cfg.last_summary, "last_pcs": cfg.last_pcs,
        "last_problems": list(cfg.last_problems), "last_offsets": dict(cfg.last_offsets),
        "key_secret": cfg.key_secret})


def _admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"{what}需要单位管理员权限")


def _usable_folder(folder: Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise AppError(f"交换文件夹无法访问：{folder}（请确认共享文件夹已连接、路径正确）")
    return folder


# ---------------------------------------------------------------- the admin's side
def setup(db: Database, actor: Actor, folder: Path | str, *, name: str = "",
          settings: Settings | None = None) -> str:
    """Make this unit a multi-PC unit exchanging through `folder` (this PC: the admin's): its
    first round, the first snapshot, and a join code for the other PCs (returned). Audited."""
    _admin(actor, "设置多台电脑共用")
    folder = _usable_folder(Path(folder))
    if db.edition != "unit":
        raise AppError("只有单位版数据库可以设置多台电脑共用")
    old = config(db, settings)
    cfg = PcConfig(folder, name or (old.name if old else socket.gethostname()),
                   old.keys if old else generate(), key_secret=old.key_secret if old else "")
    keys_ready(db, settings)          # a joined PC opens its own seal
    unit_keys = packages.ensure_keys(db)
    with _ROUND:
        report = pc_sync.sync_once(db, folder, pc_keys=cfg.keys, unit_keys=unit_keys, name=cfg.name,
                                   actor=actor)
    if any("无法访问" in p or "读写失败" in p for p in report.problems):
        raise AppError(report.problems[0])
    pc_snapshot.write_snapshot(db, folder, pc_keys=cfg.keys, unit_keys=unit_keys)
    _remember(db, cfg, report, settings)
    code = new_join_code(db, actor, settings=settings)
    with db.session(actor) as s:
        audit.append(s, actor.login, "pc-setup", "replica", db.origin, None,
                     audit.row_hash({"folder": str(folder), "name": cfg.name}))
    return code


def new_join_code(db: Database, actor: Actor, *, settings: Settings | None = None) -> str:
    """A new join code (the previous one stops working): the unit key sealed under it in the
    folder."""
    _admin(actor, "生成加入码")
    cfg = config(db, settings)
    if cfg is None:
        raise AppError("本机尚未设置多台电脑共用：请先选择交换文件夹")
    keys_ready(db, settings)          # a joined PC opens its own seal
    unit_keys = packages.ensure_keys(db)
    code = codes.new_code()
    sealed = signing.seal_bytes(json.dumps(unit_keys.to_dict()).encode(), codes.normalize(code))
    F.write_json(_usable_folder(cfg.folder) / JOIN_FILE, {"sealed": sealed, "by": db.origin,
                                                          "at": _now()})
    return code


def retire(db: Database, actor: Actor, pc: str, *, settings: Settings | None = None) -> tuple[str, int]:
    """Retire the PC named `pc` (its name or number) from the unit: its files so far stay valid.
    Returns (its name, the last valid file's number). Audited."""
    _admin(actor, "停用电脑")
    cfg = _required(db, settings)
    folder = _usable_folder(cfg.folder)
    keys_ready(db, settings)
    unit = packages.ensure_keys(db)
    found = [(o, card.name) for o in F.pcs(folder)
             if (card := F.read_card(folder, o, unit.public())) is not None and pc in (o, card.name)]
    if not found:
        raise AppError(f"交换文件夹中没有名为“{pc}”的电脑（可用 pcs status 查看各电脑的名称）")
    if len(found) > 1:
        raise AppError(f"有{len(found)}台电脑都叫“{pc}”：请用电脑编号指明（pcs status 中列出）")
    origin, name = found[0]
    if origin == db.origin:
        raise AppError("不能停用本机")
    after = pc_sync.retire_pc(folder, origin, unit_keys=unit)
    with db.session(actor) as s:
        audit.append(s, actor.login, "pc-retire", "replica", origin, None,
                     audit.row_hash({"name": name, "after": after}))
    return name, after


# ---------------------------------------------------------------- every PC
def join(dest: Path | str, folder: Path | str, code: str, *, name: str = "",
         settings: Settings | None = None) -> Database:
    """This PC's replica at `dest`, from the newest snapshot in `folder`, opened with the admin's
    join code; then a first round (its card into the folder, the files written since). Nothing
    is left at `dest` when it fails, so the next try is not refused as 已有数据库文件."""
    dest = Path(dest)
    if dest.exists():
        raise AppError(f"本机已有数据库文件，不能覆盖：{dest}（加入时请给出一个新文件名）")
    folder = _usable_folder(Path(folder))
    joined = F.read_json(folder / JOIN_FILE)
    if joined is None or not isinstance(joined.get("sealed"), str):
        raise AppError("交换文件夹中没有加入信息：请单位管理员先在本单位的电脑上设置多台电脑共用")
    try:
        plain = signing.unseal_bytes(joined["sealed"], codes.normalize(code), "单位密钥")
    except codes.CodeError:
        raise AppError(code_problem(code)) from None
    except signing.SealError:
        raise AppError("加入码不正确（或已被管理员换过）：请向单位管理员核对") from None
    unit_keys = KeyPair.from_dict(json.loads(plain))
    cfg = PcConfig(folder, name.strip() or socket.gethostname(), generate())
    db = None
    try:
        db = pc_snapshot.join_from_snapshot(folder, dest, unit_keys=unit_keys, name=cfg.name)
        if keystore.protected(db):          # sealed under the admin's passphrase: our own seal
            cfg.key_secret = secrets.token_urlsafe(24)
            keystore.reseal(db, unit_keys, cfg.key_secret)
        report = pc_sync.sync_once(db, folder, pc_keys=cfg.keys, unit_keys=unit_keys, name=cfg.name)
        _remember(db, cfg, report, settings)
    except BaseException:
        if db is not None:
            db.dispose()
        remove_database_files(dest)
        raise
    return db


def keys_ready(db: Database, settings: Settings | None = None) -> bool:
    """The unit key can be used now without asking anyone: plain, opened in this run, or sealed
    under this PC's own secret (a joined PC, see the module text)."""
    if keystore.is_open(db):
        return True
    cfg = config(db, settings)
    if cfg is not None and cfg.key_secret:
        try:
            keystore.unlock(db, cfg.key_secret)
        except AppError:
            return False
    return keystore.is_open(db)


def import_dispatch(db: Database, paths, *, apply: bool, actor: Actor = SYSTEM,
                    settings: Settings | None = None) -> list[packages.PackageResult]:
    """Preview or import the 编办's 下发包 on this PC (app.services.exchange.unit_side), and on a
    PC with an exchange folder put each one imported into the folder for the unit's other PCs:
    they import it in their next round — the 编办's rows, and its acknowledgement of each PC's
    上报包 (app.services.exchange.report_lines), whichever PC the stick was read on. A copy that
    cannot be written is said in the result; the import here stands."""
    from app.services.exchange import unit_side
    keys_ready(db, settings)        # a joined PC opens its own seal of the unit key
    results = unit_side.import_dispatch(db, paths, apply=apply, actor=actor)
    cfg = config(db, settings) if apply else None
    for result in results if cfg is not None else ():
        if result.status != packages.IMPORTED:
            continue
        try:
            pc_sync.share_dispatch(cfg.folder, result.path)
        except OSError as exc:
            result.message += (f"。未能放入交换文件夹（{exc.strerror or exc}）：其他电脑收不到此包，"
                               "请在交换文件夹可用时再导入一次")
    return results


def code_problem(text: str) -> str | None:
    """What is wrong with a join code as typed (None: well formed). The codes are those of the
    编办's 注册码 (app.sync.codes), whose messages name that code: here they name the join code."""
    try:
        codes.normalize(text)
    except codes.CodeError as exc:
        return str(exc).replace("编办给的注册码", "单位管理员给的加入码").replace("注册码", "加入码")
    return None


def _required(db: Database, settings: Settings | None) -> PcConfig:
    cfg = config(db, settings)
    if cfg is None:
        raise AppError("本机尚未设置多台电脑共用（管理员：pcs setup；其他电脑：pcs join）")
    return cfg


def sync(db: Database, *, folder: Path | str | None = None, actor: Actor = SYSTEM,
         settings: Settings | None = None) -> pc_sync.SyncReport:
    """One round with this PC's configuration (`folder` overrides the folder, and is kept: the
    share was mounted elsewhere). The outcome is remembered for the status line."""
    cfg = _required(db, settings)
    keys_ready(db, settings)
    if folder is not None:
        cfg.folder = Path(folder)
    with _ROUND:
        report = pc_sync.sync_once(db, cfg.folder, pc_keys=cfg.keys,
                                   unit_keys=packages.ensure_keys(db), name=cfg.name, actor=actor)
        _remember(db, cfg, report, settings)
    return report


def unreachable(report: pc_sync.SyncReport) -> bool:
    return any(p.startswith("交换文件夹") for p in report.problems) and not report.written and not report.applied


def _remember(db: Database, cfg: PcConfig, report: pc_sync.SyncReport, settings: Settings | None) -> None:
    cfg.last_sync, cfg.last_summary = _now(), report.summary()
    cfg.last_pcs, cfg.last_problems = len(report.pcs), tuple(report.problems)
    cfg.last_offsets = dict(report.clock_offsets)
    _save(db, cfg, settings)


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def status_lines(db: Database, settings: Settings | None = None) -> list[str]:
    """What `pcs status` and the 数据交换 page show: the folder, this PC, the last round."""
    cfg = config(db, settings)
    if cfg is None:
        return ["本机未设置多台电脑共用（单机使用）"]
    lines = [f"交换文件夹：{cfg.folder}", f"本机：{cfg.name}（编号 {db.origin}）",
             f"上次同步：{cfg.last_sync or '尚未同步'}；看到其他电脑{cfg.last_pcs}台"]
    lines += [f"问题：{p}" for p in cfg.last_problems]
    if cfg.folder.is_dir():
        try:
            unit = packages.ensure_keys(db).public()
            for origin in F.pcs(cfg.folder):
                card = F.read_card(cfg.folder, origin, unit)
                if card is not None and origin != db.origin:
                    gone = F.read_retirement(cfg.folder, origin, unit)
                    lines.append(f"电脑：{card.name}（编号 {origin}）" + ("，已停用" if gone is not None else ""))
        except (F.FolderError, OSError) as exc:
            lines.append(f"问题：读取交换文件夹失败：{exc}")
    return lines


@dataclass(frozen=True)
class PcRow:
    """One PC of the unit as the admin's table shows it."""
    origin: str
    name: str
    this_pc: bool
    last_file: str              # when its newest change file was written ("" none yet)
    offset_ms: int | None       # its clock against this PC's, as last round saw it
    behind: int | None          # other PCs' files it has not acknowledged (None: never synced)
    retired: bool
    problem: str = ""


def pcs_table(db: Database, settings: Settings | None = None) -> list[PcRow]:
    """The unit's PCs as the exchange folder knows them (reads the folder: run off the GUI
    thread). AppError when this PC has no folder or cannot reach it."""
    cfg = _required(db, settings)
    folder = _usable_folder(cfg.folder)
    unit = packages.ensure_keys(db).public()
    rows: list[PcRow] = []
    found: dict[str, tuple[F.Card, int | None, str]] = {}     # origin → card, retired after, last file
    valid_upto: dict[str, int] = {}       # the newest file of each PC the others should have read
    for origin in F.pcs(folder):
        try:
            card = F.read_card(folder, origin, unit)
            retired = F.read_retirement(folder, origin, unit)
        except F.FolderError as exc:
            rows.append(PcRow(origin, "（登记文件无效）", False, "", None, None, False, str(exc)))
            continue
        if card is None:
            continue
        files = F.change_files(folder, origin)
        last = files[-1][0] if files else 0
        valid_upto[origin] = last if retired is None else min(last, retired)
        when = dt.datetime.fromtimestamp(files[-1][1].stat().st_mtime).strftime("%m-%d %H:%M") if files else ""
        found[origin] = card, retired, when
    for origin, (card, retired, when) in found.items():
        try:
            acked = F.read_ack(folder, origin) if (F.pc_dir(folder, origin) / F.ACK).exists() else None
        except F.FolderError:
            acked = None
        behind = None if acked is None else sum(
            max(0, upto - acked.get(other, 0)) for other, upto in valid_upto.items() if other != origin)
        rows.append(PcRow(origin, card.name, origin == db.origin, when,
                          0 if origin == db.origin else cfg.last_offsets.get(origin), behind,
                          retired is not None))
    return sorted(rows, key=lambda r: (not r.this_pc, r.retired, r.name))

"""The exchange folder of a multi-PC unit: how its files are laid out, written and found.

Each PC of the unit keeps its own SQLite replica on its local disk; the PCs meet only in a shared
folder (a UNC path, a mapped drive, a mounted share, even a USB stick), and only through whole
files, never through a database opened over the network (docs/ARCHITECTURE.md)::

    <folder>/<origin>/pc.json          the PC's card: origin, name, public keys, signed with the
                                       unit key (who may write here)
    <folder>/<origin>/00000001.lzkc    numbered change files: the rows this PC wrote, in the
    <folder>/<origin>/00000002.lzkc    package container (signed by the PC, encrypted to the unit)
    <folder>/<origin>/ack.json         what this PC has applied of every other PC's files
    <folder>/<origin>/retired.json     (when the admin retired the PC) its last valid file, signed
                                       with the unit key
    <folder>/bureau/…_下发包_0003_….lzkp  the 编办's 下发包, put here by the PC that received it
                                       (signed by the 编办, encrypted to the unit key every PC holds)
    <folder>/snapshots/                (later: compacted snapshots for joining and for PCs long away)

Every file is written under a temporary name in the same sub-folder, flushed to disk and renamed
into place, so a reader sees a file whole or not at all; what a killed writer leaves (a `.part`
file) does not match the names readers look for. Nothing here touches a database; the service
(app.services.exchange.pc_sync) decides what the files mean.
"""
from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from cryptography.exceptions import InvalidSignature

from app.core.errors import AppError
from app.sync import container
from app.sync.keys import KeyFormatError, KeyPair, PublicKeys

SUFFIX = ".lzkc"
CARD = "pc.json"
ACK = "ack.json"
RETIRED = "retired.json"
SNAPSHOTS = "snapshots"
BUREAU = "bureau"
KIND = "pc-change"
_CHANGE_NAME = re.compile(r"(\d{8})\.lzkc\Z")
_ORIGIN = re.compile(r"[0-9A-Za-z-]{1,36}\Z")
_CARD_DOMAIN = b"lzkp-pc-card-v1\x00"
_RETIRE_DOMAIN = b"lzkp-pc-retired-v1\x00"


class FolderError(AppError):
    """A file of the exchange folder that cannot be used (damaged, forged, not ours)."""


def pc_dir(folder: Path, origin: str) -> Path:
    if not _ORIGIN.match(origin):
        raise ValueError(f"not an origin: {origin!r}")
    return Path(folder) / origin


def change_path(folder: Path, origin: str, seq: int) -> Path:
    return pc_dir(folder, origin) / f"{seq:08d}{SUFFIX}"


def pcs(folder: Path) -> list[str]:
    """The origins that have a sub-folder in the exchange folder (sorted; the snapshots' and the
    编办's folders are not PCs)."""
    return sorted(p.name for p in Path(folder).iterdir()
                  if p.is_dir() and _ORIGIN.match(p.name) and p.name not in (SNAPSHOTS, BUREAU))


def change_files(folder: Path, origin: str, after: int = 0) -> list[tuple[int, Path]]:
    """(seq, path) of the PC's complete change files numbered above `after`, in seq order.
    Temporary files of a writer (…lzkc.part) and stray names are not change files."""
    found = []
    try:
        entries = list(os.scandir(pc_dir(folder, origin)))
    except FileNotFoundError:
        return []
    for entry in entries:
        m = _CHANGE_NAME.match(entry.name)
        if m and int(m.group(1)) > after and entry.is_file():
            found.append((int(m.group(1)), Path(entry.path)))
    return sorted(found)


def write_change(folder: Path, origin: str, seq: int, header: dict, payload: Iterable[bytes], *,
                 sign_key: KeyPair, unit: PublicKeys) -> Path:
    """Write change file `seq` of PC `origin` (container.write_package: a `.part` name in the same
    folder, fsync, rename, fsync of the folder). An existing file of that number is never
    overwritten: a reader may have applied it already."""
    path = change_path(folder, origin, seq)
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    container.write_package(path, dict(header, kind=KIND, seq=seq, sender=origin), payload,
                            sign_key=sign_key, recipient=unit)
    return path


def write_json(path: Path, data: dict) -> None:
    """A small JSON file replaced whole: temporary name, fsync, rename."""
    part = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "wb") as out:
        out.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)


def read_json(path: Path) -> dict | None:
    """The JSON object in `path`; None when absent; FolderError when it is not a JSON object."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, ValueError):
        raise FolderError(f"交换文件夹中的文件已损坏：{path}") from None
    if not isinstance(data, dict):
        raise FolderError(f"交换文件夹中的文件已损坏：{path}")
    return data


def share_file(source: Path, folder: Path, sub: str) -> Path:
    """A copy of `source` in `folder`/`sub`, whole or not at all (temporary name, fsync, rename)."""
    target = Path(folder) / sub / Path(source).name
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(part, "wb") as out:
        while block := src.read(1 << 20):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, target)
    return target


# ---------------------------------------------------------------- acknowledgements
def write_ack(folder: Path, origin: str, applied: dict[str, int]) -> None:
    """What PC `origin` has applied: every other PC's files up to the seq given (no gaps below).
    Read by compaction: a file every PC has applied can be folded into a snapshot."""
    write_json(pc_dir(folder, origin) / ACK, {"origin": origin, "applied": applied})


def read_ack(folder: Path, origin: str) -> dict[str, int]:
    data = read_json(pc_dir(folder, origin) / ACK) or {}
    applied = data.get("applied")
    if not isinstance(applied, dict):
        return {}
    return {k: v for k, v in applied.items() if isinstance(k, str) and type(v) is int}


# ---------------------------------------------------------------- PC cards
@dataclass(frozen=True)
class Card:
    """Who PC `origin` is: its name and the public keys its change files are signed with."""
    origin: str
    name: str
    keys: PublicKeys


def _card_message(origin: str, name: str, keys: PublicKeys) -> bytes:
    body = json.dumps({"origin": origin, "name": name, "keys": keys.to_dict()}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return _CARD_DOMAIN + body.encode("utf-8")


def write_card(folder: Path, origin: str, name: str, pc: PublicKeys, unit_keys: KeyPair) -> None:
    """The PC's card, signed with the unit key: only a holder of the unit key (the admin's PC,
    or a PC it let join) can admit a PC to the folder."""
    signature = unit_keys.sign.sign(_card_message(origin, name, pc))
    write_json(pc_dir(folder, origin) / CARD,
               {"origin": origin, "name": name, "keys": pc.to_dict(),
                "signature": base64.b64encode(signature).decode("ascii")})


def read_card(folder: Path, origin: str, unit: PublicKeys) -> Card | None:
    """The verified card of PC `origin`; None when it has none yet (still being set up);
    FolderError when it is damaged or not signed with the unit key."""
    data = read_json(pc_dir(folder, origin) / CARD)
    if data is None:
        return None
    try:
        name, keys = data["name"], PublicKeys.from_dict(data["keys"])
        signature = base64.b64decode(data["signature"], validate=True)
        if data["origin"] != origin or not isinstance(name, str):
            raise ValueError
        unit.sign_key().verify(signature, _card_message(origin, name, keys))
    except (KeyError, TypeError, ValueError, KeyFormatError, InvalidSignature):
        raise FolderError(f"交换文件夹中电脑“{origin}”的登记文件无效（不是本单位密钥签发的），"
                          "不读取它的变更文件") from None
    return Card(origin, name, keys)


# ---------------------------------------------------------------- retirement
def _retire_message(origin: str, after: int) -> bytes:
    return _RETIRE_DOMAIN + json.dumps({"origin": origin, "after": after}, sort_keys=True).encode()


def write_retirement(folder: Path, origin: str, after: int, unit_keys: KeyPair) -> None:
    """PC `origin` is retired (lost, reinstalled): its files up to `after` stay valid, later ones
    are not read. Signed with the unit key, like the card."""
    signature = unit_keys.sign.sign(_retire_message(origin, after))
    write_json(pc_dir(folder, origin) / RETIRED,
               {"origin": origin, "after": after, "signature": base64.b64encode(signature).decode("ascii")})


def read_retirement(folder: Path, origin: str, unit: PublicKeys) -> int | None:
    """The last valid file of a retired PC; None when it is not retired (or the retirement is
    not signed with the unit key: then it does not count)."""
    data = read_json(pc_dir(folder, origin) / RETIRED)
    if data is None:
        return None
    try:
        after = data["after"]
        if type(after) is not int or data["origin"] != origin:
            raise ValueError
        unit.sign_key().verify(base64.b64decode(data["signature"], validate=True),
                               _retire_message(origin, after))
    except (KeyError, TypeError, ValueError, InvalidSignature):
        raise FolderError(f"交换文件夹中电脑“{origin}”的停用记录无效（不是本单位密钥签发的）") from None
    return after

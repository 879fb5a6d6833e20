"""Packages built to exhaust the 编办: a bomb of each kind is refused with a message (never a
traceback, never a MemoryError), while streaming, and leaves no file behind."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
import zstandard
from sqlalchemy import select

from app.core.logrules import MAX_ATTACHMENT_BYTES
from app.db.models import Attachment, EntryText, LogEntry, WorkLog
from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM
from app.sync import container, payload
from app.sync.payload import PayloadError, read_payload
from tests.unit.sync_fixtures import content_hash, reported_world


@pytest.fixture
def world(tmp_path):
    yield from reported_world(tmp_path)


def _first_entry(s):
    log = s.scalars(select(WorkLog).order_by(WorkLog.day)).first()
    return s.scalars(select(LogEntry).where(LogEntry.log_id == log.id)).first()


def _refused(world, rule: str) -> None:
    before = content_hash(world.root / "county.sqlite")
    files = sorted(world.bureau.files_dir.rglob("*")) if world.bureau.files_dir.exists() else []
    [result] = world.receive(world.report("a"))
    assert result.status == "rejected" and rule in result.message, result.message
    assert content_hash(world.root / "county.sqlite") == before
    mirror_files = world.mirror("a").files_dir
    assert not mirror_files.exists() or not [p for p in mirror_files.rglob("*") if p.is_file()]
    assert (sorted(world.bureau.files_dir.rglob("*")) if world.bureau.files_dir.exists() else []) == files


def test_an_attachment_over_the_units_cap_is_refused_and_leaves_no_file(world, tmp_path):
    """51 MB of zeros compress to a few KB: refused from its tar header, before it is read."""
    size = MAX_ATTACHMENT_BYTES + 1
    digest = hashlib.sha256()
    chunk = bytes(1 << 20)
    for _ in range(size // len(chunk)):
        digest.update(chunk)
    digest.update(bytes(size % len(chunk)))
    sha = digest.hexdigest()
    unit = world.units["a"]
    path = unit.files_dir / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)                          # sparse: cheap
    small = b"an honest small attachment"
    small_sha = hashlib.sha256(small).hexdigest()
    (unit.files_dir / small_sha[:2]).mkdir(parents=True, exist_ok=True)
    (unit.files_dir / small_sha[:2] / small_sha).write_bytes(small)
    with unit.session(SYSTEM) as s:
        entry = _first_entry(s)
        s.add(Attachment(entry_id=entry.id, filename="a.txt", sha256=small_sha, size=len(small)))
        s.add(Attachment(entry_id=entry.id, filename="zeros.bin", sha256=sha, size=size))
    _refused(world, "超过50 MB")


def test_a_line_without_end_is_refused_in_linear_time(world):
    with world.units["a"].session(SYSTEM) as s:
        entry = _first_entry(s)
        s.get(EntryText, entry.id).content = "检" * (payload.MAX_LINE // 2)      # 6 MiB of UTF-8
    _refused(world, "有一行超过4 MiB")


def test_the_expanded_size_is_bounded_by_the_package_size(world, monkeypatch):
    monkeypatch.setattr(payload, "MIN_ALLOWANCE", 4096)
    monkeypatch.setattr(payload, "EXPANSION", 1)
    _refused_whole = world.receive(world.report("a", full=True))[0]
    assert _refused_whole.status == "rejected" and "压缩比异常" in _refused_whole.message


def _stream(*members: tuple[str, bytes | None, bytes]) -> list[bytes]:
    """A payload stream with the given (name, data or None, tar type) members."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data or b"")
            tar.addfile(info, io.BytesIO(data) if data else None)
    return [zstandard.ZstdCompressor().compress(raw.getvalue())]


MANIFEST = json.dumps({"columns": {}, "counts": {}, "changes_sha256": hashlib.sha256(b"").hexdigest(),
                       "changes_size": 0, "files": [{"sha256": "a" * 64, "size": 0}]}).encode()


@pytest.mark.parametrize("kind", [tarfile.DIRTYPE, tarfile.CHRTYPE, tarfile.SYMTYPE, tarfile.FIFOTYPE])
def test_a_member_that_is_not_a_plain_file_is_refused(kind):
    stream = _stream(("manifest.json", MANIFEST, tarfile.REGTYPE), ("changes.jsonl", b"", tarfile.REGTYPE),
                     ("files/" + "a" * 64, None, kind))
    with pytest.raises(PayloadError, match="清单未列出的文件"):
        list(read_payload(iter(stream)))


def test_a_directory_in_place_of_the_changes_is_refused():
    stream = _stream(("manifest.json", MANIFEST, tarfile.REGTYPE), ("changes.jsonl", None, tarfile.DIRTYPE))
    with pytest.raises(PayloadError, match="缺少变更数据"):
        list(read_payload(iter(stream)))


HEADER = {"kind": "report", "package_id": "x", "seq": 1, "sender": "u", "sender_name": "某局",
          "schema": "0001", "created_at": "2026-12-01T10:00:00", "suite": "x25519-chacha20poly1305"}


@pytest.mark.parametrize("change, rule", [
    (dict(seq=2 ** 63), "seq超出范围"), (dict(seq=2 ** 70), "seq超出范围"), (dict(upto=-1), "upto超出范围"),
    (dict(base=1.5), "base超出范围"), (dict(suite="none"), "同步包未加密"),
])
def test_header_numbers_and_plaintext_are_refused(change, rule):
    with pytest.raises(container.PackageError, match=rule):
        P.check_header({**HEADER, **change}, {"report"})

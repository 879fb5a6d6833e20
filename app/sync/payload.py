"""The plaintext inside a package: a zstd-compressed tar stream of

    manifest.json        what the package holds: counts per table, column lists, hashes, acks
    changes.jsonl        one JSON array per row: [table, value, value, …] in the manifest's
                         column order for that table (keys are not repeated on every line)
    files/<sha256>       attachment bytes, named by their SHA-256

Writing spools changes.jsonl to a temporary file (a tar header needs the member's size before
its bytes); reading is a single streaming pass, so memory stays bounded at any package size.
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import zstandard

from app.core.errors import AppError
from app.core.logrules import MAX_ATTACHMENT_BYTES

try:        # a third of the stdlib's time on a county import (tests/bench/bench_sync.py)
    from orjson import loads as _parse
except ImportError:     # no orjson wheel for this platform: the stdlib parses the same JSON
    _parse = json.loads

MANIFEST = "manifest.json"
CHANGES = "changes.jsonl"
FILES_PREFIX = "files/"
PIECE = 1 << 20
# What a package may expand to, checked while streaming (a 66 KB package once expanded to 2 GiB):
MAX_LINE = 4 << 20                  # one change line (a row: texts are at most 20,000 characters)
MAX_MANIFEST = 16 << 20
EXPANSION = 200                     # expanded bytes per package byte …
MIN_ALLOWANCE = 256 << 20           # … but never less than this, for small packages


class PayloadError(AppError):
    """The decrypted content is not what the manifest promises (a sender's bug or a forgery
    that somehow passed the signature: either way nothing is written)."""


# One encoder for every row: json.dumps with options builds a new JSONEncoder per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class ChangeWriter:
    """Collects rows into a spooled changes.jsonl while counting and hashing them."""
    columns: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _spool: IO[bytes] = field(default_factory=lambda: tempfile.TemporaryFile())
    _hash: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    size: int = 0

    def add(self, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        known = self.columns.setdefault(table, list(columns))
        if known != list(columns):
            raise ValueError(f"columns of {table} changed within one package")
        encode = _ENCODE
        lines = [encode([table, *row]) + "\n" for row in rows]
        data = "".join(lines).encode("utf-8")
        self._spool.write(data)
        self._hash.update(data)
        self.size += len(data)
        self.counts[table] = self.counts.get(table, 0) + len(lines)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def rewind(self) -> IO[bytes]:
        self._spool.seek(0)
        return self._spool


class _Sink(io.RawIOBase):
    """A write-only file that hands every written piece to a list (drained by the generator)."""

    def __init__(self):
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pieces.append(bytes(data))
        return len(data)


def write_payload(manifest: dict, changes: ChangeWriter,
                  files: Iterable[tuple[str, Path]]) -> Iterator[bytes]:
    """Yield the compressed payload in pieces. `files` are (sha256, path) pairs; the manifest
    gets the change counts, column lists and hash filled in here."""
    manifest = dict(manifest, columns=changes.columns, counts=changes.counts,
                    changes_sha256=changes.sha256, changes_size=changes.size)
    files = list(files)
    manifest["files"] = [{"sha256": sha, "size": path.stat().st_size} for sha, path in files]
    sink = _Sink()
    compressor = zstandard.ZstdCompressor(level=3).stream_writer(sink, closefd=False)
    tar = tarfile.open(fileobj=compressor, mode="w|", format=tarfile.PAX_FORMAT)

    def add(name: str, size: int, stream: IO[bytes]):
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, stream)

    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    add(MANIFEST, len(body), io.BytesIO(body))
    yield from _drain(sink)
    add(CHANGES, changes.size, changes.rewind())
    yield from _drain(sink)
    for sha, path in files:
        with open(path, "rb") as handle:
            add(FILES_PREFIX + sha, path.stat().st_size, handle)
        yield from _drain(sink)
    tar.close()
    compressor.close()
    yield from _drain(sink)


def _drain(sink: _Sink) -> Iterator[bytes]:
    pieces, sink.pieces = sink.pieces, []
    yield from pieces


def _rows(lines: bytes, counts: Counter) -> Iterator[tuple[str, list]]:
    """The change lines of a block, parsed as one JSON array and checked as a whole: json.loads
    per line cost 2.5× as much, and a Python step per row ~1.5 µs of a county import's ~40."""
    if not lines:
        return
    n = lines.count(b"\n") + (not lines.endswith(b"\n"))
    rows = _parse(b"[" + lines.rstrip(b"\n").replace(b"\n", b",") + b"]")
    if len(rows) != n or set(map(type, rows)) != {list} or not all(rows):
        raise PayloadError("同步包变更数据格式错误")
    tables = [row[0] for row in rows]
    if set(map(type, tables)) != {str}:
        raise PayloadError("同步包变更数据格式错误")
    counts.update(tables)
    yield "rows", rows


class _Counted(io.RawIOBase):
    """The decompressed stream, refusing to go on past `limit` bytes (a decompression bomb)."""

    def __init__(self, raw, limit: int):
        self._raw, self._limit, self.read_bytes = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        n = self._raw.readinto(target)
        self.read_bytes += n
        if self.read_bytes > self._limit:
            raise PayloadError(f"同步包解压后超过{self._limit >> 20} MiB（压缩比异常），拒收")
        return n


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte pieces (the decrypted stream)."""

    def __init__(self, pieces: Iterator[bytes]):
        self._pieces = pieces
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._buffer = piece
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _well_formed(manifest: object) -> bool:
    """The manifest fields readers index into have the shapes they expect (a signed package
    from a faulty sender must be refused, not crash the import)."""
    if not isinstance(manifest, dict):
        return False
    columns, files = manifest.get("columns", {}), manifest.get("files", [])
    return (isinstance(columns, dict) and all(type(c) is list for c in columns.values())
            and isinstance(manifest.get("ack") or {}, dict) and isinstance(files, list)
            and all(isinstance(f, dict) and type(f.get("sha256")) is str and type(f.get("size")) is int
                    for f in files))


def read_payload(pieces: Iterator[bytes], packed_size: int = 0) -> Iterator[tuple[str, object]]:
    """Stream the payload: yields ("manifest", dict), then ("rows", [row, …]) for the change
    lines of each block read (a row is [table, value, …]), then ("file", (sha256, bytes)) per
    attachment. Raises PayloadError on any inconsistency —
    after the last row, if the changes' hash or counts differ from the manifest — and on any
    limit passed: the expanded size (EXPANSION × `packed_size`, at least MIN_ALLOWANCE), a
    line, an attachment (the unit's own cap), a member that is not a plain file."""
    try:
        raw = zstandard.ZstdDecompressor().stream_reader(
            io.BufferedReader(_ChunkReader(pieces), PIECE), read_across_frames=True)
        counted = _Counted(raw, max(MIN_ALLOWANCE, EXPANSION * packed_size))
        # read the stream a megabyte at a time (tarfile's default: 10 KiB, 5,500 reads a unit-year)
        tar = tarfile.open(fileobj=counted, mode="r|", bufsize=PIECE)
        member = tar.next()
        if member is None or member.name != MANIFEST or not member.isfile() or member.size > MAX_MANIFEST:
            raise PayloadError("同步包内容缺少清单（manifest）")
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
        if not _well_formed(manifest):
            raise PayloadError("同步包清单格式错误")
        yield "manifest", manifest
        member = tar.next()
        if member is None or member.name != CHANGES or not member.isfile():
            raise PayloadError("同步包内容缺少变更数据")
        digest = hashlib.sha256()
        counts: Counter = Counter()
        size = 0
        reader = tar.extractfile(member)
        tail = b""
        while block := reader.read(PIECE):
            digest.update(block)
            size += len(block)
            block = tail + block
            cut = block.rfind(b"\n") + 1
            tail = block[cut:]
            if len(tail) > MAX_LINE:        # else a line without end costs quadratic time
                raise PayloadError(f"同步包变更数据中有一行超过{MAX_LINE >> 20} MiB，拒收")
            yield from _rows(block[:cut], counts)
        yield from _rows(tail, counts)       # a last line without its newline
        if (digest.hexdigest() != manifest.get("changes_sha256") or size != manifest.get("changes_size")
                or dict(counts) != manifest.get("counts")):
            raise PayloadError("同步包变更数据与清单不符（哈希或条数不一致）")
        expected = {f["sha256"]: f["size"] for f in manifest.get("files", [])}
        seen = set()
        for member in iter(tar.next, None):
            sha = member.name[len(FILES_PREFIX):]
            if (not member.name.startswith(FILES_PREFIX) or sha not in expected or sha in seen
                    or not member.isfile()):
                raise PayloadError(f"同步包中有清单未列出的文件：{member.name[:80]}")
            if member.size != expected[sha] or member.size > MAX_ATTACHMENT_BYTES:
                raise PayloadError(f"附件{sha[:12]}…大小{member.size}字节，超过{MAX_ATTACHMENT_BYTES >> 20} MB"
                                   "或与清单不符，拒收")
            data = tar.extractfile(member).read()
            if hashlib.sha256(data).hexdigest() != sha or len(data) != expected[sha]:
                raise PayloadError(f"附件内容与其SHA-256不符：{sha[:12]}…")
            seen.add(sha)
            yield "file", (sha, data)
        if seen != set(expected):
            raise PayloadError(f"同步包缺少{len(set(expected) - seen)}个附件")
    except (tarfile.TarError, zstandard.ZstdError, UnicodeDecodeError, ValueError, EOFError) as exc:
        raise PayloadError(f"同步包内容损坏：{exc.__class__.__name__}") from exc

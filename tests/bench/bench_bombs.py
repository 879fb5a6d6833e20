"""Decompression bombs against the payload reader: the time to refuse each and the peak memory.

    .venv/bin/python tests/bench/bench_bombs.py

Each bomb is a zstd tar stream as a package carries it (the container's signature and
encryption are not the point here: a unit holding its own key can sign any payload):
- attachment: a 2 GiB file of zeros (compresses to ~70 KB), refused from its tar header;
- line: 256 MiB of changes without a newline (once 48 s of quadratic work), refused at 4 MiB;
- expansion: 1 GiB of well-formed change lines from a small stream, refused at the allowance
  (200 × the package size, at least 256 MiB).
Figures go to tests/bench/README.md.
"""
from __future__ import annotations

import hashlib
import io
import json
import resource
import sys
import tarfile
import time
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from app.sync.payload import PayloadError, read_payload  # noqa: E402

GIB = 1 << 30


def stream(members, total_hint: int = 0):
    """Compressed pieces of a tar of (name, size, chunk-source) members, made on the fly."""
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor(level=3).stream_writer(out, closefd=False)
    tar = tarfile.open(fileobj=compressor, mode="w|", format=tarfile.PAX_FORMAT)
    for name, size, source in members:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, source)
    tar.close()
    compressor.close()
    data = out.getvalue()
    return [data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20)], len(data)


class Repeat:
    """`size` bytes of `unit` repeated (a whole number of units), read in pieces."""

    def __init__(self, unit: bytes, size: int):
        self.unit, self.left, self.offset = unit, size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        reps = -(-(n + self.offset) // len(self.unit))
        data = (self.unit * reps)[self.offset:self.offset + n]
        self.offset = (self.offset + n) % len(self.unit)
        self.left -= len(data)
        return data


def manifest(files=(), changes_size=0) -> bytes:
    empty = hashlib.sha256(b"").hexdigest()
    return json.dumps({"columns": {}, "counts": {}, "changes_sha256": empty, "changes_size": changes_size,
                       "files": [{"sha256": s, "size": n} for s, n in files]}).encode()


def run(name: str, pieces, packed: int) -> None:
    started = time.perf_counter()
    try:
        for _ in read_payload(iter(pieces), packed):
            pass
        outcome = "accepted (!)"
    except PayloadError as exc:
        outcome = str(exc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:<10} package {packed / 1024:8.0f} KiB  refused in {time.perf_counter() - started:6.2f} s"
          f"  peak RSS {peak:6.0f} MiB  {outcome}")


def main() -> None:
    zero_sha = "0" * 64
    pieces, packed = stream([("manifest.json", len(m := manifest([(zero_sha, 2 * GIB)])), io.BytesIO(m)),
                             ("changes.jsonl", 0, io.BytesIO()),
                             ("files/" + zero_sha, 2 * GIB, Repeat(b"\0", 2 * GIB))])
    run("attachment", pieces, packed)
    size = 256 << 20
    pieces, packed = stream([("manifest.json", len(m := manifest(changes_size=size)), io.BytesIO(m)),
                             ("changes.jsonl", size, Repeat(b"a", size))])
    run("line", pieces, packed)
    line = json.dumps(["setting", "x" * 1000]).encode() + b"\n"
    count = GIB // len(line)
    body = Repeat(line, count * len(line))
    pieces, packed = stream([("manifest.json", len(m := manifest(changes_size=count * len(line))), io.BytesIO(m)),
                             ("changes.jsonl", count * len(line), body)])
    run("expansion", pieces, packed)


if __name__ == "__main__":
    main()

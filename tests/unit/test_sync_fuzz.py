"""Fuzzing the 编办's package import: over a thousand damaged, forged, replayed or misdirected
上报包, each refused (or found a duplicate / older) with its own Chinese message, none imported,
and the 编办 — its database and every unit mirror — byte-for-byte the same content afterwards.

The world: a 编办 with two enrolled demo units. Unit 1 exported A1, changed a log, exported A2;
unit 2 exported B1, added a log with a 200 KB attachment, exported B2 (over 3 cipher chunks).
The 编办 has imported A2 and B1; B2 is the genuine package every mutation starts from (a mutation
that slipped through would import). A second 编办 with its own unit supplies a package from an
unknown sender and a key to re-encrypt to (wrong recipient).

Mutations are made in memory from random.Random(SEED) and written to one scratch file in turn.
The whole run is made twice: a county in the classic suite, and one in 国密 (SM2/SM3/SM4).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import sqlite3
import struct
import tarfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard
from tests.conftest import CHEAP_PASSWORD_PARAMETERS

from tests.signers import signed
from app.core import vocab
from app.core.logrules import EntryDraft
from app.core.metrics import parse_period
from app.core.validators import make_credit_code
from app.services.org import passwords
from app.services.logs import attachments, daily as logs
from app.services.county import bureau, table as county
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment, suite_choice, unit_side as unit_sync
from app.services.exchange import packages as P
from app.services.org.actor import SYSTEM, Actor
from app.demo.unit import generate_demo
from app.services.org.setup import UnitSetup, initialise_unit, open_database
from app.sync import container
from app.sync.keys import generate
from app.sync.payload import CHANGES, MANIFEST

SEED = 20261105
END = dt.date(2026, 10, 31)
CHANGE_DAY, CHANGE_TODAY = dt.date(2026, 11, 2), dt.date(2026, 11, 5)
CHUNK = container.CHUNK_SIZE + container.X25519ChaChaSuite.TAG
HEADER_CODES = {"header", "truncated", "trailing", "future_format", "suite", "unknown_sender",
                "wrong_key", "signature", "future_schema", "kind"}


def code(n: int) -> str:
    return make_credit_code("11371321", f"MB28{5103 + n:04d}")


# ---------------------------------------------------------------- content hash
_QUERIES: dict[tuple, list[tuple[str, str]]] = {}


def _row_queries(conn: sqlite3.Connection, schema: tuple) -> list[tuple[str, str]]:
    """(table, SELECT every row in primary-key order) per table, worked out once per schema."""
    if schema not in _QUERIES:
        queries = []
        for kind, table, _ in schema:
            if kind != "table" or table.startswith("sqlite_"):
                continue
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            keys = [f'"{c[1]}"' for c in sorted(info, key=lambda c: c[5]) if c[5] > 0]
            order = ", ".join(keys) or ", ".join(str(i + 1) for i in range(len(info)))
            queries.append((table, f'SELECT * FROM "{table}" ORDER BY {order}'))
        _QUERIES[schema] = queries
    return _QUERIES[schema]


def db_content_hash(path: Path, conn: sqlite3.Connection | None = None) -> str:
    """SHA-256 over the schema and every row of every table, rows in primary-key order."""
    own = conn is None
    if own:
        conn = sqlite3.connect(path, isolation_level=None)
    try:
        digest = hashlib.sha256()
        schema = tuple(conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"))
        digest.update(repr(schema).encode())
        for table, query in _row_queries(conn, schema):
            digest.update(f"\x00{table}\x00".encode())
            digest.update(repr(conn.execute(query).fetchall()).encode())
        return digest.hexdigest()
    finally:
        if own:
            conn.close()


def bureau_files(db_path: Path) -> list[Path]:
    """The 编办's database and every mirror under `<db>.units/`."""
    db_path = Path(db_path)
    return [db_path, *sorted(db_path.with_name(db_path.name + ".units").glob("*.sqlite"))]


def bureau_content_hash(db_path: Path) -> str:
    """The 编办's whole state: its database and every mirror."""
    parts = [f"{path.name}:{db_content_hash(path)}" for path in bureau_files(db_path)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Watch:
    """Which of the 编办's files had a transaction committed since the last look, from SQLite's
    `PRAGMA data_version` (it changes when another connection commits). Only those need their
    content hashed again: hashing a mirror costs ~0.1 s, a thousand times over."""

    def __init__(self, db_path: Path):
        self.conns = {p: sqlite3.connect(p, isolation_level=None) for p in bureau_files(db_path)}
        self.seen = {p: self._version(p) for p in self.conns}

    def _version(self, path: Path) -> int:
        return self.conns[path].execute("PRAGMA data_version").fetchone()[0]

    def content_hash(self, path: Path) -> str:
        return db_content_hash(path, self.conns[path])

    def committed(self) -> list[Path]:
        now = {p: self._version(p) for p in self.conns}
        changed = [p for p in now if now[p] != self.seen[p]]
        self.seen = now
        return changed

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


# ---------------------------------------------------------------- the world
@dataclass
class World:
    root: Path
    db: object            # the 编办 Database
    mirrors: Mirrors
    units: dict           # "A"/"B" → unit Database
    packages: dict        # "A1", "A2", "B1", "B2", "C1" → Path
    other_bureau_keys: object
    work: Path
    family: str = container.CLASSIC

    def recipient_keys(self, keys):
        """`keys`' public half as a sender in this county seals to it (with SM2 in 国密)."""
        return keys.public_with_sm2() if self.family == container.GUOMI else keys.public()


def _fast_hashing():
    mp = pytest.MonkeyPatch()
    mp.setattr(passwords, "PARAMETERS", CHEAP_PASSWORD_PARAMETERS)
    return mp


def _new_bureau(path: Path, n: int):
    db = open_database(path, create=True)
    initialise_unit(db, UnitSetup(f"测试县委编办{n}", code(n * 10), edition="bureau"))
    return db, Mirrors(db)


def _enrolled_unit(db, mirrors, root: Path, name: str, n: int, seed: int | None):
    """A unit registered by the 编办 `db`: a demo unit with a month of logs, or (seed None) one
    with the registration only."""
    unit_id = bureau.register_unit(
        db, SYSTEM, UnitSetup(name, code(n), staffing_quotas={"行政编制": 30, "事业编制": 10},
                              leader_posts={"正职": 1, "副职": 4}), task_class="服务经济", key_tasks=8)
    usb = root / f"enroll{n}"
    usb.mkdir()
    written = enrollment.write_enrollment(db, mirrors, unit_id, usb)
    if seed is None:
        return enrollment.create_from_enrollment(root / f"unit{n}.sqlite", written.path, written.code)[0]
    generate_demo(root / f"unit{n}.sqlite", seed=seed, months=1, people=30, end=END,
                  enrollment=written.path, enrollment_code=written.code)
    return open_database(root / f"unit{n}.sqlite")


def _staff_actor(unit) -> Actor:
    conn = sqlite3.connect(unit.path)
    try:
        pid, login, name, role, section = conn.execute(
            "SELECT id, login, name, role, section_id FROM person WHERE role = ? AND is_admin = 0 "
            "ORDER BY login LIMIT 1", (vocab.ROLE_STAFF,)).fetchone()
    finally:
        conn.close()
    return signed(unit, Actor(pid, login, name, role, section, False))


def _change(unit, text: str, attachment: bytes | None = None, scratch: Path | None = None) -> None:
    """One more submitted log (optionally with an attachment) after the demo month."""
    refs = ()
    if attachment is not None:
        source = scratch / "现场检查照片.bin"
        source.write_bytes(attachment)
        refs = (attachments.store_file(unit, source),)
    category = logs.category_names(unit)[0]
    logs.save_day(unit, _staff_actor(unit), CHANGE_DAY, vocab.DAY_NORMAL,
                  [EntryDraft(hours=7.5, category=category, content=text, attachments=refs)],
                  submit=True, today=CHANGE_TODAY)


def _export(unit, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    return unit_sync.export_report(unit, out).path


@pytest.fixture(scope="module", params=[container.CLASSIC, container.GUOMI])
def world(tmp_path_factory, request):
    w = build_world(tmp_path_factory.mktemp("fuzz"), request.param)
    yield w
    w.mirrors.close()
    w.db.dispose()
    for unit in w.units.values():
        unit.dispose()


def build_world(root: Path, family: str) -> World:
    mp = _fast_hashing()
    try:
        db, mirrors = _new_bureau(root / "county.sqlite", 1)
        suite_choice.set_county_family(db, SYSTEM, family)
        a = _enrolled_unit(db, mirrors, root, "测试县市场监督管理局", 1, seed=11)
        b = _enrolled_unit(db, mirrors, root, "测试县人力资源和社会保障局", 2, seed=12)
        packages = {"A1": _export(a, root / "a1")}
        _change(a, "核查个体工商户年报信息23户")
        packages["A2"] = _export(a, root / "a2")
        packages["B1"] = _export(b, root / "b1")
        blob = random.Random(SEED).randbytes(200_000)   # incompressible: B2 spans > 3 chunks
        _change(b, "整理劳动保障监察案卷并上传现场照片", blob, root)
        packages["B2"] = _export(b, root / "b2")
        d = _enrolled_unit(db, mirrors, root, "测试县统计局", 4, seed=None)
        packages["D1"] = _export(d, root / "d1")   # a first package: it brings the unit's keys
        d.dispose()
        for name in ("A2", "B1"):
            (result,) = bureau.import_packages(db, mirrors, [packages[name]], apply=True)
            assert result.status == P.IMPORTED, result.message
        # The county cache holds every unit's staffing snapshot, as after any dashboard visit
        # (a refused package re-derives it from the unchanged mirror: same row, same content).
        county.county_table(db, mirrors, parse_period("2026-10"))
        (root / "other").mkdir()
        other, other_mirrors = _new_bureau(root / "other" / "county.sqlite", 2)
        suite_choice.set_county_family(other, SYSTEM, family)
        c = _enrolled_unit(other, other_mirrors, root / "other", "外县市场监督管理局", 3, seed=None)
        packages["C1"] = _export(c, root / "c1")
        other_keys = P.ensure_keys(other)
        other_mirrors.close()
        other.dispose()
        c.dispose()
    finally:
        mp.undo()
    work = root / "work"
    work.mkdir()
    w = World(root, db, mirrors, {"A": a, "B": b}, packages, None, work, family)
    w.other_bureau_keys = w.recipient_keys(other_keys)
    return w


# ---------------------------------------------------------------- package surgery
@dataclass
class Parts:
    prefix: bytes        # magic + header length
    header: bytes
    body: bytes
    sig: bytes

    @classmethod
    def of(cls, data: bytes) -> "Parts":
        (n,) = struct.unpack(">I", data[8:12])
        body_length = json.loads(data[12:12 + n])["body_length"]
        return cls(data[:12], data[12:12 + n], data[12 + n:12 + n + body_length],
                   data[12 + n + body_length:])

    def join(self) -> bytes:
        return self.prefix + self.header + self.body + self.sig

    def regions(self) -> list[tuple[str, int, int]]:
        h = 12 + len(self.header)
        b = h + len(self.body)
        return [("magic", 0, 8), ("length", 8, 12), ("header", 12, h), ("body", h, b),
                ("sig", b, b + len(self.sig))]


def region_of(parts: Parts, offset: int) -> str:
    return next(name for name, start, end in parts.regions() if start <= offset < end)


def resign(parts: Parts, keys) -> Parts:
    """The same header and body signed again with `keys` (a sender re-signing its own bytes),
    as the header's suite signs (Ed25519 over SHA-256, or SM2 over SM3)."""
    suite = container.SUITES[json.loads(parts.header)["suite"]]()
    digest = suite.new_hash()
    digest.update(parts.body)
    message = container.signed_message(parts.header, digest.digest())
    return Parts(parts.prefix, parts.header, parts.body, suite.sign(keys, message))


def plaintext(path: Path, sender, db) -> tuple[dict, bytes]:
    """The header fields `sender` chose and the decrypted payload of its package to `db`."""
    opened = container.read_header(path)
    container.verify(opened, P.ensure_keys(sender).public())
    payload = b"".join(container.open_payload(opened, P.ensure_keys(db)))
    reserved = set(container._RESERVED) | {"ephemeral", "salt", "recipient"}
    return {k: v for k, v in opened.header.items() if k not in reserved}, payload


def reseal(out: Path, header: dict, payload: bytes, sign_keys, recipient, family: str) -> bytes:
    container.write_package(out, header, [payload], sign_key=sign_keys, recipient=recipient,
                            suite=container.suite_for(family, recipient))
    return out.read_bytes()


def untar(payload: bytes) -> list[tuple[str, bytes]]:
    raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(payload), read_across_frames=True)
    with tarfile.open(fileobj=raw, mode="r|") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar]


def retar(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return zstandard.ZstdCompressor(level=1).compress(buf.getvalue())


def edit_changes(members, edit) -> list[tuple[str, bytes]]:
    """Apply `edit(manifest, lines)` and fix the manifest's hash, size and counts to match, so
    only the merge checks stand between the rows and the database."""
    manifest = json.loads(dict(members)[MANIFEST])
    lines = dict(members)[CHANGES].decode().splitlines(keepends=True)
    edit(manifest, lines)
    data = "".join(lines).encode()
    counts = Counter(json.loads(line)[0] for line in lines)
    manifest.update(changes_sha256=hashlib.sha256(data).hexdigest(), changes_size=len(data),
                    counts=dict(counts))
    return [(MANIFEST, json.dumps(manifest).encode()), (CHANGES, data),
            *[(n, d) for n, d in members if n not in (MANIFEST, CHANGES)]]


# ---------------------------------------------------------------- mutations
@dataclass
class Case:
    kind: str
    data: bytes | Path       # mutated bytes, or a genuine file imported as it is
    codes: frozenset[str]    # acceptable rejection codes ('' for duplicate / older)
    status: str = P.REJECTED


def flip(data: bytes, offsets: list[int], rng: random.Random) -> bytes:
    out = bytearray(data)
    for offset in offsets:
        out[offset] ^= 1 << rng.randrange(8)
    return bytes(out)


def flip_codes(parts: Parts, offsets: list[int]) -> frozenset[str]:
    """What a reader must say about bit flips at `offsets`: the magic is checked first; a
    damaged header or length can fail any header check or the signature; body and signature
    flips fail the signature."""
    hit = {region_of(parts, o) for o in offsets}
    if "magic" in hit:
        return frozenset({"not_package"})
    if hit & {"length", "header"}:
        return frozenset(HEADER_CODES)
    return frozenset({"signature"})


def with_header(parts: Parts, header: dict) -> Parts:
    raw = container.encode_header(header)
    return Parts(parts.prefix[:8] + struct.pack(">I", len(raw)), raw, parts.body, parts.sig)


def chunks(body: bytes) -> list[bytes]:
    return [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)]


def size_codes(header_of: Parts, body_of: Parts) -> frozenset[str] | None:
    own = json.loads(header_of.header)["body_length"]
    if len(body_of.body) < own or (len(body_of.body) == own and len(body_of.sig) < 64):
        return frozenset({"truncated"})
    if len(body_of.body) > own:
        return frozenset({"trailing"})
    return None


def make_cases(w: World, rng: random.Random) -> list[Case]:
    genuine = {name: path.read_bytes() for name, path in w.packages.items()}
    b2 = Parts.of(genuine["B2"])
    data = b2.join()
    assert data == genuine["B2"] and len(chunks(b2.body)) > 3
    unit_b = P.ensure_keys(w.units["B"])
    cases: list[Case] = []
    add = cases.append

    for _ in range(420):                                   # one bit anywhere
        offset = rng.randrange(len(data))
        add(Case("flip:" + region_of(b2, offset), flip(data, [offset], rng), flip_codes(b2, [offset])))
    for _ in range(130):                                   # one bit in magic, length or header
        offset = rng.randrange(12 + len(b2.header))
        add(Case("flip:" + region_of(b2, offset), flip(data, [offset], rng), flip_codes(b2, [offset])))
    for _ in range(12):                                    # one bit in the magic
        offset = rng.randrange(8)
        add(Case("flip:magic", flip(data, [offset], rng), flip_codes(b2, [offset])))
    for _ in range(40):                                    # one bit in the signature
        offset = rng.randrange(len(data) - 64, len(data))
        add(Case("flip:sig", flip(data, [offset], rng), flip_codes(b2, [offset])))
    for _ in range(150):                                   # 2–16 bits anywhere
        offsets = [rng.randrange(len(data)) for _ in range(rng.randint(2, 16))]
        add(Case("flips", flip(data, offsets, rng), flip_codes(b2, offsets)))

    ends = [e for _, _, e in b2.regions()]
    cuts = [0, 1, 7, 8, 11, 12, *[e - 1 for e in ends], *ends[:-1]]
    cuts += [rng.randrange(len(data)) for _ in range(110)]
    for cut in cuts:                                       # truncated anywhere
        add(Case("truncate", data[:cut], frozenset({"truncated"})))
    for _ in range(60):                                    # bytes appended
        extra = rng.randbytes(rng.choice([1, 2, 64, rng.randrange(1, 70_000)]))
        add(Case("append", data + extra, frozenset({"trailing"})))

    pieces = chunks(b2.body)
    full = [i for i, c in enumerate(pieces) if len(c) == CHUNK]
    for n in range(60):                                    # 64 KiB cipher chunks reordered
        order = list(range(len(pieces)))
        if n % 3 == 2:
            rng.shuffle(order)                             # may move the short last chunk
        else:
            i, j = rng.sample(full, 2)
            order[i], order[j] = order[j], order[i]
        if order == sorted(order):
            order[0], order[1] = order[1], order[0]
        moved = Parts(b2.prefix, b2.header, b"".join(pieces[k] for k in order), b2.sig)
        add(Case("chunks:reordered", moved.join(), frozenset({"signature"})))
        if n % 2 == 0:   # re-signed by the unit itself: only the AEAD chunk order can tell
            add(Case("chunks:reordered+resigned", resign(moved, unit_b).join(), frozenset({"decrypt"})))
    for _ in range(10):                                    # a chunk repeated in place of another
        i, j = rng.sample(full, 2)
        copied = pieces[:i] + [pieces[j]] + pieces[i + 1:]
        add(Case("chunks:duplicated+resigned",
                 resign(Parts(b2.prefix, b2.header, b"".join(copied), b2.sig), unit_b).join(),
                 frozenset({"decrypt"})))

    others = {n: Parts.of(d) for n, d in genuine.items() if n != "B2"}
    for name, other in others.items():                     # headers swapped between packages
        unknown = name == "C1"
        for header_of, body_of in ((other, b2), (b2, other)):
            swapped = Parts(header_of.prefix, header_of.header, body_of.body, body_of.sig)
            expected = size_codes(header_of, body_of) or frozenset(
                {"unknown_sender" if unknown and header_of is other else "signature"})
            add(Case(f"swap-header:{name}", swapped.join(), expected))
    same = Parts.of(genuine["A2"])                          # same length: only the signature tells
    body = (same.body * 4)[:len(b2.body)]
    add(Case("swap-header:same-length", Parts(b2.prefix, b2.header, body, same.sig).join(),
             frozenset({"signature"})))

    d1 = Parts.of(genuine["D1"])                            # the keys a first package brings
    start = d1.header.index(b'"sender_keys"')
    end = d1.header.index(b"}", start)
    for _ in range(30):
        offset = 12 + rng.randrange(start, end)
        add(Case("first-keys:flip", flip(d1.join(), [offset], rng), frozenset(HEADER_CODES)))
    for keys in ({"sign": "!!", "box": "!!"}, "没有密钥", {}):
        broken = with_header(d1, dict(json.loads(d1.header), sender_keys=keys))
        add(Case("first-keys:broken", broken.join(), frozenset({"header"})))

    attacker = generate()
    for _ in range(10):                                    # signed by someone else
        add(Case("resigned:stranger", resign(b2, attacker).join(), frozenset({"signature"})))
        forged = dict(json.loads(b2.header), sender_key=attacker.public().fingerprint())
        add(Case("resigned:stranger-key", resign(with_header(b2, forged), attacker).join(),
                 frozenset({"wrong_key"})))

    for name in ("A2", "B1"):                              # replayed
        for _ in range(3):
            add(Case("replayed", w.packages[name], frozenset({""}), P.DUPLICATE))
    add(Case("older", w.packages["A1"], frozenset({""}), P.OLDER))
    add(Case("unknown-unit", w.packages["C1"], frozenset({"unknown_sender"})))

    header, payload = plaintext(w.packages["B2"], w.units["B"], w.db)
    scratch = w.work / "resealed.lzkp"
    for _ in range(3):                                     # signed by the unit, sealed to another 编办
        add(Case("wrong-recipient",
                 reseal(scratch, header, payload, unit_b, w.other_bureau_keys, w.family),
                 frozenset({"wrong_recipient"})))
    own = w.recipient_keys(P.ensure_keys(w.db))
    members = untar(payload)
    assert reseal(scratch, header, retar(members), unit_b, own, w.family)   # the rebuilt tar is fine
    good_changes = dict(members)[CHANGES]
    for _ in range(24):                                    # changes damaged inside a signed package
        bad = flip(good_changes, [rng.randrange(len(good_changes)) for _ in range(rng.randint(1, 4))], rng)
        rebuilt = [(n, bad if n == CHANGES else d) for n, d in members]
        add(Case("resealed:changes-flipped",
                 reseal(scratch, header, retar(rebuilt), unit_b, own, w.family),
                 frozenset({"payload", "merge"})))
    for kind, codes, members_of in structured_payloads(w, members):
        add(Case("resealed:" + kind,
                 reseal(scratch, header, retar(members_of), unit_b, own, w.family),
                 frozenset(codes)))
    return cases


def structured_payloads(w: World, members):
    """Signed-by-the-sender payloads that are well-formed but must not be merged."""
    manifest = json.loads(dict(members)[MANIFEST])

    def with_manifest(**changes):
        return [(MANIFEST, json.dumps(dict(manifest, **changes)).encode()),
                *[(n, d) for n, d in members if n != MANIFEST]]

    yield "manifest-seq", {"payload"}, with_manifest(seq=manifest["seq"] + 1)
    yield "manifest-counts", {"payload"}, with_manifest(
        counts={**manifest["counts"], "work_log": manifest["counts"]["work_log"] + 1})
    yield "manifest-files-missing", {"payload"}, with_manifest(files=[])
    yield "manifest-not-object", {"payload"}, [(MANIFEST, b"[1, 2]"),
                                               *[(n, d) for n, d in members if n != MANIFEST]]
    yield "attachment-replaced", {"payload"}, [
        (n, (b"x" * len(d)) if n.startswith("files/") else d) for n, d in members]
    yield "attachment-missing", {"payload"}, [(n, d) for n, d in members if not n.startswith("files/")]

    def bureau_row(m, lines):   # a row stamped with the 编办's origin
        row = json.loads(lines[-1])
        cols = m["columns"][row[0]]
        row[1 + cols.index("origin")] = w.db.origin
        lines[-1] = json.dumps(row, ensure_ascii=False) + "\n"

    def forbidden_table(m, lines):   # the unit writing its own quota
        m["columns"]["staffing_quota"] = ["id", "hlc", "origin", "deleted", "unit_id", "kind",
                                          "name", "quota"]
        lines.append(json.dumps(["staffing_quota", "0" * 32, "9999999999999-00000", "u", False,
                                 w.units["A"].unit_id, "staffing", "行政编制", 999]) + "\n")

    def bad_value(m, lines):
        row = json.loads(lines[-1])
        row[1 + m["columns"][row[0]].index("hlc")] = "yesterday"
        lines[-1] = json.dumps(row, ensure_ascii=False) + "\n"

    def repeated_row(m, lines):
        lines.append(lines[-1])

    def dangling_reference(m, lines):   # an entry of a log the package does not hold
        i = max(i for i, line in enumerate(lines) if line.startswith('["log_entry"'))
        row = json.loads(lines[i])
        cols = m["columns"]["log_entry"]
        row[1 + cols.index("id")] = "01" + "7" * 30
        row[1 + cols.index("log_id")] = "01" + "8" * 30
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")

    yield "manifest-columns-list", {"payload"}, with_manifest(columns=[])
    yield "manifest-files-odd", {"payload"}, with_manifest(files=[1])
    yield "manifest-ack-list", {"payload"}, with_manifest(ack=[1])
    for kind, edit in (("bureau-origin", bureau_row), ("forbidden-table", forbidden_table),
                       ("bad-value", bad_value), ("repeated-row", repeated_row),
                       ("dangling-reference", dangling_reference)):
        yield kind, {"merge"}, edit_changes(members, edit)


# ---------------------------------------------------------------- the test
CJK = range(0x4E00, 0xA000)


def check(case: Case, result: P.PackageResult) -> None:
    assert result.status == (P.SKIPPED if result.code == "kind" else case.status), \
        f"{case.kind}: {result.status} {result.code} {result.message}"
    assert result.code in case.codes, f"{case.kind}: code {result.code!r} ({result.message})"
    assert result.message and any(ord(ch) in CJK for ch in result.message), result.message
    assert "Traceback" not in result.message
    result.message.encode("utf-8")   # printable on any console


def test_mutated_packages_are_refused_and_change_nothing(world):
    w = world
    rng = random.Random(SEED)
    started = time.perf_counter()
    cases = make_cases(w, rng)
    made = time.perf_counter() - started
    assert len(cases) >= 1000
    before = bureau_content_hash(w.db.path)
    hashes = {p: db_content_hash(p) for p in bureau_files(w.db.path)}
    watch = Watch(w.db.path)
    scratch = w.work / "上报包.lzkp"
    seen: Counter = Counter()
    rehashed = 0
    started, cpu = time.perf_counter(), time.process_time()
    for n, case in enumerate(cases):
        if isinstance(case.data, Path):
            path = case.data
        else:
            scratch.write_bytes(case.data)
            path = scratch
        try:
            (result,) = bureau.import_packages(w.db, w.mirrors, [path], apply=True)
        except Exception as exc:   # a traceback is a failure whatever the mutation
            raise AssertionError(f"{case.kind}: {exc!r}") from exc
        check(case, result)
        seen[(case.kind.split(":")[0], result.status, result.code)] += 1
        for path in watch.committed():   # e.g. the county cache marked dirty and refreshed
            rehashed += 1
            assert watch.content_hash(path) == hashes[path], f"{case.kind} changed {path.name}"
        if n % 100 == 99:   # and now and then the whole state, trusting nothing
            assert bureau_content_hash(w.db.path) == before
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    watch.close()
    assert bureau_content_hash(w.db.path) == before
    print(f"\n{len(cases)} mutated packages: made in {made:.1f} s, imported in {took:.1f} s "
          f"(CPU {cpu:.1f} s); "
          f"{rehashed} database files re-hashed after a commit")
    for key, n in sorted(seen.items()):
        print(f"  {n:4d}  {' / '.join(key)}")
    codes = {code for (_, _, code) in seen}
    assert {"not_package", "header", "truncated", "trailing", "signature", "wrong_key", "decrypt",
            "wrong_recipient", "unknown_sender", "payload", "merge"} <= codes

    # the genuine packages still go through: B2 imports with its attachment, A1 stays older
    older, result = bureau.import_packages(w.db, w.mirrors, [w.packages["A1"], w.packages["B2"]],
                                           apply=True)
    assert (older.status, result.status) == (P.OLDER, P.IMPORTED), result.message
    assert result.plan.counts["attachment"].new == 1
    assert bureau_content_hash(w.db.path) != before
    again = bureau.import_packages(w.db, w.mirrors, [w.packages["B2"]], apply=True)
    assert [r.status for r in again] == [P.DUPLICATE]
    (first,) = bureau.import_packages(w.db, w.mirrors, [w.packages["D1"]], apply=True)
    assert first.status == P.IMPORTED and first.new_key, first.message

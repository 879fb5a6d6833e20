"""Benchmark: the 编办's import of a unit's 上报包 with Ed25519 vs SM2 personal signatures.

    .venv/bin/python tests/bench/bench_sm2_statements.py                  # unit-month and unit-year
    .venv/bin/python tests/bench/bench_sm2_statements.py --part month     # the unit-month only
    .venv/bin/python tests/bench/bench_sm2_statements.py --year-rounds 0  # skip the pure-SM2 year

The units are bench_sync.py's demo units (app.demo.county.generate_county: one unit of
--people, 1 month or 12 months, cached under --cache). For each:
  classic  the generated 上报包: 通用 suite, every statement Ed25519 (as the demo signs them);
  guomi    the same unit after its 编办 chose 国密: every statement signed again with the person's
           SM2 key (derived from their Ed25519 key, unsealed with the demo password, as the program
           derives it) and their key rows endorsed, then a full 上报包 in the 国密 suite.
Each package is imported into a fresh copy of the 编办 (bureau.import_packages), the guomi one
with SM2 verified by the system's OpenSSL (the default where libcrypto 3 loads), by the fast
(gmssl-fast) and by the pure (gmalg) backend; the signatures checked in earlier
rounds are forgotten before each round. Reported: median wall and CPU ms, the time inside
verify.mark (every touched log's statements checked), and the raw-sqlite3 floor (executemany of
the package's rows into a fresh mirror, bench_sync.raw_insert). Target: unit-month < 1 s with
the fastest SM2 verifier present. Prints figures; not a pass/fail test.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select  # noqa: E402

import bench_sync as B  # noqa: E402
from app.core import gm, signing  # noqa: E402
from app.db.models import Credential, PersonKey, Setting, SignedStatement  # noqa: E402
from app.services.county import bureau  # noqa: E402
from app.services.county.mirrors import Mirrors  # noqa: E402
from app.services.org.setup import open_database  # noqa: E402
from app.services.signing import verify  # noqa: E402


def use_backend(name: str) -> str:
    """Make `name` verify SM2 ("openssl": OpenSSL verifies, the fast or pure backend signs)."""
    os.environ["LZKP_SM2_BACKEND"] = name
    gm.backend.cache_clear()
    return gm.verifier().name


def resign_sm2(db) -> int:
    """Every statement of the unit signed again in SM2 by its person's derived key, and every key
    row given its SM2 public key and endorsement (what the program writes in a 国密 county)."""
    with db.session() as s:
        password = json.loads(s.scalar(select(Setting.value).where(Setting.key == "demo.password")))
        sealed = dict(s.execute(select(Credential.person_id, Credential.sealed_key)).all())
        signers = {}
        for key in s.scalars(select(PersonKey)):
            private = signing.unseal(sealed[key.person_id], password)
            assert signing.public_text(private) == key.public_key
            signers[key.id] = signer = signing.Signer(key.person_id, key.id, private)
            key.sm2_public, key.sm2_endorsement = signer.sm2_public(), signer.sm2_endorsement()
        n = 0
        for st in s.scalars(select(SignedStatement)):
            st.alg = signing.ALG_SM2
            st.value = signers[st.key_id].sign(st.id, st.kind, st.created_at, st.items, st.alg)
            n += 1
    return n


def statements_in(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(SignedStatement)),
                s.scalar(select(func.count()).where(SignedStatement.alg == signing.ALG_SM2)))


def imports(folder: Path, package: Path, work: Path, rounds: int) -> dict:
    """Median wall/CPU ms of the import, ms inside verify.mark, the raw floor's ms."""
    phases = B.Phases()
    phases.wrap(verify, "mark", "verify.mark")
    wall, cpu, marks, floor = [], [], [], []
    rows = B.decoded_rows(folder / "county.sqlite", package)
    try:
        for _ in range(rounds):
            verify._verified.clear()
            target = B.fresh_bureau(folder, work / "bureau")
            bdb = open_database(target)
            mirrors = Mirrors(bdb)
            before = phases.seconds.get("verify.mark", 0.0)
            start, c0 = time.perf_counter(), time.process_time()
            results = bureau.import_packages(bdb, mirrors, [package], apply=True)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - c0)
            marks.append(phases.seconds.get("verify.mark", 0.0) - before)
            assert results[0].status == "imported", results[0].message
            assert not results[0].invalid_logs, results[0].invalid_logs[:3]
            mirrors.close()
            bdb.dispose()
            target = B.fresh_bureau(folder, work / "bureau")
            mirror = next((target.parent / "county.sqlite.units").glob("*.sqlite"))
            floor.append(B.raw_insert(mirror, rows)[0])
    finally:
        phases.close()
    return {"wall": B.median_ms(wall), "cpu": B.median_ms(cpu), "mark": B.median_ms(marks),
            "floor": B.median_ms(floor)}


def part(a, work: Path, label: str, months: int, rounds: int, pure_rounds: int) -> None:
    folder = B.county_folder(a.cache, 1, a.people, months, a.seed, 1)
    info = B.facts(folder)
    classic = B.packages_in(folder)[0]
    unit_copy = work / f"{label}.sqlite"
    shutil.copy2(folder / "units" / info["units"][0][1], unit_copy)
    db = open_database(unit_copy)
    fast = use_backend("fast") if a.fast_available else use_backend("pure")
    fast = gm.backend().name
    start = time.perf_counter()
    signed = resign_sm2(db)
    resign_s = time.perf_counter() - start
    guomi = B._guomi_package(db, folder, work / label)
    total, sm2 = statements_in(db)
    db.dispose()
    print(f"\n== unit-{label}: {info['people']} people, {info['logs']} logs, {info['entries']} entries, "
          f"{total} statements ({sm2} re-signed in SM2 in {resign_s:.1f} s with the {fast} backend)")
    print(f"   packages: classic {classic.stat().st_size / 1024:.0f} KiB, guomi "
          f"{guomi.stat().st_size / 1024:.0f} KiB")
    print(f"{'import into the 编办':<34}{'rounds':>7}{'median ms':>11}{'cpu ms':>8}{'verify ms':>11}"
          f"{'floor ms':>10}{'× floor':>9}")
    runs = [("classic (Ed25519 statements)", classic, "pure", rounds)]
    if a.openssl_available:
        runs.append(("guomi, SM2 verified by OpenSSL", guomi, "openssl", rounds))
    if a.fast_available:
        runs.append(("guomi, SM2 fast (gmssl-fast)", guomi, "fast", rounds))
    runs.append(("guomi, SM2 pure (gmalg)", guomi, "pure", pure_rounds))
    for name, package, backend, n in runs:
        if n <= 0:
            print(f"{name:<34}{'skipped':>7}")
            continue
        use_backend(backend)
        r = imports(folder, package, work, n)
        target = "" if label != "month" else ("  OK (< 1 s)" if r["wall"] < 1000 else "  SLOW (< 1 s)")
        print(f"{name:<34}{n:>7}{r['wall']:>11.0f}{r['cpu']:>8.0f}{r['mark']:>11.0f}{r['floor']:>10.0f}"
              f"{r['wall'] / r['floor']:>8.1f}×{target}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["all", "month", "year"], default="all")
    ap.add_argument("--people", type=int, default=100, help="the demo unit's size (bench_sync's unit-month)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="rounds per import (median)")
    ap.add_argument("--month-pure-rounds", type=int, default=3)
    ap.add_argument("--year-rounds", type=int, default=1, help="rounds of the unit-year imports")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/lzkp_bench_county"))
    a = ap.parse_args()
    try:
        use_backend("fast")
        a.fast_available = True
    except ImportError:
        a.fast_available = False
        print("gmssl-fast is not installed: the pure SM2 backend only")
    a.openssl_available = gm._openssl() is not None
    print(f"CPU cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench_sm2_") as tmp:
        work = Path(tmp)
        if a.part in ("all", "month"):
            part(a, work, "month", 1, a.rounds, a.month_pure_rounds)
        if a.part in ("all", "year"):
            part(a, work, "year", 12, a.year_rounds, a.year_rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

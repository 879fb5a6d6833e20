"""Recall and precision of the 职责交叉 analysis on real 三定 texts.

    .venv/bin/python tests/bench/bench_overlap_quality.py [--thresholds 0.3,0.35,…] [--misses]
                                                          [--in-county]

The corpus is tests/unit/overlap_real_duties: the 主要职责 of a 县市场监督管理局, 县农业农村局 and
县应急管理局 in their standard 三定 wording, with hand-written paraphrases planted in other units and
every real overlap labelled; with --in-county the three units sit among the 47 other
departments of tests/unit/overlap_fixtures.county_duties (generated), so that the IDF counts a
county's 50 units as it does in use. For each threshold the 交叉 candidates are what
app.services.county.overlap.analyse lists (overlap.candidates on the same corpus): recall =
labelled pairs listed / labelled pairs, precision = labelled pairs listed / candidates (with
--in-county: candidates between two duties of the real texts); and how many paraphrases are
listed, those the method was tuned on and the held-out ones apart. --misses adds every labelled
pair's score (its best: as wholes or clause by clause) and the candidates not labelled, at the
default threshold.
Reports figures; it is not a pass/fail test (tests/unit/test_overlap_quality.py is).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.services.county import overlap as O  # noqa: E402
from tests.unit.overlap_real_duties import (HELD_OUT, ONE_CLAUSE, PARAPHRASES, corpus, measure,  # noqa: E402
                                            overlaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.7")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--in-county", action="store_true",
                        help="the three units among the 47 other generated departments")
    args = parser.parse_args()
    duties, corp = corpus(args.in_county)
    truth = overlaps()
    tuned = sum(1 for p in truth if p & PARAPHRASES.keys())
    held = sum(1 for p in truth if p & HELD_OUT.keys())
    clause = sum(1 for p in truth if p & ONE_CLAUSE.keys())
    print(f"{len({d.unit_id for d in duties})} units, {len(duties)} duties, {len(truth)} labelled "
          f"overlaps ({tuned} paraphrases tuned on, {held} held out, {clause} one-clause, "
          f"{len(truth) - tuned - held - clause} between the standard texts); default threshold "
          f"{O.DEFAULT_THRESHOLD}")
    print(f"threshold  candidates  found  recall  precision  paraphrases /{tuned}  held out /{held}"
          f"  one clause /{clause}")
    for t in (float(x) for x in args.thresholds.split(",")):
        m = measure(duties, corp, t)
        print(f"{t:9.2f}  {m['candidates']:10d}  {m['hits']:5d}  {m['recall']:6.2f}  "
              f"{m['precision']:9.2f}  {m['tuned']:14d}  {m['held']:12d}  {m['clause']:13d}")
    if args.misses:
        m = measure(duties, corp, O.DEFAULT_THRESHOLD)
        print(f"\nlabelled pairs by score (* = not listed at {O.DEFAULT_THRESHOLD}):")
        best = {frozenset((duties[m.i].code, duties[m.j].code)): m.score
                for m in corp.merge(corp.wholes(0.05)[0], corp.clause_matches(0.05))}
        scored = sorted((best.get(frozenset((a, b)), 0.0), a, b) for a, b in map(sorted, truth))
        for s, a, b in scored:
            print(f"  {s:.2f}  {a} {b}{'' if frozenset((a, b)) in m['found'] else '  *'}")
        print("found, not labelled:")
        for pair, s in sorted(m["found"].items(), key=lambda t: -t[1]):
            if pair not in truth:
                print(f"  {s:.2f}  {' '.join(sorted(pair))}")


if __name__ == "__main__":
    main()

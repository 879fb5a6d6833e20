"""Recall and precision of the 职责交叉 analysis on real 三定 texts.

    .venv/bin/python tests/bench/bench_overlap_quality.py [--thresholds 0.3,0.35,…] [--misses]

The corpus is tests/unit/overlap_real_duties: the 主要职责 of a 县市场监督管理局, 县农业农村局 and
县应急管理局 in their standard 三定 wording, with hand-written paraphrases planted in other units and
every real overlap labelled. For each threshold the 交叉 candidates are what
app.services.county.overlap.analyse lists (app.services.county.overlap.candidates on the same
corpus): recall = labelled pairs found / labelled pairs, precision = labelled pairs found /
candidates; the paraphrases' recall on its own. --misses prints the labelled pairs not found
and the candidates that are not labelled, with their scores, at the default threshold.
Reports figures; it is not a pass/fail test (tests/unit/test_overlap_quality.py is).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.bureau.similarity import Corpus  # noqa: E402
from app.services.county import overlap as O  # noqa: E402
from tests.unit.overlap_real_duties import PARAPHRASES, overlaps, units  # noqa: E402


def corpus() -> tuple[list[O.DutyRef], Corpus]:
    duties = [O.DutyRef(unit, unit, key, key, text, "") for unit, rows in units().items()
              for key, text in rows]
    return duties, Corpus([d.content for d in duties], [d.unit_id for d in duties])


def measure(duties: list[O.DutyRef], corp: Corpus, threshold: float) -> dict:
    truth = overlaps()
    _, cross, _ = O.candidates(duties, corp, threshold, len({d.unit_id for d in duties}))
    found = {frozenset((duties[i].code, duties[j].code)): s for s, i, j in cross}
    hits = truth & found.keys()
    planted = {p for p in truth if p & PARAPHRASES.keys()}
    return {"threshold": threshold, "candidates": len(found), "hits": len(hits),
            "recall": len(hits) / len(truth), "precision": len(hits) / len(found) if found else 1.0,
            "para_recall": len(planted & hits) / len(planted), "found": found, "truth": truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.7")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    duties, corp = corpus()
    truth = overlaps()
    planted = sum(1 for p in truth if p & PARAPHRASES.keys())
    print(f"{len({d.unit_id for d in duties})} units, {len(duties)} duties, {len(truth)} labelled "
          f"overlaps ({planted} with a planted paraphrase); default threshold {O.DEFAULT_THRESHOLD}")
    print("threshold  candidates  found  recall  precision  paraphrase recall")
    for t in (float(x) for x in args.thresholds.split(",")):
        m = measure(duties, corp, t)
        print(f"{t:9.2f}  {m['candidates']:10d}  {m['hits']:5d}  {m['recall']:6.2f}  "
              f"{m['precision']:9.2f}  {m['para_recall']:17.2f}")
    if args.misses:
        m = measure(duties, corp, O.DEFAULT_THRESHOLD)
        index = {d.code: k for k, d in enumerate(duties)}
        print("\nlabelled, not found:")
        for pair in sorted(sorted(p) for p in truth - m["found"].keys()):
            print(f"  {corp.score(index[pair[0]], index[pair[1]]):.2f}  {pair[0]} {pair[1]}")
        print("found, not labelled:")
        for pair, s in sorted(m["found"].items(), key=lambda t: -t[1]):
            if pair not in truth:
                print(f"  {s:.2f}  {' '.join(sorted(pair))}")


if __name__ == "__main__":
    main()

"""Similarity of 三定 duties as wholes and clause by clause (app.core.bureau.clauses).

A duty pair's score is the best of: the two duties' contents (their clauses on their own
subjects: generic clauses — 机关党建、文电… — left out), and any clause of one against any clause
of the other (a duty of one clause: its content; a short opening 负责… heading is compared only
inside the content: 负责产品质量安全监督管理 / 负责农产品质量安全监督管理 differ by one
character). So two long duties that share one responsibility score what that clause scores, and the clause is named (`Match.clause_i` / `clause_j`), while a paraphrase
that reorders or merges clauses keeps its score as a whole. Generic clauses never count: a
duty made only of them is `generic` (共性职责) and is not compared at all.

Every comparison is one text of one Corpus (the IDF counts units, as in
app.core.bureau.similarity): a duty's content, and, for a duty of two or more content clauses,
each clause — written at its place in the duty's text with blanks around (blanks break the
n-grams), so that the phrases `explain` finds point into the duty's own text. Two exact pair
searches (`Corpus.pairs`) find every pair: the contents (`wholes`), and the clauses
(`clause_matches`, skipping pairs inside one unit).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from app.core.bureau.clauses import Clause, split
from app.core.bureau.similarity import Corpus, Explanation, ngrams, segment_texts


@dataclass(frozen=True)
class Match:
    score: float
    i: int                                  # duty indices, i < j
    j: int
    clause_i: tuple[int, int] | None        # the clause of duty i that matched ([start, end) in
    clause_j: tuple[int, int] | None        # its text); None: its content as a whole
    texts: tuple[int, int]                  # the two corpus texts compared (for `explain`)


HEADING = ("负责",)
HEADING_CHARS = 12


class DutyCorpus:
    def __init__(self, texts: Sequence[str], groups: Sequence[object]):
        self.texts = list(texts)
        self.groups = list(groups)
        self.clauses: list[list[Clause]] = [split(t) for t in self.texts]
        # generic: every clause generic (a duty without content, e.g. the closing 交办 line,
        # is neither generic nor compared)
        self.generic = [bool(cs) and all(c.generic for c in cs) for cs in self.clauses]
        items: list[str] = []
        counts: list = []
        owners: list[object] = []
        self.owner: list[int] = []               # corpus text → duty
        self.span: list[tuple[int, int] | None] = []   # corpus text → clause span, None = content
        self.content: list[int | None] = []      # duty → corpus text of its content
        for d, (text, clauses) in enumerate(zip(self.texts, self.clauses)):
            own = [c for c in clauses if not c.generic]
            if not own:
                self.content.append(None)
                continue
            self.content.append(len(items))
            items.append(_blank(text, own))
            counts.append(ngrams([seg for c in own for seg in c.segments]))
            owners.append(self.groups[d])
            self.owner.append(d)
            whole = len(own) == len(clauses) and len(own) == 1
            self.span.append(None if whole or len(own) > 1 else (own[0].start, own[0].end))
            if len(own) > 1:
                for c in own[1:] if _heading(text, own[0]) else own:
                    items.append(_blank(text, [c]))
                    counts.append(ngrams(c.segments))
                    owners.append(self.groups[d])
                    self.owner.append(d)
                    self.span.append((c.start, c.end))
        self.compared = len(items)
        # one text for the duty as a whole and clause by clause
        self.single = [c is not None and (c + 1 == len(self.owner) or self.owner[c + 1] != d)
                       for d, c in enumerate(self.content)]
        # the texts of one unit are consecutive when its duties are (as CountyDuties lists
        # them); otherwise the block is the single text and nothing is skipped
        self.blocks = []
        for k in range(self.compared):
            self.blocks.append(self.blocks[-1] if k and owners[k] == owners[k - 1] else k)
        generic_idx = {}
        for d, flag in enumerate(self.generic):
            if flag:
                generic_idx[d] = len(items)
                items.append(self.texts[d])
                counts.append(ngrams(segment_texts(self.texts[d])))
                owners.append(self.groups[d])
        self.generic_text = generic_idx
        self.corpus = Corpus(items, owners, counts=counts)
        self._memo: dict[tuple, list[tuple[float, int, int]]] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def wholes(self, threshold: float) -> tuple[list[Match], list[Match]]:
        """The duties' contents as wholes at `threshold` or more: the pairs of two units and
        the pairs inside one unit, best first."""
        among = [k for k in range(self.compared) if self.content[self.owner[k]] == k]
        between, inside = [], []
        for score, a, b in self._pairs(threshold, among, None):
            i, j = self.owner[a], self.owner[b]
            (inside if self.groups[i] == self.groups[j] else between).append(
                Match(score, i, j, self.span[a], self.span[b], (a, b)))
        return between, inside

    def clause_matches(self, threshold: float, leave_out: set[int] | frozenset[int] = frozenset(),
                       stock: tuple[float, int] | None = None) -> list[Match]:
        """The best pair of clauses of every pair of duties of two units at `threshold` or
        more, best first (a duty of one clause: its content); `leave_out`: duties not compared.
        `stock` (score, units): a clause that meets clauses of that many other units at that
        score is the stock wording of many 三定 (协调解决推进中的重大问题…), not a 交叉: its pairs
        are dropped (the search then runs at the lower of the two scores)."""
        among = [k for k in range(self.compared) if self.owner[k] not in leave_out and (
            self.single[self.owner[k]] or self.content[self.owner[k]] != k)]
        bar = threshold if stock is None else min(threshold, stock[0])
        found = self._pairs(bar, among, self.blocks)
        common: set[int] = set()
        if stock is not None:
            meets: dict[int, set] = {}
            for score, a, b in found:
                if score >= stock[0]:
                    meets.setdefault(a, set()).add(self.groups[self.owner[b]])
                    meets.setdefault(b, set()).add(self.groups[self.owner[a]])
            common = {k for k, units in meets.items() if len(units) + 1 >= stock[1]}
        best: dict[tuple[int, int], tuple[float, int, int]] = {}
        for score, a, b in found:
            i, j = self.owner[a], self.owner[b]
            if score < threshold or self.groups[i] == self.groups[j] or a in common or b in common:
                continue
            if i > j:
                i, j, a, b = j, i, b, a
            if score > best.get((i, j), (0.0,))[0]:
                best[(i, j)] = (score, a, b)
        return self._sorted(best)

    def forget(self) -> None:
        """Drop the kept searches (the benchmark times the search itself)."""
        self._memo.clear()

    def _pairs(self, threshold: float, among: list[int], blocks: list[int] | None
               ) -> list[tuple[float, int, int]]:
        """Corpus.pairs, kept: the page's threshold spinner asks again for the same search
        (every threshold from 0.5 up searches at 0.5, the 共性 groups' threshold)."""
        key = (threshold, tuple(among), blocks is not None)
        found = self._memo.get(key)     # (two analyses may run at once on the page's threads)
        if found is None:
            found = self.corpus.pairs(threshold, among, blocks)
            if len(self._memo) > 8:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _sorted(self, best: dict[tuple[int, int], tuple[float, int, int]]) -> list[Match]:
        return sorted((Match(s, i, j, self.span[a], self.span[b], (a, b))
                       for (i, j), (s, a, b) in best.items()), key=lambda m: (-m.score, m.i, m.j))

    def _rank(self, score: float, a: int, b: int) -> tuple[float, bool, bool]:
        return score, self.span[a] is None, self.span[b] is None

    def merge(self, *lists: list[Match]) -> list[Match]:
        """The best match of each pair over several lists."""
        best: dict[tuple[int, int], tuple[float, int, int]] = {}
        for m in (m for found in lists for m in found):
            old = best.get((m.i, m.j))
            if old is None or self._rank(m.score, *m.texts) > self._rank(*old):
                best[(m.i, m.j)] = (m.score, *m.texts)
        return self._sorted(best)

    def whole_score(self, i: int, j: int) -> float:
        """The two duties' contents (or full texts, for generic ones) as wholes."""
        a = self.content[i] if self.content[i] is not None else self.generic_text.get(i)
        b = self.content[j] if self.content[j] is not None else self.generic_text.get(j)
        return 0.0 if a is None or b is None else self.corpus.score(a, b)

    def explain(self, match: Match) -> Explanation:
        return self.corpus.explain(*match.texts)


def _heading(text: str, clause: Clause) -> bool:
    return text.startswith(HEADING, clause.start) and sum(map(len, clause.segments)) <= HEADING_CHARS


def _blank(text: str, clauses: list[Clause]) -> str:
    """`text` with everything outside `clauses` blanked (positions kept)."""
    keep = [" "] * len(text)
    for c in clauses:
        keep[c.start:c.end] = text[c.start:c.end]
    return "".join(keep).rstrip()

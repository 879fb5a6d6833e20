"""Similarity of short Chinese duty texts (三定职责): character n-gram TF-IDF and cosine.

Why this method: a duty is one or two sentences of administrative Chinese. Word segmentation
would need a segmenter and a dictionary of government terms; overlapping character 2- and
3-grams catch the same nouns without one and do not care in which order clauses come. Weights
are TF-IDF with the IDF counting units, not texts (`groups`): the stock phrasing of 三定 texts
that every unit uses (监督管理, 发展规划, 组织开展…监督检查) weighs little however often one unit
repeats it, and the subject (食用农产品, 旅游市场…) decides. Before n-gramming a short fixed list
removes what carries no subject at all (负责, 承担, 工作, 依法, 贯彻执行, 法律法规; the lead verbs
one 三定 uses and another does not: 牵头, 开展, 做好, 会同, 按规定权限; the closing line
完成县委、县政府交办的其他任务; place words: every unit is in the same county) and maps the
abbreviations of 三定 texts to the full names (监管 → 监督管理, 农资 → 农业生产资料, 农机, 渔船,
食安委, 督查), so that paraphrases meet: on real 三定 texts (tests/bench/bench_overlap_quality.py)
this took the paraphrases found at 0.5 from 12 to 15 of 20 among three units (inside a county
17 to 18) and the precision from 0.80 to 1.00 (the closing line scored 1.0 between any two units). Removed words and
punctuation break the text into segments; n-grams never bridge them ("负责食品" gives no "责食").

The score is explainable: the n-grams two texts share, merged back into runs of the original
texts, are the phrases shown to the user (`Corpus.explain`).

Finding pairs (`Corpus.pairs`) is exact, not sampled: prefix filtering (see there) keeps the
commonest n-grams of each text out of the inverted index, so the long postings of 建设, 监督管理…
are never walked. 2,000 duties of 50 units: see tests/bench/bench_overlap.py.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

SIZES = (2, 3)
KEY_SHARE = 0.25      # a shared run is a key phrase when it weighs this share of the heaviest
# Words that say nothing about the subject of a duty: removed (they break the text).
FILLERS = ("贯彻执行", "贯彻落实", "组织实施", "组织开展", "负责", "承担", "工作", "有关", "相关", "依法",
           "法律法规", "方针政策", "其他", "交办的", "职责范围内", "以及", "或者", "并且")
# Verbs and qualifiers one unit's 三定 puts before a subject and another's leaves out or words
# otherwise (牵头开展 / 组织 / 做好; 按规定权限; 会同、配合有关部门). Not the verbs that are half of a
# stock phrase (指导、协调、推进、建设): removing them leaves the phrase's nouns (重点项目建设)
# more weight in short duties, and the generated county's unrelated pairs rose above 0.5.
VERBS = ("牵头", "开展", "做好", "会同", "配合", "按规定", "按照", "规定权限", "权限", "监督实施", "落实")
FILLERS = FILLERS + VERBS
# Place words: every unit of a 编办's corpus is in the same county.
PLACES = ("本行政区域内", "本行政区域", "行政区域内", "辖区内", "辖区", "本地区", "本县", "全县", "县级",
          "县域", "本级", "县")
# One name, several wordings: the abbreviations 三定 texts use → the full name.
SYNONYMS = {"监管": "监督管理", "督查": "监督检查", "农资": "农业生产资料", "农机": "农业机械",
            "渔船": "渔业船舶", "食安委": "食品安全委员会"}
# Where a word above is part of another word it stays (惠农资金, 落实情况).
GUARDS = {"农资": "(?<!惠)农资(?!金)", "落实": "落实(?!情况)"}
# The line every 三定 ends with (完成县委、县政府交办的其他任务): nothing of it is a subject.
BOILERPLATE = (r"完成[^。；;]{0,24}交办的?其他[^。；;]{0,6}",)
# Joining characters, except where they are part of a word (及时, 和谐, 参与…).
_JOINERS = r"[和及与或等的并](?!时|谐|平|其)"
_SPECIAL = re.compile("|".join(
    list(BOILERPLATE) + [GUARDS.get(w, re.escape(w)) for w in sorted(
        (*FILLERS, *PLACES, *SYNONYMS), key=len, reverse=True)] + [_JOINERS]))


_RUN = re.compile(r"[0-9a-z\u3400-\u9fff]+")   # what n-grams are made of; anything else breaks


@dataclass(frozen=True)
class Segment:
    """A run of normalised text; `origin[k]` is the index in the original text of character k."""
    text: str
    origin: tuple[int, ...]


def _nfkc(text: str) -> tuple[str, list[int]]:
    """NFKC, lower case (full-width Ａ１ → a1), and the original index of each character."""
    norm = unicodedata.normalize("NFKC", text).lower()
    if len(norm) == len(text):
        return norm, list(range(len(text)))
    chars, origins = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            chars.append(c)
            origins.append(i)
    return "".join(chars), origins


def normalise(text: str) -> list[Segment]:
    norm, base = _nfkc(text)
    pieces: list[str] = []
    origins: list[int] = []
    pos = 0
    for m in _SPECIAL.finditer(norm):
        pieces.append(norm[pos:m.start()])
        origins.extend(base[pos:m.start()])
        word = m.group()
        repl = SYNONYMS.get(word, " ")   # a removed word leaves a break
        pieces.append(repl)
        # spread a replacement over the characters it stands for
        origins.extend(base[m.start() + t * len(word) // len(repl)] for t in range(len(repl)))
        pos = m.end()
    pieces.append(norm[pos:])
    origins.extend(base[pos:])
    joined = "".join(pieces)
    return [Segment(m.group(), tuple(origins[m.start():m.end()])) for m in _RUN.finditer(joined)]


def segment_texts(text: str) -> list[str]:
    """The texts of `normalise(text)` without the character positions (the fast path for
    building vectors; positions are needed only to explain a pair)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    return _RUN.findall(_SPECIAL.sub(lambda m: SYNONYMS.get(m.group(), " "), norm))


def ngrams(segments: Sequence[str]) -> Counter:
    return Counter(seg[k:k + size] for seg in segments for size in SIZES
                   for k in range(len(seg) - size + 1))


@dataclass(frozen=True)
class Phrase:
    """A run of text two duties share: as written in the first text, its weight (Σ IDF of the
    shared n-grams inside it)."""
    text: str
    weight: float


@dataclass(frozen=True)
class Explanation:
    phrases: list[Phrase]                    # heaviest first
    spans_a: list[tuple[int, int]]           # [start, end) in the original first text
    spans_b: list[tuple[int, int]]


class Corpus:
    """TF-IDF vectors (sublinear tf, smoothed idf, L2-normalised) of a list of texts."""

    def __init__(self, texts: Sequence[str], groups: Sequence[object] | None = None,
                 floor: float = 1.0, counts: Sequence[Counter] | None = None):
        """`groups` (one per text, e.g. the unit): the IDF counts groups, not texts, so wording
        every unit uses (the stock phrasing of 三定 texts, 机关党建…) weighs least however many
        duties repeat it inside one unit. `counts`: the texts' n-grams when already known."""
        self.texts = list(texts)
        if counts is None:
            counts = [ngrams(segment_texts(t)) for t in self.texts]
        self._rank: dict[str, int] | None = None
        self.df: Counter = Counter()
        for c in counts:
            self.df.update(c.keys())
        if groups is None:
            spread, n = self.df, len(self.texts)
        else:
            by_group: dict[object, set[str]] = defaultdict(set)
            for g, c in zip(groups, counts):
                by_group[g].update(c)
            spread, n = Counter(), len(by_group)
            for grams in by_group.values():
                spread.update(grams)
        idf = self.idf = {g: math.log((1 + n) / (1 + d)) + floor for g, d in spread.items()}
        self.vectors: list[dict[str, float]] = []
        for c in counts:
            vec = {g: idf[g] if tf == 1 else (1 + math.log(tf)) * idf[g] for g, tf in c.items()}
            norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
            self.vectors.append({g: w / norm for g, w in vec.items()})

    def __len__(self) -> int:
        return len(self.texts)

    def score(self, i: int, j: int) -> float:
        a, b = self.vectors[i], self.vectors[j]
        if len(b) < len(a):
            a, b = b, a
        return sum(w * b[g] for g, w in a.items() if g in b)

    def pairs(self, threshold: float, among: Sequence[int] | None = None,
              blocks: Sequence[int] | None = None) -> list[tuple[float, int, int]]:
        """Every pair (score, i, j), i < j, with cosine ≥ threshold (> 0), best first; with
        `among` (indices, ascending), only pairs of those texts; with `blocks` (per text the
        first index of the run of consecutive texts it belongs to, e.g. one unit's), only pairs
        of two blocks (the postings are in index order: a block's own entries end each one).

        Prefix filtering (Bayardo, Ma & Srikant, "Scaling up all pairs similarity search", 2007):
        each text's n-grams are taken commonest first; the longest such prefix whose norm stays
        below the threshold is left out of the inverted index. Two texts whose shared n-grams all
        lie in the first one's prefix score less than ‖prefix‖ · 1 < threshold, so every pair that
        reaches it meets through an indexed n-gram: exact, and the long postings of the common
        n-grams (建设, 监督管理…) are never built."""
        if threshold <= 0:
            raise ValueError("threshold must be > 0")
        eps = 1e-9
        limit = (threshold - eps) ** 2
        df = self.df
        if self._rank is None:   # commonest first
            self._rank = {g: k for k, g in enumerate(sorted(df, key=lambda g: (-df[g], g)))}
        rank = self._rank
        index: dict[str, list[tuple[int, float]]] = {}
        prefixes: dict[int, dict[str, float]] = {}
        prefix_norm: dict[int, float] = {}
        found = []
        for i in range(len(self.vectors)) if among is None else among:
            vec = self.vectors[i]
            acc: dict[int, float] = defaultdict(float)
            if blocks is None:
                for g, w in vec.items():
                    for j, wj in index.get(g, ()):
                        acc[j] += w * wj
            else:
                lo = blocks[i]
                for g, w in vec.items():
                    for j, wj in index.get(g, ()):
                        if j >= lo:
                            break
                        acc[j] += w * wj
            for j, partial in acc.items():
                # what j's prefix can still add is at most ‖prefix of j‖; the accumulated part
                # is exact for the rest (j's n-grams outside the prefix are all indexed, or
                # occur in j alone)
                if partial + prefix_norm[j] >= threshold - eps:
                    total = partial + sum(w * vec[g] for g, w in prefixes[j].items() if g in vec)
                    if total >= threshold - eps:
                        found.append((total, j, i))
            grams = sorted(vec, key=rank.__getitem__)
            mass, k = 0.0, 0
            while k < len(grams) and mass + vec[grams[k]] ** 2 < limit:
                mass += vec[grams[k]] ** 2
                k += 1
            prefixes[i] = {g: vec[g] for g in grams[:k]}
            prefix_norm[i] = math.sqrt(mass)
            for g in grams[k:]:
                if df[g] > 1:   # an n-gram of one text meets no other
                    index.setdefault(g, []).append((i, vec[g]))
        found.sort(key=lambda t: (-t[0], t[1], t[2]))
        return found

    def explain(self, i: int, j: int) -> Explanation:
        """The runs of text the two share, heaviest first. Runs weighing less than KEY_SHARE of
        the heaviest on their side (a lone 管理 or 指导 beside 农村饮水安全工程建设) are left out
        of both the phrases and the spans: what is shown is what drives the score."""
        shared = set(self.vectors[i]) & set(self.vectors[j])
        runs_a = _key(_runs(normalise(self.texts[i]), shared, self.idf))
        runs_b = _key(_runs(normalise(self.texts[j]), shared, self.idf))
        text = self.texts[i]
        merged: dict[str, float] = {}
        for start, end, weight in runs_a:
            phrase = text[start:end]
            merged[phrase] = merged.get(phrase, 0.0) + weight
        phrases = sorted((Phrase(t, w) for t, w in merged.items()), key=lambda p: (-p.weight, p.text))
        return Explanation(phrases, _merge_spans(runs_a), _merge_spans(runs_b))


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b[g] for g, w in a.items() if g in b)


def _runs(segments: Sequence[Segment], shared: set[str], idf: dict[str, float]
          ) -> list[tuple[int, int, float]]:
    """Runs of characters covered by shared n-grams: (start, end) in the original text, weight."""
    runs = []
    for seg in segments:
        covered = [False] * len(seg.text)
        weight = [0.0] * len(seg.text)
        for size in SIZES:
            for k in range(len(seg.text) - size + 1):
                gram = seg.text[k:k + size]
                if gram in shared:
                    for t in range(k, k + size):
                        covered[t] = True
                    weight[k] += idf[gram]
        k = 0
        while k < len(seg.text):
            if not covered[k]:
                k += 1
                continue
            end = k
            while end < len(seg.text) and covered[end]:
                end += 1
            runs.append((seg.origin[k], seg.origin[end - 1] + 1, sum(weight[k:end])))
            k = end
    return runs


def _key(runs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    top = max((w for _, _, w in runs), default=0.0)
    return [r for r in runs if r[2] >= KEY_SHARE * top]


def _merge_spans(runs: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end, _ in sorted(runs):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans

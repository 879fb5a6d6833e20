"""Assisted review (辅助审核): rules that point a reviewer at the few entries worth reading, so
the clean majority can be approved in one action (docs/ARCHITECTURE.md "Review").

Pure functions over plain facts; app.services.review.flags loads the facts and the thresholds
(unit settings `flags.*`). Every flag carries a short Chinese reason that names its numbers.

Text similarity: texts are normalised (NFKC folds full-width digits, letters and punctuation to
half-width; lower case; everything that is not a letter, digit or CJK character is dropped) and
compared by the Dice coefficient of their character-bigram sets, 2·|A∩B| / (|A|+|B|). Bigrams
suit Chinese, which has no spaces to split words on, and cost one set intersection per pair.
Dice ≥ s is impossible when the smaller set is below s/(2−s) of the larger one, so texts are
kept sorted by set size and about half the pairs are never compared; exact copies are found
by dictionary lookup of the normalised text (unit-wide for colleagues, who are otherwise
compared within their section). difflib's ratio was the alternative: it judges substitutions
more leniently (two characters changed in 29: 0.93, Dice 0.86) and costs ~50× more per pair.
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
import operator
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Callable, Iterable, Mapping, NamedTuple

from app.core import vocab

# Flag codes, with the short label a filter or legend shows.
DAY_OVER = "day_over"
DAY_UNDER = "day_under"
OVER_STANDARD = "over_standard"
COPY_SELF = "copy_self"
COPY_COLLEAGUE = "copy_colleague"
VAGUE = "vague"
TOO_SHORT = "too_short"
LATE = "late"
NON_WORKING_DAY = "non_working_day"
FLAG_LABELS = {
    DAY_OVER: "当日工时过多", DAY_UNDER: "当日工时过少", OVER_STANDARD: "超出类别标准工时",
    COPY_SELF: "与本人以前内容重复", COPY_COLLEAGUE: "与同事内容重复", VAGUE: "内容笼统",
    TOO_SHORT: "内容过短", LATE: "补填过晚", NON_WORKING_DAY: "非工作日填报",
}

# Words that say nothing about what was done when they stand alone ("开会", "处理日常事务").
GENERIC_TERMS = (
    "处理日常事务", "日常事务", "日常工作", "日常办公", "处理事务", "开会", "会议", "参会",
    "学习", "培训", "调研", "检查", "办公", "值班", "加班", "其他", "其它", "工作", "事务",
    "业务", "杂事", "外出", "下乡",
)
# Words that may surround generic terms without adding content ("参加会议", "上午学习").
FILLER_WORDS = (
    "参加", "参与", "进行", "开展", "组织", "完成", "继续", "处理", "相关", "有关", "一些",
    "若干", "上午", "下午", "晚上", "全天", "今天", "今日", "当天", "本人", "日常", "等", "和",
    "及", "与", "了", "的",
)
_WORD = re.compile(r"[^\W_]+")


def _longest_first(words: tuple[str, ...]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_ONLY_GENERIC = re.compile(f"(?:{_longest_first(GENERIC_TERMS + FILLER_WORDS)})+")
_ANY_GENERIC = re.compile(_longest_first(GENERIC_TERMS))
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    entry_seq: int | None = None     # None: the flag is about the whole day

    @property
    def label(self) -> str:
        return FLAG_LABELS.get(self.code, self.code)


@dataclass(frozen=True)
class Thresholds:
    """Defaults equal app.services.org.unit_settings.SPECS (a unit test keeps them in step)."""
    day_max_hours: float = 12.0
    day_min_hours: float = 2.0
    category_factor: float = 2.0
    similarity: float = 0.9
    vague_min_chars: int = 10
    late_days: int = 7
    lookback_days: int = 30          # how far back an author's own texts are compared

    @classmethod
    def from_settings(cls, values: Mapping[str, object]) -> "Thresholds":
        """From unit settings keyed 'flags.<field>'; missing keys keep the defaults."""
        names = [f.name for f in fields(cls)]
        return cls(**{name: values[f"flags.{name}"] for name in names
                      if f"flags.{name}" in values})


class EntryFacts(NamedTuple):
    seq: int
    hours: float
    category: str
    secret: bool = False
    content: str = ""                # "" for 涉密 entries (no text is ever stored)


class LogFacts(NamedTuple):
    log_id: str
    person_id: str
    day: dt.date
    day_state: str
    submitted_on: dt.date | None     # None: not submitted yet (lateness counts to today)
    entries: tuple[EntryFacts, ...]
    working_day: bool = True
    day_off_name: str = ""           # holiday name from the calendar, "" for a weekend


@dataclass(frozen=True)
class PersonRef:
    name: str
    section_id: str | None
    section_name: str = ""
    role: str = ""                   # named instead of the section for leaders without one


class CorpusEntry(NamedTuple):
    """An entry's text that others are compared against (a tuple: thousands per batch)."""
    entry_id: str
    person_id: str
    day: dt.date
    content: str


# ---------------------------------------------------------------- text
def normalise(text: str) -> str:
    """Letters, digits and CJK characters only, NFKC-folded and lower-cased. Punctuation goes
    first: full-width commas would otherwise send almost every Chinese text through the slow
    NFKC pass, which is then left for the rare text with full-width digits or letters."""
    kept = "".join(_WORD.findall(text or ""))
    if not unicodedata.is_normalized("NFKC", kept):
        kept = "".join(_WORD.findall(unicodedata.normalize("NFKC", kept)))
    return kept.lower()


def bigrams(norm: str) -> frozenset[str]:
    if len(norm) < 2:
        return frozenset((norm,)) if norm else frozenset()
    return frozenset(map(operator.add, norm, norm[1:]))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(text_a: str, text_b: str) -> float:
    """Similarity of two raw texts as the rules measure it (1.0 for equal normalised texts)."""
    a, b = normalise(text_a), normalise(text_b)
    return 1.0 if a and a == b else dice(bigrams(a), bigrams(b))


def percent(value: float) -> int:
    """Rounded down, so a shown 100% always means identical bigram sets."""
    return math.floor(value * 100 + 1e-9)


class _Bucket:
    """Distinct texts with where they occur. On first use they are sorted by bigram-set size, so
    that one bisection finds the texts whose size allows the threshold; equal texts are compared
    once. Bigram sets are made only then: texts that are only looked up exactly never need one."""
    __slots__ = ("_occurrences", "_grams_of", "_sizes", "_texts")

    def __init__(self, grams_of: Callable[[str], frozenset[str]]):
        self._occurrences: dict[str, list[tuple]] = {}
        self._grams_of = grams_of
        self._sizes: list[int] | None = None
        self._texts: list[tuple[int, str, frozenset[str], list[tuple]]] = []

    def add(self, norm: str, occurrence: tuple) -> None:
        found = self._occurrences.get(norm)
        if found is None:
            found = self._occurrences[norm] = []
            self._sizes = None
        found.append(occurrence)

    def occurrences(self, norm: str) -> list[tuple]:
        return self._occurrences.get(norm, [])

    def similar(self, norm: str, grams: frozenset[str], threshold: float) -> list[tuple]:
        """(score, occurrences) of each distinct text scoring at least `threshold`. The loop
        runs tens of times per entry under review: keep it plain."""
        if self._sizes is None:
            texts = []
            for text, occurrences in self._occurrences.items():
                text_grams = self._grams_of(text)
                texts.append((len(text_grams), text, text_grams, occurrences))
            texts.sort(key=lambda t: t[0])
            self._texts, self._sizes = texts, [t[0] for t in texts]
        n = len(grams)
        if not n:
            return []
        ratio = threshold / (2 - threshold)
        lo = bisect.bisect_left(self._sizes, n * ratio - 1e-9)
        hi = bisect.bisect_right(self._sizes, n / ratio + 1e-9)
        found = []
        half = threshold / 2
        for size, other_norm, other_grams, occurrences in self._texts[lo:hi]:
            if other_norm == norm:
                found.append((1.0, occurrences))
                continue
            # Count shared bigrams by the misses, and stop once the threshold is out of reach:
            # dissimilar texts are given up after a few lookups instead of a set intersection.
            allowed = n - math.ceil(half * (n + size) - 1e-9)
            misses = 0
            for gram in grams:
                if gram not in other_grams:
                    misses += 1
                    if misses > allowed:
                        break
            else:
                found.append((2 * (n - misses) / (n + size), occurrences))
        return found


@dataclass(frozen=True)
class Match:
    entry_id: str
    person_id: str
    day: dt.date
    score: float
    others: int = 1                  # colleagues whose text scores as high


class TextCorpus:
    """Texts to compare with: the authors' earlier entries and everyone's entries on the days
    under review. Each distinct text is normalised once, and given a bigram set only when it is
    compared by similarity (the authors' own texts, and their sections' on the review days)."""

    def __init__(self, entries: Iterable[CorpusEntry], people: Mapping[str, PersonRef],
                 review_days: Iterable[dt.date] | None = None,
                 authors: Iterable[str] | None = None):
        """`review_days`: the days of the logs under review, the only days on which colleagues
        are compared; `authors`: the people whose logs are under review (None: every day, and
        everyone, is indexed)."""
        self.people = people
        days = set(review_days) if review_days is not None else None
        own = set(authors) if authors is not None else None
        sections = {pid: ref.section_id for pid, ref in people.items()}
        near_sections = ({sections.get(a) for a in own} - {None}) if own is not None else None
        self._norms: dict[str, str] = {}
        self._grams: dict[str, frozenset[str]] = {}
        self._by_person: dict[str, _Bucket] = {}
        self._by_section_day: dict[tuple[str, dt.date], _Bucket] = {}
        self._by_text_day: dict[tuple[str, dt.date], list[tuple]] = {}
        for entry_id, person_id, day, content in entries:
            norm = self._norms.get(content)
            if norm is None:
                norm = self._norms[content] = normalise(content)
            if not norm:
                continue
            occurrence = (day, person_id, entry_id)
            if own is None or person_id in own:
                bucket = self._by_person.get(person_id)
                if bucket is None:
                    bucket = self._by_person[person_id] = _Bucket(self.grams_of)
                bucket.add(norm, occurrence)
            if days is not None and day not in days:
                continue
            self._by_text_day.setdefault((norm, day), []).append(occurrence)
            section = sections.get(person_id)
            if section and (near_sections is None or section in near_sections):
                bucket = self._by_section_day.get((section, day))
                if bucket is None:
                    bucket = self._by_section_day[(section, day)] = _Bucket(self.grams_of)
                bucket.add(norm, occurrence)

    def grams_of(self, norm: str) -> frozenset[str]:
        found = self._grams.get(norm)
        if found is None:
            found = self._grams[norm] = bigrams(norm)
        return found

    def prepare(self, content: str) -> tuple[str, frozenset[str]]:
        """(normalised text, bigram set), cached per distinct text."""
        norm = self._norms.get(content)
        if norm is None:
            norm = self._norms[content] = normalise(content)
        return norm, self.grams_of(norm)

    def own_match(self, person_id: str, day: dt.date, norm: str, grams: frozenset[str],
                  lookback_days: int, threshold: float) -> Match | None:
        """The author's most similar entry on an earlier day within the look-back window
        (ties: the latest day). An exact copy, found by lookup, ends the search."""
        bucket = self._by_person.get(person_id)
        if bucket is None:
            return None
        first = day - dt.timedelta(days=lookback_days)
        exact = [o for o in bucket.occurrences(norm) if first <= o[0] < day]
        if exact:
            other_day, other_person, entry_id = max(exact)
            return Match(entry_id, other_person, other_day, 1.0)
        best: tuple | None = None
        for score, occurrences in bucket.similar(norm, grams, threshold):
            for occurrence in occurrences:
                if first <= occurrence[0] < day and (
                        best is None or (score, occurrence[0]) > (best[0], best[1][0])):
                    best = (score, occurrence)
        if best is None:
            return None
        score, (other_day, other_person, entry_id) = best
        return Match(entry_id, other_person, other_day, score)

    def colleague_match(self, person_id: str, day: dt.date, norm: str, grams: frozenset[str],
                        threshold: float) -> Match | None:
        """The most similar entry of another person on the same day: exact copies anywhere in
        the unit (by lookup; same section preferred), else near copies within the section."""
        ref = self.people.get(person_id)
        section = ref.section_id if ref else None
        mates: dict[str, tuple] = {}            # colleague → (score, occurrence)
        for occurrence in self._by_text_day.get((norm, day), ()):
            if occurrence[1] != person_id:
                mates.setdefault(occurrence[1], (1.0, occurrence))
        bucket = self._by_section_day.get((section, day)) if section else None
        if not mates and bucket is not None:
            for score, occurrences in bucket.similar(norm, grams, threshold):
                for occurrence in occurrences:
                    mate = occurrence[1]
                    if mate != person_id and (mate not in mates or score > mates[mate][0]):
                        mates[mate] = (score, occurrence)
        if not mates:
            return None

        def rank(item: tuple[str, tuple]):
            mate, (score, _) = item
            mate_ref = self.people.get(mate)
            same = bool(section) and mate_ref is not None and mate_ref.section_id == section
            return score, same, mate
        _, (score, (other_day, other_person, entry_id)) = max(mates.items(), key=rank)
        alike = sum(1 for s, _ in mates.values() if s == score)
        return Match(entry_id, other_person, other_day, score, alike)


# ---------------------------------------------------------------- rules
def _hours(value: float) -> str:
    return f"{round(value, 2):g}"


def _day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def day_flags(log: LogFacts, t: Thresholds, today: dt.date | None = None) -> list[Flag]:
    """Whole-day rules: day total, lateness, work on a non-working day."""
    flags: list[Flag] = []
    total = round(sum(e.hours for e in log.entries), 2)
    if log.day_state == vocab.DAY_NORMAL and log.entries:
        if total > t.day_max_hours:
            flags.append(Flag(DAY_OVER, f"当日合计{_hours(total)}小时，超过{_hours(t.day_max_hours)}小时"))
        elif log.working_day and total < t.day_min_hours:
            flags.append(Flag(DAY_UNDER, f"当日合计{_hours(total)}小时，少于{_hours(t.day_min_hours)}小时"))
    logged_on = log.submitted_on or today
    if logged_on is not None:
        late = (logged_on - log.day).days
        if late > t.late_days:
            verb = "才提交" if log.submitted_on else "仍未提交"
            flags.append(Flag(LATE, f"工作日期后{late}天{verb}"))
    if not log.working_day and any(e.hours > 0 for e in log.entries):
        name = log.day_off_name or f"星期{_WEEKDAYS[log.day.weekday()]}"
        flags.append(Flag(NON_WORKING_DAY, f"非工作日（{name}）填报工作"))
    return flags


def over_standard_flag(entry: EntryFacts, standard_hours: Mapping[str, float],
                       t: Thresholds) -> Flag | None:
    standard = standard_hours.get(entry.category) or 0.0
    if standard <= 0 or round(entry.hours, 2) <= round(t.category_factor * standard, 2):
        return None
    return Flag(OVER_STANDARD, f"{_hours(entry.hours)}小时超过“{entry.category}”标准工时"
                               f"{_hours(standard)}小时的{_hours(t.category_factor)}倍", entry.seq)


def vague_flag(entry: EntryFacts, norm: str, t: Thresholds) -> Flag | None:
    """Only generic words (开会, 学习 …), or fewer than `vague_min_chars` characters (letters,
    digits and CJK characters; spaces and punctuation do not count)."""
    if entry.secret:
        return None
    if norm and _ONLY_GENERIC.fullmatch(norm) and _ANY_GENERIC.search(norm):
        shown = entry.content.strip()
        shown = shown if len(shown) <= 12 else shown[:12] + "…"
        return Flag(VAGUE, f"内容过于笼统（仅“{shown}”）", entry.seq)
    if len(norm) < t.vague_min_chars:
        return Flag(TOO_SHORT, f"内容少于{t.vague_min_chars}个字", entry.seq)
    return None


def copy_flags(log: LogFacts, entry: EntryFacts, norm: str, grams: frozenset[str],
               corpus: TextCorpus, t: Thresholds) -> list[Flag]:
    flags: list[Flag] = []
    own = corpus.own_match(log.person_id, log.day, norm, grams, t.lookback_days, t.similarity)
    if own is not None:
        flags.append(Flag(COPY_SELF, f"与本人{_day_label(own.day)}的内容"
                                     f"{_sameness(own.score)}", entry.seq))
    mate = corpus.colleague_match(log.person_id, log.day, norm, grams, t.similarity)
    if mate is not None:
        ref = corpus.people.get(mate.person_id) or PersonRef("（未知人员）", None)
        author = corpus.people.get(log.person_id)
        same_section = bool(author and author.section_id and author.section_id == ref.section_id)
        where = "同科室" if same_section else (ref.section_name or ref.role)
        more = f"等{mate.others}人" if mate.others > 1 else ""
        flags.append(Flag(COPY_COLLEAGUE, f"与{where}{ref.name}{more}当天的内容"
                                          f"{_sameness(mate.score)}", entry.seq))
    return flags


def _sameness(score: float) -> str:
    return "相同" if score >= 1.0 else f"几乎相同（相似度{percent(score)}%）"


def flag_log(log: LogFacts, standard_hours: Mapping[str, float], corpus: TextCorpus | None,
             t: Thresholds = Thresholds(), today: dt.date | None = None) -> list[Flag]:
    """All flags of one log: day-level ones first, then each entry's in entry order.

    涉密 entries have no text and get no text flags (their hours are still checked). A text
    already flagged as vague or too short is not also compared for copies: the reviewer reads
    it anyway, and short stock phrases ("参加全局例会") would match half the unit."""
    flags = day_flags(log, t, today)
    for entry in sorted(log.entries, key=lambda e: e.seq):
        flag = over_standard_flag(entry, standard_hours, t)
        if flag:
            flags.append(flag)
        if entry.secret:
            continue
        norm, grams = corpus.prepare(entry.content) if corpus else (normalise(entry.content), None)
        flag = vague_flag(entry, norm, t)
        if flag:
            flags.append(flag)
        elif corpus is not None:
            flags += copy_flags(log, entry, norm, grams, corpus, t)
    return flags

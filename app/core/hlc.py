"""Hybrid logical clock. Timestamps are text that sorts in causal order.

Format: 13-digit wall milliseconds, '-', 5-digit counter (e.g. ``1763780000000-00003``).
Ties between replicas are broken by the row's ``origin`` column, not inside the text.
"""
from __future__ import annotations

import re
import threading
import time
from typing import Callable

_COUNTER_MAX = 99999


def format_hlc(millis: int, counter: int) -> str:
    return f"{millis:013d}-{counter:05d}"


_HLC_RE = re.compile(r"\d{13}-\d{5}", re.ASCII)


def parse_hlc(text: str) -> tuple[int, int]:
    # Only the canonical fixed-width form: text order equals causal order only for it, so a
    # timestamp like "5-1" or " 1763780000000-00001" (int() would accept both) must be refused.
    if not isinstance(text, str) or not _HLC_RE.fullmatch(text):
        raise ValueError(f"invalid HLC timestamp: {text!r}")
    millis, counter = text.split("-")
    return int(millis), int(counter)


class HybridClock:
    """Monotonic across calls and across replicas that exchange timestamps."""

    def __init__(self, last: str | None = None, wall: Callable[[], int] | None = None):
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._millis, self._counter = parse_hlc(last) if last else (0, 0)
        self._lock = threading.Lock()

    def _advance(self, millis: int, counter: int) -> str:
        if counter > _COUNTER_MAX:  # more than 100k events in one ms: borrow the next ms
            millis, counter = millis + 1, 0
        self._millis, self._counter = millis, counter
        return format_hlc(millis, counter)

    def now(self) -> str:
        """Timestamp for a local event."""
        with self._lock:
            wall = self._wall()
            if wall > self._millis:
                return self._advance(wall, 0)
            return self._advance(self._millis, self._counter + 1)

    def receive(self, remote: str) -> str:
        """Merge a timestamp seen in incoming data; later local events sort after it."""
        r_millis, r_counter = parse_hlc(remote)
        with self._lock:
            wall = self._wall()
            top = max(wall, self._millis, r_millis)
            if top == self._millis == r_millis:
                counter = max(self._counter, r_counter) + 1
            elif top == self._millis:
                counter = self._counter + 1
            elif top == r_millis:
                counter = r_counter + 1
            else:
                counter = 0
            return self._advance(top, counter)

    def wall(self) -> int:
        """This PC's wall clock in milliseconds (as the clock reads it: tests may set it off)."""
        return self._wall()

    @property
    def last(self) -> str:
        return format_hlc(self._millis, self._counter)

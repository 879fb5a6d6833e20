"""Hybrid logical clock: the ordering that last-writer-wins merges rely on (app/core/hlc.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.hlc import HybridClock, format_hlc, parse_hlc

T0 = 1_763_780_000_000   # 2025-11-22, a realistic wall time in milliseconds


class Wall:
    """A wall clock the test sets by hand (frozen until moved, may go backwards)."""

    def __init__(self, millis: int = T0):
        self.millis = millis

    def __call__(self) -> int:
        return self.millis


def key(hlc: str) -> tuple[int, int]:
    return parse_hlc(hlc)


def test_format_and_parse():
    assert format_hlc(T0, 3) == "1763780000000-00003"
    assert parse_hlc("1763780000000-00003") == (T0, 3)
    assert format_hlc(5, 0) == "0000000000005-00000"


def test_follows_the_wall_clock():
    wall = Wall()
    clock = HybridClock(wall=wall)
    assert clock.now() == format_hlc(T0, 0)
    wall.millis += 7
    assert clock.now() == format_hlc(T0 + 7, 0)
    assert clock.last == format_hlc(T0 + 7, 0)


def test_monotonic_under_frozen_wall_clock():
    clock = HybridClock(wall=Wall())
    stamps = [clock.now() for _ in range(1000)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert stamps[-1] == format_hlc(T0, 999)


def test_monotonic_when_wall_clock_goes_backwards():
    wall = Wall()
    clock = HybridClock(wall=wall)
    before = [clock.now(), clock.now()]
    wall.millis -= 3_600_000            # the PC's clock was set back an hour
    after = [clock.now(), clock.now()]
    assert before + after == sorted(before + after)
    assert after[-1] == format_hlc(T0, 3)  # keeps the old millis, counts on
    wall.millis = T0 + 10               # the wall clock catches up: back to wall time
    assert clock.now() == format_hlc(T0 + 10, 0)


def test_restart_from_last_issued_timestamp_never_goes_back():
    wall = Wall(T0 + 50)
    first = HybridClock(wall=wall)
    last = [first.now() for _ in range(3)][-1]
    wall.millis = T0                    # after a restart the wall clock is behind
    restarted = HybridClock(last=last, wall=wall)
    assert restarted.now() > last


def test_receive_remote_ahead_of_local():
    wall = Wall()
    clock = HybridClock(wall=wall)
    local = clock.now()
    remote = format_hlc(T0 + 60_000, 42)  # another PC whose clock runs a minute fast
    merged = clock.receive(remote)
    assert merged > remote > local
    assert merged == format_hlc(T0 + 60_000, 43)
    later = [clock.now() for _ in range(3)]
    assert all(stamp > remote for stamp in later)
    assert later == sorted(later)


def test_receive_remote_behind_local_keeps_local_order():
    wall = Wall()
    clock = HybridClock(wall=wall)
    local = [clock.now() for _ in range(5)]
    merged = clock.receive(format_hlc(T0 - 1000, 7))
    assert merged > local[-1]
    assert merged == format_hlc(T0, 5)


def test_receive_same_millis_takes_larger_counter():
    clock = HybridClock(wall=Wall())
    clock.now()                                   # T0-00000
    assert clock.receive(format_hlc(T0, 9)) == format_hlc(T0, 10)
    clock2 = HybridClock(last=format_hlc(T0, 20), wall=Wall())
    assert clock2.receive(format_hlc(T0, 9)) == format_hlc(T0, 21)


def test_receive_when_wall_is_ahead_of_everything():
    wall = Wall(T0 + 5000)
    clock = HybridClock(last=format_hlc(T0, 3), wall=wall)
    assert clock.receive(format_hlc(T0 + 10, 99)) == format_hlc(T0 + 5000, 0)


def test_text_order_equals_numeric_order():
    pairs = [(0, 0), (1, 99999), (2, 0), (T0, 0), (T0, 1), (T0, 10), (T0, 99999), (T0 + 1, 0),
             (9_999_999_999_999, 99999)]
    texts = [format_hlc(m, c) for m, c in pairs]
    assert sorted(texts) == texts
    assert sorted(pairs, reverse=True) == [parse_hlc(t) for t in sorted(texts, reverse=True)]


@settings(deadline=None)   # a loaded CI machine must not turn slowness into failures
@given(st.lists(st.tuples(st.integers(0, 9_999_999_999_999), st.integers(0, 99999)),
                min_size=2, max_size=30))
def test_text_order_equals_numeric_order_property(pairs):
    texts = [format_hlc(m, c) for m, c in pairs]
    assert [parse_hlc(t) for t in sorted(texts)] == sorted(pairs)


def test_counter_overflow_borrows_next_millisecond():
    clock = HybridClock(last=format_hlc(T0, 99998), wall=Wall())
    assert clock.now() == format_hlc(T0, 99999)
    assert clock.now() == format_hlc(T0 + 1, 0)     # still sorts after the previous one
    assert clock.now() == format_hlc(T0 + 1, 1)
    other = HybridClock(wall=Wall())
    assert other.receive(format_hlc(T0, 99999)) == format_hlc(T0 + 1, 0)


@pytest.mark.parametrize("bad", ["", "abc", "1763780000000", "1763780000000-", "-00001",
                                 "x763780000000-00001", "1763780000000-00001-2",
                                 "5-1",                        # not fixed width: wrong text order
                                 " 1763780000000-00001",       # blanks would sort differently
                                 "1763780000000-000001", "+763780000000-00001",
                                 "１７６３７８００００００００-00001"])  # full-width digits
def test_parse_errors(bad):
    with pytest.raises(ValueError, match="invalid HLC timestamp"):
        parse_hlc(bad)


def test_parse_rejects_non_text():
    with pytest.raises(ValueError):
        parse_hlc(None)
    with pytest.raises(ValueError):
        HybridClock().receive(12345)


def test_bad_remote_timestamp_leaves_clock_unchanged():
    clock = HybridClock(wall=Wall())
    stamp = clock.now()
    with pytest.raises(ValueError):
        clock.receive("garbage")
    assert clock.last == stamp


# --------------------------------------------------------------------------- property test
# Three replicas, each with its own (misbehaving) wall clock, doing local events and receiving
# timestamps from one another in any interleaving. Every event must sort after every event it
# causally follows: earlier events on the same replica, and whatever the replica had received.

_ops = st.lists(st.one_of(
    st.tuples(st.just("now"), st.integers(0, 2)),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2)),   # from, to
    st.tuples(st.just("wall"), st.integers(0, 2), st.integers(-5000, 5000)),
), max_size=80)


@settings(max_examples=150, deadline=None)
@given(_ops, st.lists(st.integers(T0 - 10_000, T0 + 10_000), min_size=3, max_size=3))
def test_causality_across_three_clocks(ops, start_walls):
    walls = [Wall(w) for w in start_walls]
    clocks = [HybridClock(wall=w) for w in walls]
    past: list[str | None] = [None, None, None]   # latest hlc in each replica's causal past

    def check(i: int, stamp: str, follows: list[str | None]) -> None:
        for before in follows:
            if before is not None:
                assert stamp > before
                assert key(stamp) > key(before)
        past[i] = stamp

    for op in ops:
        if op[0] == "now":
            i = op[1]
            check(i, clocks[i].now(), [past[i]])
        elif op[0] == "send":
            src, dst = op[1], op[2]
            message = clocks[src].now()             # the send is an event on the sender
            check(src, message, [past[src]])
            check(dst, clocks[dst].receive(message), [past[dst], message])
        else:
            i, delta = op[1], op[2]
            walls[i].millis = max(0, walls[i].millis + delta)

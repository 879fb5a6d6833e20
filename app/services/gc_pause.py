"""Pausing Python's cyclic garbage collector around bulk work that builds many small objects."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Pause the cyclic collector while tens of thousands of small rows, sets and tuples (none in
    reference cycles) pile up: its passes over the growing heap otherwise cost about as much as
    building them. Process-wide: other threads meanwhile only have their cycles collected later.
    Restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

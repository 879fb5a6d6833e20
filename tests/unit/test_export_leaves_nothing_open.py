"""Exporting packages leaves nothing open behind it (a process exports all day; on Windows an open
file keeps its folder from being deleted)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.sync_fixtures import build_world


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open files")
def test_exporting_a_report_leaves_no_file_open(tmp_path):
    """The audit-trail spool file was written through a second handle and its first one leaked:
    a process exporting packages all day kept one descriptor per package, and on Windows the
    spool folder could not be deleted after the export."""
    world = build_world(tmp_path / "w", keys=("a",))
    try:
        def open_files() -> set[str]:
            found = set()
            for fd in Path("/proc/self/fd").iterdir():
                try:
                    found.add(os.readlink(fd))
                except OSError:
                    pass
            return found

        before = open_files()
        for _ in range(3):
            world.report("a")
        leaked = [f for f in open_files() - before if "audit-" in f]
        assert leaked == []
    finally:
        world.close()

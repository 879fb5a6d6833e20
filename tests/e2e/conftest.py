"""Fixtures of the CLI tests that act in the small built unit of tests/e2e/cli_world.py."""
from __future__ import annotations

import pytest

from tests.e2e.cli_world import build_world, copy_of


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def db_file(world, tmp_path):
    """A fresh copy of the world's unit database for one test."""
    return copy_of(world, tmp_path, "unit.sqlite")

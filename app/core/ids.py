"""Identifiers for synced rows: UUIDv7 (time-ordered, so B-tree inserts stay local)."""
import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())

"""Real faults for tests: another process holding a database's lock, a full or read-only
filesystem (a small tmpfs mounted for the test), an immutable file. Nothing here is a mock: the
program meets the same errors from SQLite and the OS as on a user's machine."""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# A separate process, as another user's copy of the program would be: it takes the lock, writes a
# row, says "ready", and commits when told (a line on stdin), then says how the commit went.
_HOLDER = r"""
import sqlite3, sys
path, mode = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path, isolation_level=None, timeout=0)
if mode == "exclusive":
    # Exclusive locking mode: the lock is kept on the file itself, so that even readers wait
    # (as with a rollback journal, the mode on network shares).
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
if mode == "open":
    held = open(path, "rb")      # open, no lock taken: only the open file itself shows it
elif mode == "read":
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
else:
    conn.execute("BEGIN EXCLUSIVE" if mode == "exclusive" else "BEGIN IMMEDIATE")
    conn.execute("CREATE TABLE IF NOT EXISTS holder_note(text)")
    conn.execute("INSERT INTO holder_note VALUES ('written by the lock holder')")
print("ready", flush=True)
sys.stdin.readline()
try:
    conn.execute("COMMIT")
    print("committed", flush=True)
except sqlite3.Error as exc:
    print("commit failed:", exc, flush=True)
"""


class LockHolder:
    def __init__(self, path: Path, mode: str):
        self.proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), mode],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line == "ready", line
        self.outcome = None

    def commit(self) -> str:
        if self.outcome is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.outcome = self.proc.stdout.readline().strip()
            self.proc.wait(timeout=30)
        return self.outcome


@contextlib.contextmanager
def lock_held(path: Path, mode: str = "exclusive"):
    """Another process holds the database: "exclusive" (nobody can even read), "immediate" (the
    write lock: readers go on, writers wait), "read" (an open read transaction) or "open" (the
    file merely open, as an idle connection in rollback-journal mode leaves it)."""
    holder = LockHolder(path, mode)
    try:
        yield holder
    finally:
        if holder.outcome is None and holder.proc.poll() is None:
            holder.commit()


def set_rollback_journal(path: Path) -> None:
    """The journal mode the program uses on network shares (WAL needs shared memory)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str = "4m"):
    """A small filesystem of its own, so that it can be filled up or made read-only."""
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {made.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill_up(folder: Path) -> Path:
    """Write one file until the filesystem is full; returns it (delete it to free the space)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:
        pass
    try:                       # the last few blocks a large write could not take
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    os.close(fd)
    return filler


def make_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


def make_writable(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,rw", str(mount_point)], check=True)


@contextlib.contextmanager
def immutable(path: Path):
    """chattr +i: even root cannot write the file (permission bits are ignored for root)."""
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i not possible here: {made.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def holder_note(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM holder_note")]
    finally:
        conn.close()

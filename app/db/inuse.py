"""Is a database file open in another process? Asked before a restore replaces the file.

What each platform can tell, honestly:

- Linux: /proc/locks lists every POSIX lock on this machine with the holder's pid and the file's
  inode. SQLite holds one whenever a connection is open in WAL mode (a shared lock on the -shm
  file) or inside a transaction (rollback journal). /proc/<pid>/fd shows files merely open, but
  only for processes this user may inspect (all of them for root). Then a whole-file exclusive
  lock is tried, held through the replacement: that one also meets locks taken by other
  machines on NFS (the server arbitrates them). A program on another machine that has the file
  open over SMB/CIFS without holding a lock cannot be seen from here.
- Windows: the file is opened with no sharing allowed. Every open handle stops that, also
  handles of other machines on an SMB share (the server enforces share modes). SQLite opens
  with read and write sharing, so any running copy of the program is noticed.
- Elsewhere (macOS): only the lock attempt, as on Linux without /proc.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator

_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _files(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}{s}") for s in _COMPANIONS) if p.exists()]


def _other_lock_holders(inodes: set[tuple[int, int]]) -> set[int]:
    """Pids other than ours holding a POSIX/flock lock on one of the (device, inode) pairs."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return set()
    holders = set()
    for line in lines:
        parts = line.split()
        # "1: POSIX  ADVISORY  READ 4242 fe:00:2146327 120 120"; blocked waiters start with "->"
        if len(parts) < 6 or parts[1] == "->":
            continue
        try:
            pid = int(parts[4])
            major, minor, inode = parts[5].split(":")
            device = os.makedev(int(major, 16), int(minor, 16))
            key = (device, int(inode))
        except ValueError:
            continue
        if key in inodes and pid != os.getpid():
            holders.add(pid)
    return holders


def _other_openers(inodes: set[tuple[int, int]]) -> set[int]:
    """Pids other than ours with one of the files open (only processes we may inspect)."""
    found = set()
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                st = fd.stat()          # follows the link to the open file
                if (st.st_dev, st.st_ino) in inodes:
                    found.add(int(entry.name))
                    break
        except OSError:                 # gone meanwhile, or not ours to look at
            continue
    return found


def other_processes_using(path: Path) -> set[int]:
    """Pids of local processes that hold a lock on, or have open, the database or its -wal,
    -shm or -journal file (Linux; empty elsewhere)."""
    inodes = set()
    for p in _files(path):
        st = p.stat()
        inodes.add((st.st_dev, st.st_ino))
    if not inodes:
        return set()
    return _other_lock_holders(inodes) | _other_openers(inodes)


@contextlib.contextmanager
def exclusive_hold(path: Path) -> Iterator[bool]:
    """Yields True while this process alone has the database file, keeping others out until the
    block ends; False when another process has it open or locked (then nothing is held)."""
    if not path.exists():
        yield True
        return
    if sys.platform == "win32":
        with _windows_exclusive(path) as alone:
            yield alone
        return
    if other_processes_using(path):
        yield False
        return
    with _posix_exclusive(path) as alone:
        yield alone


@contextlib.contextmanager
def _posix_exclusive(path: Path) -> Iterator[bool]:
    import fcntl
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        yield True          # cannot even open it for writing: the replacement will say why
        return
    try:
        try:
            # The whole file: every byte range SQLite locks. A POSIX lock is per process and
            # is released when any descriptor of the file closes, so no SQLite connection of
            # this process may be open on it here (the caller has closed them).
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextlib.contextmanager
def _windows_exclusive(path: Path) -> Iterator[bool]:
    import ctypes
    from ctypes import wintypes
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    kernel32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD,
                                     ctypes.c_void_p, wintypes.DWORD, wintypes.DWORD,
                                     wintypes.HANDLE]
    generic_read, generic_write, open_existing = 0x80000000, 0x40000000, 3
    handle = kernel32.CreateFileW(str(path), generic_read | generic_write, 0, None,
                                  open_existing, 0, None)
    if handle == wintypes.HANDLE(-1).value:
        # 32 = ERROR_SHARING_VIOLATION, 33 = ERROR_LOCK_VIOLATION: someone has it open. Other
        # errors (access denied, …) are left to the replacement itself to report.
        yield ctypes.get_last_error() not in (32, 33)
        return
    kernel32.CloseHandle(handle)
    # The handle is closed again before the file is renamed (Windows cannot rename a file this
    # process holds open without delete sharing); the gap is a few milliseconds.
    yield True

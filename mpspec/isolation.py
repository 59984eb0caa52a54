"""Each spec run in a room of its own, so that two runs on one machine never take each
other's leftovers for their own, and what a run leaves behind is named with the test
that left it.

- **A private /dev/shm.**  Before it starts any worker or test, the run's first
  process enters a new mount namespace (``unshare(CLONE_NEWNS)``, mounts made private
  so nothing propagates back) and mounts a fresh tmpfs on /dev/shm.  Every process of
  the run descends from it and shares that /dev/shm; no other program sees it; it is
  gone when the run's last process exits.  POSIX named semaphores and shared memory
  behave exactly as on the machine's own /dev/shm (the same kernel tmpfs), so nothing
  the spec verifies changes.  It needs CAP_SYS_ADMIN (root, as in CI); elsewhere the
  run shares the machine's /dev/shm and its header says so.
- **A temp dir per test process.**  Each process that runs tests points TMPDIR at a
  directory of its own inside the run's guard directory, so multiprocessing's
  ``pymp-*`` directories, and every other temporary file the test's processes make,
  land where the guard can tell which test left them (pytest's own ``tmp_path`` stays
  where it was).
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import threading

ENV = "MPSPEC_ISOLATE"  # 0 turns the private /dev/shm off
SHM = "/dev/shm"
CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000


def private_shm() -> str:
    """Give this process, and every process it starts from now on, a /dev/shm of its
    own.  Returns "" when done, else why not (the run then shares the machine's)."""
    if os.environ.get(ENV, "1") == "0":
        return f"turned off ({ENV}=0)"
    if not sys.platform.startswith("linux"):
        return f"no mount namespaces on {sys.platform}"
    if not os.path.isdir(SHM):
        return f"no {SHM} here"
    if os.geteuid() != 0:
        return "a private /dev/shm needs root (a mount namespace and a tmpfs mount)"
    if threading.active_count() > 1:
        return "the run's first process already runs threads"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    if libc.unshare(CLONE_NEWNS) != 0:
        return f"unshare(CLONE_NEWNS) failed: {os.strerror(ctypes.get_errno())}"
    # Mounts made from here on stay in this namespace (systemd mounts / as shared).
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return f"making the mounts private failed: {os.strerror(ctypes.get_errno())}"
    if libc.mount(b"tmpfs", SHM.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=1777") != 0:
        return f"mounting a tmpfs on {SHM} failed: {os.strerror(ctypes.get_errno())}"
    return ""


def private_tmp(directory: str) -> str:
    """Make ``directory`` (created if need be) this process's temp dir and its
    children's; pytest's own temp root stays the machine's."""
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", tempfile.gettempdir())
    os.makedirs(directory, exist_ok=True)
    os.environ["TMPDIR"] = directory
    tempfile.tempdir = None  # gettempdir() caches its answer
    return directory


def own_temp_dirs() -> set:
    """The names of this process's own ``pymp-*`` directories (one per library loaded):
    they live until it exits, and are no test's leftover."""
    names = set()
    for library in ("multiprocessing", "multiprocess", "billiard"):
        process = sys.modules.get(f"{library}.process")
        path = getattr(process, "current_process", lambda: None)()
        path = getattr(path, "_config", {}).get("tempdir") if path is not None else None
        if path:
            names.add(os.path.basename(path))
    return names


def entries(directory) -> set:
    try:
        return set(os.listdir(directory))
    except OSError:
        return set()


# What this test process's temp dir held when the running test began (set by the guard).
_test_began_with: set = set()


def test_began(names) -> None:
    global _test_began_with
    _test_began_with = set(names)


def remove_pymp_dirs_of_the_killed(reason: str) -> list:
    """For a test that kills a process on purpose (or lets a program leave through
    os._exit): that process never ran its exit handlers, so its ``pymp-*`` directory
    stays behind.  Remove the ``pymp-*`` directories that appeared in this test
    process's temp dir during the test, once the killed processes are gone; ``reason``
    says who was killed, for the reader.  Anything else left behind is still the
    guard's to report."""
    import shutil

    directory = tempfile.gettempdir()
    gone = sorted(n for n in entries(directory) - _test_began_with - own_temp_dirs() if n.startswith("pymp-"))
    for name in gone:
        shutil.rmtree(os.path.join(directory, name), ignore_errors=True)
    return gone

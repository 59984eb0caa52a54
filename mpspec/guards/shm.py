"""The /dev/shm check (the run; run by mpspec/guards/hooks.py): every entry that
appeared in /dev/shm during the run (POSIX shared memory blocks, named semaphores) and
is still there at its end, with no live process mapping or holding it, was left by the
run: it is removed and the run fails naming it.  The resource tracker's check sees
only what was registered with it; this one also sees blocks created with
``track=False``, by child interpreters, or whose tracker was killed.  The run has a
/dev/shm of its own where it can (mpspec/isolation.py), so a run beside it is never
mistaken for it; MPSPEC_SHM_GUARD=0 turns the check off.  Each test process notes the
names that appeared during each test and outlived it, so a leftover is reported with
the test(s) it appeared in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from mpspec.guards import GUARD_DIR

SHM = "/dev/shm"
SHM_GUARD = "MPSPEC_SHM_GUARD"


def shm_entries():
    """The names in /dev/shm (POSIX shared memory and named semaphores), or None
    where there is no such directory."""
    try:
        return set(os.listdir(SHM))
    except OSError:
        return None


def shm_in_use():
    """The (device, inode) pairs of the /dev/shm files that some live process maps or
    holds open, or None where /proc cannot tell.  (By inode: glibc creates a named
    semaphore under a temporary name, maps it, then links it to its real name, so a
    mapping shows another name.  With the device: another run's private /dev/shm is
    another tmpfs, whose inode numbers repeat ours.)"""
    used = set()
    prefix = SHM + "/"
    try:
        pids = os.listdir("/proc")
    except OSError:
        return None
    for pid in pids:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/maps") as f:
                for line in f:
                    if prefix in line:
                        fields = line.split()
                        major, minor = (int(x, 16) for x in fields[3].split(":"))
                        used.add((os.makedev(major, minor), int(fields[4])))
        except (OSError, IndexError, ValueError):
            pass
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                    st = os.stat(f"/proc/{pid}/fd/{fd}")
                    used.add((st.st_dev, st.st_ino))
            except OSError:
                continue
    return used


def _unused(names):
    """{name: (device, inode)} of the ``names`` still in /dev/shm that no live process
    uses."""
    inodes = {}
    for name in names:
        try:
            st = os.stat(os.path.join(SHM, name))
            inodes[name] = (st.st_dev, st.st_ino)
        except OSError:
            pass  # removed meanwhile
    if not inodes:
        return {}
    used = shm_in_use()
    if used is None:
        return {}
    return {n: i for n, i in inodes.items() if i not in used and os.path.exists(os.path.join(SHM, n))}


def shm_left_behind(before, settle_for: float = 3.0, unused_for: float = 1.0):
    """The /dev/shm entries that appeared since ``before`` and that no live process
    used for ``unused_for`` seconds running, after giving resource trackers up to
    ``settle_for`` seconds to unlink theirs.  (A block that another program closed
    and will attach again in a moment is not taken for a leftover.)"""
    deadline = time.monotonic() + settle_for
    first_unused = {}  # (name, inode) -> when first seen unused
    while True:
        now = time.monotonic()
        unused = {(n, i) for n, i in _unused((shm_entries() or set()) - before).items()}
        first_unused = {k: first_unused.get(k, now) for k in unused}
        left = sorted(n for (n, _), since in first_unused.items() if now - since >= unused_for)
        if not unused or (left and len(left) == len(unused)) or now > deadline:
            return left
        time.sleep(0.1)


def shm_guard_on():
    """False when MPSPEC_SHM_GUARD=0 turns the /dev/shm check off."""
    return os.environ.get(SHM_GUARD, "1") != "0"


def shm_watched():
    """/dev/shm's names now, if this run checks /dev/shm (else None)."""
    return shm_entries() if shm_guard_on() and os.environ.get(GUARD_DIR) else None


def note_new_shm(nodeid, before):
    """Log the /dev/shm names that appeared during the test and are still there, so
    that a leftover at the end of the run names the test(s) it appeared in.  (Under
    -n 2 the other worker's test may have made it: both are named.)"""
    new = (shm_entries() or set()) - before
    if new:
        log = os.path.join(os.environ[GUARD_DIR], f"shm-{os.getpid()}.log")
        with open(log, "a", encoding="utf-8") as f:
            f.writelines(f"{name}\t{nodeid}\n" for name in sorted(new))


def shm_origins(directory):
    """{name: [test ids]} from the workers' logs of new /dev/shm names."""
    origins = {}
    for log in sorted(Path(directory).glob("shm-*.log")):
        for line in log.read_text(errors="replace").splitlines():
            name, _, nodeid = line.partition("\t")
            if nodeid not in origins.setdefault(name, []):
                origins[name].append(nodeid)
    return origins


def remove_shm(names):
    for name in names:
        try:
            os.unlink(os.path.join(SHM, name))
        except OSError:
            pass


"""The process tree of the test process, for the leak guard (mpspec/guards/hooks.py)
and the hang guard (mpspec/guards/hang.py): its descendants, which of them are on
their way out rather than leaked, and how to kill and reap them.

The fork server and the resource tracker are legitimate long-lived children: exactly
their pids are excluded (not their descendants).  Under xdist the test process is a
worker, whose parent (the controller) and siblings are never its descendants.
"""

from __future__ import annotations

import os
import sys
import time

import psutil

from mpspec import lib

# The multiprocessing libraries whose helpers and children the guards know (loky
# replaces only the executor and runs on the standard multiprocessing).
LIBRARIES = tuple(name for name in lib.IMPLS if name not in lib.EXECUTOR_ONLY)


def helper_pids():
    """The pids of the fork servers and resource trackers this process started:
    legitimate long-lived children, for every library loaded."""
    pids = set()
    for name in LIBRARIES:
        forkserver = sys.modules.get(f"{name}.forkserver")
        server = getattr(forkserver, "_forkserver", None)
        pids.add(getattr(server, "_forkserver_pid", None))
        for tracker_module in ("resource_tracker", "semaphore_tracker"):
            module = sys.modules.get(f"{name}.{tracker_module}")
            for attr in ("_resource_tracker", "_semaphore_tracker"):
                pids.add(getattr(getattr(module, attr, None), "_pid", None))
    pids.discard(None)
    return pids


def _descendant_pids_from_proc(pid):
    """The pids of ``pid``'s descendants from Linux's /proc/PID/task/TID/children
    (each thread lists the children it started; zombies included), or None where
    the kernel has no such file.  psutil's children() reads /proc/*/stat of every
    process on the machine instead: this walk reads only the tree, and the guard
    runs it twice per test."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            if parent == pid:
                return None
            continue  # exited meanwhile
        for tid in threads:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{parent}/task/{tid}"):
                    continue  # the thread (or its process) ended meanwhile
                return None  # the kernel keeps no children files (CONFIG_PROC_CHILDREN)
            except OSError:
                continue
            found += kids
            stack += kids
    return found


def descendants():
    """psutil.Process objects of this process's descendants."""
    pids = _descendant_pids_from_proc(os.getpid()) if sys.platform.startswith("linux") else None
    if pids is None:
        try:
            return psutil.Process().children(recursive=True)
        except psutil.Error:
            return []
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.Error:
            pass  # gone (and reaped) meanwhile
    return procs


def stray_processes():
    """Descendants of this process, but the fork servers and resource trackers."""
    helpers = helper_pids()
    return [p for p in descendants() if p.pid not in helpers and not _pidless_tracker(p)]


# The kernel's PF_EXITING flag (include/linux/sched.h): the process is in exit(), past
# running any code of its own.  Field 9 of /proc/PID/stat.
PF_EXITING = 0x4


def exiting(proc) -> bool:
    """True when the kernel says ``proc`` is exiting (Linux; False elsewhere or when
    unknown)."""
    try:
        with open(f"/proc/{proc.pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return bool(int(fields[6]) & PF_EXITING)  # fields[0] is the state (field 3)
    except (OSError, IndexError, ValueError):
        return False


def reported_early(proc) -> bool:
    """True for a child of our billiard fork server.  billiard's fork server child
    writes its exit code to its parent's pipe and only then leaves through the
    ``finally: os._exit(code)`` of forkserver.main, so join() in the test returns while
    the child still runs its last lines: under load the leak guard sees it running."""
    try:
        parent = proc.parent()
        if parent is None or not _pidless_tracker(parent):
            return False
        return "billiard.forkserver" in " ".join(parent.cmdline())
    except psutil.Error:
        return False


def settle(procs, timeout: float = 2.0):
    """``procs`` less those that were on their way out (exiting, or a billiard fork
    server's child that has reported its exit code) and have ended within ``timeout``.
    One still there then, running or a zombie, stays in the list: a leak."""
    finishing = {p.pid for p in procs if exiting(p) or reported_early(p)}
    if not finishing:
        return procs
    deadline = time.monotonic() + timeout
    while any(still_there(p) for p in procs if p.pid in finishing) and time.monotonic() < deadline:
        time.sleep(0.01)
    return [p for p in procs if p.pid not in finishing or still_there(p)]


def still_there(proc) -> bool:
    """Running or a zombie: not yet reaped."""
    try:
        return proc.is_running()
    except psutil.Error:
        return False


# billiard's fork server and semaphore tracker keep no pid to look up: recognise our
# own by their command lines (direct children running the helper's main).
_PIDLESS_HELPERS = ("from billiard.forkserver import main", "from billiard.semaphore_tracker import main")


def _pidless_tracker(proc):
    try:
        cmdline = " ".join(proc.cmdline())
        return proc.ppid() == os.getpid() and any(h in cmdline for h in _PIDLESS_HELPERS)
    except psutil.Error:
        return False


def describe(proc):
    try:
        status = proc.status()
        cmdline = " ".join(proc.cmdline()) or proc.name()
    except psutil.ZombieProcess:
        status, cmdline = psutil.STATUS_ZOMBIE, "?"
    except psutil.Error:
        status, cmdline = "gone", "?"
    return f"pid {proc.pid} ({status}): {cmdline[:200]}"


def kill_tree(procs, grace: float = 3.0):
    """Terminate, then kill, then reap ``procs``; return their descriptions, taken
    before they were stopped."""
    seen = [describe(p) for p in procs]
    for sig in ("terminate", "kill"):
        alive = []
        for proc in procs:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    getattr(proc, sig)()
                    alive.append(proc)
            except psutil.Error:
                pass
        if not alive:
            break
        psutil.wait_procs(alive, timeout=grace)
    reap()
    return seen


def reap_library_children():
    """Join the children of the libraries that have exited, through the libraries,
    so that their bookkeeping stays right (a finished child nobody joined yet is not
    a leak; the library would join it at its next active_children())."""
    for name in LIBRARIES:
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "active_children"):
            try:
                module.active_children()
            except Exception:
                pass


def reap():
    """Collect every child of this process that has exited: the library's own
    children through the library, then any other zombie."""
    reap_library_children()
    me = psutil.Process()
    try:
        children = me.children()
    except psutil.Error:
        return
    for child in children:
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)
        except (psutil.Error, ChildProcessError):
            pass



def orphans(before, now):
    """Processes of the tree noted before teardown that still run outside it."""
    pids = {p.pid for p in now}
    found = []
    for proc in before:
        try:
            if proc.pid not in pids and proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            pass
    return found


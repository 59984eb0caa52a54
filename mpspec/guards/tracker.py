"""The resource-tracker check (the run; run by mpspec/guards/hooks.py): each test
process starts its resource tracker with stderr going to a log of ours and stops it
(and the fork server) at the end of the session, so that the tracker's "leaked
semaphore/shared_memory objects" warnings are seen; any such warning fails the run.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from mpspec import lib
from mpspec.deadlines import DEADLINE
from mpspec.guards.tree import LIBRARIES
from mpspec.toolkit.processes import wait_gone

TRACKER_WARNING = "resource_tracker:"


def _tracker_module():
    try:
        return lib.module("resource_tracker")
    except ImportError:
        return None


def start_logged(directory):
    """Start the resource tracker of the library under test with its stderr in a log
    in ``directory`` (read by ``tracker_warnings``), before any test can start it with
    stderr in a capture file.  A tracker already running is left alone."""
    module = _tracker_module()
    if module is None:
        return
    tracker = getattr(module, "_resource_tracker", None)
    if tracker is None or getattr(tracker, "_fd", None) is not None:
        return
    log = os.path.join(directory, f"tracker-{os.getpid()}.log")
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def run_exit_finalizers():
    """What the library does at interpreter exit, before its helpers see EOF: collect
    garbage and run the finalizers that have an exit priority (they unlink and
    unregister the semaphores of objects still alive).  What the tracker still holds
    after this is truly leaked: its owner died without cleaning up."""
    import gc

    gc.collect()
    for name in LIBRARIES:
        util = sys.modules.get(f"{name}.util")
        if util is not None and hasattr(util, "_run_finalizers"):
            try:
                util._run_finalizers(0)
            except Exception:
                pass


def stop_helpers(timeout: float = DEADLINE):
    """Stop the fork servers, then the resource trackers (which then report what was
    leaked); kill any that does not end within ``timeout``."""
    run_exit_finalizers()
    for name in LIBRARIES:
        server = getattr(sys.modules.get(f"{name}.forkserver"), "_forkserver", None)
        if _end_helper(getattr(server, "_forkserver_pid", None), getattr(server, "_forkserver_alive_fd", None), timeout):
            server._forkserver_alive_fd = server._forkserver_pid = None
            if hasattr(server, "_forkserver_address"):
                server._forkserver_address = None
    for name in LIBRARIES:
        tracker = getattr(sys.modules.get(f"{name}.resource_tracker"), "_resource_tracker", None)
        if _end_helper(getattr(tracker, "_pid", None), getattr(tracker, "_fd", None), timeout):
            tracker._fd = tracker._pid = None


def _end_helper(pid, fd, timeout):
    """Close our end of a helper's pipe (it exits on EOF), wait for it, kill it if it
    lingers.  False when there was no helper to end."""
    if pid is None:
        return False
    try:
        os.close(fd)
    except (OSError, TypeError):
        pass
    if not wait_gone(pid, timeout, reap=True):
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid, timeout, reap=True)
    return True


def tracker_warnings(directory):
    """The resource trackers' warnings logged in ``directory``."""
    lines = []
    for log in sorted(Path(directory).glob("tracker-*.log")):
        lines += [line for line in log.read_text(errors="replace").splitlines() if TRACKER_WARNING in line]
    return lines


"""The hang guard (spec tests; armed by mpspec/guards/hooks.py): a test still running
after ``--spec-test-deadline`` seconds has its whole child tree killed and fails at
once, and the run goes on.  pytest-timeout stays the backstop, with a longer limit.
"""

from __future__ import annotations

import signal
import threading
from typing import List

import pytest

from mpspec.guards.tree import describe, kill_tree, stray_processes

# What the guard saw, on the test's item.stash (the leak guard reports a hang the
# guard could not interrupt).
HANG_TREE = pytest.StashKey[List[str]]()
HANG_KILLED = pytest.StashKey[List[str]]()
HANG_RAISED = pytest.StashKey[bool]()


class HangGuardFired(AssertionError):
    """A test ran past its deadline; its child tree has been killed."""


# Windows has neither SIGUSR1 nor pthread_kill: there the guard cannot interrupt the
# test, and only kills its child tree (which ends most hangs: the test's blocking call
# then sees EOF or a dead child); pytest-timeout remains the backstop.
_SIGNAL = getattr(signal, "SIGUSR1", None)
_CURRENT = {}  # "watchdog": the armed watchdog of the running test, if any


def _on_signal(signum, frame):
    watchdog = _CURRENT.get("watchdog")
    if watchdog is not None and watchdog.armed and watchdog.pending:
        watchdog.pending = False
        watchdog.item.stash[HANG_RAISED] = True
        raise HangGuardFired(watchdog.message())


def install_handler():
    """Once, in the main thread: the handler stays for the whole session, so a late
    signal can never meet the default action (which would end the process)."""
    if _SIGNAL is not None and hasattr(signal, "pthread_kill") and threading.current_thread() is threading.main_thread():
        signal.signal(_SIGNAL, _on_signal)
        return True
    return False


class Watchdog:
    """At the deadline, interrupts the test's (main) thread with HangGuardFired, so
    that the test's own clean-up runs while its children are still intact (killing
    a pool worker that holds a queue lock would deadlock the pool's terminate()).
    If the test is still running ``GRACE`` seconds later, its child tree is killed
    and it is interrupted again, and so on."""

    GRACE = 5.0

    def __init__(self, item, seconds, interrupt):
        self.item, self.seconds, self.interrupt = item, seconds, interrupt
        self.armed = False
        self.pending = False
        self.tree = []
        self.killed = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="mpspec-hang-guard", daemon=True)

    def message(self):
        text = f"hang guard: the test was still running after its deadline of {self.seconds:g} s"
        if self.killed:
            text += "; its child tree was killed: " + "; ".join(self.killed)
        elif self.tree:
            text += "; its child tree then: " + "; ".join(self.tree)
        return text

    def _interrupt(self):
        self.pending = True
        if self.armed and self.interrupt:
            signal.pthread_kill(threading.main_thread().ident, _SIGNAL)

    def _watch(self):
        if self.stop.wait(self.seconds):
            return
        self.tree = [describe(p) for p in stray_processes()]
        self.item.stash[HANG_TREE] = self.tree
        self._interrupt()
        while not self.stop.wait(self.GRACE):
            self.killed += kill_tree(stray_processes())
            self.item.stash[HANG_KILLED] = self.killed
            self._interrupt()

    def __enter__(self):
        _CURRENT["watchdog"] = self
        self.armed = True
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.armed = False
        self.stop.set()
        self.thread.join()
        _CURRENT.pop("watchdog", None)


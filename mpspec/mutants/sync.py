"""Mutants of the behaviours the docs chapter `sync` relies on: the library's Lock,
RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier.

A SemLock's acquire and release are bound per object from the C SemLock in
``_make_methods`` (run by the constructor and again when the object is unpickled in
a child): the mutants wrap them there, for one class at a time.  The ids start with
"sync-" (other chapters have locks too)."""

from __future__ import annotations

import inspect
import os
import sys
import threading

from mpspec.mutants import mutant, replaces, replacing, sub


def _wrap_methods(cls, acquire=None, release=None):
    """Make every ``cls`` object's acquire/release the given wrappers, called as
    ``wrapper(obj, original, *args, **kwargs)``."""

    @replaces(cls, "_make_methods")
    def _make_methods(make, self):
        make(self)
        if acquire is not None:
            original_acquire = self.acquire
            self.acquire = lambda *a, **k: acquire(self, original_acquire, *a, **k)
        if release is not None:
            original_release = self.release
            self.release = lambda *a, **k: release(self, original_release, *a, **k)


def _arguments(block=True, timeout=None):
    return block, timeout


@mutant(
    "sync-lock-acquire-never-waits",
    ["sync.lock-exclusive-across-processes", "sync.lock-nonblocking", "sync.lock-context-manager"],
    "Lock.acquire() returns True at once even when another process or thread holds the lock",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        original(False)
        return True

    _wrap_methods(sub("synchronize").Lock, acquire=acquire)


@mutant(
    "sync-lock-owned-by-acquirer",
    ["sync.lock-release-any-process"],
    "Lock.release() raises AssertionError unless this process and thread acquired the lock",
)
def _(mp):
    def me():
        return os.getpid(), threading.get_ident()

    def acquire(self, original, *args, **kwargs):
        got = original(*args, **kwargs)
        if got:
            self._mutant_owner = me()
        return got

    def release(self, original):
        if getattr(self, "_mutant_owner", None) != me():
            raise AssertionError("attempt to release a lock not acquired here")
        self._mutant_owner = None
        return original()

    _wrap_methods(sub("synchronize").Lock, acquire=acquire, release=release)


@mutant(
    "sync-lock-exit-keeps-lock",
    ["sync.lock-context-manager"],
    "Leaving `with lock:` does not release the Lock",
)
def _(mp):
    sub("synchronize").Lock.__exit__ = lambda self, *exc: None


@mutant(
    "sync-nonblocking-acquire-waits",
    ["sync.lock-nonblocking", "sync.lock-timeout-semantics"],
    "Lock.acquire(block=False) waits like a blocking acquire (with its timeout, if any)",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        _, timeout = _arguments(*args, **kwargs)
        return original(True, timeout)

    _wrap_methods(sub("synchronize").Lock, acquire=acquire)


def _release_ignoring(cls, error):
    """``cls.release()`` swallows the ``error`` it should raise."""

    def release(self, original):
        try:
            original()
        except error:
            pass

    _wrap_methods(cls, release=release)


@mutant(
    "sync-negative-timeout-raises",
    ["sync.lock-timeout-semantics"],
    "Lock.acquire() with a negative timeout raises ValueError, as threading's does",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        _, timeout = _arguments(*args, **kwargs)
        if timeout is not None and timeout < 0:
            raise ValueError("timeout value must be a non-negative number")
        return original(*args, **kwargs)

    _wrap_methods(sub("synchronize").Lock, acquire=acquire)


@mutant(
    "sync-unlocked-release-ignored",
    ["sync.lock-release-unlocked-valueerror"],
    "Releasing an unlocked Lock does nothing instead of raising ValueError",
)
def _(mp):
    _release_ignoring(sub("synchronize").Lock, ValueError)


@mutant(
    "sync-rlock-not-reentrant",
    ["sync.rlock-reentrant", "sync.rlock-nonblocking-other-owner", "sync.rlock-release-non-owner-assertion"],
    "RLock is a plain Lock: its owner cannot take it again, and anyone may release it",
)
def _(mp):
    synchronize = sub("synchronize")

    def __init__(self, *args, ctx=None, **kwargs):
        synchronize.SemLock.__init__(self, synchronize.SEMAPHORE, 1, 1, ctx=ctx)

    synchronize.RLock.__init__ = __init__


@mutant(
    "sync-rlock-release-by-anyone",
    ["sync.rlock-release-non-owner-assertion"],
    "Releasing an RLock one does not own does nothing instead of raising AssertionError",
)
def _(mp):
    _release_ignoring(sub("synchronize").RLock, AssertionError)


@mutant(
    "sync-rlock-nonblocking-succeeds",
    ["sync.rlock-nonblocking-other-owner"],
    "RLock.acquire(block=False) returns True even when another process owns the lock",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        block, _ = _arguments(*args, **kwargs)
        return original(*args, **kwargs) or not block

    _wrap_methods(sub("synchronize").RLock, acquire=acquire)


@mutant(
    "sync-rlock-waiters-barge-in",
    ["sync.rlock-release-wakes-one"],
    "A blocking RLock.acquire() that finds the lock taken returns True without it, as if "
    "every waiter were let in at once",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        block, _ = _arguments(*args, **kwargs)
        if not block:
            return original(False)
        if not original(False):
            self._mutant_barged = True
        return True

    def release(self, original):
        if getattr(self, "_mutant_barged", False):
            self._mutant_barged = False
            return None
        return original()

    _wrap_methods(sub("synchronize").RLock, acquire=acquire, release=release)


@mutant(
    "sync-semaphore-admits-one-more",
    ["sync.semaphore-counts"],
    "Semaphore(n) for n >= 2 admits n + 1 holders",
)
@replacing("synchronize.Semaphore", "__init__")
def sync_semaphore_admits_one_more(init, self, value=1, *args, **kwargs):
    if type(self) is sub("synchronize").Semaphore and value >= 2:
        value += 1
    init(self, value, *args, **kwargs)


@mutant(
    "sync-bounded-semaphore-unbounded",
    ["sync.bounded-semaphore-overrelease"],
    "BoundedSemaphore has no bound: releasing it above its initial value works",
)
def _(mp):
    synchronize = sub("synchronize")

    def __init__(self, value=1, *args, ctx=None, **kwargs):
        synchronize.SemLock.__init__(self, synchronize.SEMAPHORE, value, synchronize.SEM_VALUE_MAX, ctx=ctx)

    synchronize.BoundedSemaphore.__init__ = __init__


@mutant(
    "sync-barrier-action-every-party",
    ["sync.barrier-across-processes"],
    "Barrier runs its action in every party, not once per cycle",
)
@replacing("synchronize.Barrier", "wait")
def every_wait(wait, self, timeout=None):
    index = wait(self, timeout)
    if self._action:
        self._action()
    return index


@mutant(
    "sync-barrier-timeout-does-not-break",
    ["sync.barrier-timeout-broken"],
    "A barrier wait that times out raises BrokenBarrierError but leaves the barrier whole",
)
def _(mp):
    sub("synchronize").Barrier._break = lambda self: None


@mutant(
    "sync-notify-wakes-all",
    ["sync.condition-wait-notify"],
    "Condition.notify() wakes every waiting process, as notify_all() does",
)
def _(mp):
    Condition = sub("synchronize").Condition
    notify, notify_all = Condition.notify, Condition.notify_all
    takes_n = "n" in inspect.signature(notify).parameters

    def every_notify(self, n=1):
        if takes_n:  # the standard library's notify_all calls notify(n=maxsize)
            return notify(self, sys.maxsize)
        return notify_all(self)

    Condition.notify = every_notify


@mutant(
    "sync-event-wait-always-true",
    ["sync.event-set-wait"],
    "Event.wait(timeout) returns True even when the timeout passed with the event clear",
)
@replacing("synchronize.Event", "wait")
def always(wait, self, timeout=None):
    wait(self, timeout)
    return True


@mutant(
    "sync-acquire-ignores-sigint",
    ["sync.sigint-interrupts-acquire"],
    "A blocking acquire of any SemLock (Lock, RLock, semaphores, and the Condition, "
    "Event and Barrier built on them) swallows KeyboardInterrupt and goes on waiting",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        while True:
            try:
                return original(*args, **kwargs)
            except KeyboardInterrupt:
                continue

    _wrap_methods(sub("synchronize").SemLock, acquire=acquire)


@mutant(
    "sync-timed-acquire-gives-up-at-once",
    ["sync.macos-timeout-emulated", "sync.lock-timeout-semantics"],
    "acquire(timeout=t) on a held Semaphore or Lock returns False at once instead of "
    "waiting up to t seconds (a broken timed wait, emulated or not)",
)
def _(mp):
    def acquire(self, original, *args, **kwargs):
        block, timeout = _arguments(*args, **kwargs)
        if block and timeout is not None and timeout > 0:
            return original(False)
        return original(*args, **kwargs)

    synchronize = sub("synchronize")
    _wrap_methods(synchronize.Semaphore, acquire=acquire)
    _wrap_methods(synchronize.Lock, acquire=acquire)


@mutant(
    "sync-notify-forgets-dead-sleepers",
    ["sync.event-set-after-killed-waiter"],
    "notify()/notify_all() (and so Event.set()) wait at most 0.1 s for each woken sleeper, "
    "so a waiter killed while it waited cannot hold them up",
)
@replacing("synchronize.Condition", "notify")
def bounded_notify(notify, self, *args, **kwargs):
    woken = self._woken_count
    if not getattr(woken, "_mutant_bounded", False):
        acquire = woken.acquire
        woken.acquire = lambda block=True, timeout=None: acquire(block, 0.1 if block and timeout is None else timeout)
        woken._mutant_bounded = True
    return notify(self, *args, **kwargs)

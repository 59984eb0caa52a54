"""Docs chapter `sync`: Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event
and Barrier across processes, their timeouts, and Ctrl-C."""

from mpspec.registry import Claim, holds, na, partly

MACOS_SOURCE = (
    "Registered from the source (Modules/_multiprocessing/semaphore.c, unchanged in "
    "substance 3.8-3.15): "
)

CLAIMS = [
    Claim(
        id="sync.lock-exclusive-across-processes",
        cite="Synchronization primitives › Lock",
        statement="While one process or thread holds a Lock, every other process or thread "
        "that tries to acquire it waits until it is released.",
        explanation="A Lock held by a child makes the parent's acquire(timeout) wait the "
        "whole timeout and return False, and a Lock held by the parent blocks its own other "
        "threads; once the holder releases, the waiting acquire returns True.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.lock-release-any-process",
        cite="Synchronization primitives › Lock.release()",
        statement="A Lock has no owner: any process or thread may release it, not only "
        "the one that acquired it.",
        explanation="The parent acquires; a child (or another thread of the parent) "
        "releases it without error, and the parent's next acquire succeeds.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.lock-context-manager",
        cite="Synchronization primitives › Lock, RLock (context manager protocol)",
        statement="Lock and RLock are context managers: a with-statement acquires on "
        "entry and releases on exit.",
        explanation="While a child is inside `with lock:` the parent cannot take the lock "
        "without blocking; after the block ends, normally or by an exception, it can.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.lock-nonblocking",
        cite="Synchronization primitives › Lock.acquire()",
        statement="acquire(block=False) never waits: it returns False at once when another "
        "holds the lock, and True (taking it) when the lock is free.",
        explanation="With a child holding the lock, acquire(False) returns False without "
        "waiting for the holder; once the lock is free it returns True and the lock is "
        "taken.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.lock-timeout-semantics",
        cite="Synchronization primitives › Lock.acquire()",
        statement="acquire(timeout=t) waits at most t seconds and then returns False; a "
        "negative timeout acts as zero; timeout=None waits without limit; with "
        "block=False the timeout is ignored.",
        explanation="As documented. It differs from threading.Lock.acquire: there timeout=-1 "
        "means no limit and other negative values raise ValueError, and the keyword is "
        "blocking=, which the library's acquire() rejects with TypeError.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.lock-release-unlocked-valueerror",
        cite="Synchronization primitives › Lock.release()",
        statement="Releasing a Lock that is not locked raises ValueError.",
        explanation="ValueError('semaphore or lock released too many times'), on a fresh "
        "Lock and on one released twice (also on macOS: for a maximum of 1 the check is a "
        "sem_trywait, not sem_getvalue).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="sync.rlock-reentrant",
        cite="Synchronization primitives › RLock",
        statement="The process and thread that own an RLock can acquire it again without "
        "blocking; it stays owned until released as many times as it was acquired.",
        explanation="A child that took the RLock twice and released it once still owns it "
        "(the parent's acquire(False) is False); after its second release the parent gets "
        "it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.rlock-nonblocking-other-owner",
        cite="Synchronization primitives › RLock.acquire()",
        statement="acquire(block=False) on an RLock owned by another process or thread "
        "returns False and leaves the lock and its recursion level as they were.",
        explanation="The parent's acquire(False) returns False while a child owns the RLock; "
        "the parent then does not own it (its release() raises AssertionError), and the "
        "child's one release frees it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.rlock-release-non-owner-assertion",
        cite="Synchronization primitives › RLock.release()",
        statement="Releasing an RLock that the caller does not own, or that nobody owns, "
        "raises AssertionError.",
        explanation="AssertionError('attempt to release recursive lock not owned by "
        "thread'), raised by the C code itself, so also under -O; a child releasing the "
        "parent's RLock gets it and the parent still owns the lock.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.rlock-release-wakes-one",
        cite="Synchronization primitives › RLock.release()",
        statement="When an RLock is released for the last time and processes are blocked "
        "acquiring it, exactly one of them gets it.",
        explanation="With three children blocked on the parent's RLock, its release lets "
        "exactly one in; the others stay blocked until that one releases, and never two "
        "are inside at once.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.semaphore-counts",
        cite="Synchronization primitives › Semaphore",
        statement="Semaphore(n) lets at most n holders in at once, across processes; as "
        "with Lock, acquire's first parameter is named block.",
        explanation="With Semaphore(2) and four children, exactly two get in, the others "
        "wait until one leaves, and never more than two are inside. acquire(block=False) "
        "works; acquire(blocking=False), threading's spelling, raises TypeError.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.bounded-semaphore-overrelease",
        cite="Synchronization primitives › BoundedSemaphore (and its macOS note)",
        statement="Releasing a BoundedSemaphore beyond its initial value raises "
        "ValueError; on macOS, where sem_getvalue() is missing, it acts like a Semaphore.",
        explanation="ValueError('semaphore or lock released too many times') for any "
        "initial value, from whichever process releases; the value never exceeds the "
        "initial one.",
        verdicts=(
            partly(
                MACOS_SOURCE + "without sem_getvalue only a maximum of 1 is checked (with "
                "sem_trywait): BoundedSemaphore(1) does raise ValueError, like a Lock; with "
                "a larger initial value the release silently raises the count above it.",
                platforms=("darwin",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="sync.barrier-across-processes",
        cite="Synchronization primitives › Barrier (new in 3.3)",
        statement="Barrier(parties, action, timeout) is threading.Barrier for processes: "
        "no party passes until all have arrived, the action runs once per cycle, and "
        "wait() returns each party a different index.",
        explanation="Two children wait at a Barrier(3) until a third arrives; then all "
        "three pass, the action (a picklable function) runs exactly once, in one of them, "
        "and the returned indices are 0, 1 and 2.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.barrier-timeout-broken",
        cite="Synchronization primitives › Barrier; threading › Barrier.wait()",
        statement="A barrier wait that times out raises BrokenBarrierError and breaks the "
        "barrier, so the other waiting parties get BrokenBarrierError too.",
        explanation="With Barrier(3, timeout=0.2) and two children waiting, both raise "
        "threading.BrokenBarrierError (the library has no class of its own) after the "
        "timeout; the barrier is then broken for every process until reset().",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.condition-wait-notify",
        cite="Synchronization primitives › Condition (wait_for new in 3.3)",
        statement="Condition, with the library's Lock or RLock, offers threading's "
        "wait/notify/notify_all/wait_for across processes.",
        explanation="A child's wait_for(predicate) returns True once the parent changes a "
        "shared value and calls notify_all(); notify() wakes one of two waiting children, "
        "notify(n) n of them; wait(timeout) unnotified returns False after the timeout.",
        verdicts=(
            partly(
                "billiard's Condition.notify() takes no n (notify(n=2) raises TypeError); "
                "notify(), notify_all(), wait() and wait_for() work as documented.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="sync.event-set-wait",
        cite="Synchronization primitives › Event",
        statement="Event is threading.Event across processes: wait() blocks until another "
        "process calls set(), and returns False if its timeout passes first.",
        explanation="A child blocked in wait() returns True once the parent sets the "
        "event; is_set() and clear() are seen by every process; wait(0.2) on a clear "
        "event returns False after the timeout.",
        verdicts=(holds(),),
    ),
    Claim(
        id="sync.macos-timeout-emulated",
        cite="Synchronization primitives (the note on macOS and sem_timedwait)",
        statement="On macOS, which lacks sem_timedwait, acquire with a timeout is emulated "
        "by a loop that sleeps and polls.",
        explanation="Only macOS: elsewhere acquire(timeout) is a sem_timedwait.",
        verdicts=(
            holds(
                MACOS_SOURCE + "without HAVE_SEM_TIMEDWAIT, acquire(timeout) loops over "
                "sem_trywait with growing sleeps (up to 20 ms), checking signals; it still "
                "returns False once the timeout has passed.",
                platforms=("darwin",),
            ),
            na("a macOS-only behaviour: Linux has sem_timedwait"),
        ),
        per_method=False,
    ),
    Claim(
        id="sync.sigint-interrupts-acquire",
        cite="Synchronization primitives (the note on SIGINT)",
        statement="If Ctrl-C (SIGINT) comes while the main thread waits in "
        "acquire() of a Lock, RLock, Semaphore or BoundedSemaphore, or in a Condition's "
        "acquire() or wait(), interrupts the call with KeyboardInterrupt, unlike the "
        "equivalent calls of threading, which ignore it.",
        explanation="The library's calls are interrupted as promised (Event.wait and "
        "Barrier.wait too: they wait on a Condition). But the contrast is wrong on POSIX: "
        "since 3.2 threading.Lock.acquire and threading.Condition.wait are interrupted by "
        "SIGINT as well.",
        verdicts=(
            na(
                "a test cannot send one program a Ctrl-C on Windows (there, the source "
                "waits on the SIGINT event as well as the semaphore)",
                platforms=("win32",),
            ),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="sync.event-set-after-killed-waiter",
        cite="Synchronization primitives (Condition, Event): not in the docs",
        statement="If a process is killed while it waits on an Event or a Condition, a "
        "later set() or notify_all() can block for ever.",
        explanation="Holds on every interpreter and library here: a waiter counts itself "
        "a sleeper before it blocks, and notify()/notify_all() (which Event.set() calls) "
        "then waits, with no timeout, for each counted sleeper to say it woke; a killed one "
        "never does, so the call never returns, holding the Condition's lock. Shown in a "
        "program of its own: the child is killed once the Condition counts it, and the "
        "wake-up call has not returned 2 s later. The docs do not mention it.",
        verdicts=(
            holds(
                "billiard's notify() (no n) waits for each sleeper the same way: set() and "
                "notify_all() hang after a waiter was killed.",
                libraries=("billiard",),
            ),
            holds(),
        ),
        beyond=True,
    ),
]

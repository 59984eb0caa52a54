"""Synchronization primitives: Lock, RLock, Semaphore, BoundedSemaphore, Condition,
Event and Barrier shared between processes.

Docs: multiprocessing › Reference › Synchronization primitives (Lock and RLock with
acquire()/release() and the context-manager protocol, Semaphore, BoundedSemaphore and
its macOS note, Condition with wait_for() new in 3.3, Event, Barrier new in 3.3, the
notes on macOS's missing sem_timedwait and on SIGINT), and threading › Barrier /
Lock.acquire() for the behaviours the docs defer to.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of the part of a claim that holds where the claim only
partly holds pin that part and observe nothing.  "At once" is measured against a
long timeout the call must ignore (under a tenth of it), not against the deadline.
"""

import contextlib
import json
import signal
import threading
import time

import pytest

from fixtures import sync
from mpspec import support
from mpspec.deadlines import DEADLINE, SLACK, WAIT

# A call that should not wait returns well within this (a generous bound that only a
# call waiting for another process, or for its timeout, would exceed).
PROMPT = 5.0
# A timeout a non-blocking call must ignore: "at once" is under a tenth of it.
LONG = 10.0


def timed(call, *args, **kwargs):
    """Run ``call`` in the main thread; return (its result, seconds taken)."""
    start = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - start


def promptly(call, *args):
    """``call(*args)`` in a thread that must finish within PROMPT seconds; return its
    result.  (A thread, so that a call that wrongly waits fails the test instead of
    hanging it.)"""
    return support.call_within(call, *args, timeout=PROMPT)


def waits_until_released(call, release):
    """``call()`` in a thread: still waiting after WAIT, while a child holds the lock;
    then ``release`` (the holder's Event) is set, and the call must return within
    DEADLINE.  Returns what it returned."""
    thread, result = support.in_thread(call)
    thread.join(WAIT)
    assert thread.is_alive(), f"{call!r} returned while the child held the lock"
    release.set()
    thread.join(DEADLINE)
    return result.get("value")


def counters(ctx, n=3):
    return [ctx.Value("i", 0) for _ in range(n)]


def all_asleep(procs):
    """Whether every process in ``procs`` is blocked (sleeping), by psutil; true
    where psutil is missing (the callers then rely on their report counters)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency everywhere we run
        return True
    try:
        return all(psutil.Process(p.pid).status() == psutil.STATUS_SLEEPING for p in procs)
    except psutil.NoSuchProcess:
        return True  # a child already gone: its exit code tells the story


# --- Lock -------------------------------------------------------------------------------


@pytest.mark.claim("sync.lock-exclusive-across-processes")
def test_a_lock_held_by_a_child_makes_the_parent_wait_until_it_is_released(ctx, observed):
    """While a child holds the Lock, the parent's acquire(timeout) waits the whole
    timeout and fails; once the child releases it, the parent's acquire succeeds."""
    lock = ctx.Lock()
    with support.holding(ctx, lock) as (_, release):
        held, elapsed = timed(lock.acquire, timeout=WAIT)
        got = waits_until_released(lambda: lock.acquire(True, DEADLINE), release)
    assert got is True
    lock.release()
    observed(
        "holds" if held is False and elapsed >= WAIT * SLACK and got is True else "does-not-hold",
        because=f"while a child held the Lock the parent's acquire(timeout={WAIT}) gave {held} after {elapsed:.2f} s; "
        f"a blocking acquire waited for the release and gave {got}",
    )


@pytest.mark.claim("sync.lock-exclusive-across-processes")
def test_a_lock_held_by_the_parent_blocks_a_child_and_another_thread(ctx):
    """A Lock held by the parent's main thread blocks a child and another thread of
    the parent alike."""
    lock = ctx.Lock()
    lock.acquire()
    try:
        child = support.run(ctx, sync.try_acquire, lock, WAIT)
        assert child.exitcode == 1, "the child got the lock the parent holds"
        assert promptly(lock.acquire, True, WAIT) is False
    finally:
        lock.release()
    child = support.run(ctx, sync.try_acquire, lock, DEADLINE)
    assert child.exitcode == 0


@pytest.mark.claim("sync.lock-release-any-process")
def test_a_child_may_release_the_lock_its_parent_acquired(ctx, observed):
    """The parent acquires the Lock and a child releases it without error; the
    parent can then acquire it again.  Another thread may release it too."""
    lock = ctx.Lock()
    assert lock.acquire(timeout=DEADLINE)
    child = support.run(ctx, sync.try_release, lock)
    freed = lock.acquire(timeout=DEADLINE)
    by_thread = freed and promptly(lock.release) is None and lock.acquire(False)
    if by_thread:
        lock.release()
    observed(
        "holds" if child.exitcode == sync.RELEASED and freed and by_thread else "does-not-hold",
        because=f"a child's release() of the parent's Lock: exit code {child.exitcode} (released: {sync.RELEASED}); "
        f"the parent could take it again: {freed}; another thread's release freed it: {by_thread}",
    )


@pytest.mark.claim("sync.lock-context-manager")
@pytest.mark.parametrize("kind", ["Lock", "RLock"])
def test_a_with_statement_holds_the_lock_for_the_block_only(ctx, kind, observed):
    """While a child is inside `with lock:` the parent cannot take the lock without
    blocking; when the child's block ends, the lock is free.  In the parent, an
    exception leaving the block releases the lock as well."""
    lock = getattr(ctx, kind)()
    with support.holding(ctx, lock, use_with=True):
        inside = lock.acquire(False)
    after = lock.acquire(timeout=DEADLINE)
    if after:
        lock.release()
    with pytest.raises(KeyError), lock:
        raise KeyError("leaving the block")
    after_raise = support.run(ctx, sync.try_acquire, lock, DEADLINE).exitcode
    observed(
        "holds" if inside is False and after is True and after_raise == 0 else "does-not-hold",
        because=f"acquire(False) while a child was inside `with lock:` gave {inside}; after its block: {after}; a "
        f"child's acquire after an exception left the parent's block exited {after_raise} (0: got it)",
    )


@pytest.mark.claim("sync.lock-nonblocking")
def test_acquire_without_blocking_fails_at_once_while_another_process_holds_the_lock(ctx, observed):
    """acquire(block=False) returns False without waiting for the child that holds
    the Lock, and True (taking the lock) once it is free."""
    lock = ctx.Lock()
    with support.holding(ctx, lock):
        assert promptly(lock.acquire, False) is False
        held, waited = timed(lock.acquire, False, LONG)  # the timeout must be ignored
    free = promptly(lock.acquire, False)
    assert promptly(lock.acquire, False) is False  # now the parent holds it
    lock.release()
    observed(
        "holds" if held is False and waited < LONG / 10 and free is True else "does-not-hold",
        because=f"acquire(False, {LONG:g}) while a child held the Lock gave {held} after {waited:.3f} s; "
        f"acquire(False) once it was free gave {free}",
    )


@pytest.mark.claim("sync.lock-timeout-semantics")
def test_acquire_timeouts_positive_negative_none_and_ignored(ctx, observed):
    """While a child holds the Lock: acquire(timeout=0.2) waits about that long and
    returns False; a negative timeout (-1 or -0.5) acts as 0 and returns False at
    once; with block=False a timeout of DEADLINE is ignored; timeout=None waits until
    the child releases, and then returns True."""
    lock = ctx.Lock()
    with support.holding(ctx, lock) as (_, release):
        timed_out, elapsed = timed(lock.acquire, timeout=WAIT)
        negative = [promptly(lock.acquire, True, -1), promptly(lambda: lock.acquire(timeout=-0.5))]
        ignored = []
        for call in (lambda: lock.acquire(False, LONG), lambda: lock.acquire(block=False, timeout=LONG)):
            got, waited = timed(call)
            ignored.append((got, waited < LONG / 10))
        got = waits_until_released(lambda: lock.acquire(timeout=None), release)
    assert got is True
    lock.release()
    observed(
        "holds"
        if timed_out is False and elapsed >= WAIT * SLACK and negative == [False, False]
        and ignored == [(False, True)] * 2 and got is True
        else "does-not-hold",
        because=f"while a child held the Lock: timeout={WAIT} gave {timed_out} after {elapsed:.2f} s; -1 and -0.5 "
        f"gave {negative}; block=False with timeout={LONG:g} (result, under a tenth of it): {ignored}; "
        f"timeout=None waited for the release and gave {got}",
    )


@pytest.mark.claim("sync.lock-timeout-semantics")
def test_threading_spells_the_keyword_blocking_and_the_library_rejects_it(ctx):
    """threading's Lock.acquire takes blocking= and raises ValueError for a negative
    timeout other than -1; the library's acquire takes block= and rejects blocking=
    with TypeError."""
    lock = ctx.Lock()
    with pytest.raises(TypeError):
        lock.acquire(blocking=False)
    assert lock.acquire(block=False) is True
    lock.release()
    with pytest.raises(ValueError):
        threading.Lock().acquire(timeout=-0.5)


@pytest.mark.claim("sync.lock-release-unlocked-valueerror")
def test_releasing_an_unlocked_lock_raises_value_error(observed):
    """A fresh Lock's release() raises ValueError; so does a second release, and the
    lock stays usable."""
    lock = support.cheapest_context().Lock()

    def release():
        try:
            lock.release()
        except ValueError as error:
            return error
        return None

    fresh = release()
    lock.acquire()
    lock.release()
    second = release()
    usable = lock.acquire(False) is True and lock.acquire(False) is False
    lock.release()
    observed(
        "holds" if isinstance(fresh, ValueError) and isinstance(second, ValueError) and usable else "does-not-hold",
        because=f"release() of a fresh Lock: {fresh!r}; a second release(): {second!r}; usable after: {usable}",
    )


# --- RLock -----------------------------------------------------------------------------


@pytest.mark.claim("sync.rlock-reentrant")
def test_an_rlock_stays_owned_until_released_as_often_as_acquired(ctx, observed):
    """A child takes the RLock, takes it again without blocking, and releases it
    once: it still owns it (the parent's acquire(False) fails).  After its second
    release the parent gets the lock."""
    rlock = ctx.RLock()
    again = ctx.Value("i", -1)
    step1, step2, step3 = ctx.Event(), ctx.Event(), ctx.Event()
    child = ctx.Process(target=sync.reenter, args=(rlock, again, step1, step2, step3))
    with support.started(child):
        assert step1.wait(DEADLINE)
        reentered = again.value
        after_one = rlock.acquire(False)
        if after_one:
            rlock.release()
        step2.set()
        after_two = rlock.acquire(timeout=DEADLINE)
        step3.set()
        support.join(child)
    assert child.exitcode == 0 and after_two
    observed(
        "holds" if reentered == 1 and after_one is False and after_two is True else "does-not-hold",
        because=f"the child took its RLock again without blocking: {reentered == 1}; after one of two releases the "
        f"parent's acquire(False) gave {after_one}; after the second the parent got it: {after_two}",
    )
    assert rlock.acquire(False) is True  # the parent's own second level
    rlock.release()
    rlock.release()


@pytest.mark.claim("sync.rlock-nonblocking-other-owner")
def test_a_non_owner_cannot_take_an_rlock_without_blocking_and_does_not_own_it(ctx, observed):
    """While a child owns the RLock, the parent's acquire(False) returns False and
    leaves the parent without ownership (its release raises AssertionError); the
    child's one release then frees the lock."""
    rlock = ctx.RLock()
    with support.holding(ctx, rlock):
        got = promptly(rlock.acquire, False)
        try:
            rlock.release()
            owned = True
        except AssertionError:
            owned = False
    assert rlock.acquire(timeout=DEADLINE)
    rlock.release()
    observed(
        "holds" if got is False and not owned else "does-not-hold",
        because=f"while a child owned the RLock the parent's acquire(False) gave {got}; the parent's release() "
        + ("worked: it owned the lock" if owned else "raised AssertionError: it did not own it"),
    )


@pytest.mark.claim("sync.rlock-release-non-owner-assertion")
def test_releasing_an_rlock_one_does_not_own_raises_assertion_error(ctx, observed):
    """A fresh RLock's release() raises AssertionError; a child releasing the RLock
    its parent owns gets AssertionError too, and the parent still owns it."""
    rlock = ctx.RLock()
    try:
        rlock.release()
        fresh = None
    except AssertionError as error:
        fresh = error
    assert rlock.acquire(timeout=DEADLINE)
    try:
        child = support.run(ctx, sync.try_release, rlock)
        still_owned = support.run(ctx, sync.try_acquire, rlock, WAIT).exitcode == 1
    finally:
        rlock.release()
    observed(
        "holds"
        if isinstance(fresh, AssertionError) and "not owned" in str(fresh)
        and child.exitcode == sync.ASSERTION_ERROR and still_owned
        else "does-not-hold",
        because=f"release() of a fresh RLock: {fresh!r}; a child's release() of the parent's exited {child.exitcode} "
        f"(AssertionError: {sync.ASSERTION_ERROR}); the parent still owned it: {still_owned}",
    )


def admitted(ctx, lock, children, let_in, before=None):
    """Start ``children`` children that each enter a critical section guarded by
    ``lock`` and stay there until told to go.  Once ``let_in`` of them are in (after
    ``before(procs, ready)``, if given, frees the lock; ``ready`` counts the children
    that are about to call acquire()), check that no other gets in during WAIT;
    then let them all through.  Returns the highest number inside at once and the
    number that had got in by WAIT after ``let_in`` did."""
    entered, inside, most, ready = counters(ctx, 4)
    go = ctx.Event()
    args = (lock, entered, inside, most, go, ready)
    procs = [ctx.Process(target=sync.critical_section, args=args) for _ in range(children)]
    with support.started(*procs):
        if before is not None:
            before(procs, ready)
        assert support.wait_until(lambda: entered.value >= let_in), f"only {entered.value} got in"
        time.sleep(WAIT)  # a deliberate wait: nobody else may get in meanwhile
        got_in = entered.value
        go.set()
        for p in procs:
            support.join(p)
    assert [p.exitcode for p in procs] == [0] * children
    assert entered.value == children and inside.value == 0
    return most.value, got_in


@pytest.mark.claim("sync.rlock-release-wakes-one")
def test_releasing_an_rlock_lets_exactly_one_blocked_process_in(ctx, observed):
    """Three children block on an RLock the parent owns; its release lets exactly
    one in, and the others follow one at a time: never two inside at once."""
    rlock = ctx.RLock()
    rlock.acquire()

    def release_after_all_blocked(procs, ready):
        assert support.wait_until(lambda: ready.value == len(procs)), f"only {ready.value} reached acquire()"
        assert support.wait_until(lambda: all_asleep(procs)), "the children did not block in acquire()"
        rlock.release()

    try:
        most, got_in = admitted(ctx, rlock, 3, 1, before=release_after_all_blocked)
    except BaseException:
        with contextlib.suppress(AssertionError):
            rlock.release()
        raise
    observed(
        "holds" if most == 1 and got_in == 1 else "does-not-hold",
        because=f"of three children blocked on the parent's RLock, {got_in} got in within {WAIT} s of its release; "
        f"most inside at once: {most}",
    )


# --- Semaphore and BoundedSemaphore -------------------------------------------------------


@pytest.mark.claim("sync.semaphore-counts")
def test_a_semaphore_of_two_admits_two_processes_at_a_time(ctx, observed):
    """With Semaphore(2), of four children exactly two get in, the rest wait until one
    leaves, and never more than two are inside; acquire takes block= (not blocking=)."""
    sem = ctx.Semaphore(2)
    most, got_in = admitted(ctx, sem, 4, 2)
    observed(
        "holds" if most == 2 and got_in == 2 else "does-not-hold",
        because=f"of four children at a Semaphore(2), {got_in} were in while the first two stayed; most inside at once: {most}",
    )
    assert sem.acquire(block=False) is True
    with pytest.raises(TypeError):
        sem.acquire(blocking=False)
    sem.release()


@pytest.mark.claim("sync.bounded-semaphore-overrelease")
@pytest.mark.parametrize("initial", [1, 3], ids=["bounded-1", "bounded-3"])
def test_releasing_a_bounded_semaphore_above_its_initial_value_raises_value_error(observed, initial):
    """BoundedSemaphore(1) and BoundedSemaphore(3) raise ValueError when released once
    more than acquired, also when a child does the release; the value never goes
    above the initial one.  (On macOS only a maximum of 1 is checked.)"""
    ctx = support.cheapest_context()
    sem = ctx.BoundedSemaphore(initial)
    try:
        sem.release()
        refused = None
    except ValueError as error:
        refused = error
    if refused is None:  # macOS, a maximum above 1: unchecked
        observed(
            "partly" if initial != 1 else "does-not-hold",
            because=f"BoundedSemaphore({initial}).release() without an acquire raised nothing",
        )
        return
    assert "released too many times" in str(refused)
    assert sem.get_value() == initial
    assert sem.acquire(False)
    assert support.run(ctx, sync.try_release, sem).exitcode == sync.RELEASED
    by_child = support.run(ctx, sync.try_release, sem).exitcode
    value = sem.get_value()
    if initial != 1 or by_child != sync.VALUE_ERROR or value != initial:
        # a maximum of 1 is checked everywhere: that part observes only a failure
        observed(
            "holds" if by_child == sync.VALUE_ERROR and value == initial else "does-not-hold",
            because=f"BoundedSemaphore({initial}): an extra release() raised {refused!r}; a child's extra release "
            f"exited {by_child} (ValueError: {sync.VALUE_ERROR}); the value stayed {value}",
        )


# --- Barrier ----------------------------------------------------------------------------


@pytest.mark.claim("sync.barrier-across-processes")
def test_a_barrier_holds_every_party_until_the_last_arrives_and_runs_the_action_once(ctx, observed):
    """At a Barrier(3) two children wait until a third arrives; then all pass, the
    action runs exactly once, and wait() returned 0, 1 and 2 to the three."""
    barrier = ctx.Barrier(3, action=sync.count_action)
    actions, passed = ctx.Value("i", 0), ctx.Value("i", 0)
    returns = ctx.Array("i", [-1, -1, -1])
    procs = [ctx.Process(target=sync.pass_barrier, args=(barrier, actions, passed, returns, i)) for i in range(3)]
    with support.started(*procs[:2]):
        assert support.wait_until(lambda: barrier.n_waiting == 2), "the first two did not arrive"
        time.sleep(WAIT)  # a deliberate wait: nobody may pass yet
        early = passed.value, actions.value
        with support.started(procs[2]):
            for p in procs:
                support.join(p)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert barrier.n_waiting == 0 and not barrier.broken
    late = passed.value, actions.value
    observed(
        "holds" if early == (0, 0) and late == (3, 1) and sorted(returns[:]) == [0, 1, 2] else "does-not-hold",
        because=f"(passed, actions) with two of three parties waiting: {early}; after the third: {late}; "
        f"wait() returned {sorted(returns[:])}",
    )


@pytest.mark.claim("sync.barrier-timeout-broken")
def test_a_barrier_wait_that_times_out_breaks_the_barrier_for_every_party(ctx, observed):
    """With Barrier(3, timeout=0.2) and only two children waiting, both raise
    threading.BrokenBarrierError; the barrier is then broken in the parent too, and a
    new wait() fails at once until reset()."""
    barrier = ctx.Barrier(3, timeout=WAIT)
    procs = [ctx.Process(target=sync.barrier_times_out, args=(barrier,)) for _ in range(2)]
    start = time.monotonic()
    with support.started(*procs):
        for p in procs:
            support.join(p)
    assert time.monotonic() - start >= WAIT * SLACK
    codes, broken = [p.exitcode for p in procs], barrier.broken
    try:
        again = promptly(barrier.wait, DEADLINE)
    except threading.BrokenBarrierError as error:
        again = error
    barrier.reset()
    assert not barrier.broken
    observed(
        "holds"
        if codes == [sync.BROKEN_BARRIER] * 2 and broken and isinstance(again, threading.BrokenBarrierError)
        else "does-not-hold",
        because=f"two of three parties timing out exited {codes} (BrokenBarrierError: {sync.BROKEN_BARRIER}); broken "
        f"in the parent: {broken}; a new wait(): {again!r}",
    )


# --- Condition and Event ------------------------------------------------------------------


@pytest.mark.claim("sync.condition-wait-notify")
@pytest.mark.parametrize("kind", ["Lock", "RLock"])
def test_wait_for_returns_once_another_process_makes_the_predicate_true(ctx, kind):
    """A child's wait_for(value == 3), on a Condition built on the library's Lock or
    RLock, returns True after the parent sets the shared value and calls
    notify_all(); an unnotified wait(0.2) returns False after the timeout."""
    cond = ctx.Condition(getattr(ctx, kind)())
    value, result, waiting = ctx.Value("i", 0), ctx.Value("i", -1), ctx.Value("i", 0)
    child = ctx.Process(target=sync.wait_for_value, args=(cond, value, 3, result, waiting))
    with support.started(child):
        # The child sets `waiting` holding the lock and lets go of it only inside
        # wait_for(): once the parent takes the lock after seeing it, the child sleeps.
        assert support.wait_until(lambda: waiting.value == 1), "the child never reached wait_for()"
        for step in (1, 2, 3):
            with cond:
                value.value = step
                cond.notify_all()
        support.join(child)
    assert child.exitcode == 0 and result.value == 1
    timing = ctx.Array("d", [-1.0, -1.0])
    assert support.run(ctx, sync.time_wait, cond, WAIT, timing).exitcode == 0
    assert timing[0] == 0.0 and timing[1] >= WAIT * SLACK


def notify_counts(ctx, cond, wake, expected):
    """Two children wait on ``cond``; call ``wake(cond)`` (holding the lock); once
    ``expected`` have woken, return how many woke by WAIT later; then wake the rest."""
    waiting, woken = counters(ctx, 2)
    procs = [ctx.Process(target=sync.wait_for_notify, args=(cond, waiting, woken)) for _ in range(2)]
    with support.started(*procs):
        # A child bumps `waiting` holding the lock and releases it only inside wait():
        # once the parent can take the lock after seeing 2, both are asleep.
        assert support.wait_until(lambda: waiting.value == 2)
        with cond:
            wake(cond)
        assert support.wait_until(lambda: woken.value >= expected), f"only {woken.value} woke"
        time.sleep(WAIT)  # a deliberate wait: no further child may wake
        count = woken.value
        with cond:
            cond.notify_all()
        for p in procs:
            support.join(p)
    assert woken.value == 2
    return count


@pytest.mark.claim("sync.condition-wait-notify")
def test_notify_wakes_one_waiting_process_and_notify_n_wakes_n(ctx, observed):
    """Of two children waiting on a Condition, notify() wakes exactly one and
    notify_all() the other; notify(n=2) wakes both (billiard's notify takes no n)."""
    cond = ctx.Condition()
    one = notify_counts(ctx, cond, lambda c: c.notify(), 1)
    with cond:  # nobody waits yet: a notify(n=2) that is accepted wakes nobody
        try:
            cond.notify(n=2)
            takes_n = True
        except TypeError:
            takes_n = False
    if takes_n:
        two = notify_counts(ctx, cond, lambda c: c.notify(n=2), 2)
        observed(
            "holds" if one == 1 and two == 2 else "does-not-hold",
            because=f"of two waiting children notify() woke {one}, notify(n=2) {two}",
        )
    else:
        assert one == 1
        observed("partly", because="notify() woke one of two waiting children, but notify(n=2) raised TypeError")


@pytest.mark.claim("sync.event-set-wait")
def test_an_event_set_by_the_parent_wakes_a_waiting_child(ctx, observed):
    """A child waiting in wait() does not return while the Event is clear, and
    returns True once the parent sets it; a child sees is_set() and clear(); wait(0.2) on a clear event returns False after
    about 0.2 s."""
    event, result, started = ctx.Event(), ctx.Value("i", -1), ctx.Event()
    child = ctx.Process(target=sync.wait_event, args=(event, result, started))
    with support.started(child):
        assert started.wait(DEADLINE)
        time.sleep(WAIT)  # a deliberate wait: wait() must not return while the event is clear
        while_clear = result.value
        event.set()
        support.join(child)
    assert child.exitcode == 0
    woke, is_set = result.value, event.is_set()
    cleared = support.run(ctx, sync.clear_event, event).exitcode == 0 and not event.is_set()
    got, elapsed = timed(event.wait, WAIT)
    observed(
        "holds"
        if while_clear == -1 and woke == 1 and is_set and cleared and got is False and elapsed >= WAIT * SLACK
        else "does-not-hold",
        because=f"the child's wait() had not returned while the Event was clear: {while_clear == -1}; it returned "
        f"{'True' if woke == 1 else woke} once set; a child saw is_set() and clear()ed it: {cleared}; "
        f"wait({WAIT}) on the clear Event gave {got} after {elapsed:.2f} s",
    )


@pytest.mark.claim("sync.event-set-after-killed-waiter")
@pytest.mark.parametrize("kind", ["event", "condition"])
def test_waking_waiters_after_one_was_killed_blocks_for_ever(start_method, kind, observed):
    """A child waits on an Event (or a Condition) and is killed while the Condition
    counts it as a sleeper: the parent's set() (notify_all()) then never returns: it
    waits for the dead child to say it woke.  Shown in a program of its own, whose
    wake-up call is given 2 s (a set() with no dead waiter takes microseconds)."""
    report, _ = support.script_report("sync_killed_waiter.py", kind, start_method)
    assert report["sleepers"] in (1, None), report  # None: no sem_getvalue (macOS)
    assert report["child_exitcode"] == support.unreported_exitcode(start_method, -signal.SIGKILL), report
    call = "set()" if kind == "event" else "notify_all()"
    observed(
        "does-not-hold" if report["returned"] else "holds",
        because=f"with a waiter counted as a sleeper and killed, {call} "
        + (f"returned in {report['seconds']} s" if report["returned"] else f"had not returned {report['given']} s later"),
    )


# --- macOS ------------------------------------------------------------------------------


@pytest.mark.claim("sync.macos-timeout-emulated")
def test_on_macos_a_timed_acquire_still_gives_up_after_its_timeout(observed):
    """(macOS only) acquire(timeout=0.5) on a held Semaphore, emulated by polling,
    returns False after at least about 0.5 s."""
    sem = support.cheapest_context().Semaphore(0)
    got, elapsed = timed(sem.acquire, timeout=0.5)
    observed(
        "holds" if got is False and elapsed >= 0.5 * SLACK else "does-not-hold",
        because=f"acquire(timeout=0.5) on a Semaphore(0) gave {got} after {elapsed:.2f} s",
    )


# --- Ctrl-C ----------------------------------------------------------------------------

MP_KINDS = ("lock", "rlock", "semaphore", "bounded-semaphore", "condition-acquire", "condition-wait",
            "event-wait", "barrier-wait")
THREADING_KINDS = ("threading-lock", "threading-condition-wait")


def interrupt_each(kinds, timeout=DEADLINE):
    """Run fixtures/scripts/sync_sigint.py in a session of its own; each time it says
    it is about to block, wait until its main thread sleeps and send it SIGINT.
    Returns its reports by kind.  A script that does not finish in time is killed
    with its session (support.ChildHung)."""
    import psutil

    reports, deadline = {}, time.monotonic() + timeout
    with support.script("sync_sigint.py", *kinds) as sigint:
        script = psutil.Process(sigint.pid)
        while len(reports) < len(kinds):
            line = sigint.readline(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:  # its output ended
                break
            if line.startswith("ready "):
                if not support.wait_until(lambda: script.status() == psutil.STATUS_SLEEPING, timeout=DEADLINE):
                    raise support.ChildHung(f"sync_sigint.py never blocked after reporting {line!r}")
                sigint.signal(signal.SIGINT)
            else:
                report = json.loads(line)
                reports[report.pop("kind")] = report
        done = sigint.finish(timeout=max(0.1, deadline - time.monotonic()))
    assert done.returncode == 0, done.stderr
    return reports


@pytest.mark.claim("sync.sigint-interrupts-acquire")
def test_sigint_interrupts_blocked_acquires_and_waits_with_keyboard_interrupt(observed):
    """A program blocked (no timeout) in Lock, RLock, Semaphore and BoundedSemaphore
    acquire(), a Condition's acquire() and wait(), Event.wait() and Barrier.wait()
    gets KeyboardInterrupt from each SIGINT.  threading.Lock.acquire() and
    threading.Condition.wait() are interrupted too: the docs' contrast with threading
    does not hold on POSIX."""
    reports = interrupt_each(MP_KINDS + THREADING_KINDS)
    not_interrupted = {k: reports[k]["outcome"] for k in MP_KINDS if reports[k]["outcome"] != "KeyboardInterrupt"}
    threading_interrupted = [k for k in THREADING_KINDS if reports[k]["outcome"] == "KeyboardInterrupt"]
    if not_interrupted:
        observed("does-not-hold", because=f"SIGINT did not interrupt the library's {not_interrupted}")
    else:
        observed(
            "partly" if threading_interrupted else "holds",
            because=f"SIGINT interrupted each of the library's {len(MP_KINDS)} blocking calls with KeyboardInterrupt; "
            + (f"it interrupted threading's {threading_interrupted} too: the contrast does not hold"
               if threading_interrupted else "threading's calls ignored it, as contrasted"),
        )

"""多进程通信 › Queue — a process-safe FIFO: round trip, many producers and
consumers, full and empty queues with and without timeouts, the exceptions' real
names, and what "unbounded" means.

Article: 多进程通信, the Queue subsection (its put() and get() paragraphs and example).

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of one part of a claim that only partly holds pin that
part and observe nothing.
"""

import contextlib
import queue
import re
import time

import pytest

from fixtures import queues
from mpspec import lib, support
from mpspec.deadlines import DEADLINE, SLACK, WAIT

# "At once" is measured against a long timeout the call was given and must ignore: it
# returns in far less than a tenth of it.
LONG = 10.0


def timed(call):
    """Run ``call`` and return (the exception it raised, seconds it took)."""
    start = time.monotonic()
    with pytest.raises(Exception) as info:
        call()
    return info.value, time.monotonic() - start


# --- round trip, many processes, order ----------------------------------------


@pytest.mark.claim("queue.round-trip")
def test_what_a_child_puts_the_parent_gets(ctx, observed):
    """The article's example: a child puts a non-ASCII string and the parent's get()
    returns an equal string."""
    sent = "Queue 用法 ✓"
    with support.open_queue(ctx) as q:
        child = ctx.Process(target=queues.put_items, args=(q, sent))
        with support.started(child):
            got = q.get(timeout=DEADLINE)
            support.join(child)
    observed("holds" if got == sent else "does-not-hold", because=f"the parent got {got!r} for {sent!r}")


PRODUCERS = CONSUMERS = 3
ITEMS = 200  # per producer


@pytest.mark.claim("queue.process-safe", "queue-api.mpmc")
def test_many_producers_and_consumers_lose_and_duplicate_nothing(ctx, observed):
    """Three producers putting 200 items each and three consumers getting at the same
    time deliver every one of the 600 items exactly once."""
    with support.open_queue(ctx) as q:
        everything = support.producers_and_consumers(
            ctx, q, queues.produce, queues.consume, queues.DONE, producers=PRODUCERS, consumers=CONSUMERS, items=ITEMS
        )
    put = {(n, seq) for n in range(PRODUCERS) for seq in range(ITEMS)}
    lost, duplicated = len(put - set(everything)), len(everything) - len(set(everything))
    seen = "holds" if not lost and not duplicated and set(everything) == put else "does-not-hold"
    because = f"{PRODUCERS} producers and {CONSUMERS} consumers: {lost} of {len(put)} items lost, {duplicated} duplicated"
    observed(seen, because=because, claim="queue.process-safe")
    observed(seen, because=because, claim="queue-api.mpmc")


@pytest.mark.claim("queue.fifo", "queue-api.per-producer-order")
def test_each_producers_items_come_out_in_the_order_put(ctx, observed):
    """With three producers putting 200 numbered items each at the same time, the
    consumer gets every producer's items in the order that producer put them."""
    go = ctx.Event()
    with support.open_queue(ctx) as q:
        producers = [ctx.Process(target=queues.produce, args=(q, n, ITEMS, go)) for n in range(PRODUCERS)]
        with support.started(*producers):
            go.set()
            received = [q.get(timeout=DEADLINE) for _ in range(PRODUCERS * ITEMS)]
            for p in producers:
                support.join(p)
    out_of_order = [n for n in range(PRODUCERS) if [seq for producer, seq in received if producer == n] != list(range(ITEMS))]
    seen = "does-not-hold" if out_of_order else "holds"
    because = f"{len(out_of_order)} of {PRODUCERS} producers' items came out of the order they were put"
    observed(seen, because=because, claim="queue.fifo")
    observed(seen, because=because, claim="queue-api.per-producer-order")


# --- a full queue -------------------------------------------------------------


@pytest.mark.claim("queue.put-timeout-full")
def test_put_on_a_full_queue_waits_for_the_timeout_then_raises_full(ctx, observed):
    """put(timeout=t) on a full queue waits at least about t and raises queue.Full; a
    negative timeout acts as 0 and raises queue.Full too (queue.Queue would raise
    ValueError)."""
    with support.open_queue(ctx, maxsize=1) as q:
        q.put("first")
        error, waited = timed(lambda: q.put("second", timeout=WAIT))
        observed(
            "holds" if type(error) is queue.Full and waited >= WAIT * SLACK else "does-not-hold",
            because=f"put(timeout={WAIT:g}) on a full queue raised {type(error).__name__} after {waited:.2f} s",
        )
        error, _ = timed(lambda: q.put("second", timeout=-1))
        assert type(error) is queue.Full
        assert q.get(timeout=DEADLINE) == "first"
        q.put("second", timeout=-1)  # with room, a negative timeout is no obstacle
        assert q.get(timeout=DEADLINE) == "second"


@pytest.mark.claim("queue.put-timeout-full")
def test_put_on_a_full_queue_succeeds_when_a_child_frees_space_in_time(ctx):
    """A blocking put() on a full queue succeeds, instead of raising queue.Full, once a
    child takes the item out before the timeout expires."""
    ready = ctx.Event()
    with support.open_queue(ctx, maxsize=1) as q:
        child = ctx.Process(target=queues.get_one_when, args=(ready, q))
        with support.started(child):
            q.put("first")  # after start(): fork while a feeder thread runs is unsafe
            ready.set()
            q.put("second", timeout=DEADLINE)
            support.join(child)
        assert q.get(timeout=DEADLINE) == "second"


@pytest.mark.claim("queue.put-nowait-full")
def test_put_without_blocking_on_a_full_queue_raises_full_at_once(ctx, observed):
    """put(block=False) and put_nowait() on a full queue raise queue.Full; with
    block=False a timeout is ignored (the call returns in far less than it)."""
    with support.open_queue(ctx, maxsize=1) as q:
        q.put("first")
        assert type(timed(lambda: q.put_nowait("second"))[0]) is queue.Full
        error, waited = timed(lambda: q.put("second", block=False, timeout=LONG))
        assert q.full()
    observed(
        "holds" if type(error) is queue.Full and waited < LONG / 10 else "does-not-hold",
        because=f"put(block=False, timeout={LONG:g}) on a full queue raised {type(error).__name__} after {waited:.3f} s",
    )


# --- an empty queue -----------------------------------------------------------


@pytest.mark.claim("queue.get-timeout-empty")
def test_get_on_an_empty_queue_waits_for_the_timeout_then_raises_empty(ctx, facts, observed):
    """get(timeout=t) on an empty queue waits at least about t and raises queue.Empty;
    a negative timeout acts as 0: Empty on an empty queue, the item on a filled one
    (billiard: Empty on a filled one too)."""
    with support.open_queue(ctx) as q:
        error, waited = timed(lambda: q.get(timeout=WAIT))
        observed(
            "holds" if type(error) is queue.Empty and waited >= WAIT * SLACK else "does-not-hold",
            because=f"get(timeout={WAIT:g}) on an empty queue raised {type(error).__name__} after {waited:.2f} s",
        )
        assert type(timed(lambda: q.get(timeout=-1))[0]) is queue.Empty
        child = ctx.Process(target=queues.put_items, args=(q, "there"))
        with support.started(child):
            support.join(child)  # its feeder has flushed the item: it is in the pipe
        if facts.library == "billiard":
            assert type(timed(lambda: q.get(timeout=-1))[0]) is queue.Empty
            assert q.get(timeout=DEADLINE) == "there"  # it was ready all along
        else:
            assert q.get(timeout=-1) == "there"


@pytest.mark.claim("queue.get-timeout-empty")
def test_get_on_an_empty_queue_returns_an_item_a_child_puts_in_time(ctx):
    """A blocking get() on an empty queue returns the item a child puts while it
    waits."""
    ready = ctx.Event()
    with support.open_queue(ctx) as q:
        child = ctx.Process(target=queues.put_one_when, args=(ready, q, "in time"))
        with support.started(child):
            ready.set()
            assert q.get(timeout=DEADLINE) == "in time"
            support.join(child)


@pytest.mark.claim("queue.get-nowait")
def test_get_without_blocking_on_an_empty_queue_raises_empty_at_once(ctx):
    """get_nowait() and get(block=False) on an empty queue raise queue.Empty; with
    block=False a timeout is ignored (the call returns in far less than it).  The
    part of the claim that holds: the next test observes the part that does not."""
    with support.open_queue(ctx) as q:
        assert type(timed(q.get_nowait)[0]) is queue.Empty
        error, waited = timed(lambda: q.get(block=False, timeout=LONG))
        assert type(error) is queue.Empty and waited < LONG / 10


@pytest.mark.claim("queue.get-nowait")
def test_items_of_a_producer_that_has_exited_are_returned_at_once(ctx):
    """Once a child has put three items and exited (its feeder flushes them first),
    get_nowait() returns them in order, then raises queue.Empty."""
    with support.open_queue(ctx) as q:
        support.run(ctx, queues.put_items, q, 1, 2, 3)
        assert [q.get_nowait() for _ in range(3)] == [1, 2, 3]
        with pytest.raises(queue.Empty):
            q.get_nowait()


@pytest.mark.claim("queue.get-nowait", "queue-api.put-visibility-delay")
def test_an_item_just_put_may_not_be_visible_to_get_nowait_yet(ctx, observed):
    """Right after put() in the same process, get_nowait() can raise queue.Empty: the
    feeder thread has not yet written the item into the pipe."""
    tries = 200
    with support.open_queue(ctx) as q:
        for n in range(tries):
            q.put(n)
            try:
                assert q.get_nowait() == n
            except queue.Empty:
                assert q.get(timeout=DEADLINE) == n  # it was on its way
                because = f"get_nowait() raised Empty for an item put just before (try {n + 1})"
                observed("partly", because=because, claim="queue.get-nowait")
                observed("holds", because=because, claim="queue-api.put-visibility-delay")
                return
    observed.not_shown("an item just put that get_nowait() does not see yet", f"{tries} tries")


CLOSED_QUEUE_CALLS = {
    "put": lambda q: q.put(1),
    "get": lambda q: q.get(timeout=WAIT),
    "get_nowait": lambda q: q.get_nowait(),
}


@pytest.mark.claim("queue.put-timeout-full", "queue.get-timeout-empty")
@pytest.mark.parametrize("call", CLOSED_QUEUE_CALLS)
def test_a_closed_queue_refuses_put_and_get(ctx, call):
    """After close(), put(), get() and get_nowait() raise ValueError
    'Queue <...> is closed'."""
    q = ctx.Queue()
    q.close()
    q.join_thread()
    with pytest.raises(ValueError, match="^" + re.escape(f"Queue {q!r} is closed") + "$"):
        CLOSED_QUEUE_CALLS[call](q)


# --- the exceptions' names, and the default size ------------------------------


@pytest.mark.claim("queue.exception-names")
def test_full_and_empty_are_the_queue_modules_exceptions_not_queue_attributes():
    """Queue has no Full or Empty attribute; multiprocessing.queues re-exports the very
    queue.Full and queue.Empty classes, and those are what put and get raise."""
    queues = lib.module("queues")
    assert queues.Full is queue.Full
    assert queues.Empty is queue.Empty
    for name in ("Full", "Empty"):
        assert not hasattr(lib.mp.Queue, name)  # what the article imports
        assert not hasattr(queues.Queue, name)
        assert not hasattr(lib.mp, name)
    q = lib.mp.Queue(1)
    try:
        assert not hasattr(q, "Full") and not hasattr(q, "Empty")
        q.put("first")
        with pytest.raises(queue.Full):
            q.put("second", block=False)
        assert q.get(timeout=DEADLINE) == "first"
        with pytest.raises(queue.Empty):
            q.get(block=False)
    finally:
        q.close()
        q.join_thread()


@pytest.mark.claim("queue.exception-names")
def test_the_articles_except_clause_raises_attribute_error(observed):
    """An `except Queue.Full:` clause, with Queue imported from multiprocessing as in
    the article, raises AttributeError when a full queue raises queue.Full."""
    Queue = lib.mp.Queue
    q = Queue(1)
    try:
        q.put("first")
        try:
            try:
                q.put("second", block=False)
            except Queue.Full:  # evaluated only now, while queue.Full propagates
                outcome = "holds", "`except Queue.Full` caught what a full queue raised"
        except AttributeError as error:
            assert str(error) == "'function' object has no attribute 'Full'"
            assert type(error.__context__) is queue.Full
            outcome = "does-not-hold", f"`except Queue.Full` itself raised AttributeError: {error}"
    finally:
        q.close()
        q.join_thread()
    observed(outcome[0], because=outcome[1])


# The semaphore's maximum: macOS (per the belief in the catalogue) and Linux.
SEM_VALUE_MAX = {"darwin": 32767, "linux": 2147483647}


@pytest.mark.claim("queue.unbounded-default")
def test_a_queue_without_positive_maxsize_is_bounded_by_sem_value_max(facts, observed):
    """Queue(), Queue(0) and Queue(-1) are all capped at the platform's SEM_VALUE_MAX
    (2147483647 on Linux), so more than 32767 unread items (macOS's cap) can be put
    without Full."""
    sem_value_max = lib.module("synchronize").SEM_VALUE_MAX

    platform = "darwin" if facts.platform == "darwin" else "linux"
    assert sem_value_max == SEM_VALUE_MAX[platform]
    for q in (lib.mp.Queue(), lib.mp.Queue(0), lib.mp.Queue(-1)):
        # No public accessor tells a queue's capacity: _maxsize is the only witness.
        assert q._maxsize == sem_value_max
        q.close()
    bounded = lib.mp.Queue(5)
    assert bounded._maxsize == 5
    bounded.close()
    q = lib.mp.Queue()
    try:
        count = 0
        with contextlib.suppress(queue.Full):
            for count in range(SEM_VALUE_MAX["darwin"] + 1):
                q.put(None, block=False)
            count += 1
        for _ in range(count):
            q.get(timeout=DEADLINE)
    finally:
        q.close()
        q.join_thread()
    assert count == (sem_value_max if platform == "darwin" else SEM_VALUE_MAX["darwin"] + 1)
    observed("partly", because=f"Queue() holds {count} unread items without Full, but is capped at SEM_VALUE_MAX ({sem_value_max})")

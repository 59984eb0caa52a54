"""Queues in full — Queue, SimpleQueue and JoinableQueue across processes: many
producers and consumers, the feeder thread (visibility, flushing at exit, close,
join_thread, cancel_join_thread), snapshots (qsize, empty, full), closed queues,
task_done and join, and what killing a queue user does.

Docs: multiprocessing › Exchanging objects between processes › Queues; Reference ›
Pipes and Queues (the two notes and the warnings under it), Queue (qsize, empty,
full, put, get, close, join_thread, cancel_join_thread; a closed Queue's
ValueError is new in 3.8), SimpleQueue (close is new in 3.9), JoinableQueue
(task_done, join); Programming guidelines › Joining processes that use queues
(the manager queue as the way out).  Three tests of the article's chapter
(spec/article/test_queue.py) show three of these claims for Queue as well: many
producers and consumers, per-producer order, get_nowait() right after put().
"""

import contextlib
import gc
import os
import queue
import signal

import pytest

from fixtures import queue_api as qa
from mpspec import lib, support
from mpspec.deadlines import DEADLINE, WAIT

# How long something that must not happen (a join returning, a hung get reporting)
# is watched for: five times WAIT, the timeout a child gives its own get().
HANG = 5 * WAIT


@contextlib.contextmanager
def closing(q):
    """Close a queue of any kind (and join a Queue's feeder thread) on the way out."""
    try:
        yield q
    finally:
        if hasattr(q, "join_thread"):
            q.close()
            q.join_thread()
        elif hasattr(q, "close"):
            q.close()


def old_billiard(facts):
    """billiard 4.2, the last release for Python 3.8: asserts where 4.3 raises."""
    return facts.library == "billiard" and facts.python < (3, 9)


# --- many producers, many consumers -----------------------------------------

PRODUCERS = CONSUMERS = 3
ITEMS = 100  # per producer


@pytest.mark.claim("queue-api.mpmc")
@pytest.mark.parametrize("kind", ["SimpleQueue", "JoinableQueue"])
def test_simple_and_joinable_queues_serve_many_producers_and_consumers(ctx, kind, observed):
    """Three producers and three consumers on one SimpleQueue, or one JoinableQueue,
    at the same time: every one of the 300 items is delivered exactly once.  (The
    article's chapter shows the same for Queue.)"""
    with closing(getattr(ctx, kind)()) as q:
        received = support.producers_and_consumers(
            ctx, q, qa.produce, qa.consume, qa.DONE, producers=PRODUCERS, consumers=CONSUMERS, items=ITEMS
        )
    everything = [tuple(item) for item in received]
    put = {(n, seq) for n in range(PRODUCERS) for seq in range(ITEMS)}
    lost, duplicated = len(put - set(everything)), len(everything) - len(set(everything))
    right = not lost and not duplicated and set(everything) == put
    observed("holds" if right else "does-not-hold",
             because=f"{kind}, {PRODUCERS} producers and {CONSUMERS} consumers: {lost} of {len(put)} items lost, "
             f"{duplicated} duplicated")


# --- JoinableQueue: task_done and join --------------------------------------


@pytest.mark.claim("queue-api.task-done-required")
def test_join_waits_while_a_got_item_has_no_task_done(ctx, observed):
    """Three items put and got, but no task_done(): join() in another process does
    not return; the three task_done() calls release it."""
    jq = ctx.JoinableQueue()
    go = ctx.Event()
    with closing(jq):
        reader, writer = ctx.Pipe(duplex=False)
        child = ctx.Process(target=qa.join_when, args=(go, jq, writer))
        with support.started(child):
            for n in range(3):
                jq.put(n)
            assert [jq.get(timeout=DEADLINE) for _ in range(3)] == [0, 1, 2]
            go.set()
            assert support.receive(reader) == "joining"
            returned_early = reader.poll(HANG)
            if returned_early:
                early = reader.recv()
            for _ in range(3):
                jq.task_done()
            if not returned_early:
                assert support.receive(reader) == "joined"
            support.join(child)
    observed("does-not-hold" if returned_early else "holds",
             because=f"join() {'returned' if returned_early else 'was still waiting'} {HANG:g} s after three items "
             f"were got without task_done(){'' if not returned_early else f' ({early!r})'}")


@pytest.mark.claim("queue-api.joinable-join-unblocks")
def test_join_returns_once_the_last_item_is_marked_done(ctx, observed):
    """A worker gets five items and calls task_done() for four: a joiner's join()
    stays blocked; the fifth task_done() releases it."""
    jq = ctx.JoinableQueue()
    go, last = ctx.Event(), ctx.Event()
    with closing(jq):
        done_reader, done_writer = ctx.Pipe(duplex=False)
        worker = ctx.Process(target=qa.work_all_but_last, args=(jq, 5, done_writer, last))
        reader, writer = ctx.Pipe(duplex=False)
        waiter = ctx.Process(target=qa.join_when, args=(go, jq, writer))
        with support.started(worker, waiter):
            for n in range(5):
                jq.put(n)
            assert support.receive(done_reader) == 4
            go.set()
            assert support.receive(reader) == "joining"
            blocked = not reader.poll(HANG)
            last.set()
            released = reader.poll(DEADLINE) and reader.recv() == "joined"
            support.join(waiter)
            support.join(worker)
    observed("holds" if blocked and released else "does-not-hold",
             because=f"with four of five tasks done join() {'stayed blocked' if blocked else 'returned'}; "
             f"the fifth task_done() {'released it' if released else 'did not release it'}")


@pytest.mark.claim("queue-api.task-done-too-many")
def test_task_done_beyond_the_items_put_raises_value_error(observed):
    """task_done() on a fresh JoinableQueue, or once more than the items put, raises
    ValueError."""
    jq = lib.mp.JoinableQueue()

    def task_done():
        try:
            jq.task_done()
        except ValueError as error:
            assert "task_done" in str(error)
            return "ValueError"
        return "no error"

    with closing(jq):
        fresh = task_done()
        jq.put("one")
        assert jq.get(timeout=DEADLINE) == "one"
        jq.task_done()
        extra = task_done()
    observed("holds" if fresh == extra == "ValueError" else "does-not-hold",
             because=f"task_done() on a fresh JoinableQueue: {fresh}; once more than the items put: {extra}")


# --- the feeder thread: visibility ------------------------------------------


@pytest.mark.claim("queue-api.feeder-thread-on-first-put")
def test_the_first_put_in_a_process_starts_one_feeder_thread(ctx, observed):
    """In the parent, creating a Queue starts no thread and the first put() starts a
    'QueueFeederThread'; in a child likewise: one more thread after the first put(),
    none after the second."""
    before = len(qa.feeder_threads())
    with support.open_queue(ctx) as q:
        on_creation = len(qa.feeder_threads()) - before
        counts, _ = support.reports_back(ctx, qa.report_threads, q, support.REPLY, exitcode=None)
        (threads, feeders), after_first, after_second = counts
        in_child = after_first == after_second == (threads + 1, feeders + 1)
        q.put("in the parent")
        on_put = len(qa.feeder_threads()) - before
        assert [q.get(timeout=DEADLINE) for _ in range(3)] == ["first", "second", "in the parent"]
    observed("holds" if on_creation == 0 and on_put == 1 and in_child else "does-not-hold",
             because=f"feeder threads in the parent: {on_creation} after Queue(), {on_put} after the first put(); "
             f"in a child (threads, feeders) {(threads, feeders)}, {tuple(after_first)}, {tuple(after_second)} "
             "before, after the first and after the second put()")


@pytest.mark.claim("queue-api.put-visibility-delay")
def test_an_item_still_being_pickled_by_the_feeder_is_not_visible_yet(ctx, observed):
    """put() of an item whose pickling takes 0.2 s returns at once: the feeder thread
    pickles it, and meanwhile empty() is True and get_nowait() raises Empty.  The
    item then arrives: get() returns it."""
    tries = 3
    with support.open_queue(ctx) as q:
        for n in range(tries):
            q.put(qa.SlowToPickle(WAIT))
            assert qa.feeder_threads(), "put() did not hand the item to a feeder thread"
            empty = q.empty()
            try:
                item, visible = q.get_nowait(), True
            except queue.Empty:
                item, visible = q.get(timeout=DEADLINE), False
            assert isinstance(item, qa.SlowToPickle)
            if empty and not visible:
                observed("holds", because=f"right after put() returned (try {n + 1}) empty() was True and "
                         "get_nowait() raised Empty; get() then returned the item")
                return
    observed.not_shown("an item put but not yet in the pipe", f"{tries} puts of an item slow to pickle")


# --- snapshots: qsize, empty, full --------------------------------------------


@pytest.mark.claim("queue-api.qsize-approx")
def test_qsize_counts_the_items_put_and_not_yet_got(facts, observed):
    """qsize() counts the items put and not yet got, those still in the feeder's
    buffer included (on macOS it raises NotImplementedError)."""
    with closing(lib.mp.Queue()) as q:
        if facts.platform == "darwin":
            with pytest.raises(NotImplementedError):
                q.qsize()
            return
        sizes = [q.qsize()]
        for n in range(5):
            q.put(n)
        sizes.append(q.qsize())  # at once: nothing needs to have reached the pipe
        assert [q.get(timeout=DEADLINE) for _ in range(2)] == [0, 1]
        sizes.append(q.qsize())
        assert [q.get(timeout=DEADLINE) for _ in range(3)] == [2, 3, 4]
        sizes.append(q.qsize())
    observed("holds" if sizes == [0, 5, 3, 0] else "does-not-hold",
             because=f"qsize() empty, after 5 puts, after 2 gets, after 5 gets: {sizes}")


@pytest.mark.claim("queue-api.empty-full-unreliable")
def test_empty_and_full_are_stale_once_another_process_acts(ctx, observed):
    """A Queue(1) holding one item says full() True and empty() False; after a child
    takes the item, get_nowait() raises Empty and put_nowait() succeeds: the two
    answers were true when given and wrong a moment later."""
    go, took = ctx.Event(), ctx.Event()
    with support.open_queue(ctx, maxsize=1) as q:
        child = ctx.Process(target=qa.get_one_when, args=(go, q, took))
        with support.started(child):
            q.put("only")
            said_full = q.full()
            said_not_empty = bool(support.wait_until(lambda: not q.empty()))
            go.set()
            assert took.wait(DEADLINE)
            support.join(child)
        try:
            q.get_nowait()
            now_empty = False
        except queue.Empty:
            now_empty = True
        q.put_nowait("room again")  # not full any more
        assert q.get(timeout=DEADLINE) == "room again"
    stale = said_full and said_not_empty and now_empty
    observed("holds" if stale else "does-not-hold",
             because=f"full() {said_full}, empty() {not said_not_empty} with one item in; after a child took it "
             f"get_nowait() {'raised Empty' if now_empty else 'returned an item'} and put_nowait() succeeded")


# --- closed queues --------------------------------------------------------------


@pytest.mark.claim("queue-api.closed-valueerror")
@pytest.mark.parametrize("kind", ["Queue", "JoinableQueue"])
def test_put_and_get_on_a_closed_queue_raise_value_error(kind, observed):
    """After close() (and join_thread()), put, put_nowait, get with a timeout and
    get_nowait raise ValueError '... is closed' (billiard 4.2: AssertionError from
    put, OSError from get)."""
    q = getattr(lib.mp, kind)()
    q.put("before")
    q.close()
    q.join_thread()
    calls = {
        "put": lambda: q.put(1),
        "put_nowait": lambda: q.put_nowait(1),
        "get": lambda: q.get(timeout=WAIT),
        "get_nowait": q.get_nowait,
    }
    raised = {}
    for name, call in calls.items():
        with pytest.raises(Exception) as info:
            call()
        raised[name] = type(info.value).__name__
        if type(info.value) is ValueError:
            assert str(info.value).endswith(" is closed")
    if raised == dict.fromkeys(calls, "ValueError"):
        observed("holds", because=f"on a closed {kind} each of {', '.join(calls)} raised ValueError")
    else:  # billiard 4.2 (Python 3.8)
        assert raised == {"put": "AssertionError", "put_nowait": "AssertionError", "get": "OSError", "get_nowait": "OSError"}
        observed("does-not-hold", because=f"on a closed {kind}: {raised}")


@pytest.mark.claim("queue-api.close-flushes")
def test_a_child_that_closes_and_joins_its_queue_has_delivered_everything(ctx, facts, observed):
    """A child puts 100 items, calls close() (a put after it raises ValueError;
    billiard 4.2: AssertionError) and join_thread(): its feeder thread is gone, and
    the parent gets all 100 in order."""
    refusal = "AssertionError" if old_billiard(facts) else "ValueError"
    with support.open_queue(ctx) as q:
        outcome, _ = support.reports_back(ctx, qa.put_close_join, q, 100, support.REPLY, exitcode=None)
        assert outcome[0] == refusal
        got = []
        with contextlib.suppress(queue.Empty):
            while len(got) < 100:
                got.append(q.get(timeout=DEADLINE if not got else HANG))
    feeders_left = outcome[1]
    observed("holds" if feeders_left == 0 and got == list(range(100)) else "does-not-hold",
             because=f"after close() and join_thread() the child had {feeders_left} feeder thread(s); "
             f"the parent got {len(got)} of 100 items, in order: {got == list(range(len(got)))}")


@pytest.mark.claim("queue-api.close-flushes")
def test_a_queue_collected_as_garbage_flushes_and_ends_its_feeder(ctx):
    """The parent puts 100 items and drops its only reference to the queue, without
    close(): its feeder thread writes them all and ends, and a child gets all 100."""
    q = ctx.Queue()
    results, writer = ctx.Pipe(duplex=False)
    ready = ctx.Event()
    box = [q]  # the child's arguments: billiard's Process keeps them after start()
    child = ctx.Process(target=qa.get_all_from, args=(box, 100, writer, ready))
    with support.started(child):
        # The child must hold the queue before the parent drops it: collecting the
        # queue unlinks its semaphores (spawn, forkserver).
        assert ready.wait(DEADLINE)
        for n in range(100):
            q.put(n)
        (feeder,) = qa.feeder_threads()
        box.clear()
        del q
        gc.collect()
        feeder.join(DEADLINE)
        assert not feeder.is_alive()
        assert support.receive(results) == list(range(100))
        support.join(child)


@pytest.mark.claim("queue-api.join-thread-after-close")
def test_join_thread_needs_close_and_waits_for_the_flush(facts, observed):
    """join_thread() before close() raises AssertionError (not under -O; billiard:
    ValueError).  After close(), join_thread() waits while a 2 MiB item is still
    being written into the pipe, and returns once a child has read it (billiard, in
    the process that created the queue: at once)."""
    ctx = support.cheapest_context()
    go = ctx.Event()
    reader, writer = ctx.Pipe(duplex=False)
    q = ctx.Queue()
    child = ctx.Process(target=qa.get_all, args=(q, 1, writer, go))
    with support.started(child):
        try:
            q.join_thread()
            before_close = "no error"
        except (AssertionError, ValueError) as error:
            before_close = f"{type(error).__name__}: {error}"
        if old_billiard(facts):
            assert before_close.startswith("AssertionError")
        elif facts.library == "billiard":
            assert before_close.startswith("ValueError") and "not closed" in before_close
        elif facts.optimize:
            assert before_close == "no error"  # the check is an assert
        else:
            assert before_close.startswith("AssertionError") and "not closed" in before_close
        q.put("x" * qa.BIG)
        q.close()
        joined, _ = support.in_thread(q.join_thread)
        joined.join(HANG)
        waited = joined.is_alive()
        go.set()
        assert [len(item) for item in support.receive(reader)] == [qa.BIG]
        joined.join(DEADLINE)
        assert not joined.is_alive()
        support.join(child)
    # Both halves: refused before close() (not under -O), waits for the flush after
    # it (not billiard's, in the creating process).
    refused = before_close != "no error"
    observed("holds" if refused and waited else ("partly" if refused or waited else "does-not-hold"),
             because=f"join_thread() before close(): {before_close}; after close() it "
             f"{'was still waiting' if waited else 'had returned'} {HANG:g} s later, with a 2 MiB item unread")


@pytest.mark.claim("queue-api.cancel-join-thread-loses-data")
def test_a_child_that_cancels_its_join_exits_and_loses_what_it_had_not_written(ctx, observed):
    """A child puts 2000 items of 2000 bytes (4 MB, far more than the pipe holds),
    calls cancel_join_thread() and returns: it exits at once with no reader, and
    only the items its feeder had written by then (the first ones, in order; often
    none) ever arrive."""
    count, size = 2000, 2000
    with support.open_queue(ctx) as q:
        support.run(ctx, qa.put_then_cancel, q, count, size)
        got = []
        with contextlib.suppress(queue.Empty):
            while True:
                got.append(q.get(timeout=WAIT))
    assert [int(item) for item in got] == list(range(len(got)))
    observed("holds" if len(got) < count else "does-not-hold",
             because=f"the child exited without a reader; {len(got)} of its {count} items ever arrived")


# --- SimpleQueue -----------------------------------------------------------------


def get_within_deadline(q):
    """SimpleQueue.get() has no timeout: wait for data on its pipe first."""
    assert q._reader.poll(DEADLINE), "no item arrived on the SimpleQueue in time"
    return q.get()


@pytest.mark.claim("queue-api.simplequeue-roundtrip")
def test_a_simplequeue_carries_items_from_a_child_in_order(ctx, observed):
    """A child puts three items on a SimpleQueue; the parent gets them in order and
    empty() is True before and after (billiard: empty() raises AttributeError)."""
    def empty(q):
        try:
            return q.empty()
        except AttributeError as error:
            assert "_poll" in str(error)
            return "AttributeError"

    with closing(ctx.SimpleQueue()) as q:
        before = empty(q)
        support.run(ctx, qa.put_items, q, "one", 2, ("three",))
        got = [get_within_deadline(q) for _ in range(3)]
        after = empty(q)
    because = f"the parent got {got}; empty() before and after: {before}, {after}"
    if got != ["one", 2, ("three",)]:
        observed("does-not-hold", because=because)
    elif before is after is True:
        observed("holds", because=because)
    else:  # put() and get() carried the items; empty() alone failed
        observed("partly" if before == after == "AttributeError" else "does-not-hold", because=because)


@pytest.mark.claim("queue-api.simplequeue-close")
def test_a_closed_simplequeue_refuses_put_get_and_empty(facts, observed):
    """After SimpleQueue.close(), put(), get() and empty() raise OSError 'handle is
    closed' (billiard: AttributeError)."""
    q = lib.mp.SimpleQueue()
    q.close()
    expected = AttributeError if facts.library == "billiard" else OSError
    raised = []
    for call in (lambda: q.put(1), q.get, q.empty):
        with pytest.raises(Exception) as info:
            call()
        raised.append(type(info.value).__name__)
    observed("holds" if raised == [expected.__name__] * 3 else "does-not-hold",
             because=f"put(), get() and empty() on a closed SimpleQueue raised {raised}")


# --- the feeder thread at exit ---------------------------------------------------


@pytest.mark.claim("queue-api.put-blocks-exit")
def test_a_child_whose_item_is_unread_cannot_exit_until_it_is_got(ctx, observed):
    """A child's put() of 2 MiB has returned, but the child does not exit: join()
    with a timeout returns with it still alive (without the timeout it would wait
    for ever).  Once the parent gets the item, join() returns and the exitcode is 0."""
    put_returned = ctx.Event()
    with support.open_queue(ctx) as q:
        child = ctx.Process(target=qa.put_big_noted, args=(q, qa.BIG, None, put_returned))
        with support.started(child):
            assert put_returned.wait(DEADLINE)
            child.join(HANG)
            stuck = child.is_alive()
            assert len(q.get(timeout=DEADLINE)) == qa.BIG
            support.join(child)
        assert child.exitcode == 0
    observed("holds" if stuck else "does-not-hold",
             because=f"with its 2 MiB item unread the child was {'still alive' if stuck else 'gone'} after join({HANG:g})")


def notes_of(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def exit_script(start_method, mode, tmp_path, watchdog):
    """Run the script in ``mode`` with its watchdog set to ``watchdog`` seconds;
    return its notes.  Its output goes to files, not pipes: a child it leaves
    behind (billiard) must not keep us waiting for the end of its output; that
    child dies with the script's session."""
    notes = tmp_path / mode
    with support.script("queue_api_flush.py", start_method, mode, notes, watchdog, capture="files") as flush:
        done = flush.finish(DEADLINE)
    assert done.returncode == 0, done.stdout + done.stderr
    return notes_of(notes)


@pytest.mark.claim("queue-api.parent-hangs-on-exit")
def test_a_parent_whose_child_cannot_flush_hangs_at_exit(start_method, tmp_path, observed):
    """The main code ends while its non-daemonic child holds an unread 2 MiB item:
    the library's exit handler joins the child, and a second later the program is
    still exiting (its watchdog then kills the child); had the main code got the
    item first, the program would have ended at once.  (billiard: the program ends,
    leaving the child stuck.)"""
    notes = exit_script(start_method, "exit", tmp_path, HANG)
    assert "main done" in notes and "put returned" in notes
    hangs = "still exiting" in notes
    drained = exit_script(start_method, "exit-drained", tmp_path, DEADLINE)
    assert "main done" in drained and "still exiting" not in drained
    observed("holds" if hangs else "does-not-hold",
             because=f"with the child's item unread the program was {'still' if hangs else 'no longer'} exiting "
             f"{HANG:g} s after its main code ended; with the item got it ended at once")


@pytest.mark.claim("queue-api.manager-queue-no-flush-issue")
def test_a_child_that_put_on_a_manager_queue_exits_without_a_reader(ctx, observed):
    """A child puts 2 MiB on a manager's queue: it exits at once with nobody reading
    (joining it first does not hang), and the item is then there to get."""
    with ctx.Manager() as manager:
        q = manager.Queue()
        child = support.run(ctx, qa.put_big, q)
        got = len(q.get(timeout=DEADLINE))
    observed("holds" if child.exitcode == 0 and got == qa.BIG else "does-not-hold",
             because=f"the child exited with nobody reading (exitcode {child.exitcode}); then {got} bytes were got")


# --- killing a queue user --------------------------------------------------------


@pytest.mark.claim("queue-api.killed-user-corrupts")
def test_a_producer_killed_while_writing_leaves_the_queue_hanging_every_reader(ctx, observed):
    """A producer killed while its feeder writes a 2 MiB item leaves half a message in
    the pipe (and the write lock taken): a consumer's get(timeout=0.2) then hangs
    for good, reading a message that will never be complete."""
    with support.open_queue(ctx) as q:
        producer = ctx.Process(target=qa.put_big, args=(q,))
        with support.started(producer):
            assert support.wait_until(lambda: not q.empty())  # part of the item is in
            os.kill(producer.pid, signal.SIGKILL)
            support.join(producer)
        reader, writer = ctx.Pipe(duplex=False)
        consumer = ctx.Process(target=qa.get_and_report, args=(q, writer))
        with support.started(consumer):
            assert support.receive(reader) == "getting"
            hung = not reader.poll(HANG)
            outcome = None if hung else reader.recv()
    observed("holds" if hung else "does-not-hold",
             because="after the producer was killed mid-write the consumer's get(timeout) "
             + ("still hung " f"{HANG:g} s later" if hung else f"returned: {outcome}"))

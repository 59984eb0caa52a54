"""Process pools in full: imap and imap_unordered, starmap, callbacks, initializer,
maxtasksperchild, context, close/terminate/join, garbage collection and AsyncResult.

Docs: multiprocessing › Introduction › "Using a pool of workers" (its example and the
note on the creating process); Reference › "Process Pools": Pool (processes,
initializer, maxtasksperchild 3.2, context 3.4, the warning on closing a pool), apply,
apply_async, map, map_async, imap, imap_unordered, starmap and starmap_async (3.3),
close, terminate, join, AsyncResult (get, wait, ready, successful: ValueError since
3.7) and the section's usage example; What's New in 3.13 (Pool's default size,
gh-109649; tested by the article's pool.default-size test, spec/article/test_pool.py).
"""

import contextlib
import importlib
import itertools
import json
import os
import pickle
import threading
import time

import pytest

from fixtures import pool_api as pa
from fixtures import pools
from mpspec import lib, support
from mpspec.deadlines import DEADLINE, SLACK, WAIT

NOT_PICKLABLE = "pool objects cannot be passed between processes or pickled"
SQUARES = [x * x for x in range(10)]


def pool_class():
    """The library's multiprocessing.pool.Pool class itself."""
    return importlib.import_module(f"{lib.mp.__name__}.pool").Pool


@contextlib.contextmanager
def ended(pool):
    """Yield ``pool``; terminate and join it on the way out, whatever happens."""
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def error_of(seen, facts):
    """The exception an error_callback received (billiard wraps it in ExceptionInfo)."""
    return seen.exception if facts.library == "billiard" else seen


def take(iterator, count):
    return [iterator.next(DEADLINE) for _ in range(count)]


# --- Using a pool of workers -------------------------------------------------------------


@pytest.mark.claim("pool-api.imap-unordered-complete")
def test_imap_unordered_yields_every_result_once_in_completion_order(ctx):
    """imap_unordered over 20 items gives each result exactly once, then stops; item
    0, held until the others are done, comes last: completion order, not input
    order."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        results = pool.imap_unordered(pa.held_if_zero, range(20))
        first = take(results, 19)
        release.set()
        last = results.next(DEADLINE)
        with pytest.raises(StopIteration):
            results.next(DEADLINE)
    assert sorted(first) == [x * x for x in range(1, 20)] and last == 0


@pytest.mark.claim("pool-api.get-timeout-raises")
def test_get_with_a_timeout_raises_timeout_error_and_the_pool_goes_on(ctx):
    """get(timeout) on an unfinished task raises multiprocessing.TimeoutError after
    the timeout; the task still completes, its result can be got, and the pool runs
    new tasks."""
    release = ctx.Event()
    with support.pool(ctx, 1, {"release": release}) as pool:
        pending = pool.apply_async(pa.held, ("late",))
        start = time.monotonic()
        with pytest.raises(lib.mp.TimeoutError):
            pending.get(WAIT)
        assert time.monotonic() - start >= WAIT * SLACK
        release.set()
        assert pending.get(DEADLINE) == "late"
        assert pool.apply(pools.square, (4,)) == 16


@pytest.mark.claim("pool-api.creator-only")
def test_only_the_creating_process_can_use_a_pool(ctx, start_method):
    """A pool cannot be pickled, so a spawn or forkserver child cannot even be given
    one; a fork child inherits it, but a map it submits never comes back (the pool's
    threads stayed in the parent).  The parent's pool works throughout."""
    with support.pool(ctx, 1) as pool:
        with pytest.raises(NotImplementedError) as excinfo:
            pickle.dumps(pool)
        assert str(excinfo.value) == NOT_PICKLABLE
        reader, writer = ctx.Pipe(duplex=False)
        if start_method == "fork":
            support.run(ctx, pa.use_inherited_pool, pool, writer, WAIT)
            assert support.receive(reader) == ("TimeoutError", False)
        else:
            child = ctx.Process(target=pa.use_inherited_pool, args=(pool, writer, WAIT))
            with pytest.raises(NotImplementedError) as excinfo:
                child.start()
            assert str(excinfo.value) == NOT_PICKLABLE  # (3.14 adds notes on the way out)
        assert pool.map(pools.square, [1, 2]) == [1, 4]


# --- Pool(): initializer, maxtasksperchild, context ----------------------------------------


@pytest.mark.claim("pool-api.initializer")
def test_each_worker_runs_the_initializer_once_before_its_tasks(ctx):
    """Pool(3, initializer, initargs): every task sees the value its worker's
    initializer stored, and the initializer ran exactly 3 times for 12 tasks."""
    calls = ctx.Value("i", 0)
    with support.pool(ctx, 3, initializer=pa.initialise, initargs=({"calls": calls}, "ready")) as pool:
        workers = {w.pid for w in pool._pool}
        seen = pool.map(pa.initialised, range(12), chunksize=1)
        pool.close()
        pool.join()
    assert {value for _, value in seen} == {"ready"}
    assert {pid for pid, _ in seen} <= workers
    assert calls.value == 3


@pytest.mark.claim("pool-api.maxtasksperchild")
@pytest.mark.parametrize("limit", [2, None])
def test_a_worker_is_replaced_after_maxtasksperchild_tasks(ctx, limit):
    """Pool(1, maxtasksperchild=2) runs 6 tasks in 3 processes, two each in turn;
    with the default (None) the pool's one worker runs all 6."""
    with support.pool(ctx, 1, maxtasksperchild=limit) as pool:
        first = pool._pool[0].pid
        pids = pool.map(pools.pid_of, range(6), chunksize=1)
    if limit is None:
        assert pids == [first] * 6
    else:
        assert [len(list(run)) for _, run in itertools.groupby(pids)] == [2] * 3
        assert len(set(pids)) == 3 and pids[0] == first


@pytest.mark.claim("pool-api.context-arg")
@pytest.mark.parametrize("how", ["ctx.Pool", "Pool(context=ctx)"])
def test_the_workers_start_by_the_pools_context(ctx, start_method, monkeypatch, how):
    """After the parent changes a module global, fork workers (our children) see the
    change; spawn workers (our children) and forkserver workers (the fork server's)
    see the module as imported.  The same whether the pool comes from ctx.Pool() or
    from pool.Pool(context=ctx)."""
    monkeypatch.setattr(pa, "MARK", "changed by the parent")
    pool = ctx.Pool(1) if how == "ctx.Pool" else pool_class()(1, context=ctx)
    with ended(pool):
        mark, parent = pool.apply(pa.mark_and_parent)
    if start_method == "fork":
        assert (mark, parent) == ("changed by the parent", os.getpid())
    elif start_method == "spawn":
        assert (mark, parent) == ("as imported", os.getpid())
    else:
        assert mark == "as imported" and parent != os.getpid()


@pytest.mark.claim("pool-api.must-close-or-terminate")
def test_a_program_that_never_closes_its_pool_still_exits(facts):
    """A script that leaves its running pool in a global and returns exits at once
    (no hang), its workers gone; with ResourceWarnings shown, the exit warns of the
    unclosed running pool (not on PyPy, not with billiard; multiprocess's Pool.__del__
    fails with AttributeError instead)."""
    done = support.run_script("pool_api_unclosed.py", "exit", options=("-W", "always::ResourceWarning"))
    assert done.returncode == 0, done.stderr
    pids = [int(pid) for pid in done.stdout.split()[1:]]
    assert len(pids) == 2
    assert all(support.wait_gone(pid) for pid in pids)
    warned = "ResourceWarning: unclosed running multiprocessing pool" in done.stderr
    assert warned == (facts.implementation == "CPython" and facts.library == "multiprocessing"), done.stderr
    # multiprocess's Pool.__del__ fails at exit instead: its pickler is already gone.
    failed = "AttributeError: 'NoneType' object has no attribute 'dumps'" in done.stderr
    assert failed == (facts.library == "multiprocess"), done.stderr


# --- apply, apply_async and callbacks ----------------------------------------------------


@pytest.mark.claim("pool-api.apply-one-worker")
def test_apply_runs_the_function_once_in_one_worker(ctx):
    """apply(take a ticket) runs once (the shared counter moves by one) and apply(pid)
    returns the pid of one of the pool's workers, not ours."""
    counter = ctx.Value("i", 0)
    with support.pool(ctx, 3, {"counter": counter}) as pool:
        workers = {w.pid for w in pool._pool}
        assert pool.apply(pools.take_ticket, ("x",)) == ("x", 0)
        assert counter.value == 1
        pid = pool.apply(pools.pid_of)
    assert pid in workers and pid != os.getpid()


@pytest.mark.claim("pool-api.apply-async-callback")
def test_apply_async_calls_callback_or_error_callback(ctx, facts):
    """A task that returns calls callback with its result; one that raises calls
    error_callback with the exception (the one get() raises), never callback."""
    calls = pa.Callbacks()
    hooks = {"callback": calls.on_result, "error_callback": calls.on_error}
    with support.pool(ctx, 1) as pool:
        assert pool.apply_async(pools.square, (7,), **hooks).get(DEADLINE) == 49
        with pytest.raises(ValueError, match="^bad 3$") as excinfo:
            pool.apply_async(pa.fail, (3,), **hooks).get(DEADLINE)
        assert support.wait_until(lambda: calls.count() >= 2)
    assert calls.results == [49]
    assert error_of(calls.errors[0], facts) is excinfo.value


@pytest.mark.claim("pool-api.callbacks-in-parent-thread")
def test_a_blocking_callback_holds_up_other_results(ctx):
    """The callback runs in this process, on a thread other than the main one; while
    it blocks, a second task that has finished in its worker is not ready; once the
    callback returns, it is."""
    calls = pa.Callbacks(block=True)
    done = ctx.Event()
    with support.pool(ctx, 1, {"done": done}) as pool:
        try:
            first = pool.apply_async(pools.square, (2,), callback=calls.on_result)
            assert calls.called.wait(DEADLINE)
            second = pool.apply_async(pa.announce, ("second",))
            assert done.wait(DEADLINE)  # the second task has run in its worker
            second.wait(WAIT)
            assert not second.ready()
        finally:
            calls.unblock.set()
        assert second.get(DEADLINE) == "second" and first.get(DEADLINE) == 4
    assert calls.pids == [os.getpid()]
    assert calls.threads[0] is not threading.main_thread()


# --- map, map_async, imap, imap_unordered, starmap ---------------------------------------


@pytest.mark.claim("pool-api.map-blocks-chunks")
def test_map_sends_chunks_of_chunksize_items(ctx):
    """map(f, range(20), chunksize=7) on a pool whose worker serves one task each
    (maxtasksperchild=1) runs items 0-6, 7-13 and 14-19 in three processes, and
    returns all 20 results in order."""
    with support.pool(ctx, 1, maxtasksperchild=1) as pool:
        results = pool.map(pa.item_and_pid, range(20), chunksize=7)
    assert [item for item, _ in results] == list(range(20))
    pids = [pid for _, pid in results]
    assert [len(list(run)) for _, run in itertools.groupby(pids)] == [7, 7, 6]
    assert len(set(pids)) == 3


def recorded(log, count, size=4096):
    """Yield ``count`` blocks of ``size`` bytes, appending each index to ``log`` as it
    is taken."""
    for index in range(count):
        log.append(index)
        yield bytes(size)


def blocked_writing_to_a_pipe(thread):
    """Whether ``thread`` (of this process) sleeps in the kernel writing to a full pipe,
    from its wait channel (Linux: pipe_write, anon_pipe_write); None where the kernel
    does not say."""
    try:
        with open(f"/proc/self/task/{thread.native_id}/wchan", encoding="ascii") as f:
            return f.read().endswith("pipe_write")
    except (OSError, AttributeError, TypeError):
        return None


def stalled(log, seconds):
    """True once ``log`` has not grown for ``seconds``."""
    before = len(log)
    time.sleep(seconds)
    return len(log) == before


@pytest.mark.claim("pool-api.map-memory")
def test_map_takes_the_whole_iterable_first_imap_as_tasks_go_out():
    """map_async has taken all 200 items of a generator before it returns (no task has
    run yet); imap over another 200 items of 4 KiB, with the worker held, stops
    taking items once the workers' pipe is full, far short of 200; released, it
    gives every result."""
    ctx = support.cheapest_context()
    shared = {"release": ctx.Event(), "gate": ctx.Event()}
    with support.pool(ctx, 1, shared) as pool:
        taken = []
        mapped = pool.map_async(pa.size_after_release, recorded(taken, 200))
        assert len(taken) == 200 and not mapped.ready()
        shared["release"].set()
        assert mapped.get(DEADLINE) == [4096] * 200
        taken = []
        results = pool.imap(pa.size_after_gate, recorded(taken, 200))
        # Stopped for the right reason: the task handler sleeps writing into the
        # workers' full input pipe (a handler slowed down by a busy machine does not).
        handler = pool._task_handler
        if blocked_writing_to_a_pipe(handler) is None:  # no wait channel: a long stall will do
            assert support.wait_until(lambda: taken and stalled(taken, 10 * WAIT))
        else:
            assert support.wait_until(lambda: blocked_writing_to_a_pipe(handler))
        assert len(taken) < 100, len(taken)
        shared["gate"].set()
        assert take(results, 200) == [4096] * 200
        assert len(taken) == 200


@pytest.mark.claim("pool-api.map-async-callbacks")
def test_map_async_callback_gets_the_list_error_callback_the_exception(ctx, facts):
    """map_async's callback receives the whole ordered list once; when item 3 raises,
    error_callback receives that exception, callback is not called again, and get()
    re-raises it."""
    calls = pa.Callbacks()
    hooks = {"callback": calls.on_result, "error_callback": calls.on_error}
    with support.pool(ctx, 2) as pool:
        assert pool.map_async(pools.square, range(10), **hooks).get(DEADLINE) == SQUARES
        with pytest.raises(ValueError, match="^bad 3$") as excinfo:
            pool.map_async(pa.square_or_fail, range(10), chunksize=1, **hooks).get(DEADLINE)
        assert support.wait_until(lambda: calls.count() >= 2)
    assert calls.results == [SQUARES]
    assert [error_of(e, facts) for e in calls.errors] == [excinfo.value]


@pytest.mark.claim("pool-api.imap-lazy-ordered")
def test_imap_gives_the_first_result_while_later_tasks_still_run(ctx):
    """imap gives its results in input order (50 items); its first result can be
    taken while every later item is still held in its worker; released, the rest
    follow in order."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        assert take(pool.imap(pools.square, range(50)), 50) == [x * x for x in range(50)]
        results = pool.imap(pa.held_unless_zero, range(6))
        assert results.next(DEADLINE) == 0
        release.set()
        assert take(results, 5) == [1, 4, 9, 16, 25]


@pytest.mark.claim("pool-api.imap-lazy-ordered")
def test_the_benchmark_measured_chunked_imap_far_faster(start_method):
    """benchmarks/results/map-fastest.json (the article's map benchmark) shows imap
    with map's chunksize at least 10 times faster per item than imap with
    chunksize 1, for this start method."""
    data = json.loads((support.ROOT / "benchmarks" / "results" / "map-fastest.json").read_text("utf-8"))
    columns = data["columns"]
    row = {r[0]: r for r in data["rows"]}[start_method]
    chunked = float(row[columns.index("imap, chunksize 1250 (map's default)")].rstrip("×"))
    single = float(row[columns.index("imap, chunksize 1")].rstrip("×"))
    assert single >= 10 * chunked


@pytest.mark.claim("pool-api.imap-next-timeout")
def test_imap_next_with_a_timeout_raises_timeout_error(ctx):
    """With chunksize 1, next(timeout) raises multiprocessing.TimeoutError while the
    result is missing, returns it once it comes, then StopIteration.  With chunksize
    2 imap returns a generator: no next(timeout), though it yields the results."""
    release = ctx.Event()
    with support.pool(ctx, 1, {"release": release}) as pool:
        results = pool.imap(pa.held, ["late"])
        start = time.monotonic()
        with pytest.raises(lib.mp.TimeoutError):
            results.next(timeout=WAIT)
        assert time.monotonic() - start >= WAIT * SLACK
        release.set()
        assert results.next(DEADLINE) == "late"
        with pytest.raises(StopIteration):
            results.next(DEADLINE)
        chunked = pool.imap(pools.square, range(5), chunksize=2)
        assert not hasattr(chunked, "next")
        assert support.call_within(list, chunked) == [0, 1, 4, 9, 16]


@pytest.mark.claim("pool-api.imap-unordered-single-worker-ordered")
@pytest.mark.parametrize("chunksize", [1, 3])
def test_imap_unordered_on_one_worker_keeps_input_order(ctx, chunksize):
    """On Pool(1) imap_unordered gives its 30 results in input order (chunks of 1 and
    of 3).  (With two workers it does not: see the imap-unordered-complete test.)"""
    with support.pool(ctx, 1) as pool:
        results = pool.imap_unordered(pools.square, range(30), chunksize=chunksize)
        assert support.call_within(list, results) == [x * x for x in range(30)]


@pytest.mark.claim("pool-api.starmap-unpacks")
def test_starmap_spreads_each_tuple_into_arguments(ctx):
    """starmap(divmod, ...) calls divmod(7, 2) and divmod(9, 4), not divmod((7, 2));
    twenty pow(2, i) results come in input order."""
    with support.pool(ctx, 2) as pool:
        assert pool.starmap(divmod, [(7, 2), (9, 4)]) == [(3, 1), (2, 1)]
        assert pool.starmap(pow, [(2, i) for i in range(20)], chunksize=3) == [2 ** i for i in range(20)]


@pytest.mark.claim("pool-api.starmap-async")
def test_starmap_async_returns_an_async_result_with_callbacks(ctx, facts):
    """starmap_async gives [3, 7] by get() and to its callback; a failing item's
    exception goes to error_callback and is re-raised by get()."""
    calls = pa.Callbacks()
    hooks = {"callback": calls.on_result, "error_callback": calls.on_error}
    with support.pool(ctx, 2) as pool:
        assert pool.starmap_async(pools.add, [(1, 2), (3, 4)], **hooks).get(DEADLINE) == [3, 7]
        with pytest.raises(ValueError, match="^bad 2$") as excinfo:
            pool.starmap_async(pa.square_unless, [(1, 2), (2, 2)], **hooks).get(DEADLINE)
        assert support.wait_until(lambda: calls.count() >= 2)
    assert calls.results == [[3, 7]]
    assert [error_of(e, facts) for e in calls.errors] == [excinfo.value]


# --- close, terminate, join, garbage collection -----------------------------------------


@pytest.mark.claim("pool-api.close-drains")
def test_close_refuses_new_tasks_but_the_queued_ones_complete(ctx, facts):
    """After close(), with 8 tasks still queued or held, a new submission is refused
    (ValueError; billiard returns None); released, all 8 complete successfully by
    the time join() returns."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        pending = [pool.apply_async(pa.held, (i,)) for i in range(8)]
        pool.close()
        if facts.library == "billiard":
            assert pool.apply_async(pools.square, (2,)) is None
        else:
            with pytest.raises(ValueError, match="^Pool not running$"):
                pool.apply_async(pools.square, (2,))
        assert not any(r.ready() for r in pending)
        release.set()
        pool.join()
        assert all(r.ready() and r.successful() for r in pending)
        assert [r.get(DEADLINE) for r in pending] == list(range(8))


@pytest.mark.claim("pool-api.terminate-abandons")
def test_terminate_kills_busy_workers_and_abandons_their_results(ctx, tmp_path, verdict):
    """terminate() with 4 tasks outstanding kills the busy workers mid-task; no task
    finishes (none writes its file) and no result ever becomes ready.  billiard's
    terminate() itself keeps waiting for those results after the workers are gone,
    until they are discarded."""
    shared = {"started": ctx.Event(), "release": ctx.Semaphore(0)}
    paths = [tmp_path / f"task-{i}" for i in range(4)]
    with support.pool(ctx, 2, shared) as pool:
        pending = [pool.apply_async(pa.start_then_write_when_released, (str(p),)) for p in paths]
        assert shared["started"].wait(DEADLINE)
        workers = list(pool._pool)
        if verdict == "holds":
            pool.terminate()
        else:  # billiard: terminate() blocks while results are outstanding
            stopping = threading.Thread(target=pool.terminate, daemon=True)
            stopping.start()
            assert support.wait_until(lambda: not any(w.is_alive() for w in workers))
            stopping.join(WAIT)
            assert stopping.is_alive()
            for result in pending:
                result.discard()
            stopping.join(DEADLINE)
            assert not stopping.is_alive()
        for _ in paths:  # a task still running somewhere would now write its file
            shared["release"].release()
        pool.join()
        assert not any(w.is_alive() for w in workers)
        assert not any(r.ready() for r in pending)
        with pytest.raises(lib.mp.TimeoutError):
            pending[0].get(WAIT)
    assert not any(p.exists() for p in paths)


@pytest.mark.claim("pool-api.gc-terminates")
def test_dropping_a_running_pool_terminates_it(facts, verdict):
    """A script drops its only reference to a running pool (del, gc.collect()): the
    workers are gone soon after and a ResourceWarning says the pool was left
    running.  billiard's pool is kept alive by its own threads: no warning, and the
    workers still run a second later."""
    # Where they should go, give them the generous deadline; where they should stay,
    # a second of not going is the observation.
    seconds = DEADLINE / 3 if verdict == "holds" else 5 * WAIT
    done = support.run_script("pool_api_unclosed.py", "gc", seconds)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    if verdict == "holds":
        assert seen == {"gone": True, "warnings": ["ResourceWarning: unclosed running multiprocessing pool"]}
    else:
        assert seen == {"gone": False, "warnings": []}


@pytest.mark.claim("pool-api.join-after-terminate")
def test_join_after_terminate_returns_with_every_worker_dead(ctx):
    """terminate() then join() is allowed: join() returns, and every worker is dead
    and has an exit code.  (Which code varies: an idle worker may already be leaving
    when SIGTERM comes, and billiard's workers turn SIGTERM into exit code 15.)"""
    with support.pool(ctx, 2) as pool:
        assert pool.map(pools.square, range(10)) == SQUARES
        workers = list(pool._pool)
        pool.terminate()
        pool.join()
        assert not any(w.is_alive() for w in workers)
        assert None not in {w.exitcode for w in workers}


# --- AsyncResult ------------------------------------------------------------------------


@pytest.mark.claim("pool-api.asyncresult-get-reraises")
def test_get_re_raises_the_workers_exception_with_its_traceback(ctx, facts):
    """get() raises the worker's ValueError('bad x') in the parent, chained from a
    RemoteTraceback whose text is the worker's traceback (billiard: its own
    RemoteTraceback class)."""
    with support.pool(ctx, 1) as pool, pytest.raises(ValueError, match="^bad x$") as excinfo:
        pool.apply_async(pa.fail, ("x",)).get(DEADLINE)
    cause = excinfo.value.__cause__
    module = "billiard.einfo" if facts.library == "billiard" else f"{lib.mp.__name__}.pool"
    assert (type(cause).__module__, type(cause).__name__) == (module, "RemoteTraceback")
    assert "Traceback (most recent call last)" in str(cause)
    assert 'raise ValueError(f"bad {value}")' in str(cause)


@pytest.mark.claim("pool-api.asyncresult-wait")
def test_wait_returns_at_the_timeout_without_raising(ctx):
    """wait(timeout) on a held task returns None after the timeout, the result still
    not ready; released, wait() returns once it is."""
    release = ctx.Event()
    with support.pool(ctx, 1, {"release": release}) as pool:
        pending = pool.apply_async(pa.held, ("v",))
        start = time.monotonic()
        assert pending.wait(WAIT) is None
        assert time.monotonic() - start >= WAIT * SLACK
        assert not pending.ready()
        release.set()
        assert pending.wait(DEADLINE) is None
        assert pending.ready() and pending.get(0) == "v"


@pytest.mark.claim("pool-api.asyncresult-ready")
def test_ready_is_false_while_the_task_runs_and_true_after(ctx):
    """ready() is False for a held task and a held map, True once each has returned,
    and True for a task that raised."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        single = pool.apply_async(pa.held, (1,))
        mapped = pool.map_async(pa.held, [2, 3])
        assert not single.ready() and not mapped.ready()
        release.set()
        assert single.get(DEADLINE) == 1 and mapped.get(DEADLINE) == [2, 3]
        assert single.ready() and mapped.ready()
        failed = pool.apply_async(pa.fail, (4,))
        failed.wait(DEADLINE)
        assert failed.ready()


@pytest.mark.claim("pool-api.asyncresult-successful")
def test_successful_says_whether_the_call_raised_and_refuses_before_ready(ctx, facts):
    """Before the result is ready successful() raises ValueError (billiard: a bare
    AssertionError; under -O billiard's ApplyResult raises AttributeError and its
    MapResult answers True); after, True for a return and False for an exception."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        single = pool.apply_async(pa.held, (1,))
        mapped = pool.map_async(pa.held, [2])
        try:
            if facts.library != "billiard":
                for result in (single, mapped):
                    with pytest.raises(ValueError, match=r"^<.*Result object at 0x[0-9a-f]+> not ready$"):
                        result.successful()
            elif not facts.optimize:
                for result in (single, mapped):
                    with pytest.raises(AssertionError, match="^$"):
                        result.successful()
            else:
                with pytest.raises(AttributeError, match="_success"):
                    single.successful()
                assert mapped.successful() is True
        finally:
            release.set()
        assert single.get(DEADLINE) == 1 and single.successful() is True
        assert mapped.get(DEADLINE) == [2] and mapped.successful() is True
        failed = pool.apply_async(pa.fail, (3,))
        failed.wait(DEADLINE)
        assert failed.successful() is False


@pytest.mark.claim("pool-api.doc-example")
def test_the_usage_example_prints_its_results_then_times_out(facts):
    """The section's usage example, restated (cubes instead of squares, our own
    timeouts): it prints 125, the map's list, the imap's first three values, and the
    final get(timeout) raises multiprocessing.TimeoutError, ending the program with
    exit status 1.  With billiard, leaving the with block with the slow task
    outstanding takes over 5 s more."""
    start = time.monotonic()
    done = support.run_script("pool_api_example.py")
    elapsed = time.monotonic() - start
    assert done.stdout.splitlines() == ["125", "[0, 1, 8, 27, 64, 125]", "0", "1", "8"]
    assert done.returncode == 1
    error = lib.mp.TimeoutError
    assert done.stderr.splitlines()[-1] == f"{error.__module__}.{error.__qualname__}", done.stderr
    if facts.library == "billiard":
        assert elapsed >= 5 * SLACK

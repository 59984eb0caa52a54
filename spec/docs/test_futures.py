"""concurrent.futures.ProcessPoolExecutor, the process pool most code uses: submit and
the Future's life, map (order, chunksize, timeout, buffersize), errors from the
workers, a broken pool, the initializer, the pool's size and start method,
max_tasks_per_child, shutdown, terminate_workers/kill_workers, wait, as_completed,
and what happens at exit and on Ctrl-C.  With ``--impl loky`` the same tests run
against loky's ProcessPoolExecutor, which differs where its verdicts say.

Docs: concurrent.futures › Executor Objects (submit, map with chunksize and, from 3.14,
buffersize; shutdown with cancel_futures from 3.9); ProcessPoolExecutor (picklable
objects, the __main__ and deadlock notes; max_workers, mp_context, initializer,
max_tasks_per_child 3.11; terminate_workers and kill_workers 3.14; the changes of 3.3,
3.7, 3.9, 3.12, 3.13 and 3.14); Future Objects; Module Functions (wait, as_completed);
Exception classes (TimeoutError, BrokenExecutor, BrokenProcessPool); What's New 3.15
(the pid and exit code of a dead worker).  Five claims come from users' reports.
"""

import builtins
import concurrent.futures as cf
import logging
import os
import pickle
import sys
import threading
import time
import traceback
from concurrent.futures.process import BrokenProcessPool

import pytest

from fixtures import futures as fx
from fixtures.survivors import gone
from mpspec import isolation, lib, support
from mpspec.deadlines import DEADLINE, SLACK, WAIT

PICKLING_ERRORS = (pickle.PicklingError, AttributeError, TypeError)


def loky():
    return lib.name() == "loky"


def files(directory, names):
    return [directory / str(n) for n in names]


def kind_of_worker(mark, parent):
    """How a worker was started, from what it saw: the parent's changed module global
    (fork), or a fresh module as our child (spawn) or the fork server's (forkserver)."""
    if mark != "as imported":
        return "fork"
    return "spawn" if parent == os.getpid() else "forkserver"


def script_lines(done):
    """The ``key value...`` lines a fixtures/scripts/futures_* script printed."""
    lines = {}
    for line in done.stdout.splitlines():
        key, _, rest = line.partition(" ")
        lines[key] = rest
    return lines


# --- submit and the Future's life -------------------------------------------------------


@pytest.mark.claim("futures.submit-runs-in-worker")
def test_a_submitted_call_runs_in_a_worker_and_result_returns_its_value(ctx, verdict):
    """submit(fn, *args, **kwargs) runs fn in another process (its pid is not ours)
    with positional and keyword-only arguments, and result() returns fn's value.
    (PyPy 3.9 here cannot start a spawn or forkserver worker: AttributeError.)"""
    with support.executor(ctx, 1) as ex:
        if verdict == "does-not-hold":
            with pytest.raises(AttributeError, match="_adjust_process_count"):
                ex.submit(fx.worker_pid)
            return
        assert ex.submit(fx.worker_pid).result(DEADLINE) != os.getpid()
        assert ex.submit(fx.scaled_sum, 3, 4, scale=2).result(DEADLINE) == 14


@pytest.mark.claim("futures.future-lifecycle-flags")
def test_an_executing_call_is_running_and_a_returned_one_is_done(ctx, tmp_path):
    """While the worker holds the call (its start marker exists) the Future is
    running() and not done(); after the result it is done(), neither running() nor
    cancelled()."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 1) as ex:
        future = ex.submit(fx.hold, str(started), str(release), "value")
        assert support.wait_until(started.exists)
        assert future.running() and not future.done()
        release.touch()
        assert future.result(DEADLINE) == "value"
        assert (future.done(), future.running(), future.cancelled()) == (True, False, False)


@pytest.mark.claim("futures.cancel-only-before-start")
def test_only_a_call_that_has_not_started_can_be_cancelled(ctx, tmp_path):
    """One worker held by a call; of six calls waiting behind it, the last is
    cancelled (True), never runs (no marker) and its result() raises CancelledError;
    cancel() of the running call, and of a finished one, returns False."""
    started, release = tmp_path / "started", tmp_path / "release"
    markers = files(tmp_path, range(6))
    with support.executor(ctx, 1) as ex:
        blocker = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        waiting = [ex.submit(fx.touch, str(m)) for m in markers]
        assert waiting[-1].cancel() is True
        assert blocker.cancel() is False
        release.touch()
        cf.wait(waiting[:-1] + [blocker], timeout=DEADLINE)
        assert all(f.done() and not f.cancelled() for f in waiting[:-1] + [blocker])
        assert waiting[-1].cancelled()
        with pytest.raises(cf.CancelledError):
            waiting[-1].result(DEADLINE)
        assert blocker.cancel() is False and not blocker.cancelled()
    assert [m.exists() for m in markers] == [True] * 5 + [False]


@pytest.mark.claim("futures.queued-calls-report-running")
def test_calls_handed_to_the_call_queue_report_running_before_any_worker_has_them(ctx, tmp_path, verdict):
    """One worker held by a call; of the calls submitted behind it, the first ones
    (max_workers + 1 = 2; 3 for loky's bigger queue) report running() and refuse
    cancel() although none has started (no start marker), and the next is still
    pending and can be cancelled: running() is not "being executed"."""
    queued = 3 if loky() else 2
    started, release = tmp_path / "started", tmp_path / "release"
    markers = files(tmp_path, range(queued + 1))
    with support.executor(ctx, 1) as ex:
        blocker = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        behind = [ex.submit(fx.hold, str(m), str(release)) for m in markers]
        assert support.wait_until(lambda: all(f.running() for f in behind[:queued]))
        assert not any(m.exists() for m in markers)
        assert verdict == "does-not-hold"
        assert [f.cancel() for f in behind] == [False] * queued + [True]
        assert not behind[-1].running()
        release.touch()
        assert all(f.result(DEADLINE) for f in [blocker] + behind[:queued])


@pytest.mark.claim("futures.result-timeout")
def test_result_and_exception_time_out_and_the_call_goes_on(ctx, tmp_path):
    """result(timeout) and exception(timeout) on an unfinished call raise
    TimeoutError after the timeout (the built-in class from 3.11); the call carries
    on, result() then gives its value and exception() None."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 1) as ex:
        future = ex.submit(fx.hold, str(started), str(release), "late")
        for wait in (future.result, future.exception):
            start = time.monotonic()
            with pytest.raises(cf.TimeoutError) as excinfo:
                wait(WAIT)
            assert time.monotonic() - start >= WAIT * SLACK
        assert isinstance(excinfo.value, builtins.TimeoutError) == (sys.version_info >= (3, 11))
        release.touch()
        assert future.result(DEADLINE) == "late"
        assert future.exception(DEADLINE) is None


@pytest.mark.claim("futures.callback-threads")
def test_done_callbacks_run_in_the_parent_in_order_and_a_failing_one_is_logged(ctx, tmp_path, caplog):
    """Callbacks added to a pending call run in our process, in the order added, on a
    thread that is not the main thread, each given the Future; a ValueError from the
    first is logged on 'concurrent.futures' and the second still runs.  Added after
    done(), a callback runs at once in the adding thread."""
    started, release = tmp_path / "started", tmp_path / "release"
    seen, second_ran = [], threading.Event()

    def first(future):
        seen.append(("first", os.getpid(), threading.current_thread() is threading.main_thread(), future))
        raise ValueError("a failing callback")

    def second(future):
        seen.append(("second", os.getpid(), threading.current_thread() is threading.main_thread(), future))
        second_ran.set()

    caplog.set_level(logging.ERROR, logger="concurrent.futures")
    with support.executor(ctx, 1) as ex:
        future = ex.submit(fx.hold, str(started), str(release), 1)
        future.add_done_callback(first)
        future.add_done_callback(second)
        release.touch()
        assert second_ran.wait(DEADLINE)
        late = []
        future.add_done_callback(lambda f: late.append(threading.current_thread() is threading.main_thread()))
    assert [(name, pid, main, f is future) for name, pid, main, f in seen] == [
        ("first", os.getpid(), False, True),
        ("second", os.getpid(), False, True),
    ]
    assert late == [True]
    assert any("exception calling callback" in r.getMessage() for r in caplog.records)


# --- errors from the workers ---------------------------------------------------------------


@pytest.mark.claim("futures.remote-traceback")
def test_a_calls_exception_comes_back_with_the_workers_traceback(ctx):
    """result() raises a ValueError with the call's args whose __cause__ is a
    _RemoteTraceback naming the failing line in the worker, also shown in the printed
    traceback."""
    with support.executor(ctx, 1) as ex:
        with pytest.raises(ValueError) as excinfo:
            ex.submit(fx.raise_value_error, "x").result(DEADLINE)
    error = excinfo.value
    assert error.args == ("x",) and type(error.__cause__).__name__ == "_RemoteTraceback"
    assert "raise ValueError(text)" in error.__cause__.tb
    assert "raise ValueError(text)" in "".join(traceback.format_exception(type(error), error, error.__traceback__))


@pytest.mark.claim("futures.remote-traceback")
def test_a_falsy_exception_is_raised_too_where_the_claim_holds(ctx, verdict):
    """A call that raises an exception whose __bool__ is False: where the claim holds
    exception() returns it and result() raises it; where it does not, the failure
    disappears: the call counts as having returned None (gh-132063, before 3.13.4 and
    on PyPy)."""
    with support.executor(ctx, 1) as ex:
        falsy = ex.submit(fx.raise_falsy)
        if verdict == "holds":
            assert isinstance(falsy.exception(DEADLINE), fx.FalsyError)
            with pytest.raises(fx.FalsyError):
                falsy.result(DEADLINE)
        elif verdict == "partly":  # loky: exception() has it, the stdlib Future's result() not
            assert isinstance(falsy.exception(DEADLINE), fx.FalsyError)
            assert falsy.result(DEADLINE) is None
        else:
            assert falsy.exception(DEADLINE) is None
            assert falsy.result(DEADLINE) is None


@pytest.mark.claim("futures.baseexception-from-task")
@pytest.mark.parametrize("call, expected", [(fx.leave, SystemExit), (fx.interrupt_self, KeyboardInterrupt)],
                         ids=["SystemExit", "KeyboardInterrupt"])
def test_systemexit_or_keyboardinterrupt_in_a_call_is_its_outcome(ctx, call, expected):
    """A call that raises SystemExit(3) or KeyboardInterrupt fails with it in the
    parent, and the same worker (same pid) runs the next call."""
    with support.executor(ctx, 1) as ex:
        pid = ex.submit(fx.worker_pid).result(DEADLINE)
        args = (3,) if call is fx.leave else ()
        with pytest.raises(expected) as excinfo:
            ex.submit(call, *args).result(DEADLINE)
        assert ex.submit(fx.worker_pid).result(DEADLINE) == pid
    if expected is SystemExit:
        assert excinfo.value.code == 3


@pytest.mark.claim("futures.unretrieved-failure-silent")
def test_a_failure_nobody_asks_for_is_never_reported(start_method):
    """A program whose call raises ZeroDivisionError, and never looks at its Future,
    exits 0 with nothing about the error on stderr (the hazard: lost errors)."""
    done = support.run_script("futures_unretrieved.py", start_method)
    assert done.returncode == 0, done.stderr
    assert "done" in done.stdout
    assert "ZeroDivisionError" not in done.stderr + done.stdout


# --- map ----------------------------------------------------------------------------------


@pytest.mark.claim("futures.map-order-and-errors")
def test_map_yields_results_in_input_order_whatever_finishes_first(ctx):
    """Four calls that finish last first (0.6, 0.4, 0.2, 0 s) on four workers come
    out of map() in input order."""
    with support.executor(ctx, 4) as ex:
        naps = [0.6, 0.4, 0.2, 0.0]
        assert list(ex.map(fx.nap_then, naps, range(4), timeout=DEADLINE)) == [0, 1, 2, 3]


@pytest.mark.claim("futures.map-order-and-errors")
def test_map_raises_a_failed_calls_error_when_its_position_is_reached(ctx):
    """With item 3 failing, map() yields items 0-2 first, then raises its ValueError,
    and then is finished."""
    with support.executor(ctx, 2) as ex:
        results = ex.map(fx.fail_on, range(6), [3] * 6, timeout=DEADLINE)
        assert [next(results) for _ in range(3)] == [0, 10, 20]
        with pytest.raises(ValueError, match="item 3 failed"):
            next(results)
        with pytest.raises(StopIteration):
            next(results)


@pytest.mark.claim("futures.map-eager-input")
def test_map_takes_the_whole_input_before_it_returns(ctx):
    """Right after map() returns, before any result is asked for, every one of 100
    input items has been taken from the generator."""
    taken = []
    with support.executor(ctx, 2) as ex:
        results = ex.map(fx.identity, fx.pulled(taken, 100))
        assert len(taken) == 100
        assert list(results) == list(range(100))


def endless(taken, stop):
    """Integers for ever, counted in ``taken``, until ``stop`` is set."""
    i = 0
    while not stop.is_set():
        taken.append(i)
        yield i
        i += 1


@pytest.mark.claim("futures.map-eager-input")
def test_map_over_an_endless_input_does_not_return(ctx):
    """map() over an endless generator is still taking items (thousands) a second
    later and has not returned (bounded effort: the generator is then stopped, and
    the calls it submitted are cancelled)."""
    taken, stop = [], threading.Event()
    with support.executor(ctx, 1) as ex:
        thread, result = support.in_thread(ex.map, fx.identity, endless(taken, stop))
        thread.join(1.0)
        returned = not thread.is_alive()
        stop.set()
        thread.join(DEADLINE)
        if "value" in result:
            result["value"].close()  # cancels what it submitted
    assert not returned and len(taken) > 1000


@pytest.mark.claim("futures.map-buffersize")
@pytest.mark.parametrize("chunksize", [1, 3])
def test_map_with_buffersize_takes_only_that_many_chunks_ahead(ctx, chunksize):
    """map(buffersize=4) takes 4 x chunksize items up front (a chunk is one task),
    and each result consumed lets it take at most one chunk more; over an endless
    input it returns at once."""
    taken = []
    with support.executor(ctx, 2) as ex:
        results = ex.map(fx.identity, fx.pulled(taken, 1000), chunksize=chunksize, buffersize=4)
        assert len(taken) == 4 * chunksize
        assert next(results) == 0
        assert len(taken) <= 5 * chunksize
        results.close()
        stop = threading.Event()
        endless_results = support.call_within(
            lambda: ex.map(fx.identity, endless([], stop), buffersize=2), timeout=DEADLINE
        )
        try:
            assert [next(endless_results) for _ in range(5)] == [0, 1, 2, 3, 4]
        finally:
            stop.set()
            endless_results.close()


@pytest.mark.claim("futures.map-buffersize")
def test_a_buffersize_below_one_is_refused(ctx):
    """map(buffersize=0) raises ValueError."""
    with support.executor(ctx, 1) as ex:
        with pytest.raises(ValueError):
            ex.map(fx.identity, [1], buffersize=0)


@pytest.mark.claim("futures.map-timeout-from-call")
def test_maps_timeout_counts_from_the_call_to_map(ctx):
    """Three 1 s calls on one (warm) worker with timeout=1.6: the first result comes,
    the second raises TimeoutError, although it would arrive within 1.6 s of the
    first: the timeout runs from the call to map(), not per item."""
    with support.executor(ctx, 1) as ex:
        ex.submit(fx.worker_pid).result(DEADLINE)
        start = time.monotonic()
        results = ex.map(fx.nap_then, [1.0] * 3, range(3), timeout=1.6)
        assert next(results) == 0
        with pytest.raises(cf.TimeoutError):
            next(results)
        assert time.monotonic() - start >= 1.6 * SLACK


@pytest.mark.claim("futures.map-chunksize")
def test_a_chunk_runs_in_one_worker_with_the_same_results(ctx):
    """map(chunksize=5) over 10 items: items 0-4 share one worker pid, 5-9 one pid;
    the values equal chunksize=1's; chunksize=0 raises ValueError."""
    with support.executor(ctx, 2) as ex:
        pids = list(ex.map(fx.worker_pid, range(10), chunksize=5, timeout=DEADLINE))
        assert len(set(pids[:5])) == 1 and len(set(pids[5:])) == 1
        assert list(ex.map(fx.fail_on, range(10), [-1] * 10, chunksize=5)) == list(
            ex.map(fx.fail_on, range(10), [-1] * 10, chunksize=1)
        )
        with pytest.raises(ValueError):
            ex.map(fx.identity, range(3), chunksize=0)


@pytest.mark.claim("futures.map-chunksize")
def test_a_failure_in_a_chunk_loses_its_chunk_mates_results(ctx):
    """With chunksize=5 and item 3 failing, the iterator raises before yielding item
    0: the chunk's good results are lost with it."""
    with support.executor(ctx, 1) as ex:
        results = ex.map(fx.fail_on, range(10), [3] * 10, chunksize=5, timeout=DEADLINE)
        with pytest.raises(ValueError, match="item 3 failed"):
            next(results)


# --- shutdown --------------------------------------------------------------------------------


@pytest.mark.claim("futures.after-shutdown-rejects")
def test_after_shutdown_submit_and_map_raise_runtime_error(ctx):
    """After shutdown(), submit() and map() raise RuntimeError; a second shutdown()
    simply returns."""
    with support.executor(ctx, 1) as ex:
        assert ex.submit(fx.identity, 1).result(DEADLINE) == 1
        support.call_within(ex.shutdown)
        with pytest.raises(RuntimeError, match="after shutdown"):
            ex.submit(fx.identity, 2)
        with pytest.raises(RuntimeError, match="after shutdown"):
            ex.map(fx.identity, [3])
        support.call_within(ex.shutdown)


@pytest.mark.claim("futures.shutdown-wait-reaps-workers")
def test_shutdown_waits_for_the_calls_and_the_workers_are_gone(ctx):
    """After shutdown(wait=True) every future is done and none of the workers is
    alive."""
    with support.executor(ctx, 2) as ex:
        futures = [ex.submit(fx.nap_then, 0.3, i) for i in range(3)]
        workers = list(ex._processes)
        support.call_within(ex.shutdown)
        assert all(f.done() for f in futures)
        assert workers and all(gone(pid) for pid in workers)


@pytest.mark.claim("futures.exit-waits-for-pending")
@pytest.mark.parametrize("how", ["shutdown-nowait", "no-shutdown"])
def test_the_program_exits_only_after_its_pending_calls_ran(start_method, tmp_path, how, verdict):
    """A program that submits three 0.5 s calls to one worker and then calls
    shutdown(wait=False) (which returns at once), or never shuts down, exits 0 only
    after all three ran (their markers exist); its worker is gone.  On 3.8, after
    shutdown(wait=False), it does not: the program hangs at exit (fork; shown with a
    15 s deadline), whether or not the calls already handed to the worker ran, or
    exits without running them all (bpo-39104)."""
    if verdict == "does-not-hold" and how == "shutdown-nowait":
        try:
            support.run_script("futures_exit_pending.py", start_method, how, tmp_path, timeout=15)
            hung = False
        except support.ChildHung:
            isolation.remove_pymp_dirs_of_the_killed("the program hung at exit, killed with its worker")
            hung = True
        ran = len([p for p in tmp_path.iterdir() if p.name.isdigit()])
        assert hung or ran < 3, f"the program exited after all {ran} calls ran"
        return
    done = support.run_script("futures_exit_pending.py", start_method, how, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    if how == "shutdown-nowait":
        assert float(lines["shutdown"]) < 1.5 * SLACK  # far below the 1.5 s of work
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1", "2"]
    assert all(support.wait_until(lambda p=int(p): gone(p)) for p in lines["workers"].split())


@pytest.mark.claim("futures.cancel-futures-on-shutdown")
def test_shutdown_with_cancel_futures_cancels_the_waiting_calls(ctx, tmp_path, verdict):
    """shutdown(wait=True, cancel_futures=True) while one call runs: the running call
    succeeds, at least 6 of the 8 waiting ones are cancelled and leave no marker (the
    up to 2 already in the call queue run), and shutdown returns once the running
    call is done.  loky's shutdown() has no cancel_futures (TypeError)."""
    started, release = tmp_path / "started", tmp_path / "release"
    markers = files(tmp_path, range(8))
    with support.executor(ctx, 1) as ex:
        blocker = ex.submit(fx.hold, str(started), str(release), "ran")
        assert support.wait_until(started.exists)
        waiting = [ex.submit(fx.touch, str(m)) for m in markers]
        if verdict == "does-not-hold":
            with pytest.raises(TypeError):
                ex.shutdown(wait=False, cancel_futures=True)
            release.touch()
            return
        thread, result = support.in_thread(lambda: ex.shutdown(wait=True, cancel_futures=True))
        assert support.wait_until(lambda: sum(f.cancelled() for f in waiting) >= 6)
        release.touch()
        thread.join(DEADLINE)
        assert not thread.is_alive() and "error" not in result
        assert blocker.result(0) == "ran"
        for future, marker in zip(waiting, markers):
            assert future.done()
            assert marker.exists() == (not future.cancelled())


@pytest.mark.claim("futures.context-manager-waits")
def test_leaving_a_with_block_waits_for_the_calls_even_when_it_raises(ctx, tmp_path):
    """A KeyError raised inside the with-block propagates only after the three 0.3 s
    calls submitted in it have all run (their markers exist)."""
    markers = files(tmp_path, range(3))
    with support.executor(ctx, 1) as outer:
        start = time.monotonic()
        with pytest.raises(KeyError):
            with outer as ex:
                for i, marker in enumerate(markers):
                    ex.submit(fx.nap_then, 0.3, i, str(marker))
                raise KeyError("inside the block")
        assert all(m.exists() for m in markers)
        assert time.monotonic() - start >= 0.9 * SLACK


# --- pickling -------------------------------------------------------------------------------


def nested_call():
    return 1


@pytest.mark.claim("futures.pickle-per-future")
@pytest.mark.parametrize("case", ["lambda", "lock-argument", "lambda-result"])
def test_an_unpicklable_call_argument_or_result_fails_only_its_future(ctx, case, verdict):
    """A lambda as the function, a lock as an argument, or a lambda as the result fails
    that Future with a pickling error, even under fork; the pool then runs the next
    call.  loky (cloudpickle) runs the lambda and returns the lambda; the lock still
    fails."""
    calls = {
        "lambda": (lambda: 1,),
        "lock-argument": (fx.size_of, threading.Lock()),
        "lambda-result": (fx.make_lambda,),
    }
    with support.executor(ctx, 1) as ex:
        future = ex.submit(*calls[case])
        if verdict == "partly" and case != "lock-argument":
            outcome = future.result(DEADLINE)
            assert outcome == 1 if case == "lambda" else callable(outcome)
        else:
            with pytest.raises(PICKLING_ERRORS):
                future.result(DEADLINE)
        assert ex.submit(fx.worker_pid).result(DEADLINE) != os.getpid()


@pytest.mark.claim("futures.result-unpickle-failure-breaks-pool")
def test_an_exception_that_cannot_be_rebuilt_breaks_the_whole_pool(ctx, tmp_path):
    """A call raising an exception whose class cannot be rebuilt from its args fails
    with BrokenProcessPool (its cause: the TypeError of unpickling), and so do a call
    running beside it and the next submit()."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 2) as ex:
        beside = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        with pytest.raises(BrokenProcessPool) as excinfo:
            ex.submit(fx.raise_two_part).result(DEADLINE)
        with pytest.raises(BrokenProcessPool):
            beside.result(DEADLINE)
        with pytest.raises(BrokenProcessPool):
            ex.submit(fx.worker_pid).result(DEADLINE)
        release.touch()
    assert "TypeError" in str(excinfo.value.__cause__) + str(excinfo.value)


@pytest.mark.claim("futures.interactive-main")
def test_a_function_of_a_c_program_reaches_only_fork_workers(start_method, verdict):
    """A `python -c` program that submits a function it defined: fork workers run it
    (prints 4); spawn and forkserver workers cannot find it in __main__ ("Can't get
    attribute"), and the pool breaks.  loky sends the function by value."""
    done = support.run_script("futures_interactive.py", start_method, timeout=60)
    works = start_method == "fork" or verdict == "does-not-hold"
    if works:
        assert "result 4" in done.stdout, done.stdout + done.stderr
    else:
        assert "BrokenProcessPool" in done.stdout, done.stdout + done.stderr
        # 3.14 words the unpickling error differently
        assert "Can't get attribute 'double'" in done.stdout or "has no attribute 'double'" in done.stdout


@pytest.mark.claim("futures.main-guard")
def test_an_unguarded_script_works_only_under_fork(start_method):
    """A script that builds its executor at module level, without the main guard:
    under fork it prints the result; under spawn (and forkserver) the workers re-run
    the script, fail to start processes during their bootstrap, and the pool breaks
    (no hang).  Where the fork server itself runs the main module (3.13.8+, 3.14.1+,
    not 3.15), the parent's submit() fails instead, with ConnectionResetError."""
    done = support.run_script("futures_unguarded.py", start_method, timeout=60)
    if start_method == "fork":
        assert done.returncode == 0 and "result 8" in done.stdout, done.stdout + done.stderr
    else:
        assert "result 8" not in done.stdout, done.stdout + done.stderr
        broken = ["TerminatedWorkerError" if loky() else "BrokenProcessPool"]
        if start_method == "forkserver":
            broken.append("ConnectionResetError")
        assert any(b in done.stderr for b in broken), done.stdout + done.stderr


@pytest.mark.claim("futures.no-executor-calls-in-task")
@pytest.mark.parametrize("what", ["executor", "future"])
def test_an_executor_or_future_cannot_be_passed_to_a_call(ctx, facts, what):
    """Passing the executor, or one of its (finished) Futures, to a call fails that
    Future with TypeError: neither can be pickled, so the call never gets to use them.
    loky raises PicklingError, caused by that TypeError; on PyPy the executor fails
    with PicklingError, but a Future pickles and the call gets a detached copy."""
    with support.executor(ctx, 1) as ex:
        other = ex.submit(fx.worker_pid)
        other.result(DEADLINE)
        try:
            future = ex.submit(fx.call_executor, ex) if what == "executor" else ex.submit(fx.ask_future, other)
            if facts.implementation == "PyPy" and what == "future":
                assert future.result(DEADLINE) is True  # a copy, done when it was sent
                return
            expected = pickle.PicklingError if loky() or facts.implementation == "PyPy" else TypeError
            with pytest.raises(expected) as excinfo:
                future.result(DEADLINE)
            if loky():  # its cause: the remote traceback of that TypeError
                assert "TypeError: cannot pickle" in str(excinfo.value.__cause__)
        finally:
            # Pickling the executor under fork reached its wake-up pipe, which started
            # multiprocessing's resource sharer (a listening socket): stop it.
            lib.module("resource_sharer").stop()
        assert ex.submit(fx.identity, "after").result(DEADLINE) == "after"


@pytest.mark.claim("futures.no-executor-calls-in-task")
def test_a_fork_worker_using_the_inherited_executor_hangs(start_method):
    """A call that submits to the module's global executor: under fork the worker
    inherits a copy with no manager thread and waits for ever (the parent's result()
    times out: shown with bounded effort); spawn and forkserver workers have no such
    global (NameError).  loky cannot even send the call: cloudpickle pickles the
    __main__ function by value with the executor it names (PicklingError)."""
    done = support.run_script("futures_global_executor.py", start_method, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    outcome = script_lines(done)["outcome"]
    if outcome == "TimeoutError":
        isolation.remove_pymp_dirs_of_the_killed("the hung worker, killed, and the program's os._exit")
    if loky():
        assert outcome == "PicklingError"
    elif start_method == "fork":
        if outcome == "returned":
            pytest.skip("hazard not shown: the inherited executor answered within 3 s")
        assert outcome == "TimeoutError"
    else:
        assert outcome == "NameError"


# --- a broken pool ----------------------------------------------------------------------------


@pytest.mark.claim("futures.broken-on-abrupt-exit")
@pytest.mark.parametrize("how", ["os._exit", "SIGKILL"])
def test_a_worker_that_dies_breaks_the_pool_for_good(ctx, tmp_path, how):
    """Two workers: one holds a call, three calls wait, and the other worker dies
    (os._exit(3) or SIGKILL): all five futures fail with BrokenProcessPool, a
    BrokenExecutor and RuntimeError; submit() raises it at once; the other worker is
    gone."""
    assert issubclass(BrokenProcessPool, cf.BrokenExecutor) and issubclass(cf.BrokenExecutor, RuntimeError)
    go, started, release = tmp_path / "go", tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 2) as ex:
        dying = ex.submit(fx.die_when, str(go), 3 if how == "os._exit" else "SIGKILL")
        holding = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        other = int(started.read_text())
        waiting = [ex.submit(fx.worker_pid) for _ in range(3)]
        go.touch()
        for future in [dying, holding] + waiting:
            with pytest.raises(BrokenProcessPool):
                future.result(DEADLINE)
        start = time.monotonic()
        with pytest.raises(BrokenProcessPool):
            ex.submit(fx.worker_pid)
        assert time.monotonic() - start < DEADLINE / 10
        assert support.wait_until(lambda: gone(other))
        release.touch()


@pytest.mark.claim("futures.broken-report-pid-exitcode")
@pytest.mark.parametrize("how, code", [("os._exit", 99), ("SIGKILL", -9)], ids=["exit-99", "sigkill"])
def test_the_broken_pool_error_names_the_dead_workers_pid_and_exit_code(ctx, facts, how, code, verdict):
    """After a worker's os._exit(99) (or SIGKILL), the BrokenProcessPool's cause reads
    'Process <pid> terminated abruptly with exit code 99' (-9) from 3.15: always under
    forkserver, not every time under fork and spawn, where the pool can be declared
    broken before the dead worker can be reaped and the message stays generic (up to
    10 tries; never a wrong pid or code).  Before 3.15
    it names neither.  loky's
    TerminatedWorkerError gives the exit code (not the pid) on every version."""
    texts = []
    for _ in range(10):
        with support.executor(ctx, 1) as ex:
            pid = ex.submit(fx.worker_pid).result(DEADLINE)
            call = (fx.die_abruptly, 99) if how == "os._exit" else (fx.kill_self,)
            with pytest.raises(BrokenProcessPool) as excinfo:
                ex.submit(*call).result(DEADLINE)
        report = f"Process {pid} terminated abruptly with exit code {code}"
        texts.append((report, str(excinfo.value) + str(excinfo.value.__cause__ or "")))
        if facts.python < (3, 15) or loky() or report in texts[-1][1]:
            break
    report, text = texts[-1]
    if loky():
        assert ("EXIT(99)" if code == 99 else "SIGKILL(-9)") in text and report.split()[1] not in text
    elif facts.python >= (3, 15):
        assert all(r in t or "exit code" not in t for r, t in texts), texts
        if report not in text and verdict == "partly":  # fork, spawn: the race
            pytest.skip(f"the race went against the report in all {len(texts)} tries (generic message)")
        assert report in text, texts
    else:
        assert report.split()[1] not in text and "exit code" not in text


# --- the initializer -----------------------------------------------------------------------


@pytest.mark.claim("futures.initializer-per-worker")
def test_the_initializer_runs_once_in_each_worker_before_its_calls(ctx, tmp_path):
    """initializer(log, 'a', 1) on two workers: every call sees what its own worker's
    initializer stored (its pid and the initargs), and the log has one line per
    worker."""
    log = tmp_path / "log"
    with support.executor(ctx, 2, initializer=fx.remember_initargs, initargs=(str(log), "a", 1)) as ex:
        seen = list(ex.map(fx.initialised, range(8), timeout=DEADLINE))
        workers = set(ex._processes)
        support.call_within(ex.shutdown)
    assert all(pid == stored_pid and args == ("a", 1) for pid, (stored_pid, args) in seen)
    lines = log.read_text().split()
    assert sorted(map(int, lines)) == sorted(workers)


@pytest.mark.claim("futures.initializer-failure-breaks")
def test_an_initializer_that_raises_breaks_the_pool(ctx, verdict):
    """An initializer raising ValueError: the call fails with BrokenProcessPool, and so
    does the next submit()."""
    with support.executor(ctx, 1, initializer=fx.failing_initializer) as ex:
        with pytest.raises(BrokenProcessPool):
            ex.submit(pow, 2, 2).result(DEADLINE)
        with pytest.raises(BrokenProcessPool):
            ex.submit(pow, 2, 2).result(DEADLINE)


@pytest.mark.claim("futures.initializer-pickling")
def test_a_lambda_initializer_works_with_fork_only(ctx, start_method):
    """A lambda initializer: with fork the call runs; with spawn and forkserver
    submit() itself raises the pickling error (it starts the worker), not
    BrokenProcessPool (loky too, given a multiprocessing context)."""
    with support.executor(ctx, 1, initializer=lambda: None) as ex:
        if start_method == "fork":
            assert ex.submit(pow, 2, 3).result(DEADLINE) == 8
        else:
            with pytest.raises(PICKLING_ERRORS) as excinfo:
                ex.submit(pow, 2, 3)
            assert not isinstance(excinfo.value, BrokenProcessPool)


# --- size and start method ---------------------------------------------------------------------


@pytest.mark.claim("futures.max-workers")
@pytest.mark.parametrize("size", [0, -1])
def test_max_workers_below_one_is_refused(ctx, size):
    """max_workers of 0 or -1 raises ValueError."""
    with pytest.raises(ValueError):
        with support.executor(ctx, size):
            pass


@pytest.mark.claim("futures.max-workers")
def test_no_more_than_max_workers_processes_run_the_calls(ctx):
    """max_workers=2: eight 0.3 s calls submitted at once run in at most 2 processes."""
    with support.executor(ctx, 2) as ex:
        pids = set(ex.map(fx.nap_then, [0.3] * 8, timeout=DEADLINE))
    assert 1 <= len(pids) <= 2 and os.getpid() not in pids


@pytest.mark.claim("futures.max-workers")
def test_the_default_size_follows_the_cpus_this_process_may_use(start_method, facts, verdict):
    """A program restricted to one CPU (sched_setaffinity) starts 1 worker by default
    from 3.13 (os.process_cpu_count()), os.cpu_count() workers before; loky honours the
    affinity on every version."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        pytest.skip("not applicable: needs sched_setaffinity and at least 2 CPUs")
    done = support.run_script("futures_cpu_count.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    follows_affinity = facts.python >= (3, 13) or verdict == "partly"
    assert int(lines["workers"]) == (1 if follows_affinity else int(lines["cpu_count"]))


@pytest.mark.claim("futures.worker-start-policy")
def test_spawn_and_forkserver_workers_start_only_when_needed(ctx, start_method, facts, verdict):
    """max_workers=4 and three calls one after another: spawn and forkserver (3.9+)
    use one worker (one child); fork starts all 4 at the first submit, and so does
    every method on 3.8 (and loky)."""
    with support.executor(ctx, 4) as ex:
        pids = {ex.submit(fx.worker_pid).result(DEADLINE) for _ in range(3)}
        children = len(lib.mp.active_children())
    everything = start_method == "fork" or facts.python < (3, 9) or verdict == "does-not-hold"
    if everything:
        assert children == 4
    else:
        assert children == 1 and len(pids) == 1


@pytest.mark.claim("futures.mp-context-start-method")
def test_workers_start_by_the_given_context(ctx, start_method, monkeypatch):
    """After the parent changes a module global, fork workers see it; spawn workers
    do not and are our children; forkserver workers are not our children."""
    monkeypatch.setattr(fx, "MARK", "changed by the parent")
    with support.executor(ctx, 1) as ex:
        mark, parent, _ = ex.submit(fx.mark_and_parent).result(DEADLINE)
    assert kind_of_worker(mark, parent) == start_method


@pytest.mark.claim("futures.mp-context-start-method")
def test_without_a_context_workers_start_by_multiprocessings_default(start_method, facts, verdict):
    """A program that sets the global start method to the tested one and passes no
    mp_context gets workers of that method; without set_start_method they start by
    the default: fork on Linux up to 3.13, forkserver from 3.14.  loky uses its own
    'loky' method (spawn-like) in both cases."""
    done = support.run_script("futures_default_context.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    default = "forkserver" if facts.python >= (3, 14) else "fork"
    if verdict == "does-not-hold":
        assert lines["set"] == "spawn" and lines["default"] == "spawn"
    else:
        assert lines["set"] == start_method
        if sys.platform == "linux":
            assert lines["default"] == default


# --- max_tasks_per_child ---------------------------------------------------------------------------


@pytest.mark.claim("futures.max-tasks-per-child-replaces")
def test_a_worker_is_replaced_after_max_tasks_per_child_calls(ctx, start_method, verdict):
    """One worker with max_tasks_per_child=2: four calls in turn run in [a, a, b, b]
    and a is gone; 0 raises ValueError and '2' TypeError.  A fork context is refused
    (ValueError); loky has no such parameter (TypeError)."""
    refused = {"does-not-hold": TypeError, "partly": ValueError}.get(verdict)
    if refused:
        with pytest.raises(refused):
            with support.executor(ctx, 1, max_tasks_per_child=2):
                pass
        return
    with support.executor(ctx, 1, max_tasks_per_child=2) as ex:
        pids = [ex.submit(fx.worker_pid).result(DEADLINE) for _ in range(4)]
    a, b = pids[0], pids[2]
    assert pids == [a, a, b, b] and a != b
    assert support.wait_until(lambda: gone(a))
    for bad, error in ((0, ValueError), ("2", TypeError)):
        with pytest.raises(error):
            with support.executor(ctx, 1, max_tasks_per_child=bad):
                pass


@pytest.mark.claim("futures.max-tasks-needs-non-fork")
def test_max_tasks_per_child_refuses_fork_and_spawns_by_default(start_method, verdict):
    """A fork context with max_tasks_per_child is refused with ValueError; with no
    mp_context the worker is spawned (our child, with a fresh module) even after
    set_start_method() chose the tested method."""
    if verdict == "does-not-hold":
        with pytest.raises(TypeError):
            with support.executor(support.get_context(start_method), 1, max_tasks_per_child=1):
                pass
        return
    if start_method == "fork":
        with pytest.raises(ValueError):
            with support.executor(support.get_context("fork"), 1, max_tasks_per_child=1):
                pass
    done = support.run_script("futures_default_context.py", start_method, "max_tasks_per_child")
    assert done.returncode == 0, done.stderr
    assert script_lines(done)["set"] == "spawn"


@pytest.mark.claim("futures.max-tasks-backlog-hang")
def test_a_backlog_with_max_tasks_per_child_runs_to_the_end(start_method, verdict):
    """ProcessPoolExecutor(1, max_tasks_per_child=2) with 10 calls submitted at once:
    where the claim holds all 10 complete; where it does not, the pool stops
    scheduling once a worker retires and the rest stay pending (gh-115634, shown in a
    sacrificial program that gives up once no call has completed for 5 s)."""
    done = support.run_script("futures_backlog.py", start_method, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    completed = int(script_lines(done)["completed"])
    if completed < 10:
        isolation.remove_pymp_dirs_of_the_killed("the stalled program's workers, killed, and the program's os._exit")
    if verdict == "holds":
        assert completed == 10
    elif completed == 10:
        pytest.skip("hazard not shown: all 10 calls completed, the pool never stalled for 5 s")
    else:
        assert completed < 10


# --- 3.12: fork and threads ----------------------------------------------------------------------


@pytest.mark.claim("futures.fork-threads-deprecationwarning")
def test_forking_workers_beside_another_executors_thread_warns_from_312(start_method, facts):
    """A second fork executor started while the first one's manager thread runs warns
    with DeprecationWarning on 3.12+ (CPython); none before, and none with spawn or
    forkserver."""
    done = support.run_script("futures_fork_warning.py", start_method)
    assert done.returncode == 0, done.stderr
    warned = int(script_lines(done)["warnings"])
    expected = start_method == "fork" and facts.python >= (3, 12) and facts.implementation == "CPython"
    assert (warned > 0) == expected, done.stdout


# --- 3.14: terminate_workers and kill_workers ------------------------------------------------------


@pytest.mark.claim("futures.terminate-kill-workers")
@pytest.mark.parametrize("how", ["terminate_workers", "kill_workers"])
def test_terminate_or_kill_workers_stops_everything_at_once(ctx, tmp_path, how, verdict):
    """While one worker runs a call and five wait: terminate_workers() sends SIGTERM
    (the call's handler leaves a marker), kill_workers() SIGKILL (no marker); the
    worker is gone, every future ends (the running one BrokenProcessPool, the last
    waiting one cancelled), submit() raises RuntimeError and shutdown() returns; on a
    fresh or broken executor both are harmless.  loky has neither method."""
    started, marker = tmp_path / "started", tmp_path / "terminated"
    with support.executor(ctx, 1) as ex:
        running = ex.submit(fx.terminated_marker, str(started), str(marker))
        assert support.wait_until(started.exists)
        pid = int(started.read_text())
        waiting = [ex.submit(fx.worker_pid) for _ in range(5)]
        if verdict == "does-not-hold":
            assert not hasattr(ex, how)
            ex.shutdown(wait=False, kill_workers=True)
            assert support.wait_until(lambda: gone(pid))
            return
        getattr(ex, how)()
        assert support.wait_until(lambda: gone(pid))
        assert marker.exists() == (how == "terminate_workers")
        assert support.wait_until(lambda: all(f.done() for f in [running] + waiting))
        assert isinstance(running.exception(0), BrokenProcessPool)
        assert waiting[-1].cancelled()
        # ...but nobody tells wait() about the futures cancelled on the way out.
        start = time.monotonic()
        assert waiting[-1] in cf.wait([waiting[-1]], timeout=WAIT).not_done
        assert time.monotonic() - start >= WAIT * SLACK
        with pytest.raises(RuntimeError):
            ex.submit(fx.worker_pid)
        support.call_within(ex.shutdown)
        getattr(ex, how)()
    with support.executor(ctx, 1) as fresh:
        getattr(fresh, how)()


# --- wait and as_completed ----------------------------------------------------------------------------


@pytest.mark.claim("futures.wait-return-when")
def test_wait_returns_at_the_first_completion_or_failure_or_timeout(ctx, tmp_path):
    """wait() returns a (done, not_done) pair: FIRST_COMPLETED once the fast call is
    done (a thread pool's future mixed in), FIRST_EXCEPTION at the first failure, and
    with a timeout the split so far without raising; a future given twice counts
    once."""
    started, release = tmp_path / "started", tmp_path / "release"
    long = 2 * DEADLINE  # what the two waits are given: waiting for the held call takes all of it
    with support.executor(ctx, 3) as ex, cf.ThreadPoolExecutor(1) as threads:
        slow = ex.submit(fx.hold, str(started), str(release))
        fast = ex.submit(fx.nap_then, 0.1, "fast")
        in_thread = threads.submit(pow, 2, 2)
        start = time.monotonic()
        result = cf.wait([slow, fast, in_thread], timeout=long, return_when=cf.FIRST_COMPLETED)
        assert (fast in result.done or in_thread in result.done) and slow in result.not_done
        failing = ex.submit(fx.nap_or_fail, 0.1, "bad", "bad")
        done, not_done = cf.wait([slow, failing], timeout=long, return_when=cf.FIRST_EXCEPTION)
        assert done == {failing} and not_done == {slow}
        # Neither waited for the held call: far below its timeout, though the workers'
        # start-up (spawn, on a busy machine) is inside this time.
        assert time.monotonic() - start < long / 4
        start = time.monotonic()
        fast.result(DEADLINE)
        done, not_done = cf.wait([slow, slow, fast], timeout=WAIT)
        assert time.monotonic() - start >= WAIT * SLACK
        assert not_done == {slow} and done == {fast}
        release.touch()
        result = cf.wait([slow, fast, fast], timeout=DEADLINE, return_when=cf.FIRST_EXCEPTION)
        assert result.done == {slow, fast} and not result.not_done


@pytest.mark.claim("futures.as-completed")
def test_as_completed_yields_finished_ones_first_then_in_completion_order(ctx, tmp_path):
    """as_completed([slow, fast, finished, fast]) yields the finished one, then the
    fast one, then (once released) the slow one, each once; with timeout=0.2 over an
    unfinished call it raises TimeoutError ('1 (of 1) futures unfinished')."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 2) as ex:
        finished = ex.submit(fx.identity, "finished")
        finished.result(DEADLINE)
        slow = ex.submit(fx.hold, str(started), str(release), "slow")
        assert support.wait_until(started.exists)
        start = time.monotonic()
        with pytest.raises(cf.TimeoutError, match=r"1 \(of 1\) futures unfinished"):
            next(cf.as_completed([slow], timeout=WAIT))
        assert time.monotonic() - start >= WAIT * SLACK
        fast = ex.submit(fx.nap_then, 0.1, "fast")
        order = cf.as_completed([slow, fast, finished, fast], timeout=DEADLINE)
        assert next(order) is finished
        assert next(order) is fast
        release.touch()
        assert next(order) is slow
        with pytest.raises(StopIteration):
            next(order)


# --- Ctrl-C ---------------------------------------------------------------------------------------


@pytest.mark.claim("futures.ctrl-c-waits-for-backlog")
@pytest.mark.parametrize("how", ["plain", "cancel"])
def test_after_ctrl_c_the_with_block_still_runs_the_backlog(start_method, tmp_path, how, verdict):
    """SIGINT to a program (not its worker) during the first of 6 half-second calls in
    a with-block: it ends with KeyboardInterrupt only after the whole backlog ran (all
    6 markers; >= 2.5 s after the interrupt).  Catching it and calling
    shutdown(cancel_futures=True) first ends it after the running call and the up to
    2 already queued (3.9+)."""
    done = support.run_script("futures_ctrl_c.py", start_method, how, tmp_path, timeout=60)
    lines = script_lines(done)
    assert "KeyboardInterrupt" in lines, done.stdout + done.stderr
    ran = len([p for p in tmp_path.iterdir() if p.name.isdigit()])
    if how == "plain":
        assert ran == 6 and float(lines["KeyboardInterrupt"]) >= 2.5 * SLACK, done.stdout
    else:
        assert ran <= 4, done.stdout

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

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of the part of a claim that holds where the claim only
partly holds (or not at all) pin that part and observe nothing.  A hazard that does
not show within its bounded effort is "not shown" (observed.not_shown), never a pass.
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
def test_a_submitted_call_runs_in_a_worker_and_result_returns_its_value(ctx, observed):
    """submit(fn, *args, **kwargs) runs fn in another process (its pid is not ours)
    with positional and keyword-only arguments, and result() returns fn's value.
    (PyPy 3.9 here cannot start a spawn or forkserver worker: AttributeError.)"""
    with support.executor(ctx, 1) as ex:
        try:
            future = ex.submit(fx.worker_pid)
        except AttributeError as error:
            assert "_adjust_process_count" in str(error)
            observed("does-not-hold", because=f"submit() could not start a worker: {error!r}")
            return
        pid = future.result(DEADLINE)
        value = ex.submit(fx.scaled_sum, 3, 4, scale=2).result(DEADLINE)
    observed(
        "holds" if pid != os.getpid() and value == 14 else "does-not-hold",
        because=f"a submitted call ran in pid {pid} (ours: {os.getpid()}); scaled_sum(3, 4, scale=2) gave {value}",
    )


@pytest.mark.claim("futures.future-lifecycle-flags")
def test_an_executing_call_is_running_and_a_returned_one_is_done(ctx, tmp_path, observed):
    """While the worker holds the call (its start marker exists) the Future is
    running() and not done(); after the result it is done(), neither running() nor
    cancelled()."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 1) as ex:
        future = ex.submit(fx.hold, str(started), str(release), "value")
        assert support.wait_until(started.exists)
        executing = future.running(), future.done()
        release.touch()
        assert future.result(DEADLINE) == "value"
        returned = future.done(), future.running(), future.cancelled()
    observed(
        "holds" if executing == (True, False) and returned == (True, False, False) else "does-not-hold",
        because=f"(running, done) while the worker held the call: {executing}; (done, running, cancelled) after "
        f"its result: {returned}",
    )


@pytest.mark.claim("futures.cancel-only-before-start")
def test_only_a_call_that_has_not_started_can_be_cancelled(ctx, tmp_path, observed):
    """One worker held by a call; of six calls waiting behind it, the last is
    cancelled (True), never runs (no marker) and its result() raises CancelledError;
    cancel() of the running call, and of a finished one, returns False."""
    started, release = tmp_path / "started", tmp_path / "release"
    markers = files(tmp_path, range(6))
    with support.executor(ctx, 1) as ex:
        blocker = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        waiting = [ex.submit(fx.touch, str(m)) for m in markers]
        cancels = [waiting[-1].cancel(), blocker.cancel()]
        release.touch()
        cf.wait(waiting[:-1] + [blocker], timeout=DEADLINE)
        assert all(f.done() and not f.cancelled() for f in waiting[:-1] + [blocker])
        assert waiting[-1].cancelled()
        with pytest.raises(cf.CancelledError):
            waiting[-1].result(DEADLINE)
        cancels.append(blocker.cancel())
        assert not blocker.cancelled()
    ran = [m.exists() for m in markers]
    observed(
        "holds" if cancels == [True, False, False] and ran == [True] * 5 + [False] else "does-not-hold",
        because=f"cancel() of the last waiting call, of the running one, of the finished one: {cancels}; "
        f"the calls that ran: {ran}",
    )


@pytest.mark.claim("futures.queued-calls-report-running")
def test_calls_handed_to_the_call_queue_report_running_before_any_worker_has_them(ctx, tmp_path, observed):
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
        reported = support.wait_until(lambda: all(f.running() for f in behind[:queued]))
        unstarted = not any(m.exists() for m in markers)
        cancels = [f.cancel() for f in behind]
        assert not behind[-1].running()
        release.touch()
        assert all(f.result(DEADLINE) for f in [blocker] + [f for f in behind[:queued] if not f.cancelled()])
    observed(
        "does-not-hold" if reported and unstarted and False in cancels else "holds",
        because=f"with the one worker busy, the {queued} calls behind it reported running(): {reported}, none "
        f"started: {unstarted}; cancel() of each call behind: {cancels}",
    )


@pytest.mark.claim("futures.result-timeout")
def test_result_and_exception_time_out_and_the_call_goes_on(ctx, tmp_path, observed):
    """result(timeout) and exception(timeout) on an unfinished call raise
    TimeoutError after the timeout (the built-in class from 3.11); the call carries
    on, result() then gives its value and exception() None."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 1) as ex:
        future = ex.submit(fx.hold, str(started), str(release), "late")
        timed_out = []
        for wait in (future.result, future.exception):
            start = time.monotonic()
            try:
                wait(WAIT)
                error = None
            except cf.TimeoutError as caught:
                error = caught
            timed_out.append(error is not None and time.monotonic() - start >= WAIT * SLACK)
        if error is not None:
            assert isinstance(error, builtins.TimeoutError) == (sys.version_info >= (3, 11))
        release.touch()
        after = future.result(DEADLINE), future.exception(DEADLINE)
    observed(
        "holds" if timed_out == [True, True] and after == ("late", None) else "does-not-hold",
        because=f"result({WAIT}) and exception({WAIT}) on an unfinished call raised TimeoutError after the "
        f"timeout: {timed_out}; once released, (result(), exception()): {after}",
    )


@pytest.mark.claim("futures.callback-threads")
def test_done_callbacks_run_in_the_parent_in_order_and_a_failing_one_is_logged(ctx, tmp_path, caplog, observed):
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
    got = [(name, pid, main, f is future) for name, pid, main, f in seen]
    logged = any("exception calling callback" in r.getMessage() for r in caplog.records)
    observed(
        "holds"
        if got == [("first", os.getpid(), False, True), ("second", os.getpid(), False, True)] and late == [True] and logged
        else "does-not-hold",
        because=f"(callback, pid, main thread, given the Future) as they ran: {got} (our pid {os.getpid()}); the "
        f"failing one logged: {logged}; one added after done() ran in the main thread: {late}",
    )


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
def test_a_falsy_exception_is_raised_too_where_the_claim_holds(ctx, observed):
    """A call that raises an exception whose __bool__ is False: where the claim holds
    exception() returns it and result() raises it; where it does not, the failure
    disappears: the call counts as having returned None (gh-132063, before 3.13.4 and
    on PyPy)."""
    with support.executor(ctx, 1) as ex:
        falsy = ex.submit(fx.raise_falsy)
        exception = falsy.exception(DEADLINE)
        try:
            result = falsy.result(DEADLINE)
        except fx.FalsyError as error:
            result = error
    kept, raised = isinstance(exception, fx.FalsyError), isinstance(result, fx.FalsyError)
    # loky: exception() has it, the stdlib Future's result() not
    observed(
        "holds" if kept and raised else "partly" if kept and result is None else "does-not-hold",
        because=f"a call raising a falsy exception: exception() gave {exception!r}, result() "
        + ("raised it" if raised else f"returned {result!r}"),
    )


@pytest.mark.claim("futures.baseexception-from-task")
@pytest.mark.parametrize("call, expected", [(fx.leave, SystemExit), (fx.interrupt_self, KeyboardInterrupt)],
                         ids=["SystemExit", "KeyboardInterrupt"])
def test_systemexit_or_keyboardinterrupt_in_a_call_is_its_outcome(ctx, call, expected, observed):
    """A call that raises SystemExit(3) or KeyboardInterrupt fails with it in the
    parent, and the same worker (same pid) runs the next call."""
    with support.executor(ctx, 1) as ex:
        pid = ex.submit(fx.worker_pid).result(DEADLINE)
        args = (3,) if call is fx.leave else ()
        try:
            outcome = ex.submit(call, *args).result(DEADLINE)
        except expected as error:
            outcome = error
        next_pid = ex.submit(fx.worker_pid).result(DEADLINE)
    if expected is SystemExit and isinstance(outcome, SystemExit):
        assert outcome.code == 3
    observed(
        "holds" if isinstance(outcome, expected) and next_pid == pid else "does-not-hold",
        because=f"the call's outcome in the parent: {outcome!r}; the next call ran in pid {next_pid} (before: {pid})",
    )


@pytest.mark.claim("futures.unretrieved-failure-silent")
def test_a_failure_nobody_asks_for_is_never_reported(start_method, observed):
    """A program whose call raises ZeroDivisionError, and never looks at its Future,
    exits 0 with nothing about the error on stderr (the hazard: lost errors)."""
    done = support.run_script("futures_unretrieved.py", start_method)
    assert done.returncode == 0, done.stderr
    assert "done" in done.stdout
    reported = "ZeroDivisionError" in done.stderr + done.stdout
    observed(
        "holds" if not reported else "does-not-hold",
        because=f"the program whose call raised ZeroDivisionError exited {done.returncode} "
        + ("and the error was printed" if reported else "with nothing about the error"),
    )


# --- map ----------------------------------------------------------------------------------


@pytest.mark.claim("futures.map-order-and-errors")
def test_map_yields_results_in_input_order_whatever_finishes_first(ctx, observed):
    """Four calls that finish last first (0.6, 0.4, 0.2, 0 s) on four workers come
    out of map() in input order."""
    with support.executor(ctx, 4) as ex:
        naps = [0.6, 0.4, 0.2, 0.0]
        got = list(ex.map(fx.nap_then, naps, range(4), timeout=DEADLINE))
    observed(
        "holds" if got == [0, 1, 2, 3] else "does-not-hold",
        because=f"calls napping {naps} s came out of map() as {got}",
    )


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
def test_map_takes_the_whole_input_before_it_returns(ctx, observed):
    """Right after map() returns, before any result is asked for, every one of 100
    input items has been taken from the generator."""
    taken = []
    with support.executor(ctx, 2) as ex:
        results = ex.map(fx.identity, fx.pulled(taken, 100))
        taken_before = len(taken)
        assert list(results) == list(range(100))
    observed(
        "holds" if taken_before == 100 else "does-not-hold",
        because=f"right after map() returned it had taken {taken_before} of 100 input items",
    )


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
def test_map_with_buffersize_takes_only_that_many_chunks_ahead(ctx, chunksize, observed):
    """map(buffersize=4) takes 4 x chunksize items up front (a chunk is one task),
    and each result consumed lets it take at most one chunk more; over an endless
    input it returns at once."""
    taken = []
    with support.executor(ctx, 2) as ex:
        results = ex.map(fx.identity, fx.pulled(taken, 1000), chunksize=chunksize, buffersize=4)
        up_front = len(taken)
        assert next(results) == 0
        after_one = len(taken)
        results.close()
        observed(
            "holds" if up_front == 4 * chunksize and after_one <= 5 * chunksize else "does-not-hold",
            because=f"map(buffersize=4, chunksize={chunksize}) took {up_front} items up front and {after_one} "
            "after the first result",
        )
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
def test_maps_timeout_counts_from_the_call_to_map(ctx, observed):
    """Three 1 s calls on one (warm) worker with timeout=1.6: the first result comes,
    the second raises TimeoutError, although it would arrive within 1.6 s of the
    first: the timeout runs from the call to map(), not per item."""
    with support.executor(ctx, 1) as ex:
        ex.submit(fx.worker_pid).result(DEADLINE)
        start = time.monotonic()
        results = ex.map(fx.nap_then, [1.0] * 3, range(3), timeout=1.6)
        first = next(results)
        try:
            second = next(results)
        except cf.TimeoutError as error:
            second = error
        waited = time.monotonic() - start
    observed(
        "holds" if first == 0 and isinstance(second, cf.TimeoutError) and waited >= 1.6 * SLACK else "does-not-hold",
        because=f"three 1 s calls with timeout=1.6: the first result {first!r}, then {second!r} at {waited:.2f} s "
        "from the call to map()",
    )


@pytest.mark.claim("futures.map-chunksize")
def test_a_chunk_runs_in_one_worker_with_the_same_results(ctx, observed):
    """map(chunksize=5) over 10 items: items 0-4 share one worker pid, 5-9 one pid;
    the values equal chunksize=1's; chunksize=0 raises ValueError."""
    with support.executor(ctx, 2) as ex:
        pids = list(ex.map(fx.worker_pid, range(10), chunksize=5, timeout=DEADLINE))
        one_worker_per_chunk = len(set(pids[:5])) == 1 and len(set(pids[5:])) == 1
        chunked = list(ex.map(fx.fail_on, range(10), [-1] * 10, chunksize=5))
        same = chunked == list(ex.map(fx.fail_on, range(10), [-1] * 10, chunksize=1))
        with pytest.raises(ValueError):
            ex.map(fx.identity, range(3), chunksize=0)
    observed(
        "holds" if one_worker_per_chunk and same else "does-not-hold",
        because=f"chunksize=5 over 10 items ran in pids {pids}; its results equal chunksize=1's: {same}",
    )


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
def test_after_shutdown_submit_and_map_raise_runtime_error(ctx, observed):
    """After shutdown(), submit() and map() raise RuntimeError; a second shutdown()
    simply returns."""
    with support.executor(ctx, 1) as ex:
        assert ex.submit(fx.identity, 1).result(DEADLINE) == 1
        support.call_within(ex.shutdown)
        refusals = []
        for call in (lambda: ex.submit(fx.identity, 2), lambda: ex.map(fx.identity, [3])):
            try:
                call()
                refusals.append(None)
            except RuntimeError as error:
                refusals.append(error)
        support.call_within(ex.shutdown)
    observed(
        "holds" if all(isinstance(r, RuntimeError) and "after shutdown" in str(r) for r in refusals) else "does-not-hold",
        because=f"submit() and map() after shutdown(): {refusals!r}; a second shutdown() returned",
    )


@pytest.mark.claim("futures.shutdown-wait-reaps-workers")
def test_shutdown_waits_for_the_calls_and_the_workers_are_gone(ctx, observed):
    """After shutdown(wait=True) every future is done and none of the workers is
    alive."""
    with support.executor(ctx, 2) as ex:
        futures = [ex.submit(fx.nap_then, 0.3, i) for i in range(3)]
        workers = list(ex._processes)
        support.call_within(ex.shutdown)
        done = [f.done() for f in futures]
        assert workers
        alive = [pid for pid in workers if not support.gone(pid)]
    observed(
        "holds" if all(done) and not alive else "does-not-hold",
        because=f"after shutdown(wait=True) the futures done: {done}; workers still alive: {alive or 'none'}",
    )


@pytest.mark.claim("futures.exit-waits-for-pending")
@pytest.mark.parametrize("how", ["shutdown-nowait", "no-shutdown"])
def test_the_program_exits_only_after_its_pending_calls_ran(start_method, tmp_path, how, observed):
    """A program that submits three 0.5 s calls to one worker and then calls
    shutdown(wait=False) (which returns at once), or never shuts down, exits 0 only
    after all three ran (their markers exist); its worker is gone.  On 3.8, after
    shutdown(wait=False), it does not: the program hangs at exit (fork; shown with a
    15 s deadline), whether or not the calls already handed to the worker ran, or
    exits without running them all (bpo-39104)."""
    try:
        done = support.run_script("futures_exit_pending.py", start_method, how, tmp_path, timeout=15)
    except support.ChildHung:
        done = None
        isolation.remove_pymp_dirs_of_the_killed("the program hung at exit, killed with its worker")
    ran = sorted(p.name for p in tmp_path.iterdir() if p.name.isdigit())
    if done is None or ran != ["0", "1", "2"]:
        observed("does-not-hold", because=f"the program {'hung at exit' if done is None else 'exited'} after "
                 f"{len(ran)} of its 3 pending calls ran")
        return
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    if how == "shutdown-nowait":
        assert float(lines["shutdown"]) < 1.5 * SLACK  # far below the 1.5 s of work
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1", "2"]
    assert all(support.wait_gone(int(p)) for p in lines["workers"].split())
    if how == "shutdown-nowait":  # the case that carries 3.8's caveat: it alone declares the verdict
        observed("holds", because=f"({how}) the program exited 0 after all 3 pending calls ran; its worker is gone")


@pytest.mark.claim("futures.cancel-futures-on-shutdown")
def test_shutdown_with_cancel_futures_cancels_the_waiting_calls(ctx, tmp_path, observed):
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
        thread, result = support.in_thread(lambda: ex.shutdown(wait=True, cancel_futures=True))
        assert support.wait_until(lambda: sum(f.cancelled() for f in waiting) >= 6 or not thread.is_alive())
        if isinstance(result.get("error"), TypeError):  # loky: no such parameter
            release.touch()
            observed("does-not-hold", because=f"shutdown(cancel_futures=True) raised {result['error']!r}")
            return
        release.touch()
        thread.join(DEADLINE)
        assert not thread.is_alive() and "error" not in result
        assert blocker.result(0) == "ran"
        cancelled = [f.cancelled() for f in waiting]
        consistent = all(f.done() and m.exists() == (not f.cancelled()) for f, m in zip(waiting, markers))
    observed(
        "holds" if sum(cancelled) >= 6 and consistent else "does-not-hold",
        because=f"shutdown(cancel_futures=True) with one call running cancelled {sum(cancelled)} of 8 waiting ones "
        f"(the running one returned 'ran'); the cancelled ones left no marker, the others ran: {consistent}",
    )


@pytest.mark.claim("futures.context-manager-waits")
def test_leaving_a_with_block_waits_for_the_calls_even_when_it_raises(ctx, tmp_path, observed):
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
        ran = [m.exists() for m in markers]
        waited = time.monotonic() - start
    observed(
        "holds" if all(ran) and waited >= 0.9 * SLACK else "does-not-hold",
        because=f"the KeyError left the with block after {waited:.2f} s, the three 0.3 s calls having run: {ran}",
    )


# --- pickling -------------------------------------------------------------------------------


def nested_call():
    return 1


@pytest.mark.claim("futures.pickle-per-future")
@pytest.mark.parametrize("case", ["lambda", "lock-argument", "lambda-result"])
def test_an_unpicklable_call_argument_or_result_fails_only_its_future(ctx, case, observed):
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
        try:
            outcome = future.result(DEADLINE)
        except PICKLING_ERRORS as error:
            outcome = error
        failed = isinstance(outcome, PICKLING_ERRORS)
        if not failed and case != "lock-argument":  # loky's cloudpickle: the lambda runs, or comes back
            assert outcome == 1 if case == "lambda" else callable(outcome)
        assert ex.submit(fx.worker_pid).result(DEADLINE) != os.getpid()
    seen = f"{case}: the Future {'failed with ' + repr(outcome) if failed else 'succeeded'}; the next call ran"
    if case != "lock-argument":
        observed("holds" if failed else "partly", because=seen)
    elif not failed:  # a lock fails everywhere: that part observes only a failure
        observed("does-not-hold", because=seen)


@pytest.mark.claim("futures.result-unpickle-failure-breaks-pool")
def test_an_exception_that_cannot_be_rebuilt_breaks_the_whole_pool(ctx, tmp_path, observed):
    """A call raising an exception whose class cannot be rebuilt from its args fails
    with BrokenProcessPool (its cause: the TypeError of unpickling), and so do a call
    running beside it and the next submit()."""
    started, release = tmp_path / "started", tmp_path / "release"
    with support.executor(ctx, 2) as ex:
        beside = ex.submit(fx.hold, str(started), str(release))
        assert support.wait_until(started.exists)
        outcomes = []
        for get in (lambda: ex.submit(fx.raise_two_part).result(DEADLINE), lambda: beside.result(DEADLINE),
                    lambda: ex.submit(fx.worker_pid).result(DEADLINE)):
            try:
                outcomes.append(get())
            except Exception as error:
                outcomes.append(error)
        release.touch()
    broken = [isinstance(o, BrokenProcessPool) for o in outcomes]
    first = outcomes[0]
    assert not broken[0] or "TypeError" in str(first.__cause__) + str(first)
    observed(
        "holds" if all(broken) else "does-not-hold",
        because="the call whose exception cannot be rebuilt, the call beside it, the next submit(): "
        + ", ".join(type(o).__name__ for o in outcomes),
    )


@pytest.mark.claim("futures.interactive-main")
def test_a_function_of_a_c_program_reaches_only_fork_workers(start_method, observed):
    """A `python -c` program that submits a function it defined: fork workers run it
    (prints 4); spawn and forkserver workers cannot find it in __main__ ("Can't get
    attribute"), and the pool breaks.  loky sends the function by value."""
    done = support.run_script("futures_interactive.py", start_method, timeout=60)
    works = "result 4" in done.stdout
    if not works:
        assert "BrokenProcessPool" in done.stdout, done.stdout + done.stderr
        # 3.14 words the unpickling error differently
        assert "Can't get attribute 'double'" in done.stdout or "has no attribute 'double'" in done.stdout
    # the claim: fork workers inherit the function, spawn and forkserver ones cannot find it
    observed(
        "holds" if works == (start_method == "fork") else "does-not-hold",
        because=f"{start_method} workers " + ("ran the -c program's function (result 4)" if works
                                             else "could not find it in __main__: BrokenProcessPool"),
    )


@pytest.mark.claim("futures.main-guard")
def test_an_unguarded_script_works_only_under_fork(start_method, observed):
    """A script that builds its executor at module level, without the main guard:
    under fork it prints the result; under spawn (and forkserver) the workers re-run
    the script, fail to start processes during their bootstrap, and the pool breaks
    (no hang).  Where the fork server itself runs the main module (3.13.8+, 3.14.1+,
    not 3.15), the parent's submit() fails instead, with ConnectionResetError."""
    done = support.run_script("futures_unguarded.py", start_method, timeout=60)
    works = done.returncode == 0 and "result 8" in done.stdout
    if not works:
        assert "result 8" not in done.stdout, done.stdout + done.stderr
        broken = ["TerminatedWorkerError" if loky() else "BrokenProcessPool"]
        if start_method == "forkserver":
            broken.append("ConnectionResetError")
        assert any(b in done.stderr for b in broken), done.stdout + done.stderr
    # the claim: it works under fork and breaks under spawn and forkserver
    observed(
        "holds" if works == (start_method == "fork") else "does-not-hold",
        because=f"the unguarded script under {start_method} " + ("printed result 8" if works else
                                                                 f"broke (exit code {done.returncode})"),
    )


@pytest.mark.claim("futures.no-executor-calls-in-task")
@pytest.mark.parametrize("what", ["executor", "future"])
def test_an_executor_or_future_cannot_be_passed_to_a_call(ctx, facts, what, observed):
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
                observed("partly", because="a Future pickles on PyPy: the call got a detached copy")
                return
            expected = pickle.PicklingError if loky() or facts.implementation == "PyPy" else TypeError
            with pytest.raises(expected) as excinfo:
                future.result(DEADLINE)
            if loky():  # its cause: the remote traceback of that TypeError
                assert "TypeError: cannot pickle" in str(excinfo.value.__cause__)
                observed("partly", because=f"the {what} could not even be sent: {excinfo.value!r}")
            elif facts.implementation != "PyPy":  # PyPy: the executor fails, the part that holds there
                observed("holds", because=f"the {what} cannot be passed to a call, so no call can use it: "
                         f"{excinfo.value!r}")
        finally:
            # Pickling the executor under fork reached its wake-up pipe, which started
            # multiprocessing's resource sharer (a listening socket): stop it.
            lib.module("resource_sharer").stop()
        assert ex.submit(fx.identity, "after").result(DEADLINE) == "after"


@pytest.mark.claim("futures.no-executor-calls-in-task")
def test_a_fork_worker_using_the_inherited_executor_hangs(start_method, facts, observed):
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
            observed.not_shown("a fork worker hanging on the inherited executor", "one call, 3 s")
        assert outcome == "TimeoutError"
        if facts.implementation != "PyPy":  # PyPy's verdict is the Future's, observed by the test above
            observed("holds", because="the fork worker submitting to its inherited executor hung: the parent's "
                     "result() timed out")
    else:
        assert outcome == "NameError"
        observed("holds", because=f"a {start_method} worker has no inherited global executor (NameError): "
                 "nothing to deadlock on")


# --- a broken pool ----------------------------------------------------------------------------


@pytest.mark.claim("futures.broken-on-abrupt-exit")
@pytest.mark.parametrize("how", ["os._exit", "SIGKILL"])
def test_a_worker_that_dies_breaks_the_pool_for_good(ctx, tmp_path, how, observed):
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
        outcomes = []
        for future in [dying, holding] + waiting:
            try:
                outcomes.append(future.result(DEADLINE))
            except BrokenProcessPool as error:
                outcomes.append(error)
        start = time.monotonic()
        try:
            ex.submit(fx.worker_pid)
            refused = None
        except BrokenProcessPool as error:
            refused = error
        at_once = time.monotonic() - start < DEADLINE / 10
        other_gone = support.wait_gone(other)
        release.touch()
    broken = [isinstance(o, BrokenProcessPool) for o in outcomes]
    observed(
        "holds" if all(broken) and refused is not None and at_once and other_gone else "does-not-hold",
        because=f"after a worker's {how}: the five futures failed with BrokenProcessPool: {broken}; submit() "
        f"raised {type(refused).__name__} at once: {at_once}; the other worker gone: {other_gone}",
    )


@pytest.mark.claim("futures.broken-report-pid-exitcode")
@pytest.mark.parametrize("how, code", [("os._exit", 99), ("SIGKILL", -9)], ids=["exit-99", "sigkill"])
def test_the_broken_pool_error_names_the_dead_workers_pid_and_exit_code(ctx, facts, how, code, observed):
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
        observed("partly", because="loky's error gives the exit code but not the pid")
    elif facts.python >= (3, 15):
        assert all(r in t or "exit code" not in t for r, t in texts), texts
        if report not in text:  # never named in the tries
            if ctx.get_start_method() == "forkserver":  # where it always names them
                observed("does-not-hold", because=f"no BrokenProcessPool named the dead worker in {len(texts)} tries")
            observed.not_shown("a report naming the pid and exit code", f"{len(texts)} tries (a generic message each)")
        if len(texts) > 1:
            observed("partly", because=f"the report was named only at try {len(texts)}: before, the pool was "
                     "declared broken with a generic message")
        elif ctx.get_start_method() == "forkserver":  # named at once, as it always is there
            observed("holds", because=f"the BrokenProcessPool named the dead worker at once: {report!r}")
        else:  # fork, spawn: named at the first try, the race (the caveat) did not show
            observed.not_shown("a BrokenProcessPool with a generic message first", "1 try (named at once)")
    else:
        named = report.split()[1] in text or "exit code" in text
        observed(
            "does-not-hold" if named else "holds",
            because="the BrokenProcessPool " + ("names" if named else "names neither") + " the worker's pid and exit code "
            f"({text[:120]!r})",
        )


# --- the initializer -----------------------------------------------------------------------


@pytest.mark.claim("futures.initializer-per-worker")
def test_the_initializer_runs_once_in_each_worker_before_its_calls(ctx, tmp_path, observed):
    """initializer(log, 'a', 1) on two workers: every call sees what its own worker's
    initializer stored (its pid and the initargs), and the log has one line per
    worker."""
    log = tmp_path / "log"
    with support.executor(ctx, 2, initializer=fx.remember_initargs, initargs=(str(log), "a", 1)) as ex:
        seen = list(ex.map(fx.initialised, range(8), timeout=DEADLINE))
        workers = set(ex._processes)
        support.call_within(ex.shutdown)
    own = all(pid == stored_pid and args == ("a", 1) for pid, (stored_pid, args) in seen)
    lines = log.read_text().split()
    observed(
        "holds" if own and sorted(map(int, lines)) == sorted(workers) else "does-not-hold",
        because=f"every call saw its own worker's initializer state with the initargs: {own}; the initializer "
        f"logged pids {sorted(map(int, lines))} for workers {sorted(workers)}",
    )


@pytest.mark.claim("futures.initializer-failure-breaks")
def test_an_initializer_that_raises_breaks_the_pool(ctx, observed):
    """An initializer raising ValueError: the call fails with BrokenProcessPool, and so
    does the next submit()."""
    with support.executor(ctx, 1, initializer=fx.failing_initializer) as ex:
        outcomes = [support.outcome(lambda: ex.submit(pow, 2, 2).result(DEADLINE), catch=BrokenProcessPool)
                    for _ in range(2)]
    observed(
        "holds" if all(isinstance(o, BrokenProcessPool) for o in outcomes) else "does-not-hold",
        because=f"with an initializer raising ValueError, the call and the next submit(): {outcomes!r}",
    )


@pytest.mark.claim("futures.initializer-pickling")
def test_a_lambda_initializer_works_with_fork_only(ctx, start_method, observed):
    """A lambda initializer: with fork the call runs; with spawn and forkserver
    submit() itself raises the pickling error (it starts the worker), not
    BrokenProcessPool (loky too, given a multiprocessing context)."""
    with support.executor(ctx, 1, initializer=lambda: None) as ex:
        try:
            outcome = ex.submit(pow, 2, 3).result(DEADLINE)
        except PICKLING_ERRORS as error:  # from submit() itself: it starts the worker
            outcome = error
    works = outcome == 8
    if not works:
        assert not isinstance(outcome, BrokenProcessPool)
    # the claim: a lambda initializer works under fork, fails in submit() under spawn and forkserver
    observed(
        "holds" if works == (start_method == "fork") else "does-not-hold",
        because=f"with a lambda initializer under {start_method}: " + ("the call ran" if works else f"{outcome!r}"),
    )


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
def test_the_default_size_follows_the_cpus_this_process_may_use(start_method, facts, observed):
    """A program restricted to one CPU (sched_setaffinity) starts 1 worker by default
    from 3.13 (os.process_cpu_count()), os.cpu_count() workers before; loky honours the
    affinity on every version.  Where a program cannot be restricted (no
    sched_setaffinity), the default is os.cpu_count() workers."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("not applicable: needs at least 2 CPUs")
    done = support.run_script("futures_cpu_count.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    workers, cpu_count, restricted = int(lines["workers"]), int(lines["cpu_count"]), lines["restricted"] == "1"
    # the claim: os.cpu_count() workers by default, the CPUs this process may use from 3.13
    promised = 1 if restricted and facts.python >= (3, 13) else cpu_count
    seen = (f"restricted to one CPU of {cpu_count}, the default pool started {workers} worker(s)" if restricted
            else f"not restrictable here (no sched_setaffinity), the default pool started {workers} of {cpu_count}")
    if workers == promised:
        observed("holds", because=seen)
    else:  # loky: it follows the affinity on every version
        observed("partly" if workers == 1 else "does-not-hold", because=seen)


@pytest.mark.claim("futures.worker-start-policy")
def test_spawn_and_forkserver_workers_start_only_when_needed(ctx, start_method, facts, observed):
    """max_workers=4 and three calls one after another: spawn and forkserver (3.9+)
    use one worker (one child); fork starts all 4 at the first submit, and so does
    every method on 3.8 (and loky)."""
    with support.executor(ctx, 4) as ex:
        pids = {ex.submit(fx.worker_pid).result(DEADLINE) for _ in range(3)}
        children = len(lib.mp.active_children())
    # the claim: fork (and every method on 3.8) starts all 4 at once, spawn and
    # forkserver (3.9+) only when no idle worker is free
    everything = start_method == "fork" or facts.python < (3, 9)
    promised = children == 4 if everything else children == 1 and len(pids) == 1
    observed(
        "holds" if promised else "does-not-hold",
        because=f"{start_method}: three calls in turn on max_workers=4 left {children} worker(s), the calls in "
        f"{len(pids)} process(es)",
    )


@pytest.mark.claim("futures.mp-context-start-method")
def test_workers_start_by_the_given_context(ctx, start_method, monkeypatch, observed):
    """After the parent changes a module global, fork workers see it; spawn workers
    do not and are our children; forkserver workers are not our children.  Workers
    that start by the given context are only half the claim (the default without one
    is the next test's to tell, loky's own 'loky' method among others): only a worker
    of another method is observed."""
    monkeypatch.setattr(fx, "MARK", "changed by the parent")
    with support.executor(ctx, 1) as ex:
        mark, parent, _ = ex.submit(fx.mark_and_parent).result(DEADLINE)
    kind = kind_of_worker(mark, parent)
    if kind != start_method:
        observed(
            "does-not-hold",
            because=f"given a {start_method} context, the worker saw the global as {mark!r} with parent {parent} "
            f"(we are {os.getpid()}): a {kind} worker",
        )


@pytest.mark.claim("futures.mp-context-start-method")
def test_without_a_context_workers_start_by_multiprocessings_default(start_method, facts, observed):
    """A program that sets the global start method to the tested one and passes no
    mp_context gets workers of that method; without set_start_method they start by
    the default: fork on Linux up to 3.13, forkserver from 3.14.  loky uses its own
    'loky' method (spawn-like) in both cases."""
    done = support.run_script("futures_default_context.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = script_lines(done)
    default = "forkserver" if facts.python >= (3, 14) else "fork"
    follows = lines["set"] == start_method and (sys.platform != "linux" or lines["default"] == default)
    if not follows and loky():
        assert lines["set"] == "spawn" and lines["default"] == "spawn"
    observed(
        "holds" if follows else "does-not-hold",
        because=f"without mp_context the workers started as {lines['set']} after set_start_method({start_method!r}), "
        f"and as {lines['default']} by default (multiprocessing's default here: {default})",
    )


# --- max_tasks_per_child ---------------------------------------------------------------------------


@pytest.mark.claim("futures.max-tasks-per-child-replaces")
def test_a_worker_is_replaced_after_max_tasks_per_child_calls(ctx, start_method, observed):
    """One worker with max_tasks_per_child=2: four calls in turn run in [a, a, b, b]
    and a is gone; 0 raises ValueError and '2' TypeError.  A fork context is refused
    (ValueError); loky has no such parameter (TypeError)."""
    try:
        with support.executor(ctx, 1, max_tasks_per_child=2) as ex:
            pids = [ex.submit(fx.worker_pid).result(DEADLINE) for _ in range(4)]
    except ValueError as error:  # a fork context
        observed("partly", because=f"a {start_method} context with max_tasks_per_child is refused: {error!r}")
        return
    except TypeError as error:  # loky
        observed("does-not-hold", because=f"no max_tasks_per_child parameter: {error!r}")
        return
    a, b = pids[0], pids[2]
    replaced = pids == [a, a, b, b] and a != b
    a_gone = support.wait_gone(a)
    refusals = []
    for bad, error in ((0, ValueError), ("2", TypeError)):
        try:
            with support.executor(ctx, 1, max_tasks_per_child=bad):
                pass
            refusals.append(None)
        except (ValueError, TypeError) as caught:
            refusals.append(type(caught) is error)
    observed(
        "holds" if replaced and a_gone and refusals == [True, True] else "does-not-hold",
        because=f"four calls in turn ran in {pids}; the first worker gone: {a_gone}; 0 and '2' refused with "
        f"ValueError and TypeError: {refusals}",
    )


@pytest.mark.claim("futures.max-tasks-needs-non-fork")
def test_max_tasks_per_child_refuses_fork_and_spawns_by_default(start_method, observed):
    """A fork context with max_tasks_per_child is refused with ValueError; with no
    mp_context the worker is spawned (our child, with a fresh module) even after
    set_start_method() chose the tested method."""
    try:
        with support.executor(support.get_context(start_method), 1, max_tasks_per_child=1):
            pass
        refused = None
    except (ValueError, TypeError) as error:
        refused = error
    if isinstance(refused, TypeError):  # loky: no such parameter
        observed("does-not-hold", because=f"max_tasks_per_child is refused as an unknown parameter: {refused!r}")
        return
    fork_refused = isinstance(refused, ValueError) if start_method == "fork" else refused is None
    done = support.run_script("futures_default_context.py", start_method, "max_tasks_per_child")
    assert done.returncode == 0, done.stderr
    started_as = script_lines(done)["set"]
    observed(
        "holds" if fork_refused and started_as == "spawn" else "does-not-hold",
        because=f"a {start_method} context with max_tasks_per_child: {refused!r}; without mp_context, after "
        f"set_start_method({start_method!r}), the worker started as {started_as}",
    )


@pytest.mark.claim("futures.max-tasks-backlog-hang")
def test_a_backlog_with_max_tasks_per_child_runs_to_the_end(start_method, observed):
    """ProcessPoolExecutor(1, max_tasks_per_child=2) with 10 calls submitted at once:
    where the claim holds all 10 complete; where it does not, the pool stops
    scheduling once a worker retires and the rest stay pending (gh-115634, shown in a
    sacrificial program that gives up once no call has completed for 5 s)."""
    done = support.run_script("futures_backlog.py", start_method, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    completed = int(script_lines(done)["completed"])
    if completed < 10:
        isolation.remove_pymp_dirs_of_the_killed("the stalled program's workers, killed, and the program's os._exit")
        observed("does-not-hold", because=f"only {completed} of 10 calls completed before the pool made no "
                 "progress for 5 s: it stopped scheduling once its worker retired")
    else:
        observed("holds", because="all 10 calls completed, the worker retiring every 2")


# --- 3.12: fork and threads ----------------------------------------------------------------------


@pytest.mark.claim("futures.fork-threads-deprecationwarning")
def test_forking_workers_beside_another_executors_thread_warns_from_312(start_method, facts, observed):
    """A second fork executor started while the first one's manager thread runs warns
    with DeprecationWarning on 3.12+ (CPython); none before, and none with spawn or
    forkserver."""
    done = support.run_script("futures_fork_warning.py", start_method)
    assert done.returncode == 0, done.stderr
    warned = int(script_lines(done)["warnings"])
    # the claim: a warning from 3.12 (CPython), under fork only
    expected = start_method == "fork" and facts.python >= (3, 12) and facts.implementation == "CPython"
    observed(
        "holds" if (warned > 0) == expected else "does-not-hold",
        because=f"a second {start_method} executor beside the first one's thread warned {warned} time(s) "
        f"(Python {facts.python[0]}.{facts.python[1]})",
    )


# --- 3.14: terminate_workers and kill_workers ------------------------------------------------------


@pytest.mark.claim("futures.terminate-kill-workers")
@pytest.mark.parametrize("how", ["terminate_workers", "kill_workers"])
def test_terminate_or_kill_workers_stops_everything_at_once(ctx, tmp_path, how, observed):
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
        if not hasattr(ex, how):  # loky
            ex.shutdown(wait=False, kill_workers=True)
            assert support.wait_gone(pid)
            observed("does-not-hold", because=f"the executor has no {how}()")
            return
        getattr(ex, how)()
        assert support.wait_gone(pid)
        assert marker.exists() == (how == "terminate_workers")
        assert support.wait_until(lambda: all(f.done() for f in [running] + waiting))
        assert isinstance(running.exception(0), BrokenProcessPool)
        assert waiting[-1].cancelled()
        # ...but nobody tells wait() about the futures cancelled on the way out.
        start = time.monotonic()
        untold = waiting[-1] in cf.wait([waiting[-1]], timeout=WAIT).not_done
        if untold:
            assert time.monotonic() - start >= WAIT * SLACK
        with pytest.raises(RuntimeError):
            ex.submit(fx.worker_pid)
        support.call_within(ex.shutdown)
        getattr(ex, how)()
        observed(
            "partly" if untold else "holds",
            because=f"{how}() ended the worker and every future, but wait() on a future it cancelled "
            + ("still counts it not done" if untold else "returns it done"),
        )
    with support.executor(ctx, 1) as fresh:
        getattr(fresh, how)()


# --- wait and as_completed ----------------------------------------------------------------------------


@pytest.mark.claim("futures.wait-return-when")
def test_wait_returns_at_the_first_completion_or_failure_or_timeout(ctx, tmp_path, observed):
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
        first_completed = (fast in result.done or in_thread in result.done) and slow in result.not_done
        failing = ex.submit(fx.nap_or_fail, 0.1, "bad", "bad")
        done, not_done = cf.wait([slow, failing], timeout=long, return_when=cf.FIRST_EXCEPTION)
        first_exception = done == {failing} and not_done == {slow}
        # Neither waited for the held call: a wait that did would take its whole timeout
        # (the workers' start-up, on a busy machine, is inside this time).
        elapsed = time.monotonic() - start
        in_time = elapsed < long / 4
        start = time.monotonic()
        fast.result(DEADLINE)
        done, not_done = cf.wait([slow, slow, fast], timeout=WAIT)
        timed_split = time.monotonic() - start >= WAIT * SLACK and not_done == {slow} and done == {fast}
        release.touch()
        result = cf.wait([slow, fast, fast], timeout=DEADLINE, return_when=cf.FIRST_EXCEPTION)
        all_done = result.done == {slow, fast} and not result.not_done
    observed(
        "holds" if first_completed and first_exception and in_time and timed_split and all_done else "does-not-hold",
        because=f"FIRST_COMPLETED at the fast call: {first_completed}; FIRST_EXCEPTION at the failure: "
        f"{first_exception} (both within {elapsed:.2f} s of the {long:g} s they were given, the slow call held "
        f"meanwhile); the split at the timeout, "
        f"a future given twice counted once: {timed_split}; all done at last: {all_done}",
    )


@pytest.mark.claim("futures.as-completed")
def test_as_completed_yields_finished_ones_first_then_in_completion_order(ctx, tmp_path, observed):
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
        names = {id(finished): "finished", id(fast): "fast", id(slow): "slow"}
        yielded = [names[id(next(order))], names[id(next(order))]]
        release.touch()
        yielded += [names[id(f)] for f in order]
    observed(
        "holds" if yielded == ["finished", "fast", "slow"] else "does-not-hold",
        because=f"as_completed([slow, fast, finished, fast]) yielded {yielded}",
    )


# --- Ctrl-C ---------------------------------------------------------------------------------------


@pytest.mark.claim("futures.ctrl-c-waits-for-backlog")
@pytest.mark.parametrize("how", ["plain", "cancel"])
def test_after_ctrl_c_the_with_block_still_runs_the_backlog(start_method, tmp_path, how, observed):
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
        after = float(lines["KeyboardInterrupt"])
        observed(
            "holds" if ran == 6 and after >= 2.5 * SLACK else "does-not-hold",
            because=f"after SIGINT the program ended with KeyboardInterrupt {after:.2f} s later, {ran} of 6 calls run",
        )
    else:
        assert ran <= 4, done.stdout

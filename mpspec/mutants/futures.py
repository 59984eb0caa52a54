"""Mutants of the behaviours the docs chapter `futures` relies on: the standard
library's concurrent.futures (ProcessPoolExecutor, Future, wait, as_completed).
The executor always uses the standard multiprocessing, so these patch
concurrent.futures itself, whatever the library under test; a mutant aimed at a
version-dependent behaviour patches nothing where that code does not exist (it is then
killed only on the versions where its claim's tests can see it)."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import threading
import warnings

from mpspec.mutants import change_arguments, mutant, replaces, replacing


def _cf(name=""):
    return importlib.import_module("concurrent.futures" + (f".{name}" if name else ""))


def _executor():
    return _cf("process").ProcessPoolExecutor


def _drop_max_tasks_per_child(dropped, after=lambda limit: None):
    """Patch ProcessPoolExecutor.__init__, where it has max_tasks_per_child, to pass None
    instead of each limit that ``dropped(limit)`` holds for (other values reach the
    original as given); ``after(limit)`` may return a function to call with the new
    executor."""

    def change(arguments):
        limit = arguments.get("max_tasks_per_child")
        if not dropped(limit):
            return None
        arguments["max_tasks_per_child"] = None
        return after(limit)

    if "max_tasks_per_child" in inspect.signature(_executor().__init__).parameters:
        change_arguments(_executor(), change)


def _worker_function(replacement, name):
    """Install ``replacement`` as concurrent.futures.process.<name>, pickled by
    reference like the original (a spawned worker looks it up by that name)."""
    module = _cf("process")
    replacement.__module__, replacement.__name__, replacement.__qualname__ = module.__name__, name, name
    setattr(module, name, replacement)


def _submit_hangs_when(condition):
    """A patch with which submit() returns a Future that never completes (and runs
    nothing) whenever ``condition(executor)`` holds."""

    @replacing(_executor, "submit")
    def submit(original, self, fn, *args, **kwargs):
        if condition(self):
            return _cf("_base").Future()
        return original(self, fn, *args, **kwargs)

    return submit


def _on_broken_pool(change):
    """A patch that hands each BrokenProcessPool a Future fails with to
    ``change(exception)`` first, and sets what that returns instead."""

    @replacing(lambda: _cf("_base").Future, "set_exception")
    def set_exception(original, self, exception):
        if isinstance(exception, _cf("process").BrokenProcessPool):
            exception = change(exception)
        return original(self, exception)

    return set_exception


# --- submit and the Future ----------------------------------------------------------


@mutant("futures-submit-drops-kwargs", ["futures.submit-runs-in-worker"],
        "submit() passes the positional arguments only")
@replacing(_executor, "submit")
def submit(original, self, fn, *args, **kwargs):
    return original(self, fn, *args)


@mutant("futures-future-never-running", ["futures.future-lifecycle-flags"],
        "Future.running() is always False")
def _(mp):
    _cf("_base").Future.running = lambda self: False


@mutant("futures-cancel-refused", ["futures.cancel-only-before-start"],
        "Future.cancel() never cancels (always False)")
def _(mp):
    _cf("_base").Future.cancel = lambda self: False


@mutant("futures-no-extra-queued-calls", ["futures.queued-calls-report-running"],
        "The call queue holds max_workers calls, not max_workers + 1")
def _(mp):
    _cf("process").EXTRA_QUEUED_CALLS = 0


@mutant("futures-result-timeout-returns-none", ["futures.result-timeout"],
        "Future.result(timeout) returns None instead of raising TimeoutError")
@replacing(lambda: _cf("_base").Future, "result")
def result(original, self, timeout=None):
    try:
        return original(self, timeout)
    except _cf().TimeoutError:
        return None


@mutant("futures-callbacks-reversed", ["futures.callback-threads"],
        "Done-callbacks run last added first")
@replacing(lambda: _cf("_base").Future, "_invoke_callbacks")
def _invoke_callbacks(original, self):
    self._done_callbacks.reverse()
    original(self)


@mutant("futures-remote-traceback-dropped", ["futures.remote-traceback"],
        "A worker's exception comes back without its remote traceback as __cause__")
def _(mp):
    _cf("process")._rebuild_exc = lambda exc, tb: exc


@mutant("futures-baseexception-becomes-runtimeerror", ["futures.baseexception-from-task"],
        "A SystemExit or KeyboardInterrupt from a call comes back as RuntimeError")
@replacing(lambda: _cf("process")._ExceptionWithTraceback, "__init__")
def futures_baseexception_becomes_runtimeerror(original, self, exc, tb, *args, **kwargs):
    if isinstance(exc, (SystemExit, KeyboardInterrupt)):
        exc = RuntimeError(repr(exc))
    original(self, exc, tb, *args, **kwargs)


@mutant("futures-failures-printed", ["futures.unretrieved-failure-silent"],
        "Every failed call's exception is printed on stderr when it arrives")
@replacing(lambda: _cf("_base").Future, "set_exception")
def set_exception(original, self, exception):
    print(f"call failed: {type(exception).__name__}: {exception}", file=sys.stderr, flush=True)
    return original(self, exception)


# --- map --------------------------------------------------------------------------------


@mutant("futures-map-completion-order", ["futures.map-order-and-errors"],
        "map() yields results in completion order, not input order")
def _(mp):
    def map(self, fn, *iterables, timeout=None, chunksize=1, **kwargs):
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        return (f.result() for f in _cf().as_completed(futures, timeout))

    _executor().map = map


@mutant("futures-map-lazy", ["futures.map-eager-input"],
        "map() takes no input before its first result is asked for")
@replacing(_executor, "map")
def map(original, self, *args, **kwargs):
    yield from original(self, *args, **kwargs)


@mutant("futures-map-buffersize-ignored", ["futures.map-buffersize"],
        "map() ignores buffersize (3.14+)")
@replacing(_executor, "map", needs="buffersize")
def futures_map_buffersize_ignored(original, self, fn, *iterables, buffersize=None, **kwargs):
    if buffersize is not None and buffersize < 1:
        raise ValueError("buffersize must be None or > 0.")
    return original(self, fn, *iterables, **kwargs)


@mutant("futures-map-timeout-per-item", ["futures.map-timeout-from-call"],
        "map()'s timeout counts per item, from the previous result")
@replacing(_executor, "map")
def futures_map_timeout_per_item(original, self, fn, *iterables, timeout=None, chunksize=1, **kwargs):
    futures = [self.submit(fn, *args) for args in zip(*iterables)]
    return (f.result(timeout) for f in futures)


@mutant("futures-chunksize-ignored", ["futures.map-chunksize"],
        "map() sends every item on its own, whatever the chunksize (no ValueError for 0)")
@replacing(_executor, "map")
def futures_chunksize_ignored(original, self, fn, *iterables, timeout=None, chunksize=1, **kwargs):
    return original(self, fn, *iterables, timeout=timeout, chunksize=1, **kwargs)


# --- shutdown ---------------------------------------------------------------------------


@mutant("futures-submit-after-shutdown-accepted", ["futures.after-shutdown-rejects"],
        "submit() after shutdown() returns a Future that never completes")
@_submit_hangs_when
def _(executor):
    return getattr(executor, "_shutdown_thread", False) and not getattr(executor, "_broken", False)


@mutant("futures-shutdown-never-waits", ["futures.shutdown-wait-reaps-workers"],
        "shutdown(wait=True) does not wait")
@replacing(_executor, "shutdown")
def futures_shutdown_never_waits(original, self, wait=True, **kwargs):
    return original(self, False, **kwargs)


@mutant("futures-nowait-shutdown-kills-workers", ["futures.exit-waits-for-pending"],
        "shutdown(wait=False) terminates the workers: pending calls never run")
@replacing(_executor, "shutdown")
def futures_nowait_shutdown_kills_workers(original, self, wait=True, **kwargs):
    workers = list((self._processes or {}).values())
    original(self, wait, **kwargs)
    if not wait:
        for worker in workers:
            worker.terminate()


@mutant("futures-cancel-futures-ignored", ["futures.cancel-futures-on-shutdown", "futures.ctrl-c-waits-for-backlog"],
        "shutdown() ignores cancel_futures")
@replacing(_executor, "shutdown", needs="cancel_futures")
def futures_cancel_futures_ignored(original, self, wait=True, *, cancel_futures=False):
    return original(self, wait)


@mutant("futures-with-block-no-wait", ["futures.context-manager-waits"],
        "Leaving a with-block shuts the executor down without waiting")
def _(mp):
    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=False)
        return False

    _cf("_base").Executor.__exit__ = __exit__


@mutant("futures-ctrl-c-cancels-backlog", ["futures.ctrl-c-waits-for-backlog"],
        "A with-block left by KeyboardInterrupt cancels the calls that have not started")
@replacing(lambda: _cf("_base").Executor, "__exit__")
def futures_ctrl_c_cancels_backlog(original, self, exc_type, exc_val, exc_tb):
    if exc_type is KeyboardInterrupt:
        for item in list(getattr(self, "_pending_work_items", {}).values()):
            item.future.cancel()
    return original(self, exc_type, exc_val, exc_tb)


# --- pickling and broken pools --------------------------------------------------------------


@mutant("futures-pickling-error-swallowed", ["futures.pickle-per-future"],
        "A call that cannot be pickled completes with None instead of failing")
@replacing(lambda: _cf("process")._SafeQueue, "_on_queue_feeder_error")
def _on_queue_feeder_error(original, self, e, obj):
    work_item = self.pending_work_items.pop(obj.work_id, None) if hasattr(obj, "work_id") else None
    if work_item is None:
        return original(self, e, obj)
    work_item.future.set_result(None)


@mutant("futures-broken-pool-error-softened",
        ["futures.result-unpickle-failure-breaks-pool", "futures.broken-on-abrupt-exit",
         "futures.initializer-failure-breaks", "futures.terminate-kill-workers"],
        "A broken pool fails its futures with a plain RuntimeError, not BrokenProcessPool")
@_on_broken_pool
def _(exception):
    return RuntimeError(str(exception))


@mutant("futures-broken-pool-accepts-submit", ["futures.broken-on-abrupt-exit"],
        "submit() on a broken pool returns a Future that never completes")
@_submit_hangs_when
def _(executor):
    return getattr(executor, "_broken", False)


@mutant("futures-broken-cause-dropped", ["futures.broken-report-pid-exitcode"],
        "The BrokenProcessPool of a dead worker has no cause (3.15's pid and exit code lost)")
@_on_broken_pool
def _(exception):
    exception.__cause__ = None
    return exception


@mutant("futures-broken-cause-always-reported", ["futures.broken-report-pid-exitcode"],
        "Before 3.15 too, a dead worker's pid and exit code are reported")
def _(mp):
    manager = getattr(_cf("process"), "_ExecutorManagerThread", None)
    if manager is None or sys.version_info >= (3, 15):
        return

    @replaces(manager, "terminate_broken")
    def terminate_broken(original, self, cause):
        if cause is None:
            cause = "".join(
                f"Process {p.pid} terminated abruptly with exit code {p.exitcode}\n"
                for p in self.processes.values() if p.exitcode
            ) or None
        return original(self, cause)


# --- the initializer, size, start method ---------------------------------------------------


@mutant("futures-initializer-runs-twice", ["futures.initializer-per-worker"],
        "Each worker calls its initializer twice")
def _(mp):
    original = _cf("process")._process_worker

    def _process_worker(call_queue, result_queue, initializer, initargs, *rest, **kwargs):
        if initializer is not None:
            initializer(*initargs)
        return original(call_queue, result_queue, initializer, initargs, *rest, **kwargs)

    _worker_function(_process_worker, "_process_worker")


class _Swallowing:
    """An initializer that ignores its own failure (picklable by reference)."""

    def __init__(self, initializer):
        self.initializer = initializer

    def __call__(self, *args):
        try:
            self.initializer(*args)
        except Exception:  # noqa: BLE001 (the mutation)
            pass


@mutant("futures-initializer-error-swallowed", ["futures.initializer-failure-breaks"],
        "An initializer's exception is swallowed: the worker goes on")
def _(mp):
    def change(arguments):
        if arguments.get("initializer") is not None:
            arguments["initializer"] = _Swallowing(arguments["initializer"])

    change_arguments(_executor(), change)


@mutant("futures-mp-context-ignored",
        ["futures.mp-context-start-method", "futures.interactive-main", "futures.main-guard",
         "futures.initializer-pickling", "futures.no-executor-calls-in-task",
         "futures.worker-start-policy", "futures.fork-threads-deprecationwarning"],
        "The executor ignores mp_context and always spawns its workers")
def _(mp):
    def change(arguments):
        arguments["mp_context"] = mp.get_context("spawn")

    change_arguments(_executor(), change)


@mutant("futures-max-workers-unchecked", ["futures.max-workers"],
        "max_workers of 0 or less is taken as 1 instead of raising ValueError")
def _(mp):
    def change(arguments):
        if arguments.get("max_workers") is not None and arguments["max_workers"] <= 0:
            arguments["max_workers"] = 1

    change_arguments(_executor(), change)


@mutant("futures-all-workers-at-once", ["futures.worker-start-policy"],
        "spawn and forkserver executors start all their workers at the first submit")
def _(mp):
    def after(executor):
        executor._safe_to_dynamically_spawn_children = False

    change_arguments(_executor(), lambda arguments: after)


@mutant("futures-max-tasks-ignored", ["futures.max-tasks-per-child-replaces"],
        "max_tasks_per_child is validated, then ignored (workers never retire)")
def _(mp):
    _drop_max_tasks_per_child(lambda limit: limit is not None and isinstance(limit, int) and not limit < 1)


@mutant("futures-max-tasks-fork-allowed", ["futures.max-tasks-needs-non-fork"],
        "max_tasks_per_child is accepted with fork, and with no mp_context the default is kept")
def _(mp):
    def after(limit):
        return lambda executor: setattr(executor, "_max_tasks_per_child", limit)

    _drop_max_tasks_per_child(
        lambda limit: isinstance(limit, int) and not isinstance(limit, bool) and not limit < 1, after)


@mutant("futures-retired-workers-not-replaced", ["futures.max-tasks-backlog-hang"],
        "A worker retired by max_tasks_per_child is not replaced (3.14+: the backlog stalls)")
def _(mp):
    process = _cf("process")
    original = getattr(process, "_spawn_worker", None)
    if original is None:
        return

    def _spawn_worker(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return None  # the manager thread's replacement of a retired worker
        return original(*args, **kwargs)

    process._spawn_worker = _spawn_worker


@mutant("futures-retired-workers-always-replaced", ["futures.max-tasks-backlog-hang"],
        "A worker retired by max_tasks_per_child is always replaced, whatever the idle-worker "
        "count says (before 3.14: gh-115634's fix applied, so the backlog runs to the end)")
@replacing(_executor, "_adjust_process_count")
def futures_retired_workers_always_replaced(original, self):
    # Before 3.14 the manager thread replaces a retired worker through this method, which
    # trusts a stale idle-worker token and so may spawn nothing; 3.14+ no longer calls it
    # from there, so this mutant changes nothing on those versions.
    replacing_retired = threading.current_thread() is not threading.main_thread()
    if replacing_retired and self._processes is not None and len(self._processes) < self._max_workers:
        self._spawn_process()
        return None
    return original(self)


@mutant("futures-fork-always-warns", ["futures.fork-threads-deprecationwarning"],
        "Every os.fork() warns about threads, whatever the Python version")
@replacing(lambda: os, "fork")
def futures_fork_always_warns(original):
    warnings.warn("This process is multi-threaded, use of fork() may lead to deadlocks (mutant)",
                  DeprecationWarning, stacklevel=2)
    return original()


@mutant("futures-force-shutdown-no-signal", ["futures.terminate-kill-workers"],
        "terminate_workers() and kill_workers() shut down without signalling the workers (3.14+)")
def _(mp):
    cls = _executor()
    if not hasattr(cls, "_force_shutdown"):
        return

    def _force_shutdown(self, operation):
        self.shutdown(wait=False, cancel_futures=True)

    cls._force_shutdown = _force_shutdown


# --- wait and as_completed ----------------------------------------------------------------------


@mutant("futures-wait-timeout-counts-as-done", ["futures.wait-return-when"],
        "wait() that times out reports every future as done")
def _(mp):
    base = _cf("_base")

    @replaces(base, "wait")
    def wait(original, fs, timeout=None, return_when=base.ALL_COMPLETED):
        done, not_done = original(fs, timeout, return_when)
        if timeout is not None and return_when == base.ALL_COMPLETED:
            return base.DoneAndNotDoneFutures(done | not_done, set())
        return base.DoneAndNotDoneFutures(done, not_done)
    _cf().wait = wait


@mutant("futures-as-completed-input-order", ["futures.as-completed"],
        "as_completed() yields in input order, waiting for each in turn")
def _(mp):
    base = _cf("_base")

    def as_completed(fs, timeout=None):
        for future in dict.fromkeys(fs):
            future.exception(timeout)
            yield future

    base.as_completed = as_completed
    _cf().as_completed = as_completed

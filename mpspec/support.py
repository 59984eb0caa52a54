"""Helpers shared by the spec tests: starting, joining and reaping real processes,
and running child interpreters.  Every blocking call here has a deadline.

The tests' toolkit (``mpspec/toolkit/``) is re-exported here, so that a test reaches
every helper as ``support.<name>``:

- processes and threads (``mpspec.toolkit.processes``): ``join``, ``run``, ``stop``,
  ``started``, ``receive``, ``wait_until``, ``gone`` and ``wait_gone`` (a pid, a
  psutil.Process or a Process object has exited), ``holding`` (a child that holds a
  lock for the length of a with block), ``reports_back`` (a child that sends its
  findings back over a pipe, ``REPLY`` marking where its end goes), ``in_thread``
  and ``call_within``;
- scripts (``mpspec.toolkit.scripts``): ``run_script`` (to its end; ``capture=
  "files"`` where a leftover child would hold the pipes), ``script_report`` and
  ``report_of`` (a script's JSON report), ``script`` (a session the test talks to,
  signals and always kills), ``kill_session`` and ``child_env``.

This module itself keeps what needs the library under test: contexts, pools,
queues (``producers_and_consumers``), executors, reaping the test's children, and
the outcome of a call (``outcome``, ``timeout_outcome``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

from mpspec import children, lib
from mpspec.deadlines import DEADLINE  # noqa: F401 (re-exported for tests)
from mpspec.toolkit.processes import (  # noqa: F401 (re-exported for tests)
    REPLY, ChildHung, call_within, gone, holding, in_thread, join, receive, reports_back, run, started, stop,
    wait_gone, wait_until,
)
from mpspec.toolkit.scripts import (  # noqa: F401 (re-exported for tests)
    ROOT, SCRIPTS, TRACKERS, Script, child_env, kill_session, report_of, run_script, script, script_report,
)


def get_context(method: str):
    """The context object of the library under test for ``method``."""
    return lib.mp.get_context(method)


def cheapest_context():
    """A context for a method-independent claim, where the start method is not the
    point: fork where the platform has it (the cheapest start), else the first one."""
    methods = lib.mp.get_all_start_methods()
    return get_context("fork" if "fork" in methods else methods[0])


def reap_children():
    """Stop every child this process still has; return the ones that were alive."""
    leftovers = [p for p in lib.mp.active_children() if p.is_alive()]
    for p in leftovers:
        stop(p)
    lib.mp.active_children()  # joins the finished ones
    return leftovers


def lingering_feeder_threads(grace: float = 5.0):
    """Queue feeder threads still alive after ``grace`` seconds.  A queue that is
    closed, or no longer referenced, ends its feeder thread soon after."""
    import gc
    import threading

    feeders = [t for t in threading.enumerate() if t.name.startswith("QueueFeederThread")]
    if not feeders:
        return []  # the common case: no garbage collection needed
    gc.collect()  # a queue kept alive only by a reference cycle closes when collected
    for thread in feeders:
        thread.join(grace)
    return [t for t in feeders if t.is_alive()]



def profile_scripts():
    """Opt-in profiling (MPSPEC_PROFILE, see mpspec.children): record each child
    interpreter that ``run_script`` runs (called as ``support.run_script`` or from the
    toolkit).  Called by the plugin at the session's start."""
    global run_script
    from mpspec.toolkit import scripts

    original = scripts.run_script
    if not children.profile_path() or getattr(original, "_mpspec_profiled", False):
        return

    def profiled_run_script(*args, **kwargs):
        began = time.monotonic()
        try:
            return original(*args, **kwargs)
        except ChildHung:
            children.record("wait", what="script deadline", seconds=time.monotonic() - began)
            raise
        finally:
            children.record("interpreter", script=str(args[0]) if args else "", seconds=time.monotonic() - began)

    profiled_run_script._mpspec_profiled = True
    run_script = scripts.run_script = profiled_run_script


@contextlib.contextmanager
def pool(ctx, processes=None, shared=None, **kwargs):
    """``ctx.Pool(processes, ...)`` that always ends with terminate() and join(), even
    when the test fails.  ``shared`` (a dict of Values, Events, Barriers...) reaches
    the tasks as ``fixtures.pools.SHARED``."""
    if shared is not None:
        from fixtures.pools import install

        kwargs.update(initializer=install, initargs=(shared,))
    p = ctx.Pool(processes, **kwargs)
    try:
        yield p
    finally:
        p.terminate()
        p.join()


@contextlib.contextmanager
def open_queue(ctx, maxsize=0):
    """``ctx.Queue(maxsize)`` that is closed, and its feeder thread joined, whatever
    happens."""
    q = ctx.Queue(maxsize)
    try:
        yield q
    finally:
        q.close()
        q.join_thread()


def producers_and_consumers(ctx, q, produce, consume, done, *, producers: int, consumers: int, items: int):
    """Run ``producers`` children ``produce(q, n, items, go)`` (n = 0, 1...) and
    ``consumers`` children ``consume(q, results)`` on ``q`` at the same time (the
    producers start putting when all have started); once the producers are joined,
    put one ``done`` per consumer, collect each consumer's list from ``results`` and
    join them.  Returns every item the consumers got, in one list.

        with support.open_queue(ctx) as q:
            got = support.producers_and_consumers(ctx, q, queues.produce, queues.consume, queues.DONE,
                                                  producers=3, consumers=3, items=200)
    """
    go = ctx.Event()
    with open_queue(ctx) as results:
        putting = [ctx.Process(target=produce, args=(q, n, items, go)) for n in range(producers)]
        getting = [ctx.Process(target=consume, args=(q, results)) for _ in range(consumers)]
        with started(*putting, *getting):
            go.set()
            for p in putting:
                join(p)
            for _ in getting:
                q.put(done)
            received = [results.get(timeout=DEADLINE) for _ in getting]
            for c in getting:
                join(c)
    return [item for got in received for item in got]


def outcome(call, *args, catch=Exception, **kwargs):
    """``call(*args, **kwargs)``'s result, or the exception of type ``catch`` it raised
    (anything else propagates): for tests that compare what several calls did.

        outcomes = [support.outcome(reader.recv_bytes, n, catch=OSError) for n in (10, None)]
    """
    try:
        return call(*args, **kwargs)
    except catch as error:
        return error


def timeout_outcome(call, *args, **kwargs):
    """Call ``call(*args, **kwargs)``, a call given a timeout that should run out, and
    return (what it did, seconds it took): "TimeoutError" if it raised the library's
    TimeoutError, else "returned <its result, repr>".

        raised, waited = support.timeout_outcome(pending.get, WAIT)
        assert raised == "TimeoutError"
    """
    start = time.monotonic()
    got = outcome(call, *args, catch=lib.mp.TimeoutError, **kwargs)
    waited = time.monotonic() - start
    return ("TimeoutError" if isinstance(got, lib.mp.TimeoutError) else f"returned {got!r}"), waited


def graded(whole: bool, part: bool) -> str:
    """The verdict of a promise seen in parts: "holds" when the whole of it was seen,
    "partly" when only part was, "does-not-hold" when none was::

        observed(support.graded(whole=refused == len(calls), part=refused > 0), because=...)
    """
    return "holds" if whole else ("partly" if part else "does-not-hold")


def unreported_exitcode(start_method: str, expected: int) -> int:
    """The exit code the library under test reports for a child that ended with
    ``expected`` without returning through its bootstrap: killed by a signal, dead
    while preparing, or a pool worker leaving through os._exit.  billiard's fork
    server learns a child's exit code only from the child itself, so for all of
    these it reports 255."""
    return 255 if lib.name() == "billiard" and start_method == "forkserver" else expected


# The failure lines of pytest's short summary (-rfE): (FAILED|ERROR) nodeid - reason
FAILURE_LINE = r"^(FAILED|ERROR) (\S+)(?: - (.*))?"


def run_session(cmd, env, timeout: float, who: str):
    """Run ``cmd`` (the flake and mutation commands' pytest runs) in a session of its
    own with its output captured; on timeout kill the whole session.  Returns the
    Popen object (finished) and the output."""
    import signal

    proc = subprocess.Popen(
        cmd, cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        out += f"\n{who}: the run did not finish within {timeout} s and was killed\n"
    return proc, out


@contextlib.contextmanager
def executor(ctx, max_workers=None, **kwargs):
    """A process pool executor of the library under test (concurrent.futures', or
    loky's under ``--impl loky``: ``context=`` instead of ``mp_context=``) whose
    workers start by ``ctx``.  On the way out, whatever happened, it is shut down
    without waiting, its waiting calls cancelled (killed, under loky), and a worker or
    manager thread still running after ``DEADLINE`` is killed."""
    key = "context" if lib.name() == "loky" else "mp_context"
    pool = lib.executor_class()(max_workers, **{key: ctx}, **kwargs)
    try:
        yield pool
    finally:
        end_executor(pool)


def end_executor(pool, timeout: float = DEADLINE):
    """Shut ``pool`` down without waiting, then see its workers and manager thread gone
    within ``timeout``: stragglers are killed."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None) or getattr(pool, "_queue_management_thread", None)
    deadline = time.monotonic() + timeout
    try:
        if lib.name() == "loky":
            pool.shutdown(wait=False, kill_workers=True)
        elif getattr(pool, "_max_tasks_per_child", None):
            # Not wait=False: a worker retiring after it would make the manager thread
            # fail before 3.14 (gh-119592), leaving the call queue's feeder running.
            in_thread(pool.shutdown, True, cancel_futures=True)[0].join(timeout)
        elif sys.version_info < (3, 9):
            # 3.8's shutdown(wait=False) closes the manager thread's wake-up pipe under
            # it (bpo-39104): the thread dies and the workers are never told to stop.
            in_thread(pool.shutdown, True)[0].join(timeout)
        elif sys.version_info >= (3, 9):
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=False)
    except Exception:  # noqa: BLE001 (a broken or half-built executor: its workers still go)
        pass
    for worker in workers:
        worker.join(max(0.1, deadline - time.monotonic()))
        stop(worker)
    if manager is not None:
        manager.join(max(0.1, deadline - time.monotonic()))
        if manager.is_alive():
            for worker in lib.mp.active_children():
                stop(worker)
            manager.join(timeout)

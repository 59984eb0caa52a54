"""Helpers shared by the spec tests: starting, joining and reaping real processes,
and running child interpreters.  Every blocking call here has a deadline.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from mpspec import children, lib
from mpspec.deadlines import DEADLINE  # noqa: F401 (re-exported for tests)

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "fixtures" / "scripts"


class ChildHung(AssertionError):
    """A child did not finish within its deadline (it has been killed)."""


def get_context(method: str):
    """The context object of the library under test for ``method``."""
    return lib.mp.get_context(method)


def cheapest_context():
    """A context for a method-independent claim, where the start method is not the
    point: fork where the platform has it (the cheapest start), else the first one."""
    methods = lib.mp.get_all_start_methods()
    return get_context("fork" if "fork" in methods else methods[0])


def join(process, timeout: float = DEADLINE):
    """Join ``process`` within ``timeout``; a child still alive then is killed and the
    test fails with ChildHung."""
    process.join(timeout)
    if process.is_alive():
        stop(process)
        raise ChildHung(f"{process!r} did not finish within {timeout:g} s and was killed")
    return process


def run(ctx, target, *args, timeout: float = DEADLINE, **kwargs):
    """Start ``target(*args, **kwargs)`` in a child of ``ctx`` and join it."""
    process = ctx.Process(target=target, args=args, kwargs=kwargs)
    process.start()
    return join(process, timeout)


def stop(process, grace: float = 5.0):
    """Terminate, then kill, then reap one child."""
    if process.is_alive():
        process.terminate()
        process.join(grace)
    if process.is_alive():
        if hasattr(process, "kill"):
            process.kill()
        elif sys.platform == "win32":  # no SIGKILL on Windows: terminate is the hard stop
            process.terminate()
        else:  # billiard's Process has no kill()
            import signal

            os.kill(process.pid, signal.SIGKILL)
        process.join(grace)


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


def receive(conn, timeout: float = DEADLINE):
    """``conn.recv()`` that fails instead of hanging when nothing comes in time."""
    if not conn.poll(timeout):
        raise ChildHung(f"nothing arrived on {conn!r} within {timeout:g} s")
    return conn.recv()


def child_env(**extra):
    env = dict(os.environ)
    path = [str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.pop("PYTHONOPTIMIZE", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


TRACKERS = ("resource_tracker", "semaphore_tracker")


def kill_session(pgid: int, grace: float = 5.0):
    """SIGKILL every process of process group ``pgid`` (a script started in a session
    of its own) except its resource trackers; then give the trackers ``grace`` seconds
    to unlink the semaphores and shared memory the killed ones left (a tracker does so,
    and exits, once no process of the program holds its pipe); then kill what is left.
    Killing the tracker with the rest would leave those in /dev/shm for good."""
    import signal

    import psutil

    def members():
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if os.getpgid(proc.pid) == pgid:
                    found.append(proc)
            except (ProcessLookupError, PermissionError, psutil.Error):
                pass
        return found

    trackers = []
    for proc in members():
        if any(t in " ".join(proc.info["cmdline"] or ()) for t in TRACKERS):
            trackers.append(proc)
        else:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    psutil.wait_procs(trackers, timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_script(name: str, *args, optimize: bool = False, options=(), timeout: float = DEADLINE, env=None):
    """Run ``fixtures/scripts/<name>`` in a fresh interpreter (with ``-O`` and other
    interpreter ``options`` if asked) and return the CompletedProcess, text output."""
    cmd = [sys.executable] + (["-O"] if optimize else []) + list(options)
    cmd += [str(SCRIPTS / name)] + [str(a) for a in args]
    # A session of its own: on timeout the script and everything it started (pool
    # workers, its resource tracker) is killed, not just the script.
    proc = subprocess.Popen(
        cmd,
        cwd=str(ROOT),
        env=child_env(**(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        if hasattr(os, "killpg"):
            kill_session(proc.pid)
        else:  # Windows: no process groups to kill; the script at least
            proc.kill()
        proc.communicate()
        raise ChildHung(f"{' '.join(cmd)} did not finish within {timeout:g} s") from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def profile_scripts():
    """Opt-in profiling (MPSPEC_PROFILE, see mpspec.children): record each child
    interpreter that ``run_script`` runs.  Called by the plugin at the session's start."""
    global run_script
    original = run_script
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
    run_script = profiled_run_script


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


@contextlib.contextmanager
def started(*processes):
    """Start the processes; on the way out stop any still running."""
    try:
        for p in processes:
            p.start()
        yield processes
    finally:
        for p in processes:
            stop(p)


def in_thread(call, *args, **kwargs):
    """Start ``call(*args, **kwargs)`` in a daemon thread; return (thread, result dict),
    where the dict gets "value" or "error" when the call ends."""
    import threading

    result = {}

    def run():
        try:
            result["value"] = call(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 (handed to the caller)
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def call_within(call, *args, timeout: float = DEADLINE):
    """``call(*args)`` for a call that takes no timeout of its own (a chunked imap's
    generator, pool.join()): run in a thread; ChildHung if it has not returned within
    ``timeout``; its exception re-raised."""
    thread, result = in_thread(call, *args)
    thread.join(timeout)
    if thread.is_alive():
        raise ChildHung(f"{getattr(call, '__name__', call)!r} gave no result within {timeout:g} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


def wait_until(predicate, timeout: float = DEADLINE, interval: float = 0.01):
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


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

"""Children and threads of the test process: start, receive, join and reap them,
each with a deadline.  Tests use these as ``support.<name>``."""

from __future__ import annotations

import contextlib
import os
import sys
import time

from mpspec.deadlines import DEADLINE


class ChildHung(AssertionError):
    """A child did not finish within its deadline (it has been killed)."""


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


def receive(conn, timeout: float = DEADLINE):
    """``conn.recv()`` that fails instead of hanging when nothing comes in time."""
    if not conn.poll(timeout):
        raise ChildHung(f"nothing arrived on {conn!r} within {timeout:g} s")
    return conn.recv()


def wait_until(predicate, timeout: float = DEADLINE, interval: float = 0.01):
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# --- is it gone? ----------------------------------------------------------------------


def gone(who) -> bool:
    """Whether ``who`` has exited, now: a pid, a ``psutil.Process`` or a Process
    object of the library.  A zombie waiting to be reaped counts as gone.

        assert support.gone(int(lines["child"]))
    """
    if hasattr(who, "is_alive"):  # a Process object: is_alive() also reaps it
        return not who.is_alive()
    import psutil

    try:
        proc = who if isinstance(who, psutil.Process) else psutil.Process(who)
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _reaped(pid: int) -> bool:
    """Reap ``pid`` if it is a child of this process that has ended; True once it is
    gone (reaped now, or not a child of ours any more)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return bool(done)


def wait_gone(who, timeout: float = DEADLINE, reap: bool = False) -> bool:
    """Wait up to ``timeout`` seconds until ``who`` (as for ``gone``) has exited;
    return whether it did.  ``reap=True``, for a pid that is a child of this process
    started by other means than the library (os.fork, subprocess): reap it with
    waitpid() as it ends (never for the library's children: their Process objects
    would lose their exit status).  Usable from scripts and the harness as well.

        assert support.wait_gone(pid), "the server outlived its program"
        stopped = {pid: wait_gone(pid, 30, reap=True) for pid in pids}
    """
    if reap:
        return wait_until(lambda: _reaped(who), timeout=timeout, interval=0.02)
    return wait_until(lambda: gone(who), timeout=timeout)


# --- children that hold, children that report ---------------------------------------


class _Release:
    """Lets a ``holding`` child go: ``set()`` (an Event's word) sends it the word over
    its pipe.  A pipe, not an Event: a child killed while it waits on an Event leaves
    the Event's set() hanging for ever (sync.event-set-after-killed-waiter)."""

    def __init__(self, conn):
        self._conn = conn

    def set(self):
        with contextlib.suppress(OSError, ValueError):  # the child is gone, or the pipe closed
            self._conn.send("go")


@contextlib.contextmanager
def holding(ctx, lock=None, *, use_with=False, times=1, check=True, **process_kwargs):
    """For the length of the with block, a child of ``ctx`` that holds ``lock``
    (acquired ``times`` times, or entered with a with-statement with ``use_with``:
    a lock, or a synchronized wrapper); without a lock, a child that just waits.
    The block begins once the child holds it; yields (child, release), where
    ``release.set()`` lets the child go early.  On the way out the child is let go
    and joined (or stopped, if the block failed), and with ``check`` must have exited
    0.  The test may kill or close the child meanwhile (then pass check=False).
    ``process_kwargs`` go to ctx.Process (name, daemon...).

        with support.holding(ctx, lock) as (child, release):
            assert not lock.acquire(timeout=WAIT)
            release.set()
            assert lock.acquire(timeout=DEADLINE)
    """
    from fixtures.holding import hold

    held_r, held_w = ctx.Pipe(duplex=False)
    release_r, release_w = ctx.Pipe(duplex=False)
    child = ctx.Process(target=hold, args=(lock, held_w, release_r, use_with, times), **process_kwargs)
    child.start()
    held_w.close()  # the child's copies are the only ones: its death means EOF
    release_r.close()
    release = _Release(release_w)
    try:
        try:
            receive(held_r)
        except EOFError:
            raise ChildHung(f"{child!r} ended without taking the lock") from None
        yield child, release
        release.set()
        with contextlib.suppress(ValueError):  # a test may have closed the object
            join(child)
    finally:
        release.set()
        with contextlib.suppress(ValueError):
            stop(child)
        held_r.close()
        release_w.close()
    if check and child.exitcode != 0:  # not an assert: the toolkit also runs under -O, unrewritten
        raise AssertionError(f"the lock holder exited with {child.exitcode}")


class _Reply:
    def __repr__(self):
        return "support.REPLY"


# Where, among a reports_back target's arguments, the writing end of the pipe goes.
REPLY = _Reply()


def reports_back(ctx, target, *args, messages: int = 1, exitcode=0, timeout: float = DEADLINE,
                 **process_kwargs):
    """Run ``target(*args)`` in a child of ``ctx``, with the writing end of a one-way
    pipe in the place of ``support.REPLY``; receive what it sends (within
    ``timeout``), join it and close the pipe.  Returns (what it sent, the child):
    one object, or a list of ``messages`` of them.  The child must exit with
    ``exitcode`` (None: any).  ``process_kwargs`` go to ctx.Process (name, daemon...).

        names, child = support.reports_back(ctx, pa.report_names, support.REPLY)
        got, _ = support.reports_back(ctx, fx.report_item, lproxy, support.REPLY, daemon=True)
    """
    if not any(a is REPLY for a in args):
        raise TypeError("reports_back: put support.REPLY among the arguments")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=target, args=tuple(writer if a is REPLY else a for a in args), **process_kwargs)
    try:
        with started(child):
            writer.close()  # the child's copy is then the only writer
            got = [receive(reader, timeout) for _ in range(messages)]
            join(child, timeout)
    finally:
        writer.close()
        reader.close()
    if exitcode is not None and child.exitcode != exitcode:  # not an assert: -O keeps this check
        raise AssertionError(f"{child!r} exited with {child.exitcode}")
    return (got[0] if messages == 1 else got), child


# --- threads --------------------------------------------------------------------------


def in_thread(call, *args, **kwargs):
    """Start ``call(*args, **kwargs)`` in a daemon thread; return (thread, result dict),
    where the dict gets "value" or "error" when the call ends.

        thread, result = support.in_thread(conn.recv_bytes)
        thread.join(DEADLINE)
        assert result == {"value": b"hi"}
    """
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
    ``timeout``; its exception re-raised.

        assert support.call_within(lock.acquire, False, timeout=PROMPT) is False
    """
    thread, result = in_thread(call, *args)
    thread.join(timeout)
    if thread.is_alive():
        raise ChildHung(f"{getattr(call, '__name__', call)!r} gave no result within {timeout:g} s")
    if "error" in result:
        raise result["error"]
    return result["value"]

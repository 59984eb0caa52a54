"""Programming guidelines — what the docs advise for every start method (proxies,
zombies, inheriting, terminating, queues and joins, passing resources, stdin) and
for spawn and forkserver (picklability, globals, the main guard).

Docs: multiprocessing › Programming guidelines › All start methods (Picklability,
Thread safety of proxies, Joining zombie processes, Better to inherit than
pickle/unpickle, Avoid terminating processes, Joining processes that use queues,
Explicitly pass resources to child processes, Beware of replacing sys.stdin with a
"file like object") and › The spawn and forkserver start methods (More
picklability, Global variables, Safe importing of main module).  The bootstrapping
message's pointer to "Safe importing of main module" is new in 3.11.x; from 3.13.8
and 3.14.1 (not 3.15) the fork server imports an unguarded main script itself and
dies of it (gh-126631).
"""

import gc
import json
import os
import pickle
import queue
import re
import signal
import sys
import threading
import time
import weakref

import pytest

from fixtures import guidelines
from mpspec import env, isolation, lib, support
from mpspec.deadlines import DEADLINE, WAIT


def setup_context():
    """A context for method-independent claims: fork where there is one."""
    methods = env.available_methods()
    return support.get_context("fork" if "fork" in methods else methods[0])


def proc_state(pid):
    """The state letter of ``pid`` in /proc (R, S, Z, ...), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def wait_ended(child):
    """Wait until ``child`` has ended, without reaping it (its sentinel is ready)."""
    if not lib.module("connection").wait([child.sentinel], DEADLINE):
        raise support.ChildHung(f"{child!r} did not end within {DEADLINE:g} s")


UNPICKLABLE = (TypeError, pickle.PicklingError)
CANNOT_PICKLE = r"(?i)can(no|')t pickle"


def refused_by_start(ctx, child):
    """start() ``child``: the pickling error it raised in the parent, before any child
    existed; None if it started.

        error = refused_by_start(ctx, child)
    """
    try:
        child.start()
    except UNPICKLABLE as error:
        assert re.search(CANNOT_PICKLE, str(error)), error
        assert ctx.active_children() == []
        return error
    return None


# --- Picklability (proxies) -------------------------------------------------


@pytest.mark.claim("guidelines.proxy-args-picklable")
def test_an_unpicklable_proxy_argument_fails_in_the_caller_and_the_proxy_goes_on(facts, observed):
    """A generator given to a list proxy's append() raises in the caller; so does a
    lambda, except with multiprocess (dill pickles it); the proxy then still works."""
    with setup_context().Manager() as manager:
        items = manager.list()
        try:
            items.append(guidelines.make_generator())
            refused = None
        except UNPICKLABLE as error:
            refused = error
            assert re.search(CANNOT_PICKLE, str(error)), error
        if facts.library == "multiprocess":
            items.append(guidelines.RETURN_ZERO)
            assert items.pop()() == 0
        else:
            with pytest.raises(pickle.PicklingError, match=CANNOT_PICKLE):
                items.append(guidelines.RETURN_ZERO)
        items.append("after the error")
        items.append(2)
        after = list(items)
    goes_on = after[-2:] == ["after the error", 2]
    observed("holds" if refused is not None and goes_on else "does-not-hold",
             because=f"append(a generator) on a list proxy raised {refused!r} in the caller; the proxy then "
             f"{'still worked' if goes_on else 'did not work'}: {after}")


# --- Thread safety of proxies ----------------------------------------------

PROCESSES, APPENDS = 4, 200
THREADS, CALLS = 8, 300


@pytest.mark.claim("guidelines.proxy-thread-safety")
def test_processes_sharing_one_proxy_all_succeed(ctx):
    """Four children appending 200 items each through the same list proxy: all 800
    arrive, none twice."""
    with ctx.Manager() as manager:
        items = manager.list()
        children = [ctx.Process(target=guidelines.append_tagged, args=(items, n, APPENDS)) for n in range(PROCESSES)]
        with support.started(*children):
            for child in children:
                assert support.join(child).exitcode == 0
        got = list(items)
    assert sorted(got) == [(n, seq) for n in range(PROCESSES) for seq in range(APPENDS)]


@pytest.mark.claim("guidelines.proxy-thread-safety")
def test_threads_sharing_one_unguarded_proxy_get_every_reply_right(ctx, observed):
    """Eight threads calling one dict proxy 600 times each, with no lock: every reply
    is the right one, because each thread gets its own connection to the manager
    (the proxy keeps it in a thread-local)."""
    with ctx.Manager() as manager:
        table = manager.dict()
        assert isinstance(table._tls, threading.local)  # the mechanism, on every version
        barrier = threading.Barrier(THREADS)
        errors, connections = [], {}

        def hammer(n):
            try:
                barrier.wait(DEADLINE)
                for i in range(CALLS):
                    table[(n, i)] = i
                    got = table.get((n, i))
                    if got != i:
                        errors.append(f"thread {n}: get({(n, i)}) returned {got!r}")
                connections[n] = table._tls.connection
            except Exception as exc:  # a garbled reply shows as an exception too
                errors.append(f"thread {n}: {exc!r}")

        threads = [threading.Thread(target=hammer, args=(n,), daemon=True) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE)
        stuck = [t.name for t in threads if t.is_alive()]
        assert not stuck, f"threads still waiting for a reply: {stuck}"
        own_connections = len({id(c) for c in connections.values()})
        entries = len(table)
        connections.clear()
    # The claim's warning about threads is the part that does not hold.
    unsafe = errors or entries != THREADS * CALLS
    observed("holds" if unsafe else "partly",
             because=f"{THREADS} threads x {CALLS} unguarded calls on one proxy: {len(errors)} wrong replies "
             f"({errors[:1]}), {entries} entries, {own_connections} connections to the manager")


# --- Joining zombie processes ------------------------------------------------


def start_another(ctx, child):
    support.run(ctx, guidelines.do_nothing)


def call_active_children(ctx, child):
    ctx.active_children()


def call_is_alive(ctx, child):
    assert not child.is_alive()


REAPERS = {
    "starting another process": start_another,
    "active_children()": call_active_children,
    "is_alive()": call_is_alive,
}


@pytest.mark.claim("guidelines.zombies-reaped")
def test_an_ended_unjoined_child_is_a_zombie_until_one_of_three_calls(ctx, observed):
    """Under fork and spawn the ended child shows state Z in /proc until the parent
    starts another process, calls active_children() or calls is_alive() on it.  A
    forkserver child is the fork server's, which reaps it at once: never a zombie."""
    reader, writer = ctx.Pipe(duplex=False)
    seen = {}
    for what, reap in REAPERS.items():
        child = ctx.Process(target=guidelines.send_parent_pid, args=(writer,))
        with support.started(child):
            parent_pid = support.receive(reader)
            wait_ended(child)
            if parent_pid == os.getpid():
                zombie = bool(support.wait_until(lambda: proc_state(child.pid) == "Z"))
                reap(ctx, child)
                seen[what] = "zombie, then reaped" if zombie and proc_state(child.pid) is None else (
                    f"zombie: {zombie}, then state {proc_state(child.pid)}")
            else:  # the fork server is its parent
                assert support.wait_until(lambda: proc_state(child.pid) is None), proc_state(child.pid)
                seen[what] = "never our zombie (its parent is another process)"
        assert child.exitcode == 0
    if all(v == "zombie, then reaped" for v in seen.values()):
        observed("holds", because=f"the ended, unjoined child was a zombie until: {', '.join(seen)}")
    else:
        assert all(v.startswith("never") for v in seen.values()), seen
        observed("does-not-hold", because=f"the ended, unjoined child: {seen}")


# --- Better to inherit than pickle/unpickle ---------------------------------


def inheritance_only(kind):
    return f"^{kind} objects should only be shared between processes through inheritance$"


@pytest.mark.claim("guidelines.inherit-not-send")
def test_a_lock_given_at_creation_works_but_sending_it_raises(ctx, observed):
    """A Lock passed as a Process argument is used by the child; sending it, or a
    Value, through a Pipe raises RuntimeError in the sender."""
    lock = ctx.Lock()
    reader, writer = ctx.Pipe(duplex=False)
    assert support.run(ctx, guidelines.use_lock, lock, writer).exitcode == 0
    inherited = support.receive(reader)
    refused = []
    for kind, thing in (("Lock", lock), ("Synchronized", ctx.Value("i", 0))):
        try:
            writer.send(thing)
        except RuntimeError as error:
            assert re.match(inheritance_only(kind), str(error)), error
            refused.append(kind)
    writer.send("the pipe still works")
    assert support.receive(reader) == "the pipe still works"
    observed("holds" if inherited == "used the lock" and len(refused) == 2 else "does-not-hold",
             because=f"the child given the lock at creation: {inherited!r}; sending refused for {refused}")


@pytest.mark.claim("guidelines.inherit-not-send")
def test_a_lock_put_on_a_queue_is_dropped_by_the_feeder_thread(ctx, facts, capfd):
    """Queue.put(lock) returns, but the feeder thread fails to pickle the lock,
    prints the RuntimeError and drops it: nothing arrives.  Later items still do
    (billiard: the feeder thread is dead, so they never arrive)."""
    with support.open_queue(ctx) as q:
        q.put(ctx.Lock())
        with pytest.raises(queue.Empty):
            q.get(timeout=WAIT)
        q.put("after the lock")
        if facts.library == "billiard":
            with pytest.raises(queue.Empty):
                q.get(timeout=WAIT)
        else:
            assert q.get(timeout=DEADLINE) == "after the lock"
    assert "RuntimeError: Lock objects should only be shared between processes through inheritance" in (
        capfd.readouterr().err
    )


# --- Avoid terminating processes --------------------------------------------


@pytest.mark.claim("guidelines.terminate-breaks-shared")
def test_a_semaphore_held_by_a_terminated_child_stays_taken(ctx, start_method, observed):
    """A child terminated while it holds a Semaphore(1) never releases it: every
    other process's acquire() fails from then on."""
    sem, held, release = ctx.Semaphore(1), ctx.Event(), ctx.Event()
    child = ctx.Process(target=guidelines.hold_until_stopped, args=(sem, held, release))
    with support.started(child):
        assert held.wait(DEADLINE)
        child.terminate()
        support.join(child)
    assert child.exitcode == support.unreported_exitcode(start_method, -signal.SIGTERM)
    freed = sem.acquire(timeout=WAIT)
    observed("does-not-hold" if freed else "holds",
             because=f"the Semaphore(1) its terminated holder had {'was free again' if freed else 'stayed taken'}")


@pytest.mark.claim("guidelines.terminate-breaks-shared")
def test_a_child_terminated_inside_get_leaves_the_queue_unreadable(ctx):
    """A child terminated while blocked in Queue.get() keeps the queue's read lock:
    the parent's get() raises Empty although an item is waiting."""
    with support.open_queue(ctx) as q:
        ready = ctx.Event()
        child = ctx.Process(target=guidelines.get_from, args=(q, ready))
        with support.started(child):
            assert ready.wait(DEADLINE)

            def child_holds_read_lock():  # q._rlock is private: the premise, checked
                if q._rlock.acquire(False):
                    q._rlock.release()
                    return False
                return True

            assert support.wait_until(child_holds_read_lock)
            child.terminate()
            support.join(child)
        q.put("waiting")
        assert support.wait_until(lambda: not q.empty())
        with pytest.raises(queue.Empty):
            q.get(timeout=WAIT)


# --- Joining processes that use queues --------------------------------------

# How long the deadlocked script may run before it counts as hung: the first try is
# short; if the script had not even reached the deadlock by then (a loaded machine),
# the next, longer try decides.
HANGS = (1.0, 3.0, 8.0)


def notes_of(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def unlink_semaphores(notes):
    """The killed script's resource tracker died with it: remove its queue's named
    semaphores (Linux keeps them in /dev/shm as sem.<name>)."""
    for line in notes:
        if line.startswith("sem /"):
            try:
                os.unlink("/dev/shm/sem." + line[len("sem /"):])
            except FileNotFoundError:
                pass


def run_until_hung(start_method, order, tmp_path):
    """Run the script in ``order`` until a try ends with it killed in the deadlock
    (the child's put returned, the parent is joining); return that try's notes, or
    None if the script finished (no deadlock)."""
    for n, hang in enumerate(HANGS):
        notes_file = tmp_path / f"{order}-{n}"
        try:
            support.run_script("guidelines_join_before_get.py", start_method, order, notes_file, timeout=hang)
        except support.ChildHung:
            pass
        else:
            return None
        finally:
            unlink_semaphores(notes_of(notes_file))
        notes = notes_of(notes_file)
        assert "joined" not in notes, "join() returned: the script hung somewhere else"
        if "put returned" in notes and "joining" in notes:
            return notes
    pytest.fail(f"the script never reached the deadlock: {notes}")


@pytest.mark.claim("guidelines.join-before-drain-deadlock")
def test_joining_before_getting_a_large_item_deadlocks(start_method, tmp_path, observed):
    """A child put 1 MiB on a queue: the parent that joins it before get() waits for
    ever (the script is killed after a second or more, the child with it); get()
    then join() returns the item and exitcode 0."""
    notes = run_until_hung(start_method, "join-first", tmp_path)
    if notes is not None:
        (child_pid,) = [int(line.split()[1]) for line in notes if line.startswith("child ")]
        assert support.wait_until(lambda: proc_state(child_pid) in (None, "Z")), "the child survived the kill"
        isolation.remove_pymp_dirs_of_the_killed("the hung script, killed at its deadline")

    done = support.run_script("guidelines_join_before_get.py", start_method, "get-first", tmp_path / "get-first")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["got", str(guidelines.BIG), "exitcode", "0"]
    observed("holds" if notes is not None else "does-not-hold",
             because="joining before get(): " + ("the child's put had returned, the parent was still joining when "
                                                  "the script was killed" if notes is not None else "the script finished")
             + "; get() then join() returned the item")


CHILD_SECONDS = 0.3


@pytest.mark.claim("guidelines.nondaemon-auto-joined")
def test_a_parent_that_ends_joins_its_nondaemonic_child(start_method, tmp_path, observed):
    """The main code starts a non-daemonic child (0.3 s of work) and ends without
    joining it: the library's exit handler waits for the child, so its file exists
    when the handlers are done, no sooner than 0.3 s after the program started
    (billiard: the program ends while the child still runs)."""
    written = tmp_path / "written"
    started = time.monotonic()
    done = support.run_script("guidelines_nondaemon.py", start_method, written, CHILD_SECONDS)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines in (["main code done", "at exit the file exists: True"], ["main code done", "at exit the file exists: False"])
    joined = lines[1].endswith("True")
    assert elapsed >= CHILD_SECONDS  # the child holds the script's output pipes till it ends
    assert written.read_text(encoding="utf-8") == f"written after {CHILD_SECONDS:g} s"
    observed("holds" if joined else "does-not-hold",
             because=f"when the exit handlers were done the child's file {'existed' if joined else 'did not exist yet'}")


# --- Explicitly pass resources to child processes ---------------------------


@pytest.mark.claim("guidelines.pass-resources-explicitly")
def test_a_lock_as_argument_works_everywhere_a_global_one_only_under_fork(start_method, facts, observed):
    """A lock created under the main guard: a child that uses the global name has it
    only under fork (spawn and forkserver: NameError, exitcode 1); a child that is
    given it as an argument uses it under every start method."""
    done = support.run_script("guidelines_global_lock.py", start_method)
    assert done.returncode == 0, done.stderr
    report = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    observed("holds" if report["argument"] == "0 used the lock" else "does-not-hold",
             because=f"the child given the lock as an argument ({start_method}): {report['argument']!r}")
    if start_method == "fork":
        assert report["global"] == "0 used the lock"
    elif facts.library == "billiard" and facts.python < (3, 10):  # billiard 4.2: no main
        assert report["global"] == f"{support.unreported_exitcode(start_method, 1)} None"
        assert "Can't get attribute 'use_global_lock'" in done.stderr
    else:
        assert report["global"] == "1 None"
        assert "NameError: name 'lock' is not defined" in done.stderr


@pytest.mark.claim("guidelines.arg-keeps-alive")
def test_the_parent_lets_go_of_an_argument_once_the_child_started(ctx, start_method, observed):
    """The parent keeps no reference to a Process argument after start(): a Lock it
    no longer names is collected at once.  A fork child has its copy; a spawn or
    forkserver child that unpickles it afterwards finds its semaphore unlinked and
    dies (FileNotFoundError, exitcode 1).  billiard keeps the argument."""
    gate = ctx.Event()  # holds a spawn/forkserver child before it unpickles the lock
    reader, writer = ctx.Pipe(duplex=False)
    lock = ctx.Lock()
    collected = threading.Event()
    weakref.finalize(lock, collected.set)
    child = ctx.Process(target=guidelines.use_lock_after_gate, args=(guidelines.Gate(gate), lock, writer))
    with support.started(child):
        del lock
        gc.collect()
        let_go = collected.wait(WAIT)  # at once, where it is let go
        gate.set()
        support.join(child)
    observed("does-not-hold" if let_go else "holds",
             because=f"the lock the parent no longer named was {'collected' if let_go else 'still alive'} after start(); "
             f"the {start_method} child exited {child.exitcode}")
    if not let_go or start_method == "fork":
        assert child.exitcode == 0
        assert support.receive(reader) == "used the lock"
    else:
        assert child.exitcode == 1
        assert not reader.poll(0)


# --- Beware of replacing sys.stdin with a "file like object" -----------------


@pytest.mark.claim("guidelines.stdin-devnull")
def test_a_child_reads_nothing_from_stdin(start_method, observed):
    """The parent's stdin is a pipe holding data; the child finds its original stdin
    closed and a new one on os.devnull that reads '' at once; the data stays for the
    parent."""
    done = support.run_script("guidelines_stdin.py", start_method)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["exitcode"] == 0
    observed("holds" if report["child"] == {"read": "", "original closed": True, "devnull": True} else "does-not-hold",
             because=f"the child's stdin: {report['child']}")
    assert report["parent read"] == "input waiting in the parent's stdin\n"


def copies_written(ctx, replacement, sink):
    """Make ``replacement`` sys.stdin while a child starts and ends, then close it
    in the parent; return how many times its buffered line reached ``sink``."""
    replacement.write("buffered line\n")
    saved = sys.stdin
    sys.stdin = replacement
    try:
        child = support.run(ctx, guidelines.do_nothing)
    finally:
        sys.stdin = saved
        replacement.close()
    assert child.exitcode == 0
    return sink.read_text(encoding="utf-8").count("buffered line\n") if sink.exists() else 0


@pytest.mark.claim("guidelines.stdin-filelike-double-flush")
def test_a_buffered_stdin_replacement_is_flushed_by_the_child_too(ctx, tmp_path, observed):
    """sys.stdin replaced by a buffered file holding an unflushed line: the fork
    child's start-up close() writes the line, and the parent's close() writes it
    again.  Spawn and forkserver children never see the replacement: one copy."""
    sink = tmp_path / "sink"
    copies = copies_written(ctx, open(sink, "a", encoding="utf-8"), sink)
    assert copies in (1, 2)
    observed("holds" if copies == 2 else "does-not-hold", because=f"the buffered line was written {copies} time(s)")


@pytest.mark.claim("guidelines.stdin-filelike-double-flush")
def test_a_buffer_that_knows_its_pid_is_written_once(ctx, tmp_path):
    """The docs' remedy: a replacement that remembers the pid that filled its buffer
    and drops the buffer in any other process is written once."""
    sink = tmp_path / "sink"
    assert copies_written(ctx, guidelines.PidAwareBuffer(sink), sink) == 1


# --- More picklability --------------------------------------------------------


@pytest.mark.claim("guidelines.process-args-picklable")
def test_an_unpicklable_argument_fails_in_start(ctx, facts, observed):
    """A threading.Lock as argument: spawn and forkserver raise in start(), in the
    parent, before any child exists; fork runs the child with it (multiprocess: dill
    pickles the lock, every method runs)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=guidelines.use_lock, args=(threading.Lock(), writer))
    error = refused_by_start(ctx, child)
    if error is not None:
        observed("holds", because=f"start() with a threading.Lock argument raised {error!r} in the parent")
    else:  # fork, or multiprocess's dill (whose claim holds: see the subclass test)
        support.join(child)
        assert support.receive(reader) == "used the lock"


@pytest.mark.claim("guidelines.process-args-picklable")
def test_an_unpicklable_process_subclass_fails_in_start(ctx, start_method, observed):
    """A Process subclass holding a generator: spawn and forkserver raise in start()
    (with every library); fork runs it."""
    reader, writer = ctx.Pipe(duplex=False)
    child = guidelines.HOLDS_GENERATOR[start_method](writer)
    error = refused_by_start(ctx, child)
    if error is not None:
        observed("holds", because=f"start() of a Process subclass holding a generator raised {error!r}")
    else:
        support.join(child)
        assert support.receive(reader) == 0 + 1 + 2 + 3
        observed("does-not-hold", because="the Process subclass holding a generator started and ran")


# --- Global variables ----------------------------------------------------------


@pytest.mark.claim("guidelines.globals-may-differ")
def test_a_global_changed_at_run_time_keeps_its_import_value_in_the_child(ctx, observed):
    """The parent assigns a module global before start(): a spawn or forkserver
    child sees the value set at import, a fork child the new one; a constant is the
    same in both."""
    reader, writer = ctx.Pipe(duplex=False)
    at_import = guidelines.SETTING
    guidelines.SETTING = "assigned at run time"
    try:
        support.run(ctx, guidelines.send_globals, writer)
    finally:
        guidelines.SETTING = at_import
    setting, constant = support.receive(reader)
    assert constant == guidelines.CONSTANT
    assert setting in ("assigned at run time", at_import)
    observed("holds" if setting == at_import else "does-not-hold", because=f"the child saw the global as {setting!r}")


# --- Safe importing of main module -------------------------------------------

BOOTSTRAPPING = (
    "An attempt has been made to start a new process before the current process has "
    "finished its bootstrapping phase."
)
POINTER = 'To fix this issue, refer to the "Safe importing of main module" section'


# How the parent learns that its fork server died (3.13.8+, 3.14.1+: importing the
# unguarded main module).
FORK_SERVER_GONE = ("ConnectionResetError", "ConnectionRefusedError", "BrokenPipeError", "EOFError")


def runtime_error(stderr):
    """The message of the first RuntimeError in ``stderr`` (up to the next
    traceback), whitespace collapsed."""
    assert "RuntimeError:" in stderr, stderr
    message = stderr.split("RuntimeError:", 1)[1].split("Traceback (most recent call last)")[0]
    return " ".join(message.split())


def parent_error(stderr):
    """The type of the exception that ended the script (its last line)."""
    return stderr.rstrip().splitlines()[-1].split(":")[0]


def fork_server_runs_main(facts, start_method):
    """True where the fork server preloads the main script itself (gh-126631: 3.13.8
    and 3.14.1, multiprocess 0.70.19 on any 3.13 and 3.14; 3.15 ignores a failure
    there), so an unguarded script kills it."""
    if start_method != "forkserver":
        return False
    if facts.library == "multiprocess":
        return (3, 13) <= facts.python < (3, 15)
    if facts.library == "multiprocessing":
        return (3, 13, 8) <= facts.python < (3, 14) or (3, 14, 1) <= facts.python < (3, 15)
    return False


def unguarded_env(start_method):
    """Where the fork server preloads the script with an empty sys.argv (gh-143706),
    the scripts read their start method from the environment."""
    return {"MPSPEC_UNGUARDED_METHOD": start_method}


@pytest.mark.claim("guidelines.unguarded-main-runtimeerror")
def test_an_unguarded_start_fails_in_the_child_with_the_bootstrapping_error(start_method, facts, tmp_path, observed):
    """A script that starts a process at module level: the spawn or forkserver child
    re-imports it and its start() raises RuntimeError ("An attempt has been made to
    start a new process before the current process has finished its bootstrapping
    phase. ..."); the child exits with 1, the parent carries on.  Fork works.  (3.13.8+
    and 3.14.1+ forkserver: the fork server raises it; the parent's start() fails.)"""
    marker = tmp_path / "target-ran"
    env = {"MPSPEC_UNGUARDED": f"{start_method}{os.pathsep}{marker}"}  # see the script
    done = support.run_script("unguarded_start.py", start_method, marker, env=env)
    if marker.exists():  # the target ran: nothing failed
        assert done.returncode == 0, done.stderr
        assert "exitcode 0" in done.stdout
        assert "RuntimeError" not in done.stderr
        observed("does-not-hold", because="the unguarded script's child ran its target; no RuntimeError")
        return
    if done.returncode == 1:  # the fork server died importing the script
        assert parent_error(done.stderr) in FORK_SERVER_GONE
        outcome = "partly", f"the fork server raised it and died; the parent's start() failed ({parent_error(done.stderr)})"
    else:
        assert done.returncode == 0, done.stderr
        assert f"exitcode {support.unreported_exitcode(start_method, 1)}" in done.stdout
        outcome = "holds", "the child raised it and exited; the parent carried on"
    message = runtime_error(done.stderr)
    assert message.startswith(BOOTSTRAPPING)
    assert "if __name__ == '__main__': freeze_support() ..." in message
    if facts.library == "multiprocessing" and facts.python >= (3, 11, 5):
        assert POINTER in message
    if facts.library == "billiard":
        assert POINTER not in message
    observed(outcome[0], because=f"the bootstrapping RuntimeError: {outcome[1]}")


@pytest.mark.claim("guidelines.pool-manager-main-guard")
def test_an_unguarded_pool_never_finishes_its_map(start_method, facts, observed):
    """A Pool created at module level: every spawn or forkserver worker dies with the
    bootstrapping RuntimeError and the pool replaces it with another that dies too,
    so map() never finishes.  Under fork the map returns.  (3.13.8+ and 3.14.1+
    forkserver: the fork server dies importing the script; Pool() raises.)"""
    done = support.run_script("guidelines_unguarded_pool.py", start_method, env=unguarded_env(start_method))
    isolation.remove_pymp_dirs_of_the_killed("the unguarded script's pool, terminated with the workers that re-ran it")
    if fork_server_runs_main(facts, start_method):  # Pool() itself fails
        assert done.returncode == 1 and done.stdout == ""
        assert parent_error(done.stderr) in FORK_SERVER_GONE
        assert runtime_error(done.stderr).startswith(BOOTSTRAPPING)
        observed("holds", because=f"the fork server died of the unguarded Pool(); Pool() raised {parent_error(done.stderr)}")
        return
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if lines[0] == "ready [1, 2]":
        assert "RuntimeError" not in done.stderr
        observed("does-not-hold", because="the unguarded pool's map returned [1, 2]")
    else:
        assert lines[0] == "pending"
        workers = int(lines[1].split()[1])
        assert workers > 2, "the pool did not replace its dead workers"
        assert done.stderr.count("current process has finished its bootstrapping phase") >= 2
        observed("holds", because=f"the unguarded pool's map was still pending; {workers} workers had been started, "
                 "each dying of the bootstrapping RuntimeError")


@pytest.mark.claim("guidelines.pool-manager-main-guard")
def test_an_unguarded_manager_fails_in_the_parent(start_method, facts, observed):
    """A Manager started at module level: the spawn or forkserver server process dies
    with the bootstrapping RuntimeError, and Manager() raises EOFError in the parent,
    which never got the server's address.  Under fork the manager works.  (3.13.8+ and
    3.14.1+ forkserver: the fork server dies first, and Manager() raises.)"""
    done = support.run_script("guidelines_unguarded_manager.py", start_method, env=unguarded_env(start_method))
    if done.returncode == 0:
        assert done.stdout.splitlines() == ["manager works [1, 2]"]
        observed("does-not-hold", because="the unguarded manager worked: [1, 2]")
        return
    assert done.returncode == 1
    assert done.stdout == ""
    assert runtime_error(done.stderr).startswith(BOOTSTRAPPING)
    if fork_server_runs_main(facts, start_method):
        assert parent_error(done.stderr) in FORK_SERVER_GONE
    else:
        assert done.stderr.rstrip().splitlines()[-1] == "EOFError"
    observed("holds", because=f"the unguarded Manager() failed in the parent with {parent_error(done.stderr)}, its "
             "server process dead of the bootstrapping RuntimeError")

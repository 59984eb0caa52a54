"""进程类 — The Process class: targets, subclasses, names, results, closures, the main
guard, and the start methods themselves.

Article: 进程类, its two examples and its two warnings ("Attention!").
"""

import os
import pickle
import signal
import sys
import threading
import warnings

import pytest

from fixtures import closures, exits, identity, subclasses
from mpspec import env, support
from mpspec.deadlines import WAIT

THREAD_ONLY = {"native_id"}
PROCESS_ONLY = {"pid", "exitcode", "sentinel", "authkey", "terminate", "kill", "close"}
COMMON = {"start", "run", "join", "is_alive", "name", "daemon", "ident"}


def public(cls):
    # Thread's deprecated camelCase aliases (isAlive went in 3.9).
    return {a for a in dir(cls) if not a.startswith("_")} - {"getName", "setName", "isDaemon", "setDaemon", "isAlive"}


@pytest.mark.claim("process.thread-like-api")
def test_process_offers_the_thread_api_and_more(ctx, facts):
    """Process has Thread's methods and attributes, and adds pid, exitcode, sentinel,
    authkey, terminate, kill and close (billiard: terminate_controlled instead of kill);
    Thread alone has native_id."""
    assert public(threading.Thread) == COMMON | THREAD_ONLY
    if facts.library == "billiard":
        assert public(ctx.Process) == COMMON | PROCESS_ONLY - {"kill"} | {"terminate_controlled"}
    else:
        assert public(ctx.Process) == COMMON | PROCESS_ONLY


@pytest.mark.claim("process.thread-like-api")
def test_process_lifecycle_reads_like_a_threads(ctx, facts):
    """start, is_alive, ident and join behave as for a thread; a second start is
    refused (AssertionError, where Thread raises RuntimeError); close() ends the object."""
    release = ctx.Event()
    child = ctx.Process(target=exits.wait_for, args=(release, support.DEADLINE))
    assert child.ident is None and child.exitcode is None
    child.start()
    assert child.is_alive()
    assert child.ident == child.pid != os.getpid()
    if not facts.optimize:  # an assert guards it
        with pytest.raises(AssertionError, match="cannot start a process twice"):
            child.start()
    release.set()
    assert support.join(child).join(WAIT) is None
    assert not child.is_alive() and child.exitcode == 0
    child.close()
    with pytest.raises(ValueError, match="process object is closed"):
        child.pid


@pytest.mark.claim("process.target-args")
def test_target_runs_with_its_arguments_in_a_new_process(ctx):
    """Process(target=f, args=..., kwargs=...), start(), join() runs f(*args, **kwargs)
    in a child, and join() returns once it is done."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=identity.send_args, args=(writer, "subprocess", 2), kwargs={"k": "v"})
    child.start()
    support.join(child)
    pid, args, kwargs = support.receive(reader)
    assert (args, kwargs) == (("subprocess", 2), {"k": "v"})
    assert pid == child.pid != os.getpid()
    assert child.exitcode == 0


@pytest.mark.claim("process.subclass-run")
def test_an_overridden_run_executes_in_the_child(ctx, start_method):
    """start() on a Process subclass runs its own run() in the child, with the
    attributes set in __init__."""
    reader, writer = ctx.Pipe(duplex=False)
    child = subclasses.REPORTER[start_method](writer, "set in __init__")
    child.start()
    support.join(child)
    pid, label, name = support.receive(reader)
    assert pid == child.pid != os.getpid()
    assert (label, name) == ("set in __init__", child.name)
    assert child.exitcode == 0


@pytest.mark.claim("process.name-must-be-str")
def test_assigning_an_int_to_self_name_fails_in_the_parent(ctx, start_method, verdict):
    """The article's subclass assigns an int to self.name: the name setter's assert
    stops it in the parent, before any child exists (accepted under -O)."""
    cls = subclasses.ARTICLE_STYLE[start_method]
    if verdict == "does-not-hold":
        with pytest.raises(AssertionError, match="^name must be a string$"):
            cls(0)
        assert ctx.active_children() == []
    else:
        assert cls(0).name == 0


@pytest.mark.claim("process.name-must-be-str")
@pytest.mark.parametrize("optimize", [False, True], ids=["plain", "-O"])
def test_the_article_subclass_example_as_a_script(start_method, optimize):
    """Run as a script, the example dies with AssertionError; under python -O all
    three children run."""
    done = support.run_script("article_subclass.py", start_method, optimize=optimize)
    ran = sorted(line for line in done.stdout.splitlines() if line.startswith("ran "))
    if optimize:
        assert done.returncode == 0, done.stderr
        assert ran == ["ran 0", "ran 1", "ran 2"]
        assert "parent done" in done.stdout
    else:
        assert done.returncode == 1
        assert "AssertionError: name must be a string" in done.stderr
        assert ran == []


@pytest.mark.claim("process.name-must-be-str")
def test_the_articles_join_loop_joins_only_the_last_process(ctx, start_method):
    """Calling join() on the loop variable three times waits for the last process
    only: the first two may still be running."""
    cls = subclasses.ARTICLE_STYLE[start_method]
    events = [ctx.Event() for _ in range(3)]
    children = [cls(f"child-{i}", events[i]) for i in range(3)]
    for child in children:
        child.start()
    events[2].set()  # only the last one may finish
    for _ in range(3):
        support.join(children[2])
    assert children[2].exitcode == 0
    assert children[0].is_alive() and children[1].is_alive()
    for event, child in zip(events, children):
        event.set()
        support.join(child)


@pytest.mark.claim("process.name-must-be-str")
def test_an_int_name_passed_to_the_constructor_skips_the_check(ctx, start_method, facts):
    """Process(name=5) bypasses the setter: fork runs with the int name; a spawn or
    forkserver child dies while preparing, when its name is set (exitcode 1; 255 with
    billiard's fork server)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=identity.send_name, args=(writer,), name=5)
    assert child.name == 5
    child.start()
    support.join(child)
    if start_method == "fork" or facts.optimize:
        assert child.exitcode == 0
        assert support.receive(reader) == 5
    else:
        assert child.exitcode == support.unreported_exitcode(start_method, 1)
        assert not reader.poll(WAIT)


@pytest.mark.claim("process.no-return-value")
def test_the_targets_return_value_is_discarded(ctx):
    """The return value goes nowhere: exitcode is 0, join() returns None and neither
    Process nor Thread has any result attribute."""
    child = support.run(ctx, exits.return_value)
    assert child.exitcode == 0
    assert child.join(WAIT) is None
    for attribute in ("result", "get", "return_value", "value"):
        assert not hasattr(child, attribute)
        assert not hasattr(threading.Thread(), attribute)


@pytest.mark.claim("process.no-return-value")
def test_exit_codes_tell_how_a_child_ended(ctx, start_method, facts):
    """exitcode is n for sys.exit(n), 1 for sys.exit('message'), 0 for a bare sys.exit()
    (1 before 3.9), 1 for an uncaught exception, and -N for death by signal N.  billiard
    gives 0 for sys.exit('message'), 1 for a bare sys.exit(), and 255 for a signal under
    forkserver."""
    billiard = facts.library == "billiard"
    assert support.run(ctx, exits.exit_with, 3).exitcode == 3
    assert support.run(ctx, exits.exit_with, "a message").exitcode == (0 if billiard else 1)
    bare = 1 if billiard or sys.version_info < (3, 9) else 0
    assert support.run(ctx, exits.exit_bare).exitcode == bare
    assert support.run(ctx, exits.raise_error).exitcode == 1
    for stop, signum in (("terminate", "SIGTERM"), ("kill", "SIGKILL")):
        release = ctx.Event()
        child = ctx.Process(target=exits.wait_for, args=(release, support.DEADLINE))
        child.start()
        if hasattr(child, stop):
            getattr(child, stop)()
        else:  # billiard's Process has no kill()
            os.kill(child.pid, getattr(signal, signum))
        support.join(child)
        expected = -getattr(signal, signum) if os.name == "posix" else -signal.SIGTERM
        assert child.exitcode == support.unreported_exitcode(start_method, expected)


def closure_error(facts):
    """The exception start() raises for a closure target, per implementation and
    Python version."""
    if facts.implementation == "PyPy":  # PyPy's pickle is the pure-Python one
        return pickle.PicklingError, (
            r"^Can't pickle <function make_closure\.<locals>\.send_ran at 0x[0-9a-f]+>: "
            r"it's not found as fixtures\.closures\.make_closure\.<locals>\.send_ran$"
        )
    if sys.version_info >= (3, 14):
        return pickle.PicklingError, "local object"
    if sys.version_info >= (3, 12, 5):
        return AttributeError, "^Can't get local object 'make_closure.<locals>.send_ran'$"
    return AttributeError, "^Can't pickle local object 'make_closure.<locals>.send_ran'$"


@pytest.mark.claim("process.closure-target")
def test_a_closure_as_target(ctx, verdict, facts):
    """A nested function as target: fork runs it; spawn and forkserver fail in start(),
    in the parent, before any child exists (with multiprocess, whose dill pickles it,
    every start method runs it; on PyPy the error is a PicklingError)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=closures.make_closure(writer))
    if verdict == "does-not-hold":
        child.start()
        support.join(child)
        assert support.receive(reader) == "ran"
    else:
        error, message = closure_error(facts)
        with pytest.raises(error, match=message):
            child.start()
        assert ctx.active_children() == []


@pytest.mark.claim("process.closure-target")
def test_a_lambda_as_target(ctx, verdict):
    """A lambda as target: fork runs it; spawn and forkserver raise pickle.PicklingError
    (with multiprocess every start method runs it)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=closures.send_ran_lambda, args=(writer,))
    if verdict == "does-not-hold":
        child.start()
        support.join(child)
        assert support.receive(reader) == "ran"
    else:
        with pytest.raises(pickle.PicklingError, match="<lambda>"):
            child.start()
        assert ctx.active_children() == []


@pytest.mark.claim("process.main-guard")
def test_a_script_without_the_main_guard(start_method, verdict, tmp_path):
    """A script that starts a process at module level: under spawn and forkserver the
    child re-runs it and dies with RuntimeError (bootstrapping phase), exitcode 1 (255
    with billiard's fork server); fork is fine."""
    marker = tmp_path / "target-ran"
    done = support.run_script("unguarded_start.py", start_method, marker)
    assert done.returncode == 0, done.stderr  # the parent itself carries on
    if verdict == "does-not-hold":
        assert "exitcode 0" in done.stdout
        assert marker.exists()
    else:
        assert f"exitcode {support.unreported_exitcode(start_method, 1)}" in done.stdout
        assert "RuntimeError" in done.stderr
        assert "bootstrapping phase" in done.stderr
        assert not marker.exists()


EXPECTED_METHODS = {
    "linux": ["fork", "spawn", "forkserver"],
    "darwin": ["fork", "spawn", "forkserver"],
    "win32": ["spawn"],
}


def expected_default():
    if sys.platform == "win32" or sys.platform == "darwin":
        return "spawn"
    return "forkserver" if sys.version_info >= (3, 14) else "fork"


@pytest.mark.claim("process.start-methods")
def test_the_platform_offers_these_start_methods():
    """Linux offers fork, spawn and forkserver (default fork, forkserver from 3.14);
    macOS defaults to spawn; Windows has spawn only."""
    if sys.platform not in EXPECTED_METHODS:
        pytest.skip(f"not applicable: no registered expectation for {sys.platform}")
    assert env.available_methods() == EXPECTED_METHODS[sys.platform]
    assert env.default_method() == expected_default()


def forking_warnings():
    """Start a fork child while a second thread runs; return the warnings caught."""
    if "fork" not in env.available_methods():
        pytest.skip(env.not_applicable_reason("fork"))
    release = threading.Event()
    thread = threading.Thread(target=release.wait, args=(support.DEADLINE,))
    thread.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            support.run(support.get_context("fork"), exits.return_value)
    finally:
        release.set()
        thread.join(support.DEADLINE)
        support.reap_children()
    return [w for w in caught if "multi-threaded" in str(w.message)]


@pytest.mark.claim("process.start-methods")
def test_forking_with_threads_warns_from_3_12():
    """From 3.12, fork() in a process that runs other threads emits DeprecationWarning
    ("is multi-threaded, use of fork() may lead to deadlocks")."""
    caught = forking_warnings()
    if sys.version_info >= (3, 12):
        assert [w.category for w in caught] == [DeprecationWarning]
        assert "use of fork() may lead to deadlocks in the child" in str(caught[0].message)
    else:
        assert caught == []


@pytest.mark.claim("process.start-methods")
def test_the_fork_warning_is_hidden_by_default():
    """The warning is attributed to multiprocessing, not __main__, so the default
    filters hide it; -W default shows it (from 3.12)."""
    if "fork" not in env.available_methods():
        pytest.skip(env.not_applicable_reason("fork"))
    quiet = support.run_script("fork_with_thread.py")
    loud = support.run_script("fork_with_thread.py", options=["-W", "default"])
    assert "exitcode 0" in quiet.stdout and "exitcode 0" in loud.stdout
    assert "DeprecationWarning" not in quiet.stderr
    assert ("is multi-threaded" in loud.stderr) == (sys.version_info >= (3, 12))

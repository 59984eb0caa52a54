"""进程类 — The Process class: targets, subclasses, names, results, closures, the main
guard, and the start methods themselves.

Article: 进程类, its two examples and its two warnings ("Attention!").

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of one part of a claim that only partly holds pin that part
and observe nothing.
"""

import os
import pickle
import re
import signal
import sys
import threading
import warnings

import pytest

from fixtures import closures, exits, identity, subclasses
from mpspec import env, lib, support
from mpspec.deadlines import DEADLINE, WAIT

THREAD_ONLY = {"native_id"}
PROCESS_ONLY = {"pid", "exitcode", "sentinel", "authkey", "terminate", "kill", "close"}
COMMON = {"start", "run", "join", "is_alive", "name", "daemon", "ident"}


def public(cls):
    # Thread's deprecated camelCase aliases (isAlive went in 3.9).
    return {a for a in dir(cls) if not a.startswith("_")} - {"getName", "setName", "isDaemon", "setDaemon", "isAlive"}


def process_only(facts):
    """What Process adds to Thread's API: billiard has terminate_controlled instead of
    kill; from 3.14 there is interrupt() too (BaseProcess.interrupt)."""
    if facts.library == "billiard":
        return PROCESS_ONLY - {"kill"} | {"terminate_controlled"}
    if facts.python >= (3, 14):
        return PROCESS_ONLY | {"interrupt"}
    return PROCESS_ONLY


@pytest.mark.claim("process.thread-like-api")
def test_process_offers_the_thread_api_and_more(ctx, facts, observed):
    """Process has Thread's methods and attributes, and adds pid, exitcode, sentinel,
    authkey, terminate, kill and close (billiard: terminate_controlled instead of kill),
    and interrupt from 3.14; Thread alone has native_id."""
    thread, process = public(threading.Thread), public(ctx.Process)
    assert thread == COMMON | THREAD_ONLY
    assert process == COMMON | process_only(facts)
    shared, only_process, only_thread = thread & process, process - thread, thread - process
    if not shared:
        seen = "does-not-hold"
    else:
        seen = "partly" if only_process or only_thread else "holds"
    observed(
        seen,
        because=f"Process shares {len(shared)} of Thread's {len(thread)} public names; "
        f"it adds {', '.join(sorted(only_process)) or 'nothing'} and lacks {', '.join(sorted(only_thread)) or 'nothing'}",
    )


@pytest.mark.claim("process.thread-like-api")
def test_interrupt_sends_the_child_sigint_from_3_14(ctx, facts):
    """From 3.14 Process.interrupt() sends SIGINT: the child's target gets
    KeyboardInterrupt, which the bootstrap reports as exitcode 1 (not -SIGINT).  Before
    3.14, and in billiard, there is no interrupt()."""
    if "interrupt" not in process_only(facts):
        assert not hasattr(ctx.Process, "interrupt")
        return
    started, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=exits.signal_then_wait, args=(started, release, support.DEADLINE))
    child.start()
    try:
        assert started.wait(DEADLINE), "the child never ran its target"
        child.interrupt()
    finally:
        release.set()  # a child that ignored the signal ends with 0 and fails the test
        support.join(child)
    assert child.exitcode == 1


@pytest.mark.claim("process.thread-like-api")
def test_process_lifecycle_reads_like_a_threads(ctx, facts):
    """start, is_alive, ident and join behave as for a thread; a second start is
    refused (AssertionError, where Thread raises RuntimeError); close() ends the object."""
    release = ctx.Event()
    child = ctx.Process(target=exits.wait_for, args=(release, support.DEADLINE))
    assert child.ident is None and child.exitcode is None
    child.start()
    try:
        assert child.is_alive()
        assert child.ident == child.pid != os.getpid()
        if not facts.optimize:  # an assert guards it
            with pytest.raises(AssertionError, match="cannot start a process twice"):
                child.start()
        release.set()
        assert support.join(child).join(WAIT) is None
    finally:
        support.stop(child)  # (a no-op once it has ended)
    assert not child.is_alive() and child.exitcode == 0
    child.close()
    with pytest.raises(ValueError, match="process object is closed"):
        child.pid


@pytest.mark.claim("process.target-args")
def test_target_runs_with_its_arguments_in_a_new_process(ctx, observed):
    """Process(target=f, args=..., kwargs=...), start(), join() runs f(*args, **kwargs)
    in a child, and join() returns once it is done."""
    (pid, args, kwargs), child = support.reports_back(
        ctx, identity.send_args, support.REPLY, "subprocess", 2, kwargs={"k": "v"}
    )
    assert pid == child.pid
    ran = (args, kwargs) == (("subprocess", 2), {"k": "v"}) and pid != os.getpid() and child.exitcode == 0
    observed(
        "holds" if ran else "does-not-hold",
        because=f"the target ran in pid {pid} (the parent is {os.getpid()}) with args {args!r} and kwargs {kwargs!r}; "
        f"after join() the exitcode was {child.exitcode}",
    )


@pytest.mark.claim("process.subclass-run")
def test_an_overridden_run_executes_in_the_child(ctx, start_method, observed):
    """start() on a Process subclass runs its own run() in the child, with the
    attributes set in __init__."""
    reader, writer = ctx.Pipe(duplex=False)
    child = subclasses.REPORTER[start_method](writer, "set in __init__")
    child.start()
    support.join(child)
    pid, label, name = support.receive(reader)
    assert pid == child.pid
    ran = pid != os.getpid() and (label, name) == ("set in __init__", child.name) and child.exitcode == 0
    observed(
        "holds" if ran else "does-not-hold",
        because=f"the overridden run() ran in pid {pid} (the parent is {os.getpid()}) and saw {label!r} and "
        f"the name {name!r}; exitcode {child.exitcode}",
    )


@pytest.mark.claim("process.name-must-be-str")
def test_assigning_an_int_to_self_name_fails_in_the_parent(ctx, start_method, observed):
    """The article's subclass assigns an int to self.name: the name setter's assert
    stops it in the parent, before any child exists (accepted under -O)."""
    cls = subclasses.ARTICLE_STYLE[start_method]
    try:
        named = cls(0)
    except AssertionError as error:
        assert str(error) == "name must be a string"
        assert ctx.active_children() == []
        observed("does-not-hold", because=f"self.name = 0 raised AssertionError({str(error)!r}) in the parent")
    else:
        assert named.name == 0
        observed("holds", because="self.name = 0 was accepted (the name setter's assert is compiled out)")


@pytest.mark.claim("process.name-must-be-str")
@pytest.mark.parametrize("optimize", [False, True], ids=["plain", "-O"])
def test_the_article_subclass_example_as_a_script(start_method, optimize, facts, observed):
    """Run as a script, the example dies with AssertionError; under python -O all
    three children run."""
    done = support.run_script("article_subclass.py", start_method, optimize=optimize)
    ran = sorted(line for line in done.stdout.splitlines() if line.startswith("ran "))
    if optimize == bool(facts.optimize):  # the script ran as this environment runs code
        worked = done.returncode == 0 and ran == ["ran 0", "ran 1", "ran 2"]
        observed(
            "holds" if worked else "does-not-hold",
            because=f"the example{' under -O' if optimize else ''} exited with {done.returncode} "
            f"after {len(ran)} of 3 children ran",
        )
    if optimize:
        assert done.returncode == 0, done.stderr
        assert ran == ["ran 0", "ran 1", "ran 2"], f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
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
def test_the_targets_return_value_is_discarded(ctx, observed):
    """The return value goes nowhere: exitcode is 0, join() returns None and neither
    Process nor Thread has any result attribute."""
    child = support.run(ctx, exits.return_value)
    assert child.exitcode == 0
    joined = child.join(WAIT)
    ways = [a for a in ("result", "get", "return_value", "value") if hasattr(child, a)]
    for attribute in ("result", "get", "return_value", "value"):
        assert not hasattr(threading.Thread(), attribute)
    observed(
        "holds" if joined is None and not ways else "does-not-hold",
        because=f"join() returned {joined!r} and the Process has {', '.join(ways) or 'none'} of result, get, return_value, value",
    )


def exitcode_of(ending, facts):
    """The exit code a child gets for ``ending``: billiard gives 0 for
    sys.exit('message') and 1 for a bare sys.exit(), as Python did before 3.9."""
    billiard = facts.library == "billiard"
    return {
        "sys.exit(3)": 3,
        "sys.exit('a message')": 0 if billiard else 1,
        "bare sys.exit()": 1 if billiard or facts.python < (3, 9) else 0,
        "uncaught exception": 1,
    }[ending]


ENDINGS = {
    "sys.exit(3)": (exits.exit_with, 3),
    "sys.exit('a message')": (exits.exit_with, "a message"),
    "bare sys.exit()": (exits.exit_bare,),
    "uncaught exception": (exits.raise_error,),
}


@pytest.mark.claim("process.no-return-value")
@pytest.mark.parametrize("ending", ENDINGS)
def test_the_exit_code_tells_how_a_child_ended(ctx, facts, ending):
    """exitcode is n for sys.exit(n), 1 for sys.exit('message'), 0 for a bare sys.exit()
    (1 before 3.9) and 1 for an uncaught exception (billiard: 0 for sys.exit('message'),
    1 for a bare sys.exit())."""
    assert support.run(ctx, *ENDINGS[ending]).exitcode == exitcode_of(ending, facts)


@pytest.mark.claim("process.no-return-value")
@pytest.mark.parametrize("stop, signum", [("terminate", "SIGTERM"), ("kill", "SIGKILL")])
def test_a_child_killed_by_signal_n_has_exit_code_minus_n(ctx, start_method, stop, signum):
    """exitcode is -N for a child ended by signal N (billiard's fork server: 255)."""
    release = ctx.Event()
    child = ctx.Process(target=exits.wait_for, args=(release, support.DEADLINE))
    with support.started(child):
        if hasattr(child, stop):
            getattr(child, stop)()
        else:  # billiard's Process has no kill()
            os.kill(child.pid, getattr(signal, signum))
        support.join(child)
    expected = -getattr(signal, signum) if os.name == "posix" else -signal.SIGTERM
    assert child.exitcode == support.unreported_exitcode(start_method, expected)


def closure_error(facts):
    """The exception start() raises for a closure target, and its message (a regex),
    per implementation and Python version."""
    if facts.implementation == "PyPy":  # PyPy's pickle is the pure-Python one
        return pickle.PicklingError, (
            r"^Can't pickle <function make_closure\.<locals>\.send_ran at 0x[0-9a-f]+>: "
            r"it's not found as fixtures\.closures\.make_closure\.<locals>\.send_ran$"
        )
    if facts.python >= (3, 14):  # pickle.whichmodule refuses '<locals>' outright
        return pickle.PicklingError, (
            r"^Can't pickle local object <function make_closure\.<locals>\.send_ran at 0x[0-9a-f]+>$"
        )
    if facts.python >= (3, 12, 5):
        return AttributeError, "^Can't get local object 'make_closure.<locals>.send_ran'$"
    return AttributeError, "^Can't pickle local object 'make_closure.<locals>.send_ran'$"


def lambda_error(facts):
    """The message (a regex) of the PicklingError start() raises for a lambda target."""
    function = r"^Can't pickle <function <lambda> at 0x[0-9a-f]+>: "
    if facts.implementation == "PyPy" or facts.python >= (3, 14):
        return function + r"it's not found as fixtures\.closures\.<lambda>$"
    return function + r"attribute lookup <lambda> on fixtures\.closures failed$"


def assert_start_refused(error, message, refused, facts):
    """The exception and message start() raised, and from 3.14 the notes pickle adds
    (gh-122213) on the way out: the Process's '_target' item, then its state."""
    assert isinstance(refused, error), repr(refused)
    assert re.match(message, str(refused)), str(refused)
    notes = getattr(refused, "__notes__", [])
    if facts.implementation == "CPython" and facts.python >= (3, 14):
        assert notes[0] == "when serializing dict item '_target'"
        assert notes[-1].endswith("Process object")
    else:
        assert notes == []


def start_or_refusal(child):
    """start() the child: the exception it raised, or None when it started."""
    try:
        child.start()
    except Exception as error:
        return error
    return None


def observe_target(observed, ctx, child, reader, refused, what):
    """Observe whether start() refused a target that cannot be pickled (the claim holds)
    or the target ran in the child (it does not)."""
    if refused is None:
        support.join(child)
        got = support.receive(reader)
        assert got == "ran"
        observed("does-not-hold", because=f"start() accepted {what} and it ran in the child (exitcode {child.exitcode})")
    else:
        assert ctx.active_children() == []
        observed("holds", because=f"start() refused {what} in the parent: {type(refused).__name__}: {refused}")


@pytest.mark.claim("process.closure-target")
def test_a_closure_as_target(ctx, facts, observed):
    """A nested function as target: fork runs it; spawn and forkserver fail in start(),
    in the parent, before any child exists: AttributeError up to 3.13, PicklingError
    "Can't pickle local object" from 3.14 (with multiprocess, whose dill pickles it,
    every start method runs it; on PyPy the error is a PicklingError)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=closures.make_closure(writer))
    refused = start_or_refusal(child)
    if refused is not None:
        assert_start_refused(*closure_error(facts), refused, facts)
    observe_target(observed, ctx, child, reader, refused, "a closure target")


@pytest.mark.claim("process.closure-target")
def test_a_lambda_as_target(ctx, facts, observed):
    """A lambda as target: fork runs it; spawn and forkserver raise pickle.PicklingError
    ("attribute lookup <lambda> ... failed"; from 3.14, and on PyPy, "it's not found as
    ...<lambda>") (with multiprocess every start method runs it)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=closures.send_ran_lambda, args=(writer,))
    refused = start_or_refusal(child)
    if refused is not None:
        assert_start_refused(pickle.PicklingError, lambda_error(facts), refused, facts)
    observe_target(observed, ctx, child, reader, refused, "a lambda target")


def fork_server_preloads_main(facts):
    """Whether the fork server imports the main module when it starts: the standard
    library's does from 3.13.8 and 3.14.1 (gh-126631: before, ForkServer.ensure_running
    never passed the module's path on, so the '__main__' preload did nothing);
    multiprocess's does on 3.13 and later, whose standard library its copies follow
    (0.70.19); billiard's never does."""
    if facts.library == "multiprocess":
        return facts.python >= (3, 13)
    if facts.library != "multiprocessing":
        return False
    return facts.python >= (3, 14, 1) or (3, 13, 8) <= facts.python < (3, 14)


def fork_server_dies_importing_unguarded_main(facts):
    """A failure while the fork server preloads the main module kills it, except in
    the standard library from 3.15, which ignores it (set_forkserver_preload's default
    on_error='ignore'; multiprocess 0.70.19 has no such option)."""
    if facts.library == "multiprocessing" and facts.python >= (3, 15):
        return False
    return fork_server_preloads_main(facts)


def fork_server_gone(facts):
    """What the parent's start() raises when the fork server died preloading the
    script (the last line of the script's stderr, a regex).  3.14 first answers the
    server's authentication challenge: the read finds the connection reset.  3.13 has no
    handshake: it sends the fds and then reads the child's pid from a pipe whose other
    end died with the server (EOF); sending into the dead connection instead, in the
    moment between connect and send, is a broken pipe.  Either way the connect itself is
    refused if the server was gone before it."""
    if facts.python >= (3, 14):
        return r"^(ConnectionResetError|ConnectionRefusedError): \[Errno \d+\] "
    return r"^(EOFError: unexpected EOF$|(ConnectionRefusedError|BrokenPipeError): \[Errno \d+\] )"


def run_unguarded(method, marker):
    """Run the unguarded script with ``method`` ("default": no start method named).  The
    arguments travel in the environment, which a fork server preloading the script
    always sees (some releases preloaded it with an empty sys.argv, gh-143706)."""
    return support.run_script("unguarded_start.py", env={"MPSPEC_UNGUARDED": os.pathsep.join([method, str(marker)])})


def assert_unguarded_outcome(done, marker, method, facts):
    """The unguarded script under ``method``: fork runs the target; spawn (and
    forkserver before the main-module preload, or from 3.15) re-runs the script in the
    child, which dies with the bootstrapping RuntimeError, exitcode 1; a fork server that
    preloads the script dies of that error itself (3.13.8+, 3.14.1+, before 3.15) and
    the parent's start() fails, crashing the script."""
    if method == "fork":
        assert done.returncode == 0, done.stderr
        assert "exitcode 0" in done.stdout
        assert marker.exists()
        assert "RuntimeError" not in done.stderr
        return
    assert "RuntimeError" in done.stderr
    assert "bootstrapping phase" in done.stderr
    assert not marker.exists()
    if method == "forkserver" and fork_server_dies_importing_unguarded_main(facts):
        assert done.returncode == 1
        assert "exitcode" not in done.stdout  # start() never returned
        assert re.match(fork_server_gone(facts), done.stderr.rstrip().splitlines()[-1]), done.stderr
    else:
        assert done.returncode == 0, done.stderr  # the parent itself carries on
        assert f"exitcode {support.unreported_exitcode(method, 1)}" in done.stdout


@pytest.mark.claim("process.main-guard")
def test_a_script_without_the_main_guard(start_method, facts, tmp_path, observed):
    """A script that starts a process at module level: under spawn and forkserver the
    child re-runs it and dies with RuntimeError (bootstrapping phase), exitcode 1 (255
    with billiard's fork server); fork is fine.  From 3.13.8 and 3.14.1 until 3.15 the
    fork server runs the script itself, dies of that error, and the parent's start()
    fails: the whole script crashes."""
    marker = tmp_path / "target-ran"
    done = run_unguarded(start_method, marker)
    assert_unguarded_outcome(done, marker, start_method, facts)
    worked = done.returncode == 0 and marker.exists()
    observed(
        "does-not-hold" if worked else "holds",
        because=f"the unguarded script exited with {done.returncode} and its target "
        f"{'ran' if marker.exists() else 'never ran'}"
        + ("" if worked else f" ({done.stderr.rstrip().splitlines()[-1] if done.stderr.strip() else 'no stderr'})"),
    )


@pytest.mark.claim("process.main-guard")
def test_who_runs_a_guarded_main_modules_top_level(start_method, facts):
    """A guarded script's top level runs in the parent, and again in every spawn child
    (as __mp_main__, before the target) and in every forkserver child; from 3.13.8 and
    3.14.1 the fork server runs it once instead, as it starts, and its children inherit
    the module.  A fork child never runs it."""
    done = support.run_script("main_module_runs.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    children = set(lines[-1].split()[1:])
    assert lines[-1].startswith("children ") and len(children) == 2
    assert {line.split()[1] for line in lines if line.startswith("child ")} == children
    top = [line.split()[2:] for line in lines if line.startswith("top level ")]
    (name, parent), again = top[0], top[1:]  # the parent's own run comes first
    assert name == "__main__" and parent not in children
    assert all(name == "__mp_main__" for name, _ in again)
    rerun_in = [pid for _, pid in again]
    if start_method == "fork":
        assert again == []
    elif start_method == "forkserver" and fork_server_preloads_main(facts):
        assert len(rerun_in) == 1 and rerun_in[0] not in children | {parent}  # the fork server
    else:
        assert sorted(rerun_in) == sorted(children)


EXPECTED_METHODS = {
    "linux": ["fork", "spawn", "forkserver"],
    "darwin": ["fork", "spawn", "forkserver"],
    "win32": ["spawn"],
}


def expected_default(facts):
    """Linux's default is fork up to 3.13 and forkserver from 3.14 (the standard
    library's; multiprocess and billiard keep fork); macOS and Windows use spawn."""
    if sys.platform == "win32" or sys.platform == "darwin":
        return "spawn"
    return "forkserver" if facts.python >= (3, 14) and facts.library == "multiprocessing" else "fork"


@pytest.mark.claim("process.start-methods")
def test_the_platform_offers_these_start_methods(facts, observed):
    """Linux offers fork, spawn and forkserver (default fork, forkserver from 3.14);
    macOS defaults to spawn; Windows has spawn only.  On Linux get_all_start_methods()
    lists fork, spawn, forkserver, and from 3.14 the default first: forkserver, fork,
    spawn."""
    if sys.platform not in EXPECTED_METHODS:
        pytest.skip(f"not applicable: no registered expectation for {sys.platform}")
    available, default = env.available_methods(), env.default_method()
    if sys.platform == "linux":
        listed = lib.mp.get_all_start_methods()
        if expected_default(facts) == "forkserver":
            assert listed == ["forkserver", "fork", "spawn"]
        else:
            assert listed == ["fork", "spawn", "forkserver"]
    as_told = available == EXPECTED_METHODS[sys.platform] and default == expected_default(facts)
    observed(
        "holds" if as_told else "does-not-hold",
        because=f"{sys.platform} offers {', '.join(available)}, default {default} "
        f"(expected {', '.join(EXPECTED_METHODS[sys.platform])}, default {expected_default(facts)})",
    )


@pytest.mark.claim("process.start-methods")
def test_code_that_names_no_start_method_gets_the_default(facts, tmp_path):
    """A script that names no start method gets the default: on Linux up to 3.13 fork,
    where a closure target runs and an unguarded script works; from 3.14 forkserver,
    where start() refuses the closure (PicklingError) and the unguarded script fails
    (its fork server dies of the bootstrapping RuntimeError, 3.14.1+; 3.15: the child
    does).  multiprocess runs a closure under any method (dill)."""
    if sys.platform not in EXPECTED_METHODS:
        pytest.skip(f"not applicable: no registered expectation for {sys.platform}")
    default = expected_default(facts)
    done = support.run_script("default_start_method.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"default {default}"
    if default == "fork" or facts.library == "multiprocess":
        assert done.stdout.splitlines()[1] == "closure ran, exitcode 0"
    else:
        error = closure_error(facts)[0]
        assert done.stdout.splitlines()[1] == f"closure {error.__name__}"
    marker = tmp_path / "target-ran"
    assert_unguarded_outcome(run_unguarded("default", marker), marker, default, facts)


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

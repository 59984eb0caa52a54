"""Contexts and start methods — what fork, spawn and forkserver give a child, the
global start method and context objects, the fork server and the resource tracker,
and the 3.12 and 3.14 changes.

Docs: library reference, multiprocessing › "Contexts and start methods" (and the
reference entries get_all_start_methods, get_context, get_start_method,
set_executable, set_start_method, set_forkserver_preload); What's New in Python
3.12 › Deprecated (os.fork, multiprocessing); What's New in Python 3.14 ›
multiprocessing (forkserver the default, the authenticated fork server socket).

Every probe of the global start method runs in a fresh interpreter
(fixtures/scripts/start_globals.py); the test process only ever uses contexts.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  The expected default and the order of get_all_start_methods()
are derived from the library's context.py for this platform and version
(``library_default``, ``listed_order``), never hard-coded for Linux.
"""

import functools
import os
import pickle
import signal
import statistics
import sys
import threading
import time

import pytest

import fixtures.start as probe
from mpspec import env, lib, support
from mpspec.deadlines import WAIT

STATE_CHANGED = "changed by the test"
METHODS = ("fork", "spawn", "forkserver")  # the order of context.py's _concrete_contexts


@functools.lru_cache(maxsize=None)
def globals_probe(scenario, options=()):
    """A start_globals.py scenario's facts (a fresh interpreter each; cached)."""
    return support.script_report("start_globals.py", scenario, options=options)


def platform_default(facts):
    """The default start method the docs promise for this platform and version."""
    if sys.platform in ("win32", "darwin"):
        return "spawn"
    return "forkserver" if facts.python >= (3, 14) else "fork"


def library_default(facts):
    """The default start method in the library's own context.py: the docs' default for
    multiprocessing; multiprocess keeps fork everywhere ('FIXME: spawn' on macOS,
    'FIXME: forkserver' on 3.14+); billiard keeps fork except on macOS (spawn)."""
    if sys.platform == "win32" or facts.library == "multiprocessing":
        return platform_default(facts)
    if facts.library == "billiard" and sys.platform == "darwin":
        return "spawn"
    return "fork"


def listed_order(facts):
    """get_all_start_methods() as the library's context.py builds it (on a Unix that
    can pass descriptors): only spawn on Windows; before 3.14 a fixed list,
    ['spawn', 'fork', 'forkserver'] on macOS and ['fork', 'spawn', 'forkserver']
    elsewhere (billiard: that one everywhere); from 3.14 the default, then the other
    concrete contexts in the order fork, spawn, forkserver."""
    if sys.platform == "win32":
        return ["spawn"]
    if facts.library == "billiard":
        return ["fork", "spawn", "forkserver"]
    if facts.python >= (3, 14):
        default = library_default(facts)
        return [default] + [m for m in METHODS if m != default]
    return ["spawn", "fork", "forkserver"] if sys.platform == "darwin" else ["fork", "spawn", "forkserver"]


def needs_fork():
    if "fork" not in env.available_methods():
        pytest.skip(env.not_applicable_reason("fork"))


def needs_forkserver():
    if "forkserver" not in env.available_methods():
        pytest.skip(env.not_applicable_reason("forkserver"))


@pytest.fixture
def changed_state(monkeypatch):
    """fixtures.start.STATE changed in this process (restored afterwards)."""
    monkeypatch.setattr(probe, "STATE", STATE_CHANGED)
    return STATE_CHANGED


@pytest.fixture
def threads():
    """Start ``n`` threads that wait until the test ends; returns the starter."""
    release = threading.Event()
    started = []

    def start(n):
        for _ in range(n):
            thread = threading.Thread(target=release.wait, args=(support.DEADLINE,))
            thread.start()
            started.append(thread)

    yield start
    release.set()
    for thread in started:
        thread.join(support.DEADLINE)


# --- the default start method and the available ones --------------------------------


@pytest.mark.claim("start.default-per-platform")
def test_the_default_start_method_of_this_platform(facts, observed):
    """A fresh interpreter's default start method: fork on Linux up to 3.13,
    forkserver from 3.14; spawn on macOS and Windows (multiprocess and billiard keep
    fork on Linux)."""
    got = globals_probe("get")[0]
    assert got["before"] is None
    assert got["get"] == library_default(facts)
    observed(
        "holds" if got["get"] == platform_default(facts) else "does-not-hold",
        because=f"a fresh interpreter's get_start_method() gave {got['get']!r}; the docs' default for "
        f"{sys.platform} on {'.'.join(map(str, facts.python[:2]))}: {platform_default(facts)!r}",
    )


@pytest.mark.claim("start.default-forkserver-314")
def test_linux_defaults_to_forkserver_from_3_14(facts, observed):
    """From 3.14 a fresh Linux interpreter defaults to forkserver and lists it first;
    up to 3.13 the default is fork (multiprocess and billiard keep fork on 3.14+)."""
    default = globals_probe("get")[0]["get"]
    listed = globals_probe("fresh")[0]["all"]
    assert default == library_default(facts)
    assert listed == listed_order(facts)  # the default first, but billiard's on macOS
    observed(
        "holds" if default == platform_default(facts) else "does-not-hold",
        because=f"on {'.'.join(map(str, facts.python[:2]))} a fresh interpreter's default is {default!r} "
        f"(get_all_start_methods(): {listed}); the docs: {platform_default(facts)!r}",
    )


@pytest.mark.claim("start.get-all-start-methods")
def test_get_all_start_methods_lists_the_default_first(facts, observed):
    """get_all_start_methods() lists fork and spawn (and forkserver where file
    descriptors can be passed) with the default first, and fixes nothing.  The order
    is the one the library's context.py builds for this platform and version (only
    spawn on Windows; a fixed list before 3.14, the default and then the others from
    3.14)."""
    fresh = globals_probe("fresh")[0]
    default = globals_probe("get")[0]["get"]
    listed = fresh["all"]
    assert fresh["after_all"] is None  # listing does not fix the default
    assert listed == listed_order(facts)
    methods = ["spawn"] if sys.platform == "win32" else ["fork", "forkserver", "spawn"]
    observed(
        "holds" if listed[:1] == [default] and sorted(listed) == methods else "does-not-hold",
        because=f"get_all_start_methods() in a fresh interpreter: {listed}; the default there: {default!r}",
    )


@pytest.mark.claim("start.forkserver-availability")
def test_forkserver_needs_file_descriptor_passing(observed):
    """Linux can pass file descriptors over Unix sockets: forkserver is offered and
    works.  Where sockets cannot (simulated: SCM_RIGHTS removed before import),
    get_context('forkserver') raises ValueError; before 3.14 it is not listed either,
    from 3.14 get_all_start_methods() still lists it."""
    needs_forkserver()
    assert lib.module("reduction").HAVE_SEND_HANDLE
    assert "forkserver" in lib.mp.get_all_start_methods()
    assert lib.mp.get_context("forkserver").get_start_method() == "forkserver"
    without = globals_probe("no-fd-passing")[0]
    assert without["have_send_handle"] is False
    assert without["forkserver"][:2] == ["raised", "ValueError"]
    assert "forkserver start method not available" in without["forkserver"][2]
    assert {"fork", "spawn"} <= set(without["all"])
    assert without["default"] != "forkserver"
    refused = without["forkserver"][:2] == ["raised", "ValueError"]
    still_listed = "forkserver" in without["all"]
    observed(
        "does-not-hold" if not refused else "partly" if still_listed else "holds",
        because=f"offered and working here; without SCM_RIGHTS get_context('forkserver') gave {without['forkserver'][:2]}, "
        f"get_all_start_methods() listed {without['all']} and the default was {without['default']!r}",
    )


# --- what a child starts from -------------------------------------------------------


@pytest.mark.claim("start.spawn-fresh-interpreter")
def test_a_child_sees_module_state_as_imported_or_as_changed(ctx, observed, changed_state):
    """A module global changed in the parent after import: a fork child sees the
    change; spawn and forkserver children see the value as imported."""
    seen, _ = support.reports_back(ctx, probe.report_state, support.REPLY, exitcode=None)
    assert seen in (changed_state, "as imported")
    observed(
        "holds" if seen == "as imported" else "does-not-hold",
        because=f"the parent changed a module global to {changed_state!r}; the child saw {seen!r}",
    )


@pytest.mark.claim("start.fork-inherits-everything")
def test_a_fork_child_is_a_copy_except_for_the_other_threads(ctx, observed, changed_state, threads, tmp_path):
    """A fork child has the parent's open file on the same fd and its memory (a
    changed module global), but only one thread although the parent runs three more;
    spawn and forkserver children have neither the file nor the change."""
    threads(3)
    with open(tmp_path / "parent-file", "w") as f:
        mine = probe.file_identity(f.fileno())
        report, _ = support.reports_back(ctx, probe.report_inheritance, support.REPLY, f.fileno())
    assert report["tasks"] == 1 and report["threads"] == 1
    same_file, same_state = report["fd"] == mine, report["state"] == changed_state
    assert same_file == same_state  # a copy has both, a fresh interpreter neither
    copy = same_file and same_state
    observed(
        ("holds" if report["tasks"] == 4 else "partly") if copy else "does-not-hold",
        because=f"the child had the parent's open file on its fd: {same_file}; saw the changed global: {same_state}; "
        f"ran {report['tasks']} thread(s) while the parent ran {threading.active_count()}",
    )


@pytest.mark.claim("start.spawn-no-stray-fds")
def test_spawn_and_forkserver_children_get_only_the_fds_they_need(ctx, observed, tmp_path):
    """A file the parent opened and even marked inheritable: a fork child has it on
    the same fd; spawn and forkserver children do not (EBADF, or another file reusing
    the number)."""
    with open(tmp_path / "parent-file", "w") as f:
        os.set_inheritable(f.fileno(), True)
        mine = probe.file_identity(f.fileno())
        fd = f.fileno()
        report, _ = support.reports_back(ctx, probe.report_inheritance, support.REPLY, fd)
    observed(
        "holds" if report["fd"] != mine else "does-not-hold",
        because=f"the parent's inheritable file on fd {fd}: the child found "
        + ("the same file there" if report["fd"] == mine else f"{report['fd']!r} (not the parent's file)"),
    )


# --- start-up cost ----------------------------------------------------------------


ROUNDS = 5


def start_delays(methods, rounds):
    """Seconds from start() until the child runs, per method, methods interleaved."""
    delays = {m: [] for m in methods}
    for _ in range(rounds):
        for method in methods:
            ctx = lib.mp.get_context(method)
            reader, writer = ctx.Pipe(duplex=False)
            child = ctx.Process(target=probe.report_state, args=(writer,))
            began = time.monotonic()
            with support.started(child):
                support.receive(reader)
                delays[method].append(time.monotonic() - began)
                writer.close()
                support.join(child)
    return delays


@pytest.mark.claim("start.spawn-slower")
def test_spawn_takes_longest_to_start_a_child(observed):
    """Median time from start() until the child runs, over interleaved rounds: spawn
    is slower than fork and than forkserver (a comparison of medians, no time limit;
    up to three batches under load)."""
    methods = env.available_methods()
    if "spawn" not in methods or len(methods) < 2:
        pytest.skip("not applicable: no other start method to compare spawn with")
    delays = {m: [] for m in methods}
    for _ in range(3):
        for method, seconds in start_delays(methods, ROUNDS).items():
            delays[method] += seconds
        medians = {m: statistics.median(d) for m, d in delays.items()}
        if all(medians["spawn"] > medians[m] for m in methods if m != "spawn"):
            break
    report = ", ".join(f"{m} {1000 * s:.1f} ms" for m, s in medians.items())
    slowest = all(medians["spawn"] > medians[m] for m in methods if m != "spawn")
    observed(
        "holds" if slowest else "does-not-hold",
        because=f"median time from start() until the child ran, over {len(delays['spawn'])} interleaved rounds: {report}",
    )


# --- the fork server ----------------------------------------------------------------


@pytest.mark.claim("start.forkserver-single-threaded")
def test_forkserver_children_come_from_a_single_threaded_server(threads, observed):
    """With three extra threads running in the parent, a forkserver child is forked
    by the server, not by the parent, and both the server and the child have exactly
    one thread."""
    needs_forkserver()
    threads(3)
    assert threading.active_count() >= 4
    ctx = lib.mp.get_context("forkserver")
    report, _ = support.reports_back(ctx, probe.report_threads, support.REPLY, exitcode=None)
    assert report["ppid"] != os.getpid()  # forked by the server
    observed(
        "holds" if report["parent_tasks"] == 1 and report["tasks"] == 1 and report["threads"] == 1 else "does-not-hold",
        because=f"with {threading.active_count()} threads in the parent, the server ran {report['parent_tasks']} "
        f"thread(s) and its child {report['tasks']} ({report['threads']} Python thread(s))",
    )


def import_log(path):
    """{module name: [pids that imported it]} from a start_preloaded log."""
    imported = {}
    for line in path.read_text().splitlines():
        pid, name = line.split()
        imported.setdefault(name, []).append(int(pid))
    return imported


def preload_fixes(facts):
    """(the server gets the parent's sys.path, '__main__' really is preloaded) for
    this library and version.  gh-117378 (sys.path) went into 3.14 and the 3.12/3.13
    branches in November 2024; gh-126631 (__main__) into 3.14.1 and 3.13.8."""
    v = facts.python
    if facts.library == "billiard":
        return False, False
    if facts.library == "multiprocess":  # its copy of the stdlib, per Python version
        return v >= (3, 12), v >= (3, 13)
    sys_path = v >= (3, 14) or (3, 13, 1) <= v < (3, 14) or (3, 12, 8) <= v < (3, 13)
    main = v >= (3, 14, 1) or (3, 13, 8) <= v < (3, 14)
    return sys_path, main


def billiard_skips_main():
    """billiard before 4.3 (what installs on 3.8 and 3.9) sends a script's main module
    as init_main_from_name '__main__', which children skip: they never import it."""
    version = tuple(int(x) for x in lib.mp.__version__.split(".")[:2])
    return version < (4, 3)


@pytest.mark.claim("start.forkserver-preload")
def test_preloaded_modules_are_imported_once_by_the_server(facts, tmp_path, observed):
    """set_forkserver_preload(): a module the server can find is imported once, by
    the server, and never by the children it forks; a module found only through the
    parent's sys.path (the script's directory) is preloaded too once the server gets
    that sys.path, and '__main__', the default list, is preloaded once that works.
    Until then both are imported again by every child, silently."""
    needs_forkserver()
    sys_path_fixed, main_fixed = preload_fixes(facts)
    log = tmp_path / "imports"
    got, _ = support.script_report("start_forkserver.py", "explicit", env={"MPSPEC_START_IMPORT_LOG": log})
    imported = import_log(log)
    server = got["children"][0]["ppid"]
    children = [c["pid"] for c in got["children"]]
    assert all(c["ppid"] == server and c["exitcode"] == 0 for c in got["children"])
    found_by_server = imported["fixtures.scripts.start_preloaded"] == [got["pid"], server]
    local = [p for p in imported["start_preloaded"] if p != got["pid"]]
    local_preloaded = local == [server]
    local_expected = [server] if sys_path_fixed else children[0::2]

    log.unlink()
    got, _ = support.script_report("start_forkserver.py", "default", env={"MPSPEC_START_IMPORT_LOG": log})
    imported = import_log(log)
    server = got["children"][0]["ppid"]
    children = [c["pid"] for c in got["children"]]
    main = imported.get("__mp_main__")
    assert imported["fixtures.scripts.start_preloaded"] == [got["pid"]] + children  # not in the list
    preloaded = found_by_server and local_preloaded and main == [server]
    observed(
        "holds" if preloaded else "partly" if found_by_server else "does-not-hold",
        because=f"a module the server finds itself was imported by the server only: {found_by_server}; one found "
        f"only through the parent's sys.path: {'by the server only' if local_preloaded else f'by the pids {local}'}; "
        f"'__main__' (the default list): {'by the server only' if main == [server] else f'by {main} (children: {children})'}",
    )
    # which of the two fixes this library and version has
    assert local == local_expected
    if main_fixed:
        assert main == [server]
    elif facts.library == "billiard" and billiard_skips_main():
        assert main is None  # nobody imports the main script
    else:
        assert main == children


@pytest.mark.claim("start.forkserver-threads-caveat")
def test_a_preloaded_import_can_leave_the_server_with_threads(facts, tmp_path, observed):
    """A preloaded module that starts a thread on import leaves the fork server with
    two threads; its children still start with one, but from 3.12 every fork the
    server makes emits the multi-threaded fork DeprecationWarning (shown with
    -W always)."""
    needs_forkserver()
    got, done = support.script_report(
        "start_forkserver.py",
        "thread",
        options=["-W", "always::DeprecationWarning"],
        env={"MPSPEC_START_IMPORT_LOG": tmp_path / "imports"},
    )
    (child,) = got["children"]
    assert child["exitcode"] == 0
    warned = "is multi-threaded, use of fork() may lead to deadlocks" in done.stderr
    assert warned == (facts.python >= (3, 12))
    observed(
        "holds" if child["parent_tasks"] == 2 and child["tasks"] == 1 else "does-not-hold",
        because=f"after a preloaded import that starts a thread the server ran {child['parent_tasks']} thread(s) "
        f"(its main thread and the import's: 2) and its child {child['tasks']}; the fork warning shown: {warned}",
    )


@pytest.mark.claim("start.forkserver-authenticated-socket")
def test_a_stranger_at_the_fork_server_socket(observed):
    """A client that reaches the fork server's socket but lacks its key sends the
    request a legitimate client sends, with a payload whose code picks the child's
    exit code.  Without authentication (before 3.14, billiard) the server forks a
    child that runs it (exit code 42).  With it (3.14+) a wrong key is refused, the
    request forks nothing, and the server, which the request leaves waiting for the
    rest of a message, dies when the stranger hangs up: the program's next child
    gets a new server."""
    needs_forkserver()
    got, done = support.script_report("start_forkserver_socket.py")
    assert got["first_exitcode"] == got["last_exitcode"] == 0
    assert got["dir_mode"] == "0o700" and got["socket_mode"] == "0o600"  # the owner only
    stranger = got["stranger"]
    observed(
        "holds" if got["authenticates"] and stranger["child_pid"] is None else "does-not-hold",
        because=f"the server authenticates: {got['authenticates']}; a request without the key forked "
        + (f"pid {stranger['child_pid']}, which exited {stranger['child_exitcode']} (42: the stranger's code ran)"
           if stranger["child_pid"] else "nothing"),
    )
    if not got["authenticates"]:
        assert stranger["child_pid"] and stranger["child_exitcode"] == 42
        assert got["server_pid_at_end"] == got["server_pid"]
    else:
        assert got["authenticates"]
        assert got["wrong_key"] == "AuthenticationError"
        assert got["exitcode_after_wrong_key"] == 0
        assert got["server_pid_after_wrong_key"] == got["server_pid"]  # survived that
        assert "#CHALLENGE#" in stranger["server_said"]  # the server speaks first
        assert stranger["child_pid"] is None  # nothing forked
        assert got["server_children_after"] == []
        assert got["server_died"] is True
        assert "got end of file during message" in done.stderr
        assert got["server_pid_at_end"] != got["server_pid"]


# --- the resource tracker -----------------------------------------------------------


@pytest.mark.claim("start.resource-tracker-process")
def test_spawn_and_forkserver_start_a_resource_tracker(start_method, facts, observed):
    """In a fresh program, starting one spawn or forkserver child launches a resource
    tracker process (billiard: its semaphore tracker); a fork child does not."""
    got, _ = support.script_report("start_tracker.py", "launch", start_method)
    assert got["exitcode"] == 0
    assert got["before"] == []
    launched = len(got["after"])
    if launched:
        assert got["stopped"] == {str(got["after"][0]): True}
    # the claim: spawn and forkserver launch one, fork none
    observed(
        "holds" if launched == (0 if start_method == "fork" else 1) else "does-not-hold",
        because=f"the program's first {start_method} child left {launched} resource tracker process(es) running",
    )


def unlink_leftovers(names_file):
    """Unlink whatever the sacrificial child created that still exists."""
    if not names_file.exists():
        return []
    left = []
    for name in names_file.read_text().split():
        path = "/dev/shm/" + name
        if os.path.exists(path):
            left.append(name)
            try:
                os.unlink(path)
            except OSError:
                pass
    return left


@pytest.mark.claim("start.resource-tracker-cleans-leaks")
def test_the_tracker_unlinks_what_a_killed_child_leaked(start_method, facts, tmp_path, observed):
    """A child creates a shared-memory segment and a named semaphore and is killed by
    SIGKILL: both stay in /dev/shm while the program runs; when the program lets go
    of its resource tracker (as on exit) the tracker unlinks them and warns about
    each kind (billiard: no shared memory; its tracker unlinks the semaphore)."""
    if not os.path.isdir("/dev/shm"):
        pytest.skip("not applicable: no /dev/shm to look in")
    names_file = tmp_path / "names"
    try:
        got, done = support.script_report("start_tracker.py", "leak", start_method, names_file)
    finally:
        leftovers = unlink_leftovers(names_file)
    assert got["exitcode"] == support.unreported_exitcode(start_method, -signal.SIGKILL)
    kinds = ["semaphore"] if facts.library == "billiard" else ["shared_memory", "semaphore"]
    assert len(got["names"]) == len(kinds)
    assert got["exist_before"] == got["names"]  # leaked while the program ran
    assert list(got["stopped"].values()) == [True]
    # "leaked semaphore objects" (billiard: "leaked semaphores")
    warned = [kind for kind in ("shared_memory", "semaphore") if f"leaked {kind}" in done.stderr]
    cleaned = got["exist_after"] == [] and leftovers == [] and warned == kinds
    observed(
        ("holds" if len(kinds) == 2 else "partly") if cleaned else "does-not-hold",
        because=f"a SIGKILLed child leaked {len(got['names'])} object(s) ({', '.join(kinds)}); left after the tracker "
        f"ended: {got['exist_after'] + leftovers}; it warned about: {warned}",
    )


# --- the global start method ----------------------------------------------------------


@pytest.mark.claim("start.set-start-method-once")
def test_set_start_method_works_once_unless_forced(observed):
    """set_start_method('spawn') in a fresh interpreter works; a second call raises
    RuntimeError and changes nothing; with force=True it replaces the method."""
    got = globals_probe("set")[0]
    assert got["first"] == ["ok", None] and got["after_first"] == "spawn"
    assert got["forced"] == ["ok", None] and got["after_forced"] == "fork"
    observed(
        "holds"
        if got["second"] == ["raised", "RuntimeError", "context has already been set"] and got["after_second"] == "spawn"
        else "does-not-hold",
        because=f"after set_start_method('spawn'), set_start_method('fork') gave {got['second']} and left "
        f"{got['after_second']!r}; with force=True: {got['forced']}, leaving {got['after_forced']!r}",
    )


@pytest.mark.claim("start.get-start-method-fixes-default")
def test_get_start_method_fixes_the_default(observed):
    """get_start_method(allow_none=True) is None in a fresh interpreter;
    get_start_method() returns the default and fixes it, so that set_start_method()
    then raises RuntimeError (force=True still works)."""
    got = globals_probe("get")[0]
    assert got["set_other_force"] == ["ok", None] and got["final"] != got["get"]
    observed(
        "holds"
        if got["before"] is None and got["after"] == got["get"] and got["set_other"][:2] == ["raised", "RuntimeError"]
        else "does-not-hold",
        because=f"allow_none=True gave {got['before']!r}; get_start_method() gave {got['get']!r}, after which "
        f"allow_none=True gave {got['after']!r} and set_start_method() of another method {got['set_other'][:2]}",
    )


@pytest.mark.claim("start.get-context-does-not-set-global")
def test_a_named_context_leaves_the_global_alone_an_unnamed_one_does_not(observed):
    """get_context('spawn') (or any named method) leaves the global start method
    unset, so set_start_method() still works; get_context() without a name returns
    the default context and fixes it, and set_start_method() then raises."""
    fresh = globals_probe("fresh")[0]
    assert all(result == ["ok", method] for method, result in fresh["named"].items())
    unnamed = globals_probe("unnamed")[0]
    named_alone = fresh["after_named"] is None and fresh["set_other"] == ["ok", None]
    unnamed_fixes = unnamed["after"] == unnamed["name"] and unnamed["set_other"][:2] == ["raised", "RuntimeError"]
    observed(
        ("partly" if unnamed_fixes else "holds") if named_alone else "does-not-hold",
        because=f"after get_context() of {sorted(fresh['named'])} the start method was {fresh['after_named']!r} and "
        f"set_start_method() gave {fresh['set_other']}; after get_context() without a name it was {unnamed['after']!r} "
        f"and set_start_method() gave {unnamed['set_other'][:2]}",
    )


@pytest.mark.claim("start.get-context-invalid")
def test_get_context_of_none_and_of_unknown_names(observed):
    """get_context(None) returns the default context; an unknown name raises
    ValueError (here and in a fresh interpreter, where nothing gets fixed by it)."""
    try:
        lib.mp.get_context("bogus")
        here = None
    except ValueError as error:
        here = error
    fresh = globals_probe("fresh")[0]
    unnamed = globals_probe("unnamed")[0]
    default = globals_probe("get")[0]["get"]
    kind = {"fork": "ForkContext", "spawn": "SpawnContext", "forkserver": "ForkServerContext"}
    refused = [isinstance(here, ValueError) and "cannot find context for 'bogus'" in str(here),
               fresh["get_context_bogus"] == ["raised", "ValueError", "cannot find context for 'bogus'"]]
    observed(
        "holds" if refused == [True, True] and unnamed["name"] == default and unnamed["context"] == kind.get(default)
        else "does-not-hold",
        because=f"get_context('bogus') raised {here!r} here and {fresh['get_context_bogus'][:2]} in a fresh "
        f"interpreter; get_context() gave a {unnamed['context']} ({unnamed['name']!r}); the default: {default!r}",
    )


@pytest.mark.claim("start.set-start-method-invalid")
def test_set_start_method_refuses_unknown_names(observed):
    """set_start_method('bogus') raises ValueError, with or without force, and leaves
    the start method unset."""
    fresh = globals_probe("fresh")[0]
    refused = ["raised", "ValueError", "cannot find context for 'bogus'"]
    observed(
        "holds" if fresh["set_bogus"] == fresh["set_bogus_force"] == refused and fresh["after_invalid"] is None
        else "does-not-hold",
        because=f"set_start_method('bogus') gave {fresh['set_bogus']}, with force=True {fresh['set_bogus_force']}; "
        f"the start method after them: {fresh['after_invalid']!r}",
    )


@pytest.mark.claim("start.set-executable")
def test_set_executable_picks_the_interpreter_spawn_launches(start_method, observed, tmp_path):
    """set_executable(wrapper): spawn launches its child through the wrapper,
    forkserver launches its server through it (children are then forked by the
    server), fork never runs it."""
    log = tmp_path / "launched"
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    got, _ = support.script_report("start_executable.py", start_method, wrapper)
    assert got["exitcode"] == 0
    assert got["get_executable"] == str(wrapper)
    launched = log.read_text().splitlines() if log.exists() else []
    children = [line for line in launched if "spawn_main" in line]
    servers = [line for line in launched if "forkserver import main" in line]
    observed(
        "holds" if launched else "does-not-hold",
        because=f"the wrapper launched {len(children)} child interpreter(s) and {len(servers)} fork server(s)"
        + ("" if launched else ": it never ran"),
    )
    if start_method == "spawn":
        assert len(children) == 1 and servers == []
    elif start_method == "forkserver":
        assert len(servers) == 1 and children == []


# --- context objects ----------------------------------------------------------------


@pytest.mark.claim("start.get-context-multiple-methods")
def test_one_program_uses_several_start_methods(changed_state, observed):
    """Contexts of every available method used side by side in one process: each
    child shows its own method's behaviour (the fork child sees a global changed at
    run time, the others the value as imported).  A context offers the module's API
    except get_all_start_methods(), and its set_start_method() raises ValueError
    ('cannot set start method of concrete context') and changes nothing."""
    seen, missing, refused = {}, {}, {}
    for method in env.available_methods():
        ctx = lib.mp.get_context(method)
        missing[method] = sorted(set(lib.mp.__all__) - set(dir(ctx)))
        other = next(m for m in env.available_methods() if m != method) if len(env.available_methods()) > 1 else method
        for force in (False, True):
            try:
                ctx.set_start_method(other, force=True) if force else ctx.set_start_method(other)
                refused[method, force] = None
            except (ValueError, TypeError) as error:
                refused[method, force] = f"{type(error).__name__}: {error}"
        assert ctx.get_start_method() == method
        seen[method], _ = support.reports_back(ctx, probe.report_state, support.REPLY, exitcode=None)
    assert all(m in ([], ["get_all_start_methods"]) for m in missing.values())
    # billiard's concrete set_start_method(method=None) has no force parameter: with
    # force=True it raises TypeError before it can refuse
    assert all(r is None or r == "ValueError: cannot set start method of concrete context"
               or (force and r.startswith("TypeError: ") and "'force'" in r)
               for (_, force), r in refused.items()), refused
    as_method = seen == {m: changed_state if m == "fork" else "as imported" for m in seen}
    whole_api = all(m == [] for m in missing.values()) and all(r is None for r in refused.values())
    observed(
        ("holds" if whole_api else "partly") if as_method else "does-not-hold",
        because=f"the children of each context saw the changed global as {seen}; names of the module's API a "
        f"context lacks: {missing}; a context's set_start_method() raised: {refused}",
    )


@pytest.mark.claim("start.cross-context-lock-rejected")
def test_a_fork_context_lock_handed_to_each_start_method(ctx, start_method, facts, observed):
    """A Lock made by a fork context: a fork child takes it; handing it to a spawn or
    forkserver process makes start() raise RuntimeError (3.11+); before 3.11 (and
    with billiard) start() succeeds and the child crashes with SIGSEGV: it gets the
    parent's semaphore as a raw pointer (the fork context unlinked its name)."""
    needs_fork()
    lock = lib.mp.get_context("fork").Lock()
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=probe.use_lock, args=(lock, writer, WAIT))
    if start_method == "fork":
        support.run(ctx, probe.use_lock, lock, writer, WAIT)
        took = support.receive(reader)
        observed("holds" if took is True else "does-not-hold", because=f"a fork child's acquire() of the lock gave {took!r}")
        return
    try:
        child.start()
        refused = None
    except RuntimeError as error:
        refused = error
    if refused is not None:
        assert "A SemLock created in a fork context" in str(refused)
        assert ctx.active_children() == []
        observed("holds", because=f"start() raised {refused!r} in the parent, before any child existed")
        return
    try:
        support.join(child)
    finally:
        support.stop(child)
    took = reader.recv() if reader.poll(WAIT) else None
    crashed = child.exitcode == support.unreported_exitcode(start_method, -signal.SIGSEGV)
    observed(
        "partly" if crashed and took is None else "does-not-hold",
        because=f"start() accepted the fork context's lock; the {start_method} child exited {child.exitcode} "
        f"(SIGSEGV: {support.unreported_exitcode(start_method, -signal.SIGSEGV)}) and reported {took!r}",
    )


# --- fork and threads -----------------------------------------------------------------


@pytest.mark.claim("start.fork-threads-deprecationwarning-312")
def test_starting_a_process_while_threads_run(start_method, facts, observed):
    """With a second thread running, a fork start emits the DeprecationWarning
    "multi-threaded, use of fork() may lead to deadlocks" once, spawn and forkserver
    none.  Turned into an error, the warning is swallowed on 3.12–3.14 (start()
    succeeds); on 3.15 start() raises it after the child was forked: the child runs
    and is left for the caller to reap."""
    got, _ = support.script_report("start_fork_threads.py", start_method)
    assert got["threads"] == 2 and got["recorded"] == {"raised": None, "exitcode": 0}
    warned = [w[0] for w in got["warnings"] if "is multi-threaded, use of fork() may lead to deadlocks in the child" in w[1]]
    # the claim: fork warns once, spawn and forkserver (the remedy) never
    observed(
        "holds" if warned == (["DeprecationWarning"] if start_method == "fork" else []) else "does-not-hold",
        because=f"with a second thread running, a {start_method} start emitted {[w[0] for w in got['warnings']]}",
    )
    if start_method != "fork":
        assert got["warnings"] == [] and got["as_error"] == {"raised": None, "exitcode": 0}
        return
    assert [w[0] for w in got["warnings"]] == ["DeprecationWarning"]
    if facts.python >= (3, 15):
        raised = got["as_error"]
        assert raised["raised"] == "DeprecationWarning" and raised["pid"] is None
        assert [exitcode for _, exitcode in raised["strays"]] == [0]  # it ran anyway
    else:
        assert got["as_error"] == {"raised": None, "exitcode": 0}


@pytest.mark.claim("start.fork-threads-hazard")
def test_a_lock_another_thread_holds_stays_held_in_a_fork_child(ctx, observed):
    """A thread of the parent holds a module-level lock while the main thread starts
    a child: in a fork child that lock is held and never released (acquire times
    out); a spawn or forkserver child has its own, free, lock."""
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=probe.hold_module_lock, args=(held, release, support.DEADLINE))
    holder.start()
    try:
        assert held.wait(support.DEADLINE)
        got, _ = support.reports_back(ctx, probe.try_module_lock, support.REPLY, WAIT, exitcode=None)
    finally:
        release.set()
        holder.join(support.DEADLINE)
    assert got in (True, False)
    observed(
        "does-not-hold" if got else "holds",
        because=f"the child's acquire({WAIT}) of the module-level lock another parent thread held "
        + ("got it: its own lock, free" if got else "timed out: held, with no thread to release it"),
    )


# --- the 3.12 and 3.14 changes ----------------------------------------------------------


@pytest.mark.claim("start.no-runtime-warning-default-change-312")
def test_the_default_start_method_starts_without_warnings(observed):
    """Under -W error (every warning an error), a fresh program with no threads
    starts and joins a default-context child: no warning about the default."""
    got, done = globals_probe("quiet", ("-W", "error"))
    observed(
        "holds" if got["exitcode"] == 0 and "Warning" not in done.stderr else "does-not-hold",
        because=f"under -W error a default-context ({got['method']}) child exited {got['exitcode']}; "
        f"a warning on stderr: {'Warning' in done.stderr}",
    )


@pytest.mark.claim("start.default-change-breaks-fork-reliance")
def test_code_that_relies_on_fork_must_ask_for_it(facts, observed):
    """A lambda target and a module global set at run time: under an explicit fork
    context both work; under forkserver (the 3.14 default) the lambda cannot be
    pickled and the child sees the global as imported; the default context behaves
    as its method (fork up to 3.13, forkserver from 3.14; multiprocess pickles
    lambdas with dill, and it and billiard keep fork)."""
    needs_fork()
    needs_forkserver()
    got = globals_probe("reliance")[0]
    for row in ("default", "fork", "forkserver"):  # drop the lambda's address from messages
        got[row] = {what: result[:2] if result[0] == "raised" else result for what, result in got[row].items()}
    changed = "set by the parent at run time"
    assert got["fork"] == {"lambda": ["ok", "lambda ran", 0], "global": ["ok", changed, 0]}
    server = got["forkserver"]
    assert server["global"] == ["ok", "as imported", 0]
    if facts.library == "multiprocess" and facts.python < (3, 15):  # dill pickles it
        assert server["lambda"] == ["ok", "lambda ran", 0]
    else:
        assert server["lambda"][0] == "raised"
        # AttributeError: "Can't pickle local object" (3.12.5-3.13); with multiprocess
        # on 3.15, dill's "'code' object has no attribute 'co_lnotab'".
        assert server["lambda"][1] in ("PicklingError", "AttributeError")
    assert got["method"] == library_default(facts)
    assert got["default"] == got[got["method"]]  # the default context behaves as its method
    works_with_fork = got["fork"] == {"lambda": ["ok", "lambda ran", 0], "global": ["ok", changed, 0]}
    lambda_fails = server["lambda"][0] == "raised"
    state_lost = server["global"][1] != changed
    # the 3.14 default: forkserver where the docs make it the default
    keeps_fork = facts.python >= (3, 14) and platform_default(facts) == "forkserver" and got["method"] == "fork"
    observed(
        "does-not-hold" if not (works_with_fork and (lambda_fails or state_lost))
        else "holds" if lambda_fails and state_lost and not keeps_fork else "partly",
        because=f"under an explicit fork context: {got['fork']}; under forkserver the lambda "
        f"{'failed to pickle' if lambda_fails else 'ran'} and the child saw the global {server['global'][1]!r}; "
        f"the default context is {got['method']!r}",
    )


@pytest.mark.claim("start.spawn-functions-picklable")
def test_a_bound_method_of_an_unpicklable_object_as_target(ctx, observed, facts):
    """The target is a method of an object holding a generator: fork runs it; spawn
    and forkserver fail in start(), in the parent, before any child exists (TypeError
    "cannot pickle 'generator' object"; PyPy: PicklingError)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=probe.Holder().send_ran, args=(writer,))
    error = pickle.PicklingError if facts.implementation == "PyPy" else TypeError
    try:
        child.start()
        refused = None
    except error as exc:
        refused = exc
    if refused is None:
        try:
            support.join(child)
        finally:
            support.stop(child)
        ran = support.receive(reader)
        assert ran == ("ran", 0)
        observed("does-not-hold", because=f"start() took the unpicklable bound method; the child reported {ran}")
        return
    assert "generator" in str(refused)
    assert ctx.active_children() == []
    observed("holds", because=f"start() raised {refused!r} in the parent, before any child existed")


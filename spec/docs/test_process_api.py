"""The Process class, in full: every promise of the reference's Process section.

Docs: multiprocessing › Reference › "Process and exceptions": the Process constructor
(group, target, name, args, kwargs, daemon; subclasses), run/start/join, name,
is_alive, daemon, pid, exitcode, authkey, sentinel, terminate, kill and close (3.7),
active_children, current_process, parent_process (3.8); and What's New in 3.14 ›
multiprocessing (Process.interrupt).
"""

import contextlib
import functools
import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import time

import psutil
import pytest

from fixtures import exits
from fixtures import process_api as pa
from mpspec import isolation, lib, support
from mpspec.deadlines import DEADLINE, SLACK, WAIT


def held(ctx):
    """A started child that waits until released (support.holding, without a lock);
    yields (child, release: an Event).  On the way out the child is released and
    joined, or stopped; the test checks its exit code itself."""
    return support.holding(ctx, check=False)


def zombie(pid):
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def running(pid):
    """True while ``pid`` exists and is not a zombie."""
    return not support.gone(pid)


def read_report(script):
    """The "key value..." lines a running script (capture="files") and its
    descendants printed so far, as a dict of key -> rest of line."""
    lines = script.output()[0].splitlines()
    return dict(line.split(" ", 1) for line in lines if " " in line)


def end_leftovers(pids):
    """Kill each process a script of this chapter left behind (its session is killed
    already: an orphan keeps the script's process group) and wait until all are gone.
    Orphans re-parented to init are outside the leak guard's tree: this is their only
    cleanup."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    assert all(support.wait_gone(pid) for pid in pids), f"could not kill {pids}"


def pending_bytes(conn):
    """How many bytes wait unread in ``conn``'s pipe (FIONREAD; POSIX)."""
    import fcntl
    import termios

    return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.FIONREAD, b"\0" * 4))[0]


def readable(fd):
    return select.select([fd], [], [], 0)[0] == [fd]


def pids_in(*texts):
    return [int(t) for t in texts if t and t.strip().isdigit()]


# --- Process(): the constructor's arguments -----------------------------------------


@pytest.mark.claim("process-api.daemon-kwarg")
def test_daemon_is_a_keyword_argument_inherited_when_none(ctx, observed):
    """daemon=True sets the flag; left at None it comes from the creating process
    (False in the main process, True in a daemonic child); it is keyword-only
    (billiard also takes it positionally, and ignores unknown keywords)."""
    assert ctx.Process(daemon=True).daemon is True
    assert ctx.Process().daemon is False
    flags, _ = support.reports_back(ctx, pa.report_daemon_flags, support.REPLY, daemon=True, exitcode=None)
    flags_right = flags == (True, True, False)  # its own, a child's inherited, one overridden
    refused = []
    for call in (lambda: ctx.Process(None, None, None, (), {}, True), lambda: ctx.Process(no_such_argument=1)):
        try:
            made = call()
        except TypeError:
            refused.append(True)
        else:
            refused.append(False)
            assert made.daemon is (len(refused) == 1)  # positional True taken; unknown ignored
    seen = "does-not-hold" if not flags_right else ("holds" if all(refused) else "partly")
    observed(seen, because=f"flags (own, inherited, overridden) {flags}; positional daemon and an unknown "
             f"keyword refused: {refused}")


@pytest.mark.claim("process-api.target-none")
def test_a_process_without_target_exits_cleanly(ctx, observed):
    """Process() with no target starts, does nothing and ends with exitcode 0."""
    child = ctx.Process()
    child.start()
    support.join(child)
    observed("holds" if child.exitcode == 0 else "does-not-hold", because=f"Process() ended with exitcode {child.exitcode}")


@pytest.mark.claim("process-api.kwargs-forwarded")
def test_args_and_kwargs_reach_the_target(ctx, observed):
    """The target gets args positionally and kwargs by keyword; given neither, it is
    called with no arguments at all."""
    reader, writer = ctx.Pipe(duplex=False)
    bare = ctx.Process(target=functools.partial(pa.send_received, writer))
    given = ctx.Process(target=pa.send_received, args=(writer, 1, "two"), kwargs={"three": 3.0})
    with support.started(bare):
        got_bare = support.receive(reader)
        support.join(bare)
    with support.started(given):
        got_given = support.receive(reader)
        support.join(given)
    right = got_bare == ((), {}) and got_given == ((1, "two"), {"three": 3.0})
    observed("holds" if right else "does-not-hold", because=f"the targets got {got_bare} (neither given) and {got_given}")


@pytest.mark.claim("process-api.subclass-init-required")
def test_a_subclass_must_call_the_base_constructor_first(observed):
    """Without Process.__init__ the object cannot start (AttributeError, no child);
    a name set before calling it is overwritten by the default name."""
    ctx = support.cheapest_context()
    broken = pa.NoBaseInit("label")
    try:
        broken.start()
        refused = "started"
    except AttributeError as error:
        refused = f"AttributeError: {error}"
    assert ctx.active_children() == []
    late = pa.NameBeforeBaseInit()
    overwritten = re.fullmatch(r"NameBeforeBaseInit-\d+", late.name) is not None
    observed("holds" if refused != "started" and overwritten else "does-not-hold",
             because=f"start() without the base constructor: {refused}; a name set before it became {late.name!r}")


# --- start() and join() -------------------------------------------------------------


@pytest.mark.claim("process-api.start-once")
def test_start_can_be_called_only_once(facts, observed):
    """A second start() raises AssertionError and starts nothing (under -O it starts
    a second child, then fails with AttributeError; billiard's just runs)."""
    ctx = support.cheapest_context()
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.hold, args=(reader,))
    child.start()
    first = child._popen
    try:
        try:
            child.start()
            second = "no error"
        except (AssertionError, AttributeError) as error:
            second = f"{type(error).__name__}: {error}"
        if second.startswith("AssertionError"):
            assert second == "AssertionError: cannot start a process twice"
            assert ctx.active_children() == [child] and child._popen is first
            observed("holds", because=f"the second start() raised {second} and started nothing")
        else:
            if facts.library == "billiard":
                assert second == "no error"
            else:  # the second child starts, then deleting the target again fails
                assert second.startswith("AttributeError") and "_target" in second
            assert child.pid != first.pid and running(first.pid)
            observed("does-not-hold", because=f"the second start() started a second child ({second})")
            release.send("go")  # billiard's second child waits on the pipe too
            support.join(child)
            # start() deleted the target the first time: run() fails (billiard keeps it).
            assert child.exitcode == (0 if facts.library == "billiard" else 1)
    finally:
        release.send("go")
        if first.wait(DEADLINE) is None:  # the first child, whatever became of it
            os.kill(first.pid, signal.SIGKILL)
            first.wait(DEADLINE)
        support.stop(child)


@pytest.mark.claim("process-api.join-timeout-returns-none")
def test_join_returns_none_on_timeout_and_on_exit(ctx, observed):
    """join(0.2) on a running child waits, returns None and leaves exitcode None;
    after the child ends join() returns None again, with exitcode 0."""
    with held(ctx) as (child, release):
        began = time.monotonic()
        timed_out = child.join(WAIT)
        waited = time.monotonic() - began
        assert waited >= WAIT * SLACK
        running_code = child.exitcode
        assert child.is_alive()
        release.set()
        ended = child.join(DEADLINE)
        assert not child.is_alive()
    right = timed_out is None and ended is None and running_code is None and child.exitcode == 0
    observed("holds" if right else "does-not-hold",
             because=f"join({WAIT:g}) on a running child returned {timed_out!r} (exitcode {running_code}); "
             f"after it ended {ended!r} (exitcode {child.exitcode})")


@pytest.mark.claim("process-api.join-repeatable")
def test_a_process_can_be_joined_many_times(ctx, observed):
    """After the child has ended, join() returns at once every time and the exitcode
    stays 0."""
    child = support.run(ctx, exits.exit_with, 0)
    seen = []
    for timeout in (0, DEADLINE, None):
        began = time.monotonic()
        returned = child.join(timeout)
        seen.append((returned, round(time.monotonic() - began, 3), child.exitcode))
        assert not child.is_alive()
    right = all(r is None and took < DEADLINE / 10 and code == 0 for r, took, code in seen)  # at once
    observed("holds" if right else "does-not-hold",
             because=f"three joins of an ended child (returned, seconds, exitcode): {seen}")


@pytest.mark.claim("process-api.join-self-or-unstarted-error")
def test_joining_an_unstarted_process_or_oneself_fails(ctx, facts, observed):
    """join() on an unstarted Process, and current_process().join() in the main
    process and in a child, raise AssertionError (AttributeError under -O)."""
    error = AttributeError if facts.optimize else AssertionError

    def outcome(call):
        try:
            call()
        except Exception as e:
            return type(e).__name__, str(e)
        return "no error", ""

    unstarted = outcome(lambda: ctx.Process(target=exits.return_value).join(0))
    itself = outcome(lambda: lib.mp.current_process().join(0))
    in_child, _ = support.reports_back(ctx, pa.report_join_self, support.REPLY, exitcode=None)
    in_child = tuple(in_child)
    outcomes = (unstarted, itself, in_child)
    if not facts.optimize and all(kind == "AssertionError" for kind, _ in outcomes):
        assert unstarted[1] == "can only join a started process"
        assert itself[1] == in_child[1] == "can only join a child process"
    assert all(kind in ("no error", error.__name__) for kind, _ in outcomes), outcomes
    observed("holds" if all(kind != "no error" for kind, _ in outcomes) else "does-not-hold",
             because=f"join() on an unstarted Process, on itself in the main process and in a child: {outcomes}")


# --- name, is_alive(), daemon, pid, exitcode ----------------------------------------


@pytest.mark.claim("process-api.default-name-pattern")
def test_default_names_count_per_creator(ctx, observed):
    """Unnamed objects are named <class>-N, N counting the creator's Process objects,
    and a child's own objects <class>-N:M; only the default context's Process class
    is called 'Process'.  Explicit names may repeat."""
    prefix = ctx.Process.__name__
    first, second = ctx.Process(), ctx.Process()
    number = int(re.fullmatch(re.escape(prefix) + r"-(\d+)", first.name).group(1))
    assert re.fullmatch(r"Process-\d+", lib.mp.Process().name)
    (own, nested, next_nested), child = support.reports_back(ctx, pa.report_names, support.REPLY, exitcode=None)
    assert own == child.name and re.fullmatch(re.escape(prefix) + r"-\d+", own)
    assert ctx.Process(name="twin").name == ctx.Process(name="twin").name == "twin"
    counts = second.name == f"{prefix}-{number + 1}" and (nested, next_nested) == (f"{own}:1", f"{own}:2")
    because = (f"{ctx.get_start_method()}'s unnamed objects are {first.name!r}, {second.name!r}; a child's "
               f"{nested!r}, {next_nested!r}")
    if not counts:
        observed("does-not-hold", because=because)
    else:  # the counter holds; the documented 'Process' prefix only for the default context's class
        observed("holds" if prefix == "Process" else "partly", because=because)


@pytest.mark.claim("process-api.is-alive-window")
def test_is_alive_from_start_until_the_child_ends(ctx, observed):
    """is_alive() is False before start(), True while the child runs, and False as
    soon as it has ended, before any join()."""
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.hold, args=(reader,))
    seen = [child.is_alive()]
    with support.started(child):
        seen.append(child.is_alive())
        release.send("go")
        ended = support.wait_until(lambda: not child.is_alive())  # before any join()
        assert child.exitcode == 0
        support.join(child)
        seen.append(child.is_alive())
    observed("holds" if seen == [False, True, False] and ended else "does-not-hold",
             because=f"is_alive() before start, while running, after join: {seen}; False before join: {ended}")


@pytest.mark.claim("process-api.daemon-before-start")
def test_the_daemon_flag_is_fixed_at_start(observed):
    """daemon starts as the creator's (False in the main process) and may not be
    set after start() (AssertionError; under -O the flag silently changes)."""
    ctx = support.cheapest_context()
    with held(ctx) as (child, _):
        assert child.daemon is False
        try:
            child.daemon = True
            refused = None
        except AssertionError as error:
            refused = str(error)
            assert refused == "process has already started"
        assert child.daemon is (refused is None)
    observed("holds" if refused else "does-not-hold",
             because=f"setting daemon after start(): {'AssertionError: ' + refused if refused else 'the flag changed'}")


@pytest.mark.claim("process-api.daemon-no-children")
def test_a_daemonic_process_cannot_start_children(ctx, observed):
    """start() in a daemonic child raises AssertionError (billiard, and -O, let it
    start the grandchild)."""
    outcome, _ = support.reports_back(ctx, pa.try_to_start_a_child, support.REPLY, daemon=True, exitcode=None)
    if outcome[0] == "refused":
        assert outcome == ("refused", "daemonic processes are not allowed to have children")
    else:
        assert outcome == ("started", 0)
    observed("holds" if outcome[0] == "refused" else "does-not-hold", because=f"start() in a daemonic child: {outcome}")


@pytest.mark.claim("process-api.daemon-killed-at-exit")
def test_daemonic_children_are_terminated_when_the_parent_exits(start_method, facts, tmp_path, observed):
    """A script exits while its daemonic child sleeps in a try block: the child is
    terminated (-SIGTERM) and its finally block never runs; its own child could not
    be started (under -O it could, and is left orphaned).  billiard leaves the daemon
    running, orphaned, with any child it started."""
    leftovers = []
    try:
        with support.script("process_api_daemon_exit.py", start_method, tmp_path, optimize=bool(facts.optimize),
                            capture="files") as script:
            assert support.wait_until(lambda: "daemon" in read_report(script) or script.poll() is not None)
            lines = read_report(script)
            said = "\n".join(script.output())
            daemon = (tmp_path / "daemon.pid").read_text()
            grandchild = (tmp_path / "grandchild").read_text()
            leftovers = pids_in(daemon, grandchild)
            # The script exits now, unless an orphaned grandchild holds multiprocess's
            # resource tracker (see test_terminating_a_child_leaves_its_child_running).
            blocked = grandchild != "refused" and orphan_blocks_exit(facts, start_method)
            assert support.wait_until(lambda: script.poll() is not None, WAIT if blocked else DEADLINE) or blocked
            terminated = support.gone(int(daemon))
            if terminated:
                if lines.get("exit-handler-ran") == "True":  # (not if imported early)
                    assert lines["daemon"] == f"exitcode {-signal.SIGTERM}", said
                assert not (tmp_path / "finally").exists()
                if facts.optimize:  # the assert that refuses it is gone
                    assert running(int(grandchild))
                else:
                    assert grandchild == "refused", said
            else:
                assert lines["daemon"] == "exitcode None", said
                assert running(int(daemon)) and running(int(grandchild))
                assert psutil.Process(int(daemon)).ppid() != script.pid
            (tmp_path / "release").write_text("go")  # an orphaned grandchild ends
            assert script.wait(DEADLINE) == 0, said
    finally:
        end_leftovers(leftovers)
        isolation.remove_pymp_dirs_of_the_killed("the daemon terminated at exit, which (under -O) started a child")
    observed("holds" if terminated else "does-not-hold",
             because=f"after the script exited its daemon was {'gone' if terminated else 'still running'} "
             f"({lines.get('daemon')}), its finally block {'ran' if (tmp_path / 'finally').exists() else 'did not run'}")


@pytest.mark.claim("process-api.pid-none-before-start")
def test_pid_is_none_until_started_then_the_childs(ctx, observed):
    """pid and ident are None before start(); then the pid the child itself sees,
    still readable after it ended."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.report_identity, args=(writer,))
    before = (child.pid, child.ident)
    with support.started(child):
        assert isinstance(child.pid, int) and child.ident == child.pid != os.getpid()
        reported = support.receive(reader)
        support.join(child)
    right = before == (None, None) and reported["pid"] == child.pid
    observed("holds" if right else "does-not-hold",
             because=f"pid and ident before start(): {before}; after: {child.pid}, the child's own pid {reported['pid']}")


@pytest.mark.claim("process-api.exitcode-values")
@pytest.mark.parametrize("ending", ["returns", "SIGTERM", "SIGKILL"])
def test_exitcode_while_running_on_return_and_on_signals(ctx, ending, observed):
    """exitcode is None while the child runs, 0 after it returned, -SIGTERM after
    terminate() and -SIGKILL after SIGKILL (255 for both with billiard's fork
    server).  Only the signal endings observe the verdict: a return cannot tell it."""
    with held(ctx) as (child, release):
        while_running = child.exitcode
        if ending == "returns":
            release.set()
            expected = 0
        else:
            expected = -getattr(signal, ending)
            os.kill(child.pid, -expected)
        support.join(child)
    because = f"exitcode None while running: {while_running is None}; {child.exitcode} after it {ending}"
    if ending == "returns":
        # the part every library keeps (billiard's fork server differs only for
        # signals): asserted, but it cannot tell the claim's verdict, so not observed
        assert while_running is None and child.exitcode == 0, because
        return
    if while_running is None and child.exitcode == expected:
        observed("holds", because=because)
    else:  # billiard's fork server learns no signal: 255
        assert while_running is None and child.exitcode == 255, because
        observed("partly", because=because)


@pytest.mark.claim("process-api.exitcode-sysexit")
def test_sys_exit_and_uncaught_exceptions_set_the_exitcode(ctx, observed):
    """sys.exit(3) in the child gives exitcode 3; an uncaught exception gives 1."""
    codes = (support.run(ctx, exits.exit_with, 3).exitcode, support.run(ctx, exits.raise_error).exitcode)
    observed("holds" if codes == (3, 1) else "does-not-hold",
             because=f"exitcodes after sys.exit(3) and an uncaught exception: {codes}")


# --- authkey and sentinel -----------------------------------------------------------


@pytest.mark.claim("process-api.authkey-random-main")
def test_each_main_process_gets_a_random_authkey(observed):
    """Two fresh interpreters, and this one, have different 32-byte authkeys (only
    fingerprints are compared; no key is ever printed)."""
    fingerprints = set()
    for _ in range(2):
        done = support.run_script("process_api_authkey.py")
        assert done.returncode == 0, done.stderr
        label, is_bytes, length, fingerprint = done.stdout.split()
        assert (label, is_bytes, length) == ("authkey", "True", "32")
        fingerprints.add(fingerprint)
    fingerprints.add(pa.digest(lib.mp.current_process().authkey)[:16])
    observed("holds" if len(fingerprints) == 3 else "does-not-hold",
             because=f"three main processes had {len(fingerprints)} different 32-byte authkeys")


@pytest.mark.claim("process-api.authkey-inherited")
def test_a_child_inherits_the_authkey_unless_one_is_assigned(ctx, observed):
    """The child's authkey is its parent's; one assigned to p.authkey before start()
    is the child's instead (compared by digest, never printed)."""
    parent_key = lib.mp.current_process().authkey
    reader, writer = ctx.Pipe(duplex=False)
    inherits = ctx.Process(target=pa.report_authkey, args=(writer, pa.digest(parent_key)))
    assert pa.digest(inherits.authkey) == pa.digest(parent_key)
    with support.started(inherits):
        inherited = support.receive(reader)
        support.join(inherits)
    assigned = os.urandom(32)
    replaced = ctx.Process(target=pa.report_authkey, args=(writer, pa.digest(assigned)))
    replaced.authkey = assigned
    with support.started(replaced):
        given = support.receive(reader)
        support.join(replaced)
    observed("holds" if inherited == given == (True, True, 32) else "does-not-hold",
             because=f"(key matches, is bytes, length) in a child: inherited {inherited}, assigned {given}")


def descriptor_identity(fd):
    """(st_dev, st_ino) of what ``fd`` names now; None when it is closed."""
    try:
        stat = os.fstat(fd)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


@pytest.mark.claim("process-api.sentinel-ready-on-exit")
def test_the_sentinel_becomes_ready_when_the_child_ends(ctx, observed):
    """Before start() sentinel raises ValueError; while the child runs it is not
    ready; once the child ends it is, and connection.wait() returns it.  After join()
    it is still the same descriptor, still ready.  Observes only the caveat it can
    see: 'partly' when join() closed it (billiard) and p.sentinel names a closed or
    reused descriptor."""
    wait = lib.module("connection").wait
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.hold, args=(reader,))
    with pytest.raises(ValueError, match="process not started"):
        child.sentinel
    with support.started(child):
        sentinel = child.sentinel
        assert not readable(sentinel) and wait([sentinel], 0) == []
        release.send("go")
        assert wait([sentinel], DEADLINE) == [sentinel]
        assert readable(sentinel)
        identity = descriptor_identity(sentinel)
        support.join(child)
        assert child.sentinel == sentinel
        after = descriptor_identity(sentinel)
        if after == identity:  # (forkserver: join() consumed the exit status; EOF follows)
            # as documented; whether a forked grandchild holds it unready is the next
            # test's to tell, so nothing is observed here
            assert wait([sentinel], DEADLINE) == [sentinel]
        else:
            observed("partly", because=f"the sentinel was ready once the child ended, but after join() p.sentinel "
                     f"({sentinel}) names {'a closed descriptor' if after is None else 'another file'}")


@pytest.mark.claim("process-api.sentinel-ready-on-exit")
def test_the_sentinel_waits_for_grandchildren_forked_by_the_child(ctx, start_method, observed):
    """Under fork a grandchild inherits the write end of its parent's sentinel pipe:
    after the child is terminated, join(timeout) waits out its timeout and the
    sentinel stays unready until the grandchild ends.  Under spawn and forkserver
    join() returns as soon as the child is dead."""
    wait = lib.module("connection").wait
    pid_reader, pid_writer = ctx.Pipe(duplex=False)
    grandchild_reader, grandchild_release = ctx.Pipe(duplex=False)
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=pa.start_held_grandchild, args=(start_method, pid_writer, grandchild_reader, reader)
    )
    grandchild = None
    try:
        with support.started(child):
            grandchild = support.receive(pid_reader)
            identity = descriptor_identity(child.sentinel)
            child.terminate()
            began = time.monotonic()
            assert child.join(WAIT) is None
            waited = time.monotonic() - began
            assert support.wait_until(lambda: not child.is_alive())  # waitpid() knows
            # billiard's join() closes the sentinel of a child it saw end
            closed = descriptor_identity(child.sentinel) != identity
            stuck = not closed and wait([child.sentinel], WAIT) == []  # dead, yet not ready?
            if stuck:
                assert waited >= WAIT * SLACK  # join() waited its timeout out
                grandchild_release.send("go")
                assert wait([child.sentinel], DEADLINE) == [child.sentinel]
            assert child.exitcode == support.unreported_exitcode(start_method, -signal.SIGTERM)
    finally:
        with contextlib.suppress(OSError):
            grandchild_release.send("go")
        if grandchild is not None and not support.wait_gone(grandchild):
            os.kill(grandchild, signal.SIGKILL)
            assert support.wait_gone(grandchild)
    if stuck:
        observed("partly", because=f"the terminated child's sentinel stayed unready while its grandchild ran; "
                 f"join({WAIT:g}) waited {waited:.2f} s")
    elif closed:
        observed("partly", because=f"join({WAIT:g}) returned after {waited:.2f} s, the child dead and its grandchild "
                 "running, and had closed the sentinel: p.sentinel names a closed or reused descriptor")
    else:
        observed("holds", because="the sentinel was ready once the child was dead, its grandchild still running")


# --- terminate(), kill(), close() ---------------------------------------------------


@pytest.mark.claim("process-api.terminate-sigterm-no-cleanup")
@pytest.mark.parametrize("ending", ["returns", "terminated"])
def test_terminate_skips_finally_blocks_and_exit_handlers(ctx, start_method, facts, tmp_path, ending, observed):
    """A child terminated inside a try block dies of SIGTERM: neither its finally
    clause nor its atexit handler runs.  Left to end, its finally clause runs, and its
    atexit handler in spawn children (in fork and forkserver children too from 3.13;
    before, they left through os._exit)."""
    ready_reader, ready = ctx.Pipe(duplex=False)
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.clean_up_when_done, args=(str(tmp_path), ready, reader))
    with support.started(child):
        assert support.receive(ready_reader) == "waiting"
        if ending == "returns":
            release.send("go")
        else:
            child.terminate()
        support.join(child)
    run = (child.exitcode, (tmp_path / "finally").exists(), (tmp_path / "atexit").exists())
    if ending == "returns":
        # Since 3.13 (gh-83856) fork and forkserver children run the atexit handlers they
        # registered too; billiard's and older ones leave through os._exit.
        atexit_ran = start_method == "spawn" or (sys.version_info >= (3, 13) and facts.library != "billiard")
        assert run == (0, True, atexit_ran)
    else:  # the claim: (exitcode, finally ran, atexit handler ran)
        sigterm = support.unreported_exitcode(start_method, -signal.SIGTERM)
        observed("holds" if run == (sigterm, False, False) else "does-not-hold",
                 because=f"terminated inside a try block: (exitcode, finally ran, atexit ran) = {run}")


def orphan_blocks_exit(facts, start_method):
    """multiprocess (0.70.19) on 3.12+ stops its resource tracker at exit with a
    blocking waitpid(); a spawn or forkserver orphan holds the tracker's pipe open."""
    return facts.library == "multiprocess" and facts.python >= (3, 12) and start_method != "fork"


@pytest.mark.claim("process-api.terminate-orphans-grandchildren")
def test_terminating_a_child_leaves_its_child_running(start_method, facts, tmp_path, observed):
    """A script terminates its child while the child's own child runs: that
    grandchild survives its dead parent, re-parented (an orphan).  With multiprocess
    on 3.12+ (spawn, forkserver) the orphan even keeps the script from exiting."""
    leftovers = []
    try:
        with support.script("process_api_orphans.py", start_method, tmp_path, capture="files") as script:
            assert support.wait_until(lambda: "done" in read_report(script) or script.poll() is not None)
            lines = read_report(script)
            said = "\n".join(script.output())
            leftovers = pids_in(lines.get("grandchild"))
            assert lines.get("done") == "main", said
            assert lines["child-exitcode"] == str(support.unreported_exitcode(start_method, -signal.SIGTERM))
            grandchild = int(lines["grandchild"])
            assert support.gone(int(lines["child"]))
            orphaned = running(grandchild) and psutil.Process(grandchild).ppid() != int(lines["child"])
            if orphan_blocks_exit(facts, start_method):
                with pytest.raises(subprocess.TimeoutExpired):
                    script.wait(WAIT)  # its exit waits for the orphan
            (tmp_path / "release").write_text("go")  # the orphan ends; then the script can
            assert script.wait(DEADLINE) == 0, said
            assert support.wait_gone(grandchild)
    finally:
        end_leftovers(leftovers)
        isolation.remove_pymp_dirs_of_the_killed("the child the script terminates")
    observed("holds" if orphaned else "does-not-hold",
             because=f"after its parent was terminated the grandchild was {'running, re-parented' if orphaned else 'gone'}")


@pytest.mark.claim("process-api.terminate-corrupts-ipc")
def test_terminate_leaves_locks_held_and_messages_cut(ctx, observed):
    """A lock held (in a with block) by a terminated child is never released; a child
    terminated in the middle of sending a message leaves a truncated one, which the
    reader cannot receive."""
    lock = ctx.Lock()
    ready_reader, ready = ctx.Pipe(duplex=False)
    reader, release = ctx.Pipe(duplex=False)
    holder = ctx.Process(target=pa.hold_lock, args=(lock, ready, reader))
    with support.started(holder):
        assert support.receive(ready_reader) == "locked"
        holder.terminate()
        support.join(holder)
    lock_freed = lock.acquire(timeout=WAIT)

    reader, writer = ctx.Pipe(duplex=False)
    sender = ctx.Process(target=pa.send_big_message, args=(writer, 4 << 20))  # > any pipe buffer
    with support.started(sender):
        writer.close()  # the child's copy is then the only one: its death means EOF
        # Once more than the 4-byte header is waiting, the child is stuck in the middle
        # of the body, which cannot fit in the pipe.
        assert support.wait_until(lambda: pending_bytes(reader) > 4)
        sender.terminate()
        support.join(sender)
    try:
        cut = f"received {len(reader.recv_bytes())} bytes"
    except OSError as error:
        cut = f"OSError: {error}"
        assert "got end of file during message" in cut
    observed("holds" if not lock_freed and cut.startswith("OSError") else "does-not-hold",
             because=f"the terminated holder's lock {'was free' if lock_freed else 'stayed held'}; "
             f"the cut message: {cut}")


@pytest.mark.claim("process-api.kill-sigkill")
def test_kill_stops_a_child_that_ignores_terminate(ctx, start_method, observed):
    """A child ignoring SIGTERM survives terminate(); kill() ends it with -SIGKILL
    (billiard has no kill())."""
    ready_reader, ready = ctx.Pipe(duplex=False)
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.ignore_sigterm, args=(ready, reader))
    with support.started(child):
        assert support.receive(ready_reader) == "ignoring SIGTERM"
        child.terminate()
        assert child.join(WAIT) is None and child.is_alive()
        has_kill = hasattr(child, "kill")
        if has_kill:
            child.kill()
        else:
            os.kill(child.pid, signal.SIGKILL)
        support.join(child)
    killed = child.exitcode == support.unreported_exitcode(start_method, -signal.SIGKILL)
    observed("holds" if has_kill and killed else "does-not-hold",
             because="a child ignoring SIGTERM survived terminate(); "
             + (f"kill() ended it with exitcode {child.exitcode}" if has_kill else "Process has no kill()"))


@pytest.mark.claim("process-api.close-running-valueerror")
def test_close_refuses_a_running_process(ctx, start_method, observed):
    """close() on a running child raises ValueError and changes nothing; after join()
    it succeeds.  (billiard 4.2 closes the running child's sentinel instead.)"""
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.hold, args=(reader,))
    child.start()
    pid = child.pid
    refused = None
    try:
        try:
            child.close()
        except ValueError as error:
            refused = str(error)
        if refused is not None:
            assert refused.startswith("Cannot close a process while it is still running")
            assert child.is_alive() and child.pid == pid
        else:  # no error: the sentinel is gone
            assert child.pid == pid
            with pytest.raises(TypeError):
                child.join(0)
    finally:
        release.send("go")
        if refused is not None:
            support.join(child)
        else:
            assert support.wait_gone(pid)
            if start_method == "forkserver":  # the exit status is lost for good
                lib.module("process")._children.discard(child)
            else:
                child.join()  # reaps the zombie at once
    if refused is not None:
        child.close()
        assert "closed" in repr(child)
    observed("holds" if refused else "does-not-hold",
             because=f"close() on a running child: {'ValueError: ' + refused if refused else 'no error'}")


@pytest.mark.claim("process-api.closed-object-valueerror")
def test_a_closed_process_object_refuses_almost_everything(ctx, observed):
    """After close(): start, join, is_alive, terminate, kill, pid, ident, exitcode and
    sentinel raise ValueError; name, daemon and authkey stay readable, and close()
    may be repeated.  (With billiard 4.2 everything keeps working.)"""
    child = support.run(ctx, exits.return_value)
    pid = child.pid
    child.close()
    refused, allowed = [], []
    for name in ("pid", "ident", "exitcode", "sentinel", "start", "join", "is_alive", "terminate", "kill"):
        if name == "kill" and not hasattr(child, "kill"):
            continue  # billiard's Process has no kill()
        if name == "start" and not refused:
            break  # nothing refused: start() would start a child again
        try:
            value = getattr(child, name)
            if callable(value):
                value()
        except ValueError as error:
            assert str(error) == "process object is closed"
            refused.append(name)
        else:
            allowed.append(name)
    if not refused:
        assert (child.pid, child.exitcode, child.is_alive(), child.join(0)) == (pid, 0, False, None)
    assert child.name and child.daemon is False and len(child.authkey) == 32
    child.close()
    observed("holds" if not allowed else "does-not-hold",
             because=f"a closed Process refused {', '.join(refused) or 'nothing'}"
             + (f"; allowed {', '.join(allowed)}" if allowed else ""))


@pytest.mark.claim("process-api.creator-only-methods")
def test_another_process_cannot_manage_a_process_object(ctx, start_method, facts, observed):
    """A fork child handed a started Process object gets AssertionError from
    is_alive() and join(), yet reads exitcode (None) and can terminate() it.  Under
    spawn and forkserver the object cannot even be sent (TypeError), except with
    multiprocess and billiard, whose children get the same AssertionErrors and can
    terminate() it too."""
    if start_method == "fork":
        probes = ("is_alive", "join", "exitcode", "terminate")
    elif facts.optimize:  # unguarded, is_alive() and join() would poll a stranger's fd
        probes = ("terminate",)
    else:  # exitcode would read whatever fd carries the sentinel's number there
        probes = ("is_alive", "join", "terminate")
    reader, writer = ctx.Pipe(duplex=False)
    # the target's own arguments stay open here: billiard and multiprocess pickle the
    # whole object, args included (held()'s child has pipe ends this process closed)
    hold_reader, _hold_writer = ctx.Pipe(duplex=False)
    target = ctx.Process(target=pa.hold, args=(hold_reader,))
    with support.started(target):
        user = ctx.Process(target=pa.use_foreign_process, args=(target, writer, probes))
        try:
            user.start()
        except (TypeError, pickle.PicklingError) as error:
            unpicklable = pickle.PicklingError if facts.implementation == "PyPy" else TypeError
            assert type(error) is unpicklable and "weakref" in str(error), error
            assert ctx.active_children() == [target]
            with pytest.raises(TypeError, match="AuthenticationString"):
                writer.send(target)
            observed("holds", because=f"a started Process cannot reach another process: start() raised {error!r}")
            return
        try:
            results = support.receive(reader)
            support.join(user)
        finally:
            support.stop(user)
        if "is_alive" in probes and facts.optimize:
            assert results["is_alive"][0] == results["join"][0] == "returned"
        elif "is_alive" in probes:
            assert results["is_alive"] == ("AssertionError", "can only test a child process")
            assert results["join"] == ("AssertionError", "can only join a child process")
        if "exitcode" in probes:
            assert results["exitcode"] == ("returned", None)
        assert results["terminate"] == ("returned", None)
        support.join(target)
        assert target.exitcode == support.unreported_exitcode(start_method, -signal.SIGTERM)
    refused = [probe for probe in probes if results[probe][0] != "returned"]
    worked = [probe for probe in probes if results[probe][0] == "returned"]
    seen = "partly" if worked else "holds"  # (-O: nothing refused, yet the claim is only a rule)
    observed(seen, because=f"another process handed the started object: refused {refused}, ran {worked}")


@pytest.mark.claim("process-api.repr-states")
def test_the_repr_shows_the_state(ctx, start_method, observed):
    """repr says initial, started, then stopped exitcode=-SIGTERM after terminate()
    (billiard: '<Class(name, stopped[SIGTERM])>', stopped[255] under forkserver)."""
    reader, _ = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.hold, args=(reader,))
    cls, name, parent = type(child).__name__, re.escape(child.name), os.getpid()
    documented = (
        rf"<{cls} name='{name}' parent={parent} initial>",
        rf"<{cls} name='{name}' pid={{pid}} parent={parent} started>",
        rf"<{cls} name='{name}' pid={{pid}} parent={parent} stopped exitcode=-SIGTERM>",
    )
    stopped = "255" if start_method == "forkserver" else "SIGTERM"
    billiards = (
        rf"<{cls}\({name}, initial\)>",
        rf"<{cls}\({name}, started\)>",
        rf"<{cls}\({name}, stopped\[{stopped}\]\)>",
    )
    seen = [repr(child)]
    with support.started(child):
        seen.append(repr(child))
        child.terminate()
        support.join(child)
        seen.append(repr(child))

    def match(expected):
        return all(re.fullmatch(p.replace("{pid}", str(child.pid)), t) for p, t in zip(expected, seen))

    if match(documented):
        observed("holds", because=f"the reprs were {seen}")
    else:
        assert match(billiards), seen
        observed("partly", because=f"the reprs show the states in billiard's form: {seen}")


# --- active_children(), current_process(), parent_process() -------------------------


@pytest.mark.claim("process-api.active-children-list")
def test_active_children_lists_the_live_children(ctx, observed):
    """With two children running active_children() lists exactly those two; once
    they have ended it is empty."""
    with held(ctx) as (first, release_first), held(ctx) as (second, release_second):
        listed = ctx.active_children()
        release_first.set()
        release_second.set()
        emptied = support.wait_until(lambda: ctx.active_children() == [])
        right = len(listed) == 2 and set(listed) == {first, second} and emptied
    observed("holds" if right else "does-not-hold",
             because=f"with two children running active_children() listed {len(listed)} (the two: "
             f"{set(listed) == {first, second}}); empty once they ended: {bool(emptied)}")


@pytest.mark.claim("process-api.active-children-reaps")
def test_active_children_reaps_finished_children(ctx, start_method, observed):
    """A finished child nobody joined stays a zombie until active_children() reaps
    it (a forkserver child is reaped by the fork server: never our zombie)."""
    child = ctx.Process(target=exits.return_value)
    with support.started(child):
        pid = child.pid
        if start_method == "forkserver":
            assert support.wait_until(lambda: support.gone(pid) and not zombie(pid))
        else:
            assert support.wait_until(lambda: zombie(pid))
            time.sleep(WAIT)  # nobody else reaps it meanwhile
            assert zombie(pid)
        assert ctx.active_children() == []
        reaped = not psutil.pid_exists(pid) or not zombie(pid)
        assert child.exitcode == 0
    observed("holds" if reaped else "does-not-hold",
             because=f"the finished child was {'reaped' if reaped else 'still a zombie'} after active_children()")


@pytest.mark.claim("process-api.current-process")
def test_current_process_is_the_running_process(ctx, observed):
    """In the main process current_process() is 'MainProcess' with our pid; in a
    child it has the name and pid the parent's object shows."""
    main = lib.mp.current_process()
    reported, child = support.reports_back(ctx, pa.report_identity, support.REPLY, name="the-child", exitcode=None)
    in_main = (main.name, main.pid) == ("MainProcess", os.getpid())
    in_child = (reported["name"], reported["current_pid"], reported["pid"]) == ("the-child", child.pid, child.pid)
    observed("holds" if in_main and in_child else "does-not-hold",
             because=f"current_process() in the main process: {main.name} pid {main.pid} (ours {os.getpid()}); "
             f"in the child: {reported['name']} pid {reported['current_pid']} (the parent's object: {child.pid})")


@pytest.mark.claim("process-api.parent-process")
def test_parent_process_in_the_main_process_and_a_child(ctx, observed):
    """parent_process() is None in the main process; in a child it has the parent's
    pid and name (billiard has no parent_process())."""
    reported, _ = support.reports_back(ctx, pa.report_identity, support.REPLY, exitcode=None)
    if not hasattr(lib.mp, "parent_process"):
        assert not reported["has_parent_process"]
        observed("does-not-hold", because="there is no parent_process()")
        return
    in_main, in_child = lib.mp.parent_process(), reported["parent"]
    right = in_main is None and in_child is not None and tuple(in_child) == (os.getpid(), "MainProcess")
    observed("holds" if right else "does-not-hold",
             because=f"parent_process() in the main process: {in_main}; in a child: {in_child}")


# --- interrupt() (3.14) ---------------------------------------------------------------


@pytest.mark.claim("process-api.interrupt-sigint-314")
def test_interrupt_lets_the_child_run_its_finally_blocks(ctx, tmp_path, observed):
    """interrupt() sends SIGINT: the child gets KeyboardInterrupt, its finally clause
    runs and it ends with exitcode 1 (billiard has no interrupt())."""
    if not hasattr(ctx.Process, "interrupt"):
        observed("does-not-hold", because="Process has no interrupt()")
        return
    ready_reader, ready = ctx.Pipe(duplex=False)
    reader, release = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pa.clean_up_when_done, args=(str(tmp_path), ready, reader, 0.05))  # short polls: see hold
    with support.started(child):
        assert support.receive(ready_reader) == "waiting"
        child.interrupt()
        support.join(child)
    ran = (child.exitcode, (tmp_path / "finally").exists())
    observed("holds" if ran == (1, True) else "does-not-hold",
             because=f"after interrupt(): (exitcode, finally ran) = {ran}")

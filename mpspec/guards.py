"""Reliability guards for every test: no leaked processes, no hangs, no leaked
semaphores or shared memory.  Loaded by mpspec.plugin.

After CPython's multiprocessing tests (dangling-process checks, ``reap_children``,
a deadline on everything) and mspec's leak checks:

- **Leak guard** (every test): once the test is over, no descendant of the test
  process may be alive or a zombie.  Leftovers are terminated, then killed, then
  reaped, and the test fails naming their pids and command lines.  The fork server
  and the resource tracker are legitimate long-lived children: exactly their pids
  are excluded (not their descendants).  Under xdist the test process is a worker,
  whose parent (the controller) and siblings are never its descendants.  A queue
  feeder thread left running fails the test too (the ``ctx`` fixture checks its own
  tests; the guard checks the others).
- **Hang guard** (spec tests): a test still running after ``--spec-test-deadline``
  seconds has its whole child tree killed and fails at once, and the run goes on.
  pytest-timeout stays the backstop, with a longer limit.
- **Resource tracker**: each test process starts its resource tracker with stderr
  going to a log of ours and stops it (and the fork server) at the end of the
  session, so that the tracker's "leaked semaphore/shared_memory objects" warnings
  are seen; any such warning fails the run.
- **/dev/shm** (the run): every entry that appeared in /dev/shm during the run
  (POSIX shared memory blocks, named semaphores) and is still there at its end,
  with no live process mapping or holding it, was left by the run: it is removed
  and the run fails naming it.  The resource tracker's check sees only what was
  registered with it; this one also sees blocks created with ``track=False``, by
  child interpreters, or whose tracker was killed.  The run has a /dev/shm of its
  own where it can (mpspec/isolation.py), so a run beside it is never mistaken for
  it; MPSPEC_SHM_GUARD=0 turns the check off.  Each test process notes the names
  that appeared during each test and outlived it, so a leftover is reported with
  the test(s) it appeared in.
- **Temporary files** (every test): each test process has a temp dir of its own;
  whatever appears there during a test and outlives the test's processes (the
  ``pymp-*`` directory of a child killed before its exit handlers ran, a temporary
  file nobody removed) is removed and fails the test.  A test that kills a child on
  purpose says so with ``isolation.remove_pymp_dirs_of_the_killed(reason)``.
- **Listening sockets** (every test): a socket of the test process that listens
  (AF_INET/AF_INET6, or AF_UNIX) when the test ends and did not before fails the
  test: an unclosed Listener, or a manager server run in a thread.
- ``--spec-shuffle SEED`` runs the tests in a random (seeded, reproducible) order.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Optional, Set, Tuple

import psutil
import pytest

from mpspec import isolation, lib, support
from mpspec.deadlines import DEADLINE
from mpspec.items import is_spec_item

GUARD_DIR = "MPSPEC_GUARD_DIR"
# A test with a few DEADLINE waits still fails with its own message first.
DEFAULT_TEST_DEADLINE = float(os.environ.get("MPSPEC_TEST_DEADLINE", 3 * DEADLINE))
LIBRARIES = ("multiprocessing", "multiprocess", "billiard")
TRACKER_WARNING = "resource_tracker:"
TMP_PREFIX = "tmp-"  # each test process's temp dir in the guard directory: tmp-gw0, tmp-main

# The run's state (config.stash): the options, read by every process...
TEST_DEADLINE = pytest.StashKey[float]()
SHUFFLE = pytest.StashKey[Optional[int]]()  # also read by mpspec/schedule.py
SIGNAL_READY = pytest.StashKey[bool]()  # the hang guard can interrupt the test
# ...what the controller (or the only process) notes at the session's start...
ISOLATION = pytest.StashKey[str]()  # "" (a /dev/shm of the run's own) or why not
SHM_BEFORE = pytest.StashKey[Optional[Set[str]]]()
RUN_DIR = pytest.StashKey[str]()  # the guard directory (GUARD_DIR)
# ...and finds at its end (the run fails; the terminal summary names them).
TEMP_LEFT = pytest.StashKey[List[str]]()
TRACKER_WARNINGS = pytest.StashKey[List[str]]()
SHM_LEFT = pytest.StashKey[List[Tuple[str, List[str]]]]()
# Each test's (item.stash): its process tree before teardown; what the hang guard saw.
TREE = pytest.StashKey[list]()
HANG_TREE = pytest.StashKey[List[str]]()
HANG_KILLED = pytest.StashKey[List[str]]()
HANG_RAISED = pytest.StashKey[bool]()


def _positive_float(flag):
    def parse(value):
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not number > 0:
            raise pytest.UsageError(f"{flag}: expected a positive number of seconds, got {value!r}")
        return number

    return parse


def _seed(value):
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(f"--spec-shuffle: expected an integer seed, got {value!r}") from None


def pytest_addoption(parser):
    group = parser.getgroup("mpspec", "multiprocessing spec")
    group.addoption(
        "--spec-test-deadline",
        metavar="SECONDS",
        default=None,
        help=f"hang guard: a spec test still running after this long has its child tree "
        f"killed and fails (default {DEFAULT_TEST_DEADLINE:g}; pytest-timeout is the backstop)",
    )
    group.addoption(
        "--spec-shuffle",
        metavar="SEED",
        default=None,
        help="run the tests in a random order drawn from SEED (same order in every xdist worker)",
    )


def pytest_configure(config):
    raw = config.getoption("spec_test_deadline")
    config.stash[TEST_DEADLINE] = (
        DEFAULT_TEST_DEADLINE if raw is None else _positive_float("--spec-test-deadline")(raw)
    )
    raw = config.getoption("spec_shuffle")
    config.stash[SHUFFLE] = None if raw is None else _seed(raw)
    config.stash[SIGNAL_READY] = _install_handler()


def pytest_report_header(config):
    mutant = os.environ.get("MPSPEC_MUTANT")
    lines = []
    if mutant:
        lines.append(f"mpspec: MUTANT {mutant} IS ACTIVE (mutation self-check run)")
    if config.stash[SHUFFLE] is not None:
        lines.append(f"mpspec: random order, --spec-shuffle {config.stash[SHUFFLE]}")
    why = config.stash.get(ISOLATION, None)
    if why == "":
        lines.append("mpspec: this run has a /dev/shm and temp dirs of its own (another run beside it cannot disturb it)")
    elif why is not None:
        lines.append(f"mpspec: temp dirs of its own; /dev/shm shared with the machine ({why}): "
                     "a run beside it may take its leftovers for this run's")
    return lines


@pytest.hookimpl(tryfirst=True)  # before the plugin deselects and writes the inventory
def pytest_collection_modifyitems(session, config, items):
    if config.stash[SHUFFLE] is not None:
        random.Random(config.stash[SHUFFLE]).shuffle(items)


# --- the process tree ---------------------------------------------------------


def helper_pids():
    """The pids of the fork servers and resource trackers this process started:
    legitimate long-lived children, for every library loaded."""
    pids = set()
    for name in LIBRARIES:
        forkserver = sys.modules.get(f"{name}.forkserver")
        server = getattr(forkserver, "_forkserver", None)
        pids.add(getattr(server, "_forkserver_pid", None))
        for tracker_module in ("resource_tracker", "semaphore_tracker"):
            module = sys.modules.get(f"{name}.{tracker_module}")
            for attr in ("_resource_tracker", "_semaphore_tracker"):
                pids.add(getattr(getattr(module, attr, None), "_pid", None))
    pids.discard(None)
    return pids


def _descendant_pids_from_proc(pid):
    """The pids of ``pid``'s descendants from Linux's /proc/PID/task/TID/children
    (each thread lists the children it started; zombies included), or None where
    the kernel has no such file.  psutil's children() reads /proc/*/stat of every
    process on the machine instead: this walk reads only the tree, and the guard
    runs it twice per test."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            if parent == pid:
                return None
            continue  # exited meanwhile
        for tid in threads:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{parent}/task/{tid}"):
                    continue  # the thread (or its process) ended meanwhile
                return None  # the kernel keeps no children files (CONFIG_PROC_CHILDREN)
            except OSError:
                continue
            found += kids
            stack += kids
    return found


def descendants():
    """psutil.Process objects of this process's descendants."""
    pids = _descendant_pids_from_proc(os.getpid()) if sys.platform.startswith("linux") else None
    if pids is None:
        try:
            return psutil.Process().children(recursive=True)
        except psutil.Error:
            return []
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.Error:
            pass  # gone (and reaped) meanwhile
    return procs


def stray_processes():
    """Descendants of this process, but the fork servers and resource trackers."""
    helpers = helper_pids()
    return [p for p in descendants() if p.pid not in helpers and not _pidless_tracker(p)]


# The kernel's PF_EXITING flag (include/linux/sched.h): the process is in exit(), past
# running any code of its own.  Field 9 of /proc/PID/stat.
PF_EXITING = 0x4


def exiting(proc) -> bool:
    """True when the kernel says ``proc`` is exiting (Linux; False elsewhere or when
    unknown)."""
    try:
        with open(f"/proc/{proc.pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return bool(int(fields[6]) & PF_EXITING)  # fields[0] is the state (field 3)
    except (OSError, IndexError, ValueError):
        return False


def reported_early(proc) -> bool:
    """True for a child of our billiard fork server.  billiard's fork server child
    writes its exit code to its parent's pipe and only then leaves through the
    ``finally: os._exit(code)`` of forkserver.main, so join() in the test returns while
    the child still runs its last lines: under load the leak guard sees it running."""
    try:
        parent = proc.parent()
        if parent is None or not _pidless_tracker(parent):
            return False
        return "billiard.forkserver" in " ".join(parent.cmdline())
    except psutil.Error:
        return False


def settle(procs, timeout: float = 2.0):
    """``procs`` less those that were on their way out (exiting, or a billiard fork
    server's child that has reported its exit code) and have ended within ``timeout``.
    One still there then, running or a zombie, stays in the list: a leak."""
    finishing = {p.pid for p in procs if exiting(p) or reported_early(p)}
    if not finishing:
        return procs
    deadline = time.monotonic() + timeout
    while any(_still_there(p) for p in procs if p.pid in finishing) and time.monotonic() < deadline:
        time.sleep(0.01)
    return [p for p in procs if p.pid not in finishing or _still_there(p)]


def _still_there(proc) -> bool:
    """Running or a zombie: not yet reaped."""
    try:
        return proc.is_running()
    except psutil.Error:
        return False


# billiard's fork server and semaphore tracker keep no pid to look up: recognise our
# own by their command lines (direct children running the helper's main).
_PIDLESS_HELPERS = ("from billiard.forkserver import main", "from billiard.semaphore_tracker import main")


def _pidless_tracker(proc):
    try:
        cmdline = " ".join(proc.cmdline())
        return proc.ppid() == os.getpid() and any(h in cmdline for h in _PIDLESS_HELPERS)
    except psutil.Error:
        return False


def describe(proc):
    try:
        status = proc.status()
        cmdline = " ".join(proc.cmdline()) or proc.name()
    except psutil.ZombieProcess:
        status, cmdline = psutil.STATUS_ZOMBIE, "?"
    except psutil.Error:
        status, cmdline = "gone", "?"
    return f"pid {proc.pid} ({status}): {cmdline[:200]}"


def kill_tree(procs, grace: float = 3.0):
    """Terminate, then kill, then reap ``procs``; return their descriptions, taken
    before they were stopped."""
    seen = [describe(p) for p in procs]
    for sig in ("terminate", "kill"):
        alive = []
        for proc in procs:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    getattr(proc, sig)()
                    alive.append(proc)
            except psutil.Error:
                pass
        if not alive:
            break
        psutil.wait_procs(alive, timeout=grace)
    reap()
    return seen


def reap_library_children():
    """Join the children of the libraries that have exited, through the libraries,
    so that their bookkeeping stays right (a finished child nobody joined yet is not
    a leak; the library would join it at its next active_children())."""
    for name in LIBRARIES:
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "active_children"):
            try:
                module.active_children()
            except Exception:
                pass


def reap():
    """Collect every child of this process that has exited: the library's own
    children through the library, then any other zombie."""
    reap_library_children()
    me = psutil.Process()
    try:
        children = me.children()
    except psutil.Error:
        return
    for child in children:
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)
        except (psutil.Error, ChildProcessError):
            pass


# --- the leak guard -------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Note the test's process tree before its fixtures are torn down: a fixture that
    stops a child can orphan the child's own children, which then leave the tree."""
    item.stash[TREE] = stray_processes()
    yield


def _orphans(before, now):
    """Processes of the tree noted before teardown that still run outside it."""
    pids = {p.pid for p in now}
    orphans = []
    for proc in before:
        try:
            if proc.pid not in pids and proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                orphans.append(proc)
        except psutil.Error:
            pass
    return orphans


# --- listening sockets ------------------------------------------------------------

# /proc/net/unix: Flags has __SO_ACCEPTCON (include/net/af_unix.h) on a listening socket.
_SO_ACCEPTCON = 0x10000
_TCP_LISTEN = "0A"  # /proc/net/tcp{,6}: st


def _socket_inodes():
    """{inode: fd} of this process's sockets (Linux), or None."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    inodes = {}
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes[target[8:-1]] = int(fd)
    return inodes


def _proc_net_listening():
    """{inode: address} of every listening socket the kernel lists, from /proc/net."""
    listening = {}
    try:
        with open("/proc/net/unix") as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) >= 7 and int(fields[3], 16) & _SO_ACCEPTCON:
                    listening[fields[6]] = fields[7] if len(fields) > 7 else "(unnamed AF_UNIX)"
    except OSError:
        pass
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/net/{name}") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if len(fields) >= 10 and fields[3] == _TCP_LISTEN:
                        host, port = fields[1].split(":")
                        listening[fields[9]] = f"{name} port {int(port, 16)}"
        except OSError:
            pass
    return listening


def listening_sockets():
    """{fd: address} of the sockets of this process that listen for connections."""
    inodes = _socket_inodes()
    if inodes is not None:
        if not inodes:
            return {}
        listening = _proc_net_listening()
        return {fd: listening[inode] for inode, fd in inodes.items() if inode in listening}
    try:  # not Linux: psutil knows listening AF_INET sockets only
        me = psutil.Process()
        connections = getattr(me, "net_connections", None) or me.connections
        return {c.fd: f"{c.laddr}" for c in connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    except (psutil.Error, AttributeError):
        return {}


@pytest.fixture(autouse=True)
def _mpspec_leak_guard(request):
    """After every test: no descendant alive or a zombie, no queue feeder thread, no
    new listening socket."""
    listening_before = listening_sockets()
    shm_before = _shm_watched()
    tmp_before = isolation.entries(tempfile.gettempdir()) if os.environ.get(GUARD_DIR) else None
    isolation.test_began(tmp_before or ())
    yield
    reap_library_children()
    if shm_before is not None:
        note_new_shm(request.node.nodeid, shm_before)
    leftovers = settle(stray_processes())
    leftovers += settle(_orphans(request.node.stash.get(TREE, []), leftovers))
    # One that ended by itself since it was seen was finishing, not leaked.
    leftovers = [p for p in leftovers if _still_there(p)]
    problems = []
    if leftovers:
        seen = kill_tree(leftovers)
        problems.append(f"the test leaked {len(seen)} process(es), now killed: " + "; ".join(seen))
    tree = request.node.stash.get(HANG_TREE, None)
    if tree is not None and not request.node.stash.get(HANG_RAISED, False):
        problems.append("the test ran past its deadline (hang guard); its child tree then: " + "; ".join(tree))
    if "ctx" not in request.fixturenames:  # ctx checks its own tests
        feeders = support.lingering_feeder_threads()
        if feeders:
            problems.append(f"the test left {len(feeders)} queue feeder thread(s) running")
    if tmp_before is not None:
        left = temp_left_behind(tmp_before)
        if left:
            problems.append(
                f"the test left {len(left)} temporary entr(ies) that outlived its processes, now removed: "
                + ", ".join(left)
            )
    listening = {fd: a for fd, a in listening_sockets().items() if listening_before.get(fd) != a}
    if listening:
        problems.append(
            f"the test left {len(listening)} socket(s) listening: "
            + "; ".join(f"fd {fd} at {a}" for fd, a in sorted(listening.items()))
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def temp_left_behind(before, settle_for: float = 1.0):
    """What appeared in this test process's temp dir during the test and is still there
    once its processes are gone (a child killed before its exit handlers removed its
    ``pymp-*`` directory, a temporary file nobody deleted): removed, and named.  The
    process's own ``pymp-*`` directory lives until it exits and is not counted."""
    directory = tempfile.gettempdir()
    deadline = time.monotonic() + settle_for
    while True:
        left = sorted(isolation.entries(directory) - before - isolation.own_temp_dirs())
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for name in left:
        path = os.path.join(directory, name)
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else _unlink(path)
    return [os.path.join(directory, name) for name in left]


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_own_temp_dirs():
    """Run this process's exit handlers for its own ``pymp-*`` directories now (the run
    is over): what is left in the run's temp dirs afterwards was left behind."""
    for library in LIBRARIES:
        util = sys.modules.get(f"{library}.util")
        registry = getattr(util, "_finalizer_registry", None)
        if not registry:
            continue
        own = {os.path.join(tempfile.gettempdir(), name) for name in isolation.own_temp_dirs()}
        for finalizer in list(registry.values()):
            if any(isinstance(a, str) and a in own for a in (getattr(finalizer, "_args", None) or ())):
                try:
                    finalizer()
                except Exception:
                    pass


def run_temp_leftovers(directory):
    """Every entry left in the test processes' temp dirs of the run, with its path."""
    left = []
    for tmp in sorted(Path(directory).glob(f"{TMP_PREFIX}*")):
        left += [str(tmp / name) for name in sorted(isolation.entries(tmp))]
    return left


# --- the hang guard ---------------------------------------------------------------


class HangGuardFired(AssertionError):
    """A test ran past its deadline; its child tree has been killed."""


# Windows has neither SIGUSR1 nor pthread_kill: there the guard cannot interrupt the
# test, and only kills its child tree (which ends most hangs: the test's blocking call
# then sees EOF or a dead child); pytest-timeout remains the backstop.
_SIGNAL = getattr(signal, "SIGUSR1", None)
_CURRENT = {}  # "watchdog": the armed watchdog of the running test, if any


def _on_signal(signum, frame):
    watchdog = _CURRENT.get("watchdog")
    if watchdog is not None and watchdog.armed and watchdog.pending:
        watchdog.pending = False
        watchdog.item.stash[HANG_RAISED] = True
        raise HangGuardFired(watchdog.message())


def _install_handler():
    """Once, in the main thread: the handler stays for the whole session, so a late
    signal can never meet the default action (which would end the process)."""
    if _SIGNAL is not None and hasattr(signal, "pthread_kill") and threading.current_thread() is threading.main_thread():
        signal.signal(_SIGNAL, _on_signal)
        return True
    return False


class _Watchdog:
    """At the deadline, interrupts the test's (main) thread with HangGuardFired, so
    that the test's own clean-up runs while its children are still intact (killing
    a pool worker that holds a queue lock would deadlock the pool's terminate()).
    If the test is still running ``GRACE`` seconds later, its child tree is killed
    and it is interrupted again, and so on."""

    GRACE = 5.0

    def __init__(self, item, seconds, interrupt):
        self.item, self.seconds, self.interrupt = item, seconds, interrupt
        self.armed = False
        self.pending = False
        self.tree = []
        self.killed = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="mpspec-hang-guard", daemon=True)

    def message(self):
        text = f"hang guard: the test was still running after its deadline of {self.seconds:g} s"
        if self.killed:
            text += "; its child tree was killed: " + "; ".join(self.killed)
        elif self.tree:
            text += "; its child tree then: " + "; ".join(self.tree)
        return text

    def _interrupt(self):
        self.pending = True
        if self.armed and self.interrupt:
            signal.pthread_kill(threading.main_thread().ident, _SIGNAL)

    def _watch(self):
        if self.stop.wait(self.seconds):
            return
        self.tree = [describe(p) for p in stray_processes()]
        self.item.stash[HANG_TREE] = self.tree
        self._interrupt()
        while not self.stop.wait(self.GRACE):
            self.killed += kill_tree(stray_processes())
            self.item.stash[HANG_KILLED] = self.killed
            self._interrupt()

    def __enter__(self):
        _CURRENT["watchdog"] = self
        self.armed = True
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.armed = False
        self.stop.set()
        self.thread.join()
        _CURRENT.pop("watchdog", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if not is_spec_item(item):
        yield
        return
    interrupt = item.config.stash[SIGNAL_READY] and threading.current_thread() is threading.main_thread()
    with _Watchdog(item, item.config.stash[TEST_DEADLINE], interrupt):
        yield


# --- the resource tracker -------------------------------------------------------


def _runs_tests(config):
    """False for the xdist controller, which runs no test itself."""
    return hasattr(config, "workerinput") or config.getoption("dist", "no") == "no"


def _tracker_module():
    try:
        return lib.module("resource_tracker")
    except ImportError:
        return None


@pytest.hookimpl(tryfirst=True)  # before xdist starts its workers, which inherit GUARD_DIR
def pytest_sessionstart(session):
    """Start the resource tracker of the library under test with its stderr in our
    log, before any test can start it with stderr in a capture file."""
    config = session.config
    if not hasattr(config, "workerinput"):
        # A /dev/shm of the run's own (mpspec/isolation.py): before any worker starts.
        config.stash[ISOLATION] = isolation.private_shm()
        # MPSPEC_SHM_GUARD=0 turns the /dev/shm check off (some self-tests).
        config.stash[SHM_BEFORE] = shm_entries() if shm_guard_on() else None
        # The directory where every test process of this run logs its resource tracker
        # and has its temp dir.
        config.stash[RUN_DIR] = tempfile.mkdtemp(prefix="mpspec-guard-")
        os.environ[GUARD_DIR] = config.stash[RUN_DIR]
    directory = os.environ.get(GUARD_DIR)
    if _runs_tests(config) and directory:
        worker = getattr(config, "workerinput", {}).get("workerid", "main")
        isolation.private_tmp(os.path.join(directory, f"{TMP_PREFIX}{worker}"))
    module = _tracker_module()
    if not _runs_tests(config) or not directory or module is None:
        return
    tracker = getattr(module, "_resource_tracker", None)
    if tracker is None or getattr(tracker, "_fd", None) is not None:
        return
    log = os.path.join(directory, f"tracker-{os.getpid()}.log")
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            return True
        time.sleep(0.02)
    return False


def run_exit_finalizers():
    """What the library does at interpreter exit, before its helpers see EOF: collect
    garbage and run the finalizers that have an exit priority (they unlink and
    unregister the semaphores of objects still alive).  What the tracker still holds
    after this is truly leaked: its owner died without cleaning up."""
    import gc

    gc.collect()
    for name in LIBRARIES:
        util = sys.modules.get(f"{name}.util")
        if util is not None and hasattr(util, "_run_finalizers"):
            try:
                util._run_finalizers(0)
            except Exception:
                pass


def stop_helpers(timeout: float = DEADLINE):
    """Stop the fork servers, then the resource trackers (which then report what was
    leaked); kill any that does not end within ``timeout``."""
    run_exit_finalizers()
    for name in LIBRARIES:
        server = getattr(sys.modules.get(f"{name}.forkserver"), "_forkserver", None)
        if _end_helper(getattr(server, "_forkserver_pid", None), getattr(server, "_forkserver_alive_fd", None), timeout):
            server._forkserver_alive_fd = server._forkserver_pid = None
            if hasattr(server, "_forkserver_address"):
                server._forkserver_address = None
    for name in LIBRARIES:
        tracker = getattr(sys.modules.get(f"{name}.resource_tracker"), "_resource_tracker", None)
        if _end_helper(getattr(tracker, "_pid", None), getattr(tracker, "_fd", None), timeout):
            tracker._fd = tracker._pid = None


def _end_helper(pid, fd, timeout):
    """Close our end of a helper's pipe (it exits on EOF), wait for it, kill it if it
    lingers.  False when there was no helper to end."""
    if pid is None:
        return False
    try:
        os.close(fd)
    except (OSError, TypeError):
        pass
    if not _wait_gone(pid, timeout):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, timeout)
    return True


SHM = "/dev/shm"
SHM_GUARD = "MPSPEC_SHM_GUARD"


def shm_entries():
    """The names in /dev/shm (POSIX shared memory and named semaphores), or None
    where there is no such directory."""
    try:
        return set(os.listdir(SHM))
    except OSError:
        return None


def shm_in_use():
    """The (device, inode) pairs of the /dev/shm files that some live process maps or
    holds open, or None where /proc cannot tell.  (By inode: glibc creates a named
    semaphore under a temporary name, maps it, then links it to its real name, so a
    mapping shows another name.  With the device: another run's private /dev/shm is
    another tmpfs, whose inode numbers repeat ours.)"""
    used = set()
    prefix = SHM + "/"
    try:
        pids = os.listdir("/proc")
    except OSError:
        return None
    for pid in pids:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/maps") as f:
                for line in f:
                    if prefix in line:
                        fields = line.split()
                        major, minor = (int(x, 16) for x in fields[3].split(":"))
                        used.add((os.makedev(major, minor), int(fields[4])))
        except (OSError, IndexError, ValueError):
            pass
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                    st = os.stat(f"/proc/{pid}/fd/{fd}")
                    used.add((st.st_dev, st.st_ino))
            except OSError:
                continue
    return used


def _unused(names):
    """{name: (device, inode)} of the ``names`` still in /dev/shm that no live process
    uses."""
    inodes = {}
    for name in names:
        try:
            st = os.stat(os.path.join(SHM, name))
            inodes[name] = (st.st_dev, st.st_ino)
        except OSError:
            pass  # removed meanwhile
    if not inodes:
        return {}
    used = shm_in_use()
    if used is None:
        return {}
    return {n: i for n, i in inodes.items() if i not in used and os.path.exists(os.path.join(SHM, n))}


def shm_left_behind(before, settle_for: float = 3.0, unused_for: float = 1.0):
    """The /dev/shm entries that appeared since ``before`` and that no live process
    used for ``unused_for`` seconds running, after giving resource trackers up to
    ``settle_for`` seconds to unlink theirs.  (A block that another program closed
    and will attach again in a moment is not taken for a leftover.)"""
    deadline = time.monotonic() + settle_for
    first_unused = {}  # (name, inode) -> when first seen unused
    while True:
        now = time.monotonic()
        unused = {(n, i) for n, i in _unused((shm_entries() or set()) - before).items()}
        first_unused = {k: first_unused.get(k, now) for k in unused}
        left = sorted(n for (n, _), since in first_unused.items() if now - since >= unused_for)
        if not unused or (left and len(left) == len(unused)) or now > deadline:
            return left
        time.sleep(0.1)


def shm_guard_on():
    """False when MPSPEC_SHM_GUARD=0 turns the /dev/shm check off."""
    return os.environ.get(SHM_GUARD, "1") != "0"


def _shm_watched():
    """/dev/shm's names now, if this run checks /dev/shm (else None)."""
    return shm_entries() if shm_guard_on() and os.environ.get(GUARD_DIR) else None


def note_new_shm(nodeid, before):
    """Log the /dev/shm names that appeared during the test and are still there, so
    that a leftover at the end of the run names the test(s) it appeared in.  (Under
    -n 2 the other worker's test may have made it: both are named.)"""
    new = (shm_entries() or set()) - before
    if new:
        log = os.path.join(os.environ[GUARD_DIR], f"shm-{os.getpid()}.log")
        with open(log, "a", encoding="utf-8") as f:
            f.writelines(f"{name}\t{nodeid}\n" for name in sorted(new))


def shm_origins(directory):
    """{name: [test ids]} from the workers' logs of new /dev/shm names."""
    origins = {}
    for log in sorted(Path(directory).glob("shm-*.log")):
        for line in log.read_text(errors="replace").splitlines():
            name, _, nodeid = line.partition("\t")
            if nodeid not in origins.setdefault(name, []):
                origins[name].append(nodeid)
    return origins


def remove_shm(names):
    for name in names:
        try:
            os.unlink(os.path.join(SHM, name))
        except OSError:
            pass


def tracker_warnings(directory):
    """The resource trackers' warnings logged in ``directory``."""
    lines = []
    for log in sorted(Path(directory).glob("tracker-*.log")):
        lines += [line for line in log.read_text(errors="replace").splitlines() if TRACKER_WARNING in line]
    return lines


@pytest.hookimpl(tryfirst=True)  # before xdist tells the controller this worker is done
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _runs_tests(config):
        stop_helpers()
        remove_own_temp_dirs()
    directory = config.stash.get(RUN_DIR, None)
    if directory is None:
        return
    warnings = tracker_warnings(directory)
    origins = shm_origins(directory)
    temp_left = run_temp_leftovers(directory)
    shutil.rmtree(directory, ignore_errors=True)
    if temp_left:
        config.stash[TEMP_LEFT] = temp_left
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if warnings:
        config.stash[TRACKER_WARNINGS] = warnings
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    before = config.stash.get(SHM_BEFORE, None)
    if before is not None:
        left = shm_left_behind(before)
        if left:
            remove_shm(left)
            config.stash[SHM_LEFT] = [(name, origins.get(name, [])) for name in left]
            if session.exitstatus == 0:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    temp_left = config.stash.get(TEMP_LEFT, None)
    if temp_left:
        terminalreporter.write_sep("=", f"temp dirs: the run left {len(temp_left)} entr(ies) outside any test, now removed (the run fails)", red=True)
        for path in temp_left:
            terminalreporter.write_line(path)
    left = config.stash.get(SHM_LEFT, None)
    if left:
        terminalreporter.write_sep("=", f"/dev/shm: the run left {len(left)} entr(ies), now removed (the run fails)", red=True)
        for name, tests in left:
            seen = "appeared during " + " or ".join(tests) if tests else "appeared outside any test"
            terminalreporter.write_line(f"{SHM}/{name} ({seen})")
    warnings = config.stash.get(TRACKER_WARNINGS, None)
    if warnings:
        terminalreporter.write_sep("=", "resource tracker: leaked resources (the run fails)", red=True)
        for line in warnings:
            terminalreporter.write_line(line.strip())

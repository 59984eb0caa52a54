"""The guards' pytest hooks (loaded by mpspec.plugin after mpspec.guards.options),
and the leak guard, which they run around every test.

**Leak guard** (every test): once the test is over, no descendant of the test process
may be alive or a zombie (mpspec/guards/tree.py).  Leftovers are terminated, then
killed, then reaped, and the test fails naming their pids and command lines.  A
queue feeder thread left running fails the test too (the ``ctx`` fixture checks its
own tests; the guard checks the others).  The same fixture runs the temporary-files
and listening-sockets checks, and notes the /dev/shm names each test left
(mpspec/guards/temp.py, sockets.py, shm.py).

The session's hooks run the rest: the hang guard around each spec test's call
(hang.py), the resource tracker's log and the run's guard directory from the
session's start, the run's checks (tracker.py, shm.py, temp.py) at its end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from typing import List, Optional, Set, Tuple

import pytest

from mpspec import isolation, support
from mpspec.guards import GUARD_DIR, tracker
from mpspec.guards.hang import HANG_RAISED, HANG_TREE, Watchdog, install_handler
from mpspec.guards.options import SHUFFLE, TEST_DEADLINE
from mpspec.guards.shm import (
    SHM, note_new_shm, remove_shm, shm_entries, shm_guard_on, shm_left_behind, shm_origins, shm_watched,
)
from mpspec.guards.sockets import listening_sockets
from mpspec.guards.temp import TMP_PREFIX, remove_own_temp_dirs, run_temp_leftovers, temp_left_behind
from mpspec.guards.tree import kill_tree, orphans, reap_library_children, settle, still_there, stray_processes
from mpspec.items import is_spec_item

# The run's state (config.stash): whether the hang guard can interrupt the test
# (every process)...
SIGNAL_READY = pytest.StashKey[bool]()
# ...what the controller (or the only process) notes at the session's start...
ISOLATION = pytest.StashKey[str]()  # "" (a /dev/shm of the run's own) or why not
SHM_BEFORE = pytest.StashKey[Optional[Set[str]]]()
RUN_DIR = pytest.StashKey[str]()  # the guard directory (GUARD_DIR)
# ...and finds at its end (the run fails; the terminal summary names them).
TEMP_LEFT = pytest.StashKey[List[str]]()
TRACKER_WARNINGS = pytest.StashKey[List[str]]()
SHM_LEFT = pytest.StashKey[List[Tuple[str, List[str]]]]()
# Each test's process tree before teardown (item.stash).
TREE = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[SIGNAL_READY] = install_handler()


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Note the test's process tree before its fixtures are torn down: a fixture that
    stops a child can orphan the child's own children, which then leave the tree."""
    item.stash[TREE] = stray_processes()
    yield


@pytest.fixture(autouse=True)
def _mpspec_leak_guard(request):
    """After every test: no descendant alive or a zombie, no queue feeder thread, no
    new listening socket."""
    listening_before = listening_sockets()
    shm_before = shm_watched()
    tmp_before = isolation.entries(tempfile.gettempdir()) if os.environ.get(GUARD_DIR) else None
    isolation.test_began(tmp_before or ())
    yield
    reap_library_children()
    if shm_before is not None:
        note_new_shm(request.node.nodeid, shm_before)
    leftovers = settle(stray_processes())
    leftovers += settle(orphans(request.node.stash.get(TREE, []), leftovers))
    # One that ended by itself since it was seen was finishing, not leaked.
    leftovers = [p for p in leftovers if still_there(p)]
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if not is_spec_item(item):
        yield
        return
    interrupt = item.config.stash[SIGNAL_READY] and threading.current_thread() is threading.main_thread()
    with Watchdog(item, item.config.stash[TEST_DEADLINE], interrupt):
        yield


def _runs_tests(config):
    """False for the xdist controller, which runs no test itself."""
    return hasattr(config, "workerinput") or config.getoption("dist", "no") == "no"


@pytest.hookimpl(tryfirst=True)  # before xdist starts its workers, which inherit GUARD_DIR
def pytest_sessionstart(session):
    """Make the run's guard directory (the controller), then give each test process its
    temp dir there and start the resource tracker of the library under test with its
    stderr in our log, before any test can start it with stderr in a capture file."""
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
        tracker.start_logged(directory)


@pytest.hookimpl(tryfirst=True)  # before xdist tells the controller this worker is done
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _runs_tests(config):
        tracker.stop_helpers()
        remove_own_temp_dirs()
    directory = config.stash.get(RUN_DIR, None)
    if directory is None:
        return
    warnings = tracker.tracker_warnings(directory)
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

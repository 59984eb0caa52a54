"""The spec tests' toolkit (mpspec/toolkit/, reached as ``support.<name>``) does what
its docstrings say, with real processes: scripts run in sessions that are killed
whole, a leftover child cannot hold a run to its deadline with capture="files",
one reader of JSON reports, children that hold a lock or report back, and one
"is it gone"."""

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from fixtures import exits, identity
from mpspec import support
from mpspec.deadlines import DEADLINE, WAIT

LEFTOVER = "toolkit_leftover.py"


def kill(pid):
    """Kill a process a test left on purpose, and see it gone."""
    os.kill(pid, signal.SIGKILL)
    assert support.wait_gone(pid)


# --- run_script, script_report, report_of -------------------------------------------


def test_with_files_run_script_returns_when_the_script_ends_and_leaves_its_leftover():
    began = time.monotonic()
    done = support.run_script(LEFTOVER, capture="files")
    assert time.monotonic() - began < DEADLINE / 2
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "bye"
    leftover = support.report_of(done.stdout)["leftover"]
    assert not support.gone(leftover)  # not killed: the test may want it
    kill(leftover)


def test_with_pipes_run_script_waits_for_every_holder_of_its_output():
    began = time.monotonic()
    with pytest.raises(support.ChildHung):
        support.run_script(LEFTOVER, timeout=5 * WAIT)
    assert time.monotonic() - began >= 5 * WAIT


def test_with_pipes_finish_waits_for_the_leftover_and_the_session_dies_whole():
    with support.script(LEFTOVER) as script:
        leftover = script.report()["leftover"]
        with pytest.raises(support.ChildHung):
            script.finish(timeout=5 * WAIT)
        assert support.wait_gone(leftover), "the leftover outlived its killed session"


def test_report_of_takes_the_last_json_line_and_fails_without_one():
    assert support.report_of('{"a": 1}\nnoise\n{"a": 2}\ntail\n') == {"a": 2}
    with pytest.raises(AssertionError, match="no JSON report"):
        support.report_of("no report here\n")


def test_script_report_returns_the_report_and_the_run():
    report, done = support.script_report(LEFTOVER, capture="files")
    assert isinstance(report["leftover"], int) and done.returncode == 0
    kill(report["leftover"])


# --- script sessions ---------------------------------------------------------------


def test_a_script_session_talks_over_stdin_and_stdout_and_kills_its_session():
    with support.script(LEFTOVER, "echo", stdin=True) as script:
        assert script.readline() == "not a report"
        leftover = script.report()["leftover"]  # (report() passes other lines over)
        script.send("hello")
        assert script.readline() == "echo hello"
        assert script.readline() == "bye"
        assert script.wait(DEADLINE) == 0
        assert not support.gone(leftover)
    assert support.wait_gone(leftover), "the session's leftover outlived it"


def test_with_files_finish_returns_when_the_script_ends_and_output_reads_as_it_goes():
    with support.script(LEFTOVER, capture="files") as script:
        leftover = script.report()["leftover"]
        assert "not a report" in script.output()[0]
        began = time.monotonic()
        done = script.finish(DEADLINE)
        assert time.monotonic() - began < DEADLINE / 2
        assert done.returncode == 0 and done.stdout.splitlines() == [
            "not a report", f'{{"leftover": {leftover}}}', "bye",
        ]
        assert script.readline() == "bye"  # readline() goes on after finish()
        assert script.readline() is None  # the end of its output
    assert support.wait_gone(leftover)


def test_a_script_that_says_nothing_in_time_fails_the_read_and_can_be_signalled():
    with support.script(LEFTOVER, "echo", stdin=True) as script:
        script.report()
        with pytest.raises(support.ChildHung):
            script.readline(timeout=WAIT)  # it waits for its stdin
        script.signal(signal.SIGTERM)
        assert script.wait(DEADLINE) == -signal.SIGTERM


# --- children that hold, children that report back ----------------------------------


def test_a_holding_child_keeps_the_lock_until_released_and_exits_zero():
    ctx = support.cheapest_context()
    lock = ctx.Lock()
    with support.holding(ctx, lock) as (child, release):
        assert lock.acquire(timeout=WAIT) is False
        release.set()
        assert lock.acquire(timeout=DEADLINE)
        lock.release()
    assert child.exitcode == 0


def test_a_killed_holder_does_not_hang_the_way_out():
    ctx = support.cheapest_context()
    with support.holding(ctx, check=False) as (child, _):
        os.kill(child.pid, signal.SIGKILL)
        support.join(child)
    assert child.exitcode == -signal.SIGKILL


def test_reports_back_returns_what_the_child_sent_and_the_child():
    ctx = support.cheapest_context()
    reported, child = support.reports_back(ctx, identity.report_identity, support.REPLY, name="reporter")
    assert child.exitcode == 0 and reported is not None
    with pytest.raises(TypeError, match="REPLY"):
        support.reports_back(ctx, identity.report_identity)


# --- gone, wait_gone, threads ----------------------------------------------------------


def test_gone_takes_a_pid_a_psutil_process_or_a_process_object():
    ctx = support.cheapest_context()
    child = support.run(ctx, exits.return_value)
    assert support.gone(child) and support.wait_gone(child, WAIT)
    sleeper = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({DEADLINE})"])
    try:
        assert not support.gone(sleeper.pid) and not support.gone(psutil.Process(sleeper.pid))
        assert support.wait_gone(sleeper.pid, WAIT) is False
        sleeper.kill()
        assert support.wait_gone(sleeper.pid)  # a zombie counts as gone
        assert support.wait_gone(sleeper.pid, reap=True)  # and this reaps it
        with pytest.raises(ChildProcessError):
            os.waitpid(sleeper.pid, os.WNOHANG)
    finally:
        sleeper.kill()
        sleeper.returncode = -signal.SIGKILL  # reaped above: Popen must not wait for it


def test_in_thread_and_call_within_return_results_and_errors():
    thread, result = support.in_thread(sum, [1, 2])
    thread.join(DEADLINE)
    assert result == {"value": 3}
    with pytest.raises(ZeroDivisionError):
        support.call_within(lambda: 1 / 0)
    with pytest.raises(support.ChildHung):
        support.call_within(time.sleep, 5 * WAIT, timeout=WAIT)

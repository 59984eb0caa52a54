"""The order of the tests under ``-n``: worksteal, longest tests first.

Spec tests last from a millisecond to half a second: some wait out a timeout, others
start pools whose workers keep both cores busy.  Two choices keep the workers of an
``-n`` run busy to the end (benchmarks/perf.py measures them):

- **worksteal.**  xdist's default ``load`` hands tests out in chunks fixed in
  advance; with ``worksteal`` a worker that runs dry takes half of a busy worker's
  queue.  The spec picks it when ``-n`` is given and ``--dist`` is not (anywhere
  pytest reads options: the command line, ``PYTEST_ADDOPTS``, ``addopts``).
- **Longest first.**  Every run that has pytest's cache records how long each test
  took (``.pytest_cache``, key ``mpspec/durations``).  When the spec picked the
  distribution and durations are recorded, the controller hands the tests out
  longest first (tests it has no duration for count as the longest), so a run ends
  on short tests rather than on one worker's half-second wait while the others idle.
  The classic "longest processing time first" rule; only the controller's order
  changes, every worker still collects the same tests in the same order.

A serial run keeps the files' order, and records durations for the next ``-n`` run.
``--dist`` of your own, or ``-p no:cacheprovider``, turns the reordering off.
"""

from __future__ import annotations

import os
import shlex

import pytest

DEFAULT_DIST = "worksteal"
CACHE_KEY = "mpspec/durations"
CHOSEN = pytest.StashKey[bool]()


def _dist_given(config) -> bool:
    """Whether the user chose a distribution (--dist / -d) anywhere pytest reads one."""
    given = list(config.invocation_params.args)
    given += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    given += list(config.getini("addopts"))
    return any(str(a) == "-d" or str(a).startswith("--dist") for a in given)


def longest_first(pending, collection, durations):
    """The indexes in ``pending`` sorted by the recorded duration of their test,
    longest first; a test with no duration counts as the longest; ties keep their
    collection order."""
    longest = max(durations.values(), default=0.0)
    return sorted(pending, key=lambda i: -durations.get(collection[i], longest))


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _recorded(config) -> dict:
    cache = getattr(config, "cache", None)
    durations = cache.get(CACHE_KEY, None) if cache is not None else None
    if not isinstance(durations, dict):
        return {}
    return {k: v for k, v in durations.items() if isinstance(v, (int, float)) and v >= 0}


class _Recorder:
    """Sums setup + call + teardown per test; stores them in the cache at the end."""

    def __init__(self, config):
        self.config = config
        self.seen: dict[str, float] = {}

    def pytest_runtest_logreport(self, report):
        self.seen[report.nodeid] = self.seen.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.seen or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            return
        durations = _recorded(self.config)
        durations.update({nodeid: round(seconds, 4) for nodeid, seconds in self.seen.items()})
        self.config.cache.set(CACHE_KEY, durations)


# Runs after xdist's pytest_cmdline_main turned dist "no" into "load" for -n, and
# before xdist's pytest_configure (trylast) creates its session and scheduler.
def pytest_configure(config):
    chosen = getattr(config.option, "dist", "no") == "load" and not _dist_given(config)
    if chosen:
        config.option.dist = DEFAULT_DIST
    config.stash[CHOSEN] = chosen
    if getattr(config, "cache", None) is not None and not _is_worker(config):
        config.pluginmanager.register(_Recorder(config), "mpspec-durations")


def pytest_report_header(config):
    if not config.stash.get(CHOSEN, False):
        return []
    known = len(_recorded(config))
    if known:
        return [f"mpspec: -n: worksteal, longest tests first ({known} durations from earlier runs)"]
    return ["mpspec: -n: worksteal, in collection order (no durations recorded yet)"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if not config.stash.get(CHOSEN, False):
        return None
    durations = _recorded(config)
    if not durations:
        return None
    from xdist.scheduler import WorkStealingScheduling

    class WorkStealingLongestFirst(WorkStealingScheduling):
        """xdist's worksteal, handing out the tests longest first."""

        ordered = False

        def check_schedule(self, *args, **kwargs):
            if not self.ordered and self.collection is not None:
                self.ordered = True
                self.pending[:] = longest_first(self.pending, self.collection, durations)
            return super().check_schedule(*args, **kwargs)

    return WorkStealingLongestFirst(config, log)

"""The order of the tests under ``-n``: worksteal, the tests that wait most first.

Spec tests last from a millisecond to half a second: some wait out a timeout or a
sleeping child, others start pools whose workers keep both cores busy.  A test that
waits leaves a core idle unless another worker has work for it.  Two choices keep the
workers of an ``-n`` run busy (benchmarks/perf.py measures them):

- **worksteal.**  xdist's default ``load`` hands tests out in chunks fixed in
  advance; with ``worksteal`` each worker starts with a share of the queue and one
  that runs dry takes half of a busy worker's rest.  The spec picks it when ``-n`` is
  given and ``--dist`` is not (anywhere pytest reads options: the command line,
  ``PYTEST_ADDOPTS``, ``addopts``).
- **Waiting tests first.**  Every run that has pytest's cache records, per test,
  its wall time and the CPU time of the test process and the children it reaped
  (``.pytest_cache``, key ``mpspec/durations``).  When the spec picked the
  distribution and such records exist, the controller hands the tests out by idle
  time (wall minus CPU) largest first, then by wall time (a test with no record
  counts as the most idle): the first worker gets the waiting tests while the
  other runs the busy ones, whose pools then have the core the waiter leaves.
  Only the controller's order changes; every worker still collects the same tests
  in the same order.

A serial run keeps the files' order, and records for the next ``-n`` run.  A
``--dist`` of your own, ``--spec-shuffle`` or ``-p no:cacheprovider`` turns the
reordering off.
"""

from __future__ import annotations

import os
import shlex
import time

import pytest

from mpspec.guards.options import SHUFFLE

DEFAULT_DIST = "worksteal"
CACHE_KEY = "mpspec/durations"
CHOSEN = pytest.StashKey[bool]()
CPU_MARK = pytest.StashKey[float]()  # item.stash: the CPU time when the test's last phase ended


def _dist_given(config) -> bool:
    """Whether the user chose a distribution (--dist / -d) anywhere pytest reads one."""
    given = list(config.invocation_params.args)
    given += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    given += list(config.getini("addopts"))
    return any(str(a) == "-d" or str(a).startswith("--dist") for a in given)


def _cpu_now() -> float:
    """CPU seconds of this process and of the children it has reaped."""
    try:
        import resource
    except ImportError:  # Windows: this process only
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def waiting_first(pending, collection, records):
    """The indexes in ``pending`` sorted by their test's recorded idle time (wall
    minus CPU), largest first, then by wall time; a test with no record counts as
    the most idle; ties keep their collection order."""

    def idle(wall, cpu):
        return wall - min(cpu, wall)

    most = max((idle(*r) for r in records.values()), default=0.0)
    longest = max((r[0] for r in records.values()), default=0.0)

    def key(i):
        record = records.get(collection[i])
        return (-most, -longest) if record is None else (-idle(*record), -record[0])

    return sorted(pending, key=key)


def _recorded(config) -> dict:
    """{nodeid: (wall, cpu)} from the cache; anything malformed is ignored."""
    cache = getattr(config, "cache", None)
    stored = cache.get(CACHE_KEY, None) if cache is not None else None
    if not isinstance(stored, dict):
        return {}
    records = {}
    for nodeid, value in stored.items():
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, (int, float)) and v >= 0 for v in value)):
            records[nodeid] = (float(value[0]), float(value[1]))
    return records


class _Recorder:
    """Sums the wall and CPU time of setup, call and teardown per test (the CPU time
    comes from the process that ran the test, on the report); stores them in the
    cache at the end of the session."""

    def __init__(self, config):
        self.config = config
        self.seen: dict[str, list] = {}

    def pytest_runtest_logreport(self, report):
        record = self.seen.setdefault(report.nodeid, [0.0, 0.0])
        record[0] += report.duration
        record[1] += getattr(report, "mpspec_cpu", 0.0)

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.seen or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            return
        records = {k: list(v) for k, v in _recorded(self.config).items()}
        records.update({k: [round(w, 4), round(c, 4)] for k, (w, c) in self.seen.items()})
        self.config.cache.set(CACHE_KEY, records)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.stash[CPU_MARK] = _cpu_now()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Put the CPU time of the phase just ended on its report (xdist carries report
    attributes to the controller)."""
    outcome = yield
    now = _cpu_now()
    mark = item.stash.get(CPU_MARK, now)
    item.stash[CPU_MARK] = now
    report = outcome.get_result()
    if report is not None:
        report.mpspec_cpu = round(max(0.0, now - mark), 4)


# Runs after xdist's pytest_cmdline_main turned dist "no" into "load" for -n, and
# before xdist's pytest_configure (trylast) creates its session and scheduler.
def pytest_configure(config):
    chosen = getattr(config.option, "dist", "no") == "load" and not _dist_given(config)
    if chosen:
        config.option.dist = DEFAULT_DIST
    config.stash[CHOSEN] = chosen
    # Records are kept where the reports end up: the serial session or xdist's
    # controller (a worker has "workerinput").
    if getattr(config, "cache", None) is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Recorder(config), "mpspec-durations")


def _reorders(config) -> bool:
    """Whether the controller may reorder: the spec chose the distribution and no
    --spec-shuffle asked for a random order (mpspec/guards/options.py)."""
    return config.stash.get(CHOSEN, False) and config.stash.get(SHUFFLE, None) is None


def pytest_report_header(config):
    if not config.stash.get(CHOSEN, False):
        return []
    if not _reorders(config):
        return ["mpspec: -n: worksteal, in the --spec-shuffle order"]
    known = len(_recorded(config))
    if known:
        return [f"mpspec: -n: worksteal, waiting tests first ({known} tests timed by earlier runs)"]
    return ["mpspec: -n: worksteal, in collection order (no test timed yet)"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if not _reorders(config):
        return None
    records = _recorded(config)
    if not records:
        return None
    from xdist.scheduler import WorkStealingScheduling

    class WorkStealingWaitingFirst(WorkStealingScheduling):
        """xdist's worksteal, handing out the tests that wait most first."""

        ordered = False

        def check_schedule(self, *args, **kwargs):
            if not self.ordered and self.collection is not None:
                self.ordered = True
                self.pending[:] = waiting_first(self.pending, self.collection, records)
            return super().check_schedule(*args, **kwargs)

    return WorkStealingWaitingFirst(config, log)

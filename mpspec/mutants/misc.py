"""Mutants of the behaviours the docs chapter `misc` relies on."""

from __future__ import annotations

import builtins
import functools
import os
import pickle
import sys

from mpspec.mutants import mutant, rebind_default, replaces, replacing, sub


@mutant(
    "pool-worker-drops-unloadable-task",
    ["misc.main-importable"],
    "A pool worker that cannot unpickle a task (a function its __main__ lacks) drops the "
    "task and goes on, instead of dying",
)
def _(mp):
    pool = sub("pool")
    original = pool.worker

    def worker(inqueue, outqueue, *args, **kwargs):
        @replaces(inqueue, "get")
        def tolerant_get(get):
            while True:
                try:
                    return get()
                except (AttributeError, ImportError, pickle.UnpicklingError):
                    continue
        return original(inqueue, outqueue, *args, **kwargs)

    # Pickled by reference as <pool module>.worker, like the original.
    worker.__module__, worker.__name__, worker.__qualname__ = pool.__name__, "worker", "worker"
    pool.worker = worker


@mutant(
    "timeout-error-is-builtin",
    ["misc.exception-hierarchy"],
    "multiprocessing.TimeoutError becomes an alias of the built-in TimeoutError (as "
    "concurrent.futures.TimeoutError did in 3.11), outside the ProcessError hierarchy",
)
def _(mp):
    for module in (mp, sub("context"), sub("pool")):
        if hasattr(module, "TimeoutError"):
            module.TimeoutError = builtins.TimeoutError
    context = sub("context")
    if hasattr(context.BaseContext, "TimeoutError"):
        context.BaseContext.TimeoutError = builtins.TimeoutError


@mutant(
    "cpu-count-counts-usable-cpus",
    ["misc.cpu-count-not-usable", "misc.cpu-count-env-override-313"],
    "cpu_count() returns the CPUs this process may use (its affinity) instead of "
    "os.cpu_count()",
)
def _(mp):
    def cpu_count(self):
        if hasattr(os, "sched_getaffinity"):
            return len(os.sched_getaffinity(0))
        import psutil

        return len(psutil.Process().cpu_affinity())

    sub("context").BaseContext.cpu_count = cpu_count
    rebind_default(mp, "cpu_count")


@mutant(
    "freeze-support-off-windows",
    ["misc.freeze-support-noop"],
    "freeze_support() drops its Windows check: any frozen program's spawned child runs "
    "through it (what 3.14 made of it, back-ported to an older version)",
)
def _(mp):
    def freeze_support(self):
        if getattr(sys, "frozen", False):
            from importlib import import_module

            import_module(f"{mp.__name__}.spawn").freeze_support()

    sub("context").BaseContext.freeze_support = freeze_support
    rebind_default(mp, "freeze_support")


class _SharedLock:
    """A process-shared lock (a multiprocessing RLock) with the threading lock API
    logging's handlers use."""

    def __init__(self, mp):
        self._lock = mp.RLock()

    def acquire(self, blocking=True, timeout=-1):
        return self._lock.acquire(blocking, None if timeout is None or timeout < 0 else timeout)

    def release(self):
        self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    def _at_fork_reinit(self):
        pass  # shared: nothing to reset in a child


@mutant(
    "log-to-stderr-shared-lock",
    ["misc.logging-mixed"],
    "log_to_stderr() guards its handler with a process-shared lock, so the records of "
    "a parent and its fork children can no longer mix",
)
def _(mp):
    util = sub("util")

    @replaces(util, "log_to_stderr")
    def log_to_stderr(original, level=None):
        logger = original(level)
        logger.handlers[-1].lock = _SharedLock(mp)
        return logger
    rebind_default(mp, "log_to_stderr")


@mutant(
    "get-logger-propagates",
    ["misc.get-logger-defaults"],
    "get_logger() leaves propagation on: the multiprocessing logger's records reach the "
    "root logger's handlers",
)
@replacing("util", "get_logger")
def get_logger(original):
    logger = original()
    logger.propagate = True
    return logger


@mutant(
    "spawn-drops-logger-level",
    ["misc.logger-windows-level-only"],
    "spawn's preparation data no longer carries the logger's level: spawned and "
    "forkserver children start with a NOTSET logger",
)
@replacing("spawn", "get_preparation_data")
def get_preparation_data(original, name):
    data = original(name)
    data.pop("log_level", None)
    return data


@mutant(
    "log-format-without-process-name",
    ["misc.log-to-stderr-format"],
    "log_to_stderr()'s format drops the process name: '[%(levelname)s] %(message)s'",
)
def _(mp):
    sub("util").DEFAULT_LOGGING_FORMAT = "[%(levelname)s] %(message)s"


@mutant(
    "manager-kept-alive",
    ["misc.log-manager-lifecycle"],
    "Started managers are kept in a module-level list, so `del m` no longer shuts the "
    "manager down (only the exit handlers do)",
)
def _(mp):
    managers = sub("managers")
    original = managers.BaseManager.start
    live = []

    @functools.wraps(original)
    def start(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        live.append(self)
        return result

    managers.BaseManager.start = start


@mutant(
    "dummy-pool-uses-processes",
    ["misc.dummy-threads"],
    "multiprocessing.dummy.Pool() returns a process Pool instead of a ThreadPool",
)
def _(mp):
    dummy = sub("dummy")

    def Pool(processes=None, initializer=None, initargs=()):
        return mp.Pool(processes, initializer, initargs)

    dummy.Pool = Pool


@mutant(
    "threadpool-accepts-pool-options",
    ["misc.threadpool-interface"],
    "ThreadPool() accepts (and ignores) maxtasksperchild= and context= instead of "
    "raising TypeError",
)
def _(mp):
    pool = sub("pool")

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        pool.Pool.__init__(self, processes, initializer, initargs)

    pool.ThreadPool.__init__ = __init__


@mutant(
    "pool-del-silent",
    ["misc.threadpool-must-close"],
    "Pool.__del__ no longer warns (ResourceWarning) about a pool dropped while running",
)
def _(mp):
    pool = sub("pool")

    def __del__(self):
        if getattr(self, "_state", None) == pool.RUN:
            notifier = getattr(self, "_change_notifier", None)
            if notifier is not None:
                notifier.put(None)

    pool.Pool.__del__ = __del__

"""Mutants of what the pool chapter relies on."""

from __future__ import annotations

import atexit
import itertools
import os
import threading

from mpspec.mutants import mutant, replacing, sub


@mutant(
    "no-exit-handler",
    ["pool.exit-without-join"],
    "the exit handler (terminate daemonic children, join the others) is not installed",
)
def _(mp):
    atexit.unregister(sub("util")._exit_function)


def _pool_class():
    return sub("pool").Pool


def _default_size():
    return (getattr(os, "process_cpu_count", None) or os.cpu_count)() or 1


@mutant(
    "pool-one-extra-worker",
    [
        "pool.eager-workers", "pool.bounded-concurrency", "pool.worker-reuse", "pool.idle-workers",
        "pool.default-size", "pool.sample-output", "pool.methods",
    ],
    "Pool(n) starts n + 1 workers",
)
@replacing(_pool_class, "__init__")
def pool_one_extra_worker(init, self, processes=None, *args, **kwargs):
    init(self, (processes or _default_size()) + 1, *args, **kwargs)


@mutant(
    "maxtasksperchild-ignored",
    ["pool.worker-reuse", "pool-api.maxtasksperchild"],
    "Pool(maxtasksperchild=k) never replaces a worker",
)
@replacing(_pool_class, "__init__")
def maxtasksperchild_ignored(init, self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, *args, **kwargs):
    init(self, processes, initializer, initargs, None, *args, **kwargs)


@mutant(
    "apply-async-waits",
    ["pool.apply-async-nonblocking", "pool.sample-output"],
    "apply_async() waits for the task to finish before it returns",
)
@replacing(_pool_class, "apply_async")
def waiting_apply_async(apply_async, self, *args, **kwargs):
    result = apply_async(self, *args, **kwargs)
    result.wait()
    return result


@mutant("apply-does-not-wait", ["pool.apply-blocking"], "apply() returns an AsyncResult at once, like apply_async()")
def _(mp):
    Pool = _pool_class()
    Pool.apply = lambda self, func, args=(), kwds={}: self.apply_async(func, args, kwds)


_SUBMITTED = itertools.count()


@mutant(
    "pool-delays-every-other-task",
    ["pool.fifo-dispatch"],
    "apply_async() hands every other task to the workers 0.2 s late, so later tasks overtake it",
)
def _(mp):
    pool = sub("pool")

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = pool.ApplyResult(self, callback, error_callback)
        task = ([(result._job, 0, func, args, kwds)], None)
        if next(_SUBMITTED) % 2 == 0:
            threading.Timer(0.2, self._taskqueue.put, (task,)).start()
        else:
            self._taskqueue.put(task)
        return result

    pool.Pool.apply_async = apply_async


@mutant("join-without-close", ["pool.join-requires-close"], "join() on a running pool closes it instead of raising")
@replacing("pool.Pool", "join")
def lenient_join(join, self):
    if self._state == sub("pool").RUN:
        self.close()
    return join(self)


@mutant("closed-pool-accepts-tasks", ["pool.closed-rejects-tasks"], "a closed pool still accepts tasks")
def _(mp):
    _pool_class()._check_running = lambda self: None


@mutant("join-returns-at-once", ["pool.join-waits", "pool.idle-workers"], "Pool.join() returns without waiting")
def _(mp):
    pool = sub("pool")

    def hasty_join(self):
        if self._state == pool.RUN:
            raise ValueError("Pool is still running")

    pool.Pool.join = hasty_join


@mutant("join-leaves-workers", ["pool.idle-workers"], "Pool.join() does not join the worker processes")
def _(mp):
    pool = sub("pool")

    def partial_join(self):
        if self._state == pool.RUN:
            raise ValueError("Pool is still running")
        self._worker_handler.join()
        self._task_handler.join()
        self._result_handler.join()

    pool.Pool.join = partial_join


@mutant("with-pool-closes", ["pool.context-manager"], "leaving `with Pool()` calls close(), not terminate()")
def _(mp):
    _pool_class().__exit__ = lambda self, *exc: self.close()


@mutant("starmap-does-not-unpack", ["pool.methods"], "starmap() passes each tuple as one argument, like map()")
def _(mp):
    Pool = _pool_class()
    Pool.starmap = lambda self, func, iterable, chunksize=None: self.map(func, iterable, chunksize)
    Pool.starmap_async = lambda self, func, iterable, chunksize=None, *a, **k: self.map_async(func, iterable, chunksize, *a, **k)

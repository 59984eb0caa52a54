"""Mutants of what the Pool.map chapter relies on."""

from __future__ import annotations

import functools
import os
import pickle
import sys

from mpspec.mutants import mutant, replacing, sub


@mutant(
    "daemon-may-have-children",
    ["map.no-nested-pool"],
    "the assert that stops a daemonic process from starting children is gone",
)
@replacing("process.BaseProcess", "start")
def unguarded_start(start, self):
    config = sub("process").current_process()._config
    daemon = config.pop("daemon", None)
    try:
        return start(self)
    finally:
        if daemon is not None:
            config["daemon"] = daemon


@mutant(
    "daemon-flag-ignored",
    ["map.workers-daemonic", "map.no-nested-pool"],
    "setting Process.daemon has no effect",
)
def _(mp):
    BaseProcess = sub("process").BaseProcess
    BaseProcess.daemon = property(BaseProcess.daemon.fget, lambda self, value: None)


def _silenced(initializer, *args):
    """A worker initializer that sends the worker's stdout nowhere first."""
    sys.stdout = open(os.devnull, "w")
    if initializer is not None:
        initializer(*args)


@mutant(
    "pool-workers-silenced",
    ["map.article-example", "pool.sample-output"],
    "pool workers' standard output goes nowhere",
)
@replacing("pool.Pool", "__init__")
def pool_workers_silenced(init, self, processes=None, initializer=None, *args, **kwargs):
    init(self, processes, functools.partial(_silenced, initializer), *args, **kwargs)


@mutant(
    "map-completion-order",
    ["map.ordered-results", "map.fastest"],
    "map() returns the results in the order the tasks finished",
)
def _(mp):
    Pool = sub("pool").Pool
    Pool.map = lambda self, func, iterable, chunksize=None: list(self.imap_unordered(func, iterable, chunksize or 1))


@mutant("map-chunksize-one", ["map.fastest"], "map() sends one item per task by default")
@replacing("pool.Pool", "_map_async")
def _map_async(map_async, self, func, iterable, mapper, chunksize=None, *args, **kwargs):
    return map_async(self, func, iterable, mapper, chunksize or 1, *args, **kwargs)


@mutant(
    "map-runs-unpicklable-in-parent",
    ["map.closure-function"],
    "map() runs a function it cannot pickle in the parent instead of raising",
)
@replacing("pool.Pool", "map")
def forgiving_map(map_, self, func, iterable, chunksize=None):
    try:
        return map_(self, func, iterable, chunksize)
    except (pickle.PicklingError, AttributeError):
        return [func(item) for item in iterable]

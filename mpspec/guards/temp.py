"""The temporary-files check (every test; run by mpspec/guards/hooks.py): each test
process has a temp dir of its own; whatever appears there during a test and outlives
the test's processes (the ``pymp-*`` directory of a child killed before its exit
handlers ran, a temporary file nobody removed) is removed and fails the test.  A test
that kills a child on purpose says so with
``isolation.remove_pymp_dirs_of_the_killed(reason)``.  What is left in the run's temp
dirs once the run is over fails the run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mpspec import isolation
from mpspec.guards.tree import LIBRARIES

TMP_PREFIX = "tmp-"  # each test process's temp dir in the guard directory: tmp-gw0, tmp-main


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


"""The processes a spec session starts: what they import, and (opt-in) what they cost.

Light on purpose: children import this module, so it imports nothing but the
standard library's basics, and never pytest.

**No ``__main__`` tax.**  A spawn or forkserver child first re-runs its parent's main
module (multiprocessing's "safe importing of the main module"): a main *file* is
re-run as ``__mp_main__`` (``init_main_from_path``), a main *module* is re-imported by
name (``init_main_from_name``) unless its name ends in ``.__main__``, and a main with
neither (``python -c``) is left alone.  In a test session the main module is the test
runner: the ``pytest`` console script (every child would import pytest, ~50 ms a
child), ``pytest.__main__`` under ``python -m pytest``, execnet's ``-c`` bootstrap in
an xdist worker, or an IDE's runner script.  The spec's children need nothing from
it, since their targets live in ``fixtures/``; so for the session
``sys.modules['__main__']`` is a stand-in with neither a file nor a spec, what a
``python -c`` program has, and multiprocessing sends no main module to re-run,
whichever way pytest was launched.  The real main is put back when the session
ends.  The spec's tests of the main guard itself run their programs in fresh
interpreters (``fixtures/scripts``), so they see real main modules; nothing the spec
verifies changes.

**Forkserver preload.**  The forkserver imports ``PRELOAD`` (the library under test,
the harness's light modules and every ``fixtures`` module) once, so its children
start with them imported (``set_forkserver_preload``, set once per session before
the server starts).  A forkserver child still starts from the server's pristine
state, never the test process's, so this changes no verdict either.

**Profiling** (``MPSPEC_PROFILE=FILE``, never set in normal runs).  Every process
start and every deliberate wait, in the test process, its children and the child
interpreters of ``fixtures/scripts``, appends one JSON line to FILE:

- ``{"kind": "start", "method", "delay", "role", ...}``: ``delay`` is the time from
  the parent's ``Process.start()`` call to the moment the child's ``run()`` begins,
  both read from the system-wide monotonic clock (the parent's reading travels to
  the child with the process object; the child takes its reading first thing).
  ``role`` tells a plain process from a pool worker, and whether the test process
  or a child interpreter started it.
- ``{"kind": "wait", "what", "seconds", ...}``: a timeout that ran out (``poll``
  that returned False, ``Queue.put`` that raised Full, ``join`` that left the child
  alive; ``Queue.get`` waits through ``poll``) or a ``time.sleep`` of at least
  ``SLEEP_FLOOR`` s (a child made slow on purpose; shorter sleeps are polling loops
  waiting for something else and are not counted).
- ``{"kind": "interpreter", "seconds", ...}``: a child interpreter run by
  ``support.run_script`` (recorded by the plugin); one that ran out its deadline (a
  hang shown on purpose: ``ChildHung``) also counts as a ``wait``, "script deadline".
"""

from __future__ import annotations

import os
import sys
import time
import types

PROFILE = "MPSPEC_PROFILE"
SLEEP_FLOOR = 0.05


# --- the session's main module ------------------------------------------------

_saved_main = []


def install_session_main():
    """Put the light stand-in in ``sys.modules['__main__']`` for the session."""
    if _saved_main:
        return
    stand_in = types.ModuleType(
        "__main__",
        "Stand-in main module of a spec session (see mpspec.children): no file and no "
        "spec, so spawn and forkserver children do not re-run the test runner.",
    )
    stand_in.__spec__ = None
    stand_in.__builtins__ = __builtins__
    _saved_main.append(sys.modules["__main__"])
    sys.modules["__main__"] = stand_in


def restore_main():
    if _saved_main:
        sys.modules["__main__"] = _saved_main.pop()


def preload_modules(library):
    """What the forkserver imports once: the library (named ``library``, as
    ``mpspec.lib.name()`` gives it), the harness's light modules and every fixtures
    module."""
    import pkgutil

    names = ["__main__", library, "mpspec.lib", "mpspec.deadlines", "mpspec.children", "fixtures"]
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
    names += ["fixtures." + m.name for m in pkgutil.iter_modules([root]) if not m.ispkg]
    return names


PRELOAD = None  # set by preload_forkserver: the list the server was given


def preload_forkserver(mp, library):
    """Give the library's forkserver its preload list (before the server starts)."""
    global PRELOAD
    if "forkserver" not in mp.get_all_start_methods():
        return None
    ctx = mp.get_context("forkserver")
    if not hasattr(ctx, "set_forkserver_preload"):
        return None
    PRELOAD = preload_modules(library)
    ctx.set_forkserver_preload(PRELOAD)
    return PRELOAD


def loaded_modules(conn):
    """Child target (self-tests): send back the names in ``sys.modules``."""
    conn.send(sorted(sys.modules))
    conn.close()


# --- profiling ------------------------------------------------------------------

_profile = {"path": None, "test": None, "libraries": set(), "sleep": None}


def profile_path():
    return _profile["path"] or os.environ.get(PROFILE) or None


def _current_test():
    test = os.environ.get("PYTEST_CURRENT_TEST")
    return test.rsplit(" ", 1)[0] if test else _profile["test"]


def record(kind, **fields):
    """Append one JSON line to the profile (a single O_APPEND write: lines from
    concurrent processes do not interleave)."""
    path = profile_path()
    if not path:
        return
    import json

    fields.setdefault("test", _current_test())
    line = json.dumps(dict(kind=kind, pid=os.getpid(), **fields)) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


class _Probe:
    """Rides with a Process object to its child: when the parent called start()."""

    def __init__(self, t0, method, test, path, library, parent, role):
        self.t0, self.method, self.test, self.path = t0, method, test, path
        self.library, self.parent, self.role = library, parent, role

    def __reduce__(self):
        return _arrived, (self.t0, self.method, self.test, self.path, self.library, self.parent, self.role)


def _arrived(*args):
    """Unpickled in a spawn or forkserver child, before its process object runs:
    turn profiling on there too."""
    probe = _Probe(*args)
    _profile["path"] = probe.path
    _profile["test"] = probe.test
    import importlib

    profile(importlib.import_module(probe.library))
    return probe


def profile(mp):
    """Install the profiling hooks for the library ``mp`` in this process (idempotent;
    a no-op unless profiling is on)."""
    if not profile_path() or mp.__name__ in _profile["libraries"]:
        return
    _profile["libraries"].add(mp.__name__)
    import queue as queue_module

    process = __import__(mp.__name__ + ".process", fromlist=["BaseProcess"]).BaseProcess
    default_method = getattr(mp, "get_start_method", lambda **kw: None)

    original_start = process.start

    def start(self):
        method = getattr(self, "_start_method", None) or default_method(allow_none=False)
        target = getattr(self, "_target", None)
        role = "pool worker" if getattr(target, "__module__", "").endswith(".pool") else "process"
        if "pytest" not in sys.modules:
            role += " of a child interpreter"  # a fixtures/scripts program started it
        self._mpspec_probe = _Probe(
            time.monotonic(), method, _current_test(), profile_path(), mp.__name__, os.getpid(), role
        )
        try:
            return original_start(self)
        finally:
            self.__dict__.pop("_mpspec_probe", None)

    original_bootstrap = process._bootstrap

    def _bootstrap(self, *args, **kwargs):
        probe = self.__dict__.pop("_mpspec_probe", None)
        if probe is not None:
            run = self.run

            def timed_run():
                delay = time.monotonic() - probe.t0
                _profile["test"] = probe.test
                record("start", method=probe.method, delay=delay, t0=probe.t0, parent=probe.parent,
                       role=probe.role, test=probe.test)
                return run()

            self.run = timed_run
        return original_bootstrap(self, *args, **kwargs)

    original_join = process.join

    def join(self, timeout=None):
        began = time.monotonic()
        result = original_join(self, timeout)
        if timeout is not None and timeout > 0 and self._popen is not None and self.exitcode is None:
            record("wait", what="join", seconds=time.monotonic() - began)
        return result

    process.start, process._bootstrap, process.join = start, _bootstrap, join

    connection = __import__(mp.__name__ + ".connection", fromlist=["_ConnectionBase"])._ConnectionBase
    original_poll = connection.poll

    def poll(self, timeout=0.0):
        began = time.monotonic()
        ready = original_poll(self, timeout)
        if not ready and timeout is not None and timeout > 0:
            record("wait", what="poll", seconds=time.monotonic() - began)
        return ready

    connection.poll = poll

    queues = __import__(mp.__name__ + ".queues", fromlist=["Queue"])
    original_put = queues.Queue.put

    def put(self, obj, block=True, timeout=None):
        began = time.monotonic()
        try:
            return original_put(self, obj, block, timeout)
        except queue_module.Full:
            if block and timeout is not None and timeout > 0:
                record("wait", what="put", seconds=time.monotonic() - began)
            raise

    queues.Queue.put = put

    if _profile["sleep"] is None:
        _profile["sleep"] = original_sleep = time.sleep

        def sleep(seconds):
            original_sleep(seconds)
            if seconds >= SLEEP_FLOOR:
                record("wait", what="sleep", seconds=seconds)

        time.sleep = sleep


# --- the session ----------------------------------------------------------------


def start_session(mp, library):
    """Called by the plugin once the library under test is chosen, before any test
    (``mp`` its multiprocessing, ``library`` its name).  The plugin then has
    ``support.profile_scripts()`` record the child interpreters."""
    install_session_main()
    preload_forkserver(mp, library)
    if profile_path():
        profile(mp)


def end_session():
    restore_main()

"""The library under test: the standard ``multiprocessing`` or a drop-in replacement
(``multiprocess``, ``billiard``), chosen with ``--impl``; or ``loky``, which replaces only
concurrent.futures' process pool: under it ``mp`` stays the standard multiprocessing,
the futures chapter tests ``loky.ProcessPoolExecutor`` and every other chapter is n/a
(registry.LIBRARY_CHAPTERS).

The choice travels in the environment variable MPSPEC_IMPL, so that children and
child interpreters use the same library as the test process.  Spec code and
fixtures write ``from mpspec.lib import mp`` and never import multiprocessing
directly.
"""

import importlib
import os

from mpspec import children  # standard library only: opt-in profiling, see below

IMPLS = ("multiprocessing", "multiprocess", "billiard", "loky")
ENV = "MPSPEC_IMPL"
EXTRAS = {"multiprocess": "multiprocess", "billiard": "billiard", "loky": "loky"}
# Libraries that replace concurrent.futures' ProcessPoolExecutor, not multiprocessing.
EXECUTOR_ONLY = ("loky",)

_loaded = {}


class NotInstalled(Exception):
    """The chosen implementation cannot be imported."""


def name() -> str:
    chosen = os.environ.get(ENV, "multiprocessing") or "multiprocessing"
    if chosen not in IMPLS:
        raise NotInstalled(f"unknown implementation {chosen!r}; valid: {', '.join(IMPLS)}")
    return chosen


def base() -> str:
    """The multiprocessing library of the run (the standard one under an executor-only
    library such as loky)."""
    chosen = name()
    return "multiprocessing" if chosen in EXECUTOR_ONLY else chosen


def module(submodule: str = ""):
    """The library (or one of its submodules, e.g. ``module("queues")``)."""
    full = base() + (f".{submodule}" if submodule else "")
    if full not in _loaded:
        try:
            _loaded[full] = importlib.import_module(full)
        except ImportError as exc:
            if submodule:
                raise
            raise NotInstalled(
                f"{full} is not installed (python -m pip install -e '.[{EXTRAS.get(full, full)}]')"
            ) from exc
        if not submodule and os.environ.get("MPSPEC_PROFILE"):
            children.profile(_loaded[full])  # opt-in profiling: see mpspec.children
    return _loaded[full]


def select(chosen: str):
    """Make ``chosen`` the library under test for this process and its children."""
    os.environ[ENV] = chosen
    _loaded.clear()
    if chosen in EXECUTOR_ONLY:
        try:
            importlib.import_module(chosen)
        except ImportError as exc:
            raise NotInstalled(f"{chosen} is not installed (python -m pip install -e '.[{EXTRAS[chosen]}]')") from exc
    return module()


def executor_class():
    """The process pool executor under test: loky's under ``--impl loky``, else
    concurrent.futures' (which uses the standard multiprocessing whatever the drop-in)."""
    if name() == "loky":
        return importlib.import_module("loky").ProcessPoolExecutor
    return importlib.import_module("concurrent.futures").ProcessPoolExecutor


def __getattr__(attr):
    if attr == "mp":
        return module()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")

"""Deliberately broken multiprocessing behaviours, for the mutation self-check
(``python -m mpspec.mutate``).  Never active in a normal run.

One module per chapter, named as its registry module (``queue``, ``process_api``,
...), each registering its mutants with :func:`mutant`.  A mutant lives in the
chapter of the first claim it names; it may name claims of other chapters too, when
their tests should also notice it.

Each mutant is a small patch to the library under test (``lib.mp`` and its
submodules) plus the claims whose tests should notice it.  The mutation command
puts ``mpspec/mutation_site`` on PYTHONPATH and names the mutant in MPSPEC_MUTANT;
that directory's ``sitecustomize`` calls :func:`activate` at the start of every
interpreter of the run: the test processes, xdist workers, spawned children, the
fork server (whose children inherit the patch) and child interpreters of scripts.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable, Tuple

from mpspec import lib

ENV = "MPSPEC_MUTANT"


@dataclass(frozen=True)
class Mutant:
    id: str
    claims: Tuple[str, ...]
    description: str
    patch: Callable


MUTANTS = {}


def mutant(id, claims, description):
    def register(patch):
        if id in MUTANTS:
            raise ValueError(f"mutant {id!r} registered twice ({MUTANTS[id].patch.__module__}, {patch.__module__})")
        MUTANTS[id] = Mutant(id, tuple(claims), description, patch)
        return patch

    return register


def sub(name):
    return importlib.import_module(f"{lib.mp.__name__}.{name}")


def replaces(owner, name):
    """Put the decorated function in place of ``owner.<name>`` (a method or a module
    function); it is called with the original first, then the usual arguments::

        @replaces(sub("queues").Queue, "put")
        def put(original, self, obj, block=True, timeout=None):
            return original(self, obj, block, timeout)  # e.g. altered
    """
    original = getattr(owner, name)

    def install(wrapper):
        @functools.wraps(original)
        def replacement(*args, **kwargs):
            return wrapper(original, *args, **kwargs)

        setattr(owner, name, replacement)
        return replacement

    return install


def ascii_only(obj):
    """``obj`` with its non-ASCII characters replaced, if it is a str (the queue and
    pipe mutants that corrupt text)."""
    return obj.encode("ascii", "replace").decode("ascii") if isinstance(obj, str) else obj


def activate(mutant_id):
    """Apply one mutant in this process."""
    MUTANTS[mutant_id].patch(lib.mp)



# The chapters' mutants register themselves on import, one module per chapter.
def _load_chapters():
    from mpspec.registry import CHAPTERS

    for chapter in CHAPTERS:
        importlib.import_module(f"{__name__}.{chapter.module}")


_load_chapters()

"""Deliberately broken multiprocessing behaviours, for the mutation self-check
(``python -m mpspec.mutate``).  Never active in a normal run.

One module per source chapter group: ``article`` for the article's chapters, and one
per docs chapter (``start``, ``process_api``, ...), each registering its mutants
with :func:`mutant`.

Each mutant is a small patch to the library under test (``lib.mp`` and its
submodules) plus the claims whose tests should notice it.  The mutation command
puts ``mpspec/mutation_site`` on PYTHONPATH and names the mutant in MPSPEC_MUTANT;
that directory's ``sitecustomize`` calls :func:`activate` at the start of every
interpreter of the run: the test processes, xdist workers, spawned children, the
fork server (whose children inherit the patch) and child interpreters of scripts.
"""

from __future__ import annotations

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


def activate(mutant_id):
    """Apply one mutant in this process."""
    MUTANTS[mutant_id].patch(lib.mp)



# The chapters' mutants register themselves on import: the article's, then one module
# per docs chapter (a chapter not written yet has none).
def _load_chapters():
    from mpspec.registry import CHAPTERS

    names = ["article"] + [c.module for c in CHAPTERS if c.source == "docs"]
    for name in dict.fromkeys(names):
        module = f"{__name__}.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_load_chapters()

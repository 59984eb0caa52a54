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
import inspect
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


def replacing(owner, name, *, needs=None):
    """Make the decorated function a mutant's whole patch: when the mutant is activated,
    it takes the place of ``<owner>.<name>`` through :func:`replaces` (so it is called
    with the original first).  ``owner`` is looked up only then: a string names a
    submodule of the library and a dotted path in it (``"pool.Pool"`` is
    ``sub("pool").Pool``, ``"pool"`` the module itself), anything else is a function
    that returns the owner, or None where the library has no such owner (billiard's
    missing shared_memory): nothing is replaced then.  With ``needs`` (a parameter
    name), a version whose original lacks that parameter is left as it is::

        @mutant("join-refuses-after-terminate", ["pool-api.join-after-terminate"], "...")
        @replacing("pool.Pool", "join")
        def join(original, self):
            ...
    """

    def decorate(wrapper):
        def patch(mp):
            if isinstance(owner, str):
                module, *path = owner.split(".")
                target = functools.reduce(getattr, path, sub(module))
            else:
                target = owner()
                if target is None:
                    return
            if needs is None or needs in inspect.signature(getattr(target, name)).parameters:
                replaces(target, name)(wrapper)

        patch.__module__, patch.__qualname__ = wrapper.__module__, wrapper.__qualname__
        return patch

    return decorate


def rebind_default(mp, *names):
    """The library's module-level functions (``mp.cpu_count``, ``mp.Array``,
    ``mp.get_context``...) are methods of the default context, bound at import: bind
    them again after patching the context's class.  A name the library lacks is left
    alone."""
    default = getattr(sub("context"), "_default_context", None)
    for name in names:
        if default is not None and hasattr(default, name):
            setattr(mp, name, getattr(default, name))


def change_arguments(cls, change):
    """Replace ``cls.__init__`` so that ``change(arguments)`` may edit its bound
    arguments (a dict of every parameter, defaults applied) before the original runs;
    a function ``change`` returns is called with the new instance afterwards::

        change_arguments(sub("pool").Pool, lambda arguments: arguments.update(context=None))
    """
    original = cls.__init__
    signature = inspect.signature(original)

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        after = change(bound.arguments)
        original(*bound.args, **bound.kwargs)
        if after:
            after(self)

    cls.__init__ = __init__


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

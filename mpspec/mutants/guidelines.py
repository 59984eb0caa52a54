"""Mutants of the behaviours the docs chapter `guidelines` relies on."""

from mpspec.mutants import mutant, sub  # noqa: F401

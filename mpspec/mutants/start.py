"""Mutants of the behaviours the docs chapter `start` relies on."""

from mpspec.mutants import mutant, sub  # noqa: F401

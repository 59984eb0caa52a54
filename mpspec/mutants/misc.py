"""Mutants of the behaviours the docs chapter `misc` relies on."""

from mpspec.mutants import mutant, sub  # noqa: F401

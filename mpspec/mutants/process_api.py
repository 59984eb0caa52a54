"""Mutants of the behaviours the docs chapter `process-api` relies on."""

from mpspec.mutants import mutant, sub  # noqa: F401

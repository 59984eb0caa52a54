"""Loaded at interpreter start-up only by mutation runs (``python -m mpspec.mutate``
puts this directory on PYTHONPATH): applies the mutant named in MPSPEC_MUTANT in
every process of the run, spawned and forkserver children included."""

import os

if os.environ.get("MPSPEC_MUTANT"):
    from mpspec import mutants

    mutants.activate(os.environ["MPSPEC_MUTANT"])

"""The guards' options (a plugin of their own, loaded by mpspec.plugin):

- ``--spec-test-deadline SECONDS``: the hang guard's deadline (mpspec/guards/hang.py).
- ``--spec-shuffle SEED`` runs the tests in a random (seeded, reproducible) order.
"""

from __future__ import annotations

import os
import random
from typing import Optional

import pytest

from mpspec.deadlines import DEADLINE

# A test with a few DEADLINE waits still fails with its own message first.
DEFAULT_TEST_DEADLINE = float(os.environ.get("MPSPEC_TEST_DEADLINE", 3 * DEADLINE))

# Their values, in config.stash (every process of the run parses them).
TEST_DEADLINE = pytest.StashKey[float]()
SHUFFLE = pytest.StashKey[Optional[int]]()  # also read by mpspec/schedule.py and the header


def _positive_float(flag):
    def parse(value):
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not number > 0:
            raise pytest.UsageError(f"{flag}: expected a positive number of seconds, got {value!r}")
        return number

    return parse


def _seed(value):
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(f"--spec-shuffle: expected an integer seed, got {value!r}") from None


def pytest_addoption(parser):
    group = parser.getgroup("mpspec", "multiprocessing spec")
    group.addoption(
        "--spec-test-deadline",
        metavar="SECONDS",
        default=None,
        help=f"hang guard: a spec test still running after this long has its child tree "
        f"killed and fails (default {DEFAULT_TEST_DEADLINE:g}; pytest-timeout is the backstop)",
    )
    group.addoption(
        "--spec-shuffle",
        metavar="SEED",
        default=None,
        help="run the tests in a random order drawn from SEED (same order in every xdist worker)",
    )


def pytest_configure(config):
    raw = config.getoption("spec_test_deadline")
    config.stash[TEST_DEADLINE] = (
        DEFAULT_TEST_DEADLINE if raw is None else _positive_float("--spec-test-deadline")(raw)
    )
    raw = config.getoption("spec_shuffle")
    config.stash[SHUFFLE] = None if raw is None else _seed(raw)


@pytest.hookimpl(tryfirst=True)  # before the plugin deselects and writes the inventory
def pytest_collection_modifyitems(session, config, items):
    if config.stash[SHUFFLE] is not None:
        random.Random(config.stash[SHUFFLE]).shuffle(items)

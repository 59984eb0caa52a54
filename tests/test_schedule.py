"""Under -n the spec picks worksteal and, once durations are recorded, hands the
tests out longest first (mpspec/schedule.py); a --dist of the user's wins."""

import json

import pytest

from mpspec.schedule import CACHE_KEY, longest_first
from tests.helpers import pytest_run

CLAIM = ["--claim", "basics.threads-share,process.target-args"]


def run(tmp_path, *args):
    done = pytest_run("spec", "-v", "-o", f"cache_dir={tmp_path / 'cache'}", *CLAIM, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def recorded(tmp_path):
    return json.loads((tmp_path / "cache" / "v" / CACHE_KEY).read_text())


def test_a_first_run_keeps_collection_order_and_records_every_duration(tmp_path):
    out = run(tmp_path, "-n", "2")
    assert "mpspec: -n: worksteal, in collection order (no durations recorded yet)" in out
    assert "scheduling tests via WorkStealingScheduling" in out
    durations = recorded(tmp_path)
    passed = [line.split()[-1] for line in out.splitlines() if " PASSED " in line]
    assert passed and set(durations) == set(passed)
    assert all(isinstance(v, float) and v > 0 for v in durations.values())


def test_with_durations_recorded_the_longest_tests_go_first(tmp_path):
    run(tmp_path)  # a serial run records durations too
    out = run(tmp_path, "-n", "2")
    assert f"longest tests first ({len(recorded(tmp_path))} durations from earlier runs)" in out
    assert "scheduling tests via WorkStealingLongestFirst" in out


@pytest.mark.parametrize(
    "args, scheduler",
    [(["--dist", "load"], "LoadScheduling"), (["--dist=worksteal"], "WorkStealingScheduling")],
    ids=["dist-load", "dist-equals-worksteal"],
)
def test_a_dist_of_the_users_is_left_alone(tmp_path, args, scheduler):
    run(tmp_path)
    out = run(tmp_path, "-n", "2", *args)
    assert f"scheduling tests via {scheduler}" in out
    assert "mpspec: -n:" not in out


def test_longest_first_puts_unknown_tests_first_and_keeps_ties_in_order():
    collection = ["a", "b", "c", "d", "e"]
    durations = {"a": 0.1, "b": 0.5, "c": 0.1, "d": 0.3}
    assert longest_first([0, 1, 2, 3, 4], collection, durations) == [1, 4, 3, 0, 2]
    assert longest_first([2, 0], collection, {}) == [2, 0]

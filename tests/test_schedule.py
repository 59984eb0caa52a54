"""Under -n the spec picks worksteal and, once tests are timed, hands out the tests
that wait most first (mpspec/schedule.py); a --dist of the user's wins."""

import json

import pytest

from mpspec.schedule import CACHE_KEY, waiting_first
from tests.helpers import pytest_run

CLAIM = ["--claim", "basics.threads-share,process.target-args"]


def run(tmp_path, *args):
    done = pytest_run("spec", "-v", "-o", f"cache_dir={tmp_path / 'cache'}", *CLAIM, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def recorded(tmp_path):
    return json.loads((tmp_path / "cache" / "v" / CACHE_KEY).read_text())


def test_a_first_run_keeps_collection_order_and_times_every_test(tmp_path):
    out = run(tmp_path, "-n", "2")
    assert "mpspec: -n: worksteal, in collection order (no test timed yet)" in out
    assert "scheduling tests via WorkStealingScheduling" in out
    records = recorded(tmp_path)
    passed = [line.split()[-1] for line in out.splitlines() if " PASSED " in line]
    assert passed and set(records) == set(passed)
    assert all(wall > 0 and cpu >= 0 for wall, cpu in records.values())
    # CPU time came back from the workers: the tests start processes and reap them.
    assert sum(cpu for _, cpu in records.values()) > 0


def test_once_tests_are_timed_the_waiting_ones_go_first(tmp_path):
    run(tmp_path)  # a serial run times the tests too
    out = run(tmp_path, "-n", "2")
    assert f"waiting tests first ({len(recorded(tmp_path))} tests timed by earlier runs)" in out
    assert "scheduling tests via WorkStealingWaitingFirst" in out


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


def test_waiting_first_orders_by_idle_time_then_wall_time_unknown_tests_first():
    collection = ["busy", "waits", "short", "unknown", "waits-less", "twin"]
    records = {  # (wall, cpu): idle = wall - cpu
        "busy": (0.4, 0.6),  # idle 0 (CPU beyond wall: children on both cores)
        "waits": (0.25, 0.05),  # idle 0.2
        "short": (0.01, 0.0),  # idle 0.01
        "waits-less": (0.3, 0.2),  # idle 0.1
        "twin": (0.4, 0.6),  # same as busy: keeps collection order
    }
    assert waiting_first(range(6), collection, records) == [3, 1, 4, 2, 0, 5]
    assert waiting_first([2, 0], collection, {}) == [2, 0]


def test_spec_shuffle_keeps_its_random_order_under_n(tmp_path):
    run(tmp_path)
    out = run(tmp_path, "-n", "2", "--spec-shuffle", "7")
    assert "mpspec: -n: worksteal, in the --spec-shuffle order" in out
    assert "scheduling tests via WorkStealingScheduling" in out

"""The performance tooling: the opt-in profiler records process starts and
deliberate waits, is off in normal runs, and the performance page renders from the
benchmarks' data with or without matplotlib."""

import json
import os
import subprocess
import sys

from benchmarks import page
from mpspec import children, lib
from tests.helpers import ROOT


def test_profiling_is_off_in_normal_runs():
    if os.environ.get(children.PROFILE):
        return
    assert lib.mp.process.BaseProcess.start.__module__ == lib.mp.process.__name__
    assert not children._profile["libraries"]


def test_the_profiler_records_starts_and_waits(tmp_path):
    profile = tmp_path / "profile.jsonl"
    env = dict(os.environ, MPSPEC_PROFILE=str(profile))
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "spec/article/test_queue.py", "-q", "-p", "no:cacheprovider",
         "--start-method", "spawn,fork", "-k", "round_trip or what_a_child or waits_for_the_timeout"],
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [json.loads(line) for line in profile.read_text().splitlines()]
    starts = [r for r in rows if r["kind"] == "start"]
    assert {r["method"] for r in starts} == {"spawn", "fork"}
    assert all(0 < r["delay"] < 60 and r["test"].startswith("spec/article/test_queue.py::") for r in starts)
    assert all(r["role"] == "process" for r in starts)
    waits = [r for r in rows if r["kind"] == "wait"]
    assert waits and all(r["seconds"] > 0 for r in waits)


def test_the_page_renders_without_plots(tmp_path):
    perf = {
        "environment": {"implementation": "CPython", "python": "3.11.7", "platform": "linux", "cores": 2,
                        "generated": "now", "load_average_at_end": [0, 0, 0]},
        "start_ms_per_version": {"3.11.7": {"fork": 1.5, "spawn": 30.0, "forkserver": 7.0, "interpreter": 20.0}},
        "ipc": {"method": "fork", "rows": [{"transport": "Pipe", "message": "small", "bytes": 64,
                                             "round_trip_us": 50.0, "messages_per_s": 2e5, "mb_per_s": 13.0}]},
        "table": "| start method | bare |\n|---|---|",
        "method_note": "how",
    }
    text = page.render(perf, None, tmp_path, plots=False)
    assert "| 3.11.7 | 1.5 | 30.0 | 7.0 | 20.0 |" in text
    assert "| Pipe | small | 50 | 200,000 | 13.0 |" in text
    assert "map_fastest.py" in text and "![" not in text

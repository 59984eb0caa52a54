"""Helpers for the project's self-tests: run pytest on the spec in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pytest_run(*args, cwd=ROOT, timeout=600):
    """Run ``python -m pytest ARGS`` in a fresh interpreter; return CompletedProcess."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *map(str, args)],
        cwd=str(cwd),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def inventory(tmp_path, *args):
    """The spec tests pytest collects (with --spec-inventory), as a list of dicts with
    nodeid, claims, method and doc."""
    out = tmp_path / "inventory.json"
    done = pytest_run("spec", "--collect-only", "-q", "--spec-inventory", out, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())

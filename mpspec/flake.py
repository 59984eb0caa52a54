"""Flake check: run the whole spec N times, some runs with every core kept busy by
CPU hogs, some in random order, some under ``-n 2``, and report every failure with
its test id.

    python -m mpspec.flake --runs 20 --loaded 10 [--json FILE] [-- PYTEST ARGS]
    python -m mpspec.flake --impl billiard -O --python /path/to/python3.13 ...  # one leg
    python -m mpspec.flake --summarize .matrix/flake/*.json   # failures per leg and test

A leg is one environment of the matrix: the interpreter (``--python``, which must have
the project installed; default the one running this command), ``-O`` and the library
(``--impl``).  ``nox -s flake`` runs a few rounds over every leg (see noxfile.py) and
``--summarize`` merges their JSON files into one table.

Run i (from 0) is loaded if it is one of the --loaded runs spread evenly over the
N runs; it is in random order (``--spec-shuffle SEED``) when i // 2 is odd; it
uses ``-n 2`` unless i % 3 == 2 (then it runs in one process).  So every
combination occurs.  Each run is its own session (process group): after it,
any process of that session still alive is a stray, reported and killed.  The CPU
hogs are killed whatever happens (finally, their own process group, and they die
with this command).  Exit status 0 only if every run passed with no stray.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict

import psutil

from mpspec.support import FAILURE_LINE, run_session

HOG = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent\n"
    "except Exception:\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit()\n"
    "while True:\n"
    "    pass\n"
)

SUMMARY = re.compile(FAILURE_LINE)
STRAY_GRACE = 5.0


class Hogs:
    """One busy-looping process per core, in a process group of their own."""

    def __init__(self, count):
        self.count = count
        self.procs = []

    def __enter__(self):
        for _ in range(self.count):
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", HOG, str(os.getpid())],
                    start_new_session=True,
                    stdin=subprocess.DEVNULL,
                )
            )
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            proc.wait()
        self.procs = []


def plan(runs, loaded, seed):
    """The mode of each run: loaded, random order (a seed) or not, -n 2 or not."""
    loaded_runs = {int(j * runs / loaded) for j in range(loaded)} if loaded else set()
    rng = random.Random(seed)
    modes = []
    for i in range(runs):
        modes.append(
            {
                "run": i + 1,
                "loaded": i in loaded_runs,
                "shuffle": rng.randrange(1, 10**6) if (i // 2) % 2 == 1 else None,
                "xdist": i % 3 != 2,
            }
        )
    return modes


def label(mode):
    parts = ["loaded" if mode["loaded"] else "idle"]
    parts.append(f"random order (seed {mode['shuffle']})" if mode["shuffle"] else "file order")
    parts.append("-n 2" if mode["xdist"] else "one process")
    return ", ".join(parts)


def session_strays(sid):
    """Processes still in session ``sid`` (the run's pytest and all it started,
    unless something called setsid)."""
    strays = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        try:
            if os.getsid(proc.pid) == sid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                strays.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    return strays


class Leg:
    """The environment the runs happen in: interpreter, -O, library."""

    def __init__(self, python=None, optimize=False, impl="multiprocessing"):
        self.python = python or sys.executable
        self.optimize = optimize
        self.impl = impl
        self.name = ""

    def command(self):
        return [self.python] + (["-O"] if self.optimize else []) + ["-m", "pytest"]

    def pytest_args(self):
        return [] if self.impl == "multiprocessing" else ["--impl", self.impl]

    def check(self):
        """Name the leg from the interpreter itself; a clear error if it cannot run the
        spec (not found, or the project is not installed in it)."""
        probe = (
            "import platform, sys, mpspec, pytest, xdist; "
            "print(platform.python_implementation(), platform.python_version())"
        )
        try:
            done = subprocess.run([self.python, "-c", probe], capture_output=True, text=True, timeout=60)
        except OSError as exc:
            return f"--python: cannot run {self.python!r}: {exc.strerror or exc}"
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            return (f"--python: {self.python} cannot run the spec ({last}); install the project in it: "
                    f"{self.python} -m pip install -e '.[dev]'")
        impl, version = done.stdout.split()
        parts = [version if impl == "CPython" else f"{impl} {version}"]
        if self.impl != "multiprocessing":
            parts.append(self.impl)
        if self.optimize:
            parts.append("-O")
        self.name = " · ".join(parts)
        return None


def run_once(mode, extra, timeout, log_dir=None, leg=None):
    leg = leg or Leg()
    cmd = leg.command() + ["spec", "-q", "-p", "no:cacheprovider", "-rfE"] + leg.pytest_args()
    if mode["xdist"]:
        cmd += ["-n", "2"]
    else:
        cmd += ["-p", "no:xdist"]
    if mode["shuffle"]:
        cmd += ["--spec-shuffle", str(mode["shuffle"])]
    cmd += extra
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    start = time.monotonic()
    proc, out = run_session(cmd, env, timeout, "flake")
    took = time.monotonic() - start
    # A fork server or resource tracker ends when it reads EOF from its parent, which
    # can take a moment after the run ends on a loaded machine (as .ci/run, allow it
    # up to STRAY_GRACE seconds); one still alive then is a stray.
    deadline = time.monotonic() + STRAY_GRACE
    strays = session_strays(proc.pid)
    while strays and time.monotonic() < deadline:
        time.sleep(0.1)
        strays = session_strays(proc.pid)
    stray_lines = []
    for stray in strays:
        try:
            stray_lines.append(f"pid {stray.pid}: {' '.join(stray.cmdline())[:200]}")
            stray.kill()
        except psutil.Error:
            pass
    if log_dir:
        with open(os.path.join(log_dir, f"run-{mode['run']:02d}.log"), "w", encoding="utf-8") as f:
            f.write(" ".join(cmd) + "\n\n" + out)
    matches = [m for m in map(SUMMARY.match, out.splitlines()) if m]
    failures = sorted({m.group(2) for m in matches})
    reasons = {m.group(2): (m.group(3) or "").strip() for m in matches}
    tail = [line for line in out.splitlines() if re.search(r"\b\d+ (passed|failed|errors?)\b.* in [\d.]+s", line)]
    result = {
        **mode,
        "returncode": proc.returncode,
        "seconds": round(took, 1),
        "failures": failures,
        "reasons": reasons,
        "strays": stray_lines,
        "summary": tail[-1].strip("= ") if tail else "",
    }
    if proc.returncode != 0 and not failures:
        result["failures"] = [f"<run exited {proc.returncode} without a failing test>"]
        result["output_tail"] = out.splitlines()[-30:]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mpspec.flake", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="how many full runs (default 20)")
    parser.add_argument("--loaded", type=int, default=None, help="how many of them under CPU hogs (default half)")
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="CPU hogs in a loaded run (default: one per core)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the random orders (default: random)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds after which one run is killed (default 900)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--log-dir", metavar="DIR", help="keep each run's full pytest output in DIR/run-NN.log")
    parser.add_argument("--python", metavar="EXE", help="the interpreter of the leg (default: this one); "
                        "the project must be installed in it")
    parser.add_argument("-O", "--optimize", action="store_true", help="run the spec under python -O")
    parser.add_argument("--impl", default="multiprocessing", help="the library under test (default multiprocessing)")
    parser.add_argument("--summarize", nargs="+", metavar="JSON", help="merge the JSON files of earlier "
                        "runs (one per leg) into a table of failures per leg and test, and exit")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    if args.summarize:
        return summarize(args.summarize)
    leg = Leg(args.python, args.optimize, args.impl)
    problem = leg.check()
    if problem:
        parser.error(problem)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    loaded = args.runs // 2 if args.loaded is None else args.loaded
    if not 0 <= loaded <= args.runs:
        parser.error("--loaded must be between 0 and --runs")
    seed = random.randrange(10**6) if args.seed is None else args.seed
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that kills the hogs

    signal.signal(signal.SIGTERM, terminate)
    modes = plan(args.runs, loaded, seed)
    print(f"flake: {args.runs} full runs of the spec on {leg.name}, {loaded} loaded ({args.hogs} CPU hogs), "
          f"seed {seed}", flush=True)
    results = []
    started = time.monotonic()
    for mode in modes:
        print(f"run {mode['run']:>2}/{args.runs} [{label(mode)}] ...", end=" ", flush=True)
        if mode["loaded"]:
            with Hogs(args.hogs):
                result = run_once(mode, args.pytest_args, args.timeout, args.log_dir, leg)
        else:
            result = run_once(mode, args.pytest_args, args.timeout, args.log_dir, leg)
        results.append(result)
        verdict = "ok" if not result["failures"] and not result["strays"] else "FAILED"
        print(f"{verdict}: {result['summary'] or 'exit ' + str(result['returncode'])} ({result['seconds']} s)", flush=True)
        for failure in result["failures"]:
            reason = result["reasons"].get(failure, "")
            print(f"    failed: {failure}" + (f" - {reason}" if reason else ""), flush=True)
        for stray in result["strays"]:
            print(f"    stray process (killed): {stray}", flush=True)
        for line in result.get("output_tail", []):
            print(f"    | {line}", flush=True)
    report(results, time.monotonic() - started)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"leg": leg.name, "seed": seed, "hogs": args.hogs, "runs": results}, f, indent=1)
    bad = sum(1 for r in results if r["failures"] or r["strays"])
    return 1 if bad else 0


def report(results, seconds):
    print()
    print("| run | load | order | processes | result | seconds |")
    print("|---|---|---|---|---|---|")
    for r in results:
        outcome = "ok" if not r["failures"] and not r["strays"] else f"{len(r['failures'])} failed, {len(r['strays'])} strays"
        print(
            f"| {r['run']} | {'loaded' if r['loaded'] else 'idle'} | "
            f"{'random ' + str(r['shuffle']) if r['shuffle'] else 'file'} | "
            f"{'-n 2' if r['xdist'] else '1'} | {outcome} | {r['seconds']} |"
        )
    by_test = defaultdict(list)
    for r in results:
        for failure in r["failures"]:
            by_test[failure].append(r["run"])
    loaded = [r for r in results if r["loaded"]]
    failed_runs = sum(1 for r in results if r["failures"])
    strays = sum(len(r["strays"]) for r in results)
    print()
    print(
        f"flake: {len(results)} runs ({len(loaded)} loaded, "
        f"{sum(1 for r in results if r['shuffle'])} in random order, "
        f"{sum(1 for r in results if r['xdist'])} under -n 2) in {seconds:.0f} s: "
        f"{failed_runs} run(s) with failures, {sum(len(v) for v in by_test.values())} failure(s), "
        f"{strays} stray process(es)"
    )
    print_failures(by_test, "failed in runs", ", ")


def print_failures(by_test, heading, sep):
    """A table of the failing tests, the most frequent first, with where each failed."""
    if not by_test:
        return
    print()
    print(f"| test id | {heading} |")
    print("|---|---|")
    for test, where in sorted(by_test.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"| {test} | {sep.join(map(str, where))} |")


def summarize(paths):
    """One table over the legs: runs, failed runs, strays per leg; then each failing
    test with the legs and runs it failed in."""
    legs = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            legs.append((data.get("leg") or os.path.basename(path), data["runs"]))
        except (OSError, ValueError, KeyError) as exc:
            print(f"flake: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    print("| leg | runs | loaded | runs with failures | failures | strays | seconds |")
    print("|---|---|---|---|---|---|---|")
    by_test = defaultdict(list)
    bad = 0
    for name, runs in legs:
        failed = [r for r in runs if r["failures"]]
        strays = sum(len(r["strays"]) for r in runs)
        bad += len(failed) + strays
        print(f"| {name} | {len(runs)} | {sum(r['loaded'] for r in runs)} | {len(failed)} | "
              f"{sum(len(r['failures']) for r in runs)} | {strays} | {sum(r['seconds'] for r in runs):.0f} |")
        for r in runs:
            for failure in r["failures"]:
                by_test[failure].append(f"{name} run {r['run']}")
    print_failures(by_test, "failed in", "; ")
    print()
    print(f"flake: {len(legs)} legs, {sum(len(r) for _, r in legs)} runs: "
          f"{'no failure and no stray' if not bad else str(bad) + ' failed run(s) or stray(s)'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

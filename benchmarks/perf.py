"""The spec's performance: what its children cost, how long it runs, and its floor.

usage: python -m benchmarks.perf [--repeat 5] [--starts 30] [--quick]
       [--out benchmarks/results/performance.json]

One run measures, and writes to one JSON file (then prints a table):

1. **Bare start cost** per start method: ``benchmarks/bare.py`` in a fresh
   interpreter (a plain script, light main module) starts children one at a time,
   methods interleaved, and takes the time from ``Process.start()`` until the
   child's target runs; median of about ``--starts`` per method, taken in batches
   interleaved with the profiled run below (before each spec file and after the
   last), so that both see the same load; and once with every Python of
   ``VERSIONS`` found here (per-version table of the performance page).  The bare
   cost of a child *interpreter* (``fixtures/scripts``) is the wall time of
   ``python -c "import multiprocessing"``.
2. **Inside the spec**: one serial run of the whole spec, file by file, through the
   ``pytest`` console script (the launcher with the biggest ``__main__``) with
   ``MPSPEC_PROFILE`` (see mpspec/children.py), which records every process start
   (start() until the child's run() begins, same clock as the bare measure) and
   every deliberate wait.  The inside/bare ratio compares like with like: children
   a spec test starts itself (not pool workers, whose unpickling imports the pool
   machinery, nor children of child interpreters), and only *solo* starts, those
   that no other start of the same parent overlapped (siblings started together
   compete for the cores).  The medians of all starts, per role, are recorded too.
3. **Wall time** of the whole spec, unprofiled, serial and with ``-n 2``,
   alternating, ``--repeat`` times each; medians.  These runs share a private pytest
   cache, warmed by one untimed serial run, as a developer's checkout is: under
   ``-n`` the spec then hands out the tests that wait most first (mpspec/schedule.py).  The
   same number of ``-n 2`` runs without the cache (``-p no:cacheprovider``: plain
   worksteal in collection order, as on a fresh clone) is reported beside them.
   On a shared 2-core machine one run can be 10 % off another: five of each by
   default.
4. **Floor**: (sum over the children the spec starts of the bare start cost of
   their method + child interpreters x bare interpreter cost + the deliberate
   waits) / cores.  Nothing can run the spec faster than that on this machine.

Ratios and targets: inside/bare per method (spawn <= 1.2), wall(-n 2)/floor <= 2,
serial/parallel >= 1.6.  No timing is asserted in the spec itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("fork", "spawn", "forkserver")
VERSIONS = ("/work/venv3.8.18", "/work/venv3.9.18", "/work/venv311", "/work/venv3.12.1", "/work/venv3.13.0")
TARGETS = {"inside_over_bare_spawn": 1.2, "wall_over_floor": 2.0, "serial_over_parallel": 1.6}
OUT = ROOT / "benchmarks" / "results" / "performance.json"


def ms(seconds):
    return round(seconds * 1000, 2)


def median(values):
    return statistics.median(values) if values else float("nan")


def clean_env(**extra):
    env = dict(os.environ)
    for key in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST", "MPSPEC_PROFILE"):
        env.pop(key, None)
    env.update(extra)
    return env


def bare(python, starts):
    """Per method, the list of bare start delays (s) with ``python``."""
    done = subprocess.run(
        [python, "-m", "benchmarks.bare", "--starts", str(starts)],
        cwd=str(ROOT), env=clean_env(), capture_output=True, text=True, timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"{python} -m benchmarks.bare failed:\n{done.stderr}")
    return json.loads(done.stdout)


def interpreter_cost(python, count):
    times = []
    for _ in range(count):
        began = time.monotonic()
        subprocess.run([python, "-c", "import multiprocessing"], check=True, env=clean_env())
        times.append(time.monotonic() - began)
    return median(times)


def pytest_command(python):
    """The ``pytest`` console script next to ``python`` (its __main__ is the script),
    else ``python -m pytest``."""
    script = Path(python).parent / "pytest"
    return [str(script)] if script.exists() else [python, "-m", "pytest"]


def run_spec(command, *args, env=None, files=("spec",), cache=None):
    """One spec run; with ``cache`` (a directory) pytest's cache lives there, else the
    run has none."""
    cache_args = ["-o", f"cache_dir={cache}"] if cache else ["-p", "no:cacheprovider"]
    began = time.monotonic()
    done = subprocess.run(
        [*command, *files, "-q", *cache_args, *args],
        cwd=str(ROOT), env=env or clean_env(), capture_output=True, text=True, timeout=1800,
    )
    wall = time.monotonic() - began
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall": wall, "returncode": done.returncode, "summary": tail}


def read_profile(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    starts = [r for r in rows if r["kind"] == "start"]
    by_parent = defaultdict(list)
    for r in starts:
        by_parent[r["parent"]].append(r)
    for siblings in by_parent.values():
        siblings.sort(key=lambda r: r["t0"])
        for r in siblings:
            end = r["t0"] + r["delay"]
            r["solo"] = not any(
                o is not r and o["t0"] < end and r["t0"] < o["t0"] + o["delay"] for o in siblings
            )
    waits = defaultdict(float)
    for r in rows:
        if r["kind"] == "wait":
            waits[r["what"]] += r["seconds"]
    return {
        "starts": starts,
        "interpreters": [r for r in rows if r["kind"] == "interpreter"],
        "waits": dict(waits),
        "wait_count": sum(1 for r in rows if r["kind"] == "wait"),
    }


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def measure(args):
    python = sys.executable
    result = {"method_note": __doc__.split("\n\n", 2)[2].strip()}
    command = pytest_command(python)
    # The profiled run goes file by file, with a batch of bare starts before each file
    # and after the last: bare and inside are measured under the same load.
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "spec").rglob("test_*.py"))
    batch = max(3, args.starts // (len(files) + 1))
    bare_delays = defaultdict(list)
    profiled = {"wall": 0.0, "returncode": 0, "summary": []}
    with tempfile.TemporaryDirectory() as tmp:
        profile_file = os.path.join(tmp, "profile.jsonl")
        for spec_file in files + [None]:
            for m, values in bare(python, batch)["delays"].items():
                bare_delays[m] += values
            if spec_file is None:
                break
            print(f"profiled run of {spec_file} (serial, {' '.join(Path(c).name for c in command)})...",
                  flush=True)
            run = run_spec(command, env=clean_env(MPSPEC_PROFILE=profile_file), files=[spec_file])
            profiled["wall"] += run["wall"]
            profiled["returncode"] = profiled["returncode"] or run["returncode"]
            profiled["summary"].append(f"{spec_file}: {run['summary']}")
        profile = read_profile(profile_file)
    profiled["summary"] = "; ".join(profiled["summary"])

    walls = {"serial": [], "parallel": [], "parallel_cold": []}
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        print("warm-up: one serial run records the test durations...", flush=True)
        run_spec(command, cache=cache)
        modes = ("serial", "parallel", "parallel_cold")
        for rep in range(args.repeat):
            for mode in modes[rep % 3:] + modes[:rep % 3]:
                print(f"spec wall time, {mode} ({rep + 1}/{args.repeat})...", flush=True)
                run = run_spec(command, *([] if mode == "serial" else ["-n", "2"]),
                               cache=None if mode == "parallel_cold" else cache)
                walls[mode].append(run["wall"])
                runs.append(dict(run, mode=mode))

    interp = interpreter_cost(python, 10)

    bare_ms = {m: ms(median(v)) for m, v in bare_delays.items()}
    inside = {}
    for m in METHODS:
        mine = [r["delay"] for r in profile["starts"] if r["method"] == m]
        # A child a spec test starts itself (not a pool worker, not a script's child),
        # while no sibling was starting: the like-for-like comparison with a bare start.
        solo = [r["delay"] for r in profile["starts"]
                if r["method"] == m and r["solo"] and r.get("role") == "process"]
        roles = defaultdict(list)
        for r in profile["starts"]:
            if r["method"] == m:
                roles[r.get("role", "?")].append(r["delay"])
        inside[m] = {
            "children": len(mine),
            "solo_children": len(solo),
            "inside_solo_ms": ms(median(solo)),
            "inside_all_ms": ms(median(mine)),
            "bare_ms": bare_ms.get(m),
            "ratio": round(median(solo) / median(bare_delays[m]), 2) if solo and m in bare_delays else None,
            "by_role_ms": {role: {"children": len(v), "median_ms": ms(median(v))} for role, v in sorted(roles.items())},
        }
    n_interp = len(profile["interpreters"])
    starts_cost = sum(inside[m]["children"] * median(bare_delays[m]) for m in METHODS if m in bare_delays)
    waits = sum(profile["waits"].values())
    floor = (starts_cost + n_interp * interp + waits) / cores()
    serial, parallel = median(walls["serial"]), median(walls["parallel"])
    result.update(
        {
            "environment": {
                "python": platform.python_version(),
                "implementation": platform.python_implementation(),
                "platform": sys.platform,
                "cores": cores(),
                "load_average_at_end": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
                "launcher": " ".join(Path(c).name for c in command),
                "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            "bare_start_ms": bare_ms,
            "bare_starts_per_method": {m: len(v) for m, v in bare_delays.items()},
            "interpreter_start_ms": ms(interp),
            "inside": inside,
            "profiled_run": profiled,
            "floor": {
                "child_starts_s": round(starts_cost, 3),
                "interpreters": n_interp,
                "interpreters_s": round(n_interp * interp, 3),
                "waits_s": {k: round(v, 3) for k, v in sorted(profile["waits"].items())},
                "wait_count": profile["wait_count"],
                "cores": cores(),
                "floor_s": round(floor, 3),
            },
            "wall_s": {
                "serial": [round(w, 2) for w in walls["serial"]],
                "parallel": [round(w, 2) for w in walls["parallel"]],
                "parallel_cold": [round(w, 2) for w in walls["parallel_cold"]],
                "serial_median": round(serial, 2),
                "parallel_median": round(parallel, 2),
                "parallel_cold_median": round(median(walls["parallel_cold"]), 2),
            },
            "runs": runs,
            "ratios": {
                "inside_over_bare": {m: inside[m]["ratio"] for m in METHODS},
                "wall_over_floor": round(parallel / floor, 2),
                "serial_wall_over_floor": round(serial / floor, 2),
                "serial_over_parallel": round(serial / parallel, 2),
                "serial_over_parallel_cold": round(serial / median(walls["parallel_cold"]), 2),
            },
        }
    )
    ratios = result["ratios"]
    result["targets"] = {
        "inside_over_bare_spawn": {
            "target": "<= 1.2", "value": ratios["inside_over_bare"]["spawn"],
            "met": ratios["inside_over_bare"]["spawn"] is not None
            and ratios["inside_over_bare"]["spawn"] <= TARGETS["inside_over_bare_spawn"],
        },
        "wall_over_floor": {
            "target": "<= 2.0 (-n 2 wall)", "value": ratios["wall_over_floor"],
            "met": parallel / floor <= TARGETS["wall_over_floor"],
        },
        "serial_over_parallel": {
            "target": ">= 1.6", "value": ratios["serial_over_parallel"],
            # Judged on the unrounded ratio: 1.595 shows as 1.6 but is not met.
            "met": serial / parallel >= TARGETS["serial_over_parallel"],
        },
    }

    if not args.quick:
        print("bare starts per Python version...", flush=True)
        versions = {}
        for venv in VERSIONS:
            exe = os.path.join(venv, "bin", "python")
            if os.path.exists(exe):
                data = bare(exe, args.version_starts)
                versions[data["python"]] = {
                    m: ms(median(v)) for m, v in data["delays"].items()
                }
                versions[data["python"]]["interpreter"] = ms(interpreter_cost(exe, 5))
        result["start_ms_per_version"] = versions
        print("Queue vs Pipe...", flush=True)
        done = subprocess.run([python, "-m", "benchmarks.ipc"], cwd=str(ROOT), env=clean_env(),
                              capture_output=True, text=True, timeout=600, check=True)
        result["ipc"] = json.loads(done.stdout)
    return result


def table(result):
    """The readable table: raw numbers beside the ratios, and the targets."""
    lines = []
    w = lines.append
    e = result["environment"]
    w(f"{e['implementation']} {e['python']} on {e['platform']}, {e['cores']} cores, launcher `{e['launcher']}`")
    w("")
    w("| start method | bare start (ms) | inside the spec, solo (ms) | inside, all (ms) | children (solo) | inside/bare |")
    w("|---|---|---|---|---|---|")
    for m, row in result["inside"].items():
        w(f"| {m} | {row['bare_ms']} | {row['inside_solo_ms']} | {row['inside_all_ms']} | "
          f"{row['children']} ({row['solo_children']}) | {row['ratio']}× |")
    f = result["floor"]
    walls = result["wall_s"]
    w("")
    w("| quantity | value |")
    w("|---|---|")
    w(f"| child starts x bare cost | {f['child_starts_s']} s |")
    w(f"| child interpreters x {result['interpreter_start_ms']} ms | {f['interpreters']} -> {f['interpreters_s']} s |")
    w(f"| deliberate waits ({f['wait_count']}) | "
      + ", ".join(f"{k} {v} s" for k, v in f["waits_s"].items()) + " |")
    w(f"| floor = sum / {f['cores']} cores | {f['floor_s']} s |")
    w(f"| wall, serial (median of {len(walls['serial'])}) | {walls['serial_median']} s {walls['serial']} |")
    w(f"| wall, -n 2, waiting tests first (median of {len(walls['parallel'])}) | {walls['parallel_median']} s {walls['parallel']} |")
    if "parallel_cold" in walls:
        w(f"| wall, -n 2, no durations recorded (median of {len(walls['parallel_cold'])}) | "
          f"{walls['parallel_cold_median']} s {walls['parallel_cold']} -> serial/parallel "
          f"{result['ratios']['serial_over_parallel_cold']}× |")
    w("")
    w("| target | value | met |")
    w("|---|---|---|")
    r = result["ratios"]
    t = result["targets"]
    w(f"| spawn inside/bare <= 1.2 | {r['inside_over_bare']['spawn']}× "
      f"({result['inside']['spawn']['inside_solo_ms']} / {result['inside']['spawn']['bare_ms']} ms) | "
      f"{'yes' if t['inside_over_bare_spawn']['met'] else 'NO'} |")
    w(f"| wall(-n 2)/floor <= 2 | {r['wall_over_floor']}× ({walls['parallel_median']} / {f['floor_s']} s; "
      f"serial/floor {r['serial_wall_over_floor']}×) | {'yes' if t['wall_over_floor']['met'] else 'NO'} |")
    w(f"| serial/parallel >= 1.6 | {r['serial_over_parallel']}× ({walls['serial_median']} / "
      f"{walls['parallel_median']} s) | {'yes' if t['serial_over_parallel']['met'] else 'NO'} |")
    bad = [run for run in result["runs"] + [result["profiled_run"]] if run["returncode"]]
    if bad:
        w("")
        w(f"warning: {len(bad)} spec run(s) did not pass: " + "; ".join(run["summary"] for run in bad))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="the spec's performance (see the module docstring)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="spec runs per mode (serial, -n 2, -n 2 without durations)")
    parser.add_argument("--starts", type=int, default=30, help="bare starts per method, before and after")
    parser.add_argument("--version-starts", type=int, default=20, help="bare starts per method per Python")
    parser.add_argument("--quick", action="store_true", help="skip the per-version and Queue/Pipe parts")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    result = measure(args)
    if args.quick and Path(args.out).exists():  # keep the parts this run skipped
        old = json.loads(Path(args.out).read_text())
        for key in ("start_ms_per_version", "ipc"):
            if key in old:
                result.setdefault(key, old[key])
    result["table"] = table(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print()
    print(result["table"])
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

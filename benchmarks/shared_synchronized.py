"""How much slower is access through a synchronized wrapper?  (sharedctypes ›
synchronized(): "can be a lot slower than accessing the raw ctypes object")

For each interpreter found (the venvs of /work/venvs and this one), a child
interpreter times reads and writes of ``.value`` on a raw c_int in shared memory
(RawValue) and on the same object wrapped by synchronized() (what Value() returns),
in interleaved batches, and reports the median nanoseconds per access.  The results
go to benchmarks/results/shared-synchronized.json, which the living doc renders
under the claim shared.synchronized-slower.

usage: python benchmarks/shared_synchronized.py [--batches 200] [--reads 2000]
       [--out benchmarks/results/shared-synchronized.json]
"""

import argparse
import glob
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "shared-synchronized.json"

# Run in each interpreter: prints one JSON line.
PROBE = r"""
import json, platform, statistics, sys, time
import multiprocessing.sharedctypes as sc
batches, n = int(sys.argv[1]), int(sys.argv[2])
raw = sc.RawValue("i", 1)
wrapped = sc.synchronized(raw)

def reads(obj):
    t = time.perf_counter()
    for _ in range(n):
        obj.value
    return time.perf_counter() - t

def writes(obj):
    t = time.perf_counter()
    for i in range(n):
        obj.value = i
    return time.perf_counter() - t

out = {}
for kind, op in (("read", reads), ("write", writes)):
    times = {"raw": [], "wrapped": []}
    for _ in range(batches):
        times["raw"].append(op(raw))
        times["wrapped"].append(op(wrapped))
    out[kind] = {k: statistics.median(v) / n * 1e9 for k, v in times.items()}
out["python"] = "%s %s" % (platform.python_implementation(), platform.python_version())
print(json.dumps(out))
"""


def interpreters():
    found = [sys.executable]
    for venv in sorted(glob.glob("/work/venvs/*/bin/python")):
        if "f16" not in venv:
            found.append(venv)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    rows, seen = [], set()
    for python in interpreters():
        done = subprocess.run(
            [python, "-c", PROBE, str(args.batches), str(args.reads)],
            capture_output=True, text=True, timeout=600,
        )
        if done.returncode != 0:
            print(f"{python}: failed\n{done.stderr}", file=sys.stderr)
            continue
        got = json.loads(done.stdout.strip().splitlines()[-1])
        if got["python"] in seen:
            continue
        seen.add(got["python"])
        r, w = got["read"], got["write"]
        rows.append([
            got["python"],
            f"{r['raw']:.0f}", f"{r['wrapped']:.0f}", f"{r['wrapped'] / r['raw']:.1f}×",
            f"{w['raw']:.0f}", f"{w['wrapped']:.0f}", f"{w['wrapped'] / w['raw']:.1f}×",
        ])
        print(" | ".join(rows[-1]))
    ratios = [float(row[3][:-1]) for row in rows] + [float(row[6][:-1]) for row in rows]
    data = {
        "title": f"ns per .value access on a c_int in shared memory, raw vs through synchronized(); "
        f"median of {args.batches} interleaved batches of {args.reads}",
        "columns": ["interpreter", "read raw", "read wrapped", "ratio", "write raw", "write wrapped", "ratio"],
        "rows": rows,
        "summary": f"Access through the wrapper (a Python property taking and releasing the lock) "
        f"took {min(ratios):.1f}×–{max(ratios):.1f}× the raw access's time: 'a lot slower' in "
        f"relative terms, though each access still costs well under a microsecond "
        f"uncontended.",
        "environment": f"{platform.system().lower()}, os.cpu_count()={os.cpu_count()}, machine shared "
        f"with other jobs (benchmarks/shared_synchronized.py --batches {args.batches} --reads {args.reads})",
    }
    Path(args.out).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()

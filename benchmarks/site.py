"""The site's weight and speed, against its budgets on this 2-core machine.

usage: python -m benchmarks.site [--repeat 3] [--out benchmarks/results/site.json]

Measures, and writes to one JSON file (then prints a table):

1. **Build time**: ``python -m mpspec.site DIR`` from the committed results, in a
   fresh interpreter, ``--repeat`` times; the median (budget: 60 s).
2. **Page weight**: every HTML page gzipped (budget: none over 150 KB), and what the
   matrix page loads besides (its data and script, gzipped as a server sends them).
3. **The matrix is usable**: in headless chromium, the time from navigation start
   until the table is drawn and answers clicks (the page marks that moment), median
   of ``--repeat`` loads from a local server (budget: 1 s).

Budgets are checked here and reported, never asserted in a timed test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {"build_seconds": 60.0, "largest_page_gzip_kb": 150.0, "matrix_usable_ms": 1000.0}


def build_times(repeat, out):
    times = []
    for _ in range(repeat):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "mpspec.site", str(out)], cwd=str(ROOT), capture_output=True, text=True)
        times.append(time.monotonic() - started)
        if done.returncode != 0:
            raise SystemExit(f"the site did not build:\n{done.stdout}{done.stderr}")
    return times


def weights(site: Path):
    pages = {}
    for page in site.rglob("*.html"):
        pages[str(page.relative_to(site))] = len(gzip.compress(page.read_bytes(), 6))
    extra = {}
    for rel in ("assets/matrix.json", "assets/matrix.js", "search/search_index.json"):
        path = site / rel
        if path.exists():
            extra[rel] = len(gzip.compress(path.read_bytes(), 6))
    return pages, extra


def matrix_usable(site: Path, repeat):
    from mpspec.site import browser

    why = browser.missing()
    if why:
        return None, why
    samples = []
    with browser.serve(site) as url, browser.chromium(1400, 900) as d:
        for _ in range(repeat + 1):  # the first load warms the browser's own caches
            d.get("about:blank")
            d.get(url + "matrix/")
            deadline = time.monotonic() + 30
            ready = None
            while ready is None and time.monotonic() < deadline:
                ready = d.execute_script("return document.getElementById('mpspec-matrix').dataset.readyMs || null")
                time.sleep(0.02)
            samples.append(float(ready) if ready else float("inf"))
    return samples[1:], ""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds and matrix loads to take the median of (default 3)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "site.json"), metavar="FILE")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="mpspec-site-bench-") as tmp:
        site = Path(tmp) / "site"
        print(f"building the site {args.repeat} times ...", flush=True)
        builds = build_times(args.repeat, site)
        pages, extra = weights(site)
        print("loading the matrix page in chromium ...", flush=True)
        usable, why = matrix_usable(site, args.repeat)
    largest = max(pages.items(), key=lambda kv: kv[1])
    result = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
        "pages": len(pages),
        "build_seconds": round(statistics.median(builds), 2),
        "build_samples": [round(t, 2) for t in builds],
        "largest_page": largest[0],
        "largest_page_gzip_kb": round(largest[1] / 1024, 1),
        "median_page_gzip_kb": round(statistics.median(pages.values()) / 1024, 1),
        "matrix_page_gzip_kb": round((pages.get("matrix/index.html", 0) + sum(v for k, v in extra.items() if k.startswith("assets/"))) / 1024, 1),
        "loaded_gzip_kb": {k: round(v / 1024, 1) for k, v in extra.items()},
        "matrix_usable_ms": round(statistics.median(usable)) if usable else None,
        "matrix_usable_samples": [round(x) for x in usable] if usable else [],
        "matrix_usable_skipped": why,
        "budgets": BUDGETS,
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    rows = [
        ("build", f"{result['build_seconds']} s", f"<= {BUDGETS['build_seconds']:g} s", result["build_seconds"] <= BUDGETS["build_seconds"]),
        ("largest page (gzip)", f"{result['largest_page_gzip_kb']} KB ({largest[0]})", f"<= {BUDGETS['largest_page_gzip_kb']:g} KB",
         result["largest_page_gzip_kb"] <= BUDGETS["largest_page_gzip_kb"]),
        ("matrix page + data + script (gzip)", f"{result['matrix_page_gzip_kb']} KB", "", None),
        ("matrix usable", f"{result['matrix_usable_ms']} ms" if usable else f"not measured: {why}",
         f"<= {BUDGETS['matrix_usable_ms']:g} ms", (result["matrix_usable_ms"] or 1e9) <= BUDGETS["matrix_usable_ms"] if usable else None),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, budget, ok in rows:
        mark = "" if ok is None else ("  ok" if ok else "  OVER BUDGET")
        print(f"{name:<{width}}  {value:<40} {budget}{mark}")
    print(f"{result['pages']} pages; written to {args.out}")
    return 0 if all(ok is not False for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

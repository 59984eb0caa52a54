"""Is Pool.map "the quickest way to use many processes"?  (进程池的map方法 ¶1)

Runs many tiny tasks (squaring an int) four ways on each start method and records
the medians in benchmarks/results/map-fastest.json, which the living doc renders:

  map            pool.map(f, items), default chunksize ceil(len / (4 * workers))
  imap, chunked  pool.imap(f, items, chunksize=<the same chunksize>)
  imap, 1        pool.imap(f, items) (chunksize 1: one message per item)
  apply_async    one pool.apply_async(f, (item,)) per item
  Process        one Process per item, ``workers`` at a time, results via a Queue

usage: python benchmarks/map_fastest.py [--items 10000] [--process-items 40]
       [--repeat 9] [--out benchmarks/results/map-fastest.json]

The functions below are also what spec/article/test_map.py checks for equal results.
"""

import argparse
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.pools import square, square_into  # noqa: E402
from mpspec.deadlines import DEADLINE  # noqa: E402

METHODS = ("fork", "spawn", "forkserver")


def default_chunksize(items, workers):
    return math.ceil(len(items) / (4 * workers))


def with_map(ctx, pool, items, workers):
    return pool.map_async(square, items).get(DEADLINE)


def with_imap_chunked(ctx, pool, items, workers):
    # A chunked imap is a plain generator: its next() takes no timeout.
    return list(pool.imap(square, items, default_chunksize(items, workers)))


def with_imap_one(ctx, pool, items, workers):
    it = pool.imap(square, items)
    return [it.next(DEADLINE) for _ in items]


def with_apply_async(ctx, pool, items, workers):
    pending = [pool.apply_async(square, (x,)) for x in items]
    return [r.get(DEADLINE) for r in pending]


def with_processes(ctx, pool, items, workers):
    """One Process per item, at most ``workers`` alive at a time."""
    queue, results = ctx.Queue(), [None] * len(items)
    try:
        for start in range(0, len(items), workers):
            batch = [
                ctx.Process(target=square_into, args=(queue, i, items[i]))
                for i in range(start, min(start + workers, len(items)))
            ]
            for p in batch:
                p.start()
            for _ in batch:
                i, value = queue.get(timeout=DEADLINE)
                results[i] = value
            for p in batch:
                p.join(DEADLINE)
    finally:
        queue.close()
        queue.join_thread()
    return results


APPROACHES = {
    "map": with_map,
    "imap, chunked": with_imap_chunked,
    "imap, 1": with_imap_one,
    "apply_async": with_apply_async,
    "Process": with_processes,
}


def ratio(value):
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×" if value < 100 else f"{value:,.0f}×"


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def measure(method, items, process_items, repeat, workers):
    """Median seconds per item of each approach on one start method, and the
    median pool start-up time (construction + a first one-item map)."""
    ctx = multiprocessing.get_context(method)
    per_item = {name: [] for name in APPROACHES}
    startup = []
    names = list(APPROACHES)
    for rep in range(repeat):
        start = time.perf_counter()
        pool = ctx.Pool(workers)
        try:
            pool.map(square, [0])
            startup.append(time.perf_counter() - start)
            for name in names[rep % len(names):] + names[: rep % len(names)]:  # rotate the order
                approach = APPROACHES[name]
                data = list(range(process_items if name == "Process" else items))
                per_item[name].append(timed(approach, ctx, pool, data, workers) / len(data))
        finally:
            pool.terminate()
            pool.join()
    return {name: statistics.median(v) for name, v in per_item.items()}, statistics.median(startup)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--process-items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "map-fastest.json"))
    args = parser.parse_args(argv)
    rows, ratios = [], {}
    for method in METHODS:
        medians, startup = measure(method, args.items, args.process_items, args.repeat, args.workers)
        base = medians["map"]
        ratios[method] = {name: t / base for name, t in medians.items()}
        rows.append(
            [method, f"{base * args.items * 1000:.1f}"]
            + [ratio(ratios[method][name]) for name in APPROACHES if name != "map"]
            + [f"{startup * 1000:.0f}"]
        )
        print(rows[-1], flush=True)
    chunk = math.ceil(args.items / (4 * args.workers))

    def span(name):
        values = [ratios[m][name] for m in METHODS]
        return f"{ratio(min(values))}–{ratio(max(values))}"

    data = {
        "title": f"{args.items} tiny tasks (squaring an int) on a pool of {args.workers} workers; "
        f"time relative to Pool.map, median of {args.repeat} runs",
        "columns": [
            "start method",
            f"map, {args.items} items (ms)",
            f"imap, chunksize {chunk} (map's default)",
            "imap, chunksize 1",
            "apply_async per item",
            f"Process per item (per-item time, {args.process_items} items)",
            "pool start-up (ms)",
        ],
        "rows": rows,
        "summary": (
            "Cells are time per item relative to map (1.00× = as fast as map; higher = slower). "
            f"imap with map's chunksize took {span('imap, chunked')} map's time: chunking, not map "
            f"itself, is what makes it fast. Without chunking, imap took {span('imap, 1')}, one "
            f"apply_async per item {span('apply_async')}, and one Process per item "
            f"{span('Process')}. So map is among the fastest ways, not the only one; the docs "
            "make no 'fastest' claim and recommend imap/imap_unordered with an explicit "
            "chunksize for long iterables (map first turns its input into a list)."
        ),
        "environment": (
            f"{platform.python_implementation()} {platform.python_version()} on {sys.platform}, "
            f"os.cpu_count()={os.cpu_count()}, machine shared with other jobs "
            f"(benchmarks/map_fastest.py --items {args.items} --process-items "
            f"{args.process_items} --repeat {args.repeat} --workers {args.workers})"
        ),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()

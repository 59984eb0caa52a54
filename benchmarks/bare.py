"""Bare start cost: how long a process takes from ``Process.start()`` until its target
runs, started from a plain script with a light main module (this one).

usage: python -m benchmarks.bare [--starts 30] [--methods fork,spawn,forkserver]

Prints one JSON object: per start method the list of delays in seconds (after one
warm-up start per method, which also starts the fork server), and the Python
version.  Starts are interleaved across methods (the order rotates every round) so
that a noisy neighbour affects every method alike.  The child reads the system-wide
monotonic clock first thing in its target; the parent read it just before
``start()``.  Light on purpose: a spawned child re-imports this module.
"""

import json
import multiprocessing
import sys
import time


def arrive(conn):
    """Child target: report when the target began."""
    conn.send(time.monotonic())
    conn.close()


def one_start(ctx):
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=arrive, args=(writer,))
    began = time.monotonic()
    child.start()
    writer.close()
    try:
        if not reader.poll(60):
            raise RuntimeError("the child did not report within 60 s")
        arrived = reader.recv()
    finally:
        child.join(60)
        reader.close()
    return arrived - began


def measure(methods, starts):
    available = multiprocessing.get_all_start_methods()
    methods = [m for m in methods if m in available]
    contexts = {m: multiprocessing.get_context(m) for m in methods}
    for m in methods:
        one_start(contexts[m])  # warm-up (the fork server starts here)
    delays = {m: [] for m in methods}
    for round_ in range(starts):
        order = methods[round_ % len(methods):] + methods[: round_ % len(methods)]
        for m in order:
            delays[m].append(one_start(contexts[m]))
    return delays


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="bare process start cost per start method")
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--methods", default="fork,spawn,forkserver")
    args = parser.parse_args(argv)
    delays = measure(args.methods.split(","), args.starts)
    print(json.dumps({"python": "%d.%d.%d" % sys.version_info[:3], "delays": delays}))


if __name__ == "__main__":
    main()

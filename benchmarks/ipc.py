"""Queue vs Pipe: round-trip latency and one-way throughput, small and large messages.

usage: python -m benchmarks.ipc [--method fork]

Prints one JSON object.  An echo child sends back every message it gets (round trip:
median of many); for throughput the parent sends a stream of messages and the child
replies once it has them all.  The transport does not depend on the start method
(the child is only started once), so one method is enough; fork is the cheapest.
"""

import json
import multiprocessing
import statistics
import sys
import time

SMALL = b"x" * 64
LARGE = b"x" * (1 << 20)  # 1 MiB
DEADLINE = 60


def pipe_echo(conn):
    while True:
        message = conn.recv()
        if message is None:
            break
        conn.send(message)


def pipe_sink(conn, count):
    for _ in range(count):
        conn.recv()
    conn.send("done")


def queue_echo(inbox, outbox):
    while True:
        message = inbox.get(timeout=DEADLINE)
        if message is None:
            break
        outbox.put(message)


def queue_sink(inbox, outbox, count):
    for _ in range(count):
        inbox.get(timeout=DEADLINE)
    outbox.put("done")


class PipeLink:
    def __init__(self, ctx):
        self.ctx = ctx
        self.here, self.there = ctx.Pipe()

    def child(self, target, *args):
        return self.ctx.Process(target=target, args=(self.there, *args))

    def send(self, message):
        self.here.send(message)

    def recv(self):
        if not self.here.poll(DEADLINE):
            raise RuntimeError("no reply")
        return self.here.recv()

    def close(self):
        self.here.close()
        self.there.close()


class QueueLink:
    def __init__(self, ctx):
        self.ctx = ctx
        self.inbox, self.outbox = ctx.Queue(), ctx.Queue()

    def child(self, target, *args):
        return self.ctx.Process(target=target, args=(self.inbox, self.outbox, *args))

    def send(self, message):
        self.inbox.put(message)

    def recv(self):
        return self.outbox.get(timeout=DEADLINE)

    def close(self):
        for q in (self.inbox, self.outbox):
            q.close()
            q.join_thread()


LINKS = {"Pipe": (PipeLink, pipe_echo, pipe_sink), "Queue": (QueueLink, queue_echo, queue_sink)}


def round_trips(ctx, kind, message, count):
    link_class, echo, _ = LINKS[kind]
    link = link_class(ctx)
    child = link.child(echo)
    child.start()
    try:
        link.send(message)
        link.recv()  # warm up
        times = []
        for _ in range(count):
            began = time.perf_counter()
            link.send(message)
            link.recv()
            times.append(time.perf_counter() - began)
        link.send(None)
    finally:
        child.join(DEADLINE)
        link.close()
    return statistics.median(times)


def throughput(ctx, kind, message, count):
    link_class, _, sink = LINKS[kind]
    link = link_class(ctx)
    child = link.child(sink, count)
    child.start()
    try:
        began = time.perf_counter()
        for _ in range(count):
            link.send(message)
        link.recv()
        elapsed = time.perf_counter() - began
    finally:
        child.join(DEADLINE)
        link.close()
    return count / elapsed, count * len(message) / elapsed


def measure(method="fork", repeat=3):
    ctx = multiprocessing.get_context(method)
    rows = []
    for size_name, message, trips, stream in (("small", SMALL, 300, 5000), ("large", LARGE, 30, 100)):
        for kind in LINKS:
            latency = statistics.median(round_trips(ctx, kind, message, trips) for _ in range(repeat))
            rates = [throughput(ctx, kind, message, stream) for _ in range(repeat)]
            rows.append(
                {
                    "transport": kind,
                    "message": size_name,
                    "bytes": len(message),
                    "round_trip_us": latency * 1e6,
                    "messages_per_s": statistics.median(r[0] for r in rates),
                    "mb_per_s": statistics.median(r[1] for r in rates) / 1e6,
                }
            )
    return {"python": "%d.%d.%d" % sys.version_info[:3], "method": method, "rows": rows}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Queue vs Pipe latency and throughput")
    parser.add_argument("--method", default="fork")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.method, args.repeat)))


if __name__ == "__main__":
    main()

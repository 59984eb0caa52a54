"""进程池 — Process pools: workers started eagerly, bounded concurrency, FIFO hand-out,
reuse, apply versus apply_async, the default size, the article's sample and the
pool's common methods.

Article: 进程池, its Sample, the bullets after it, and the (missing) screenshot of
the common methods.
"""

import json
import os
import signal
import time

import psutil
import pytest

from fixtures import pools
from mpspec import support
from mpspec.deadlines import DEADLINE, SLACK


@pytest.mark.claim("pool.eager-workers")
def test_pool_n_has_n_live_workers_before_any_task(ctx):
    """Right after Pool(3) returns, before any task is submitted, this process has
    exactly three live children: the pool's workers."""
    with support.pool(ctx, 3) as pool:
        children = ctx.active_children()
        assert sorted(c.pid for c in children) == sorted(w.pid for w in pool._pool)
        assert len(children) == 3
        for child in children:
            assert psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE


@pytest.mark.claim("pool.bounded-concurrency")
def test_exactly_n_tasks_run_at_once_however_many_are_queued(ctx):
    """With 4n tasks queued on Pool(n), the number of tasks running at once reaches n
    (tasks hold at a Barrier of n) and never exceeds it; the pool still has the same
    n workers, which ran every task."""
    n = 3
    shared = {"running": ctx.Value("i", 0), "peak": ctx.Value("i", 0), "barrier": ctx.Barrier(n)}
    with support.pool(ctx, n, shared) as pool:
        workers = {w.pid for w in pool._pool}
        pids = pool.map_async(pools.count_running, range(4 * n), chunksize=1).get(DEADLINE)
        assert shared["peak"].value == n
        assert set(pids) <= workers
        assert {c.pid for c in ctx.active_children()} == workers


@pytest.mark.claim("pool.fifo-dispatch")
def test_one_worker_runs_tasks_in_submission_order(ctx):
    """A Pool(1) starts its tasks in exactly the order they were submitted."""
    with support.pool(ctx, 1, {"counter": ctx.Value("i", 0)}) as pool:
        pending = [pool.apply_async(pools.take_ticket, (i,)) for i in range(20)]
        started = [r.get(DEADLINE)[1] for r in pending]
    assert started == list(range(20))


@pytest.mark.claim("pool.fifo-dispatch")
def test_a_freed_worker_takes_the_oldest_waiting_task(ctx):
    """With n workers busy and more tasks waiting, each time one running task ends,
    the task that starts next is the oldest one still waiting: first in, first out."""
    n, count = 3, 12
    starts = ctx.Queue()
    shared = {"starts": starts, "gates": [ctx.Event() for _ in range(count)]}
    try:
        with support.pool(ctx, n, shared) as pool:
            pending = [pool.apply_async(pools.report_start_then_hold, (i,)) for i in range(count)]
            running = sorted(starts.get(timeout=DEADLINE) for _ in range(n))
            assert running == list(range(n))
            for expected_next in range(n, count):
                shared["gates"][running.pop()].set()  # end the newest running task
                started = starts.get(timeout=DEADLINE)
                assert started == expected_next
                running.append(started)
            for gate in shared["gates"]:
                gate.set()
            assert [r.get(DEADLINE) for r in pending] == list(range(count))
    finally:
        starts.close()
        starts.join_thread()


@pytest.mark.claim("pool.worker-reuse")
def test_the_same_n_processes_serve_every_task(ctx):
    """3n tasks on Pool(n) run in at most n distinct processes, all of them the
    workers started with the pool: a worker is reused, not released."""
    n = 2
    with support.pool(ctx, n) as pool:
        workers = {w.pid for w in pool._pool}
        pids = pool.map_async(pools.pid_of, range(3 * n), chunksize=1).get(DEADLINE)
    assert set(pids) <= workers and len(workers) == n


@pytest.mark.claim("pool.worker-reuse")
def test_maxtasksperchild_one_gives_every_task_a_new_process(ctx):
    """With maxtasksperchild=1 a worker exits after one task and is replaced: 3n tasks
    run in 3n different processes."""
    n = 2
    with support.pool(ctx, n, maxtasksperchild=1) as pool:
        pids = pool.map_async(pools.pid_of, range(3 * n), chunksize=1).get(DEADLINE)
    assert len(set(pids)) == 3 * n


@pytest.mark.claim("pool.apply-async-nonblocking")
def test_apply_async_returns_while_the_task_still_runs(ctx):
    """apply_async returns an AsyncResult at once, for more tasks than workers: none is
    ready while the tasks wait for an Event that only the parent sets afterwards; then
    get() returns each result."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        pending = [pool.apply_async(pools.wait_for_release, (i,)) for i in range(6)]
        assert not any(r.ready() for r in pending)
        release.set()
        assert [r.get(DEADLINE) for r in pending] == list(range(6))


@pytest.mark.claim("pool.apply-blocking")
def test_apply_returns_the_result_once_the_task_is_done(ctx, tmp_path):
    """apply blocks until the task has finished (its file is written, its 0.2 s sleep
    waited) and returns the task's return value."""
    path = str(tmp_path / "written")
    with support.pool(ctx, 1) as pool:
        start = time.monotonic()
        assert pool.apply(pools.write_after, (path, 0.2)) == path
        assert time.monotonic() - start >= 0.2 * SLACK
        assert os.path.exists(path)


def follows_affinity(facts):
    """Pool() sizes itself by os.process_cpu_count() from 3.13; billiard's Pool always
    asks os.cpu_count() (billiard.context's cpu_count)."""
    return facts.python >= (3, 13) and facts.library != "billiard"


def expected_default_size(facts):
    return os.process_cpu_count() if follows_affinity(facts) else os.cpu_count()


@pytest.mark.claim("pool.default-size")
def test_pool_without_a_size_has_one_worker_per_cpu(ctx, facts):
    """Pool() starts os.cpu_count() workers up to 3.12 and os.process_cpu_count() from
    3.13."""
    with support.pool(ctx) as pool:
        assert len(pool._pool) == len(ctx.active_children()) == expected_default_size(facts)


@pytest.mark.claim("pool.default-size")
def test_python_cpu_count_sets_the_default_size_from_3_13(start_method, facts):
    """In a child interpreter with PYTHON_CPU_COUNT=1, Pool() has one worker from 3.13
    (os.cpu_count() says 1 too); before 3.13 the variable is ignored."""
    done = support.run_script("pool_default_size.py", start_method, env={"PYTHON_CPU_COUNT": "1"})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    if facts.python >= (3, 13):
        assert seen == {"workers": 1, "children": 1, "cpu_count": 1, "process_cpu_count": 1}
    else:
        assert seen["workers"] == seen["children"] == seen["cpu_count"] == os.cpu_count()


@pytest.mark.claim("pool.default-size")
@pytest.mark.claim("pool-api.default-size-affinity-313")
def test_cpu_affinity_sets_the_default_size_from_3_13(start_method, facts):
    """A child interpreter pinned to one CPU gets a one-worker Pool() from 3.13; before,
    and with billiard, Pool() still starts os.cpu_count() workers."""
    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    elif hasattr(psutil.Process, "cpu_affinity"):  # e.g. PyPy 3.9 lacks os.sched_getaffinity
        usable = len(psutil.Process().cpu_affinity())
    else:
        pytest.skip(f"not applicable: neither os nor psutil can set the CPU affinity on {facts.platform}")
    if usable < 2:
        pytest.skip("needs at least two usable CPUs")
    done = support.run_script("pool_default_size.py", start_method, "one-cpu")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["cpu_count"] == os.cpu_count()
    if follows_affinity(facts):
        assert seen["workers"] == seen["children"] == seen["process_cpu_count"] == 1
    else:
        assert seen["workers"] == seen["children"] == os.cpu_count()
        if facts.python >= (3, 13):  # billiard: the affinity is there, Pool ignores it
            assert seen["process_cpu_count"] == 1


@pytest.mark.claim("pool.sample-output")
def test_the_sample_prints_in_the_guaranteed_orders(start_method):
    """Run as a script, the sample prints the main program's line before any task's
    end line, starts at most 3 tasks before the first one ends, runs all 5, and prints
    its final line last."""
    done = support.run_script("pool_sample.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "all tasks done"
    ends = [i for i, line in enumerate(lines) if line.startswith("end ")]
    starts = [i for i, line in enumerate(lines) if line.startswith("start ")]
    assert lines.index("main program goes on") < ends[0]
    assert sum(1 for i in starts if i < ends[0]) <= 3
    assert sorted(lines[i] for i in starts) == [f"start {i}" for i in range(5)]
    assert sorted(lines[i] for i in ends) == [f"end {i}" for i in range(5)]


@pytest.mark.claim("pool.methods")
def test_every_common_method_gives_the_right_results(ctx, start_method):
    """apply, apply_async, map, map_async, imap, imap_unordered, starmap and
    starmap_async all return the right results; close() then join() ends the workers
    cleanly (exitcode 0; billiard's fork server reports 255)."""
    squares, pairs = [x * x for x in range(6)], [(1, 2), (3, 4), (5, 6)]
    with support.pool(ctx, 2) as pool:
        assert pool.apply(pools.add, (2, 3)) == 5
        assert pool.apply_async(pools.add, (2, 3)).get(DEADLINE) == 5
        assert pool.map(pools.square, range(6)) == squares
        assert pool.map_async(pools.square, range(6)).get(DEADLINE) == squares
        ordered = pool.imap(pools.square, range(6))
        assert [ordered.next(DEADLINE) for _ in range(6)] == squares
        unordered = pool.imap_unordered(pools.square, range(6))
        assert sorted(unordered.next(DEADLINE) for _ in range(6)) == squares
        assert pool.starmap(pools.add, pairs) == [3, 7, 11]
        assert pool.starmap_async(pools.add, pairs).get(DEADLINE) == [3, 7, 11]
        workers = list(pool._pool)
        pool.close()
        pool.join()
        assert [w.exitcode for w in workers] == [support.unreported_exitcode(start_method, 0)] * 2


@pytest.mark.claim("pool.methods")
def test_terminate_kills_a_worker_mid_task(ctx, start_method, tmp_path):
    """terminate() kills a worker in the middle of its task (exit code -SIGTERM; 255
    with billiard's fork server) without waiting for it: the task never finishes;
    join() then returns."""
    path = tmp_path / "finished"
    shared = {"started": ctx.Event(), "release": ctx.Event()}
    with support.pool(ctx, 1, shared) as pool:
        pending = pool.apply_async(pools.start_then_wait_then_write, (str(path),))
        assert shared["started"].wait(DEADLINE)
        workers = list(pool._pool)
        pool.terminate()
        pool.join()
        assert [w.exitcode for w in workers] == [support.unreported_exitcode(start_method, -signal.SIGTERM)]
        assert not pending.ready() and not path.exists()

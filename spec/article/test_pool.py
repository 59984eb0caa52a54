"""进程池 — Process pools: workers started eagerly, bounded concurrency, FIFO hand-out,
reuse, apply versus apply_async, the default size, the article's sample and the
pool's common methods; then how a pool ends: idle workers, close() and join(),
exiting without join(), and `with Pool()`.

Article: 进程池, its Sample (and the comments in it), the bullets after it, and the
(missing) screenshot of the common methods.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of one part of a claim that only partly holds pin that part
and observe nothing.
"""

import json
import os
import signal
import time

import psutil
import pytest

from fixtures import pools, survivors
from mpspec import isolation, support
from mpspec.deadlines import DEADLINE, SLACK


@pytest.mark.claim("pool.eager-workers")
def test_pool_n_has_n_live_workers_before_any_task(ctx, observed):
    """Right after Pool(3) returns, before any task is submitted, this process has
    exactly three live children: the pool's workers."""
    with support.pool(ctx, 3) as pool:
        children = ctx.active_children()
        assert sorted(c.pid for c in children) == sorted(w.pid for w in pool._pool)
        live = [c for c in children if psutil.Process(c.pid).status() != psutil.STATUS_ZOMBIE]
    observed(
        "holds" if len(live) == 3 else "does-not-hold",
        because=f"right after Pool(3) returned, before any task, {len(live)} live workers ({len(children)} children)",
    )


@pytest.mark.claim("pool.bounded-concurrency")
def test_exactly_n_tasks_run_at_once_however_many_are_queued(ctx, observed):
    """With 4n tasks queued on Pool(n), the number of tasks running at once reaches n
    (tasks hold at a Barrier of n) and never exceeds it; the pool still has the same
    n workers, which ran every task."""
    n = 3
    shared = {"running": ctx.Value("i", 0), "peak": ctx.Value("i", 0), "barrier": ctx.Barrier(n)}
    with support.pool(ctx, n, shared) as pool:
        workers = {w.pid for w in pool._pool}
        pids = pool.map_async(pools.count_running, range(4 * n), chunksize=1).get(DEADLINE)
        peak, after = shared["peak"].value, {c.pid for c in ctx.active_children()}
    bounded = peak == n and set(pids) <= workers and after == workers
    observed(
        "holds" if bounded else "does-not-hold",
        because=f"{4 * n} tasks on Pool({n}): at most {peak} ran at once, in {len(set(pids))} processes "
        f"({len(set(pids) - workers)} not among the workers); the pool kept {len(after & workers)} of its {n} workers",
    )


@pytest.mark.claim("pool.fifo-dispatch")
def test_one_worker_runs_tasks_in_submission_order(ctx):
    """A Pool(1) starts its tasks in exactly the order they were submitted."""
    with support.pool(ctx, 1, {"counter": ctx.Value("i", 0)}) as pool:
        pending = [pool.apply_async(pools.take_ticket, (i,)) for i in range(20)]
        started = [r.get(DEADLINE)[1] for r in pending]
    assert started == list(range(20))


@pytest.mark.claim("pool.fifo-dispatch")
def test_a_freed_worker_takes_the_oldest_waiting_task(ctx, observed):
    """With n workers busy and more tasks waiting, each time one running task ends,
    the task that starts next is the oldest one still waiting: first in, first out."""
    n, count = 3, 12
    starts = ctx.Queue()
    shared = {"starts": starts, "gates": [ctx.Event() for _ in range(count)]}
    try:
        with support.pool(ctx, n, shared) as pool:
            pending = [pool.apply_async(pools.report_start_then_hold, (i,)) for i in range(count)]
            running = sorted(starts.get(timeout=DEADLINE) for _ in range(n))
            first = list(running)
            out_of_turn = []
            for expected_next in range(n, count):
                shared["gates"][running.pop()].set()  # end the newest running task
                started = starts.get(timeout=DEADLINE)
                if started != expected_next:
                    out_of_turn.append((expected_next, started))
                running.append(started)
            for gate in shared["gates"]:
                gate.set()
            assert [r.get(DEADLINE) for r in pending] == list(range(count))
    finally:
        starts.close()
        starts.join_thread()
    observed(
        "holds" if first == list(range(n)) and not out_of_turn else "does-not-hold",
        because=f"the first {n} tasks to start were {first}; each time a task ended, the next to start "
        f"was the oldest waiting one, except (expected, started): {out_of_turn or 'none'}",
    )


@pytest.mark.claim("pool.worker-reuse")
def test_the_same_n_processes_serve_every_task(ctx, observed):
    """3n tasks on Pool(n) run in at most n distinct processes, all of them the
    workers started with the pool: a worker is reused, not released."""
    n = 2
    with support.pool(ctx, n) as pool:
        workers = {w.pid for w in pool._pool}
        pids = pool.map_async(pools.pid_of, range(3 * n), chunksize=1).get(DEADLINE)
    assert len(workers) == n
    takes_next = len(set(pids)) < len(pids)  # a worker that finished a task took another
    released = not set(pids) <= workers  # tasks ran in processes that replaced the workers
    observed(
        support.graded(whole=takes_next and released, part=takes_next),
        because=f"{3 * n} tasks on Pool({n}) ran in {len(set(pids))} processes, "
        f"{len(set(pids) - workers)} of them not among the {n} workers started with the pool",
    )


@pytest.mark.claim("pool.worker-reuse")
def test_maxtasksperchild_one_gives_every_task_a_new_process(ctx):
    """With maxtasksperchild=1 a worker exits after one task and is replaced: 3n tasks
    run in 3n different processes."""
    n = 2
    with support.pool(ctx, n, maxtasksperchild=1) as pool:
        pids = pool.map_async(pools.pid_of, range(3 * n), chunksize=1).get(DEADLINE)
    assert len(set(pids)) == 3 * n


@pytest.mark.claim("pool.apply-async-nonblocking")
def test_apply_async_returns_while_the_task_still_runs(ctx, observed):
    """apply_async returns an AsyncResult at once, for more tasks than workers: none is
    ready while the tasks wait for an Event that only the parent sets afterwards; then
    get() returns each result."""
    release = ctx.Event()
    with support.pool(ctx, 2, {"release": release}) as pool:
        pending = [pool.apply_async(pools.wait_for_release, (i,)) for i in range(6)]
        ready = sum(r.ready() for r in pending)
        release.set()
        results = [r.get(DEADLINE) for r in pending]
    observed(
        "holds" if ready == 0 and results == list(range(6)) else "does-not-hold",
        because=f"6 apply_async calls returned while their tasks waited for the parent ({ready} ready); "
        f"get() then gave {results}",
    )


@pytest.mark.claim("pool.apply-blocking")
def test_apply_returns_the_result_once_the_task_is_done(ctx, tmp_path, observed):
    """apply blocks until the task has finished (its file is written, its 0.2 s sleep
    waited) and returns the task's return value."""
    path = str(tmp_path / "written")
    with support.pool(ctx, 1) as pool:
        start = time.monotonic()
        got = pool.apply(pools.write_after, (path, 0.2))
        took, written = time.monotonic() - start, os.path.exists(path)
    observed(
        "holds" if got == path and took >= 0.2 * SLACK and written else "does-not-hold",
        because=f"apply() returned {got!r} after {took:.2f} s (the task sleeps 0.2 s); its file existed then: {written}",
    )


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
def test_cpu_affinity_sets_the_default_size_from_3_13(start_method, facts, observed):
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
    # The machine has at least two CPUs; the child may use one.  "As many as the
    # machine has cores" is right only if both counts agree with the pool's size.
    cores, workers = psutil.cpu_count(logical=False), seen["workers"]
    if workers not in (seen["cpu_count"], seen["process_cpu_count"]):
        verdict_seen = "does-not-hold"
    else:
        verdict_seen = "holds" if workers == cores == 1 else "partly"
    observed(
        verdict_seen,
        because=f"Pool() in a child pinned to 1 CPU, on a machine with {cores} cores and {seen['cpu_count']} "
        f"logical CPUs, started {workers} workers (os.process_cpu_count(): {seen['process_cpu_count']})",
        claim="pool.default-size",
    )
    if facts.python >= (3, 13):  # the 3.13 change: the size follows os.process_cpu_count()
        follows = workers == seen["process_cpu_count"] == 1
        observed(
            "holds" if follows else "does-not-hold",
            because=f"Pool() in a child pinned to 1 CPU started {workers} workers; os.process_cpu_count() "
            f"said {seen['process_cpu_count']}, os.cpu_count() {seen['cpu_count']}",
            claim="pool-api.default-size-affinity-313",
        )


@pytest.mark.claim("pool.sample-output")
def test_the_sample_prints_in_the_guaranteed_orders(start_method, observed):
    """Run as a script, the sample prints the main program's line before any task's
    end line, starts at most 3 tasks before the first one ends, runs all 5, and prints
    its final line last."""
    done = support.run_script("pool_sample.py", start_method)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    ends = [i for i, line in enumerate(lines) if line.startswith("end ")]
    starts = [i for i, line in enumerate(lines) if line.startswith("start ")]
    assert sorted(lines[i] for i in starts) == [f"start {i}" for i in range(5)]
    assert sorted(lines[i] for i in ends) == [f"end {i}" for i in range(5)]
    main_first = lines.index("main program goes on") < ends[0]
    at_once = sum(1 for i in starts if i < ends[0])
    last = lines[-1]
    observed(
        "holds" if main_first and at_once <= 3 and last == "all tasks done" else "does-not-hold",
        because=f"the main program's line came before the first task ended: {main_first}; {at_once} tasks "
        f"started before the first ended; the last line was {last!r}",
    )


@pytest.mark.claim("pool.methods")
def test_every_common_method_gives_the_right_results(ctx, start_method, observed):
    """apply, apply_async, map, map_async, imap, imap_unordered, starmap and
    starmap_async all return the right results; close() then join() ends the workers
    cleanly (exitcode 0; billiard's fork server reports 255)."""
    squares, pairs = [x * x for x in range(6)], [(1, 2), (3, 4), (5, 6)]
    with support.pool(ctx, 2) as pool:
        got = {}  # each method's result and the right one
        got["apply"] = pool.apply(pools.add, (2, 3)), 5
        got["apply_async"] = pool.apply_async(pools.add, (2, 3)).get(DEADLINE), 5
        got["map"] = pool.map(pools.square, range(6)), squares
        got["map_async"] = pool.map_async(pools.square, range(6)).get(DEADLINE), squares
        ordered = pool.imap(pools.square, range(6))
        got["imap"] = [ordered.next(DEADLINE) for _ in range(6)], squares
        unordered = pool.imap_unordered(pools.square, range(6))
        got["imap_unordered"] = sorted(unordered.next(DEADLINE) for _ in range(6)), squares
        got["starmap"] = pool.starmap(pools.add, pairs), [3, 7, 11]
        got["starmap_async"] = pool.starmap_async(pools.add, pairs).get(DEADLINE), [3, 7, 11]
        workers = list(pool._pool)
        pool.close()
        support.call_within(pool.join)
        exitcodes = [w.exitcode for w in workers]
    wrong = [name for name, (result, right) in got.items() if result != right]
    clean = exitcodes == [support.unreported_exitcode(start_method, 0)] * 2
    observed(
        "holds" if not wrong and clean else "does-not-hold",
        because=f"wrong results from: {', '.join(wrong) or 'none'} of {len(got)} methods; "
        f"after close() and join() the workers' exit codes were {exitcodes}",
    )


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
        support.call_within(pool.join)
        assert [w.exitcode for w in workers] == [support.unreported_exitcode(start_method, -signal.SIGTERM)]
        assert not pending.ready() and not path.exists()


# --- how a pool ends ----------------------------------------------------------


def statuses(procs):
    return [p.status() for p in procs]


@pytest.mark.claim("pool.idle-workers")
def test_workers_sleep_alive_after_the_last_task_and_vanish_at_join(ctx):
    """When every task is done the workers are alive and sleeping (waiting for work),
    not zombies; after close() and join() none of them exists any more."""
    with support.pool(ctx, 2) as pool:
        workers = [psutil.Process(w.pid) for w in pool._pool]
        assert pool.map(pools.square, range(10)) == [x * x for x in range(10)]
        assert support.wait_until(lambda: statuses(workers) == [psutil.STATUS_SLEEPING] * 2), statuses(workers)
        assert all(w.is_alive() for w in pool._pool)
        pool.close()
        support.call_within(pool.join)
        assert support.wait_until(lambda: not any(psutil.pid_exists(w.pid) for w in workers))  # reaped too


def state(worker):
    """psutil's status of a worker process, or "gone".  Only psutil looks: the
    library's Process.is_alive() (and exitcode) would waitpid() and so reap a zombie."""
    try:
        return worker.status() if worker.is_running() else "gone"
    except psutil.NoSuchProcess:
        return "gone"


def settled(worker):
    """A worker's state once it has settled after close(): "gone", or a zombie of this
    process (only join() reaps it); None while it is still alive or a zombie that the
    fork server, its parent, has yet to reap."""
    status = state(worker)
    if status == psutil.STATUS_ZOMBIE:
        try:
            ours = worker.ppid() == os.getpid()
        except psutil.NoSuchProcess:
            return None
        return status if ours else None
    return status if status == "gone" else None


@pytest.mark.claim("pool.idle-workers")
def test_after_close_the_workers_are_zombies_until_join_unless_the_fork_server_reaps_them(
    ctx, start_method, observed
):
    """After close() and before join() the idle workers exit: under fork and spawn they
    are our children and stay zombies until join() reaps them; under forkserver they
    are the fork server's children, which it reaps, so they vanish without join()."""
    with support.pool(ctx, 2) as pool:
        workers = [psutil.Process(w.pid) for w in pool._pool]
        assert pool.map(pools.square, range(10)) == [x * x for x in range(10)]
        parents = {w.ppid() for w in workers}
        if start_method == "forkserver":
            assert os.getpid() not in parents
        else:
            assert parents == {os.getpid()}
        idle = [state(w) for w in workers]  # every task done, the pool still running
        pool.close()
        assert support.wait_until(lambda: None not in [settled(w) for w in workers]), [state(w) for w in workers]
        closed = [settled(w) for w in workers]
        support.call_within(pool.join)
        assert [state(w) for w in workers] == ["gone"] * 2
        assert [w.exitcode for w in pool._pool] == [support.unreported_exitcode(start_method, 0)] * 2
    if psutil.STATUS_ZOMBIE in idle:
        seen = "holds"
    else:
        seen = "partly" if psutil.STATUS_ZOMBIE in closed else "does-not-hold"
    observed(
        seen,
        because=f"after the last task the workers were {idle}; after close(), before join(), {closed}",
    )


@pytest.mark.claim("pool.join-requires-close")
def test_join_on_a_running_pool_raises_value_error(ctx, facts, observed):
    """join() before close() (or terminate()) raises ValueError('Pool is still
    running') (billiard: a bare AssertionError); after close() it works."""
    with support.pool(ctx, 1) as pool:
        try:
            support.call_within(pool.join)
        except (ValueError, AssertionError) as error:
            refused = error
        else:
            refused = None
        if refused is not None:
            if facts.library == "billiard":
                assert type(refused) is AssertionError and str(refused) == ""
            else:
                assert type(refused) is ValueError and str(refused) == "Pool is still running"
        pool.close()
        support.call_within(pool.join)
    observed(
        "holds" if refused is not None else "does-not-hold",
        because="join() on a running pool "
        + (f"raised {type(refused).__name__}({str(refused)!r})" if refused is not None else "returned"),
    )


@pytest.mark.claim("pool.join-requires-close")
@pytest.mark.parametrize("optimize", [False, True], ids=["plain", "-O"])
def test_join_on_a_running_pool_in_a_script(start_method, optimize, facts):
    """Run as a script, join() on a running pool raises ValueError, with or without
    python -O; billiard's join() asserts instead, and under -O, without its assert,
    join() on a running pool blocks."""
    done = support.run_script("pool_join_running.py", start_method, optimize=optimize)
    isolation.remove_pymp_dirs_of_the_killed("the script's pool workers, terminated at its end")
    assert done.returncode == 0, done.stderr
    if facts.library != "billiard":
        assert done.stdout == "raised ValueError: Pool is still running\n"
    elif optimize:
        assert done.stdout == "blocked\n"
    else:
        assert done.stdout == "raised AssertionError: \n"


@pytest.mark.claim("pool.closed-rejects-tasks")
def test_a_closed_pool_refuses_new_tasks_but_finishes_old_ones(ctx, tmp_path, observed):
    """After close() every submitting method raises ValueError('Pool not running'),
    while a task submitted before close() still completes.  billiard raises nothing:
    each method returns None and its task never runs."""
    release = ctx.Event()
    with support.pool(ctx, 1, {"release": release}) as pool:
        earlier = pool.apply_async(pools.wait_for_release, ("earlier",))
        pool.close()
        late = str(tmp_path / "late")  # written by the tasks submitted after close()
        submits = [
            lambda: pool.apply(pools.touch, (late,)),
            lambda: pool.apply_async(pools.touch, (late,)),
            lambda: pool.map(pools.touch, [late]),
            lambda: pool.map_async(pools.touch, [late]),
            lambda: pool.imap(pools.touch, [late]),
            lambda: pool.imap_unordered(pools.touch, [late]),
            lambda: pool.starmap(pools.write_after, [(late, 0)]),
            lambda: pool.starmap_async(pools.write_after, [(late, 0)]),
        ]
        refused, accepted = 0, []
        for submit in submits:
            try:
                returned = submit()
            except ValueError as error:
                assert str(error) == "Pool not running"
                refused += 1
            else:
                assert returned is None  # billiard's answer
                accepted.append(returned)
        release.set()
        assert earlier.get(DEADLINE) == "earlier"
        support.call_within(pool.join)
        late_ran = os.path.exists(late)
    observed(
        support.graded(whole=refused == len(submits), part=refused > 0),
        because=f"after close() {refused} of {len(submits)} submitting methods raised ValueError('Pool not running'), "
        f"{len(accepted)} returned None; a late task ran: {late_ran}; the earlier task still completed",
    )


@pytest.mark.claim("pool.join-waits")
def test_close_then_join_returns_after_every_task_and_worker(ctx, start_method, tmp_path, observed):
    """close() then join() returns only when every submitted task has done its work
    (each wrote its file after a short sleep) and every worker has exited with code 0
    (billiard's fork server reports 255)."""
    paths = [str(tmp_path / f"task-{i}") for i in range(6)]
    with support.pool(ctx, 2) as pool:
        for path in paths:
            pool.apply_async(pools.write_after, (path, 0.05))
        workers = list(pool._pool)
        pool.close()
        support.call_within(pool.join)
        missing = [p for p in paths if not os.path.exists(p)]
        exitcodes = [w.exitcode for w in workers]
    observed(
        "holds" if not missing and exitcodes == [support.unreported_exitcode(start_method, 0)] * 2 else "does-not-hold",
        because=f"when join() returned, {len(paths) - len(missing)} of {len(paths)} tasks had written their file "
        f"and the workers' exit codes were {exitcodes}",
    )


@pytest.mark.claim("pool.exit-without-join")
@pytest.mark.parametrize("kind", ["pool", "daemon"])
def test_unjoined_pool_workers_and_daemons_die_with_the_main_program(start_method, tmp_path, kind, facts):
    """A script whose pool task (or daemonic Process) is still running when the main
    program ends, without join(): the worker is gone once the script has exited and
    the task's final write never happens.  A daemonic billiard Process is not stopped:
    it outlives the main program and does its final write."""
    done = support.run_script("pool_exit_without_join.py", start_method, kind, tmp_path)
    assert done.returncode == 0, done.stderr
    pids = [int(pid) for pid in done.stdout.split()[1:]]
    assert (tmp_path / "started").exists()
    survives = kind == "daemon" and facts.library == "billiard"
    if survives:  # it writes "done" only once the main program is gone
        assert survivors.wait_for_file(str(tmp_path / "done"))
    assert support.wait_until(lambda: all(survivors.gone(pid) for pid in pids))
    assert (tmp_path / "done").exists() == survives


@pytest.mark.claim("pool.exit-without-join")
def test_the_main_program_waits_for_an_unjoined_non_daemonic_process(start_method, tmp_path, observed):
    """A non-daemonic Process that was never joined finishes its work: the exiting
    main program waits for it, so its file exists as soon as the script has exited."""
    done = support.run_script("pool_exit_without_join.py", start_method, "process", tmp_path)
    assert done.returncode == 0, done.stderr
    finished = (tmp_path / "done").exists()
    # Pool workers and daemons die with the main program (the tests above): if this
    # child is not killed either, the claim holds only for them.
    observed(
        "partly" if finished else "holds",
        because=f"an unjoined non-daemonic Process {'finished' if finished else 'did not finish'} its work "
        "by the time the main program had exited",
    )


@pytest.mark.claim("pool.exit-without-join")
def test_a_daemon_outlives_a_main_program_that_leaves_by_os_exit(start_method, tmp_path):
    """When the main program leaves through os._exit no exit handler runs: even a
    daemonic child survives it and finishes its work after the parent is gone."""
    done = support.run_script("pool_exit_without_join.py", start_method, "os_exit", tmp_path)
    pids = [int(pid) for pid in done.stdout.split()[1:]]
    try:
        assert done.returncode == 0, done.stderr
        assert survivors.wait_for_file(str(tmp_path / "done"))
    finally:
        for pid in pids:
            if not support.wait_until(lambda: survivors.gone(pid)):
                psutil.Process(pid).kill()
        isolation.remove_pymp_dirs_of_the_killed("the main program, which left through os._exit")


@pytest.mark.claim("pool.context-manager")
def test_leaving_a_with_block_terminates_an_unfinished_task(ctx, start_method, tmp_path, observed):
    """Leaving `with ctx.Pool() as pool:` calls terminate(): a task still running is
    killed (SIGTERM; billiard's fork server reports exitcode 255) and its final write
    never happens; the worker is gone."""
    path = tmp_path / "finished"
    shared = {"started": ctx.Event(), "release": ctx.Event()}
    pool = ctx.Pool(1, initializer=pools.install, initargs=(shared,))
    try:
        with pool:
            workers = list(pool._pool)
            pool.apply_async(pools.start_then_wait_then_write, (str(path),))
            assert shared["started"].wait(DEADLINE)
        pool.join()  # allowed: the pool is no longer running
        exitcodes, finished = [w.exitcode for w in workers], path.exists()
    finally:
        pool.terminate()
        support.call_within(pool.join)
    killed = exitcodes == [support.unreported_exitcode(start_method, -signal.SIGTERM)]
    observed(
        "holds" if killed and not finished else "does-not-hold",
        because=f"after the with block the worker's exit code was {exitcodes} and the running task's "
        f"final write {'happened' if finished else 'never happened'}",
    )

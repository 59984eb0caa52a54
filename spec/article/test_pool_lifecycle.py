"""进程池 — How a pool ends: idle workers, close() and join(), exiting without join(),
and `with Pool()`.

Article: 进程池, the comments of its Sample and the fourth and fifth bullets after it.
"""

import os
import signal

import psutil
import pytest

from fixtures import pools, survivors
from mpspec import isolation, support
from mpspec.deadlines import DEADLINE


def statuses(procs):
    return [p.status() for p in procs]


def vanished(pid):
    return not psutil.pid_exists(pid)


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
        pool.join()
        assert support.wait_until(lambda: all(vanished(w.pid) for w in workers))


def state(worker):
    """psutil's status of a worker process, or "gone".  Only psutil looks: the
    library's Process.is_alive() (and exitcode) would waitpid() and so reap a zombie."""
    try:
        return worker.status() if worker.is_running() else "gone"
    except psutil.NoSuchProcess:
        return "gone"


@pytest.mark.claim("pool.idle-workers")
def test_after_close_the_workers_are_zombies_until_join_unless_the_fork_server_reaps_them(
    ctx, start_method, verdict
):
    """After close() and before join() the idle workers exit: under fork and spawn they
    are our children and stay zombies until join() reaps them; under forkserver they
    are the fork server's children, which it reaps, so they vanish without join()."""
    with support.pool(ctx, 2) as pool:
        workers = [psutil.Process(w.pid) for w in pool._pool]
        assert pool.map(pools.square, range(10)) == [x * x for x in range(10)]
        parents = {w.ppid() for w in workers}
        pool.close()
        if verdict == "partly":  # fork, spawn
            assert parents == {os.getpid()}
            zombies = [psutil.STATUS_ZOMBIE] * 2
            assert support.wait_until(lambda: [state(w) for w in workers] == zombies), [state(w) for w in workers]
        else:  # forkserver
            assert os.getpid() not in parents
            assert support.wait_until(lambda: [state(w) for w in workers] == ["gone"] * 2), [
                state(w) for w in workers
            ]
        pool.join()
        assert [state(w) for w in workers] == ["gone"] * 2
        assert [w.exitcode for w in pool._pool] == [support.unreported_exitcode(start_method, 0)] * 2


@pytest.mark.claim("pool.join-requires-close")
def test_join_on_a_running_pool_raises_value_error(ctx, facts):
    """join() before close() (or terminate()) raises ValueError('Pool is still
    running') (billiard: a bare AssertionError); after close() it works."""
    with support.pool(ctx, 1) as pool:
        if facts.library == "billiard":
            with pytest.raises(AssertionError, match="^$"):
                pool.join()
        else:
            with pytest.raises(ValueError, match="^Pool is still running$"):
                pool.join()
        pool.close()
        pool.join()


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
def test_a_closed_pool_refuses_new_tasks_but_finishes_old_ones(ctx, verdict, tmp_path):
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
        for submit in submits:
            if verdict == "holds":
                with pytest.raises(ValueError, match="^Pool not running$"):
                    submit()
            else:
                assert submit() is None
        release.set()
        assert earlier.get(DEADLINE) == "earlier"
        pool.join()
        assert not os.path.exists(late)


@pytest.mark.claim("pool.join-waits")
def test_close_then_join_returns_after_every_task_and_worker(ctx, start_method, tmp_path):
    """close() then join() returns only when every submitted task has done its work
    (each wrote its file after a short sleep) and every worker has exited with code 0
    (billiard's fork server reports 255)."""
    paths = [str(tmp_path / f"task-{i}") for i in range(6)]
    with support.pool(ctx, 2) as pool:
        for path in paths:
            pool.apply_async(pools.write_after, (path, 0.05))
        workers = list(pool._pool)
        pool.close()
        pool.join()
        assert [p for p in paths if not os.path.exists(p)] == []
        assert [w.exitcode for w in workers] == [support.unreported_exitcode(start_method, 0)] * 2


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
def test_the_main_program_waits_for_an_unjoined_non_daemonic_process(start_method, tmp_path):
    """A non-daemonic Process that was never joined finishes its work: the exiting
    main program waits for it, so its file exists as soon as the script has exited."""
    done = support.run_script("pool_exit_without_join.py", start_method, "process", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "done").exists()


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
def test_leaving_a_with_block_terminates_an_unfinished_task(ctx, start_method, tmp_path):
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
        assert [w.exitcode for w in workers] == [support.unreported_exitcode(start_method, -signal.SIGTERM)]
        assert not path.exists()
    finally:
        pool.terminate()
        pool.join()

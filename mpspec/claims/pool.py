"""Section 进程池 (process pools)."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    Claim(
        id="pool.eager-workers",
        cite="进程池, Sample › second bullet",
        statement="Pool(n) has started its n worker processes as soon as it is constructed, "
        "before any task is submitted.",
        explanation="The constructor starts n live worker processes at once; they are the "
        "pool's only children and wait idle for tasks.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.apply-async-nonblocking",
        cite="进程池, Sample › its comments and first bullet",
        statement="apply_async hands a task to the pool and returns at once: the main "
        "program goes on while the task runs.",
        explanation="apply_async returns an AsyncResult immediately, however many tasks are "
        "queued; ready() is False while the task runs and get() later gives its result.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.apply-blocking",
        cite="进程池, Sample › the commented-out apply line",
        statement="apply waits until the task has finished, then the main program goes on.",
        explanation="apply(f, args) is apply_async(f, args).get(): it returns f's result once "
        "the task is done in a worker.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.bounded-concurrency",
        cite="进程池, Sample › second bullet",
        statement="However many tasks are submitted, at most n run at once, and the pool "
        "keeps n processes.",
        explanation="With many more than n tasks queued exactly n run at once, never more, "
        "and the pool still has the same n workers afterwards.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.fifo-dispatch",
        cite="进程池, Sample › third bullet",
        statement="Tasks waiting for a free worker are handed out first in, first out.",
        explanation="Tasks go through one queue in submission order: one worker runs them in "
        "exactly that order, and whenever one of n busy workers frees up it takes the oldest "
        "waiting task. Start order among tasks taken at nearly the same time is not "
        "guaranteed (a worker may be descheduled between taking a task and starting it).",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.worker-reuse",
        cite="进程池, Sample › third bullet",
        statement="A worker that finishes a task is 'released' and takes the next task.",
        explanation="The worker process is not released: the same n processes serve every "
        "task (3n tasks run in at most n pids). Only maxtasksperchild makes a worker exit "
        "and be replaced (maxtasksperchild=1: one new process per task).",
        verdicts=(partly(),),
    ),
    Claim(
        id="pool.idle-workers",
        cite="进程池, Sample › fourth bullet",
        statement="When every task is done the n workers become zombie processes until "
        "join() reclaims them.",
        explanation="Idle workers of a running pool are no zombies: after the last task "
        "they are alive and sleeping, waiting for more work. Zombies come only after "
        "close(): the workers then exit and, being our children under fork and spawn, "
        "stay zombies until join() reaps them; under forkserver the fork server reaps them "
        "and they vanish. After join() (or terminate()) none remains.",
        verdicts=(
            fails(
                "No zombie at any time: idle workers sleep, and after close() the workers, "
                "children of the fork server rather than of the pool's process, exit and "
                "are reaped by the fork server at once; join() has no zombie to reclaim. "
                "forkserver is Linux's default from 3.14, so a Pool() that names no start "
                "method never leaves the article's zombies.",
                methods=("forkserver",),
                python=">=3.14",
                libraries=("multiprocessing",),
            ),
            fails(
                "No zombie at any time: idle workers sleep, and after close() the workers, "
                "children of the fork server rather than of the pool's process, exit and "
                "are reaped by the fork server at once; join() has no zombie to reclaim.",
                methods=("forkserver",),
            ),
            partly(
                "Not while the pool runs: idle workers are alive and sleeping. But after "
                "close() the workers exit and stay zombies (our children, not yet waited "
                "for) until join() reaps them: the article's zombies exist in that window."
            ),
        ),
    ),
    Claim(
        id="pool.join-requires-close",
        cite="进程池, Sample › the comment before close()",
        statement="Calling join() before close() is an error.",
        explanation="join() on a running pool raises ValueError('Pool is still running') "
        "(3.7 and later; an assert before 3.7).",
        verdicts=(
            fails(
                "billiard's join() only asserts the pool's state: under -O the assert is "
                "gone and join() on a running pool blocks forever.",
                optimize=True,
                libraries=("billiard",),
            ),
            holds(
                "billiard's join() asserts the pool's state: a bare AssertionError (no "
                "message), not ValueError.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool.closed-rejects-tasks",
        cite="进程池, Sample › the comment after close()",
        statement="After close() the pool accepts no new task.",
        explanation="apply_async, map and the other submitting methods raise "
        "ValueError('Pool not running') after close(); tasks already submitted still run.",
        verdicts=(
            fails(
                "billiard raises nothing: after close() apply, apply_async, map, map_async, "
                "imap, imap_unordered, starmap and starmap_async silently return None and "
                "the task never runs; tasks submitted before close() still complete.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool.join-waits",
        cite="进程池, Sample › the comment after close()",
        statement="close() then join() waits for every submitted task to finish and the "
        "workers to exit.",
        explanation="When join() returns every task's side effect has happened and every "
        "worker has exited with code 0.",
        verdicts=(
            holds(
                "When join() returns every task's side effect has happened and every worker "
                "has exited, but billiard's fork server reports the workers' exitcode as 255 "
                "(they leave through os._exit, so the fork server never learns the code).",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool.exit-without-join",
        cite="进程池, Sample › fifth bullet",
        statement="Without join(), when the main program exits its children are killed, "
        "finished or not.",
        explanation="True for pool workers and daemonic Processes: at exit they are "
        "terminated and unfinished work never completes. False for a non-daemonic Process: "
        "the exiting main program waits for it, so its work completes. A main program "
        "leaving through os._exit (or killed) runs no exit handlers: even a daemonic child "
        "keeps running and finishes.",
        verdicts=(
            partly(
                "True for billiard's pool workers only: billiard's exit handler is the "
                "standard library's, which knows only multiprocessing's own children, so a "
                "daemonic billiard Process is not terminated at exit; it outlives the main "
                "program and finishes its work. A non-daemonic one finishes too.",
                libraries=("billiard",),
            ),
            partly(),
        ),
    ),
    Claim(
        id="pool.default-size",
        cite="进程池, Sample › sixth bullet",
        statement="Without a size, Pool starts as many processes as the machine has cores.",
        explanation="Pool() starts os.cpu_count() workers: logical CPUs (hardware threads), "
        "not cores, and it ignores the process's CPU affinity.",
        verdicts=(
            partly(
                "billiard's Pool() asks os.cpu_count() on every Python (billiard.context's "
                "cpu_count), so it ignores the CPU affinity even on 3.13 and later; from "
                "3.13 PYTHON_CPU_COUNT / -X cpu_count do change its size, as they change "
                "os.cpu_count().",
                python=">=3.13",
                libraries=("billiard",),
            ),
            partly(
                "From 3.13 Pool() starts os.process_cpu_count() workers: the CPUs this "
                "process may use (affinity), overridable by PYTHON_CPU_COUNT / -X cpu_count, "
                "which os.cpu_count() then follows too.",
                python=">=3.13",
            ),
            partly(),
        ),
    ),
    Claim(
        id="pool.sample-output",
        cite="进程池, Sample (its printed output)",
        statement="The sample (3 workers, 5 slow tasks) prints the main program's line before "
        "the tasks end, runs at most 3 tasks at once, and prints its final line last.",
        explanation="Those orderings are guaranteed; the exact interleaving the article shows "
        "(which task starts first, the order of the ends) is not.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool.methods",
        cite="进程池 ¶1 (the screenshot listing the common methods is missing)",
        statement="A Pool's common methods: apply, apply_async, map, map_async, imap, "
        "imap_unordered, starmap, starmap_async, close, terminate, join.",
        explanation="Each works as documented: the blocking ones return results, the _async "
        "ones an AsyncResult, imap an ordered iterator, imap_unordered a completion-order one; "
        "close/join finish the pool, terminate kills its workers.",
        verdicts=(
            holds(
                "Each works as documented, but billiard's fork server reports exitcode 255 "
                "for workers ended by close()+join() (not 0) and by terminate() (not "
                "-SIGTERM).",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool.context-manager",
        cite="(not in the article: its sample closes and joins by hand)",
        statement="Leaving `with Pool() as p:` calls terminate(), not close() and join().",
        explanation="__exit__ terminates the pool: a task still running is killed and its "
        "side effect never happens; the workers are gone. Use close()+join() inside the "
        "block, or get() the results, to wait for the work.",
        verdicts=(
            holds(
                "__exit__ terminates the pool and the running task's side effect never "
                "happens; billiard's fork server reports the killed worker's exitcode as 255, "
                "not -SIGTERM.",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            holds(),
        ),
        beyond=True,
    ),
]

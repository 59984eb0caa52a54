"""Docs chapter `futures`: concurrent.futures' ProcessPoolExecutor, the process pool
most code uses (the library reference's Executor, ProcessPoolExecutor and Future
objects, wait, as_completed and the exception classes; What's New 3.9 to 3.15), with a
few claims from users' reports.  Also run against loky (``--impl loky``)."""

from mpspec.registry import Claim, fails, holds, na, partly

LOKY = ("loky",)
# concurrent.futures always imports the standard multiprocessing: a drop-in library
# changes nothing of the executor the docs describe.
DROP_IN = na(
    "concurrent.futures' executor is built on the standard multiprocessing, whatever "
    "drop-in is installed: the multiprocessing leg tests it",
    libraries=("multiprocess", "billiard"),
)
# PyPy 3.9 as installed here (7.3.11, Debian's pypy3-lib 7.3.11+dfsg-2+deb12u3): its
# process.py defines _adjust_process_count_cpython but calls _adjust_process_count, so
# every submit() that would start a spawn or forkserver worker raises AttributeError.
PYPY_BROKEN = (
    "PyPy 3.9's executor cannot start spawn or forkserver workers here: submit() raises "
    "AttributeError ('_adjust_process_count'; its process.py names the method "
    "_adjust_process_count_cpython): pinned by futures.submit-runs-in-worker"
)
PYPY_NA = na(PYPY_BROKEN, implementations=("PyPy",), methods=("spawn", "forkserver"))
FORK_REFUSED = "max_tasks_per_child is refused with a fork context (futures.max-tasks-needs-non-fork)"
NO_MAX_TASKS = na("max_tasks_per_child is new in 3.11", python="<3.11")


def claim(id, cite, statement, explanation, *rules, pypy=(PYPY_NA,), **extra):
    return Claim(
        id=f"futures.{id}", cite=cite, statement=statement,
        explanation=explanation, verdicts=(DROP_IN,) + pypy + rules, **extra,
    )


CLAIMS = [
    claim(
        "submit-runs-in-worker",
        "Executor Objects › submit",
        "submit(fn, *args, **kwargs) runs the call in another process and its Future's "
        "result() gives back what fn returned.",
        "The call runs in a worker (another pid), positional and keyword-only arguments "
        "arrive, and result() returns the value.",
        fails("Not for spawn and forkserver on PyPy 3.9 as installed here (7.3.11, Debian's "
              "pypy3-lib 7.3.11+dfsg-2+deb12u3): submit() raises AttributeError: its "
              "process.py calls self._adjust_process_count() but defines only "
              "_adjust_process_count_cpython. Fork works.",
              implementations=("PyPy",), methods=("spawn", "forkserver")),
        holds("As documented; loky takes context= where the standard executor takes "
              "mp_context=.", libraries=LOKY),
        holds(),
        pypy=(),
    ),
    claim(
        "future-lifecycle-flags",
        "Future Objects › running, done, cancelled",
        "A Future of a call being executed is running and not done; once the call has "
        "returned it is done, not running and not cancelled.",
        "Seen while the worker holds the call (its start marker exists): running() true, "
        "done() false; after the result: done() true, running() and cancelled() false.",
        holds(),
    ),
    claim(
        "cancel-only-before-start",
        "Future Objects › cancel, cancelled, result",
        "cancel() succeeds only for a call that has not started; that call never runs and "
        "its result() raises CancelledError, while cancel() of a running or finished call "
        "returns False.",
        "With one worker held, the last of six waiting calls is cancelled (True), never "
        "runs (no marker) and raises CancelledError; cancel() of the running call and of "
        "a finished one returns False.",
        holds(),
    ),
    claim(
        "queued-calls-report-running",
        "Future Objects › running, cancel (applied to ProcessPoolExecutor)",
        "running() is true only while the call is being executed, and a call that has not "
        "begun can still be cancelled.",
        "Not for a process pool: besides the executing calls it moves up to max_workers + 1 "
        "more (EXTRA_QUEUED_CALLS, 3.8-3.15) into its call queue and marks them running "
        "there: with one worker busy, the next two calls report running() and refuse "
        "cancel() while no worker has started them; the third is still pending and "
        "cancellable.",
        fails("loky does the same with a bigger hand-off queue (2 x max_workers + 1): with "
              "one worker busy the next three calls report running() and refuse cancel().",
              libraries=LOKY),
        fails(),
    ),
    claim(
        "result-timeout",
        "Future Objects › result, exception; Exception classes › TimeoutError "
        "(changed in 3.11: an alias of the built-in)",
        "result(timeout) and exception(timeout) raise TimeoutError when the call is not done "
        "in time, without stopping it; from 3.11 that class is the built-in TimeoutError.",
        "Both raise after the timeout; the call carries on and a later result() returns its "
        "value; exception() of a successful call is None. From 3.11 the class is "
        "builtins.TimeoutError; before (and on PyPy 3.9) concurrent.futures.TimeoutError, "
        "which a plain `except TimeoutError` misses (bpo-42413).",
        holds(),
    ),
    claim(
        "callback-threads",
        "Future Objects › add_done_callback",
        "Done-callbacks run in the submitting process, in the order they were added, with "
        "the Future; one added to a finished Future runs at once; an Exception raised by a "
        "callback is logged and ignored.",
        "For a pending call the callbacks run in the parent on the executor's manager "
        "thread (not the main thread), in order; added after done() they run at once in "
        "the caller's thread; a ValueError from the first is logged on "
        "'concurrent.futures' ('exception calling callback') and the second still runs.",
        holds(),
    ),
    claim(
        "remote-traceback",
        "Future Objects › result; ProcessPoolExecutor (picklable objects)",
        "An exception raised by the call comes back from result() with its type and args, "
        "its cause holding the worker's traceback, whatever the exception's truth value.",
        "result() raises a copy of the ValueError whose __cause__ is a _RemoteTraceback with "
        "the worker's formatted traceback (the failing line is in it and in the printed "
        "traceback); an exception that is falsy is raised too, and exception() returns it.",
        fails("An exception whose __bool__ is False is lost: the call counts as having "
              "returned None (result() None, exception() None: the executor tests `if "
              "result_item.exception:`; gh-132063, fixed by gh-132129 in 3.14 and "
              "backported by gh-132275 to 3.13.4; 3.13.0 here still has it). The rest holds.",
              python="<3.13.4", libraries=("multiprocessing",)),
        partly("loky keeps a falsy exception (exception() returns it), but result() is the "
               "standard Future's, which before 3.13.4 tests `if self._exception:` and so "
               "returns None (gh-132063).", python="<3.13.4", libraries=LOKY),
        fails("As on CPython 3.9: a falsy exception is lost (the call returns None).",
              implementations=("PyPy",)),
        holds(),
    ),
    claim(
        "baseexception-from-task",
        "Future Objects › result",
        "A SystemExit or KeyboardInterrupt raised in the call becomes its outcome: result() "
        "raises it and the worker goes on.",
        "result() raises SystemExit(3) or KeyboardInterrupt in the parent; the same worker "
        "(same pid) runs the next call (the worker catches BaseException).",
        holds(),
    ),
    claim(
        "unretrieved-failure-silent",
        "Future Objects › result; Executor Objects › map [WARN]",
        "A call's exception surfaces only when asked for; one nobody asks for is never "
        "printed or logged, not even at shutdown.",
        "Shown: a program whose call raises ZeroDivisionError and never looks at the Future "
        "exits 0 and prints nothing about it (gh-120508).",
        holds(),
    ),
    claim(
        "map-order-and-errors",
        "Executor Objects › map",
        "map() yields results in input order, whatever order they finish in; a failed call "
        "raises when its position is reached, after the results before it.",
        "Calls finishing last first come out in input order; with item 3 failing, items "
        "0-2 are yielded and then ValueError is raised; the generator is then finished "
        "and calls not started yet are cancelled (undocumented).",
        holds(),
    ),
    claim(
        "map-eager-input",
        "Executor Objects › map [WARN]",
        "Without buffersize, map() takes every input item and submits all the calls before "
        "it returns, so an endless input never returns.",
        "Shown: right after map() returns, all 100 items of a generator have been taken; "
        "map over itertools.count() has not returned within its bounded effort.",
        holds(),
    ),
    claim(
        "map-buffersize",
        "Executor Objects › map (buffersize, changed in 3.14)",
        "From 3.14 map(buffersize=b) submits only b calls up front and takes more input as "
        "results are consumed; buffersize must be at least 1.",
        "buffersize=4 takes 4 items up front; with chunksize=3 one call is a chunk, so 12; "
        "each next() takes at most one more chunk; map over itertools.count() returns at "
        "once; buffersize=0 raises ValueError.",
        na("map has no buffersize before 3.14 (TypeError)", python="<3.14"),
        na("loky's map has no buffersize (TypeError)", libraries=LOKY),
        holds(),
    ),
    claim(
        "map-timeout-from-call",
        "Executor Objects › map",
        "map's timeout counts from the call to map(), not per item: once it has passed, the "
        "next item that is not ready raises TimeoutError.",
        "Three 0.6 s calls on one worker with timeout=1.0: the first arrives, the second "
        "raises TimeoutError about 1 s after the map() call, not 1.6 s.",
        holds(),
    ),
    claim(
        "map-chunksize",
        "Executor Objects › map (chunksize)",
        "chunksize sends consecutive items to one worker as one task, with the same "
        "results as chunksize=1; a chunksize below 1 is refused.",
        "Items of one chunk run in one worker (same pid); the results equal chunksize=1's; "
        "chunksize=0 raises ValueError; a failure in a chunk loses its chunk-mates' "
        "results (the iterator raises before the chunk's first item, undocumented).",
        holds(),
    ),
    claim(
        "after-shutdown-rejects",
        "Executor Objects › shutdown",
        "After shutdown() submit() and map() raise RuntimeError; shutting down again is "
        "harmless.",
        "Both raise RuntimeError ('cannot schedule new futures after shutdown'); a second "
        "shutdown() returns.",
        holds("As documented, with loky's ShutdownExecutorError (a RuntimeError).",
              libraries=LOKY),
        holds(),
    ),
    claim(
        "shutdown-wait-reaps-workers",
        "Executor Objects › shutdown",
        "shutdown(wait=True) returns once every pending call has finished and the workers "
        "are gone.",
        "After shutdown(wait=True) every future is done and none of the worker pids exists.",
        holds(),
    ),
    claim(
        "exit-waits-for-pending",
        "Executor Objects › shutdown (wait=False)",
        "Even after shutdown(wait=False), or with no shutdown at all, the program does not "
        "exit before the pending calls have run.",
        "shutdown(wait=False) returns at once, yet the program exits only after all three "
        "0.5 s calls ran (their markers exist); the same without any shutdown.",
        fails("Not after shutdown(wait=False) on 3.8: it closes the manager thread's wake-up "
              "pipe under it (bpo-39104, fixed in 3.9), the thread dies ('handle is "
              "closed', 'Queue is closed') and the calls it had not yet handed to the "
              "worker never run: a fork program then hangs at exit joining its waiting "
              "worker (usually after the first call; now and then after all three, when "
              "the worker already had them), a spawn or forkserver one exits at once "
              "without running them all. Without any shutdown it works.", python="<3.9"),
        holds(),
    ),
    claim(
        "cancel-futures-on-shutdown",
        "Executor Objects › shutdown (cancel_futures, new in 3.9)",
        "shutdown(cancel_futures=True) cancels the calls that have not started, and running "
        "ones finish.",
        "The running call succeeds; waiting calls are cancelled and leave no marker; but "
        "the up to max_workers + 1 calls already in the call queue still run "
        "(futures.queued-calls-report-running). The cancelled futures are done(), but "
        "wait() and as_completed() are never told (futures.terminate-kill-workers).",
        na("cancel_futures is new in 3.9", python="<3.9"),
        fails("loky's shutdown() has no cancel_futures (TypeError); it offers "
              "shutdown(kill_workers=True) instead, which fails the waiting calls with "
              "ShutdownExecutorError.", libraries=LOKY),
        holds(),
    ),
    claim(
        "context-manager-waits",
        "Executor Objects › shutdown (the with statement)",
        "Leaving a with-block shuts the executor down and waits, also when the block "
        "raises.",
        "The KeyError raised inside the block propagates only after all three calls ran.",
        holds(),
    ),
    claim(
        "pickle-per-future",
        "ProcessPoolExecutor (only picklable objects)",
        "Everything a call sends or returns is pickled, even under fork: an unpicklable "
        "function, argument or result fails that Future only.",
        "A lambda, a lock argument and a lambda result each fail their own Future with a "
        "pickling error (PicklingError, AttributeError or TypeError), on every method; "
        "the pool then runs the next call.",
        partly("loky pickles with cloudpickle: a lambda function (and a lambda result) "
               "works; an unpicklable argument (a lock) still fails that future only.",
               libraries=LOKY),
        holds(),
    ),
    claim(
        "result-unpickle-failure-breaks-pool",
        "Exception classes › BrokenProcessPool (users' reports) [WARN]",
        "A result or exception that cannot be rebuilt in the parent breaks the whole pool, "
        "not just its Future.",
        "Shown: an exception class whose __init__ needs two arguments fails with "
        "BrokenProcessPool (cause: the TypeError of unpickling), and so does the next "
        "submit(); the docs tie BrokenProcessPool to abrupt exits only.",
        holds("Shown as well: loky's BrokenProcessPool (cause: the unpickling error); "
              "loky documents this case.", libraries=LOKY),
        holds(),
    ),
    claim(
        "interactive-main",
        "ProcessPoolExecutor (the interactive interpreter) [WARN]",
        "A function defined in an interactive session or a -c program cannot be used by "
        "spawn or forkserver workers (they cannot import __main__), while fork workers "
        "inherit it.",
        "A `python -c` program: fork prints the result; spawn and forkserver end with "
        "BrokenProcessPool and \"Can't get attribute 'double'\" (3.14: \"module '__main__' "
        "has no attribute 'double'\") in a worker's traceback.",
        fails("loky pickles a __main__ function by value (cloudpickle): it works under "
              "spawn and forkserver too.", methods=("spawn", "forkserver"), libraries=LOKY),
        holds(),
    ),
    claim(
        "main-guard",
        "ProcessPoolExecutor Example (the guarded main)",
        "A script that builds the executor at module level without the main guard breaks "
        "under spawn (and forkserver) but works under fork.",
        "fork prints the result; spawn and forkserver: each worker re-runs the script and "
        "fails starting a process during its bootstrap, the pool breaks "
        "(BrokenProcessPool; loky: TerminatedWorkerError). Where the fork server imports "
        "the main module itself (3.13.8+, 3.14.1+; not 3.15), the parent's submit() fails "
        "with ConnectionResetError instead. No hang.",
        holds(),
    ),
    claim(
        "no-executor-calls-in-task",
        "ProcessPoolExecutor (the deadlock note) [WARN]",
        "A call run by the pool must not use the executor or its Futures, or it deadlocks.",
        "An executor or a Future cannot even be passed to a call (that Future fails with "
        "TypeError: cannot pickle); a fork worker that inherits a global executor hangs "
        "on submit().result() (shown); spawn and forkserver workers do not have it.",
        partly("With loky the call cannot even be sent: an executor or Future argument "
               "fails with PicklingError ('Could not pickle the task...', its cause the "
               "TypeError), and a __main__ function naming the global executor is pickled "
               "by value (cloudpickle) together with that executor: PicklingError, on "
               "every method. No deadlock can happen.", libraries=LOKY),
        partly("On PyPy 3.9 the executor fails with PicklingError, but a Future can be "
               "pickled (PyPy's locks pickle): the call gets a detached copy that answers "
               "done() as of the moment it was sent, and waiting on it in the worker "
               "would never end. The fork hang is shown as on CPython.",
               implementations=("PyPy",)),
        holds(),
    ),
    claim(
        "broken-on-abrupt-exit",
        "ProcessPoolExecutor (changed in 3.3); Exception classes › BrokenExecutor, "
        "BrokenProcessPool [WARN]",
        "A worker that dies abruptly breaks the pool for good: every running and pending "
        "Future, and every later submit(), fails with BrokenProcessPool, a "
        "BrokenExecutor and RuntimeError.",
        "After os._exit(3) or SIGKILL in a worker, all five futures raise "
        "BrokenProcessPool, submit() raises it at once and the other worker is gone.",
        holds("As documented, with loky's TerminatedWorkerError (a subclass of its "
              "BrokenProcessPool, itself a concurrent.futures BrokenProcessPool); "
              "get_reusable_executor() starts a new pool instead.", libraries=LOKY),
        holds(),
    ),
    claim(
        "broken-report-pid-exitcode",
        "What's New in 3.15 › concurrent.futures",
        "From 3.15 the BrokenProcessPool of an abrupt exit names the worker's pid and exit "
        "code in its cause; before, the message is generic.",
        "3.15: the __cause__ reads 'Process <pid> terminated abruptly with exit code 99' "
        "(-9 for SIGKILL; gh-139462); 3.8-3.14: no cause, neither pid nor code.",
        partly("3.15 names the pid and exit code, but not every time: the pool is declared "
               "broken when the worker's sentinel fires, and a worker not yet reapable then "
               "has no exit code, so the message stays generic (gh-139462 lists only workers "
               "whose exitcode is already known): measured 3.15.2, 6-7 in 10 under spawn, "
               "1-2 in 10 under fork. Under forkserver the fork server writes the exit "
               "status into the sentinel pipe, so the report is always there (10 in 10).",
               python=">=3.15", methods=("fork", "spawn"), libraries=("multiprocessing",)),
        partly("loky's TerminatedWorkerError gives the exit code on every version (in its "
               "message: 'The exit codes of the workers are {EXIT(99)}' or "
               "{SIGKILL(-9)}), but not the pid.", libraries=LOKY),
        holds(),
    ),
    claim(
        "initializer-per-worker",
        "ProcessPoolExecutor › initializer, initargs (new in 3.7)",
        "initializer(*initargs) runs once at the start of each worker, before its calls.",
        "Every call sees its own worker's pid and initargs, stored by the initializer; it "
        "ran once per worker (one log line per distinct pid).",
        holds(),
    ),
    claim(
        "initializer-failure-breaks",
        "ProcessPoolExecutor › initializer [WARN]",
        "An initializer that raises breaks the pool: pending and later calls fail with "
        "BrokenProcessPool.",
        "Shown: the call fails with BrokenProcessPool and so does the next submit(); the "
        "worker prints 'Exception in initializer' with the ValueError.",
        holds("The same with loky: BrokenProcessPool for the call and for the next "
              "submit().", libraries=LOKY),
        holds(),
    ),
    claim(
        "initializer-pickling",
        "ProcessPoolExecutor › initializer, mp_context",
        "Under spawn and forkserver the initializer must be picklable, under fork not: a "
        "lambda initializer works with fork only, and fails in submit() itself.",
        "fork runs the call; spawn and forkserver raise the pickling error from submit() "
        "(it starts the worker), not BrokenProcessPool; shutdown() then returns (undocumented).",
        holds("The same with loky given a multiprocessing context: the worker process "
              "itself is pickled by multiprocessing (only loky's own 'loky' context would "
              "use cloudpickle for it).", libraries=LOKY),
        holds("On 3.8 workers are all started at the first submit(), which raises the "
              "pickling error the same way.", python="<3.9"),
        holds(),
    ),
    claim(
        "max-workers",
        "ProcessPoolExecutor › max_workers (changed in 3.13: process_cpu_count)",
        "max_workers must be positive and caps the number of workers; by default it is the "
        "CPU count, the CPUs this process may use from 3.13.",
        "0 and -1 raise ValueError; max_workers=2 runs 8 calls in at most 2 processes; "
        "restricted to one CPU, the default is 1 from 3.13 (os.process_cpu_count(), "
        "gh-109649) and os.cpu_count() before.",
        partly("loky sizes its default by its own cpu_count(), which honours CPU affinity "
               "(and cgroups) on every Python version.", libraries=LOKY),
        holds(),
    ),
    claim(
        "worker-start-policy",
        "ProcessPoolExecutor (What's New 3.9; gh-90622)",
        "Spawn and forkserver workers are started only when no idle one is free (3.9+), "
        "fork starts all max_workers at the first submit; 3.8 always starts them all.",
        "Three calls in turn use one spawn or forkserver worker (one child); fork starts "
        "all 4 at the first submit; 3.8 all 4 with every method. (The fork exception came "
        "to 3.9 and 3.10 in their May 2022 bug fix releases; our 3.9.18 and 3.10.13 have it.)",
        fails("loky always starts max_workers workers at the first submit, with every "
              "method.", methods=("spawn", "forkserver"), libraries=LOKY),
        holds(),
    ),
    claim(
        "mp-context-start-method",
        "ProcessPoolExecutor › mp_context (changed in 3.7 and 3.14)",
        "Workers start by mp_context; without one, by multiprocessing's default: fork on "
        "Linux up to 3.13, forkserver from 3.14.",
        "fork workers see the parent's changed global; spawn ones do not and are our "
        "children; forkserver ones are not our children. With mp_context=None the workers "
        "start as multiprocessing.get_start_method() says, after set_start_method(M) by M.",
        fails("loky takes context= and by default uses its own 'loky' method (fork + exec, "
              "like spawn), not multiprocessing's default: set_start_method() does not "
              "change it.", libraries=LOKY),
        holds(),
    ),
    claim(
        "max-tasks-per-child-replaces",
        "ProcessPoolExecutor › max_tasks_per_child (new in 3.11)",
        "With max_tasks_per_child=n a worker exits after n calls and a fresh process "
        "replaces it; n must be a positive int.",
        "One worker, n=2: four calls in turn run in [a, a, b, b]; a is gone; 0 raises "
        "ValueError and '2' TypeError.",
        NO_MAX_TASKS,
        fails("loky has no max_tasks_per_child (TypeError); its timeout= retires idle "
              "workers instead.", libraries=LOKY),
        partly(FORK_REFUSED + ": ValueError.", methods=("fork",)),
        holds(),
    ),
    claim(
        "max-tasks-needs-non-fork",
        "ProcessPoolExecutor › max_tasks_per_child",
        "max_tasks_per_child cannot be used with fork: a fork context is refused, and "
        "without mp_context the workers are spawned.",
        "ValueError for a fork context; with mp_context=None the worker is spawned whatever "
        "the default or set_start_method() says (fork, spawn or forkserver): the docs "
        "name neither the exception nor that spawn wins.",
        NO_MAX_TASKS,
        fails("loky has no max_tasks_per_child (TypeError).", libraries=LOKY),
        holds(),
    ),
    claim(
        "max-tasks-backlog-hang",
        "ProcessPoolExecutor › max_tasks_per_child (gh-115634) [WARN]",
        "With max_tasks_per_child, retiring workers do not stop the pool: every queued "
        "call still runs.",
        "Every one of 10 calls completes with max_tasks_per_child=2 on one worker.",
        NO_MAX_TASKS,
        na("loky has no max_tasks_per_child (TypeError), so no worker retires that way",
           libraries=LOKY),
        na(FORK_REFUSED, methods=("fork",)),
        fails("Shown: ProcessPoolExecutor(1, max_tasks_per_child=2) with 10 calls stops "
              "scheduling once the first worker retires; the rest stay pending for ever "
              "(and shutdown hangs). gh-115634, fixed by GH-140900 (3.14.10 and 3.15 here "
              "have the fix; 3.11.7, 3.12.1 and 3.13.0 hang).", python="<3.14"),
        holds(),
    ),
    claim(
        "fork-threads-deprecationwarning",
        "ProcessPoolExecutor (changed in 3.12)",
        "From 3.12 forking workers while the parent runs other threads warns with "
        "DeprecationWarning.",
        "A second fork executor, started while the first one's manager thread runs, warns "
        "on 3.12+ (none before, none with spawn or forkserver); a filter can make it an "
        "error.",
        holds(),
    ),
    claim(
        "terminate-kill-workers",
        "ProcessPoolExecutor › terminate_workers, kill_workers (new in 3.14)",
        "terminate_workers() and kill_workers() stop the executor at once, sending SIGTERM "
        "or SIGKILL to its workers; nothing is left waiting.",
        "The running call's worker gets SIGTERM (its handler ran) or SIGKILL; every future "
        "ends (the running one BrokenProcessPool, waiting ones cancelled); submit() then "
        "raises; both are harmless on an unused or broken executor. But the waiting "
        "futures, cancelled by the manager thread on its way out (shutdown(cancel_futures="
        "True)), are never reported to wait() or as_completed(): done() is true, yet "
        "wait() on them blocks until its timeout (for ever without one).",
        na("terminate_workers() and kill_workers() are new in 3.14", python="<3.14"),
        fails("loky has neither method (AttributeError); shutdown(kill_workers=True) "
              "kills the workers instead.", libraries=LOKY),
        partly(),
    ),
    claim(
        "wait-return-when",
        "Module Functions › wait",
        "wait() returns a (done, not_done) pair and stops at the first completion, the "
        "first exception or when all are done; a timeout returns the split so far.",
        "FIRST_COMPLETED returns with the fast call done; FIRST_EXCEPTION returns at the "
        "failure; duplicates count once; a thread pool's future mixes in; timeout=0.2 "
        "returns with not_done non-empty and no exception.",
        holds(),
    ),
    claim(
        "as-completed",
        "Module Functions › as_completed",
        "as_completed() yields each future once, finished ones first, then in completion "
        "order, and raises TimeoutError when the timeout, counted from the call, passes.",
        "Order [finished before, fast, slow]; a duplicate once; timeout=0.3 raises "
        "TimeoutError ('1 (of 1) futures unfinished').",
        holds(),
    ),
    claim(
        "ctrl-c-waits-for-backlog",
        "Executor Objects › shutdown; ProcessPoolExecutor (users' reports) [WARN]",
        "After Ctrl-C the with-block's shutdown still runs every queued call, so the "
        "program seems to hang.",
        "Shown: SIGINT to the parent during 8 one-second calls: it ends with "
        "KeyboardInterrupt only after the backlog ran; catching it and calling "
        "shutdown(cancel_futures=True) (3.9+) exits at once.",
        holds("The same with loky; its shutdown() has no cancel_futures, so the program "
              "cancels each Future itself, which ends it as quickly.", libraries=LOKY),
        holds(),
    ),
]

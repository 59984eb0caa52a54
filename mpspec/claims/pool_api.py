"""Docs chapter `pool-api`: process pools in full (the guide's "Using a pool of
workers", the reference's "Process Pools": Pool, its methods, AsyncResult and the
usage example; and What's New in 3.13 for the default size)."""

from mpspec.registry import Claim, fails, holds, na, partly

BILLIARD = ("billiard",)
# billiard's result handler, at terminate(), keeps polling for the results of jobs
# still outstanding and gives up only 5 s after every worker is gone.
BILLIARD_SLOW_TERMINATE = (
    "billiard's terminate() kills the workers at once, but itself returns only some 6 s "
    "later: its result handler keeps waiting for the outstanding jobs' results and gives "
    "up 5 s after the last worker has gone (at once when no job is outstanding)."
)
BILLIARD_EXCEPTION_INFO = (
    "billiard's error_callback receives a billiard.einfo.ExceptionInfo that wraps the "
    "exception (its .exception), not the exception itself; callback and get() behave "
    "as documented."
)

CLAIMS = [
    Claim(
        id="pool-api.imap-unordered-complete",
        cite="Using a pool of workers (the example's imap_unordered loop)",
        statement="imap_unordered gives every result exactly once, in an order that is not "
        "guaranteed.",
        explanation="The iterator yields each task's result once and no more; the order is "
        "completion order, which may differ from the input order.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.get-timeout-raises",
        cite="Using a pool of workers (the example's get(timeout=1))",
        statement="AsyncResult.get(timeout) raises multiprocessing.TimeoutError when the "
        "result is not ready in time, and the pool can still be used afterwards.",
        explanation="get() with a timeout that passes raises multiprocessing.TimeoutError "
        "(not the built-in one); the task goes on, its result can still be got, and new "
        "tasks run.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.creator-only",
        cite="Using a pool of workers (the note that only the creating process may use "
        "a pool's methods)",
        statement="Only the process that created a pool may use its methods.",
        explanation="A pool cannot be pickled (NotImplementedError 'pool objects cannot be "
        "passed between processes or pickled'), so spawn and forkserver children cannot "
        "even receive one. A fork child inherits it, but its task handler and result "
        "handler threads stay behind in the parent: a task submitted from the child is "
        "never run and its result never comes; the parent's pool is unaffected.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.initializer",
        cite="Process Pools › Pool (initializer, initargs)",
        statement="The initializer, given initargs, runs once in every worker process, at "
        "its start.",
        explanation="The initializer runs once in every worker before its first task "
        "(n calls for n workers, however many tasks); every task sees what it stored.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.maxtasksperchild",
        cite="Process Pools › Pool (maxtasksperchild; new in 3.2)",
        statement="With maxtasksperchild=n a worker exits after n tasks and a fresh process "
        "replaces it; with the default None a worker is never retired that way.",
        explanation="Pool(1, maxtasksperchild=2) runs 6 one-item tasks in 3 processes, two "
        "tasks each; without the option the one worker runs all 6.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.context-arg",
        cite="Process Pools › Pool (context; new in 3.4)",
        statement="context= chooses how the workers are started; a Pool made from a "
        "context object (ctx.Pool()) uses that context.",
        explanation="Both pool.Pool(context=ctx) and ctx.Pool() start workers with ctx's "
        "method: fork workers are our children and see a module global the parent "
        "changed; spawn workers are our children that imported the module afresh; "
        "forkserver workers are the fork server's children, also with the fresh module.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.must-close-or-terminate",
        cite="Process Pools › Pool (the warning on managing a pool's resources)",
        statement="A pool must be closed or terminated, by hand or by `with`; relying on "
        "the garbage collector may leave the process hanging when it finalizes.",
        explanation="No hang is seen: a program that leaves its running pool in a global "
        "and exits ends promptly, its workers terminated by the pool's exit finalizer; a "
        "running pool that is garbage collected is terminated and (since 3.8) warns "
        "ResourceWarning 'unclosed running multiprocessing pool'. The warning is the "
        "visible part of the advice (hidden by the default warning filters; -W shows it, "
        "also for a pool still running at exit).",
        verdicts=(
            partly(
                "No hang and no warning: billiard's Pool has no __del__; its threads keep it "
                "alive until the exit finalizer terminates it, so the program still ends.",
                libraries=BILLIARD,
            ),
            partly(
                "No hang: the exiting program terminates the pool. PyPy collects the dropped "
                "pool only at a gc.collect(), which then warns and terminates it; at exit "
                "no warning is shown.",
                implementations=("PyPy",),
            ),
            partly(
                "No hang: the exiting program terminates the pool. But no ResourceWarning at "
                "exit: multiprocess's Pool.__del__ fails there instead, printing 'Exception "
                "ignored in: <function Pool.__del__ ...>' with AttributeError \"'NoneType' "
                "object has no attribute 'dumps'\" (its pickler is already torn down), even "
                "without -W. A pool collected while the program runs warns as documented.",
                libraries=("multiprocess",),
            ),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="pool-api.apply-one-worker",
        cite="Process Pools › Pool.apply",
        statement="apply() runs the function in one worker and returns its result.",
        explanation="apply(os.getpid) returns the pid of one of the pool's workers, never "
        "the caller's.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.apply-async-callback",
        cite="Process Pools › Pool.apply_async (callback, error_callback)",
        statement="apply_async's callback is called with the result when it is ready; if "
        "the call failed, error_callback is called with the exception instead, and "
        "callback is not.",
        explanation="On success only callback runs, with the return value; on failure only "
        "error_callback runs, with the exception instance the worker raised.",
        verdicts=(partly(BILLIARD_EXCEPTION_INFO, libraries=BILLIARD), holds()),
    ),
    Claim(
        id="pool-api.callbacks-in-parent-thread",
        cite="Process Pools › Pool.apply_async (the note that callbacks should complete "
        "immediately)",
        statement="Callbacks run in a thread of the parent that handles results, and must "
        "return quickly, or they hold up the handling of other results.",
        explanation="The callback runs in the creating process on the pool's result-handler "
        "thread (not the main thread); while it blocks, a later task that has finished in "
        "its worker does not become ready.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.map-blocks-chunks",
        cite="Process Pools › Pool.map (chunksize)",
        statement="map() blocks until every result is ready, and cuts the iterable into "
        "chunks of about chunksize items, each sent to a worker as one task.",
        explanation="map(f, range(20), chunksize=7) sends three tasks of consecutive items "
        "(7, 7 and the last 6); each chunk runs whole in one worker (with "
        "maxtasksperchild=1, one process per chunk).",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.map-memory",
        cite="Process Pools › Pool.map (the note on very long iterables)",
        statement="map() may use a lot of memory on a very long iterable, as it makes a "
        "list of it; imap or imap_unordered with an explicit chunksize are lighter.",
        explanation="map (and map_async) turn the whole iterable into a list before sending "
        "the first task; imap pulls items as tasks go out, and its task handler stops "
        "pulling while the workers' input pipe is full, so an endless generator is fine.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="pool-api.map-async-callbacks",
        cite="Process Pools › Pool.map_async",
        statement="map_async returns an AsyncResult; callback receives the whole list of "
        "results, error_callback the exception if any item failed.",
        explanation="callback is called once with the full ordered list; when an item "
        "raises, error_callback gets that exception, callback is not called, and get() "
        "re-raises it.",
        verdicts=(partly(BILLIARD_EXCEPTION_INFO, libraries=BILLIARD), holds()),
    ),
    Claim(
        id="pool-api.imap-lazy-ordered",
        cite="Process Pools › Pool.imap",
        statement="imap is a lazier map: it gives results one by one, in input order; a "
        "big chunksize speeds up very long iterables compared with chunks of one item.",
        explanation="The first result can be taken while later tasks are still running; "
        "results come in input order. The speed-up is measured by the article's map "
        "benchmark (imap with map's chunksize against chunksize 1).",
        verdicts=(holds(),),
        measurements="benchmarks/results/map-fastest.json",
    ),
    Claim(
        id="pool-api.imap-next-timeout",
        cite="Process Pools › Pool.imap (next(timeout))",
        statement="With chunksize 1, the iterator's next(timeout) raises "
        "multiprocessing.TimeoutError if no result arrives in time.",
        explanation="next(timeout) raises multiprocessing.TimeoutError while the next "
        "result is missing and returns it later. With a chunksize above 1 imap returns a "
        "plain generator, which has no next() method.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.imap-unordered-single-worker-ordered",
        cite="Process Pools › Pool.imap_unordered",
        statement="imap_unordered's order is arbitrary, except that with a single worker "
        "it is the input order.",
        explanation="With one worker the results come in input order; with two, an item "
        "that finishes first comes first.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.starmap-unpacks",
        cite="Process Pools › Pool.starmap (new in 3.3)",
        statement="starmap unpacks each item into arguments: f over [(1, 2), (3, 4)] gives "
        "[f(1, 2), f(3, 4)], in order.",
        explanation="Each tuple is spread into positional arguments; results keep input "
        "order.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.starmap-async",
        cite="Process Pools › Pool.starmap_async (new in 3.3)",
        statement="starmap_async is starmap returning an AsyncResult, with map_async's "
        "callbacks.",
        explanation="get() gives starmap's list; callback receives that list; "
        "error_callback the exception of a failing item.",
        verdicts=(partly(BILLIARD_EXCEPTION_INFO, libraries=BILLIARD), holds()),
    ),
    Claim(
        id="pool-api.close-drains",
        cite="Process Pools › Pool.close",
        statement="close() stops new tasks from being submitted; the workers exit once "
        "the tasks already queued are done.",
        explanation="Tasks queued before close() all complete successfully before join() "
        "returns; submitting afterwards raises ValueError('Pool not running').",
        verdicts=(
            holds(
                "Queued tasks all complete; a submission after close() is refused silently "
                "(the method returns None and the task never runs) rather than raising.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool-api.terminate-abandons",
        cite="Process Pools › Pool.terminate",
        statement="terminate() stops the workers at once, without finishing outstanding "
        "work.",
        explanation="The busy workers are killed mid-task and terminate() returns at once; "
        "the outstanding results never become ready (get() times out for good).",
        verdicts=(partly(BILLIARD_SLOW_TERMINATE, libraries=BILLIARD), holds()),
    ),
    Claim(
        id="pool-api.gc-terminates",
        cite="Process Pools › Pool.terminate (garbage collection)",
        statement="Collecting a pool as garbage terminates it straight away.",
        explanation="Dropping the last reference to a running pool terminates its workers "
        "(and, since 3.8, warns ResourceWarning); the docs' warning still applies: CPython "
        "does not promise when, or whether, a finalizer runs.",
        verdicts=(
            fails(
                "billiard's pool is never collected while it runs: its Supervisor thread "
                "holds it, so dropping it leaves the workers running until the program's "
                "exit finalizer terminates them; no ResourceWarning.",
                libraries=BILLIARD,
            ),
            holds(
                "PyPy has no reference counting: the dropped pool is terminated (with the "
                "ResourceWarning) only when a gc.collect() finds it.",
                implementations=("PyPy",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="pool-api.join-after-terminate",
        cite="Process Pools › Pool.join",
        statement="join() may follow terminate() as well as close().",
        explanation="After terminate() join() returns and every worker is dead.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.asyncresult-get-reraises",
        cite="Process Pools › AsyncResult.get",
        statement="AsyncResult.get() re-raises the exception the worker raised.",
        explanation="get() raises the worker's exception (same type and message) in the "
        "parent, chained from a RemoteTraceback whose text is the worker's traceback.",
        verdicts=(
            holds(
                "The cause is billiard.einfo.RemoteTraceback (billiard's own class) holding "
                "the worker's traceback.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool-api.asyncresult-wait",
        cite="Process Pools › AsyncResult.wait",
        statement="AsyncResult.wait(timeout) waits until the result is ready or the "
        "timeout passes, without raising.",
        explanation="wait(t) on an unfinished task returns None after t seconds, ready() "
        "still False; wait() returns once the task is done.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.asyncresult-ready",
        cite="Process Pools › AsyncResult.ready",
        statement="ready() tells whether the task has finished.",
        explanation="False while the task runs, True once it has returned or raised.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pool-api.asyncresult-successful",
        cite="Process Pools › AsyncResult.successful (ValueError since 3.7)",
        statement="successful() tells whether the task ended normally (no exception), and "
        "before the task has finished it raises ValueError.",
        explanation="True after a normal return, False after an exception; before the "
        "result is ready ValueError('<... object at 0x...> not ready').",
        verdicts=(
            fails(
                "billiard's successful() only asserts ready(): under -O, not ready, an "
                "ApplyResult raises AttributeError (no _success yet) and a MapResult "
                "returns True. Once ready, True or False as documented.",
                optimize=True,
                libraries=BILLIARD,
            ),
            partly(
                "billiard's successful() asserts ready(): a bare AssertionError, not "
                "ValueError, before the result is ready; True or False as documented after.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="pool-api.doc-example",
        cite="Process Pools (the usage example at the end of the section)",
        statement="The usage example prints the results of apply_async, map and the first "
        "few imap items, then a get(timeout) on a task that sleeps too long raises "
        "multiprocessing.TimeoutError.",
        explanation="Restated in our own code with the default context (cubes rather than "
        "the example's function: 125, [0, 1, 8, 27, 64, 125], then 0, 1 and 8), it "
        "prints those lines, and the TimeoutError ends the program "
        "with a traceback; leaving the with block terminates the sleeping worker.",
        verdicts=(
            holds(
                "It prints the same and ends with the TimeoutError, but leaving the with "
                "block takes some 6 s more: " + BILLIARD_SLOW_TERMINATE,
                libraries=BILLIARD,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="pool-api.default-size-affinity-313",
        cite="What's New in 3.13 › Other language changes (gh-109649); Process Pools › "
        "Pool (processes, changed in 3.13)",
        statement="From 3.13 Pool() with processes=None sizes itself by "
        "os.process_cpu_count(), the CPUs this process may use, rather than "
        "os.cpu_count().",
        explanation="A child interpreter pinned to one CPU gets a one-worker Pool() "
        "(checked by the article's test of pool.default-size, which carries this claim "
        "too).",
        verdicts=(
            na("the change is 3.13's; before, Pool() asks os.cpu_count()", python="<3.13"),
            fails(
                "billiard's Pool() asks os.cpu_count() on every Python (billiard.context's "
                "cpu_count): a pinned process still gets one worker per CPU of the machine.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
]

"""Section 进程池的map方法 (Pool.map)."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    Claim(
        id="map.ordered-results",
        cite="进程池的map方法, 案例",
        statement="Pool.map applies a function to every item in parallel, waits until all "
        "are done and returns their results.",
        explanation="map blocks until every item is processed and returns the results in "
        "input order, whatever order the workers finished in.",
        verdicts=(holds(),),
    ),
    Claim(
        id="map.article-example",
        cite="进程池的map方法, 案例 (numpy.arange(4), 3 processes)",
        statement="Mapping a printing function over numpy.arange(4) prints 0, 2, 4, 6.",
        explanation="All four values are printed, but in whatever order the workers get to "
        "them, not necessarily 0 2 4 6; map returns four None (the function returns "
        "nothing).",
        verdicts=(partly(),),
    ),
    Claim(
        id="map.fastest",
        cite="进程池的map方法 ¶1",
        statement="map is the quickest way to use many processes, bar none.",
        explanation="map is fast because it sends items in chunks (default chunksize "
        "ceil(len / (4 × workers))): far faster than one apply_async per item or one "
        "Process per item, but imap with the same chunksize is as fast, and the docs make "
        "no 'fastest' claim (they suggest imap with an explicit chunksize for long inputs, "
        "which map turns into a list first).",
        verdicts=(partly(),),
        measurements="benchmarks/results/map-fastest.json",
    ),
    Claim(
        id="map.workers-daemonic",
        cite="进程池的map方法, the closing remark",
        statement="The processes a Pool creates are daemonic.",
        explanation="Every pool worker has daemon=True, seen from the parent and from inside "
        "a task.",
        verdicts=(holds(),),
    ),
    Claim(
        id="map.no-nested-pool",
        cite="进程池的map方法, second example",
        statement="A task run by a Pool cannot create a Pool of its own: AssertionError "
        "'daemonic processes are not allowed to have children'.",
        explanation="The worker's Process.start() asserts it is not daemonic; map re-raises "
        "that AssertionError in the parent. Any daemonic Process is refused likewise. The "
        "check is an assert, so python -O removes it and nesting works; "
        "concurrent.futures.ProcessPoolExecutor workers are not daemonic and may nest.",
        verdicts=(
            fails(
                "billiard's Process.start() has no daemon check: a pool task starts a nested "
                "Pool that works, and any daemonic Process may start children. "
                "ProcessPoolExecutor(mp_context=<a billiard context>) works under fork only: "
                "under spawn and forkserver submit() raises RuntimeError (concurrent.futures "
                "builds its queues from the standard library).",
                libraries=("billiard",),
            ),
            fails("Under -O the assert is gone: the nested pool starts and works.", optimize=True),
            holds(
                "A pool task's nested Pool fails with the AssertionError, as on CPython. But "
                "the alternative does not work here: PyPy 3.9's standard library (7.3.10, "
                "7.3.11) renamed ProcessPoolExecutor._adjust_process_count to "
                "_adjust_process_count_cpython and left submit() calling the old name, so "
                "under spawn and forkserver every submit() (and map()) raises AttributeError "
                "\"'ProcessPoolExecutor' object has no attribute '_adjust_process_count'\" "
                "and no worker starts (a PyPy bug: pypy/pypy#3873, #3910). Under fork, which "
                "never calls it, executors work and nest.",
                methods=("spawn", "forkserver"),
                implementations=("PyPy",),
                python="==3.9",
            ),
            holds(
                "A pool task's nested Pool fails with the AssertionError. "
                "concurrent.futures always builds its queues from the standard library, so "
                "ProcessPoolExecutor(mp_context=<a multiprocess context>) works under fork "
                "only: under spawn and forkserver submit() raises RuntimeError "
                "'_SafeQueue objects should only be shared between processes through "
                "inheritance'.",
                methods=("spawn", "forkserver"),
                libraries=("multiprocess",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="map.closure-function",
        cite="(not in the article; cf. 进程类 › Attention! 2)",
        statement="The function given to a Pool is always pickled, so a closure or a lambda "
        "fails, even under fork.",
        explanation="Unlike a Process target under fork, a pool task is pickled into the "
        "task queue on every start method; map/get() raise the pickling error in the "
        "parent: PicklingError for a lambda, AttributeError \"Can't pickle local object\" "
        "for a closure (\"Can't get local object\" from 3.12.5, PicklingError from "
        "3.14). With an empty iterable nothing is pickled and map returns [].",
        verdicts=(
            fails(
                "multiprocess pickles with dill, which pickles lambdas and closures by value: "
                "map, map_async and apply_async run them and return their results on every "
                "start method.",
                libraries=("multiprocess",),
            ),
            fails(
                "billiard never reports the pickling error: its task handler catches it but "
                "files it under the wrong job, so map() blocks forever and "
                "map_async/apply_async(...).get(timeout) raise TimeoutError; the pool stays "
                "usable.",
                libraries=("billiard",),
            ),
            holds(
                "As on CPython, map/get() raise the pickling error in the parent on every "
                "start method and the pool stays usable; PyPy's pure-Python pickle raises "
                "pickle.PicklingError for both: \"Can't pickle <function <lambda> at "
                "0x...>: it's not found as <module>.<lambda>\" for a lambda, \"... it's not "
                "found as <module>.<outer>.<locals>.<name>\" for a closure.",
                implementations=("PyPy",),
            ),
            holds(
                "As before, map/get() raise the pickling error in the parent on every start "
                "method and the pool stays usable, but from 3.14 pickle raises "
                "pickle.PicklingError for both (gh-122311, pickle.whichmodule and "
                "_pickle.c): \"Can't pickle local object <function "
                "<outer>.<locals>.<name> at 0x...>\" for a closure (before: AttributeError), "
                "\"Can't pickle <function <lambda> at 0x...>: it's not found as "
                "<module>.<lambda>\" for a lambda (before: \"attribute lookup <lambda> on "
                "<module> failed\"), with notes naming where in the task the function sat "
                "(gh-122213: \"when serializing tuple item 2\" for apply_async).",
                python=">=3.14",
            ),
            holds(),
        ),
        beyond=True,
    ),
]

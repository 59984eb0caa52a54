"""进程池的map方法 — Pool.map: ordered results, the article's example, whether map is
"the fastest", daemonic workers, nested pools, and what can be mapped at all.

Article: 进程池的map方法, its opening sentence, its two examples and the closing remark.
"""

import itertools
import json
import math
import pickle
import re
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from benchmarks import map_fastest
from fixtures import pools
from mpspec import isolation, lib, support
from mpspec.deadlines import DEADLINE, WAIT

NESTED = "^daemonic processes are not allowed to have children$"
# How long a pinned hang is given to prove it is one: the error it replaces comes in
# milliseconds where it is reported at all.
HANG = 5 * WAIT
FOREIGN_QUEUE = "_SafeQueue objects should only be shared between processes through inheritance"
# PyPy 3.9's concurrent/futures/process.py defines _adjust_process_count_cpython but
# submit() still calls _adjust_process_count (pypy/pypy#3873, #3910, #4922).
PYPY_MISSING_METHOD = "'ProcessPoolExecutor' object has no attribute '_adjust_process_count'"


@pytest.mark.claim("map.ordered-results")
def test_map_returns_results_in_input_order_not_finishing_order(ctx):
    """map blocks until every item is done and returns the results in input order,
    although item 0 finished only after item 1 had."""
    shared = {"counter": ctx.Value("i", 0), "partner_done": ctx.Event()}
    with support.pool(ctx, 2, shared) as pool:
        results = pool.map(pools.finish_after_partner, range(6), chunksize=1)
    assert [(item, value) for item, value, _ in results] == [(i, i * i) for i in range(6)]
    finished = [order for _, _, order in results]
    assert finished[0] > finished[1]
    assert sorted(finished) == list(range(6))


@pytest.mark.claim("map.article-example")
def test_the_article_example_prints_each_double_once_in_any_order(start_method):
    """Run as a script, mapping a printing function over numpy.arange(4) with 3
    workers prints 0, 2, 4 and 6 once each, in some order, and map returns four None."""
    done = support.run_script("map_article_example.py", start_method)
    assert done.returncode == 0, done.stderr
    *printed, result = done.stdout.splitlines()
    assert sorted(printed, key=int) == ["0", "2", "4", "6"]
    assert result == "result [None, None, None, None]"


def collect(function, *args):
    """Call ``function`` in a thread, so that a chunked imap (whose generator takes no
    timeout) cannot hang the test past DEADLINE."""
    box = []
    thread = threading.Thread(target=lambda: box.append(function(*args)), daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if not box:
        raise support.ChildHung(f"{function.__name__} gave no result within {DEADLINE:g} s")
    return box[0]


@pytest.mark.claim("map.fastest")
def test_every_benchmarked_approach_computes_the_same_results(ctx):
    """The benchmark's contenders (map, chunked imap, imap, apply_async per item, a
    Process per item) all return the same list: they race on equal terms.  Eight
    items are enough to say so; the Process contender starts one child per item."""
    items = list(range(8))
    with support.pool(ctx, 2) as pool:
        for name, approach in map_fastest.APPROACHES.items():
            assert collect(approach, ctx, pool, items, 2) == [x * x for x in items], name


@pytest.mark.claim("map.fastest")
# Each case starts one process per chunk, so the cases are small: a remainder chunk
# (9, 2 -> 2,2,2,2,1), a quarter rounding up to 1 (4, 2) and three workers (16, 3).
# Between them they tell ceil(len / (4 × workers)) from floor and from 2 × workers.
@pytest.mark.parametrize("length, workers", [(9, 2), (4, 2), (16, 3)])
def test_map_sends_items_in_chunks_of_a_quarter_per_worker(ctx, length, workers):
    """map's default chunksize is ceil(len / (4 × workers)): with maxtasksperchild=1
    each worker process serves exactly one chunk, so the runs of equal pids in map's
    results have that length."""
    with support.pool(ctx, workers, maxtasksperchild=1) as pool:
        pids = pool.map(pools.pid_of, range(length))
    runs = [len(list(group)) for _, group in itertools.groupby(pids)]
    size = math.ceil(length / (4 * workers))
    assert runs == [size] * (length // size) + ([length % size] if length % size else [])


@pytest.mark.claim("map.fastest")
def test_the_benchmark_results_are_recorded_for_this_start_method(start_method):
    """benchmarks/results/map-fastest.json holds the measured ratios (title, columns,
    rows, summary, environment) with a row for this start method."""
    path = support.ROOT / "benchmarks" / "results" / "map-fastest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"title", "columns", "rows", "summary", "environment"}
    rows = {row[0]: row for row in data["rows"]}
    assert len(rows[start_method]) == len(data["columns"])


@pytest.mark.claim("map.workers-daemonic")
def test_pool_workers_are_daemonic(ctx):
    """Every worker has daemon=True, as the parent sees it and as a task sees its own
    process."""
    with support.pool(ctx, 2) as pool:
        assert [w.daemon for w in pool._pool] == [True, True]
        assert pool.map(pools.is_daemon, range(4), chunksize=1) == [True] * 4


@pytest.mark.claim("map.no-nested-pool")
def test_a_task_cannot_start_a_pool_of_its_own(ctx, start_method, verdict):
    """A task that creates a Pool fails in the worker with AssertionError('daemonic
    processes are not allowed to have children'), which map re-raises in the parent
    (under -O, and always with billiard, the nested pool works)."""
    with support.pool(ctx, 2, {"method": start_method}) as pool:
        if verdict == "holds":
            with pytest.raises(AssertionError, match=NESTED):
                pool.map(pools.map_in_nested_pool, [1, 10])
        else:
            assert pool.map(pools.map_in_nested_pool, [1, 10]) == [[1, 4], [100, 121]]
    isolation.remove_pymp_dirs_of_the_killed("the workers, terminated with the pool after making pools of their own")


@pytest.mark.claim("map.no-nested-pool")
def test_a_daemon_process_cannot_start_a_child_either(ctx, start_method, verdict):
    """Any daemonic Process, not just a pool worker, is refused a child by the same
    AssertionError (billiard lets it start one)."""
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pools.start_child_process, args=(writer, start_method), daemon=True)
    child.start()
    support.join(child)
    seen = support.receive(reader)
    if verdict == "holds":
        assert seen == ("AssertionError", NESTED.strip("^$"))
    else:
        assert seen == ("started", 0)


@pytest.mark.claim("map.no-nested-pool")
@pytest.mark.parametrize("optimize", [False, True], ids=["plain", "-O"])
def test_the_article_nested_example_as_a_script(start_method, optimize, facts):
    """Run as a script, the nested-pool example fails with the AssertionError; under
    python -O, which strips asserts, the nested pools run and return their results (with
    billiard, which has no such check, they always do)."""
    done = support.run_script("map_nested_pool.py", start_method, optimize=optimize)
    # Where the nested pools run, the outer pool's terminate() kills workers that made
    # pools of their own, before their exit handlers run.
    isolation.remove_pymp_dirs_of_the_killed("the outer pool's workers, terminated with their nested pools")
    assert done.returncode == 0, done.stderr
    if optimize or facts.library == "billiard":
        assert done.stdout == "result [[1, 4], [100, 121]]\n"
    else:
        assert done.stdout == "error AssertionError: daemonic processes are not allowed to have children\n"


@pytest.mark.claim("map.no-nested-pool")
def test_process_pool_executor_workers_are_not_daemonic_and_may_nest(ctx, start_method, facts):
    """concurrent.futures.ProcessPoolExecutor workers are not daemonic: a task can run
    its own ProcessPoolExecutor.  With a multiprocess or billiard context that works
    under fork only: under spawn and forkserver submit() raises RuntimeError, because
    concurrent.futures builds its queues from the standard library, whose pickling
    check does not know the other library's spawning process.  PyPy 3.9 (7.3.10,
    7.3.11) cannot run ProcessPoolExecutor under spawn or forkserver at all: submit()
    calls a method its standard library renamed, and raises AttributeError."""
    with ProcessPoolExecutor(1, mp_context=ctx) as executor:
        if facts.implementation == "PyPy" and facts.python[:2] == (3, 9) and start_method != "fork":
            with pytest.raises(AttributeError, match=f"^{PYPY_MISSING_METHOD}$"):
                executor.submit(pools.nest_executor, start_method)
            assert ctx.active_children() == []  # no worker was started
        elif facts.library != "multiprocessing" and start_method != "fork":
            with pytest.raises(RuntimeError, match=f"^{FOREIGN_QUEUE}$"):
                executor.submit(pools.nest_executor, start_method)
        else:
            assert executor.submit(pools.nest_executor, start_method).result(DEADLINE) == (False, 49)


# A lambda at module level: pickle finds no attribute named "<lambda>" to refer to.
double = lambda x: 2 * x  # noqa: E731


def _local_function():
    def triple(x):
        return 3 * x

    return triple


@pytest.mark.claim("map.closure-function")
def test_a_lambda_or_closure_cannot_be_mapped_even_under_fork(ctx, start_method, facts, verdict):
    """On every start method, fork included, map raises in the parent the error of
    pickling the function: PicklingError for a lambda, AttributeError for a closure
    ("Can't pickle local object", "Can't get local object" from 3.12.5; from 3.14
    PicklingError "Can't pickle local object <function ...>", with notes naming the
    task tuple's items; PyPy: PicklingError "it's not found as ..." for both); the pool
    stays usable.  multiprocess (dill) maps them fine; billiard never reports the
    error, so the result never comes."""
    if verdict == "does-not-hold":
        with support.pool(ctx, 1) as pool:
            if facts.library == "multiprocess":
                assert pool.map(double, [1, 2]) == [2, 4]
                assert pool.map(_local_function(), [1, 2]) == [3, 6]
                assert pool.apply_async(_local_function(), (1,)).get(DEADLINE) == 3
            else:
                billiard_never_reports_the_pickling_error(pool)
            assert pool.map(pools.square, [3]) == [9]
        return
    lambda_error, closure_error = pickling_errors(facts)
    with support.pool(ctx, 1) as pool:
        with pytest.raises(Exception) as excinfo:
            pool.map(double, [1, 2])
        assert_pickling_error(excinfo, (pickle.PicklingError, lambda_error), facts, MAP_NOTES)
        with pytest.raises(Exception) as excinfo:
            pool.map(_local_function(), [1, 2])
        assert_pickling_error(excinfo, closure_error, facts, MAP_NOTES)
        with pytest.raises(Exception) as excinfo:
            pool.apply_async(_local_function(), (1,)).get(DEADLINE)
        assert_pickling_error(excinfo, closure_error, facts, APPLY_NOTES)
        assert pool.map(pools.square, [3]) == [9]
    if start_method == "fork":  # the contrast: a Process target is not pickled under fork
        assert support.run(ctx, _local_function(), 1).exitcode == 0


# The notes 3.14's pickle adds on the way out of the task it could not pickle, innermost
# first.  A task is (job, i, func, args, kwds): apply_async's function is its item 2;
# map's task calls mapstar with args ((function, chunk),), so the function is item 0 of
# item 0 of item 3.
MAP_NOTES = ["when serializing tuple item 0", "when serializing tuple item 0", "when serializing tuple item 3"]
APPLY_NOTES = ["when serializing tuple item 2"]


def assert_pickling_error(excinfo, expected, facts, notes):
    """The exception is of the expected type, its message matches, and from 3.14 it
    carries the notes pickle adds (gh-122213); before, none."""
    error, message = expected
    assert isinstance(excinfo.value, error), repr(excinfo.value)
    assert re.match(message, str(excinfo.value)), str(excinfo.value)
    if facts.implementation == "CPython" and facts.python >= (3, 14):
        assert excinfo.value.__notes__ == notes
    else:
        assert getattr(excinfo.value, "__notes__", []) == []


def pickling_errors(facts):
    """The message of the PicklingError for ``double`` (a lambda), and the exception
    type and message for ``_local_function()`` (a closure), per implementation and
    Python version."""
    if facts.implementation == "PyPy":  # the pure-Python pickle: PicklingError for both
        def not_found(name, qualname):
            return "^" + re.escape(f"Can't pickle <function {name} at 0x") + "[0-9a-f]+" + re.escape(
                f">: it's not found as {__name__}.{qualname}") + "$"

        triple = "_local_function.<locals>.triple"
        return not_found("<lambda>", "<lambda>"), (pickle.PicklingError, not_found(triple, triple))
    if facts.python >= (3, 14):  # gh-122311: pickle.whichmodule raises PicklingError
        local = r"^Can't pickle local object <function _local_function\.<locals>\.triple at 0x[0-9a-f]+>$"
        lambda_error = r"^Can't pickle <function <lambda> at 0x[0-9a-f]+>: it's not found as " + re.escape(
            f"{__name__}.<lambda>") + "$"
        return lambda_error, (pickle.PicklingError, local)
    local = "get" if facts.python >= (3, 12, 5) else "pickle"
    closure_error = "^" + re.escape(f"Can't {local} local object '_local_function.<locals>.triple'") + "$"
    lambda_error = r"^Can't pickle <function <lambda> at 0x[0-9a-f]+>: attribute lookup <lambda> on [\w.]+ failed$"
    return lambda_error, (AttributeError, closure_error)


def billiard_never_reports_the_pickling_error(pool):
    """billiard's task handler catches the pickling error but files it under the job
    whose id equals its TASK constant (2), not under the failed job: pending jobs get
    no result.  Make sure no job of ours has that id, then pin the hang with short
    deadlines (pool.map itself would block forever)."""
    while pool.apply_async(pools.square, (1,))._job < 2:
        pass
    timeout_error = lib.mp.TimeoutError
    for function in (double, _local_function()):
        with pytest.raises(timeout_error):
            pool.map_async(function, [1, 2]).get(HANG)
        with pytest.raises(timeout_error):
            pool.apply_async(function, (1,)).get(HANG)


@pytest.mark.claim("map.closure-function")
def test_mapping_a_lambda_over_nothing_returns_an_empty_list(ctx):
    """With an empty iterable no task is made, so nothing is pickled: map(lambda,
    []) returns [] on every start method."""
    with support.pool(ctx, 1) as pool:
        assert pool.map(lambda x: x, []) == []
        assert pool.map_async(_local_function(), []).get(DEADLINE) == []

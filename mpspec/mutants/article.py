"""Mutants of the behaviours the article's chapters rely on."""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import pickle
import queue
import sys
import threading
import types

from mpspec.mutants import mutant, sub


class QueueFull(Exception):
    """Not queue.Full: what a mutant raises instead."""


class QueueEmpty(Exception):
    """Not queue.Empty: what a mutant raises instead."""


def _ascii(obj):
    return obj.encode("ascii", "replace").decode("ascii") if isinstance(obj, str) else obj


# --- Process ----------------------------------------------------------------------


class _InParentPopen:
    """Runs the process's run() right here, in the parent, and looks finished."""

    def __init__(self, process_obj):
        self.pid = os.getpid()
        read, write = os.pipe()
        os.close(write)
        self.sentinel = read
        try:
            process_obj.run()
            self.returncode = 0
        except SystemExit as exc:
            self.returncode = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            self.returncode = 1

    def poll(self, flag=os.WNOHANG):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode

    def terminate(self):
        pass

    kill = terminate

    def close(self):
        os.close(self.sentinel)


def _process_classes(mp):
    context = sub("context")
    names = ("Process", "ForkProcess", "SpawnProcess", "ForkServerProcess")
    return [getattr(context, n) for n in names if hasattr(context, n)]


@mutant(
    "start-runs-in-parent",
    ["ipc.no-shared-data", "basics.processes-share-machine", "basics.thread-in-process", "process.closure-target"],
    "Process.start() runs the target in the parent process instead of a child",
)
def _(mp):
    for cls in _process_classes(mp):
        cls._Popen = staticmethod(_InParentPopen)


@mutant(
    "pid-is-parents",
    ["basics.thread-in-process", "basics.process-identity", "process.target-args", "process.subclass-run"],
    "Process.pid reports the parent's pid",
)
def _(mp):
    sub("process").BaseProcess.pid = property(lambda self: os.getpid() if self._popen else None)


@mutant("parent-process-none", ["basics.process-identity"], "parent_process() returns None in a child")
def _(mp):
    none = lambda: None  # noqa: E731
    sub("process").parent_process = none
    sub("context").BaseContext.parent_process = staticmethod(none)
    mp.parent_process = none


@mutant("target-in-a-thread", ["basics.main-thread"], "the child runs its target on a second thread, not the main one")
def _(mp):
    BaseProcess = sub("process").BaseProcess
    run = BaseProcess.run

    def threaded_run(self):
        thread = threading.Thread(target=run, args=(self,))
        thread.start()
        thread.join()

    BaseProcess.run = threaded_run


@mutant(
    "dummy-is-a-real-process",
    ["basics.threads-share"],
    "multiprocessing.dummy.Process is a real (fork) process, not a thread",
)
def _(mp):
    sub("dummy").Process = mp.get_context("fork").Process


@mutant("close-is-a-no-op", ["process.thread-like-api"], "Process.close() does nothing")
def _(mp):
    sub("process").BaseProcess.close = lambda self: None


@mutant("kwargs-dropped", ["process.target-args"], "Process(kwargs=...) is ignored")
def _(mp):
    BaseProcess = sub("process").BaseProcess
    init = BaseProcess.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._kwargs = {}

    BaseProcess.__init__ = __init__


@mutant("overridden-run-ignored", ["process.subclass-run"], "the child calls BaseProcess.run, not the subclass's run()")
def _(mp):
    BaseProcess = sub("process").BaseProcess
    bootstrap = BaseProcess._bootstrap

    def _bootstrap(self, *args, **kwargs):
        self.run = types.MethodType(BaseProcess.run, self)
        return bootstrap(self, *args, **kwargs)

    BaseProcess._bootstrap = _bootstrap


@mutant("name-setter-accepts-anything", ["process.name-must-be-str"], "the name setter has no assert")
def _(mp):
    BaseProcess = sub("process").BaseProcess
    BaseProcess.name = property(BaseProcess.name.fget, lambda self, name: setattr(self, "_name", name))


@mutant("exitcode-always-0", ["process.no-return-value"], "exitcode is 0 for every finished child")
def _(mp):
    def exitcode(self):
        if self._popen is None or self._popen.poll() is None:
            return None
        return 0

    sub("process").BaseProcess.exitcode = property(exitcode)


@mutant(
    "spawn-falls-back-to-fork",
    ["process.closure-target"],
    "spawn and forkserver quietly fork when the target cannot be pickled",
)
def _(mp):
    context = sub("context")
    fork_popen = context.ForkProcess._Popen
    for cls in (context.SpawnProcess, context.ForkServerProcess):
        original = cls._Popen

        def _Popen(process_obj, original=original):
            try:
                return original(process_obj)
            except (pickle.PicklingError, AttributeError, TypeError):
                return fork_popen(process_obj)

        cls._Popen = staticmethod(_Popen)


@mutant("main-not-reimported", ["process.main-guard"], "spawn and forkserver children do not re-import __main__")
def _(mp):
    spawn = sub("spawn")
    spawn._fixup_main_from_path = lambda main_path: None
    spawn._fixup_main_from_name = lambda mod_name: None


@mutant("no-forkserver", ["process.start-methods"], "get_all_start_methods() leaves out forkserver")
def _(mp):
    context = sub("context")
    everything = context.DefaultContext.get_all_start_methods

    def get_all_start_methods(self=None):
        return [m for m in everything(context._default_context) if m != "forkserver"]

    context.DefaultContext.get_all_start_methods = get_all_start_methods
    mp.get_all_start_methods = lambda: get_all_start_methods()


@mutant(
    "daemon-may-have-children",
    ["map.no-nested-pool"],
    "the assert that stops a daemonic process from starting children is gone",
)
def _(mp):
    process = sub("process")
    start = process.BaseProcess.start

    def unguarded_start(self):
        config = process.current_process()._config
        daemon = config.pop("daemon", None)
        try:
            return start(self)
        finally:
            if daemon is not None:
                config["daemon"] = daemon

    process.BaseProcess.start = unguarded_start


@mutant(
    "daemon-flag-ignored",
    ["map.workers-daemonic", "map.no-nested-pool"],
    "setting Process.daemon has no effect",
)
def _(mp):
    BaseProcess = sub("process").BaseProcess
    BaseProcess.daemon = property(BaseProcess.daemon.fget, lambda self, value: None)


@mutant(
    "no-exit-handler",
    ["pool.exit-without-join"],
    "the exit handler (terminate daemonic children, join the others) is not installed",
)
def _(mp):
    atexit.unregister(sub("util")._exit_function)


# --- Queue ------------------------------------------------------------------------


def _queue_class():
    return sub("queues").Queue


@mutant("queue-ascii-only", ["queue.round-trip"], "Queue.put() replaces non-ASCII characters of a str")
def _(mp):
    Queue = _queue_class()
    put = Queue.put
    Queue.put = lambda self, obj, *a, **k: put(self, _ascii(obj), *a, **k)


_PUTS = itertools.count(1)


@mutant("queue-loses-items", ["queue.process-safe", "queue.fifo"], "Queue.put() drops every 50th item a process puts")
def _(mp):
    Queue = _queue_class()
    put = Queue.put

    def lossy_put(self, obj, *args, **kwargs):
        if next(_PUTS) % 50:
            put(self, obj, *args, **kwargs)

    Queue.put = lossy_put


@mutant("queue-swaps-neighbours", ["queue.fifo"], "Queue.put() sends items two by two, the second first")
def _(mp):
    Queue = _queue_class()
    put = Queue.put
    missing = object()

    def swapping_put(self, obj, *args, **kwargs):
        held = self.__dict__.pop("_mpspec_held", missing)
        if held is missing:
            self._mpspec_held = obj
            return
        put(self, obj, *args, **kwargs)
        put(self, held, *args, **kwargs)

    Queue.put = swapping_put


@mutant("put-ignores-timeout", ["queue.put-timeout-full"], "put(timeout=t) on a full queue raises Full at once")
def _(mp):
    Queue = _queue_class()
    put = Queue.put

    def impatient_put(self, obj, block=True, timeout=None):
        return put(self, obj, block and timeout is None, timeout)

    Queue.put = impatient_put


def _raise_own_when_not_blocking(name, block_position, caught, replacement):
    """Patch Queue.<name> so that, called with block=False, it raises ``replacement``
    instead of ``caught``.  ``block_position``: where ``block`` sits among the
    positional arguments after self."""
    Queue = _queue_class()
    original = getattr(Queue, name)

    @functools.wraps(original)
    def patched(self, *args, **kwargs):
        block = args[block_position] if len(args) > block_position else kwargs.get("block", True)
        try:
            return original(self, *args, **kwargs)
        except caught:
            if block:
                raise
            raise replacement from None

    setattr(Queue, name, patched)


@mutant(
    "full-is-another-exception",
    ["queue.put-nowait-full", "queue.exception-names"],
    "a non-blocking put() on a full queue raises an exception of its own, not queue.Full",
)
def _(mp):
    _raise_own_when_not_blocking("put", 1, queue.Full, QueueFull("queue is full"))


@mutant("get-ignores-timeout", ["queue.get-timeout-empty"], "get(timeout=t) on an empty queue raises Empty at once")
def _(mp):
    Queue = _queue_class()
    get = Queue.get

    def impatient_get(self, block=True, timeout=None):
        return get(self, block and timeout is None, timeout)

    Queue.get = impatient_get


@mutant(
    "empty-is-another-exception",
    ["queue.get-nowait"],
    "a non-blocking get() on an empty queue raises an exception of its own, not queue.Empty",
)
def _(mp):
    _raise_own_when_not_blocking("get", 0, queue.Empty, QueueEmpty("queue is empty"))


@mutant("queue-has-full-and-empty", ["queue.exception-names"], "Queue gains the Full and Empty attributes the article uses")
def _(mp):
    context = sub("context")
    for holder in (_queue_class(), context.BaseContext.Queue):
        holder.Full, holder.Empty = queue.Full, queue.Empty


@mutant("default-maxsize-32767", ["queue.unbounded-default"], "Queue() without a positive maxsize holds 32767 items")
def _(mp):
    Queue = _queue_class()
    init = Queue.__init__

    def __init__(self, maxsize=0, *args, **kwargs):
        init(self, maxsize if maxsize > 0 else 32767, *args, **kwargs)

    Queue.__init__ = __init__


# --- Pipe -------------------------------------------------------------------------


def _patch_pipe(make):
    connection = sub("connection")
    connection.Pipe = make(connection.Pipe)


@mutant(
    "pipe-ends-not-connected",
    ["pipe.two-ends", "pipe.round-trip", "pipe.duplex-default"],
    "Pipe() returns one end of each of two different pipes",
)
def _(mp):
    def make(Pipe):
        def unconnected(duplex=True):
            if not duplex:
                return Pipe(duplex)
            first, _ = Pipe(True)
            _, second = Pipe(True)
            return first, second

        return unconnected

    _patch_pipe(make)


@mutant("send-ascii-only", ["pipe.round-trip"], "Connection.send() replaces non-ASCII characters of a str")
def _(mp):
    Connection = sub("connection").Connection
    send = Connection.send
    Connection.send = lambda self, obj: send(self, _ascii(obj))


@mutant("pipe-simplex-by-default", ["pipe.duplex-default"], "Pipe() is one-way unless duplex=True is passed")
def _(mp):
    connection = sub("connection")
    sub("context").BaseContext.Pipe = lambda self, duplex=False: connection.Pipe(duplex)


@mutant("simplex-ends-swapped", ["pipe.simplex"], "Pipe(duplex=False) returns (send end, receive end)")
def _(mp):
    def make(Pipe):
        def swapped(duplex=True):
            first, second = Pipe(duplex)
            return (first, second) if duplex else (second, first)

        return swapped

    _patch_pipe(make)


@mutant("close-keeps-the-fd", ["pipe.eof"], "Connection.close() leaves the descriptor open")
def _(mp):
    sub("connection").Connection.close = lambda self: None


@mutant("lock-does-not-lock", ["pipe.concurrent-same-end"], "`with lock:` on a Lock does not acquire it")
def _(mp):
    Lock = sub("synchronize").Lock
    Lock.__enter__ = lambda self: True
    Lock.__exit__ = lambda self, *exc: None


# --- Pool -------------------------------------------------------------------------


def _pool_class():
    return sub("pool").Pool


def _default_size():
    return (getattr(os, "process_cpu_count", None) or os.cpu_count)() or 1


@mutant(
    "pool-one-extra-worker",
    [
        "pool.eager-workers", "pool.bounded-concurrency", "pool.worker-reuse", "pool.idle-workers",
        "pool.default-size", "pool.sample-output", "pool.methods",
    ],
    "Pool(n) starts n + 1 workers",
)
def _(mp):
    Pool = _pool_class()
    init = Pool.__init__

    def __init__(self, processes=None, *args, **kwargs):
        init(self, (processes or _default_size()) + 1, *args, **kwargs)

    Pool.__init__ = __init__


@mutant(
    "maxtasksperchild-ignored",
    ["pool.worker-reuse", "pool-api.maxtasksperchild"],
    "Pool(maxtasksperchild=k) never replaces a worker",
)
def _(mp):
    Pool = _pool_class()
    init = Pool.__init__

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, *args, **kwargs):
        init(self, processes, initializer, initargs, None, *args, **kwargs)

    Pool.__init__ = __init__


@mutant(
    "apply-async-waits",
    ["pool.apply-async-nonblocking", "pool.sample-output"],
    "apply_async() waits for the task to finish before it returns",
)
def _(mp):
    Pool = _pool_class()
    apply_async = Pool.apply_async

    def waiting_apply_async(self, *args, **kwargs):
        result = apply_async(self, *args, **kwargs)
        result.wait()
        return result

    Pool.apply_async = waiting_apply_async


@mutant("apply-does-not-wait", ["pool.apply-blocking"], "apply() returns an AsyncResult at once, like apply_async()")
def _(mp):
    Pool = _pool_class()
    Pool.apply = lambda self, func, args=(), kwds={}: self.apply_async(func, args, kwds)


_SUBMITTED = itertools.count()


@mutant(
    "pool-delays-every-other-task",
    ["pool.fifo-dispatch"],
    "apply_async() hands every other task to the workers 0.2 s late, so later tasks overtake it",
)
def _(mp):
    pool = sub("pool")

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = pool.ApplyResult(self, callback, error_callback)
        task = ([(result._job, 0, func, args, kwds)], None)
        if next(_SUBMITTED) % 2 == 0:
            threading.Timer(0.2, self._taskqueue.put, (task,)).start()
        else:
            self._taskqueue.put(task)
        return result

    pool.Pool.apply_async = apply_async


@mutant("join-without-close", ["pool.join-requires-close"], "join() on a running pool closes it instead of raising")
def _(mp):
    pool = sub("pool")
    join = pool.Pool.join

    def lenient_join(self):
        if self._state == pool.RUN:
            self.close()
        return join(self)

    pool.Pool.join = lenient_join


@mutant("closed-pool-accepts-tasks", ["pool.closed-rejects-tasks"], "a closed pool still accepts tasks")
def _(mp):
    _pool_class()._check_running = lambda self: None


@mutant("join-returns-at-once", ["pool.join-waits", "pool.idle-workers"], "Pool.join() returns without waiting")
def _(mp):
    pool = sub("pool")

    def hasty_join(self):
        if self._state == pool.RUN:
            raise ValueError("Pool is still running")

    pool.Pool.join = hasty_join


@mutant("join-leaves-workers", ["pool.idle-workers"], "Pool.join() does not join the worker processes")
def _(mp):
    pool = sub("pool")

    def partial_join(self):
        if self._state == pool.RUN:
            raise ValueError("Pool is still running")
        self._worker_handler.join()
        self._task_handler.join()
        self._result_handler.join()

    pool.Pool.join = partial_join


@mutant("with-pool-closes", ["pool.context-manager"], "leaving `with Pool()` calls close(), not terminate()")
def _(mp):
    _pool_class().__exit__ = lambda self, *exc: self.close()


@mutant("starmap-does-not-unpack", ["pool.methods"], "starmap() passes each tuple as one argument, like map()")
def _(mp):
    Pool = _pool_class()
    Pool.starmap = lambda self, func, iterable, chunksize=None: self.map(func, iterable, chunksize)
    Pool.starmap_async = lambda self, func, iterable, chunksize=None, *a, **k: self.map_async(func, iterable, chunksize, *a, **k)


def _silenced(initializer, *args):
    """A worker initializer that sends the worker's stdout nowhere first."""
    sys.stdout = open(os.devnull, "w")
    if initializer is not None:
        initializer(*args)


@mutant(
    "pool-workers-silenced",
    ["map.article-example", "pool.sample-output"],
    "pool workers' standard output goes nowhere",
)
def _(mp):
    Pool = _pool_class()
    init = Pool.__init__

    def __init__(self, processes=None, initializer=None, *args, **kwargs):
        init(self, processes, functools.partial(_silenced, initializer), *args, **kwargs)

    Pool.__init__ = __init__


# --- map --------------------------------------------------------------------------


@mutant(
    "map-completion-order",
    ["map.ordered-results", "map.fastest"],
    "map() returns the results in the order the tasks finished",
)
def _(mp):
    Pool = _pool_class()
    Pool.map = lambda self, func, iterable, chunksize=None: list(self.imap_unordered(func, iterable, chunksize or 1))


@mutant("map-chunksize-one", ["map.fastest"], "map() sends one item per task by default")
def _(mp):
    Pool = _pool_class()
    map_async = Pool._map_async

    def _map_async(self, func, iterable, mapper, chunksize=None, *args, **kwargs):
        return map_async(self, func, iterable, mapper, chunksize or 1, *args, **kwargs)

    Pool._map_async = _map_async


@mutant(
    "map-runs-unpicklable-in-parent",
    ["map.closure-function"],
    "map() runs a function it cannot pickle in the parent instead of raising",
)
def _(mp):
    Pool = _pool_class()
    map_ = Pool.map

    def forgiving_map(self, func, iterable, chunksize=None):
        try:
            return map_(self, func, iterable, chunksize)
        except (pickle.PicklingError, AttributeError):
            return [func(item) for item in iterable]

    Pool.map = forgiving_map

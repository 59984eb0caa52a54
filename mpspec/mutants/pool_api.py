"""Mutants of the behaviours the docs chapter `pool-api` relies on (multiprocessing's
pool module: Pool, ApplyResult, MapResult and the imap iterators)."""

from __future__ import annotations

import os
import sys
import threading

from mpspec.mutants import change_arguments, mutant, replacing, sub


@mutant(
    "imap-unordered-repeats",
    ["pool-api.imap-unordered-complete"],
    "imap_unordered yields every result twice",
)
@replacing("pool.IMapUnorderedIterator", "_set")
def _set(original, self, i, obj):
    original(self, i, obj)
    with self._cond:
        self._items.append(obj)
        self._cond.notify()


@mutant(
    "imap-unordered-reversed",
    ["pool-api.imap-unordered-single-worker-ordered"],
    "imap_unordered hands out its items last first (the iterable is reversed)",
)
@replacing("pool.Pool", "imap_unordered")
def imap_unordered(original, self, func, iterable, chunksize=1):
    return original(self, func, list(iterable)[::-1], chunksize)


@mutant(
    "get-timeout-returns-none",
    ["pool-api.get-timeout-raises", "pool-api.doc-example"],
    "AsyncResult.get(timeout) returns None when the result is not ready in time, "
    "instead of raising TimeoutError",
)
@replacing("pool.ApplyResult", "get")
def get_timeout_returns_none(original, self, timeout=None):
    self.wait(timeout)
    return original(self, 0) if self.ready() else None


@mutant(
    "pool-picklable",
    ["pool-api.creator-only"],
    "A Pool no longer refuses to be pickled (its __reduce__ is the default one)",
)
def _(mp):
    del sub("pool").Pool.__reduce__


@mutant(
    "initializer-runs-twice",
    ["pool-api.initializer"],
    "Each worker calls its initializer twice when it starts",
)
def _(mp):
    pool = sub("pool")
    original = pool.worker

    def worker(inqueue, outqueue, initializer=None, initargs=(), *args, **kwargs):
        if initializer is not None:
            initializer(*initargs)
        return original(inqueue, outqueue, initializer, initargs, *args, **kwargs)

    # Pickled by reference as <pool module>.worker, like the original.
    worker.__module__, worker.__name__, worker.__qualname__ = pool.__name__, "worker", "worker"
    pool.worker = worker


# maxtasksperchild ignored: the article's mutant "maxtasksperchild-ignored" covers
# pool-api.maxtasksperchild too (mpspec/mutants/pool.py).


@mutant(
    "pool-context-ignored",
    ["pool-api.context-arg"],
    "Pool ignores its context argument and starts workers with the default context",
)
def _(mp):
    change_arguments(sub("pool").Pool, lambda arguments: arguments.update(context=None))


@mutant(
    "pool-gc-silent",
    ["pool-api.must-close-or-terminate", "pool-api.gc-terminates"],
    "A running pool that is garbage collected no longer warns ResourceWarning",
)
def _(mp):
    del sub("pool").Pool.__del__


_KEPT = []


@mutant(
    "pool-kept-alive",
    ["pool-api.gc-terminates"],
    "Every pool is kept alive by a module-level list: dropping it never terminates it",
)
def _(mp):
    change_arguments(sub("pool").Pool, lambda arguments: _KEPT.append(arguments["self"]))


@mutant(
    "apply-in-caller",
    ["pool-api.apply-one-worker"],
    "Pool.apply runs the function in the calling process instead of a worker",
)
def _(mp):
    def apply(self, func, args=(), kwds={}):  # noqa: B006 (the original's signature)
        return func(*args, **kwds)

    sub("pool").Pool.apply = apply


@mutant(
    "error-goes-to-callback",
    ["pool-api.apply-async-callback", "pool-api.map-async-callbacks", "pool-api.starmap-async"],
    "When a task fails, the exception goes to callback instead of error_callback",
)
def _(mp):
    module = sub("pool")
    for cls in (module.ApplyResult, module.MapResult):
        original = cls.__dict__["_set"]

        def _set(self, i, obj, _original=original):
            if not obj[0] and self._callback is not None:
                self._error_callback = self._callback
            return _original(self, i, obj)

        cls._set = _set


@mutant(
    "callbacks-in-own-thread",
    ["pool-api.callbacks-in-parent-thread"],
    "Callbacks run in a new thread each, so a slow one no longer holds up other results",
)
@replacing("pool.ApplyResult", "__init__")
def callbacks_in_own_thread(original, self, pool, callback, error_callback):
    if callback is not None:
        def callback(value, _callback=callback):
            threading.Thread(target=_callback, args=(value,), daemon=True).start()
    original(self, pool, callback, error_callback)


@mutant(
    "map-ignores-chunksize",
    ["pool-api.map-blocks-chunks"],
    "map (and map_async, starmap...) ignore chunksize and send one item per task",
)
@replacing("pool.Pool", "_map_async")
def _map_async(original, self, func, iterable, mapper, chunksize=None, *args, **kwargs):
    return original(self, func, iterable, mapper, 1, *args, **kwargs)


@mutant(
    "imap-materializes",
    ["pool-api.map-memory"],
    "imap turns its whole iterable into a list before sending the first task",
)
@replacing("pool.Pool", "imap")
def imap_materializes(original, self, func, iterable, chunksize=1):
    return original(self, func, list(iterable), chunksize)


@mutant(
    "imap-reversed",
    ["pool-api.imap-lazy-ordered"],
    "imap gives its results last first (the iterable is reversed)",
)
@replacing("pool.Pool", "imap")
def imap_reversed(original, self, func, iterable, chunksize=1):
    return original(self, func, list(iterable)[::-1], chunksize)


@mutant(
    "imap-next-timeout-stops",
    ["pool-api.imap-next-timeout"],
    "The imap iterator's next(timeout) ends the iteration (StopIteration) when the "
    "timeout passes, instead of raising TimeoutError",
)
def _(mp):
    module = sub("pool")
    iterator = module.IMapIterator
    original = iterator.next

    def next(self, timeout=None):
        try:
            return original(self, timeout)
        except module.TimeoutError:
            raise StopIteration from None

    iterator.next = iterator.__next__ = next


@mutant(
    "starmap-no-unpack",
    ["pool-api.starmap-unpacks", "pool-api.starmap-async"],
    "starmap and starmap_async pass each tuple as one argument (as map does)",
)
def _(mp):
    pool = sub("pool").Pool

    def starmap(self, func, iterable, chunksize=None):
        return self.map(func, iterable, chunksize)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self.map_async(func, iterable, chunksize, callback, error_callback)

    pool.starmap, pool.starmap_async = starmap, starmap_async


@mutant(
    "close-terminates",
    ["pool-api.close-drains"],
    "close() terminates the pool: queued tasks are abandoned",
)
def _(mp):
    sub("pool").Pool.close = lambda self: self.terminate()


@mutant(
    "terminate-fails-pending",
    ["pool-api.terminate-abandons"],
    "terminate() completes every outstanding result with an error (they become ready)",
)
@replacing("pool.Pool", "terminate")
def terminate(original, self):
    for job in list(self._cache.values()):
        job._set(0, (False, RuntimeError("terminated")))
    return original(self)


@mutant(
    "join-refuses-after-terminate",
    ["pool-api.join-after-terminate"],
    "join() after terminate() raises ValueError, as join() on a running pool does",
)
@replacing("pool.Pool", "join")
def join_refuses_after_terminate(original, self):
    if self._state == sub("pool").TERMINATE:
        raise ValueError("Pool was terminated")
    return original(self)


@mutant(
    "get-wraps-exception",
    ["pool-api.asyncresult-get-reraises"],
    "AsyncResult.get() raises RuntimeError from the worker's exception instead of "
    "that exception",
)
@replacing("pool.ApplyResult", "get")
def get_wraps_exception(original, self, timeout=None):
    try:
        return original(self, timeout)
    except sub("pool").TimeoutError:
        raise
    except Exception as exc:
        raise RuntimeError("the task failed") from exc


@mutant(
    "wait-raises-on-timeout",
    ["pool-api.asyncresult-wait"],
    "AsyncResult.wait(timeout) raises TimeoutError when the timeout passes",
)
@replacing("pool.ApplyResult", "wait")
def wait(original, self, timeout=None):
    original(self, timeout)
    if not self.ready():
        raise sub("pool").TimeoutError


@mutant(
    "ready-always-true",
    ["pool-api.asyncresult-ready"],
    "AsyncResult.ready() is True from the start",
)
def _(mp):
    module = sub("pool")

    def ready(self):
        return True

    def get(self, timeout=None):
        self._event.wait(timeout)
        if not self._event.is_set():
            raise module.TimeoutError
        if self._success:
            return self._value
        raise self._value

    module.ApplyResult.ready, module.ApplyResult.get = ready, get


@mutant(
    "successful-before-ready",
    ["pool-api.asyncresult-successful"],
    "AsyncResult.successful() returns False before the result is ready instead of "
    "raising ValueError",
)
@replacing("pool.ApplyResult", "successful")
def successful(original, self):
    return original(self) if self.ready() else False


@mutant(
    "default-size-flipped",
    ["pool-api.default-size-affinity-313"],
    "Pool() sizes itself by os.cpu_count() from 3.13, and by the CPUs this process "
    "may use before (the 3.13 change undone, and done early)",
)
def _(mp):
    def change(arguments):
        if arguments["processes"] is None:
            if sys.version_info >= (3, 13):
                arguments["processes"] = os.cpu_count()
            elif hasattr(os, "sched_getaffinity"):
                arguments["processes"] = len(os.sched_getaffinity(0))

    change_arguments(sub("pool").Pool, change)

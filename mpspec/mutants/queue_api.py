"""Mutants of the behaviours the docs chapter `queue-api` relies on."""

from __future__ import annotations

import functools
import os
import select
import struct
import time
from queue import Empty, Full

from mpspec.mutants import mutant, replacing, sub


def _queues():
    return sub("queues")


def _drop_every(n, put):
    """A put() that silently drops every ``n``-th item this process puts."""

    @functools.wraps(put)
    def dropping(self, obj, *args, **kwargs):
        count = getattr(self, "_mutant_count", 0) + 1
        self._mutant_count = count
        if count % n == 0:
            return None
        return put(self, obj, *args, **kwargs)

    return dropping


@mutant(
    "simple-and-joinable-lose-items",
    ["queue-api.mpmc"],
    "SimpleQueue.put() and JoinableQueue.put() drop every 50th item a process puts",
)
def _(mp):
    queues = _queues()
    for cls in (queues.SimpleQueue, queues.JoinableQueue):
        cls.put = _drop_every(50, cls.put)


@mutant(
    "queue-holds-back-every-7th",
    ["queue-api.per-producer-order"],
    "Queue.put() holds back every 7th item of a process and sends it after the next one",
)
@replacing(lambda: _queues().Queue, "put")
def holding_back(put, self, obj, block=True, timeout=None):
    count = getattr(self, "_mutant_count", 0) + 1
    self._mutant_count = count
    held = getattr(self, "_mutant_held", [])
    if count % 7 == 0:
        self._mutant_held = [obj]
        return
    put(self, obj, block, timeout)
    self._mutant_held = []
    for item in held:
        put(self, item, block, timeout)


@mutant(
    "put-writes-synchronously",
    ["queue-api.feeder-thread-on-first-put", "queue-api.put-visibility-delay"],
    "Queue.put() pickles and writes the item into the pipe itself: no feeder thread, "
    "and an item is visible as soon as put() returns",
)
def _(mp):
    Queue = _queues().Queue
    ForkingPickler = sub("reduction").ForkingPickler

    def put(self, obj, block=True, timeout=None):
        if self._closed:
            raise ValueError(f"Queue {self!r} is closed")
        if not self._sem.acquire(block, timeout):
            raise Full
        data = ForkingPickler.dumps(obj)
        if self._wlock is None:
            self._writer.send_bytes(data)
        else:
            with self._wlock:
                self._writer.send_bytes(data)

    Queue.put = put


def _read_exactly(fd, size, deadline):
    """``size`` bytes from ``fd``, or Empty once ``deadline`` has passed."""
    chunks, missing = [], size
    while missing:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise Empty
        chunk = os.read(fd, missing)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


@mutant(
    "get-timeout-covers-whole-message",
    ["queue-api.killed-user-corrupts"],
    "Queue.get(timeout=t) gives up after t also in the middle of a message (raising "
    "Empty), so a half-written item cannot make it hang",
)
@replacing(lambda: _queues().Queue, "get")
def bounded_get(get, self, block=True, timeout=None):
    if not block or timeout is None:
        return get(self, block, timeout)
    if self._closed:
        raise ValueError(f"Queue {self!r} is closed")
    deadline = time.monotonic() + max(timeout, 0)
    if not self._rlock.acquire(True, max(timeout, 0)):
        raise Empty
    try:
        fd = self._reader.fileno()
        (size,) = struct.unpack("!i", _read_exactly(fd, 4, deadline))
        if size == -1:
            (size,) = struct.unpack("!Q", _read_exactly(fd, 8, deadline))
        data = _read_exactly(fd, size, deadline)
        self._sem.release()
    finally:
        self._rlock.release()
    return sub("reduction").ForkingPickler.loads(data)


@mutant(
    "exit-skips-queue-flush",
    ["queue-api.put-blocks-exit", "queue-api.parent-hangs-on-exit", "guidelines.join-before-drain-deadlock"],
    "a process exits without waiting for its queues' feeder threads to flush (as if "
    "every queue had cancel_join_thread())",
)
@replacing(lambda: _queues().Queue, "_start_thread")
def _start_thread(original, self):
    self._joincancelled = True
    return original(self)


@mutant(
    "manager-queue-is-a-pipe-queue",
    ["queue-api.manager-queue-no-flush-issue"],
    "SyncManager.Queue() returns a plain Queue (pipe and feeder thread) instead of a "
    "proxy to a queue in the manager",
)
def _(mp):
    def Queue(self, maxsize=0):
        return mp.Queue(maxsize)

    sub("managers").SyncManager.Queue = Queue


@mutant(
    "qsize-unsupported",
    ["queue-api.qsize-approx"],
    "Queue.qsize() raises NotImplementedError everywhere, as on macOS",
)
def _(mp):
    def qsize(self):
        raise NotImplementedError

    _queues().Queue.qsize = qsize


@mutant(
    "full-never-true",
    ["queue-api.empty-full-unreliable"],
    "Queue.full() always answers False",
)
def _(mp):
    _queues().Queue.full = lambda self: False


@mutant(
    "closed-queue-raises-oserror",
    ["queue-api.closed-valueerror"],
    "put() and get() on a closed Queue raise OSError instead of ValueError",
)
def _(mp):
    queues = _queues()

    def reraising(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if self._closed:
                raise OSError(f"Queue {self!r} is closed")
            return method(self, *args, **kwargs)

        return call

    for cls in (queues.Queue, queues.JoinableQueue):
        for name in ("put", "get"):
            if name in vars(cls):
                setattr(cls, name, reraising(vars(cls)[name]))


@mutant(
    "close-drops-buffer",
    ["queue-api.close-flushes"],
    "close() (and garbage collection) makes the feeder thread stop at once, dropping "
    "the items still in its buffer",
)
def _(mp):
    queues = _queues()
    sentinel = queues._sentinel

    def _finalize_close(buffer, notempty):
        with notempty:
            buffer.clear()
            buffer.append(sentinel)
            notempty.notify()

    queues.Queue._finalize_close = staticmethod(_finalize_close)


@mutant(
    "join-thread-unchecked",
    ["queue-api.join-thread-after-close"],
    "join_thread() neither checks that the queue is closed nor waits for the feeder "
    "thread",
)
def _(mp):
    _queues().Queue.join_thread = lambda self: None


@mutant(
    "cancel-join-thread-ignored",
    ["queue-api.cancel-join-thread-loses-data"],
    "cancel_join_thread() does nothing: the process still waits at exit for its "
    "items to be flushed",
)
def _(mp):
    _queues().Queue.cancel_join_thread = lambda self: None


@mutant(
    "simplequeue-empty-always-false",
    ["queue-api.simplequeue-roundtrip"],
    "SimpleQueue.empty() always answers False",
)
def _(mp):
    _queues().SimpleQueue.empty = lambda self: False


@mutant(
    "simplequeue-close-keeps-pipe",
    ["queue-api.simplequeue-close"],
    "SimpleQueue.close() does nothing: the queue goes on working",
)
def _(mp):
    _queues().SimpleQueue.close = lambda self: None


@mutant(
    "joinable-join-returns-at-once",
    ["queue-api.task-done-required", "queue-api.joinable-join-unblocks"],
    "JoinableQueue.join() returns at once, whatever tasks are unfinished",
)
def _(mp):
    _queues().JoinableQueue.join = lambda self: None


@mutant(
    "task-done-unchecked",
    ["queue-api.task-done-too-many"],
    "task_done() with no unfinished task does nothing instead of raising ValueError",
)
def _(mp):
    JoinableQueue = _queues().JoinableQueue

    def task_done(self):
        with self._cond:
            if self._unfinished_tasks.acquire(False) and self._unfinished_tasks._semlock._is_zero():
                self._cond.notify_all()

    JoinableQueue.task_done = task_done

"""Mutants of what the Queue chapter relies on."""

from __future__ import annotations

import functools
import itertools
import queue

from mpspec.mutants import ascii_only, mutant, replacing, sub


class QueueFull(Exception):
    """Not queue.Full: what a mutant raises instead."""


class QueueEmpty(Exception):
    """Not queue.Empty: what a mutant raises instead."""


def _queue_class():
    return sub("queues").Queue


@mutant("queue-ascii-only", ["queue.round-trip"], "Queue.put() replaces non-ASCII characters of a str")
def _(mp):
    Queue = _queue_class()
    put = Queue.put
    Queue.put = lambda self, obj, *a, **k: put(self, ascii_only(obj), *a, **k)


_PUTS = itertools.count(1)


@mutant("queue-loses-items", ["queue.process-safe", "queue.fifo"], "Queue.put() drops every 50th item a process puts")
@replacing(_queue_class, "put")
def lossy_put(put, self, obj, *args, **kwargs):
    if next(_PUTS) % 50:
        put(self, obj, *args, **kwargs)


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
@replacing(_queue_class, "put")
def impatient_put(put, self, obj, block=True, timeout=None):
    return put(self, obj, block and timeout is None, timeout)


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
@replacing(_queue_class, "get")
def impatient_get(get, self, block=True, timeout=None):
    return get(self, block and timeout is None, timeout)


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
@replacing(_queue_class, "__init__")
def default_maxsize_32767(init, self, maxsize=0, *args, **kwargs):
    init(self, maxsize if maxsize > 0 else 32767, *args, **kwargs)

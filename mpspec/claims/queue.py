"""Section 多进程通信 › Queue: put/get, their blocking and timeouts, and what a Queue
does between processes."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    Claim(
        id="queue.round-trip",
        cite="多进程通信 › Queue, the example",
        statement="A value a child puts into a Queue is what the parent gets out of it "
        "(the example sends a non-ASCII string).",
        explanation="The value is pickled, flushed into a pipe by a feeder thread and "
        "unpickled by get(): the parent receives an equal string.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.process-safe",
        cite="多进程通信 › Queue ¶1",
        statement="Queue is safe to use from many processes at once.",
        explanation="With three producers and three consumers working at once every item "
        "is delivered exactly once: nothing lost, nothing duplicated.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.fifo",
        cite="多进程通信 › Queue ¶1 (a queue)",
        statement="A Queue hands items out in the order they were put.",
        explanation="Items from one producer come out in the order it put them, also when "
        "several producers interleave; there is no order across producers.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.put-timeout-full",
        cite="多进程通信 › Queue, the put() paragraph",
        statement="put(block=True, timeout=t) on a full queue waits up to t for space and "
        "raises Full when none comes.",
        explanation="It waits at least t, then raises queue.Full; it succeeds when another "
        "process frees space in time. A negative timeout acts as 0 (raises at once, where "
        "queue.Queue would raise ValueError).",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.put-nowait-full",
        cite="多进程通信 › Queue, the put() paragraph",
        statement="put(block=False) on a full queue raises Full immediately.",
        explanation="put(block=False) and put_nowait() raise queue.Full at once; a timeout "
        "given along with block=False is ignored.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.get-timeout-empty",
        cite="多进程通信 › Queue, the get() paragraph",
        statement="get(block=True, timeout=t) on an empty queue waits up to t and raises "
        "Empty when nothing comes.",
        explanation="It waits at least t, then raises queue.Empty; an item another process "
        "puts in time is returned. A negative timeout acts as 0.",
        verdicts=(
            holds(
                "It waits at least t, then raises queue.Empty; an item put in time is "
                "returned. But in billiard a negative timeout always raises Empty, even when "
                "an item is ready (multiprocessing treats it as 0 and returns the item).",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="queue.get-nowait",
        cite="多进程通信 › Queue, the get() paragraph",
        statement="get(block=False) returns an available item at once, and raises Empty "
        "at once when the queue is empty.",
        explanation="True for items already in the queue's pipe, but put() only hands the "
        "item to a feeder thread: right after a put(), even in the same process, "
        "get_nowait() may raise Empty. Once a producer has exited its items are there.",
        verdicts=(partly(),),
    ),
    Claim(
        id="queue.exception-names",
        cite="多进程通信 › Queue, the put() and get() paragraphs",
        statement="The queue raises Queue.Full and Queue.Empty.",
        explanation="There are no such names: Queue has no Full or Empty attribute (the "
        "article's except clause itself raises AttributeError); the exceptions are "
        "queue.Full and queue.Empty of the standard queue module, which "
        "multiprocessing.queues re-exports unchanged.",
        verdicts=(fails(),),
        per_method=False,
    ),
    Claim(
        id="queue.unbounded-default",
        cite="多进程通信 › Queue (implied: Full needs a bounded queue)",
        statement="Only a queue with a positive maxsize can be full; Queue() is unbounded.",
        explanation="maxsize <= 0 stands for the semaphore maximum SEM_VALUE_MAX, a real "
        "bound whose size depends on the platform: 2147483647 on Linux, out of reach in "
        "practice.",
        verdicts=(
            partly(
                "On macOS SEM_VALUE_MAX is 32767: an 'unbounded' queue raises Full (or "
                "blocks) once 32767 items are unread.",
                platforms=("darwin",),
            ),
            partly(),
        ),
        per_method=False,
        beyond=True,
    ),
]

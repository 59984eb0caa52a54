"""Section 多进程通信 (communication between processes) and its two subsections,
Queue and Pipe."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    # --- 多进程通信 ---------------------------------------------------------------
    Claim(
        id="ipc.no-shared-data",
        section="ipc",
        cite="多进程通信 ¶1",
        statement="Processes do not share data; to exchange anything they need a Queue "
        "or a Pipe.",
        explanation="A child's change to a module global or to a mutable argument stays "
        "in the child; the parent's objects keep their values.",
        verdicts=(
            holds(
                "Under fork the child starts with a copy of the parent's memory, so it "
                "sees what the parent set before start(); its changes stay in the copy.",
                methods=("fork",),
            ),
            holds(
                "The child is forked from the fork server, not from the parent: it sees "
                "the modules' import-time values (from 3.14.1 the main module as the fork "
                "server imported it), not what the parent changed, before start() or after; its "
                "own changes stay in the child. forkserver is Linux's default from 3.14, "
                "so code that names no start method no longer sees, as under fork, what "
                "the parent set before start().",
                methods=("forkserver",),
                python=">=3.14",
                libraries=("multiprocessing",),
            ),
            holds(
                "The child re-imports the modules: it sees their import-time values, "
                "not the parent's later changes, and its own changes stay in the child."
            ),
        ),
    ),
    # --- Queue -------------------------------------------------------------------
    Claim(
        id="queue.round-trip",
        section="queue",
        cite="多进程通信 › Queue, the example",
        statement="A value a child puts into a Queue is what the parent gets out of it "
        "(the example sends a non-ASCII string).",
        explanation="The value is pickled, flushed into a pipe by a feeder thread and "
        "unpickled by get(): the parent receives an equal string.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.process-safe",
        section="queue",
        cite="多进程通信 › Queue ¶1",
        statement="Queue is safe to use from many processes at once.",
        explanation="With three producers and three consumers working at once every item "
        "is delivered exactly once: nothing lost, nothing duplicated.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.fifo",
        section="queue",
        cite="多进程通信 › Queue ¶1 (a queue)",
        statement="A Queue hands items out in the order they were put.",
        explanation="Items from one producer come out in the order it put them, also when "
        "several producers interleave; there is no order across producers.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.put-timeout-full",
        section="queue",
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
        section="queue",
        cite="多进程通信 › Queue, the put() paragraph",
        statement="put(block=False) on a full queue raises Full immediately.",
        explanation="put(block=False) and put_nowait() raise queue.Full at once; a timeout "
        "given along with block=False is ignored.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue.get-timeout-empty",
        section="queue",
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
        section="queue",
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
        section="queue",
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
        section="queue",
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
    # --- Pipe --------------------------------------------------------------------
    Claim(
        id="pipe.two-ends",
        section="pipe",
        cite="多进程通信 › Pipe ¶1",
        statement="Pipe() returns two connection objects, the two ends of the pipe, each "
        "with send() and recv().",
        explanation="Pipe() returns a pair of multiprocessing.connection.Connection "
        "objects; what one process sends into one end comes out of the other end.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.round-trip",
        section="pipe",
        cite="多进程通信 › Pipe ¶1 and its example",
        statement="A child sends an object through its end and the parent receives it; "
        "the pipe passes data, it does not share it (like a socket).",
        explanation="Any picklable object travels; the receiver gets an equal copy, and "
        "changing the copy leaves the sender's object as it was.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.duplex-default",
        section="pipe",
        cite="多进程通信 › Pipe ¶1",
        statement="Both ends of a Pipe() can send and receive.",
        explanation="Pipe() is duplex by default: each end is readable and writable, and "
        "messages flow both ways between parent and child.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.simplex",
        section="pipe",
        cite="(not in the article; Pipe's duplex parameter)",
        statement="Pipe(duplex=False) returns a receive-only end and a send-only end, in "
        "that order.",
        explanation="The first end is readable only, the second writable only; using "
        "either the wrong way raises OSError('connection is read-only' / "
        "'connection is write-only').",
        verdicts=(holds(),),
        beyond=True,
    ),
    Claim(
        id="pipe.eof",
        section="pipe",
        cite="(not in the article; what recv() does when the other side is gone)",
        statement="recv() raises EOFError once the other end is closed and nothing is "
        "left to read.",
        explanation="Only when every copy of the other end is closed: while the parent "
        "still holds its own copy of the child's end no EOF comes, and a recv() would "
        "block forever. Messages sent before the close are delivered first.",
        verdicts=(holds(),),
        beyond=True,
    ),
    Claim(
        id="pipe.concurrent-same-end",
        section="pipe",
        cite="多进程通信 › Pipe ¶1, its last sentence",
        statement="Data may be corrupted if two processes read from or write to the same "
        "end at the same time.",
        explanation="Nothing makes an end safe for concurrent use; serialised with a Lock "
        "every message arrives intact. Unguarded writers of messages larger than the "
        "pipe's atomic size interleave their bytes, but whether that happens in a given "
        "run depends on timing.",
        verdicts=(partly(),),
    ),
]

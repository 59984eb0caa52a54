"""Docs chapter `queue-api`: Queue, SimpleQueue and JoinableQueue in full — the
feeder thread, close/join_thread/cancel_join_thread, snapshots, task_done/join."""

from mpspec.registry import Claim, fails, holds, na, partly

PQ = "Reference › Pipes and Queues"

CLAIMS = [
    Claim(
        id="queue-api.mpmc",
        cite=PQ + " (Queue, SimpleQueue, JoinableQueue)",
        statement="Queue, SimpleQueue and JoinableQueue may each be used by many "
        "producers and many consumers at once.",
        explanation="Three producer and three consumer processes on one queue of each "
        "kind: every item is delivered exactly once (Queue: shown by the article's "
        "chapter).",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.task-done-required",
        cite=PQ + " › JoinableQueue (the warning about task_done)",
        statement="Every item got from a JoinableQueue needs its task_done() call; "
        "without it the count of unfinished tasks never comes down (and could "
        "overflow its semaphore), so join() does not return.",
        explanation="Three items put and got without task_done(): join() in another "
        "process stays blocked; three task_done() calls release it. The overflow "
        "needs SEM_VALUE_MAX (2**31 - 1 on Linux) unfinished items and is not shown.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.put-visibility-delay",
        cite=PQ + " (note 1: the background thread)",
        statement="Right after put() on an empty queue, empty() may still say True and "
        "get_nowait() may still raise Empty for a moment, because a background thread "
        "writes the item into the pipe.",
        explanation="put() only appends to a buffer that the feeder thread pickles and "
        "writes: with an item whose pickling takes 0.2 s, put() returns at once while "
        "empty() is still True and get_nowait() raises Empty; the item arrives once "
        "pickled. The moment lasts as long as the feeder thread needs, which can be "
        "far from 'infinitesimal'.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.per-producer-order",
        cite=PQ + " (note 2: several producers)",
        statement="Items from several producers may come out interleaved, but the "
        "items of one producer come out in the order it put them.",
        explanation="With three producers putting numbered items at once, each "
        "producer's numbers arrive in increasing order (shown by the article's FIFO "
        "test).",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.killed-user-corrupts",
        cite=PQ + " (warning: terminate or kill while using a queue)",
        statement="A process killed while it is using a queue can leave the queue "
        "corrupted for the other processes.",
        explanation="A producer killed while its feeder thread writes a large item "
        "leaves part of a message in the pipe and the queue's write lock taken: a "
        "consumer's get(timeout=0.2) then blocks for good inside the half message, and "
        "no other producer can ever write again. Not a matter of chance: any item "
        "larger than the pipe's 64 KiB is caught this way.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.put-blocks-exit",
        cite=PQ + " (warning: a process that put items waits for them to be flushed); "
        "Programming guidelines › Joining processes that use queues",
        statement="A process that has put items on a queue does not end until its "
        "feeder thread has written them all into the pipe, so joining it before the "
        "items are got can deadlock.",
        explanation="A child's put() of 2 MiB returns, but the child's exit waits for "
        "its feeder thread, which waits for a reader: the parent that joins first "
        "waits for ever; get() first, then join(), works (exitcode 0).",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.parent-hangs-on-exit",
        cite=PQ + " (warning: non-daemonic children are joined at exit)",
        statement="A parent whose non-daemonic child is stuck flushing a queue hangs "
        "when it exits, because the exit handler joins that child.",
        explanation="The main code ends while its child holds an unread 2 MiB item: the "
        "library's exit handler joins the child and the program never ends; had the "
        "main code got the item first, it would end at once.",
        verdicts=(
            fails(
                "billiard's exit handler neither joins nor terminates non-daemonic "
                "children: the program ends at once, and its child stays stuck in its own "
                "exit for ever (an orphan holding the unread item).",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="queue-api.manager-queue-no-flush-issue",
        cite=PQ + " (warning: a queue created with a manager has no such problem)",
        statement="A queue made by a manager does not keep a process from exiting "
        "until its items are read.",
        explanation="A child that puts 2 MiB on a SyncManager queue has handed it to "
        "the manager when put() returns: it exits at once with nobody reading, and the "
        "item can be got afterwards. (The manager itself is shut down by the exit "
        "handler before non-daemonic children are joined, so a parent that ends "
        "without joining must not leave a child still to use it.)",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.feeder-thread-on-first-put",
        cite="Reference › Pipes and Queues › Queue (the feeder thread)",
        statement="The first put() on a Queue in a process starts a background "
        "'feeder' thread that moves items from a buffer into the pipe.",
        explanation="Creating a Queue starts no thread; the first put() in a process "
        "(parent or child) starts exactly one daemon thread named QueueFeederThread, "
        "and later puts start no other.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.qsize-approx",
        cite="Reference › Pipes and Queues › Queue.qsize",
        statement="qsize() is only approximate, and may raise NotImplementedError on "
        "platforms without sem_getvalue() such as macOS.",
        explanation="On Linux qsize() is the queue semaphore's count: the items put and "
        "not yet got, those still in the feeder's buffer included, so it is exact for "
        "a queue nobody else touches and approximate only under concurrency.",
        verdicts=(
            holds(
                "From the source: qsize() calls sem_getvalue(), which macOS lacks: it "
                "raises NotImplementedError.",
                platforms=("darwin",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="queue-api.empty-full-unreliable",
        cite="Reference › Pipes and Queues › Queue.empty, Queue.full",
        statement="empty() and full() are not reliable, because other processes and "
        "threads use the queue at the same time.",
        explanation="They are snapshots: a Queue(1) holding one item says full() and "
        "not empty(); once a child has taken the item, get_nowait() raises Empty and "
        "put_nowait() succeeds. empty() is also True for a moment after a put() "
        "(put-visibility-delay).",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.closed-valueerror",
        cite="Reference › Pipes and Queues › Queue.put, Queue.get (changed in 3.8)",
        statement="put() and get() on a closed Queue raise ValueError.",
        explanation="After close(), put, put_nowait, get (with or without a timeout) and "
        "get_nowait of a Queue or JoinableQueue raise ValueError 'Queue <...> is "
        "closed', in every version from 3.8.",
        verdicts=(
            partly(
                "billiard 4.2 (the last for Python 3.8) still asserts in put() "
                "(AssertionError, none at all under -O) and does not check in get(), "
                "which fails on the closed reader with OSError.",
                python="<3.9",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="queue-api.close-flushes",
        cite="Reference › Pipes and Queues › Queue.close",
        statement="close() says this process will put no more; the feeder thread "
        "exits once it has written all buffered data into the pipe, and the same "
        "happens when the queue is garbage collected.",
        explanation="A child that puts 100 items, close()s (a later put raises "
        "ValueError) and join_thread()s has no feeder thread left, and the parent gets "
        "all 100; a queue whose last reference is dropped without close() flushes its "
        "items too, and its feeder thread ends. (Python 3.8 and billiard close this "
        "process's reading end at once in close(); from 3.9 the feeder thread closes it "
        "after the flush.)",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.join-thread-after-close",
        cite="Reference › Pipes and Queues › Queue.join_thread",
        statement="join_thread() may only be called after close(); it waits until "
        "the feeder thread has written all buffered data into the pipe.",
        explanation="Before close() it raises AssertionError 'Queue <...> not closed'; "
        "after close() it blocks while a 2 MiB item is still being written and returns "
        "once a reader has taken it.",
        verdicts=(
            partly(
                "billiard raises ValueError (not AssertionError, also under -O; billiard "
                "4.2 for Python 3.8: AssertionError). And in the process that created the "
                "queue join_thread() returns at once, without waiting for the flush: "
                "billiard joins the feeder only in other processes.",
                libraries=("billiard",),
            ),
            partly(
                "The check is an assert: under -O join_thread() before close() raises "
                "nothing (it joins a feeder thread if there is one, else returns). After "
                "close() it waits for the flush as documented.",
                optimize=True,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="queue-api.cancel-join-thread-loses-data",
        cite="Reference › Pipes and Queues › Queue.cancel_join_thread",
        statement="cancel_join_thread() lets a process exit without waiting for its "
        "buffered items to be written, so those items may be lost.",
        explanation="A child that puts 4 MB in 2000 items and cancels the join exits at "
        "once with no reader; only the first items, those its feeder thread had "
        "written into the pipe (often none), ever arrive. When the feeder was blocked "
        "in a write at that moment, the queue's write lock also stays taken by the dead "
        "child, and every other producer's items are stuck too.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.simplequeue-roundtrip",
        cite="Reference › Pipes and Queues › SimpleQueue",
        statement="SimpleQueue, a simplified Queue, carries items between processes "
        "with put(), get() and empty().",
        explanation="A child's three items arrive in order and empty() is True before "
        "and after.",
        verdicts=(
            partly(
                "billiard's SimpleQueue never sets the attribute empty() uses: empty() "
                "raises AttributeError '_poll'; put() and get() work.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="queue-api.simplequeue-close",
        cite="Reference › Pipes and Queues › SimpleQueue.close (new in 3.9)",
        statement="After SimpleQueue.close() the queue must not be used: get(), put() "
        "and empty() no longer work.",
        explanation="close() closes both ends of the pipe: put(), get() and empty() "
        "raise OSError 'handle is closed'.",
        verdicts=(
            holds(
                "billiard's close() (also for Python 3.8) sets both pipe ends to None: "
                "put() and get() raise AttributeError ('NoneType' object has no "
                "attribute ...), and empty() raises AttributeError as it always does.",
                libraries=("billiard",),
            ),
            na("SimpleQueue.close() is new in 3.9", python="<3.9"),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="queue-api.joinable-join-unblocks",
        cite="Reference › Pipes and Queues › JoinableQueue.join",
        statement="JoinableQueue.join() blocks until every item put has been got and "
        "marked with task_done().",
        explanation="A worker gets five items and calls task_done() for four: join() in "
        "another process stays blocked until the fifth task_done(), then returns.",
        verdicts=(holds(),),
    ),
    Claim(
        id="queue-api.task-done-too-many",
        cite="Reference › Pipes and Queues › JoinableQueue.task_done",
        statement="Calling task_done() once too often (more calls than items put) raises "
        "ValueError.",
        explanation="On a fresh JoinableQueue, and after one put/get/task_done, a further "
        "task_done() raises ValueError 'task_done() called too many times'.",
        verdicts=(holds(),),
        per_method=False,
    ),
]

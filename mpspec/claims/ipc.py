"""Section 多进程通信 (communication between processes): processes share no data and
need a Queue or a Pipe to exchange it (the Queue and Pipe subsections are the queue and
pipe chapters)."""

from mpspec.registry import Claim, holds

CLAIMS = [
    Claim(
        id="ipc.no-shared-data",
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
]

"""Section 多进程通信 › Pipe: the two ends, duplex and one-way pipes, send/recv."""

from mpspec.registry import Claim, holds, partly

CLAIMS = [
    Claim(
        id="pipe.two-ends",
        cite="多进程通信 › Pipe ¶1",
        statement="Pipe() returns two connection objects, the two ends of the pipe, each "
        "with send() and recv().",
        explanation="Pipe() returns a pair of multiprocessing.connection.Connection "
        "objects; what one process sends into one end comes out of the other end.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.round-trip",
        cite="多进程通信 › Pipe ¶1 and its example",
        statement="A child sends an object through its end and the parent receives it; "
        "the pipe passes data, it does not share it (like a socket).",
        explanation="Any picklable object travels; the receiver gets an equal copy, and "
        "changing the copy leaves the sender's object as it was.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.duplex-default",
        cite="多进程通信 › Pipe ¶1",
        statement="Both ends of a Pipe() can send and receive.",
        explanation="Pipe() is duplex by default: each end is readable and writable, and "
        "messages flow both ways between parent and child.",
        verdicts=(holds(),),
    ),
    Claim(
        id="pipe.simplex",
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

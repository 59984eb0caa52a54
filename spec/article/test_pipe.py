"""多进程通信 › Pipe — the two ends of a pipe, copies not sharing, duplex and simplex
pipes, end of file, and two processes on one end.

Article: 多进程通信, the Pipe subsection (its paragraph and example).

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of one part of a claim that only partly holds pin that part
and observe nothing.
"""

import threading
import time

import pytest

from fixtures import pipes
from mpspec import lib, support
from mpspec.deadlines import DEADLINE, WAIT


@pytest.mark.claim("pipe.two-ends")
def test_pipe_returns_two_connected_ends(ctx, observed):
    """Pipe() returns two distinct Connection objects with send() and recv(); what the
    parent sends into one end, a child receives from the other."""
    ends = ctx.Pipe()
    assert isinstance(ends, tuple) and len(ends) == 2
    parent_end, child_end = ends
    connection = lib.module("connection").Connection
    two_ends = parent_end is not child_end and all(
        isinstance(end, connection) and callable(end.send) and callable(end.recv) for end in ends
    )
    report, report_writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pipes.receive_and_report, args=(child_end, report_writer))
    child.start()
    try:
        parent_end.send("into one end")
        got = support.receive(report)
    finally:
        support.join(child)
    observed(
        "holds" if two_ends and got == "into one end" else "does-not-hold",
        because=f"Pipe() gave {type(parent_end).__name__} and {type(child_end).__name__} "
        f"(distinct: {parent_end is not child_end}); a child got {got!r} from the other end for 'into one end'",
    )


@pytest.mark.claim("pipe.round-trip")
def test_what_a_child_sends_the_parent_receives(ctx, observed):
    """The article's example: a child sends a non-ASCII string through its end and the
    parent receives an equal string from the other end."""
    sent = "Pipe 用法 ✓"
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=pipes.send_and_close, args=(child_end, sent))
    child.start()
    try:
        got = support.receive(parent_end)
    finally:
        support.join(child)
    observed("holds" if got == sent else "does-not-hold", because=f"the parent got {got!r} for {sent!r}")


@pytest.mark.claim("pipe.round-trip")
def test_the_receiver_gets_a_copy_not_the_senders_object(ctx):
    """Any picklable object travels and arrives as an equal copy; a child that changes
    the list it received and sends it back leaves the parent's list unchanged."""
    parent_end, child_end = ctx.Pipe()
    original = ["from the parent", {"nested": (1, 2.5, b"bytes", frozenset({"x"}))}]
    child = ctx.Process(target=pipes.append_and_send_back, args=(child_end, "from the child"))
    child.start()
    try:
        parent_end.send(original)
        returned = support.receive(parent_end)
    finally:
        support.join(child)
    assert returned == original + ["from the child"]
    assert returned is not original and returned[1] is not original[1]
    assert original == ["from the parent", {"nested": (1, 2.5, b"bytes", frozenset({"x"}))}]


@pytest.mark.claim("pipe.duplex-default")
def test_both_ends_send_and_receive_by_default(ctx, observed):
    """Both ends of Pipe() are readable and writable: a child receives on its end and
    replies on the same end, and the parent sends and receives on the other."""
    parent_end, child_end = ctx.Pipe()
    modes = [(end.readable, end.writable) for end in (parent_end, child_end)]
    child = ctx.Process(target=pipes.echo, args=(child_end,))
    child.start()
    try:
        parent_end.send(["there", "and back"])
        got = support.receive(parent_end)
    finally:
        support.join(child)
    observed(
        "holds" if modes == [(True, True)] * 2 and got == ["there", "and back"] else "does-not-hold",
        because=f"(readable, writable) of the ends: {modes}; the child echoed {got!r} on the end it received on",
    )


@pytest.mark.claim("pipe.simplex")
def test_a_simplex_pipe_is_receive_end_then_send_end(ctx, observed):
    """Pipe(duplex=False) returns (receive-only end, send-only end): a child sends on the
    second, the parent receives on the first, and using an end the wrong way raises
    OSError."""
    receive_end, send_end = ctx.Pipe(duplex=False)
    modes = [(end.readable, end.writable) for end in (receive_end, send_end)]
    with pytest.raises(OSError, match="^connection is read-only$"):
        receive_end.send("wrong way")
    with pytest.raises(OSError, match="^connection is write-only$"):
        send_end.recv()
    support.run(ctx, pipes.send_and_close, send_end, "one way")
    got = support.receive(receive_end)
    observed(
        "holds" if modes == [(True, False), (False, True)] and got == "one way" else "does-not-hold",
        because=f"(readable, writable) of the ends, in order: {modes}; the first end received {got!r} "
        "from a child sending 'one way' on the second",
    )


@pytest.mark.claim("pipe.eof")
def test_no_eof_while_the_parent_still_holds_the_childs_end(ctx, observed):
    """After the child sent, closed its end and exited, the parent receives the message
    but no EOF while it holds its own copy of the child's end; once it closes that copy,
    recv() raises EOFError."""
    parent_end, child_end = ctx.Pipe()
    support.run(ctx, pipes.send_and_close, child_end, "last message")
    assert support.receive(parent_end) == "last message"
    assert parent_end.poll(WAIT) is False  # a recv() here would block forever
    child_end.close()
    assert parent_end.poll(DEADLINE) is True  # readable: end of file
    try:
        got = parent_end.recv()
    except EOFError:
        got = EOFError
    observed(
        "holds" if got is EOFError else "does-not-hold",
        because="once every copy of the other end was closed and the last message read, recv() "
        + ("raised EOFError" if got is EOFError else f"returned {got!r}"),
    )


@pytest.mark.claim("pipe.eof")
def test_a_child_sees_eof_once_every_copy_of_the_other_end_is_closed(ctx):
    """A child handed both ends closes the one it does not use; once the parent has
    sent two messages and closed its end, the child receives both and then EOFError."""
    parent_end, child_end = ctx.Pipe()
    report, report_writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=pipes.collect_until_eof, args=(child_end, parent_end, report_writer))
    child.start()
    try:
        parent_end.send("one")
        parent_end.send("two")
        parent_end.close()
        assert support.receive(report) == ["one", "two", "EOF"]
    finally:
        support.join(child)


# --- two writers on one end ---------------------------------------------------

WRITERS = 3


def share_send_end(ctx, count, size, lock=None):
    """WRITERS children send ``count`` messages of ``size`` bytes each on one shared
    send end (under ``lock`` if given) while the parent reads until EOF.  Returns the
    number of intact messages and the first sign of corruption (None if none)."""
    receive_end, send_end = ctx.Pipe(duplex=False)
    barrier = ctx.Barrier(WRITERS)
    writers = [
        ctx.Process(target=pipes.write_messages, args=(send_end, n, count, size, barrier, lock))
        for n in range(1, WRITERS + 1)
    ]
    # A recv() stuck inside a corrupted message ends when the writers are gone.
    timed_out = threading.Event()

    def kill_writers():
        timed_out.set()
        for w in writers:
            getattr(w, "kill", w.terminate)()

    watchdog = threading.Timer(DEADLINE, kill_writers)
    try:
        for w in writers:
            w.start()
        send_end.close()  # the writers hold the only copies: EOF once they are done
        watchdog.start()
        intact, problem = read_messages(receive_end, size, WRITERS * count, time.monotonic() + DEADLINE)
        if timed_out.is_set():  # what was read after the kill proves nothing
            raise support.ChildHung(f"the writers did not finish within {DEADLINE:g} s and were killed")
        if problem is None or problem.startswith("end of file"):
            # Messages are missing only if the writers sent them all: a writer that
            # failed is not a corrupted stream.
            assert [support.join(w).exitcode for w in writers] == [0] * WRITERS
        return intact, problem
    finally:
        watchdog.cancel()
        for w in writers:
            support.stop(w)
        receive_end.close()


def read_messages(conn, size, expected, deadline):
    """Read until end of file.  Any exception while reading (the unpickler meets
    whatever bytes the interleaving left: UnpicklingError, KeyError, OSError...,
    depending on the implementation), an end of file before ``expected`` messages,
    a stray object, mixed content or a message out of order is corruption."""
    intact, last_seq = 0, {}
    while True:
        if not conn.poll(max(0.0, deadline - time.monotonic())):
            raise support.ChildHung(f"the writers sent nothing for {DEADLINE:g} s")
        try:
            message = conn.recv()
        except EOFError:
            if intact < expected:
                return intact, f"end of file after {intact} of {expected} messages"
            return intact, None
        except Exception as exc:
            return intact, f"{type(exc).__name__}: {exc}"
        if not (isinstance(message, tuple) and len(message) == 3 and message[0] in range(1, WRITERS + 1)):
            return intact, f"a stray object {type(message).__name__}"
        writer, seq, body = message
        if body != pipes.payload(writer, size):
            return intact, f"mixed content in writer {writer}'s message {seq!r}"
        if seq != last_seq.get(writer, -1) + 1:
            return intact, f"writer {writer}'s message {seq!r} out of order"
        last_seq[writer] = seq
        intact += 1


@pytest.mark.claim("pipe.concurrent-same-end")
def test_writers_sharing_one_end_under_a_lock_deliver_every_message_intact(ctx):
    """Three children sending 50 messages of 128 KiB each through one shared send end,
    each send guarded by one Lock, deliver all 150 messages intact and in each writer's
    order."""
    intact, problem = share_send_end(ctx, count=50, size=128 * 1024, lock=ctx.Lock())
    assert problem is None
    assert intact == WRITERS * 50


@pytest.mark.claim("pipe.concurrent-same-end")
def test_unguarded_writers_on_one_end_can_corrupt_the_stream(ctx, observed):
    """Without a lock, three children each sending 512 KiB messages (far above the
    pipe's atomic write size) on one end at once interleave their bytes: the reader
    meets an unpickling error, a stray object or mixed content."""
    rounds = 3
    for n in range(rounds):
        intact, problem = share_send_end(ctx, count=8, size=512 * 1024)
        if problem is not None:
            assert intact < WRITERS * 8
            # The hazard is real, but it takes messages above the atomic size and a timing
            # that interleaves them, and (the previous test) a Lock prevents it: partly.
            observed(
                "partly",
                because=f"round {n + 1}: unguarded 512 KiB writers corrupted the stream after {intact} intact "
                f"of {WRITERS * 8} messages ({problem}); rounds before it delivered every message intact: {n}",
            )
            return
    observed.not_shown("unguarded writers corrupting the stream", f"{rounds} rounds of {WRITERS} writers x 8 messages of 512 KiB")

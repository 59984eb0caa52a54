"""Mutants of what the Pipe chapter relies on."""

from __future__ import annotations

from mpspec.mutants import ascii_only, mutant, sub


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
    Connection.send = lambda self, obj: send(self, ascii_only(obj))


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

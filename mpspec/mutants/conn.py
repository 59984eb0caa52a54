"""Mutants of the behaviours the docs chapter `conn` relies on: Connection objects,
Listener/Client, wait(), and above all the authentication handshake (mutants that
skip or weaken it must be caught by the security tests)."""

from __future__ import annotations

import functools
import hmac
import os
import pickle
import signal
import sys

from mpspec.mutants import mutant, replaces, replacing, sub

CHALLENGE = b"#CHALLENGE#"
WELCOME = b"#WELCOME#"


def _conn():
    return sub("connection")


def _base():
    return _conn()._ConnectionBase


def _right_answer(authkey, message):
    """The answer an honest client with ``authkey`` gives to ``message`` (the challenge
    without its #CHALLENGE# prefix), in this version's protocol."""
    connection = _conn()
    if hasattr(connection, "_create_response"):  # 3.12+
        return connection._create_response(authkey, message)
    return hmac.new(authkey, message, "md5").digest()


class _Wrapped:
    """A connection whose send_bytes/recv_bytes a mutant rewrites."""

    def __init__(self, conn, send=None, recv=None):
        self._c, self._send, self._recv = conn, send, recv

    def send_bytes(self, buf, *args):
        data = bytes(buf)
        self._c.send_bytes(self._send(data) if self._send else data, *args)

    def recv_bytes(self, *args):
        data = self._c.recv_bytes(*args)
        return self._recv(data) if self._recv else data

    def __getattr__(self, name):
        return getattr(self._c, name)


def _deliverer_rewriting_answers(rewrite):
    """deliver_challenge() hands its checker ``rewrite(answer, right_answer)`` instead of
    the answer the client sent (it remembers the challenge it sent, to know the right
    answer)."""

    @replaces(_conn(), "deliver_challenge")
    def deliver_challenge(original, conn, authkey, *args, **kwargs):
        sent = {}

        def remember(data):
            if data.startswith(CHALLENGE):
                sent["message"] = data[len(CHALLENGE):]
            return data

        def answer(data):
            return rewrite(data, _right_answer(authkey, sent["message"]))

        return original(_Wrapped(conn, send=remember, recv=answer), authkey, *args, **kwargs)


# --- the handshake ----------------------------------------------------------------------


@mutant(
    "deliver-challenge-accepts-any-answer",
    ["conn.auth-failure", "conn.auth-one-sided", "conn.deliver-answer-challenge",
     "conn.default-authkey-shared"],
    "deliver_challenge sends its challenge and welcomes whatever answer comes back",
)
def _(mp):
    _deliverer_rewriting_answers(lambda answer, right: right)  # whatever came, the right one


@mutant(
    "digest-compare-length-only",
    ["conn.auth-failure", "conn.deliver-answer-challenge"],
    "The deliverer compares only the answer's form and length, never its bytes (a "
    "compare that is always true for a well-formed answer)",
)
def _(mp):
    connection = _conn()
    if hasattr(connection, "_verify_challenge"):  # 3.12+

        def _verify_challenge(authkey, message, response):
            connection._get_digest_name_and_payload(response)  # the form only

        connection._verify_challenge = _verify_challenge
        return

    _deliverer_rewriting_answers(lambda answer, right: right if len(answer) == len(right) else answer)


@mutant(
    "answer-challenge-ignores-refusal",
    ["conn.auth-failure", "conn.auth-one-sided"],
    "answer_challenge answers and returns, whatever the deliverer says (or sent)",
)
@replacing(_conn, "answer_challenge")
def answer_challenge(original, conn, authkey, *args, **kwargs):
    try:
        return original(conn, authkey, *args, **kwargs)
    except (_conn().AuthenticationError, AssertionError):
        return None


@mutant(
    "client-skips-authentication",
    ["conn.auth-failure", "conn.key-not-sent", "conn.challenge-digest",
     "conn.listener-client-example", "conn.default-authkey-shared"],
    "Client() takes an authkey and never authenticates",
)
@replacing(_conn, "Client")
def client_skips_authentication(original, address, family=None, authkey=None):
    return original(address, family, None)


@mutant(
    "key-sent-in-clear",
    ["conn.key-not-sent"],
    "The answering end appends the key itself to its digest (the deliverer strips it): "
    "the handshake still works, and the key crosses the wire",
)
def _(mp):
    connection = _conn()
    answer, deliver = connection.answer_challenge, connection.deliver_challenge

    def answer_challenge(conn, authkey, *args, **kwargs):
        state = {"first": True}

        def append_key(data):
            if state.pop("first", False):
                return data + authkey
            return data

        return answer(_Wrapped(conn, send=append_key), authkey, *args, **kwargs)

    def deliver_challenge(conn, authkey, *args, **kwargs):
        def strip_key(data):
            return data[: -len(authkey)] if authkey and data.endswith(authkey) else data

        return deliver(_Wrapped(conn, recv=strip_key), authkey, *args, **kwargs)

    connection.answer_challenge = answer_challenge
    connection.deliver_challenge = deliver_challenge


@mutant(
    "handshake-digest-swapped",
    ["conn.challenge-digest"],
    "The handshake's HMAC uses another hash than the version's own (MD5 becomes SHA-1, "
    "SHA-256 becomes SHA-512) on both ends: it still works, the digest on the wire differs",
)
def _(mp):
    name = _conn().__name__
    original = hmac.new
    swap = {"md5": "sha1", "sha256": "sha512"}

    def new(key, msg=None, digestmod=""):
        if sys._getframe(1).f_globals.get("__name__") == name and isinstance(digestmod, str):
            digestmod = swap.get(digestmod, digestmod)
        return original(key, msg, digestmod)

    hmac.new = new


@mutant(
    "keyless-listener-challenges",
    ["conn.authkey-none-no-auth", "conn.recv-unpickles-untrusted"],
    "Listener(authkey=None) still runs the handshake (with an empty key)",
)
@replacing(lambda: _conn().Listener, "accept")
def _(original, self):
    if self._authkey is None:
        self._authkey = b"-"
    return original(self)


@mutant(
    "empty-authkey-flipped",
    ["conn.empty-authkey"],
    "Listener.accept() treats an empty key b'' the other way round from this version "
    "(challenging with it where it did not, and not where it did)",
)
def _(mp):
    import inspect

    Listener = _conn().Listener
    native = "is not None" in inspect.getsource(Listener.accept)  # b'' authenticates natively

    @replaces(Listener, "accept")
    def accept(original, self):
        if self._authkey != b"":
            return original(self)
        self._authkey = None if native else b""
        try:
            if native:
                return original(self)
            c = self._listener.accept()
            _conn().deliver_challenge(c, b"")
            _conn().answer_challenge(c, b"")
            return c
        finally:
            self._authkey = b""


@mutant(
    "children-get-a-fresh-authkey",
    ["conn.default-authkey-shared"],
    "Every child process replaces its inherited authkey with a random one at start",
)
@replacing("process.BaseProcess", "_bootstrap")
def _bootstrap(original, self, *args, **kwargs):
    self.authkey = os.urandom(32)
    return original(self, *args, **kwargs)


# --- Connection objects ---------------------------------------------------------------


@mutant(
    "recv-refuses-globals",
    ["conn.recv-unpickles-untrusted"],
    "recv() uses an unpickler that refuses to load any global (a safe, restricted load)",
)
def _(mp):
    import io

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            raise pickle.UnpicklingError(f"refused global {module}.{name}")

    def recv(self):
        self._check_closed()
        self._check_readable()
        buf = self._recv_bytes()
        return Restricted(io.BytesIO(buf.getbuffer())).load()

    _base().recv = recv


@mutant(
    "recv-bytes-into-truncates",
    ["conn.buffer-too-short"],
    "recv_bytes_into() with a short buffer fills what fits and returns, no BufferTooShort",
)
def _(mp):
    def recv_bytes_into(self, buf, offset=0):
        data = self.recv_bytes()
        with memoryview(buf) as m:
            m = m.cast("B")
            n = min(len(data), len(m) - offset)
            m[offset:offset + n] = data[:n]
        return n

    _base().recv_bytes_into = recv_bytes_into


@mutant(
    "recv-bytes-into-counts-items",
    ["conn.recv-bytes-into-offset", "conn.listener-client-example"],
    "recv_bytes_into() returns the number of items written, not bytes",
)
@replacing(_base, "recv_bytes_into")
def recv_bytes_into(original, self, buf, offset=0):
    n = original(self, buf, offset)
    return n // (memoryview(buf).itemsize or 1)


@mutant(
    "send-falls-back-to-repr",
    ["conn.send-picklable-only"],
    "send() of an unpicklable object sends its repr instead of failing",
)
@replacing(_base, "send")
def send(original, self, obj):
    try:
        return original(self, obj)
    except (pickle.PicklingError, TypeError, AttributeError):
        return original(self, repr(obj))


@mutant(
    "send-bytes-refuses-over-32-mib",
    ["conn.large-message-valueerror"],
    "send_bytes() raises ValueError for a message above 32 MiB",
)
@replacing(_base, "send_bytes")
def send_bytes_refuses_over_32_mib(original, self, buf, offset=0, size=None):
    if len(memoryview(buf).cast("B")) > 32 * 1024 * 1024:
        raise ValueError("message too large")
    return original(self, buf, offset, size)


@mutant("recv-does-not-block", ["conn.recv-blocks"], "recv() raises EOFError when nothing waits")
@replacing(_base, "recv")
def recv(original, self):
    if not self.poll(0):
        raise EOFError
    return original(self)


@mutant(
    "fileno-of-another-file",
    ["conn.fileno"],
    "fileno() returns the descriptor of an always-readable file, not the connection's",
)
def _(mp):
    other = os.open(os.devnull, os.O_RDONLY)

    def fileno(self):
        self._check_closed()
        return other

    _base().fileno = fileno


@mutant(
    "connection-never-closed-by-gc",
    ["conn.close-gc"],
    "Garbage collection of a Connection leaves its descriptor open",
)
def _(mp):
    def __del__(self):
        pass

    _base().__del__ = __del__


@mutant("poll-ignores-timeout", ["conn.poll-timeout"], "poll(timeout) and poll(None) return at once")
@replacing(_base, "poll")
def poll(original, self, timeout=0.0):
    return original(self, 0)


@mutant("send-bytes-ignores-slice", ["conn.send-bytes-offset-size"], "send_bytes() ignores offset and size")
@replacing(_base, "send_bytes")
def send_bytes_ignores_slice(original, self, buf, offset=0, size=None):
    return original(self, buf)


@mutant(
    "recv-bytes-ignores-maxlength",
    ["conn.recv-bytes-maxlength"],
    "recv_bytes(maxlength) returns a longer message whole",
)
@replacing(_base, "recv_bytes")
def recv_bytes(original, self, maxlength=None):
    return original(self)


@mutant(
    "connection-not-transferable",
    ["conn.connection-transferable"],
    "Pickling a Connection for another process raises",
)
def _(mp):
    reduction = sub("reduction")
    connection = _conn()

    def refuse(conn):
        raise TypeError("a Connection cannot be sent")

    reduction.register(connection.Connection, refuse)


@mutant("connection-exit-keeps-open", ["conn.context-manager"], "Leaving `with conn:` does not close it")
def _(mp):
    def __exit__(self, *exc):
        return None

    _base().__exit__ = __exit__


@mutant(
    "recv-returns-a-broken-message",
    ["conn.killed-mid-message-corrupts"],
    "A message cut short by end of file is returned as it is, instead of raising",
)
def _(mp):
    import io

    Connection = _conn().Connection
    read = os.read

    def _recv(self, size, read=read):
        buf = io.BytesIO()
        remaining = size
        while remaining > 0:
            chunk = read(self._handle, remaining)
            if not chunk:
                if remaining == size:
                    raise EOFError
                return buf
            buf.write(chunk)
            remaining -= len(chunk)
        return buf

    Connection._recv = _recv


# --- Listener, Client, addresses ------------------------------------------------------


@mutant(
    "address-type-always-inet",
    ["conn.client-infers-family", "conn.address-formats"],
    "address_type() calls every address AF_INET",
)
def _(mp):
    _conn().address_type = lambda address: "AF_INET"


@mutant("default-family-inet", ["conn.listener-family-default"], "Listener() defaults to AF_INET")
def _(mp):
    _conn().default_family = "AF_INET"


@mutant(
    "unix-listener-leaves-its-file",
    ["conn.listener-close-gc", "conn.listener-context-manager"],
    "A closed or collected AF_UNIX listener leaves its socket file behind",
)
@replacing(lambda: _conn().SocketListener, "__init__")
def unix_listener_leaves_its_file(original, self, *args, **kwargs):
    original(self, *args, **kwargs)
    if getattr(self, "_unlink", None) is not None:
        self._unlink.cancel()
        self._unlink = None


@mutant("listener-exit-keeps-open", ["conn.listener-context-manager"], "Leaving `with listener:` does not close it")
def _(mp):
    _conn().Listener.__exit__ = lambda self, *exc: None


@mutant("last-accepted-always-none", ["conn.last-accepted"], "Listener.last_accepted is always None")
def _(mp):
    _conn().Listener.last_accepted = property(lambda self: None)


# --- wait() ----------------------------------------------------------------------------


def _replace_wait(new):
    connection = _conn()
    original = connection.wait
    connection.wait = functools.wraps(original)(functools.partial(new, original))


@mutant(
    "wait-returns-everything",
    ["conn.wait-ready-list", "conn.wait-accepts-kinds", "conn.wait-ready-on-close"],
    "wait() returns every object it was given, ready or not",
)
def _(mp):
    _replace_wait(lambda original, object_list, timeout=None: list(object_list))


@mutant(
    "wait-ignores-end-of-file",
    ["conn.wait-ready-on-close", "conn.wait-multi-producers"],
    "wait() reports a connection or socket ready only when it has bytes to read, not at "
    "end of file",
)
def _(mp):
    import fcntl
    import struct
    import termios
    import time

    def available(obj):
        fd = obj if isinstance(obj, int) else obj.fileno()
        try:
            return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:
            return 1  # not a pipe or socket (a sentinel): leave it alone

    def wait(original, object_list, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            ready = [o for o in original(object_list, 0.05) if isinstance(o, int) or available(o)]
            if ready or (deadline is not None and time.monotonic() >= deadline):
                return ready

    _replace_wait(wait)


@mutant(
    "wait-fails-on-signals",
    ["conn.wait-no-eintr"],
    "wait() raises InterruptedError when a SIGALRM handler runs while it waits (as "
    "select did before PEP 475)",
)
def _(mp):
    def wait(original, object_list, timeout=None):
        import threading

        handler = signal.getsignal(signal.SIGALRM)
        if not callable(handler) or threading.current_thread() is not threading.main_thread():
            return original(object_list, timeout)

        fired = []

        def interrupting(*args):
            fired.append(True)
            handler(*args)

        signal.signal(signal.SIGALRM, interrupting)
        try:
            ready = original(object_list, timeout)
        finally:
            signal.signal(signal.SIGALRM, handler)
        if fired:  # what select() did before PEP 475: fail instead of resuming
            raise InterruptedError(4, "Interrupted system call")
        return ready

    _replace_wait(wait)


@mutant(
    "client-reaches-all-interfaces",
    ["conn.inet-0000-windows"],
    "Client(('0.0.0.0', port)) connects to the loopback interface instead, so a Listener "
    "bound to all interfaces looks connectable on Windows too (killed where the claim "
    "applies: Windows)",
)
@replacing("connection", "Client")
def client_reaches_all_interfaces(original, address, *args, **kwargs):
    if isinstance(address, tuple) and address[:1] == ("0.0.0.0",):
        address = ("127.0.0.1",) + tuple(address[1:])
    return original(address, *args, **kwargs)

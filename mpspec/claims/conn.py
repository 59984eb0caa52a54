"""Docs chapter `conn`: multiprocessing.connection and authentication keys (the
security chapter)."""

from mpspec.registry import Claim, fails, holds, na, partly

OLD_ASSERT = (
    "Before 3.12 (and in billiard, PyPy 3.9 and multiprocess for 3.11) a keyed Client "
    "that gets something other than a challenge stops at an assert (AssertionError, not "
    "AuthenticationError); under -O the assert is gone, the client answers whatever it "
    "got and then refuses the missing welcome with AuthenticationError. Either way "
    "nothing it received is unpickled."
)

CLAIMS = [
    Claim(
        id="conn.buffer-too-short",
        cite="Exceptions › BufferTooShort; Connection.recv_bytes_into",
        statement="recv_bytes_into() with a buffer too small for the message raises "
        "BufferTooShort, and the exception's args[0] holds the whole message.",
        explanation="A 100-byte message into a 10-byte bytearray raises BufferTooShort with "
        "all 100 bytes in args[0]; the buffer is left untouched and the pipe stays usable.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.send-picklable-only",
        cite="Connection.send",
        statement="send() takes only picklable objects: an unpicklable one fails on the "
        "sending side.",
        explanation="Sending a lambda or a generator raises in send() (PicklingError, or "
        "AttributeError/TypeError depending on the version), nothing reaches the pipe, and "
        "the pipe stays usable.",
        verdicts=(
            holds(
                "multiprocess pickles with dill, so 'picklable' is wider: a lambda is sent and "
                "arrives callable; a generator still fails in send().",
                libraries=("multiprocess",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.large-message-valueerror",
        cite="Connection.send, Connection.send_bytes (the note on very large pickles)",
        statement="Sending a huge message can fail with ValueError; the docs put the limit "
        "near 32 MiB and leave the exact figure to the platform.",
        explanation="No ValueError on Linux: a 64 MiB message goes between processes intact. "
        "The length header has a 64-bit form (a -1 marker, then 8 bytes) for messages above "
        "2 GiB on every version here, so only memory limits the size.",
        verdicts=(fails(),),
        per_method=False,
    ),
    Claim(
        id="conn.recv-blocks",
        cite="Connection.recv",
        statement="recv() waits for as long as it takes: it returns only once an object "
        "has arrived.",
        explanation="A receiver waits for a child that sends late, and gets the object.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.fileno",
        cite="Connection.fileno",
        statement="fileno() returns the connection's file descriptor or handle, usable with "
        "select on Unix.",
        explanation="select() on the descriptor reports it readable exactly when a message "
        "is waiting.",
        verdicts=(
            na("Windows handles cannot be passed to select(); wait() is the portable way",
               platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.close-gc",
        cite="Connection.close",
        statement="close() closes the connection, and so does garbage collection.",
        explanation="Once the last copy of the writing end is collected, the reader gets "
        "EOFError; a closed connection's methods raise OSError.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.poll-timeout",
        cite="Connection.poll",
        statement="poll() without a timeout returns at once; with a number it waits up to "
        "that long; with None it waits for ever.",
        explanation="As documented: poll() is False at once on an empty pipe, poll(t) waits "
        "about t and says False, poll(None) returns True when data comes.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.send-bytes-offset-size",
        cite="Connection.send_bytes",
        statement="send_bytes(buffer, offset, size) sends only that slice, as one message.",
        explanation="The receiver gets exactly the slice; an offset or size outside the "
        "buffer raises ValueError in the sender.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.recv-bytes-maxlength",
        cite="Connection.recv_bytes",
        statement="recv_bytes(maxlength) raises OSError for a longer message, and the "
        "connection cannot be read any more.",
        explanation="OSError('bad message length'); a duplex end then refuses reads "
        "('connection is write-only'), a one-way reader is closed ('handle is closed').",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.recv-bytes-into-offset",
        cite="Connection.recv_bytes_into",
        statement="recv_bytes_into(buffer, offset) writes the message at that byte offset "
        "and returns the message's length in bytes.",
        explanation="An array('i') of 5 items into one of 10 returns 20 (bytes); with offset "
        "8 the items land from index 2.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.connection-transferable",
        cite="Connection (added in 3.3: connections can be transferred)",
        statement="A Connection can itself be sent to another process through a "
        "connection or queue.",
        explanation="The child receives a working end and replies through it. Sent after "
        "the child started, the end travels by the parent's resource sharer (an AF_UNIX "
        "listener thread that hands the descriptor over) under every start method.",
        verdicts=(holds(),),
    ),
    Claim(
        id="conn.context-manager",
        cite="Connection (context manager, added in 3.3)",
        statement="Connections are context managers; leaving the with block closes them.",
        explanation="After the block closed is True and recv() raises OSError.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.recv-unpickles-untrusted",
        cite="Connection (the warning on recv and unpickling)",
        statement="recv() unpickles what arrives, so a malicious peer can make the receiver "
        "run code: use send/recv on a connection that is not a Pipe only after "
        "authentication.",
        explanation="True and shown contained: an independent process that connects to a "
        "Listener without a key sends a pickle whose loading creates a marker file; "
        "recv() creates it. With a key the same bytes are refused before anything is "
        "unpickled (conn.auth-one-sided, conn.auth-failure).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.killed-mid-message-corrupts",
        cite="Connection (the warning on killing a process that uses a pipe)",
        statement="Killing a process while it reads or writes a pipe can corrupt the pipe: "
        "message boundaries are lost.",
        explanation="Shown deterministically: a child killed inside a 4 MiB send_bytes "
        "(blocked on the full pipe) leaves a header and part of the body; the next writer's "
        "message is swallowed as more of that body, and the reader ends with OSError 'got "
        "end of file during message'.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.deliver-answer-challenge",
        cite="multiprocessing.connection › deliver_challenge, answer_challenge (changed in 3.12)",
        statement="deliver_challenge() and answer_challenge() authenticate a connection with "
        "an HMAC digest of a random message; with different keys both ends raise "
        "AuthenticationError.",
        explanation="Across two processes: equal keys, both calls return; different keys, "
        "both raise AuthenticationError (the answering end after the deliverer's FAILURE). "
        "The digest is MD5 before 3.12, SHA-256 from 3.12 (conn.challenge-digest).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.client-infers-family",
        cite="Listeners and Clients › Client",
        statement="Client(address) works out the family from the address's form and returns "
        "a Connection.",
        explanation="A tuple connects over AF_INET, a path over AF_UNIX; both give a working "
        "Connection.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.authkey-none-no-auth",
        cite="Listeners and Clients › Client, Listener (authkey)",
        statement="With authkey None, Listener and Client perform no authentication.",
        explanation="Each side decides alone: Listener(authkey=None).accept() returns at once "
        "whoever connects, even a keyed Client, and Client(authkey=None) sends nothing "
        "before the caller's data. The catalogue's 'accepts a Client with any key' is "
        "wrong: a keyed Client waits for a challenge that never comes (and refuses what "
        "comes instead).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.auth-failure",
        cite="Listeners and Clients › Client, Listener.accept",
        statement="Listener.accept() and Client() raise AuthenticationError when the peer's "
        "key differs.",
        explanation="An independent process with the wrong key gets AuthenticationError and "
        "so does accept(). A peer that sends a pickle right behind its wrong answer is "
        "refused before the pickle is read: it is never unpickled (the peer sees #FAILURE#, "
        "then a reset for its unread bytes). accept() does not close the refused socket "
        "itself: CPython's reference counting closes it at once, PyPy only when collected.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.auth-one-sided",
        cite="Authentication keys; Listeners and Clients",
        statement="Authentication is mutual: a keyless client cannot talk to a keyed listener, "
        "nor a keyed client to a keyless listener.",
        explanation="A keyless peer's first message (a pickle) is taken as its answer to the "
        "challenge: accept() raises AuthenticationError and never unpickles it. A keyed "
        "Client facing a keyless listener that sends a pickle refuses it without unpickling "
        "(AuthenticationError 'Protocol error, expected challenge').",
        verdicts=(
            partly(OLD_ASSERT, python="<3.12"),
            partly(OLD_ASSERT, libraries=("billiard",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.inet-0000-windows",
        cite="Listeners and Clients › Listener (the note on '0.0.0.0')",
        statement="On Windows, a Listener on '0.0.0.0' is not an address a client can "
        "connect to; use '127.0.0.1'.",
        explanation="A Windows matter (connecting to 0.0.0.0 fails there). On Linux and macOS "
        "connecting to 0.0.0.0 reaches the local host, so the note does not apply.",
        verdicts=(
            holds(platforms=("win32",)),
            na("only Windows refuses connections to 0.0.0.0 (elsewhere it reaches the local "
               "host)"),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.listener-family-default",
        cite="Listeners and Clients › Listener (family and address)",
        statement="Given neither family nor address, Listener() picks the quickest kind of "
        "socket the platform offers, and a Unix-domain socket gets a path inside a temporary "
        "directory of its own; AF_INET is the one family found on every platform.",
        explanation="On Linux Listener() is AF_UNIX, its path in the process's own pymp-* "
        "directory (mode 0700): named listener-*, and sock-<hex> from 3.14 (also in late 3.13 releases: 3.13.18, not 3.13.0). Windows would "
        "use AF_PIPE (registered from the source).",
        verdicts=(
            holds("AF_PIPE: a \\\\.\\pipe\\pyc-<pid>-<n>-... name.", platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.listener-close-gc",
        cite="Listeners and Clients › Listener.close",
        statement="Listener.close() closes its socket or pipe (garbage collection does too); "
        "an AF_UNIX listener's socket file is removed.",
        explanation="After close() or collection a Client is refused (ConnectionRefusedError "
        "for AF_INET, FileNotFoundError for AF_UNIX) and the socket file is gone.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.last-accepted",
        cite="Listeners and Clients › Listener.address, Listener.last_accepted",
        statement="Listener.address is the bound address; last_accepted the address of the "
        "last connection accepted, or None when not available.",
        explanation="address is the real bound address (port filled in); last_accepted is "
        "None before any accept, the client's (host, port) for AF_INET, and '' (not None) "
        "for an AF_UNIX client, which has no address.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.listener-context-manager",
        cite="Listeners and Clients › Listener (context manager, added in 3.3)",
        statement="Listener is a context manager; leaving the block closes it.",
        explanation="After the block a Client is refused and the AF_UNIX path is gone.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.wait-ready-list",
        cite="multiprocessing.connection.wait (added in 3.3)",
        statement="wait(objects, timeout) returns the ready subset; None waits for ever; a "
        "negative timeout counts as zero.",
        explanation="Exactly the written connection comes back; with -1 an empty list at "
        "once; with None it returns once something is ready.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.wait-accepts-kinds",
        cite="multiprocessing.connection.wait",
        statement="wait() takes readable Connections, connected sockets and Process "
        "sentinels, mixed.",
        explanation="Each is returned, as the same object, when its event happens.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.wait-ready-on-close",
        cite="multiprocessing.connection.wait",
        statement="wait() reports a connection or socket once reading it would not block: "
        "when a message is waiting, and also when its peer has hung up.",
        explanation="Not ready while the writer lives; ready once it closes; recv() then "
        "raises EOFError.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.wait-no-eintr",
        cite="multiprocessing.connection.wait (Unix: not interrupted by signals)",
        statement="On Unix, wait() does not fail with EINTR when a signal arrives, unlike "
        "plain select().",
        explanation="A SIGALRM handler runs during wait() and wait() carries on to its "
        "timeout. The contrast is dated: since PEP 475 (3.5) select() retries after a "
        "handler too, so plain select() does not fail either.",
        verdicts=(
            na("Windows has no SIGALRM or EINTR", platforms=("win32",)),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="conn.wait-multi-producers",
        cite="multiprocessing.connection.wait (the example with several children)",
        statement="wait() lets one process read many children's pipes until each reaches "
        "end of file.",
        explanation="Four children send ten messages each; the parent gets all forty and "
        "sees each reader's EOF, provided it closed its own copies of the writers first.",
        verdicts=(holds(),),
    ),
    Claim(
        id="conn.listener-client-example",
        cite="Listeners and Clients › Examples (server and client)",
        statement="The example pair works: over AF_INET with an authkey, an object, bytes, "
        "and an array read with recv_bytes_into (8 bytes) make the round trip.",
        explanation="With a server in a child process on ('localhost', 0) and our own values, "
        "the client gets the list, the bytes, and recv_bytes_into returns 8.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.address-formats",
        cite="Listeners and Clients › Address Formats",
        statement="AF_INET addresses are (host, port) tuples, AF_UNIX addresses paths, AF_PIPE "
        "names \\\\.\\pipe\\Name; a string starting with two backslashes is an AF_PIPE name.",
        explanation="address_type() says so for each form; on Linux a Listener for an AF_PIPE "
        "name fails (the family is Windows-only).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.key-not-sent",
        cite="Authentication keys",
        statement="Proving that both ends share the authkey never sends the key itself.",
        explanation="A relay that records a whole authenticated session sees the challenges, "
        "the digests, the welcomes and the data, never the key (nor the key's hex).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="conn.default-authkey-shared",
        cite="Authentication keys; Process.authkey",
        statement="Where authentication is wanted without a key, current_process().authkey "
        "is used; children inherit it, so by default a program's processes share one key.",
        explanation="A child (every start method) connects with its inherited "
        "current_process().authkey to the parent's Listener keyed with the parent's; an "
        "independent interpreter's own random key is refused. Listener and Client do not "
        "fall back to it themselves: authkey None means no authentication "
        "(conn.authkey-none-no-auth); the fallback is the managers' and the resource "
        "sharer's.",
        verdicts=(holds(),),
    ),
    Claim(
        id="conn.challenge-digest",
        cite="multiprocessing.connection › deliver_challenge (changed in 3.12: HMAC-SHA256)",
        statement="The handshake's HMAC is negotiated: from 3.12 the challenge carries a "
        "'{sha256}' prefix and the answer is b'{sha256}' plus HMAC-SHA256; earlier "
        "versions use bare HMAC-MD5.",
        explanation="Recorded on the wire: 3.12+ sends '#CHALLENGE#{sha256}' and 40 random "
        "bytes, and the answer is '{sha256}' and 32 bytes (over the prefixed message); a "
        "3.12+ deliverer still accepts a bare 16-byte MD5 answer from an old client.",
        verdicts=(
            partly(
                "billiard (every version) keeps the pre-3.12 protocol: a 20-byte challenge and "
                "a bare 16-byte HMAC-MD5 answer.",
                libraries=("billiard",),
            ),
            holds(python=">=3.12"),
            partly(
                "Before 3.12 (CPython, PyPy 3.9, multiprocess for 3.8-3.11): a 20-byte random "
                "challenge and a bare 16-byte HMAC-MD5 answer, no negotiation."
            ),
        ),
        per_method=False,
        beyond=True,
    ),
    Claim(
        id="conn.empty-authkey",
        cite="Listeners and Clients › Listener (authkey: only None means no authentication)",
        statement="Only authkey=None turns authentication off: an empty key b'' is still a "
        "key, and a Listener with it challenges every client.",
        explanation="From 3.13 (and in multiprocess's copies for 3.11+) Listener.accept() "
        "tests 'authkey is not None': with b'' it challenges, and a keyless client's first "
        "message is refused as a wrong answer.",
        verdicts=(
            fails(
                "billiard tests the key's truth: Listener(authkey=b'') accepts anyone without a "
                "challenge (while Client(authkey=b'') does answer one, so the two sides of an "
                "empty key do not even agree).",
                libraries=("billiard",),
            ),
            holds(python=">=3.13"),
            holds(python=">=3.11", libraries=("multiprocess",)),
            fails(
                "Before 3.13 Listener.accept() tests the key's truth ('if self._authkey'): "
                "with b'' it accepts anyone without a challenge, while Client(authkey=b'') "
                "does answer one."
            ),
        ),
        per_method=False,
        beyond=True,
    ),
]

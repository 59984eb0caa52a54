"""Managers and proxies: every promise of the reference's Managers and Proxy Objects
sections.

Docs: multiprocessing › "Sharing state between processes" › Server process;
Reference › Managers (Manager(); BaseManager: address, authkey, start(initializer),
get_server(), connect(), shutdown(), register() with exposed / method_to_typeid /
create_method, use as a context manager (3.3)); SyncManager (its primitives, Value,
Array, dict, list, Namespace; nested proxies, 3.6); Customized managers; Using a
remote manager; Proxy Objects (str/repr, pickling, nested containers, equality,
_callmethod, _getvalue) and Cleanup; What's New in Python 3.14 › multiprocessing
(new list and dict proxy methods, gh-103134; SyncManager.set(), gh-129949).

Managers served on an address are used by independent interpreters
(fixtures/scripts/manager_*.py) on 127.0.0.1, with a port the system chooses.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of the part of a claim that holds where the claim only
partly holds pin that part and observe nothing.
"""

import contextlib
import gc
import hmac
import os
import pickle
import re
import signal
import time

import psutil
import pytest

from fixtures import manager as fx
from mpspec import isolation, lib, support
from mpspec.deadlines import DEADLINE, WAIT


@contextlib.contextmanager
def manager_started(manager, *args):
    """``manager.start(*args)``, shut down on the way out whatever happens."""
    manager.start(*args)
    try:
        yield manager
    finally:
        manager.shutdown()


@contextlib.contextmanager
def sync_manager(ctx):
    """``ctx.Manager()`` (a started SyncManager), shut down on the way out."""
    manager = ctx.Manager()
    try:
        yield manager
    finally:
        manager.shutdown()


def child(ctx, target, *args):
    """Run ``target(*args)`` in a child of ``ctx``; it must exit 0."""
    assert support.run(ctx, target, *args).exitcode == 0


# --- independent interpreters: a served manager and its clients -------------------


@contextlib.contextmanager
def serving(mode, *args):
    """Run fixtures/scripts/manager_serve.py MODE ARGS in a session of its own; yield
    the address it serves on.  On the way out ask it to shut down (the server's own
    'shutdown' request) and wait for it; its session is killed if it lingers."""
    with support.script("manager_serve.py", mode, *args) as server:
        address = tuple(server.report()["address"])
        try:
            yield address
        finally:
            if server.poll() is None:
                with contextlib.suppress(Exception):
                    ask_shutdown(address, fx.AUTHKEY)
            done = server.finish()
    assert "stopped" in done.stdout, done.stderr


def ask_shutdown(address, authkey):
    """Send a manager server the 'shutdown' request, as its owner's shutdown() does."""
    connection, managers = lib.module("connection"), lib.module("managers")
    conn = connection.Client(address, authkey=authkey)
    try:
        managers.dispatch(conn, None, "shutdown")
    finally:
        conn.close()


def client(address, action, *args, authkey=fx.AUTHKEY):
    """Run fixtures/scripts/manager_client.py: an independent process that connect()s
    and does one thing; return its report."""
    host, port = address
    report, _ = support.script_report("manager_client.py", host, port, authkey.hex(), action, *args)
    return report


# --- Sharing state between processes › Server process ------------------------------


def every_type(manager):
    return {
        "list": manager.list(),
        "dict": manager.dict(),
        "namespace": manager.Namespace(),
        "lock": manager.Lock(),
        "rlock": manager.RLock(),
        "semaphore": manager.Semaphore(1),
        "bounded": manager.BoundedSemaphore(1),
        "condition": manager.Condition(),
        "event": manager.Event(),
        "barrier": manager.Barrier(2),
        "queue": manager.Queue(),
        "value": manager.Value("i", 0),
        "array": manager.Array("i", [0, 0]),
    }


@pytest.mark.claim("manager.supported-types")
def test_a_manager_shares_every_documented_type_with_a_child(ctx, observed):
    """A Manager creates list, dict, Namespace, Lock, RLock, Semaphore,
    BoundedSemaphore, Condition, Event, Barrier, Queue, Value and Array; a child uses
    each through its proxy and the parent sees every effect."""
    with sync_manager(ctx) as manager:
        p = every_type(manager)
        worker = ctx.Process(target=fx.use_every_type, args=(p,))
        with p["condition"]:
            with support.started(worker):
                assert p["condition"].wait(DEADLINE), "no notify from the child"
                p["condition"].release()
                try:
                    assert p["barrier"].wait(DEADLINE) in (0, 1)
                finally:
                    p["condition"].acquire()
                support.join(worker)
        assert worker.exitcode == 0
        seen = {
            "list": p["list"][:] == ["child"],
            "dict": p["dict"].copy() == {"child": worker.pid},
            "namespace": getattr(p["namespace"], "child", None) == "here",
            **{name: p[name].acquire(False) is False for name in ("lock", "rlock", "semaphore", "bounded")},
            "queue": p["queue"].get(timeout=DEADLINE) == "from child",
            "value": p["value"].value == 7,
            "array": list(p["array"][:]) == [9, 0],
            "event": p["event"].is_set(),
            "condition, barrier": True,  # the child notified and met the parent at the barrier, above
        }
    missed = [name for name, ok in seen.items() if not ok]
    observed(
        "holds" if not missed else "does-not-hold",
        because=f"the parent saw the child's effect through each of {len(seen)} kinds of proxy"
        + (f" except {missed}" if missed else ""),
    )


@pytest.mark.claim("manager.child-mutations-visible")
def test_a_childs_changes_to_a_manager_dict_and_list_are_seen_by_the_parent(ctx, observed):
    """A child sets three keys of a manager dict and reverses a manager list; the
    parent then reads exactly those contents."""
    with sync_manager(ctx) as manager:
        d, l = manager.dict(), manager.list(range(5))
        child(ctx, fx.mutate_dict_and_list, d, l)
        got = d.copy(), l[:]
    observed(
        "holds" if got == ({1: "1", "2": 2, 0.25: None}, [4, 3, 2, 1, 0]) else "does-not-hold",
        because=f"after the child's changes the parent read the dict and the list as {got}",
    )


@pytest.mark.claim("manager.network-sharable")
def test_an_independent_process_changes_a_manager_served_on_tcp(observed):
    """A manager started on 127.0.0.1 (port chosen by the system) with an authkey is
    reached by an unrelated interpreter that knows the address and key: its change to
    the shared dict is seen by the manager's owner."""
    manager = fx.RemoteManager(address=("127.0.0.1", 0), authkey=fx.AUTHKEY,
                               ctx=support.cheapest_context())
    with manager_started(manager):
        host, port = manager.address
        assert host == "127.0.0.1" and port > 0
        report = client(manager.address, "board-set", "remote")
        assert report["pid"] not in (os.getpid(), manager._process.pid)
        board = manager.get_board().copy()
    observed(
        "holds" if board == {"remote": report["pid"]} else "does-not-hold",
        because=f"an unrelated interpreter (pid {report['pid']}) connected over TCP set 'remote'; the owner reads {board}",
    )


@pytest.mark.claim("manager.slower-than-shm")
def test_a_manager_value_is_slower_than_a_shared_memory_value(observed):
    """The same number of increments takes longer through a manager's Value proxy
    (a round trip to the server each time) than on a shared-memory Value.  Measured
    in alternation, several rounds, comparing the best rounds."""
    ctx = support.cheapest_context()
    shm = ctx.Value("i", 0)
    count = 200

    def bump(value):
        start = time.perf_counter()
        for _ in range(count):
            value.value += 1
        return time.perf_counter() - start

    with sync_manager(ctx) as manager:
        proxied = manager.Value("i", 0)
        shm_times, proxy_times = [], []
        for _ in range(3):
            shm_times.append(bump(shm))
            proxy_times.append(bump(proxied))
        assert proxied.value == shm.value == 3 * count
    # Best round against best round: what load adds to a round does not count.
    observed(
        "holds" if min(proxy_times) > min(shm_times) else "does-not-hold",
        because=f"best of 3 rounds of {count} increments: {min(proxy_times) * 1e3:.2f} ms through the manager's "
        f"Value, {min(shm_times) * 1e3:.2f} ms on a shared-memory Value",
    )


# --- Managers: Manager(), BaseManager -------------------------------------------------


@pytest.mark.claim("manager.manager-returns-started")
def test_manager_returns_a_started_sync_manager_with_its_own_server_process(ctx, observed):
    """Manager() returns a SyncManager that is already started: its server is a live
    child process of ours, other than this process, and its address is known."""
    with sync_manager(ctx) as manager:
        kind = type(manager).__name__
        server = manager._process
        started = (
            isinstance(manager, fx.SyncManager)
            and server.is_alive() and server.pid != os.getpid()
            and server in lib.mp.active_children()
            and bool(manager.address)
            and manager.list([1])[:] == [1]
        )
        observed(
            "holds" if started else "does-not-hold",
            because=f"Manager() returned a {kind} whose server (pid {server.pid}, ours {os.getpid()}) is alive "
            f"and our child: {server.is_alive() and server in lib.mp.active_children()}, at {manager.address!r}",
        )


@pytest.mark.claim("manager.shutdown-on-gc-or-parent-exit")
def test_a_garbage_collected_manager_stops_its_server(ctx):
    """Dropping the last reference to a started manager stops its server process."""
    manager = ctx.Manager()
    server = manager._process
    try:
        del manager
        gc.collect()
        assert support.wait_gone(server), "the server outlived its manager"
    finally:
        support.stop(server)


def orphan_of(start_method, mode, tmp_path):
    """Run fixtures/scripts/manager_exit.py; return (the manager's server as a
    psutil.Process, its address, its authkey) if the server still runs once the
    program has ended, else None."""
    report = tmp_path / f"{mode}.json"
    # Output to files: a server left running must not hold the pipes of this run.
    done = support.run_script("manager_exit.py", start_method, mode, report, capture="files")
    assert report.exists(), (done.returncode, done.stderr)
    got = support.report_of(report.read_text(), "manager_exit.py")
    pid, orphan = got["server"], None
    with contextlib.suppress(psutil.NoSuchProcess):
        orphan = psutil.Process(pid), got["address"], bytes.fromhex(got["authkey"])
    handed_over = False
    try:
        assert done.returncode == (0 if mode == "return" else -signal.SIGKILL)
        # Give it the chance to react to its parent's end (a zombie counts as ended).
        if support.wait_gone(pid, timeout=WAIT):
            return None
        handed_over = True  # the caller ends it
        return orphan
    finally:
        if orphan is not None and not handed_over and not support.gone(pid):
            end_orphan(*orphan)


def end_orphan(server, address, authkey):
    """Stop a manager server left running: ask it to shut down (it then removes its
    socket file and temporary directory), kill it if that does not work."""
    with contextlib.suppress(Exception):
        ask_shutdown(address, authkey)
    if not support.wait_gone(server, timeout=DEADLINE / 3):
        with contextlib.suppress(psutil.Error):
            server.kill()
    assert support.wait_gone(server)


@pytest.mark.claim("manager.shutdown-on-gc-or-parent-exit")
@pytest.mark.parametrize("mode", ["return", "killed"], ids=["program-returns", "program-killed"])
def test_a_manager_server_stops_when_its_program_exits_but_not_when_it_is_killed(start_method, observed, tmp_path, mode):
    """A program that returns with its manager still referenced stops the server on
    the way out.  A program killed with SIGKILL runs no finalizer: its manager's server
    is left running, an orphan, serving forever."""
    orphan = None
    try:
        orphan = orphan_of(start_method, mode, tmp_path)
        if mode == "return":  # the part that holds
            assert orphan is None, "the server outlived a program that returned"
        elif orphan is None:
            observed("holds", because="the server ended with its program killed by SIGKILL")
        else:
            assert orphan[0].ppid() != os.getpid()
            observed(
                "partly",
                because=f"the server (pid {orphan[0].pid}) still runs, an orphan, after its program was killed by SIGKILL",
            )
    finally:
        if orphan is not None:
            end_orphan(*orphan)
        if mode == "killed":
            isolation.remove_pymp_dirs_of_the_killed("the program killed with SIGKILL, and its orphaned server")


@pytest.mark.claim("manager.base-start-or-serve")
def test_an_unstarted_base_manager_cannot_create_objects(facts, observed):
    """A BaseManager that was neither started nor connected refuses to create a
    registered object: an assertion (`server not yet started`); under -O, where the
    assertion is gone, the attempt to reach the missing server fails instead."""
    manager = fx.CountingManager()
    try:
        got = manager.Counter()
    except Exception as error:
        got = error
    if facts.optimize:
        refused = type(got) is ValueError and "address type of None" in str(got)
    else:
        refused = type(got) is AssertionError and "not yet started" in str(got)
    with pytest.raises(AttributeError):
        manager.shutdown()  # only start() gives a manager its shutdown()
    observed(
        "holds" if refused else "does-not-hold",
        because=f"Counter() on a manager neither started nor connected: {got!r}",
    )


@pytest.mark.claim("manager.address-none-arbitrary")
def test_a_manager_without_an_address_reports_the_one_it_chose(facts, observed):
    """With address=None the server picks an address, which .address reports: on
    Linux a fresh AF_UNIX socket path (listener-..., or sock-... in newer releases) in
    a temporary directory."""
    manager = fx.CountingManager(ctx=support.cheapest_context())
    assert manager.address is None
    with manager_started(manager):
        address = manager.address
        chosen = (
            isinstance(address, str) and bool(address)
            and lib.module("connection").address_type(address) == "AF_UNIX"
            and os.path.basename(address).startswith(("listener-", "sock-"))
            and os.path.exists(address)  # the socket file
        )
        served = manager.Counter().add(1) == 1
    observed(
        "holds" if chosen and served else "does-not-hold",
        because=f"with address=None .address reads {address!r} (a socket file there: {chosen}); served there: {served}",
    )


def wrong_answer(challenge, key=b"not the key"):
    """An answer to ``challenge`` in the form this version expects, made with the
    wrong key: b'{digest}' + HMAC (3.12+), or a bare HMAC-MD5."""
    marker = getattr(lib.module("connection"), "_CHALLENGE", None) or b"#CHALLENGE#"
    message = challenge[len(marker):]
    named = re.match(rb"{(sha256|sha384|sha512|md5)}", message)
    if named:
        return named.group(0) + hmac.new(key, message, named.group(1).decode()).digest()
    return hmac.new(key, message, "md5").digest()


def attack(address, request):
    """Speak the manager protocol without the key: answer the server's challenge
    with a wrong digest and, right behind it without waiting for the verdict, the
    rest of a client's side (a challenge of our own, the welcome the server waits
    for) and ``request``.  Returns the server's reply if it let that pass;
    AuthenticationError when it refuses the digest."""
    connection = lib.module("connection")
    challenge = getattr(connection, "_CHALLENGE", None) or connection.CHALLENGE
    welcome = getattr(connection, "_WELCOME", None) or connection.WELCOME
    failure = getattr(connection, "_FAILURE", None) or connection.FAILURE

    def next_message(conn):
        if not conn.poll(DEADLINE):
            raise TimeoutError("the manager's server said nothing in time")
        return conn.recv_bytes(1 << 16)

    conn = connection.Client(address)  # no authkey: no handshake of our own
    try:
        conn.send_bytes(wrong_answer(next_message(conn)))
        # All of it before the verdict.  A server that refuses may hang up while we
        # still send: the verdict it sent first is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.send_bytes(challenge + os.urandom(20))
            conn.send_bytes(welcome)
            conn.send(request)
        verdict = next_message(conn)
        if verdict == failure:
            raise lib.mp.AuthenticationError("the server refused the wrong digest")
        assert verdict == welcome, verdict
        next_message(conn)  # the server's answer to our challenge
        return pickle.loads(next_message(conn))
    finally:
        conn.close()


@pytest.mark.claim("manager.authkey-default")
@pytest.mark.parametrize("authkey", ["default", "given"], ids=["authkey-none", "authkey-given"])
def test_a_manager_admits_only_clients_with_its_authkey(authkey, observed):
    """[SEC] authkey=None means current_process().authkey; given bytes replace it.
    A client with the right key is served; one with a wrong key gets
    AuthenticationError, and a request a client without the key sends right behind
    its wrong answer (here: creating an object, and 'shutdown') is refused unread:
    the server lives on and holds no object."""
    connection, managers = lib.module("connection"), lib.module("managers")
    ctx = support.cheapest_context()
    own_key = bytes(lib.mp.current_process().authkey)
    given = b"a key of our own"
    # the manager's key, the right key for a client, and a wrong one
    key, right, wrong = (None, own_key, given) if authkey == "default" else (given, given, own_key)
    manager = fx.CountingManager(authkey=key, ctx=ctx)
    with manager_started(manager):
        conn = connection.Client(manager.address, authkey=right)
        try:
            served = managers.dispatch(conn, None, "number_of_objects")
        finally:
            conn.close()
        outcomes = []
        for attempt in (
            lambda: connection.Client(manager.address, authkey=wrong).close(),
            lambda: attack(manager.address, (None, "create", ("Counter",), {})),
            lambda: attack(manager.address, (None, "shutdown", (), {})),
        ):
            try:
                outcomes.append(f"admitted: {attempt()!r}")
            except lib.mp.AuthenticationError:
                outcomes.append("AuthenticationError")
        alive, objects = manager._process.is_alive(), manager._number_of_objects()
        assert manager.Counter().add(2) == 2
    observed(
        "holds" if served == 0 and outcomes == ["AuthenticationError"] * 3 and alive and objects == 0 else "does-not-hold",
        because=f"authkey {authkey}: the right key was served ({served} objects); the wrong key, then a create and "
        f"a shutdown behind wrong answers: {outcomes}; the server alive: {alive}, holding {objects} objects",
    )


@pytest.mark.claim("manager.start-initializer")
def test_start_runs_the_initializer_in_the_server_process(ctx, tmp_path, observed):
    """start(initializer, initargs) calls initializer(*initargs) in the new server
    process before it serves."""
    path = tmp_path / "started"
    manager = fx.CountingManager(ctx=ctx)
    with manager_started(manager, fx.record_start, (str(path), "a", 2)):
        recorded = support.report_of(path.read_text(), "the initializer")
        observed(
            "holds" if recorded["pid"] == manager._process.pid != os.getpid() and recorded["args"] == ["a", 2]
            else "does-not-hold",
            because=f"the initializer ran in pid {recorded['pid']} (the server: {manager._process.pid}, ours: "
            f"{os.getpid()}) with {recorded['args']}",
        )


@pytest.mark.claim("manager.get-server-serve-forever")
def test_get_server_hosts_a_manager_in_the_current_process(observed):
    """In an independent interpreter, get_server() returns a Server whose .address is
    the bound address (the real port for port 0) and whose serve_forever() serves the
    registered objects, in that interpreter's own process, until shut down."""
    with serving("board") as address:
        host, port = address
        assert host == "127.0.0.1" and port > 0
        manager = fx.client_manager(address, fx.AUTHKEY)
        manager.connect()
        board = manager.get_board()
        board["here"] = os.getpid()
        got = board.copy()
    observed(
        "holds" if host == "127.0.0.1" and port > 0 and got == {"here": os.getpid()} else "does-not-hold",
        because=f"serve_forever() of get_server() bound at {address} served a board that read back {got}",
    )


@pytest.mark.claim("manager.connect-remote")
def test_connect_attaches_to_a_running_manager_process(observed):
    """connect() attaches a manager object to a server already running elsewhere:
    its registered typeids return working proxies, and two connected managers (one in
    an independent client process) share the same objects."""
    with serving("board") as address:
        first = fx.client_manager(address, fx.AUTHKEY)
        first.connect()
        first.get_board()["mine"] = 1
        report = client(address, "board-set", "theirs")
        second = fx.client_manager(address, fx.AUTHKEY)
        second.connect()
        got = second.get_board().copy()
    observed(
        "holds" if got == {"mine": 1, "theirs": report["pid"]} else "does-not-hold",
        because=f"a second connected manager reads {got} after a first one and a client (pid {report['pid']}) wrote",
    )


@pytest.mark.claim("manager.shutdown-idempotent")
def test_shutdown_stops_the_server_and_may_be_repeated(observed):
    """shutdown() stops the server started by start(); calling it again is harmless."""
    manager = fx.CountingManager(ctx=support.cheapest_context())
    manager.start()
    server = manager._process
    try:
        manager.shutdown()
        stopped = support.wait_gone(server)
        try:
            manager.shutdown()
            manager.shutdown()
            again = None
        except Exception as error:
            again = error
    finally:
        support.stop(server)
    observed(
        "holds" if stopped and again is None else "does-not-hold",
        because=f"after shutdown() the server is gone: {stopped}; two more shutdown() calls: "
        + ("returned" if again is None else repr(again)),
    )


# --- register() ----------------------------------------------------------------------


@pytest.mark.claim("manager.register-typeid")
def test_register_adds_a_method_that_makes_a_server_side_object(observed):
    """register(typeid, callable) gives the manager a method `typeid` returning a proxy
    for a new object made in the server; two proxies of one object see the same state.
    With create_method=False no such method is added."""
    manager = fx.CountingManager(ctx=support.cheapest_context())
    with manager_started(manager):
        counter = manager.Counter(10)
        got = [counter.add(5), counter.pid() == manager._process.pid]
        again = pickle.loads(pickle.dumps(counter))  # another proxy, same referent
        got += [again.add(1), counter.total()]
        hidden = hasattr(manager, "Hidden"), "Hidden" in type(manager)._registry
    observed(
        "holds" if got == [15, True, 16, 16] and hidden == (False, True) else "does-not-hold",
        because=f"Counter(10).add(5), made in the server, another proxy's add(1), the first's total(): {got}; "
        f"create_method=False: a Hidden method {hidden[0]}, registered {hidden[1]}",
    )


@pytest.mark.claim("manager.exposed-public-methods")
def test_a_proxy_exposes_public_methods_or_the_exposed_list(observed):
    """Without `exposed`, a proxy reaches every public method of its referent, but
    neither underscore methods nor plain attributes; with exposed=[...] only those
    names: another method is missing from the proxy, and asking the server for it
    fails with RemoteError."""
    manager = fx.CountingManager(ctx=support.cheapest_context())
    RemoteError = lib.module("managers").RemoteError

    def refused(proxy, name):
        try:
            proxy._callmethod(name)
        except RemoteError:
            return True
        return False

    with manager_started(manager):
        full = manager.Counter()
        public = full.add(1) == 1 and full.total() == 1
        hidden = not hasattr(full, "_private") and not hasattr(full, "label") and refused(full, "_private")
        limited = manager.Limited()
        only_exposed = limited.add(3) == 3 and not hasattr(limited, "pid") and refused(limited, "pid")
    observed(
        "holds" if public and hidden and only_exposed else "does-not-hold",
        because=f"a proxy without exposed: public methods work {public}, '_private' and the attribute absent and "
        f"refused {hidden}; with exposed=[...]: only those names {only_exposed}",
    )


@pytest.mark.claim("manager.method-to-typeid")
def test_method_to_typeid_returns_proxies_instead_of_copies(observed):
    """A method's result comes back as a copy, unless method_to_typeid names a typeid
    for it: then as a proxy of that typeid.  A typeid registered with a callable
    (list) makes a new object from the result; one registered without a callable
    proxies the result itself."""
    ListProxy = lib.module("managers").ListProxy
    manager = fx.ShelfManager(ctx=support.cheapest_context())
    with manager_started(manager):
        seen = []
        for shelf in (manager.Shelf(), manager.CopyingShelf(), manager.SharingShelf()):
            got = shelf.items()
            got.append("x")
            seen.append((type(got).__name__, isinstance(got, ListProxy), shelf.size()))
            if isinstance(got, ListProxy):
                seen[-1] += (got[:],)
    observed(
        "holds"
        if seen == [("list", False, 1), ("ListProxy", True, 1, ["a", "x"]), ("ListProxy", True, 2, ["a", "x"])]
        else "does-not-hold",
        because=f"items() without method_to_typeid, with a typeid of a callable (list), with one without: "
        f"(result type, a proxy, the shelf's size after appending to it, the result's items) {seen}",
    )


@pytest.mark.claim("manager.context-manager-starts")
def test_a_manager_in_a_with_block_is_started_and_then_shut_down(ctx, facts, observed):
    """`with manager:` starts an unstarted manager and shuts it down at the end; a
    manager already started is used as is; a shut-down one cannot be entered again."""
    manager = fx.CountingManager(ctx=ctx)
    with manager as entered:
        assert entered is manager
        server = manager._process
        started = server.is_alive() and manager.Counter().add(1) == 1
    stopped = support.wait_gone(server)
    with pytest.raises(AssertionError if facts.library == "billiard" else lib.mp.ProcessError):
        with manager:
            pass
    again = fx.CountingManager(ctx=ctx)
    again.start()
    server = again._process
    try:
        with again:
            same = again._process is server
        stopped_again = support.wait_gone(server)
    finally:
        support.stop(server)
    observed(
        "holds" if started and stopped and same and stopped_again else "does-not-hold",
        because=f"an unstarted manager in a with block: started {started}, shut down after it {stopped}; a started "
        f"one: the same server {same}, shut down after it {stopped_again}",
    )


# --- SyncManager -------------------------------------------------------------------


@pytest.mark.claim("manager.syncmanager-primitives")
def test_manager_event_and_condition_work_across_processes(ctx, observed):
    """A child waits on a manager Event until the parent sets it, then on a manager
    Condition's wait_for until the parent changes a shared value and notifies."""
    with sync_manager(ctx) as manager:
        event, condition = manager.Event(), manager.Condition()
        flag, done = manager.Value("i", 0), manager.list()
        worker = ctx.Process(target=fx.wait_on_primitives, args=(event, condition, flag, done))
        with support.started(worker):
            assert not support.wait_until(lambda: len(done), timeout=WAIT)
            event.set()
            assert support.wait_until(lambda: len(done) == 1)
            with condition:
                flag.value = 1
                condition.notify_all()
            support.join(worker)
        assert worker.exitcode == 0
        got = done[:]
    observed(
        "holds" if got == [("event", True), ("wait_for", True)] else "does-not-hold",
        because=f"the child's waits on the manager Event and Condition returned {got}",
    )


@pytest.mark.claim("manager.value-array-proxies")
def test_manager_value_and_array_changed_by_a_child(ctx, observed):
    """A child writes a manager Value's .value and an item of a manager Array; the
    parent reads both.  The Value proxy does not enforce its typecode."""
    with sync_manager(ctx) as manager:
        value, array = manager.Value("i", 0), manager.Array("i", [1, 2, 3])
        child(ctx, fx.set_value_and_array, value, array)
        got = value.value, list(array[:]), len(array)
        observed(
            "holds" if got == (5, [9, 2, 3], 3) else "does-not-hold",
            because=f"after the child wrote, (value, array items, len) read {got}",
        )
        value.value = "not an int"
        assert value.value == "not an int"
        with pytest.raises(TypeError):
            array[1] = "not an int"


@pytest.mark.claim("manager.dict-list-constructors")
def test_manager_dict_and_list_take_the_builtin_constructor_arguments(observed):
    """dict() takes nothing, a mapping, pairs or keywords; list() nothing or any
    iterable."""
    with sync_manager(support.cheapest_context()) as manager:
        got = [
            manager.dict().copy(), manager.dict({"a": 1}).copy(), manager.dict([("a", 1), ("b", 2)]).copy(),
            manager.dict(a=1).copy(), manager.list()[:], manager.list("ab")[:], manager.list(range(3))[:],
        ]
    builtin = [dict(), dict({"a": 1}), dict([("a", 1), ("b", 2)]), dict(a=1), list(), list("ab"), list(range(3))]
    observed(
        "holds" if got == builtin else "does-not-hold",
        because=f"dict()/list() proxies made with the builtins' arguments hold {got} (the builtins: {builtin})",
    )


@pytest.mark.claim("manager.nested-proxies")
def test_proxies_stored_in_shared_containers_stay_live(ctx, observed):
    """A manager list holding another manager list: a child appends through the inner
    proxy and the parent sees it through the outer one.  A manager dict inside a
    manager list: a child's assignment through outer[1] reaches the shared dict."""
    with sync_manager(ctx) as manager:
        outer, inner = manager.list(), manager.list()
        outer.append(inner)
        child(ctx, fx.append_hello, inner)
        assert outer[0][:] == ["hello"]

        nested = manager.list([0, manager.dict()])
        child(ctx, fx.set_in_nested, nested)
        read = nested[1]
        got = read.get("c")
        if got == 3:
            observed("holds", because=f"the child's outer[1]['c'] = 3 reached the shared dict (outer[1] is a {type(read).__name__})")
        else:  # the server keeps the referent, not the proxy: reading gives a copy
            assert type(outer[0]) is list
            observed(
                "partly" if type(read) is dict and read == {} else "does-not-hold",
                because=f"outer[i] is a plain {type(read).__name__} copy: the inner proxy's append showed, the child's "
                f"outer[1]['c'] = 3 was lost ({read!r})",
            )


@pytest.mark.claim("manager.namespace-attrs")
def test_a_childs_namespace_attributes_are_shared_and_shown_by_str(ctx, observed):
    """A child sets two attributes of a manager Namespace; the parent reads them, and
    str() of the proxy lists them."""
    with sync_manager(ctx) as manager:
        ns = manager.Namespace()
        child(ctx, fx.set_namespace, ns)
        got = getattr(ns, "x", None), getattr(ns, "y", None), str(ns)
    observed(
        "holds" if got == (10, "hello", "Namespace(x=10, y='hello')") else "does-not-hold",
        because=f"after the child set x and y, the parent reads (x, y, str()) {got}",
    )


@pytest.mark.claim("manager.namespace-underscore-local")
def test_namespace_attributes_with_an_underscore_stay_on_the_proxy(ctx, observed):
    """An attribute whose name starts with '_' set on a Namespace proxy lives on that
    proxy only: a child given the proxy does not see it (unless forked: its proxy is
    a copy of ours, attribute included), another proxy of the namespace does not, and
    str() leaves it out."""
    with sync_manager(ctx) as manager:
        ns = manager.Namespace(x=1)
        ns._z = 12.3
        assert ns._z == 12.3
        with pytest.raises(AttributeError):
            pickle.loads(pickle.dumps(ns))._z
        (seen, text), _ = support.reports_back(ctx, fx.report_namespace, ns, support.REPLY, exitcode=None)
        assert text == str(ns) == "Namespace(x=1)"
    if seen == ("value", 12.3):  # a fork child's proxy is a copy of ours
        observed("partly", because="the child given the proxy sees its '_z' = 12.3 (a pickled proxy does not)")
    else:
        assert seen == ("AttributeError", "'NamespaceProxy' object has no attribute '_z'")
        observed("holds", because=f"neither a pickled proxy nor the child's sees '_z' ({seen[1]}); str() leaves it out")


# --- Customized managers; Using a remote manager ------------------------------------


@pytest.mark.claim("manager.custom-manager")
def test_a_registered_class_runs_its_methods_in_the_server(ctx, observed):
    """A BaseManager subclass with a registered class: in a with block, the manager's
    typeid method returns a proxy whose methods compute in the server process."""
    with fx.MathsManager(ctx=ctx) as manager:
        maths = manager.Maths()
        got = maths.add(4, 3), maths.mul(7, 8), maths.pid()
        server = manager._process.pid
    observed(
        "holds" if got == (7, 56, server) and server != os.getpid() else "does-not-hold",
        because=f"add(4, 3), mul(7, 8), pid() through the proxy: {got} (the server: {server}, ours: {os.getpid()})",
    )


@pytest.mark.claim("manager.remote-queue-server")
def test_independent_clients_share_a_queue_served_on_tcp(observed):
    """A queue served by get_server().serve_forever() in one interpreter; a second
    interpreter connects (registering the name without a callable) and puts; a third
    connects and gets the item."""
    with serving("board") as address:
        put = client(address, "put", "hello")
        got = client(address, "get")
    observed(
        "holds" if got["result"] == "hello" and got["pid"] != put["pid"] else "does-not-hold",
        because=f"a client (pid {put['pid']}) put 'hello'; another (pid {got['pid']}) got {got['result']!r}",
    )


@pytest.mark.claim("manager.remote-local-worker")
def test_a_queue_fed_by_a_local_process_is_served_to_remote_clients(start_method, observed):
    """In the serving interpreter, a Process subclass puts 'local hello' on a queue of
    the library; that queue is served by get_server(); a remote client gets it."""
    with serving("worker", start_method) as address:
        manager = fx.client_manager(address, fx.AUTHKEY)
        manager.connect()
        got = manager.get_queue().get(timeout=DEADLINE)
    observed(
        "holds" if got == "local hello" else "does-not-hold",
        because=f"a remote client got {got!r} from the served queue a local Process put 'local hello' on",
    )


# --- Proxy Objects -----------------------------------------------------------------------


@pytest.mark.claim("manager.multiple-proxies-same-referent")
def test_two_children_append_to_one_list_through_their_proxies(ctx, observed):
    """The proxy passed to two children gives each a proxy of the same list: the
    parent sees both appends."""
    with sync_manager(ctx) as manager:
        shared = manager.list()
        a = ctx.Process(target=fx.append_pid, args=(shared,))
        b = ctx.Process(target=fx.append_pid, args=(shared,))
        with support.started(a, b):
            support.join(a)
            support.join(b)
        got = shared[:]
    observed(
        "holds" if sorted(got) == sorted([a.pid, b.pid]) else "does-not-hold",
        because=f"two children ({a.pid}, {b.pid}) appended their pids through their proxies; the list holds {got}",
    )


@pytest.mark.claim("manager.proxy-like-referent")
def test_a_list_proxy_supports_indexing_slicing_and_len(observed):
    """A list proxy answers indexing, slicing, len(), `in`, iteration and item
    assignment like the list it refers to."""
    with sync_manager(support.cheapest_context()) as manager:
        referent = [i * i for i in range(10)]
        squares = manager.list(referent)
        asked = lambda l: [l[4], l[-1], l[2:5], len(l), 49 in l, list(l)]  # noqa: E731
        got, want = asked(squares), asked(referent)
        squares[0] = "zero"
        assigned = squares[0]
    observed(
        "holds" if got == want and assigned == "zero" else "does-not-hold",
        because=f"[4], [-1], [2:5], len(), 49 in, list() of the proxy: {got} (of the list: {want}); "
        f"[0] after assigning 'zero': {assigned!r}",
    )


@pytest.mark.claim("manager.str-vs-repr")
def test_str_shows_the_referent_and_repr_describes_the_proxy(observed):
    """str() of a proxy is the referent's repr (not its str, where the two differ);
    repr() names the proxy type, the typeid and the proxy object's own id (not the
    manager's address)."""
    with sync_manager(support.cheapest_context()) as manager:
        squares = manager.list([i * i for i in range(5)])
        shown = str(squares), repr(squares)
        wanted = "[0, 1, 4, 9, 16]", f"<ListProxy object, typeid 'list' at {id(squares):#x}>"
    with manager_started(fx.CountingManager(ctx=support.cheapest_context())) as manager:
        labelled = str(manager.Labelled())
    observed(
        "holds" if shown == wanted and labelled == "the referent's repr" else "does-not-hold",
        because=f"str() and repr() of a list proxy: {shown}; str() of a proxy whose referent's str and repr "
        f"differ: {labelled!r}",
    )


@pytest.mark.claim("manager.proxies-picklable")
def test_a_proxy_sent_through_a_queue_to_a_running_child_works_there(ctx, observed):
    """A dict proxy put on a Queue reaches an already running child; its change
    through that proxy is seen by the parent."""
    with sync_manager(ctx) as manager, support.open_queue(ctx) as q:
        d = manager.dict()
        worker = ctx.Process(target=fx.mutate_from_queue, args=(q,))
        with support.started(worker):
            q.put(d)
            support.join(worker)
        assert worker.exitcode == 0
        got = d.copy()
    observed(
        "holds" if got == {"from": "queue child"} else "does-not-hold",
        because=f"a running child changed the dict through the proxy it got from a queue; the parent reads {got}",
    )


@pytest.mark.claim("manager.plain-nested-not-propagated")
def test_changing_a_plain_dict_inside_a_managed_list_needs_reassignment(ctx, observed):
    """[WARN] lproxy[0] is a copy of a plain dict stored in a managed list: changing
    it leaves the shared list as it was; assigning it back to lproxy[0] updates the
    shared list, as a child then sees."""
    with sync_manager(ctx) as manager:
        lproxy = manager.list()
        lproxy.append({})
        d = lproxy[0]
        d["a"] = 1
        unchanged = lproxy[0]
        lproxy[0] = d
        item, _ = support.reports_back(ctx, fx.report_item, lproxy, support.REPLY, exitcode=None)
    observed(
        "holds" if unchanged == {} and item == {"a": 1} else "does-not-hold",
        because=f"after changing lproxy[0]'s copy the shared item is {unchanged!r}; after assigning it back a child "
        f"reads {item!r}",
    )


@pytest.mark.claim("manager.no-value-equality")
def test_a_proxy_is_not_equal_to_its_referents_value(observed):
    """A list proxy does not compare equal to a list with the same items (nor to
    another proxy of the same list); a copy of its value does."""
    with sync_manager(support.cheapest_context()) as manager:
        l = manager.list([1, 2, 3])
        to_value, to_proxy = l == [1, 2, 3], l == pickle.loads(pickle.dumps(l))
        assert l != [1, 2, 3]
        copies = list(l) == [1, 2, 3] and l[:] == [1, 2, 3]
    observed(
        "holds" if to_value is False and to_proxy is False and copies else "does-not-hold",
        because=f"proxy == [1, 2, 3]: {to_value}; == another proxy of the list: {to_proxy}; its copies equal: {copies}",
    )


@pytest.mark.claim("manager.callmethod")
def test_callmethod_calls_the_referents_method_in_the_server(observed):
    """_callmethod(name, args, kwds) returns a copy of getattr(referent, name)(*args,
    **kwds) evaluated in the manager."""
    with sync_manager(support.cheapest_context()) as manager:
        l = manager.list(range(10))
        results = [l._callmethod("__len__"), l._callmethod("__getitem__", (slice(2, 7),))]
        l._callmethod("insert", (0, -1))
        l._callmethod("sort", (), {"reverse": True})
        results += [l[:3], l[-1]]
        got = l._callmethod("__getitem__", (slice(None),))
        got.append("local")
        a_copy = len(l) == 11 and "local" not in l
    observed(
        "holds" if results == [10, [2, 3, 4, 5, 6], [9, 8, 7], -1] and a_copy else "does-not-hold",
        because=f"__len__, __getitem__(2:7), then after insert and sort(reverse=True) [:3] and [-1]: {results}; "
        f"changing a returned value leaves the list alone: {a_copy}",
    )


@pytest.mark.claim("manager.callmethod-reraises")
def test_callmethod_reraises_the_referents_exception_and_reports_others_as_remote(observed):
    """An exception raised by the referent's method is raised again in the caller,
    with its type; a method the proxy does not expose, or a result that cannot be
    pickled, raises RemoteError carrying the server's traceback."""
    RemoteError = lib.module("managers").RemoteError
    manager = fx.CountingManager(ctx=support.cheapest_context())

    def raised(call, *args):
        try:
            call(*args)
        except Exception as error:
            if isinstance(error, RemoteError):
                return "RemoteError"
            return type(error).__name__ + ("(deliberate)" if "deliberate" in str(error) else "")
        return "nothing"

    with manager_started(manager):
        counter = manager.Counter()
        got = [raised(counter.fail), raised(counter._callmethod, "_private"), raised(counter.unpicklable)]
        assert counter.add(1) == 1  # the connection is still usable
    with sync_manager(support.cheapest_context()) as sync:
        l = sync.list(range(10))
        got.append(raised(l._callmethod, "__getitem__", (20,)))
    observed(
        "holds" if got == ["KeyError(deliberate)", "RemoteError", "RemoteError", "IndexError"] else "does-not-hold",
        because=f"the referent raising KeyError, an unexposed method, an unpicklable result, a list's [20]: {got}",
    )


@pytest.mark.claim("manager.getvalue-copy")
def test_getvalue_returns_a_copy_and_fails_for_an_unpicklable_referent(facts, observed):
    """_getvalue() returns a copy of the referent: changing it leaves the shared
    object alone.  For a referent that cannot be pickled (it holds a generator; or a
    lock, which only multiprocess's dill can copy) it raises."""
    manager = fx.CountingManager(ctx=support.cheapest_context())
    with manager_started(manager):
        counter = manager.Counter(3)
        copy = counter._getvalue()
        is_copy = type(copy) is fx.Counter and copy.count == 3
        copy.add(1)
        shared_after = counter.total()
        RemoteError = lib.module("managers").RemoteError
        try:
            unpicklable = manager.Generating()._getvalue()
        except RemoteError as error:  # the server could not send the copy
            unpicklable = error
        observed(
            "holds" if is_copy and shared_after == 3 and isinstance(unpicklable, RemoteError) else "does-not-hold",
            because=f"_getvalue() gave a {type(copy).__name__}; after changing it the shared total is {shared_after} "
            f"(was 3); _getvalue() of a referent holding a generator: {type(unpicklable).__name__}",
        )
        locked = manager.Locked()
        if facts.library == "multiprocess":
            assert type(locked._getvalue().lock) is type(fx.threading.Lock())
        else:
            with pytest.raises(RemoteError):
                locked._getvalue()


@pytest.mark.claim("manager.proxy-gc-decref")
def test_a_collected_proxy_releases_its_object_in_the_server(observed):
    """A proxy takes a reference on its object in the server; when the last proxy is
    garbage collected, the server drops the object."""
    with sync_manager(support.cheapest_context()) as manager:
        before = manager._number_of_objects()
        first = manager.list([1])
        second = pickle.loads(pickle.dumps(first))
        assert manager._number_of_objects() == before + 1
        del first
        gc.collect()
        one_left = manager._number_of_objects()
        del second
        gc.collect()
        none_left = manager._number_of_objects()
    observed(
        "holds" if one_left == before + 1 and none_left == before else "does-not-hold",
        because=f"objects in the server: {before + 1} with two proxies, {one_left} with one left, {none_left} with "
        f"none (before: {before})",
    )


# --- What's New in 3.14 --------------------------------------------------------------


@pytest.mark.claim("manager.list-dict-new-methods-314")
def test_list_and_dict_proxies_have_the_methods_added_in_3_14(ctx, observed):
    """From a child: a list proxy's copy() returns a plain list and clear() empties
    the shared list; a dict proxy supports |=, |, reversed() and fromkeys()."""
    with sync_manager(ctx) as manager:
        lp, dp = manager.list([1, 2]), manager.dict({"a": 1})
        got, _ = support.reports_back(ctx, fx.use_new_list_dict_methods, lp, dp, support.REPLY, exitcode=None)
        shared = lp[:], dp.copy()
    wanted = {"copy": ("list", [1, 2]), "reversed": ["b", "a"], "or": {"a": 1, "b": 2, "c": 3},
              "ror": {"z": 0, "a": 1, "b": 2}, "fromkeys": {"k": 1}}
    wrong = {k: got.get(k) for k in wanted if got.get(k) != wanted[k]}
    observed(
        "holds" if not wrong and shared == ([], {"a": 1, "b": 2}) else "does-not-hold",
        because="from a child, copy(), reversed(), |, reversed |, fromkeys() gave what a list and a dict give"
        + (f" except {wrong}" if wrong else "") + f"; clear() and |= left the shared list and dict as {shared}",
    )


@pytest.mark.claim("manager.shared-set-314")
def test_a_manager_set_is_shared_with_a_child(ctx, observed):
    """SyncManager.set() makes a shared set: a child's additions are members for the
    parent, and |= updates the shared set."""
    with sync_manager(ctx) as manager:
        s = manager.set({"parent"})
        child(ctx, fx.add_to_set, s)
        after_child = s.copy()
        s |= {"more"}
        after_or = s.copy()
    observed(
        "holds" if after_child == {"parent", "child", 3} and after_or == {"parent", "child", 3, "more"} else "does-not-hold",
        because=f"after the child's additions the shared set is {after_child}; after |= {{'more'}}: {after_or}",
    )

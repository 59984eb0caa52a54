"""Docs chapter `manager`: managers (Manager(), BaseManager, SyncManager, customized
and remote managers) and proxy objects."""

from mpspec.registry import Claim, holds, na, partly

PRE_314 = "added in 3.14 (gh-103134, gh-129949): not in this version's managers"

CLAIMS = [
    Claim(
        id="manager.supported-types",
        cite="Sharing state between processes › Server process",
        statement="A manager returned by Manager() makes shared list, dict, Namespace, Lock, "
        "RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier, Queue, Value and "
        "Array objects, usable from other processes through proxies.",
        explanation="Each of the thirteen is created by the server and works through its "
        "proxy from a child: the child's appends, assignments, acquisitions, put, set, "
        "notify and barrier wait are all seen by the parent.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.child-mutations-visible",
        cite="Sharing state between processes › Server process (the example)",
        statement="Changes a child makes to a manager's dict and list are visible to the "
        "parent.",
        explanation="The child's three key assignments and its reverse() act on the objects "
        "in the server; the parent reads exactly that dict and the reversed list.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.network-sharable",
        cite="Sharing state between processes › Server process",
        statement="A manager is not tied to one machine: programs running on other hosts "
        "can reach it over the network and use the same shared objects.",
        explanation="A manager started on a TCP address (here 127.0.0.1, port chosen by the "
        "system) serves an unrelated interpreter that knows the address and the authkey: "
        "its change to a shared dict is seen by the owner. Loopback stands in for the "
        "network.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.slower-than-shm",
        cite="Sharing state between processes › Server process",
        statement="Manager proxies are slower than shared-memory Value and Array objects.",
        explanation="Each proxy operation is a request and a reply over a connection to the "
        "server (tens of microseconds); a shared-memory Value is read and written in "
        "place under its lock (about a microsecond): the best of three rounds of increments "
        "through a manager Value is slower than the best round on a shared-memory Value.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.manager-returns-started",
        cite="Managers › multiprocessing.Manager()",
        statement="Manager() returns a SyncManager that is already started, its server "
        "running in a separate process.",
        explanation="The returned SyncManager's server is a live child process (among "
        "active_children()), and its address is set.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.shutdown-on-gc-or-parent-exit",
        cite="Managers",
        statement="A manager's server process ends by itself once the manager object is "
        "collected as garbage, or once the process that started it is gone.",
        explanation="Garbage collection runs the manager's finalizer, which stops the server; "
        "a parent that exits normally runs it too (an exit finalizer). A parent that dies "
        "without running finalizers (SIGKILL, os._exit) leaves its server running, an "
        "orphan that serves forever: the server does not watch its parent.",
        verdicts=(
            partly(
                "Stops on garbage collection and on a normal exit of the parent; a killed "
                "parent's server lives on.",
            ),
        ),
    ),
    Claim(
        id="manager.base-start-or-serve",
        cite="Managers › BaseManager",
        statement="A BaseManager must be started with start() or served with "
        "get_server().serve_forever() before it can be used.",
        explanation="Creating a registered object on a manager that was neither started nor "
        "connected fails with AssertionError('server not yet started'); it has no "
        "shutdown() either (start() adds it).",
        verdicts=(
            holds(
                "Under -O the state check is an assertion that is gone: the manager tries to "
                "reach a server at address None and fails there with ValueError ('address "
                "type of None unrecognized'), still before anything is created.",
                optimize=True,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="manager.address-none-arbitrary",
        cite="Managers › BaseManager (address)",
        statement="With address=None the manager's server chooses an address, which the "
        "manager's address attribute then reports.",
        explanation="On Linux (and macOS) the chosen address is a fresh AF_UNIX socket path "
        "in a pymp- temporary directory: 'listener-<random>' up to 3.13.0, 'sock-<hex>' in "
        "3.14+ and later 3.13 releases (e.g. 3.13.18). address is None until start().",
        verdicts=(
            holds(
                "From the source: on Windows the default family is AF_PIPE and the chosen "
                "address is a named pipe path, '\\\\.\\pipe\\pyc-<pid>-<n>-<hex>', a string "
                "(not a tuple).",
                platforms=("win32",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="manager.authkey-default",
        cite="Managers › BaseManager (authkey); Authentication keys",
        statement="[SEC] A BaseManager's authentication key is current_process().authkey "
        "when authkey is None, otherwise the given bytes; only clients with that key are "
        "served.",
        explanation="Every connection to the server is authenticated both ways with the key "
        "(HMAC challenges) before any request is read: a client with a wrong key gets "
        "AuthenticationError, and a request from a client that cannot answer the "
        "challenge (shutdown, create) is never acted upon.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.start-initializer",
        cite="Managers › BaseManager.start()",
        statement="start(initializer, initargs) runs initializer(*initargs) in the server "
        "process when it starts.",
        explanation="The initializer runs in the server process (its pid is the manager's "
        "process pid) with the given arguments, before the server reports its address.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.get-server-serve-forever",
        cite="Managers › BaseManager.get_server()",
        statement="get_server() returns a Server whose serve_forever() runs the manager in "
        "the current process, and whose address attribute is where it listens.",
        explanation="An interpreter serving with get_server().serve_forever() on "
        "('127.0.0.1', 0) reports the bound port in server.address and serves registered "
        "objects to clients until a 'shutdown' request, after which serve_forever() ends "
        "with SystemExit.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.connect-remote",
        cite="Managers › BaseManager.connect()",
        statement="connect() attaches a local manager object to a manager server that is "
        "already running.",
        explanation="After connect(), registered typeids (registered by name only) return "
        "working proxies, and managers connected from different processes share the same "
        "objects.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.shutdown-idempotent",
        cite="Managers › BaseManager.shutdown()",
        statement="shutdown() stops the server process started by start(); it may be called "
        "more than once.",
        explanation="The first call stops and joins the server; later calls do nothing "
        "(shutdown is a finalizer that runs once).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.register-typeid",
        cite="Managers › BaseManager.register()",
        statement="register(typeid, callable) gives the manager class a method named typeid "
        "(unless create_method is false) that makes a new object in the server and returns "
        "a proxy for it.",
        explanation="The method's arguments go to the callable in the server; the proxy's "
        "calls run there; another proxy of the same object sees its state; with "
        "create_method=False the typeid is registered but no method is added.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.exposed-public-methods",
        cite="Managers › BaseManager.register() (exposed)",
        statement="Without an exposed list a proxy reaches every public method of its "
        "referent; exposed restricts it to the names given.",
        explanation="Public means callable and not starting with '_': plain attributes are "
        "not reachable either. A name left out is missing from the proxy, and asking the "
        "server for it through _callmethod raises RemoteError.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.method-to-typeid",
        cite="Managers › BaseManager.register() (method_to_typeid)",
        statement="method_to_typeid names the methods whose results are returned as proxies "
        "(of the given typeid); the results of other methods are returned as copies.",
        explanation="Unmapped results come back as copies; mapped ones as proxies of the "
        "typeid. The server makes that object by calling the typeid's callable on the "
        "result: mapped to a typeid registered with list, the proxy is for a new list, "
        "and changes through it do not reach the original; only a typeid registered "
        "without a callable proxies the result itself.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.context-manager-starts",
        cite="Managers › BaseManager (context management, changed in 3.3)",
        statement="A manager used in a with statement is started if it was not (__enter__) "
        "and shut down at the end (__exit__).",
        explanation="An unstarted manager is started on entry and its server stopped on exit; "
        "a started one is used as is; entering a manager that was shut down raises "
        "ProcessError.",
        verdicts=(
            holds(
                "As documented; entering a shut-down billiard manager fails an assertion "
                "instead of raising ProcessError.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="manager.syncmanager-primitives",
        cite="Managers › SyncManager",
        statement="SyncManager makes shared Barrier, BoundedSemaphore, Condition, Event, "
        "Lock, Namespace, Queue, RLock, Semaphore objects and returns proxies that work "
        "across processes.",
        explanation="A child blocked on a manager Event wakes when the parent sets it; a "
        "child in Condition.wait_for wakes when the parent changes the shared value and "
        "notifies.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.value-array-proxies",
        cite="Managers › SyncManager.Value(), SyncManager.Array()",
        statement="SyncManager.Value(typecode, value) returns a proxy with a writable value "
        "attribute; Array(typecode, sequence) an array proxy.",
        explanation="A child's writes to .value and to an Array item are seen by the parent. "
        "The Value proxy ignores its typecode (any object can be stored); the Array is an "
        "array.array in the server, which does enforce it (TypeError, re-raised).",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.dict-list-constructors",
        cite="Managers › SyncManager.dict(), SyncManager.list()",
        statement="SyncManager.dict() takes nothing, a mapping or a sequence of pairs; "
        "list() takes nothing or a sequence.",
        explanation="They take the built-in constructors' arguments (dict also keywords, "
        "list any iterable) and make the object in the server.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.nested-proxies",
        cite="Managers › SyncManager (changed in 3.6); Proxy Objects",
        statement="Shared containers can hold proxies of other shared objects; a change "
        "through the inner proxy is seen through the outer container, from any process.",
        explanation="The server stores the proxy itself, so reading the item returns a live "
        "proxy: a child's append through the inner list and its assignment through "
        "outer[1] both reach the shared objects.",
        verdicts=(
            partly(
                "billiard's managers predate 3.6: the server stores the referent, not the "
                "proxy, so outer[i] returns a plain copy. A change through the inner proxy "
                "shows in later reads, but outer[1]['c'] = 3 changes a copy and is lost.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="manager.namespace-attrs",
        cite="Managers › Namespace objects",
        statement="A Namespace proxy's attributes are shared and writable, and its "
        "representation shows their values.",
        explanation="A child's attribute assignments are seen by the parent; str() of the "
        "proxy is 'Namespace(x=10, y='hello')' (public attributes, sorted by name).",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.namespace-underscore-local",
        cite="Managers › Namespace objects",
        statement="An attribute whose name starts with '_' belongs to the Namespace proxy, "
        "not to the shared namespace.",
        explanation="The proxy keeps it locally: another process's proxy has no such "
        "attribute (AttributeError), and str() does not show it.",
        verdicts=(
            partly(
                "A forked child inherits the parent's proxy object itself, attribute "
                "included: it sees the '_' attribute (a pickled proxy, or another proxy of "
                "the namespace, does not).",
                methods=("fork",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="manager.custom-manager",
        cite="Managers › Customized managers",
        statement="A BaseManager subclass with a registered class gives a method returning "
        "a proxy whose calls run in the manager's server.",
        explanation="Used in a with block, the subclass's typeid method returns a proxy; its "
        "methods compute in the server process and return the results.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.remote-queue-server",
        cite="Managers › Using a remote manager",
        statement="A manager serving a queue on a TCP address lets independent client "
        "processes put items on it and get them, the clients registering the typeid "
        "without a callable.",
        explanation="A queue served by get_server().serve_forever() in one interpreter: a "
        "second interpreter connect()s and puts 'hello', a third connect()s and gets it. "
        "Loopback stands in for the network.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.remote-local-worker",
        cite="Managers › Using a remote manager (local processes)",
        statement="A queue of the library, fed by a local Process subclass, can be served "
        "to remote clients by a manager.",
        explanation="In the serving interpreter a Process subclass puts 'local hello' on the "
        "queue; the manager serves that queue; a client elsewhere gets the item.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.multiple-proxies-same-referent",
        cite="Proxy Objects",
        statement="Several proxies may refer to the same shared object, and all see its one "
        "state.",
        explanation="The proxy passed to two children gives each a proxy of the same list: "
        "both appends end up in it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.proxy-like-referent",
        cite="Proxy Objects",
        statement="A proxy supports the operations of its referent: indexing, slicing, "
        "len() and the like.",
        explanation="A list proxy answers indexing, slicing, len(), 'in', iteration and item "
        "assignment like the list (each a round trip to the server).",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.str-vs-repr",
        cite="Proxy Objects",
        statement="str() of a proxy gives the referent's representation; repr() describes "
        "the proxy itself.",
        explanation="str() asks the server for the referent's repr() (BaseProxy.__str__ calls "
        "'__repr__' on the referent), so a referent whose str() differs shows its repr(); "
        "repr() of the proxy is "
        "\"<ListProxy object, typeid 'list' at 0x...>\", the address being the proxy's own "
        "id(), not the manager's address.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.proxies-picklable",
        cite="Proxy Objects",
        statement="Proxies can be pickled and passed between processes, including through "
        "queues and pipes.",
        explanation="A dict proxy put on a Queue and taken by an already running child works "
        "there: the child's change is seen by the parent (the authkey is not pickled; the "
        "child uses its own, inherited one).",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.plain-nested-not-propagated",
        cite="Proxy Objects (the note on mutable values in containers)",
        statement="[WARN] Changing a plain list or dict stored in a managed container does "
        "not change the container; assigning the item back does.",
        explanation="lproxy[0] returns a copy of the stored dict: changing it leaves the "
        "shared list as it was; lproxy[0] = d sends the changed dict to the server, and "
        "another process then sees it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="manager.no-value-equality",
        cite="Proxy Objects (note)",
        statement="Proxies do not compare equal by value: a proxy is not equal to a list "
        "with its referent's items.",
        explanation="Comparison is the proxy object's own identity: it is unequal to a list "
        "with the same items and to another proxy of the same list; a copy of its value "
        "(list(proxy), proxy[:]) compares as expected.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.callmethod",
        cite="Proxy Objects › BaseProxy._callmethod()",
        statement="_callmethod(name, args, kwds) calls the referent's method name with args "
        "and kwds in the manager and returns a copy of the result (or a proxy, per "
        "method_to_typeid).",
        explanation="The call runs in the server; the result comes back pickled, a copy that "
        "changes nothing in the server when modified.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.callmethod-reraises",
        cite="Proxy Objects › BaseProxy._callmethod()",
        statement="An exception raised by the referent's method is raised again by "
        "_callmethod(); an error elsewhere in the manager is raised as RemoteError.",
        explanation="The referent's exception comes back with its type (KeyError, "
        "IndexError); a method that is not exposed, or a result that cannot be pickled, "
        "gives RemoteError with the server's traceback.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.getvalue-copy",
        cite="Proxy Objects › BaseProxy._getvalue()",
        statement="_getvalue() returns a copy of the referent, and fails if the referent "
        "cannot be pickled.",
        explanation="The copy is independent of the shared object; for a referent that "
        "cannot be pickled (holding a lock or a generator) the server cannot send the copy "
        "and the caller gets RemoteError with the server's traceback.",
        verdicts=(
            holds(
                "multiprocess pickles with dill, which copies a lock (with a fresh one): a "
                "referent holding a lock comes back; one holding a generator still fails.",
                libraries=("multiprocess",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="manager.proxy-gc-decref",
        cite="Proxy Objects › Cleanup",
        statement="A proxy takes a reference on its object in the manager and releases it "
        "when garbage collected; the object is deleted when no proxy refers to it.",
        explanation="The server's object count rises with the first proxy, stays while "
        "another proxy remains, and falls back when the last one is collected.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="manager.list-dict-new-methods-314",
        cite="What's New in Python 3.14 › multiprocessing (gh-103134)",
        statement="List proxies have clear() and copy(); dict proxies have fromkeys(), "
        "reversed() and the union operators (proxy | dict, dict | proxy, proxy |= dict).",
        explanation="From a child: copy() returns a plain list, clear() empties the shared "
        "list, |= updates the shared dict, | and reversed() and fromkeys() return plain "
        "results.",
        verdicts=(
            na(PRE_314, python="<3.14"),
            na("billiard's managers predate 3.14 and have none of these", libraries=("billiard",)),
            holds(),
        ),
    ),
    Claim(
        id="manager.shared-set-314",
        cite="What's New in Python 3.14 › multiprocessing (gh-129949)",
        statement="SyncManager.set() makes a shared set.",
        explanation="A child's add() calls are seen by the parent as members; in-place "
        "operators (|=, &=, ...) update the shared set. Oddity: the proxy class is "
        "registered as a collections.abc.MutableMapping, not a MutableSet (3.14.10, "
        "3.15.2).",
        verdicts=(
            na(PRE_314, python="<3.14"),
            na("billiard's managers predate 3.14: no set()", libraries=("billiard",)),
            holds(),
        ),
    ),
]

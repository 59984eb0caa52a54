"""Mutants of the behaviours the docs chapter `manager` relies on: managers, their
servers and proxies."""

from __future__ import annotations

import functools
import os
import time
import types

from mpspec.mutants import mutant, rebind_default, replacing, sub


@mutant(
    "manager-auth-accepts-any-digest",
    ["manager.authkey-default"],
    "A manager's server accepts any answer to its authentication challenge (the check "
    "of the client's digest is skipped); it still proves its own key to the client",
)
def _(mp):
    managers, connection = sub("managers"), sub("connection")
    challenge = getattr(connection, "_CHALLENGE", None) or connection.CHALLENGE
    welcome = getattr(connection, "_WELCOME", None) or connection.WELCOME

    def deliver_challenge(conn, authkey, *args, **kwargs):
        conn.send_bytes(challenge + os.urandom(20))  # an md5-style challenge
        conn.recv_bytes(256)  # whatever the client answers
        conn.send_bytes(welcome)

    lax = types.ModuleType(connection.__name__)
    lax.__dict__.update(connection.__dict__)
    lax.deliver_challenge = deliver_challenge
    managers.connection = lax


@mutant(
    "manager-returned-unstarted",
    ["manager.manager-returns-started"],
    "Manager() returns a SyncManager that has not been started",
)
def _(mp):
    context = sub("context")

    def Manager(self):
        return sub("managers").SyncManager(ctx=self.get_context())

    context.BaseContext.Manager = Manager
    rebind_default(mp, "Manager")


@mutant(
    "manager-shutdown-leaves-server",
    ["manager.shutdown-on-gc-or-parent-exit", "manager.shutdown-idempotent", "manager.context-manager-starts"],
    "A manager's finalizer (shutdown(), garbage collection, exit) marks the manager shut "
    "down but leaves its server process running",
)
def _(mp):
    managers = sub("managers")

    def _finalize_manager(process, address, authkey, state, *args):
        state.value = managers.State.SHUTDOWN

    managers.BaseManager._finalize_manager = staticmethod(_finalize_manager)


@mutant(
    "manager-enter-does-not-start",
    ["manager.context-manager-starts", "manager.custom-manager"],
    "`with manager:` returns the manager without starting it",
)
def _(mp):
    sub("managers").BaseManager.__enter__ = lambda self: self


@mutant(
    "manager-start-drops-initializer",
    ["manager.start-initializer"],
    "start(initializer, initargs) starts the server without calling the initializer",
)
@replacing("managers.BaseManager", "start")
def manager_start_drops_initializer(original, self, initializer=None, initargs=()):
    return original(self)


@mutant(
    "manager-starts-on-first-use",
    ["manager.base-start-or-serve"],
    "A BaseManager that was neither started nor connected starts itself when first "
    "asked to create an object",
)
@replacing("managers.BaseManager", "_create")
def manager_starts_on_first_use(original, self, typeid, *args, **kwds):
    if self._state.value == sub("managers").State.INITIAL:
        self.start()
    return original(self, typeid, *args, **kwds)


@mutant(
    "manager-default-address-tcp",
    ["manager.address-none-arbitrary"],
    "A manager without an address listens on TCP (localhost, a free port) instead of an "
    "AF_UNIX socket path",
)
@replacing("managers.Server", "__init__")
def manager_default_address_tcp(original, self, registry, address, authkey, serializer):
    if address is None:
        address = ("127.0.0.1", 0)
    original(self, registry, address, authkey, serializer)


def _register_forcing(**forced):
    """BaseManager.register() with some of its arguments forced, whatever the caller
    passes."""
    managers = sub("managers")
    original = managers.BaseManager.register.__func__

    def register(cls, typeid, callable=None, proxytype=None, exposed=None, method_to_typeid=None,
                 create_method=True):
        given = dict(callable=callable, proxytype=proxytype, exposed=exposed,
                     method_to_typeid=method_to_typeid, create_method=create_method)
        return original(cls, typeid, **{**given, **forced})

    managers.BaseManager.register = classmethod(register)


@mutant(
    "manager-register-adds-no-method",
    ["manager.register-typeid", "manager.custom-manager"],
    "register() never adds the typeid method to the manager class (as if "
    "create_method=False were always given)",
)
def _(mp):
    _register_forcing(create_method=False)


@mutant(
    "manager-exposes-everything",
    ["manager.exposed-public-methods"],
    "register() ignores `exposed`, and a referent's underscore methods count as public",
)
def _(mp):
    def public_methods(obj):
        return [name for name in dir(obj) if not name.startswith("__") and callable(getattr(obj, name))]

    sub("managers").public_methods = public_methods
    _register_forcing(exposed=None)


@mutant(
    "manager-ignores-method-to-typeid",
    ["manager.method-to-typeid"],
    "register() ignores an explicit method_to_typeid: every result comes back as a copy",
)
def _(mp):
    _register_forcing(method_to_typeid=None)


@mutant(
    "manager-referent-errors-become-remote",
    ["manager.callmethod-reraises"],
    "An exception raised by the referent's method reaches the caller as RemoteError, "
    "not as itself",
)
@replacing("managers", "convert_to_error")
def convert_to_error(original, kind, result):
    if kind == "#ERROR":
        return sub("managers").RemoteError(repr(result))
    return original(kind, result)


@mutant(
    "manager-callmethod-drops-kwds",
    ["manager.callmethod"],
    "_callmethod() drops its kwds argument",
)
@replacing("managers.BaseProxy", "_callmethod")
def _callmethod(original, self, methodname, args=(), kwds={}):
    return original(self, methodname, args)


@mutant(
    "manager-getvalue-returns-proxy",
    ["manager.getvalue-copy"],
    "_getvalue() returns the proxy itself instead of a copy of the referent",
)
def _(mp):
    sub("managers").BaseProxy._getvalue = lambda self: self


@mutant(
    "manager-proxy-equal-by-value",
    ["manager.no-value-equality"],
    "A proxy compares equal to anything equal to its referent's value",
)
def _(mp):
    BaseProxy = sub("managers").BaseProxy

    def value(x):
        return x._getvalue() if isinstance(x, BaseProxy) else x

    BaseProxy.__eq__ = lambda self, other: value(self) == value(other)
    BaseProxy.__ne__ = lambda self, other: value(self) != value(other)
    BaseProxy.__hash__ = object.__hash__


@mutant(
    "manager-repr-shows-referent",
    ["manager.str-vs-repr"],
    "repr() of a proxy is the referent's repr, like str()",
)
def _(mp):
    sub("managers").BaseProxy.__repr__ = lambda self: self._callmethod("__repr__")


@mutant(
    "manager-proxy-never-decrefs",
    ["manager.proxy-gc-decref"],
    "A collected proxy never releases its reference in the server",
)
def _(mp):
    sub("managers").BaseProxy._decref = staticmethod(lambda *args, **kwargs: None)


@mutant(
    "manager-proxy-pickles-as-copy",
    [
        "manager.proxies-picklable",
        "manager.multiple-proxies-same-referent",
        "manager.child-mutations-visible",
        "manager.supported-types",
    ],
    "A pickled proxy arrives as a copy of its referent's value, not as a proxy",
)
def _(mp):
    BaseProxy = sub("managers").BaseProxy

    def __reduce__(self):
        return (_identity, (self._getvalue(),))

    BaseProxy.__reduce__ = __reduce__


def _identity(x):
    return x


@mutant(
    "manager-list-item-assignment-dropped",
    ["manager.plain-nested-not-propagated", "manager.proxy-like-referent"],
    "Assigning an item of a list proxy does nothing",
)
def _(mp):
    sub("managers").ListProxy.__setitem__ = lambda self, index, value: None


@mutant(
    "manager-namespace-private-shared",
    ["manager.namespace-underscore-local"],
    "A Namespace proxy sends attributes starting with '_' (other than its own machinery) "
    "to the shared namespace",
)
def _(mp):
    managers = sub("managers")
    NamespaceProxy, BaseProxy = managers.NamespaceProxy, managers.BaseProxy
    internal = set(dir(BaseProxy)) | set(dir(NamespaceProxy)) | {
        "_tls", "_idset", "_all_serials", "_serial", "_token", "_id", "_manager", "_serializer",
        "_Client", "_owned_by_manager", "_authkey", "_close", "_isauto",
    }

    def shared(key):
        return key[0] != "_" or (not key.startswith("__") and key not in internal)

    def __getattr__(self, key):
        if not shared(key):
            return object.__getattribute__(self, key)
        return object.__getattribute__(self, "_callmethod")("__getattribute__", (key,))

    def __setattr__(self, key, value):
        if not shared(key):
            return object.__setattr__(self, key, value)
        return object.__getattribute__(self, "_callmethod")("__setattr__", (key, value))

    NamespaceProxy.__getattr__ = __getattr__
    NamespaceProxy.__setattr__ = __setattr__


@mutant(
    "manager-namespace-attributes-local",
    ["manager.namespace-attrs"],
    "A Namespace proxy keeps every attribute set on it locally",
)
def _(mp):
    NamespaceProxy = sub("managers").NamespaceProxy
    NamespaceProxy.__setattr__ = object.__setattr__

    def __getattr__(self, key):
        if key[0] == "_":
            return object.__getattribute__(self, key)
        return object.__getattribute__(self, "_callmethod")("__getattribute__", (key,))

    NamespaceProxy.__getattr__ = __getattr__


@mutant(
    "manager-wait-for-does-not-wait",
    ["manager.syncmanager-primitives"],
    "A Condition proxy's wait_for() returns the predicate's current value without waiting",
)
def _(mp):
    sub("managers").ConditionProxy.wait_for = lambda self, predicate, timeout=None: predicate()


@mutant(
    "manager-value-proxy-ignores-writes",
    ["manager.value-array-proxies"],
    "Assigning a manager Value proxy's .value does nothing",
)
def _(mp):
    ValueProxy = sub("managers").ValueProxy
    ValueProxy.value = property(ValueProxy.get, lambda self, value: None)


@mutant(
    "manager-dict-list-ignore-arguments",
    ["manager.dict-list-constructors"],
    "SyncManager.dict() and list() ignore their arguments and make empty objects",
)
def _(mp):
    SyncManager = sub("managers").SyncManager
    for name in ("dict", "list"):
        original = getattr(SyncManager, name)
        setattr(SyncManager, name, functools.wraps(original)(lambda self, *a, _o=original, **k: _o(self)))


@mutant(
    "manager-stores-referent-not-proxy",
    ["manager.nested-proxies"],
    "A proxy unpickled in its own manager's server becomes the referent itself (the "
    "behaviour before 3.6), so nested containers hand out copies",
)
@replacing("managers", "RebuildProxy")
def RebuildProxy(original, func, token, serializer, kwds):
    server = getattr(sub("process").current_process(), "_manager_server", None)
    if server and server.address == token.address:
        return server.id_to_obj[token.id][0]
    return original(func, token, serializer, kwds)


@mutant(
    "manager-server-reports-requested-address",
    [
        "manager.get-server-serve-forever",
        "manager.connect-remote",
        "manager.remote-queue-server",
        "manager.remote-local-worker",
        "manager.network-sharable",
    ],
    "A manager's server reports the address it was asked for (port 0) instead of the "
    "one it is bound to",
)
@replacing("managers.Server", "__init__")
def manager_server_reports_requested_address(original, self, registry, address, authkey, serializer):
    original(self, registry, address, authkey, serializer)
    if address is not None:
        self.address = address


@mutant(
    "shared-value-slowed",
    ["manager.slower-than-shm"],
    "Every read and write of a shared-memory Value's .value sleeps a millisecond",
)
def _(mp):
    Synchronized = sub("sharedctypes").Synchronized
    prop = Synchronized.value

    def get(self):
        time.sleep(0.001)
        return prop.fget(self)

    def set(self, value):
        time.sleep(0.001)
        prop.fset(self, value)

    Synchronized.value = property(get, set)


@mutant(
    "manager-proxies-lose-314-methods",
    ["manager.list-dict-new-methods-314"],
    "List and dict proxies lose the methods 3.14 added (clear, copy, |=, |, reversed, fromkeys)",
)
def _(mp):
    managers = sub("managers")
    for cls, names in ((managers.BaseListProxy, ("clear", "copy")),
                       (managers.DictProxy, ("__ior__", "__or__", "__ror__", "__reversed__", "fromkeys"))):
        for klass in cls.__mro__:
            for name in names:
                if name in vars(klass) and klass.__module__ == managers.__name__:
                    delattr(klass, name)
        cls._exposed_ = tuple(n for n in cls._exposed_ if n not in names)


@mutant(
    "manager-set-is-a-plain-set",
    ["manager.shared-set-314"],
    "SyncManager.set() returns a plain local set instead of a shared one",
)
def _(mp):
    sub("managers").SyncManager.set = lambda self, *args: set(*args)

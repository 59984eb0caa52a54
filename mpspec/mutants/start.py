"""Mutants of the behaviours the docs chapter `start` relies on: what each start
method gives a child, the global start method and contexts, the fork server, the
resource tracker, and the 3.12/3.14 changes."""

from __future__ import annotations

import os
import pickle
import time
import types
import warnings

from mpspec.mutants import mutant, rebind_default, replaces, replacing, sub

START = "start."


def _ids(*names):
    return [START + n for n in names]


# --- what a child starts from ----------------------------------------------------------


@mutant(
    "fork-context-spawns",
    _ids(
        "spawn-fresh-interpreter",
        "fork-inherits-everything",
        "spawn-no-stray-fds",
        "fork-threads-hazard",
        "spawn-functions-picklable",
        "get-context-multiple-methods",
        "cross-context-lock-rejected",
    ),
    "the fork context quietly launches a fresh interpreter (spawn) instead of forking",
)
def _(mp):
    context = sub("context")
    context.ForkProcess._Popen = context.SpawnProcess._Popen


@mutant(
    "spawn-keeps-inheritable-fds",
    _ids("spawn-no-stray-fds"),
    "spawn launches the child without closing the parent's inheritable descriptors",
)
def _(mp):
    util = sub("util")

    def spawnv_passfds(path, args, passfds):
        pid = os.fork()
        if pid == 0:
            try:
                for fd in passfds:
                    os.set_inheritable(fd, True)
                os.execv(path, args)
            finally:
                os._exit(127)
        return pid

    util.spawnv_passfds = spawnv_passfds


# --- start-up cost ------------------------------------------------------------------------


@mutant(
    "fork-start-waits",
    _ids("spawn-slower"),
    "a fork start waits 1 s before forking (a readiness poll with a coarse interval): "
    "slower than any spawn start here, even under load",
)
@replacing("popen_fork.Popen", "_launch")
def fork_start_waits(launch, self, process_obj):
    time.sleep(1.0)
    return launch(self, process_obj)


# --- the default and the global start method ----------------------------------------------


@mutant(
    "default-is-spawn",
    _ids("default-per-platform", "default-forkserver-314", "get-all-start-methods", "default-change-breaks-fork-reliance"),
    "the default start method is spawn on Linux too",
)
def _(mp):
    context = sub("context")
    context._default_context._default_context = context._concrete_contexts["spawn"]


@mutant(
    "set-start-method-unguarded",
    _ids("set-start-method-once", "get-start-method-fixes-default", "get-context-does-not-set-global"),
    "set_start_method() replaces a start method already set, without force=True",
)
def _(mp):
    DefaultContext = sub("context").DefaultContext
    set_start_method = DefaultContext.set_start_method
    DefaultContext.set_start_method = lambda self, method, force=False: set_start_method(self, method, True)
    rebind_default(mp, "set_start_method")


@mutant(
    "named-context-fixes-default",
    _ids("get-context-does-not-set-global"),
    "get_context(name) also makes that method the global start method, if none was set",
)
def _(mp):
    DefaultContext = sub("context").DefaultContext

    @replaces(DefaultContext, "get_context")
    def fixing_get_context(get_context, self, method=None):
        ctx = get_context(self, method)
        if method is not None and self._actual_context is None:
            self._actual_context = ctx
        return ctx
    rebind_default(mp, "get_context")


@mutant(
    "unknown-method-means-default",
    _ids("get-context-invalid", "set-start-method-invalid"),
    "an unknown start method name gives the default context instead of ValueError",
)
def _(mp):
    DefaultContext = sub("context").DefaultContext

    @replaces(DefaultContext, "get_context")
    def lenient_get_context(get_context, self, method=None):
        try:
            return get_context(self, method)
        except ValueError:
            return get_context(self, None)
    rebind_default(mp, "get_context")


@mutant(
    "context-ignores-method",
    _ids("get-context-multiple-methods"),
    "get_context(name) returns the default start method's context whatever the name",
)
def _(mp):
    context = sub("context")
    default = context._default_context

    @replaces(context.DefaultContext, "get_context")
    def get_default(get_context, self, method=None):
        if method is not None and method not in context._concrete_contexts:
            return get_context(self, method)  # still refuse unknown names
        return default._default_context
    rebind_default(mp, "get_context")


@mutant(
    "set-executable-ignored",
    _ids("set-executable"),
    "set_executable() does nothing: children always run sys.executable",
)
def _(mp):
    sub("spawn").set_executable = lambda exe: None


@mutant(
    "default-start-warns",
    _ids("no-runtime-warning-default-change-312"),
    "a default-context start warns that the default start method will change",
)
def _(mp):
    Process = sub("context").Process  # the default context's Process
    popen = Process._Popen

    def _Popen(process_obj):
        warnings.warn("the default start method will change; pass a context", DeprecationWarning, stacklevel=3)
        return popen(process_obj)

    Process._Popen = staticmethod(_Popen)


@mutant(
    "pickling-errors-deferred",
    _ids("spawn-functions-picklable"),
    "spawn and forkserver do not raise in start() when the process object cannot be pickled",
)
@replacing("reduction", "dump")
def lenient_dump(dump, obj, file, protocol=None):
    try:
        return dump(obj, file, protocol)
    except (TypeError, AttributeError, pickle.PicklingError):
        return dump(None, file, protocol)  # the child finds out


@mutant(
    "fork-lock-unchecked",
    _ids("cross-context-lock-rejected"),
    "a fork context's lock is pickled for a spawn or forkserver child without the 3.11 check",
)
@replacing("synchronize.SemLock", "__init__")
def fork_lock_unchecked(init, self, *args, **kwargs):
    init(self, *args, **kwargs)
    self._is_fork_ctx = False


# --- the fork server ------------------------------------------------------------------------


@mutant(
    "forkserver-reaper-thread",
    _ids("forkserver-single-threaded"),
    "the fork server runs a helper thread next to its loop",
)
def _(mp):
    import threading

    forkserver = sub("forkserver")

    @replaces(forkserver, "main")
    def threaded_main(main, *args, **kwargs):
        threading.Thread(target=threading.Event().wait, name="reaper", daemon=True).start()
        return main(*args, **kwargs)


@mutant(
    "forkserver-always-available",
    _ids("forkserver-availability"),
    "forkserver is offered and accepted even where sockets cannot pass descriptors",
)
def _(mp):
    context = sub("context")
    context.ForkServerContext._check_available = lambda self: None

    @replaces(context.DefaultContext, "get_all_start_methods")
    def get_all_start_methods(listed, self):
        methods = listed(self)
        return methods if "forkserver" in methods else methods + ["forkserver"]
    rebind_default(mp, "get_all_start_methods")


@mutant(
    "forkserver-preload-ignored",
    _ids("forkserver-preload", "forkserver-threads-caveat"),
    "set_forkserver_preload() does nothing: the server preloads only '__main__'",
)
def _(mp):
    forkserver = sub("forkserver")
    ignore = lambda *args, **kwargs: None  # noqa: E731
    forkserver.ForkServer.set_forkserver_preload = ignore
    forkserver.set_forkserver_preload = ignore


@mutant(
    "forkserver-auth-disabled",
    _ids("forkserver-authenticated-socket"),
    "the fork server and its clients skip the challenge (3.14+; nothing to disable before)",
)
def _(mp):
    forkserver = sub("forkserver")
    if not hasattr(forkserver, "_AUTHKEY_LEN"):
        return
    real = forkserver.connection
    shim = types.ModuleType(real.__name__)
    shim.__dict__.update(real.__dict__)
    shim.answer_challenge = shim.deliver_challenge = lambda *args, **kwargs: None
    forkserver.connection = shim


# --- the resource tracker --------------------------------------------------------------------


def _tracker_module():
    for name in ("resource_tracker", "semaphore_tracker"):
        try:
            return sub(name)
        except ImportError:
            continue
    return None


@mutant(
    "tracker-started-lazily",
    _ids("resource-tracker-process"),
    "spawn and forkserver starts no longer launch the resource tracker",
)
def _(mp):
    tracker = _tracker_module()
    instance = getattr(tracker, "_resource_tracker", None) or getattr(tracker, "_semaphore_tracker")

    def getfd():
        if instance._fd is not None:
            return instance._fd
        return os.open(os.devnull, os.O_WRONLY)

    tracker.getfd = getfd
    tracker.ensure_running = lambda: None


@mutant(
    "tracker-forgets-leaks",
    _ids("resource-tracker-cleans-leaks"),
    "the resource tracker warns about leaked resources but no longer unlinks them",
)
def _(mp):
    tracker = _tracker_module()
    for rtype in list(getattr(tracker, "_CLEANUP_FUNCS", {})):  # (billiard's has none)
        tracker._CLEANUP_FUNCS[rtype] = lambda name: None


# --- fork with threads -------------------------------------------------------------------------


@mutant(
    "fork-warning-silenced",
    _ids("fork-threads-deprecationwarning-312"),
    "a fork start silences os.fork()'s multi-threaded DeprecationWarning (3.12+)",
)
@replacing("popen_fork.Popen", "_launch")
def fork_warning_silenced(launch, self, process_obj):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return launch(self, process_obj)


@mutant(
    "forkserver-socket-in-shared-tmp",
    _ids("forkserver-authenticated-socket"),
    "the fork server's socket is made in the shared temporary directory, not the program's private one",
)
def _(mp):
    import atexit
    import tempfile

    forkserver = sub("forkserver")
    real = forkserver.connection
    shim = types.ModuleType(real.__name__)
    shim.__dict__.update(real.__dict__)

    def arbitrary_address(family):
        if family != "AF_UNIX":
            return real.arbitrary_address(family)
        path = os.path.join(tempfile.gettempdir(), f"mpspec-listener-{os.getpid()}-{os.urandom(4).hex()}")
        atexit.register(lambda: os.path.exists(path) and os.unlink(path))
        return path

    shim.arbitrary_address = arbitrary_address
    forkserver.connection = shim

"""Mutants of the behaviours the docs chapter `process-api` relies on."""

from __future__ import annotations

import atexit
import os
import signal
import traceback

from mpspec.mutants import mutant, replacing, sub


def _base():
    return sub("process").BaseProcess


def _popen_fork():
    return sub("popen_fork").Popen


def _replace_function(mp, name, function):
    """Replace a module-level function of the library everywhere it is reachable:
    process.<name>, the contexts' staticmethod and the package's export."""
    setattr(sub("process"), name, function)
    setattr(sub("context").BaseContext, name, staticmethod(function))
    setattr(mp, name, function)


# --- the constructor ------------------------------------------------------------------


@mutant("daemon-kwarg-ignored", ["process-api.daemon-kwarg"], "Process(daemon=...) is accepted and ignored")
@replacing(_base, "__init__")
def daemon_kwarg_ignored(init, self, *args, daemon=None, **kwargs):
    init(self, *args, **kwargs)


@mutant("run-without-target-check", ["process-api.target-none"], "run() calls the target even when it is None")
def _(mp):
    def run(self):
        self._target(*self._args, **self._kwargs)

    _base().run = run


@mutant("run-drops-kwargs", ["process-api.kwargs-forwarded"], "run() passes args but not kwargs to the target")
def _(mp):
    def run(self):
        if self._target:
            self._target(*self._args)

    _base().run = run


@mutant(
    "init-keeps-earlier-name",
    ["process-api.subclass-init-required"],
    "Process.__init__ keeps a name assigned before it ran, instead of the default",
)
@replacing(_base, "__init__")
def init_keeps_earlier_name(init, self, *args, **kwargs):
    earlier = self.__dict__.get("_name")
    init(self, *args, **kwargs)
    if earlier is not None and kwargs.get("name") is None:
        self._name = earlier


# --- start() and join() ---------------------------------------------------------------


@mutant("second-start-allowed", ["process-api.start-once"], "start() on a started Process starts it again")
@replacing(_base, "start")
def start_again(start, self):
    self._popen = None
    start(self)


@mutant(
    "join-returns-exitcode",
    ["process-api.join-timeout-returns-none"],
    "join() returns the exit code once the child has ended",
)
@replacing(_base, "join")
def join_with_result(join, self, timeout=None):
    join(self, timeout)
    return self._popen.returncode if self._popen is not None else None


@mutant("join-closes-process", ["process-api.join-repeatable"], "a successful join() also closes the Process object")
@replacing(_base, "join")
def join_and_close(join, self, timeout=None):
    join(self, timeout)
    if self._popen is not None and self._popen.returncode is not None:
        self.close()


@mutant(
    "join-unstarted-is-a-no-op",
    ["process-api.join-self-or-unstarted-error"],
    "join() on a process with nothing to wait for (unstarted, or oneself) returns None",
)
@replacing(_base, "join")
def lenient_join(join, self, timeout=None):
    if self._popen is None:
        return None
    return join(self, timeout)


# --- name, is_alive(), daemon, pid, exitcode -----------------------------------------


@mutant(
    "flat-process-names",
    ["process-api.default-name-pattern"],
    "default names drop the creator's numbers: a child's processes are <class>-M, not <class>-N:M",
)
@replacing(_base, "__init__")
def flat_process_names(init, self, group=None, target=None, name=None, *args, **kwargs):
    init(self, group, target, name, *args, **kwargs)
    if not name:
        self._name = f"{type(self).__name__}-{self._identity[-1]}"


@mutant(
    "is-alive-until-joined",
    ["process-api.is-alive-window"],
    "is_alive() reports bookkeeping (not yet joined) instead of asking the OS",
)
def _(mp):
    def is_alive(self):
        self._check_closed()
        if self._popen is None:
            return False
        return self in sub("process")._children

    _base().is_alive = is_alive


@mutant("daemon-settable-after-start", ["process-api.daemon-before-start"], "the daemon setter has no started check")
def _(mp):
    BaseProcess = _base()
    BaseProcess.daemon = property(BaseProcess.daemon.fget, lambda self, value: self._config.__setitem__("daemon", value))


@mutant(
    "daemons-may-have-children",
    ["process-api.daemon-no-children", "process-api.daemon-killed-at-exit"],
    "start() no longer refuses to run in a daemonic process",
)
@replacing(_base, "start")
def start_anywhere(start, self):
    config = sub("process").current_process()._config
    daemonic = config.pop("daemon", None)
    try:
        start(self)
    finally:
        if daemonic is not None:
            config["daemon"] = daemonic


@mutant(
    "exit-joins-daemons",
    ["process-api.daemon-killed-at-exit"],
    "at exit the library waits for its daemonic children instead of terminating them",
)
def _(mp):
    util = sub("util")
    original = getattr(util, "_exit_function", None)
    if original is None:
        return

    def exit_function(*args, **kwargs):
        for child in sub("process").active_children():
            child.join()
        original(*args, **kwargs)

    atexit.unregister(original)
    atexit.register(exit_function)


@mutant("pid-before-start-is-parents", ["process-api.pid-none-before-start"], "pid is the parent's pid until started")
def _(mp):
    def ident(self):
        self._check_closed()
        if self is sub("process").current_process() or self._popen is None:
            return os.getpid()
        return self._popen.pid

    BaseProcess = _base()
    BaseProcess.ident = BaseProcess.pid = property(ident)


@mutant(
    "signal-exitcode-shell-style",
    ["process-api.exitcode-values", "process-api.repr-states"],
    "a child killed by signal N reports exitcode 128+N (the shell's convention), not -N",
)
@replacing(_popen_fork, "poll")
def shell_poll(poll, self, flag=os.WNOHANG):
    code = poll(self, flag)
    if code is not None and code < 0:
        self.returncode = code = 128 - code
    return code


@mutant(
    "uncaught-exception-exits-zero",
    ["process-api.exitcode-sysexit"],
    "an exception escaping the target is printed and swallowed: exitcode 0",
)
@replacing(_base, "run")
def forgiving_run(run, self):
    try:
        run(self)
    except Exception:
        traceback.print_exc()


# --- authkey and sentinel -------------------------------------------------------------


@mutant("authkey-fixed", ["process-api.authkey-random-main"], "the main process's authkey is a constant")
def _(mp):
    sub("process").current_process().authkey = b"\0" * 32


@mutant(
    "authkey-fresh-per-process",
    ["process-api.authkey-inherited"],
    "every new Process object draws its own random authkey instead of inheriting one",
)
@replacing("process.BaseProcess", "__init__")
def authkey_fresh_per_process(init, self, *args, **kwargs):
    init(self, *args, **kwargs)
    self._config["authkey"] = sub("process").AuthenticationString(os.urandom(32))


@mutant(
    "sentinel-never-ready",
    ["process-api.sentinel-ready-on-exit"],
    "sentinel hands out a pipe whose write end the parent keeps open: it never becomes ready",
)
def _(mp):
    def sentinel(self):
        self._check_closed()
        if not hasattr(self, "_sentinel"):
            raise ValueError("process not started")
        if not hasattr(self, "_mutant_pipe"):
            self._mutant_pipe = os.pipe()
        return self._mutant_pipe[0]

    _base().sentinel = property(sentinel)


# --- terminate(), kill(), close() -----------------------------------------------------


@mutant(
    "terminate-sends-sigint",
    ["process-api.terminate-sigterm-no-cleanup", "process-api.terminate-corrupts-ipc"],
    "terminate() sends SIGINT, so the child unwinds: finally blocks run and with blocks release",
)
def _(mp):
    def terminate(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    _popen_fork().terminate = terminate


@mutant(
    "terminate-kills-descendants",
    ["process-api.terminate-orphans-grandchildren"],
    "terminate() first kills the child's descendants (the whole tree)",
)
@replacing(_base, "terminate")
def terminate_tree(terminate, self):
    import psutil

    try:
        for descendant in psutil.Process(self.pid).children(recursive=True):
            descendant.kill()
    except psutil.Error:
        pass
    terminate(self)


@mutant("kill-sends-sigterm", ["process-api.kill-sigkill"], "kill() sends SIGTERM, like terminate()")
def _(mp):
    Popen = _popen_fork()
    Popen.kill = Popen.terminate


@mutant(
    "close-while-running",
    ["process-api.close-running-valueerror"],
    "close() releases a running child's resources instead of refusing",
)
def _(mp):
    def close(self):
        if self._popen is not None:
            self._popen.close()
            self._popen = None
            del self._sentinel
            sub("process")._children.discard(self)
        self._closed = True

    _base().close = close


@mutant("exitcode-ignores-close", ["process-api.closed-object-valueerror"], "exitcode does not check for a closed object")
def _(mp):
    _base().exitcode = property(lambda self: None if self._popen is None else self._popen.poll())


@mutant(
    "foreign-is-alive-allowed",
    ["process-api.creator-only-methods"],
    "is_alive() no longer checks that the caller created the process",
)
def _(mp):
    def is_alive(self):
        self._check_closed()
        if self is sub("process").current_process():
            return True
        if self._popen is None:
            return False
        return self._popen.poll() is None

    _base().is_alive = is_alive


@mutant("repr-without-signal-names", ["process-api.repr-states"], "repr shows exitcode=-15, not exitcode=-SIGTERM")
def _(mp):
    sub("process")._exitcode_to_name.clear()


# --- active_children(), current_process(), parent_process() --------------------------


@mutant(
    "active-children-unreaped",
    ["process-api.active-children-list", "process-api.active-children-reaps"],
    "active_children() lists every child not yet joined, without polling (or reaping) them",
)
def _(mp):
    _replace_function(mp, "active_children", lambda: list(sub("process")._children))


@mutant(
    "current-process-is-main",
    ["process-api.current-process"],
    "current_process() returns the interpreter's original main-process object, also in children",
)
def _(mp):
    main = sub("process").current_process()
    _replace_function(mp, "current_process", lambda: main)


@mutant("parent-process-is-self", ["process-api.parent-process"], "parent_process() returns current_process()")
def _(mp):
    if hasattr(sub("process"), "parent_process"):
        _replace_function(mp, "parent_process", lambda: sub("process").current_process())


# --- interrupt() (3.14) -----------------------------------------------------------------


@mutant("interrupt-sends-sigterm", ["process-api.interrupt-sigint-314"], "interrupt() sends SIGTERM, like terminate()")
def _(mp):
    BaseProcess = _base()
    if hasattr(BaseProcess, "interrupt"):
        BaseProcess.interrupt = BaseProcess.terminate

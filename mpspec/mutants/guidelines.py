"""Mutants of the behaviours the docs chapter `guidelines` relies on."""

from __future__ import annotations

import io
import os
import pickle
import signal
import sys

from mpspec.mutants import mutant, replacing, sub

# --- proxies ------------------------------------------------------------------


@mutant(
    "send-streams-partial-pickle",
    ["guidelines.proxy-args-picklable", "guidelines.inherit-not-send"],
    "Connection.send() pickles straight into the message, so an object that fails to "
    "pickle still sends what was pickled before the failure",
)
def _(mp):
    connection, reduction = sub("connection"), sub("reduction")

    def send(self, obj):
        self._check_closed()
        self._check_writable()
        buf = io.BytesIO()
        try:
            reduction.ForkingPickler(buf, None).dump(obj)
        finally:
            self._send_bytes(buf.getbuffer())

    connection._ConnectionBase.send = send


@mutant(
    "proxies-share-one-connection",
    ["guidelines.proxy-thread-safety"],
    "a proxy keeps one connection for all the threads of a process, not one per thread",
)
def _(mp):
    util = sub("util")

    class SharedLocal:
        def __init__(self):
            util.register_after_fork(self, lambda obj: obj.__dict__.clear())

        def __reduce__(self):
            return type(self), ()

    sub("managers").util.ForkAwareLocal = SharedLocal


# --- zombies ------------------------------------------------------------------


@mutant(
    "start-and-active-children-skip-reaping",
    ["guidelines.zombies-reaped"],
    "process._cleanup() no longer polls finished children, so neither start() nor "
    "active_children() reaps them",
)
def _(mp):
    sub("process")._cleanup = lambda: None


@mutant(
    "is-alive-reads-the-sentinel",
    ["guidelines.zombies-reaped"],
    "is_alive() looks at the sentinel instead of polling the child, so it reaps nothing",
)
def _(mp):
    process, connection = sub("process"), sub("connection")

    def is_alive(self):
        if self._popen is None or self._popen.returncode is not None:
            return False
        return not connection.wait([self.sentinel], 0)

    process.BaseProcess.is_alive = is_alive


# --- inheriting and terminating -------------------------------------------------


@mutant(
    "semlock-pickles-anywhere",
    ["guidelines.inherit-not-send"],
    "context.assert_spawning() no longer objects: locks and values pickle outside of "
    "process creation",
)
def _(mp):
    sub("context").assert_spawning = lambda obj: None


@mutant(
    "sigterm-unwinds-the-child",
    ["guidelines.terminate-breaks-shared"],
    "a child turns SIGTERM into SystemExit, so terminate() runs its finally blocks and "
    "with statements (releasing the locks it holds)",
)
def _(mp):
    BaseProcess = sub("process").BaseProcess
    bootstrap = BaseProcess._bootstrap

    def unwind(signum, frame):
        raise SystemExit(1)

    def _bootstrap(self, *args, **kwargs):
        signal.signal(signal.SIGTERM, unwind)
        return bootstrap(self, *args, **kwargs)

    BaseProcess._bootstrap = _bootstrap


# --- queues and exit ------------------------------------------------------------


# The feeder thread not joined at exit is queue_api's exit-skips-queue-flush, which
# names guidelines.join-before-drain-deadlock too.


@mutant(
    "exit-skips-nondaemon-join",
    ["guidelines.nondaemon-auto-joined"],
    "the exit handler no longer joins (nor terminates) the children still running",
)
def _(mp):
    exit_function = sub("util")._exit_function  # every default is bound at definition
    code = exit_function.__code__
    names = code.co_varnames[: code.co_argcount]
    defaults = list(exit_function.__defaults__)
    defaults[names.index("active_children") - (len(names) - len(defaults))] = lambda: []
    exit_function.__defaults__ = tuple(defaults)


@mutant(
    "main-not-imported-in-children",
    [
        "guidelines.pass-resources-explicitly",
        "guidelines.unguarded-main-runtimeerror",
        "guidelines.pool-manager-main-guard",
    ],
    "spawn and forkserver children (and the fork server) skip importing the main module",
)
def _(mp):
    spawn = sub("spawn")
    spawn._fixup_main_from_path = lambda main_path: None
    spawn._fixup_main_from_name = lambda mod_name: None


@mutant(
    "start-keeps-the-arguments",
    ["guidelines.arg-keeps-alive"],
    "start() keeps the Process's target and arguments (as before 3.7, and as billiard does)",
)
@replacing("process.BaseProcess", "start")
def keep(start, self):
    saved = self._target, self._args, self._kwargs
    start(self)
    self._target, self._args, self._kwargs = saved


# --- stdin --------------------------------------------------------------------------


@mutant(
    "stdin-replaced-not-closed",
    ["guidelines.stdin-devnull", "guidelines.stdin-filelike-double-flush"],
    "a child replaces sys.stdin with os.devnull without closing the old one",
)
def _(mp):
    def _close_stdin():
        if sys.stdin is not None:
            try:
                sys.stdin = open(os.devnull, encoding="utf-8")
            except OSError:
                pass

    sub("util")._close_stdin = _close_stdin


@mutant("stdin-inherited", ["guidelines.stdin-devnull"], "a child keeps the sys.stdin it starts with")
def _(mp):
    sub("util")._close_stdin = lambda: None


# --- spawn and forkserver ---------------------------------------------------------


@mutant(
    "start-swallows-pickling-errors",
    ["guidelines.process-args-picklable"],
    "spawn and forkserver start() ignore a pickling error and launch a child that gets "
    "only part of the process object",
)
@replacing("reduction", "dump")
def lenient(dump, obj, file, protocol=None):
    try:
        dump(obj, file, protocol)
    except (TypeError, pickle.PicklingError):
        pass


@mutant(
    "spawn-context-forks",
    [
        "guidelines.process-args-picklable",
        "guidelines.globals-may-differ",
        "guidelines.stdin-filelike-double-flush",
        "guidelines.unguarded-main-runtimeerror",
        "guidelines.pool-manager-main-guard",
    ],
    "the spawn and forkserver contexts start their children by fork",
)
def _(mp):
    context = sub("context")
    fork_popen = context.ForkProcess._Popen
    for cls in (context.SpawnProcess, context.ForkServerProcess):
        cls._Popen = staticmethod(fork_popen)

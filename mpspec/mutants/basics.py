"""Mutants of what the basics chapter (threads and processes, identities, the main thread, multiprocessing.dummy) relies on."""

from __future__ import annotations

import os
import threading

from mpspec.mutants import mutant, replacing, sub


@mutant(
    "pid-is-parents",
    ["basics.thread-in-process", "basics.process-identity", "process.target-args", "process.subclass-run"],
    "Process.pid reports the parent's pid",
)
def _(mp):
    sub("process").BaseProcess.pid = property(lambda self: os.getpid() if self._popen else None)


@mutant("parent-process-none", ["basics.process-identity"], "parent_process() returns None in a child")
def _(mp):
    none = lambda: None  # noqa: E731
    sub("process").parent_process = none
    sub("context").BaseContext.parent_process = staticmethod(none)
    mp.parent_process = none


@mutant("target-in-a-thread", ["basics.main-thread"], "the child runs its target on a second thread, not the main one")
@replacing("process.BaseProcess", "run")
def threaded_run(run, self):
    thread = threading.Thread(target=run, args=(self,))
    thread.start()
    thread.join()


@mutant(
    "dummy-is-a-real-process",
    ["basics.threads-share"],
    "multiprocessing.dummy.Process is a real (fork) process, not a thread",
)
def _(mp):
    sub("dummy").Process = mp.get_context("fork").Process

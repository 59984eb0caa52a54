"""Mutants of what the communication chapter (processes share no data) relies on."""

from __future__ import annotations

import os

from mpspec.mutants import mutant, sub


class _InParentPopen:
    """Runs the process's run() right here, in the parent, and looks finished."""

    def __init__(self, process_obj):
        self.pid = os.getpid()
        read, write = os.pipe()
        os.close(write)
        self.sentinel = read
        try:
            process_obj.run()
            self.returncode = 0
        except SystemExit as exc:
            self.returncode = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            self.returncode = 1

    def poll(self, flag=os.WNOHANG):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode

    def terminate(self):
        pass

    kill = terminate

    def close(self):
        os.close(self.sentinel)


def _process_classes(mp):
    context = sub("context")
    names = ("Process", "ForkProcess", "SpawnProcess", "ForkServerProcess")
    return [getattr(context, n) for n in names if hasattr(context, n)]


@mutant(
    "start-runs-in-parent",
    ["ipc.no-shared-data", "basics.processes-share-machine", "basics.thread-in-process", "process.closure-target"],
    "Process.start() runs the target in the parent process instead of a child",
)
def _(mp):
    for cls in _process_classes(mp):
        cls._Popen = staticmethod(_InParentPopen)

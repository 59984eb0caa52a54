"""Mutants of what the process chapter (the Process class as the article uses it) relies on."""

from __future__ import annotations

import pickle
import types

from mpspec.mutants import mutant, replaces, replacing, sub


@mutant("close-is-a-no-op", ["process.thread-like-api"], "Process.close() does nothing")
def _(mp):
    sub("process").BaseProcess.close = lambda self: None


@mutant("kwargs-dropped", ["process.target-args"], "Process(kwargs=...) is ignored")
@replacing("process.BaseProcess", "__init__")
def kwargs_dropped(init, self, *args, **kwargs):
    init(self, *args, **kwargs)
    self._kwargs = {}


@mutant("overridden-run-ignored", ["process.subclass-run"], "the child calls BaseProcess.run, not the subclass's run()")
@replacing("process.BaseProcess", "_bootstrap")
def _bootstrap(bootstrap, self, *args, **kwargs):
    self.run = types.MethodType(sub("process").BaseProcess.run, self)
    return bootstrap(self, *args, **kwargs)


@mutant("name-setter-accepts-anything", ["process.name-must-be-str"], "the name setter has no assert")
def _(mp):
    BaseProcess = sub("process").BaseProcess
    BaseProcess.name = property(BaseProcess.name.fget, lambda self, name: setattr(self, "_name", name))


@mutant("exitcode-always-0", ["process.no-return-value"], "exitcode is 0 for every finished child")
def _(mp):
    def exitcode(self):
        if self._popen is None or self._popen.poll() is None:
            return None
        return 0

    sub("process").BaseProcess.exitcode = property(exitcode)


@mutant(
    "spawn-falls-back-to-fork",
    ["process.closure-target"],
    "spawn and forkserver quietly fork when the target cannot be pickled",
)
def _(mp):
    context = sub("context")
    fork_popen = context.ForkProcess._Popen
    for cls in (context.SpawnProcess, context.ForkServerProcess):
        original = cls._Popen

        def _Popen(process_obj, original=original):
            try:
                return original(process_obj)
            except (pickle.PicklingError, AttributeError, TypeError):
                return fork_popen(process_obj)

        cls._Popen = staticmethod(_Popen)


@mutant("main-not-reimported", ["process.main-guard"], "spawn and forkserver children do not re-import __main__")
def _(mp):
    spawn = sub("spawn")
    spawn._fixup_main_from_path = lambda main_path: None
    spawn._fixup_main_from_name = lambda mod_name: None


@mutant("no-forkserver", ["process.start-methods"], "get_all_start_methods() leaves out forkserver")
def _(mp):
    context = sub("context")

    @replaces(context.DefaultContext, "get_all_start_methods")
    def get_all_start_methods(everything, self=None):
        return [m for m in everything(context._default_context) if m != "forkserver"]
    mp.get_all_start_methods = lambda: get_all_start_methods()

"""Section 进程类 (the Process class)."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    Claim(
        id="process.thread-like-api",
        section="process",
        cite="进程类 ¶1",
        statement="multiprocessing.Process closely resembles threading.Thread.",
        explanation="Process has Thread's start, run, join, is_alive, name, daemon and "
        "ident (ident is the pid), and adds pid, exitcode, sentinel, authkey, terminate, "
        "kill and close, none of which Thread has; Thread's native_id has no counterpart.",
        verdicts=(
            partly(
                "billiard's Process has no kill(); it has terminate_controlled() instead, "
                "and otherwise the same additions to Thread's API.",
                libraries=("billiard",),
            ),
            partly(),
        ),
    ),
    Claim(
        id="process.target-args",
        section="process",
        cite="进程类, first example",
        statement="Process(target=f, args=...) followed by start() and join() runs f(*args) "
        "in a new process.",
        explanation="The target runs in a child with a different pid, receives the "
        "positional and keyword arguments, and join() returns once it has finished "
        "(exitcode 0).",
        verdicts=(holds(),),
    ),
    Claim(
        id="process.subclass-run",
        section="process",
        cite="进程类, second example",
        statement="Subclassing Process and overriding run() makes start() execute that "
        "run() in the child.",
        explanation="The overridden run() executes in the child, with the attributes the "
        "subclass set in __init__ (under spawn and forkserver the subclass must be "
        "importable, since the object is pickled).",
        verdicts=(holds(),),
    ),
    Claim(
        id="process.name-must-be-str",
        section="process",
        cite="进程类, second example",
        statement="The article's subclass example, which stores an int in self.name and "
        "joins in a loop, starts and waits for three named processes.",
        explanation="The name setter asserts isinstance(name, str): the example dies in "
        "the parent with AssertionError('name must be a string') before any child starts; "
        "and its join loop joins only the last process three times. Process(name=5) "
        "bypasses the setter: fork runs with the int name, spawn and forkserver children "
        "die preparing (exitcode 1).",
        verdicts=(
            holds(
                "Under -O the assert is gone: the int name is accepted and all three "
                "children run (the join loop still joins only the last one).",
                optimize=True,
            ),
            fails(
                "As with multiprocessing, except that the forkserver child that dies "
                "preparing (Process(name=5)) reports exitcode 255, not 1: billiard's fork "
                "server learns exit codes only from children that finish their bootstrap.",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            fails(),
        ),
    ),
    Claim(
        id="process.no-return-value",
        section="process",
        cite="进程类 › Attention! 1",
        statement="Unlike a thread, a process gives no way to get its target's return "
        "value back: there is no result method.",
        explanation="The return value is discarded; exitcode is 0 on return, n for "
        "sys.exit(n), 0 for sys.exit() (1 before 3.9), 1 for an uncaught exception and -N "
        "for death by signal N. The contrast is wrong: threading.Thread has no result "
        "either. Values come back through a Queue, a Pipe, a Pool or ProcessPoolExecutor.",
        verdicts=(
            holds(
                "The return value is discarded, but billiard's exit codes differ: "
                "sys.exit('message') gives 0 (multiprocessing: 1), a bare sys.exit() gives 1 "
                "(multiprocessing: 0 since 3.9), and under forkserver a child killed by a "
                "signal reports 255 instead of -N.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="process.closure-target",
        section="process",
        cite="进程类 › Attention! 2",
        statement="A function nested inside another function (a closure) cannot be the "
        "target of a process.",
        explanation="Under spawn and forkserver start() pickles the target in the parent "
        "and fails before any child exists: AttributeError \"Can't pickle local object\" "
        "up to 3.12.4, \"Can't get local object\" from 3.12.5, pickle.PicklingError from "
        "3.14; a lambda raises pickle.PicklingError. Since 3.14 forkserver is the Linux "
        "default, so the article's warning applies by default there.",
        verdicts=(
            fails(
                "multiprocess pickles with dill, which pickles closures and lambdas by "
                "value: start() succeeds and the closure (or lambda) runs in the child on "
                "every start method.",
                libraries=("multiprocess",),
            ),
            fails(
                "Under fork nothing is pickled: the closure (or lambda) runs in the child.",
                methods=("fork",),
            ),
            holds(
                "start() fails in the parent before any child exists, but PyPy's pickle is "
                "the pure-Python one: a closure raises pickle.PicklingError \"Can't pickle "
                "<function make_closure.<locals>.send_ran at 0x...>: it's not found as "
                "<module>.make_closure.<locals>.send_ran\" (CPython: AttributeError), a "
                "lambda a PicklingError \"it's not found as <module>.<lambda>\".",
                implementations=("PyPy",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="process.main-guard",
        section="process",
        cite="every example (the `if __name__ == '__main__'` guard)",
        statement="Code that starts processes must sit under an "
        "`if __name__ == '__main__'` guard.",
        explanation="Spawn and forkserver children re-run the main module; without the "
        "guard the child's attempt to start a process raises RuntimeError about the "
        "bootstrapping phase, the child exits with 1 and the target never runs.",
        verdicts=(
            fails(
                "Under fork the child does not re-run the main module: an unguarded script "
                "works.",
                methods=("fork",),
            ),
            holds(
                "The child raises RuntimeError (bootstrapping phase) and the target never "
                "runs, but billiard's fork server reports the child's exitcode as 255, not 1.",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            holds(),
        ),
        beyond=True,
    ),
    Claim(
        id="process.start-methods",
        section="process",
        cite="(not in the article; it assumes the platform default)",
        statement="Which start methods a platform offers, and which one is the default.",
        explanation="Linux offers fork, spawn and forkserver, default fork up to 3.13 and "
        "forkserver from 3.14; macOS defaults to spawn since 3.8; Windows has spawn only. "
        "From 3.12, forking while other threads run emits a DeprecationWarning that the "
        "default filters hide.",
        verdicts=(holds(),),
        per_method=False,
        beyond=True,
    ),
]

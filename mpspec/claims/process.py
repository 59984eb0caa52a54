"""Section 进程类 (the Process class)."""

from mpspec.registry import Claim, fails, holds, partly

CLAIMS = [
    Claim(
        id="process.thread-like-api",
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
            partly(
                "Thread's methods and attributes are there, and from 3.14 Process adds one "
                "more thing a thread cannot do: interrupt() (BaseProcess.interrupt, "
                "popen_fork.Popen.interrupt) sends the child SIGINT. A child running Python "
                "code gets KeyboardInterrupt, which _bootstrap reports as exitcode 1 (not "
                "-SIGINT, as terminate() and kill() give -SIGTERM and -SIGKILL). The other "
                "additions are as before: pid, exitcode, sentinel, authkey, terminate, kill "
                "and close; Thread's native_id has no counterpart.",
                python=">=3.14",
            ),
            partly(),
        ),
    ),
    Claim(
        id="process.target-args",
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
        cite="进程类 › Attention! 2",
        statement="A function nested inside another function (a closure) cannot be the "
        "target of a process.",
        explanation="Under spawn and forkserver start() pickles the target in the parent "
        "and fails before any child exists: AttributeError \"Can't pickle local object\" "
        "up to 3.12.4, \"Can't get local object\" from 3.12.5, pickle.PicklingError from "
        "3.14; a lambda raises pickle.PicklingError. Under fork nothing is pickled and "
        "both run. Since 3.14 forkserver is the Linux default, so the article's warning "
        "applies by default there.",
        verdicts=(
            fails(
                "multiprocess pickles with dill, which pickles closures and lambdas by "
                "value: start() succeeds and the closure (or lambda) runs in the child on "
                "every start method.",
                libraries=("multiprocess",),
            ),
            fails(
                "Under fork nothing is pickled: the closure (or lambda) runs in the child. "
                "But from 3.14 fork is no longer Linux's default (forkserver is): code that "
                "names no start method gets the pickling error of the other rows, where up "
                "to 3.13 its closure ran.",
                methods=("fork",),
                python=">=3.14",
                libraries=("multiprocessing",),
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
            holds(
                "start() fails in the parent before any child exists, and from 3.14 always "
                "with pickle.PicklingError: pickle's whichmodule() (and _pickle.c) refuses "
                "a local object outright, \"Can't pickle local object <function "
                "make_closure.<locals>.send_ran at 0x...>\" (before: AttributeError), and "
                "a lambda gives \"Can't pickle <function <lambda> at 0x...>: it's not "
                "found as <module>.<lambda>\" (before: \"attribute lookup <lambda> on "
                "<module> failed\"). Notes on the exception name the path to the culprit "
                "(\"when serializing dict item '_target'\", then the Process object's "
                "state). forkserver is Linux's default from 3.14, so this is what code that "
                "names no start method gets there.",
                python=">=3.14",
            ),
            holds(),
        ),
    ),
    Claim(
        id="process.main-guard",
        cite="every example (the `if __name__ == '__main__'` guard)",
        statement="Code that starts processes must sit under an "
        "`if __name__ == '__main__'` guard.",
        explanation="A spawn child re-runs the main module before its target, and so does a "
        "forkserver child (until the fork server preloads the main module: 3.13.8 and "
        "3.14.1, see the notes). Without the guard the re-run's attempt to start a process "
        "raises RuntimeError about the bootstrapping phase, the child exits with 1 and the "
        "target never runs.",
        verdicts=(
            fails(
                "Under fork the child does not re-run the main module: an unguarded script "
                "works. But from 3.14 fork is no longer Linux's default: an unguarded script "
                "that names no start method gets forkserver and fails (see that row).",
                methods=("fork",),
                python=">=3.14",
                libraries=("multiprocessing",),
            ),
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
            holds(
                "Worse than a failing child: multiprocess's fork server (its copies of the "
                "3.13 and later standard library, 0.70.19) preloads the main module, runs "
                "the unguarded script itself and dies of the RuntimeError (bootstrapping "
                "phase), even on 3.15: the parent's start() fails (3.13: EOFError; 3.14 "
                "and later: ConnectionResetError; ConnectionRefusedError if the server was "
                "gone before the connect) and the script crashes with exit status 1. A "
                "guarded script's top level runs once, in the fork server.",
                methods=("forkserver",),
                python=">=3.13",
                libraries=("multiprocess",),
            ),
            holds(
                "As from 3.14.1, the fork server preloads the main module (gh-126631) and "
                "so runs the unguarded script itself when the first start() launches it, "
                "but from 3.15 "
                "it ignores the failure (forkserver._handle_preload with "
                "set_forkserver_preload's default on_error='ignore'): as before, each child "
                "re-runs the script, raises RuntimeError (bootstrapping phase) and exits "
                "with 1; the target never runs. A guarded script's top level runs once, in "
                "the fork server, not in every child. forkserver is Linux's default, so an "
                "unguarded script that names no start method fails like this.",
                methods=("forkserver",),
                python=">=3.15",
                libraries=("multiprocessing",),
            ),
            holds(
                "Worse than a failing child: from 3.14.1 the fork server preloads the main "
                "module (gh-126631: ForkServer.ensure_running passes the script's path on as "
                "main_path), so it runs the unguarded script itself when the first start() "
                "launches it; the script's start() raises RuntimeError (bootstrapping phase) "
                "in the fork server, which dies. The parent's start() then fails in the "
                "handshake with it (ConnectionResetError; ConnectionRefusedError if it was "
                "gone before the connect): the script crashes with exit status 1 and no "
                "child ever exists. A guarded script's top level runs once, in the fork "
                "server, not in every child. forkserver is Linux's default from 3.14, so an "
                "unguarded script that names no start method crashes like this.",
                methods=("forkserver",),
                python=">=3.14.1",
                libraries=("multiprocessing",),
            ),
            holds(
                "Worse than a failing child: from 3.13.8 the fork server preloads the main "
                "module (gh-126631, backported), runs the unguarded script itself, raises "
                "RuntimeError (bootstrapping phase) there and dies. The parent's start() "
                "then fails: EOFError ('unexpected EOF') reading the child's pid from the "
                "dead server (ConnectionRefusedError if it was gone before the connect), so "
                "the script crashes with exit status 1 and no child ever exists. A guarded "
                "script's top level runs once, in the fork server, not in every child.",
                methods=("forkserver",),
                python=">=3.13.8,<3.14",
                libraries=("multiprocessing",),
            ),
            holds(),
        ),
        beyond=True,
    ),
    Claim(
        id="process.start-methods",
        cite="(not in the article; it assumes the platform default)",
        statement="Which start methods a platform offers, and which one is the default.",
        explanation="Linux offers fork, spawn and forkserver, default fork up to 3.13 and "
        "forkserver from 3.14; macOS defaults to spawn since 3.8; Windows has spawn only. "
        "From 3.12, forking while other threads run emits a DeprecationWarning that the "
        "default filters hide.",
        verdicts=(
            holds(
                "Linux offers fork, spawn and forkserver; from 3.14 the default is "
                "forkserver (context._get_platform_default_context; spawn instead when no "
                "temporary directory is writable, from 3.14.9 and 3.15.1, gh-155717), and "
                "get_all_start_methods() lists the default first (Linux: forkserver, fork, "
                "spawn). Code that names no start method therefore pickles its targets and "
                "has its children forked by the fork server, so the article's claims read "
                "as their forkserver rows by default: a closure target fails "
                "(process.closure-target), an unguarded script fails "
                "(process.main-guard), a child does not see the parent's state "
                "(ipc.no-shared-data), its OS parent is the fork server "
                "(basics.process-identity), and a closed pool leaves no zombies "
                "(pool.idle-workers). "
                "macOS defaults to spawn, Windows has spawn only; forking while other "
                "threads run emits a DeprecationWarning that the default filters hide.",
                python=">=3.14",
                libraries=("multiprocessing",),
            ),
            holds(),
        ),
        per_method=False,
        beyond=True,
    ),
]

"""Docs chapter `process-api`: the Process class, in full (the reference's "Process
and exceptions" section, and What's New in 3.14 for Process.interrupt)."""

from mpspec.registry import Claim, fails, holds, na, partly

BILLIARD = ("billiard",)
# billiard's fork server learns a child's exit code only from the child itself: a
# child killed by a signal is reported as 255 (see support.unreported_exitcode).
BILLIARD_255 = (
    "billiard's fork server reports 255 for a child killed by a signal, not -N: it "
    "learns exit codes only from children that return through their bootstrap."
)

CLAIMS = [
    Claim(
        id="process-api.daemon-kwarg",
        cite="Process and exceptions › Process",
        statement="Process takes daemon as a keyword-only argument that sets the daemon "
        "flag; left at None, the flag is inherited from the process that creates the "
        "object.",
        explanation="daemon=True sets the flag; a Process created in the (non-daemonic) "
        "main process is not daemonic, one created inside a daemonic child is; "
        "daemon=False overrides the inheritance; passing daemon positionally is a "
        "TypeError.",
        verdicts=(
            partly(
                "billiard's Process(group, target, name, args, kwargs, daemon, **_kw) takes "
                "daemon positionally too, and silently accepts any unknown keyword; the "
                "flag and its inheritance behave as documented.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.target-none",
        cite="Process and exceptions › Process (target)",
        statement="A Process with no target runs a run() that does nothing, and the "
        "child exits cleanly.",
        explanation="Process() with target None starts, does nothing and ends with "
        "exitcode 0.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.kwargs-forwarded",
        cite="Process and exceptions › Process (args, kwargs)",
        statement="The target is called with args as positional and kwargs as keyword "
        "arguments, and with no arguments at all when neither is given.",
        explanation="The child's target receives exactly args and kwargs; with neither "
        "given it is called with no arguments (the kwargs default became None in 3.14, "
        "with the same effect).",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.subclass-init-required",
        cite="Process and exceptions › Process (subclass constructors)",
        statement="A subclass that overrides __init__ must call Process.__init__ before "
        "doing anything else to the process.",
        explanation="Without the base constructor the object has none of its state: "
        "start() fails in the parent with AttributeError (a missing internal "
        "attribute) before any child exists. Calling it late is not enough either: a name assigned before "
        "Process.__init__ is silently replaced by the default name.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="process-api.start-once",
        cite="Process and exceptions › start()",
        statement="start() may be called at most once on a Process object.",
        explanation="A second start() raises AssertionError('cannot start a process "
        "twice') and starts nothing.",
        verdicts=(
            fails(
                "Under -O the guard is an assert and is gone: a second start() launches a "
                "second child (the first one keeps running unobserved) and then raises "
                "AttributeError in the parent, since the first start() deleted the target "
                "it now deletes again; the second child's run() fails the same way "
                "(exitcode 1). billiard keeps the target: no error, the target runs twice.",
                optimize=True,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="process-api.join-timeout-returns-none",
        cite="Process and exceptions › join()",
        statement="join(timeout) returns None whether the process ended or the timeout "
        "ran out; exitcode tells the two apart.",
        explanation="join(0.2) on a running child waits about 0.2 s and returns None with "
        "is_alive() True and exitcode None; after the child ends join returns None too, "
        "with exitcode set.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.join-repeatable",
        cite="Process and exceptions › join()",
        statement="A process can be joined many times.",
        explanation="join() after the child has ended returns at once, any number of "
        "times, and the exitcode stays the same.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.join-self-or-unstarted-error",
        cite="Process and exceptions › join()",
        statement="Joining a process that has not been started, or a process joining "
        "itself, is an error.",
        explanation="join() on an unstarted Process raises AssertionError('can only join "
        "a started process'); current_process().join() raises AssertionError('can only "
        "join a child process'), in the main process and in a child.",
        verdicts=(
            holds(
                "Under -O the asserts are gone, but both are still errors, of another "
                "kind: AttributeError ('NoneType' object has no attribute 'wait'), since "
                "neither object has a Popen to wait on.",
                optimize=True,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.default-name-pattern",
        cite="Process and exceptions › name",
        statement="A process given no name is called 'Process-N1:N2:...:Nk', each N "
        "counting the processes its creator has made; several processes may share a "
        "name.",
        explanation="The prefix is the class name, not 'Process': a context's Process is "
        "'ForkProcess-N', 'SpawnProcess-N' or 'ForkServerProcess-N' and a subclass uses "
        "its own name; only the default context's multiprocessing.Process gives "
        "'Process-N'. The counter part holds: N counts every Process object its creator "
        "has constructed (started or not), and a child's objects add ':M' to the "
        "child's own numbers. Explicit names may repeat.",
        verdicts=(partly(),),
    ),
    Claim(
        id="process-api.is-alive-window",
        cite="Process and exceptions › is_alive()",
        statement="is_alive() is true from the moment start() returns until the child "
        "terminates, and false before and after.",
        explanation="False before start(), True while the child runs, False once it has "
        "ended, even before anyone joins it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.daemon-before-start",
        cite="Process and exceptions › daemon",
        statement="The daemon flag must be set before start() is called; its initial "
        "value comes from the creating process.",
        explanation="Setting daemon after start() raises AssertionError('process has "
        "already started'); a Process created in the main process starts with "
        "daemon False.",
        verdicts=(
            fails(
                "Under -O the assert is gone: assigning daemon after start() silently "
                "changes the flag in the parent (the running child keeps its own).",
                optimize=True,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="process-api.daemon-no-children",
        cite="Process and exceptions › daemon",
        statement="A daemonic process is not allowed to create child processes.",
        explanation="start() in a daemonic child raises AssertionError('daemonic "
        "processes are not allowed to have children').",
        verdicts=(
            fails(
                "billiard dropped the check: a daemonic child starts its own children "
                "(Celery's pool relies on it).",
                libraries=BILLIARD,
            ),
            fails(
                "Under -O the check, an assert, is gone: a daemonic child starts children.",
                optimize=True,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.daemon-killed-at-exit",
        cite="Process and exceptions › daemon",
        statement="When a process exits it terminates its daemonic children "
        "rather than waiting for them, which is why daemonic processes may not have "
        "children: those would be left orphaned.",
        explanation="At exit the library's exit handler sends SIGTERM to every daemonic "
        "child and reaps it: the parent exits at once, the daemon dies with "
        "-SIGTERM and its finally blocks never run. Its own children cannot exist "
        "(start() refuses them).",
        verdicts=(
            fails(
                "billiard does not terminate daemonic children at exit: its util imports "
                "multiprocessing.util's exit handler, which walks multiprocessing's list "
                "of children, not billiard's. The parent exits, the daemon lives on "
                "(re-parented to init) and runs to the end, finally block included; and "
                "since billiard lets a daemon have children, those are orphaned too.",
                libraries=BILLIARD,
            ),
            holds(
                "The daemon is terminated (-SIGTERM) at exit and its finally block does "
                "not run; under -O the daemon could start a child (the assert is gone), "
                "and that child is left running as an orphan: the very case the rule is "
                "there to prevent.",
                optimize=True,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.pid-none-before-start",
        cite="Process and exceptions › pid",
        statement="pid is None before the process is started, and the child's process "
        "ID afterwards.",
        explanation="pid (and ident) is None before start(); afterwards it equals the "
        "os.getpid() the child sees, and it stays readable after the child ends.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.exitcode-values",
        cite="Process and exceptions › exitcode",
        statement="exitcode is None while the child runs, 0 when its run() returned, "
        "and -N when it was killed by signal N.",
        explanation="None while running, 0 after a normal return, -15 after terminate() "
        "(SIGTERM) and -9 after SIGKILL (POSIX).",
        verdicts=(
            partly(BILLIARD_255, methods=("forkserver",), libraries=BILLIARD),
            holds(),
        ),
    ),
    Claim(
        id="process-api.exitcode-sysexit",
        cite="Process and exceptions › exitcode (implied)",
        statement="A child that calls sys.exit(n) ends with exitcode n, and one that "
        "raises an uncaught exception ends with exitcode 1.",
        explanation="sys.exit(3) gives 3 and an uncaught ValueError gives 1 (its "
        "traceback goes to the child's stderr).",
        verdicts=(holds(),),
        beyond=True,
    ),
    Claim(
        id="process-api.authkey-random-main",
        cite="Process and exceptions › authkey",
        statement="When multiprocessing is initialised the main process gets a "
        "random authentication key (from os.urandom()).",
        explanation="Each fresh interpreter's main process has a 32-byte authkey (a bytes "
        "subclass, AuthenticationString) that differs from one interpreter to the next.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="process-api.authkey-inherited",
        cite="Process and exceptions › authkey",
        statement="A Process object inherits the authkey of the process that "
        "creates it, and assigning bytes to authkey replaces it.",
        explanation="The child's current_process().authkey equals its parent's; "
        "assigning p.authkey before start() gives the child that key instead (it "
        "travels to spawn and forkserver children inside the pickled process object).",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.sentinel-ready-on-exit",
        cite="Process and exceptions › sentinel",
        statement="sentinel is an OS handle (a file descriptor on POSIX) that becomes "
        "ready when the process ends, for use with connection.wait().",
        explanation="Before start() reading it raises ValueError; while the child runs "
        "select() finds it not ready; once the child has ended it is ready, "
        "connection.wait() returns it, and it stays the same descriptor after join().",
        verdicts=(
            partly(
                "Under fork the sentinel is the read end of a pipe whose write end the "
                "child holds, and every process the child forks inherits that write end: "
                "when the child dies (terminate()) while a fork-started grandchild runs, "
                "the sentinel stays unready until the grandchild ends too, and so a "
                "join(timeout) waits out its whole timeout (is_alive(), which asks "
                "waitpid(), is right). A spawn child that forks keeps its sentinel unready the "
                "same way; forkserver sentinels are written by the fork server and are "
                "immune. billiard's join() also closes the descriptor.",
                methods=("fork",),
            ),
            partly(
                "It becomes ready when the child ends, but billiard's join() closes the "
                "descriptor (to release it early) while p.sentinel still returns its "
                "number: after join() the sentinel names a closed, or reused, descriptor.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.terminate-sigterm-no-cleanup",
        cite="Process and exceptions › terminate()",
        statement="terminate() stops the process with SIGTERM on POSIX, and its exit "
        "handlers and finally clauses are not run.",
        explanation="The child dies of SIGTERM (exitcode -15) in the middle of a try "
        "block: neither its finally clause nor its atexit handler runs. (Left to end "
        "normally its finally clause runs; so do the atexit handlers it registered in "
        "spawn children, and from 3.13 (gh-83856) in fork and forkserver children too, "
        "which until then, like billiard's, left through os._exit.)",
        verdicts=(
            holds(
                "SIGTERM stops the child without cleanup, but billiard's fork server "
                "reports exitcode 255, not -15.",
                methods=("forkserver",),
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.terminate-orphans-grandchildren",
        cite="Process and exceptions › terminate()",
        statement="Terminating a process does not terminate its descendants: they are "
        "left orphaned.",
        explanation="The terminated child's own (non-daemonic) child keeps running after "
        "its parent died, re-parented; nothing stops it, and the program that "
        "terminated the child can exit without it.",
        verdicts=(
            holds(
                "The grandchild lives on, re-parented, and worse: the program cannot exit "
                "while it lives. multiprocess 0.70.19 on 3.12+ stops its resource tracker "
                "at exit with a blocking waitpid(), and the tracker runs until every "
                "holder of its pipe is gone, the orphan included (it inherited the "
                "descriptor). CPython 3.14 and 3.15 here stop their tracker at exit too, but "
                "wait for it at most 1 s (gh-146313).",
                methods=("spawn", "forkserver"),
                libraries=("multiprocess",),
                python=">=3.12",
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.terminate-corrupts-ipc",
        cite="Process and exceptions › terminate() (warning)",
        statement="Terminating a process that is using a pipe or queue can corrupt "
        "it, and terminating one that holds a lock or semaphore can deadlock the other "
        "processes.",
        explanation="A lock held by the terminated child is never released (acquire "
        "with a timeout fails in the parent; even a with block does not help); a child "
        "terminated in the middle of sending a message leaves a truncated one, and the "
        "reader fails with OSError('got end of file during message').",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.kill-sigkill",
        cite="Process and exceptions › kill() (3.7)",
        statement="kill() is terminate() with SIGKILL instead of SIGTERM.",
        explanation="A child that ignores SIGTERM survives terminate() but not kill(); "
        "its exitcode is then -9.",
        verdicts=(
            fails(
                "billiard's Process has no kill() (AttributeError); it has "
                "terminate_controlled() instead, and SIGKILL must be sent with os.kill.",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.close-running-valueerror",
        cite="Process and exceptions › close() (3.7)",
        statement="close() raises ValueError while the process is still running.",
        explanation="close() on a running child raises ValueError ('Cannot close a "
        "process while it is still running') and leaves the object usable; once the "
        "child has been joined close() succeeds.",
        verdicts=(
            fails(
                "billiard 4.2 (the last release for Python 3.8 and 3.9) has no such check: "
                "close() on a running child just closes its sentinel descriptor, after "
                "which join(timeout) fails with TypeError and, under forkserver, the exit "
                "status can never be read (is_alive() raises TypeError too). billiard 4.3 "
                "(Python 3.10+) raises ValueError as documented.",
                libraries=BILLIARD,
                python="<3.10",
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.closed-object-valueerror",
        cite="Process and exceptions › close() (3.7)",
        statement="Once close() has succeeded, most methods and attributes of the "
        "Process object raise ValueError.",
        explanation="After close(), start, join, is_alive, terminate, kill, pid, ident, "
        "exitcode and sentinel raise ValueError('process object is closed'); name, "
        "daemon and authkey stay readable, close() may be repeated, and the repr says "
        "'closed'.",
        verdicts=(
            fails(
                "billiard 4.2 (the last release for Python 3.8 and 3.9) keeps no closed "
                "state: close() only closes the sentinel descriptor, and pid, exitcode, "
                "is_alive() and join() go on working afterwards.",
                libraries=BILLIARD,
                python="<3.10",
            ),
            holds(
                "As documented, for every method billiard's Process has (it has no kill()).",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.creator-only-methods",
        cite="Process and exceptions › Process (methods for the creating process)",
        statement="start(), join(), is_alive(), terminate() and exitcode are to be used "
        "only by the process that created the Process object.",
        explanation="Only partly enforced: in a fork child handed a started Process "
        "object, exitcode reads None without complaint and terminate() works (a plain kill "
        "of the pid), while is_alive() ('can only test a child process'), join() ('can "
        "only join a child process') and start() raise AssertionError.",
        verdicts=(
            partly(
                "multiprocess pickles the started object with dill, Popen and all: in "
                "another process is_alive() and join() raise AssertionError (under -O they "
                "run unguarded), but terminate() kills the child; exitcode there polls "
                "whatever descriptor carries the sentinel's number (forkserver: garbage "
                "such as 255, or an error).",
                methods=("spawn", "forkserver"),
                libraries=("multiprocess",),
            ),
            partly(
                "billiard's Popen pickles: in another process is_alive() and join() raise "
                "AssertionError (under -O they run unguarded), but terminate() kills the "
                "child; exitcode there polls whatever descriptor carries the sentinel's "
                "number (forkserver: ValueError 'invalid file descriptor', or garbage).",
                methods=("spawn", "forkserver"),
                libraries=BILLIARD,
            ),
            holds(
                "A started Process object cannot reach another process at all: pickling it "
                "for a spawn or forkserver child fails in start() with TypeError (its Popen "
                "holds a weakref finalizer; PyPy: pickle.PicklingError), and sending it on "
                "a pipe fails with TypeError (AuthenticationString refuses to be pickled "
                "outside spawning).",
                methods=("spawn", "forkserver"),
            ),
            partly(
                "Under -O nothing is enforced (the checks are asserts): in another process "
                "is_alive() and join(0) return without error, with answers that mean "
                "nothing there, and terminate() still kills.",
                optimize=True,
            ),
            partly(),
        ),
    ),
    Claim(
        id="process-api.repr-states",
        cite="Process and exceptions › Process (example session)",
        statement="A Process's repr shows its state: initial, then started, then "
        "stopped with its exit code (exitcode=-SIGTERM after terminate()).",
        explanation="repr reads '<ForkProcess name=... parent=... initial>', then '... "
        "pid=... started>', then '... stopped exitcode=-SIGTERM>' after terminate().",
        verdicts=(
            partly(
                "billiard's repr has another format, '<ForkProcess(ForkProcess-1, "
                "stopped[SIGTERM])>', and under forkserver shows 'stopped[255]' (its fork "
                "server reports 255 for a child killed by a signal).",
                libraries=BILLIARD,
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.active-children-list",
        cite="Process and exceptions › active_children()",
        statement="active_children() returns the live children of the calling process.",
        explanation="With two children running it lists exactly those two; once they "
        "have ended it returns an empty list.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.active-children-reaps",
        cite="Process and exceptions › active_children()",
        statement="Calling active_children() joins any children that have already "
        "finished.",
        explanation="A finished child that nobody joined is a zombie until "
        "active_children() reaps it (and records its exitcode).",
        verdicts=(
            holds(
                "A forkserver child is the fork server's child, not ours: the server reaps "
                "it, so it is never our zombie; active_children() collects its exit status "
                "from the server and drops it from the list.",
                methods=("forkserver",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="process-api.current-process",
        cite="Process and exceptions › current_process()",
        statement="current_process() returns the Process object of the running process.",
        explanation="In the main process it is named 'MainProcess' with pid os.getpid(); "
        "in a child it has the name and pid the parent's Process object shows.",
        verdicts=(holds(),),
    ),
    Claim(
        id="process-api.parent-process",
        cite="Process and exceptions › parent_process() (3.8)",
        statement="parent_process() returns the Process object of the parent process, "
        "and None in the main process.",
        explanation="None in the main process; in a child, an object with the parent's "
        "pid and name.",
        verdicts=(
            fails("billiard has no parent_process().", libraries=BILLIARD),
            holds(),
        ),
    ),
    Claim(
        id="process-api.interrupt-sigint-314",
        cite="What's New in 3.14 › multiprocessing (Process.interrupt)",
        statement="Process.interrupt() (new in 3.14) stops the child with SIGINT, so it "
        "can clean up: its finally clauses run.",
        explanation="The child gets KeyboardInterrupt where it is, its finally clause "
        "runs, and it ends with exitcode 1 (the uncaught KeyboardInterrupt).",
        verdicts=(
            na("Process.interrupt() exists from Python 3.14", python="<3.14"),
            fails("billiard's Process has no interrupt().", libraries=BILLIARD),
            holds(),
        ),
    ),
]

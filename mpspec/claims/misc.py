"""Docs chapter `misc`: cpu_count, freeze_support, exceptions, logging,
multiprocessing.dummy and ThreadPool."""

from mpspec.registry import Claim, fails, holds, na, partly

CLAIMS = [
    Claim(
        id="misc.main-importable",
        cite="Using a pool of workers (the note under the first example)",
        statement="Children must be able to import the __main__ module: a pool's spawn or "
        "forkserver workers cannot use a function defined in a main module that has no "
        "file, as at the interactive prompt.",
        explanation="Run from -c (no __main__.__file__, as at the prompt), every worker that "
        "takes a task dies unpickling it with AttributeError (\"Can't get attribute 'double' "
        "on <module '__main__' (built-in)>\" up to 3.12, \"... (<class "
        "'_frozen_importlib.BuiltinImporter'>)>\" in 3.13, \"module '__main__' has no "
        "attribute 'double'\" from 3.14); the pool replaces it and map never returns. Read "
        "from stdin (python -), __main__.__file__ is '<stdin>': every worker dies at start-up "
        "with FileNotFoundError trying to run '<cwd>/<stdin>', and the pool keeps replacing "
        "them.",
        verdicts=(
            fails(
                "Under fork the worker is a copy of the parent and never imports __main__: a "
                "function of a -c or stdin program works in the pool.",
                methods=("fork",),
            ),
            partly(
                "multiprocess pickles functions of __main__ by value (dill): a -c program's "
                "function runs in forkserver workers. A program read from stdin fails earlier: "
                "multiprocess's copies for 3.13+ have the fork server import the main module at "
                "start-up (as the standard library does from 3.14), so with '<stdin>' the server "
                "dies of FileNotFoundError and Pool() raises ConnectionResetError in the parent.",
                methods=("forkserver",),
                python=">=3.13",
                libraries=("multiprocess",),
            ),
            partly(
                "multiprocess pickles functions of __main__ by value (dill): a -c program's "
                "function runs in spawn and forkserver workers. A program read from stdin still "
                "fails: its workers die with FileNotFoundError re-running '<cwd>/<stdin>'.",
                libraries=("multiprocess",),
            ),
            holds(
                "As with multiprocessing, with two differences: billiard's fork server reports "
                "the dead workers' exitcode as 255, not 1; and billiard 4.2 (before 4.3) treats a "
                "main module without __spec__ (stdin) as importable by name, so its workers die "
                "of the AttributeError, not of FileNotFoundError.",
                libraries=("billiard",),
            ),
            holds(
                "From -c as in other versions. From stdin it fails earlier: since 3.14 the fork "
                "server itself imports the main module at start-up (before, the main path never "
                "reached it); with '<stdin>' the 3.14 server dies of FileNotFoundError, and "
                "Pool() raises ConnectionResetError in the parent. (3.15 ignores preload "
                "failures by default: set_forkserver_preload(on_error='ignore').)",
                methods=("forkserver",),
                python="==3.14",
            ),
            holds(),
        ),
    ),
    Claim(
        id="misc.exception-hierarchy",
        cite="Exceptions",
        statement="ProcessError is the base class of multiprocessing's exceptions: "
        "BufferTooShort, AuthenticationError and TimeoutError derive from it.",
        explanation="ProcessError derives from Exception and the three others from it; each "
        "is raised where documented (recv_bytes_into with a short buffer, a handshake with the "
        "wrong key, AsyncResult.get past its timeout) and can be caught as ProcessError. "
        "multiprocessing.TimeoutError is not the built-in TimeoutError.",
        verdicts=(
            partly(
                "billiard re-exports the standard library's four classes themselves, but its own "
                "exceptions (TimeLimitExceeded, SoftTimeLimitExceeded, WorkerLostError, ...) derive "
                "from Exception, not from ProcessError.",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.cpu-count-not-usable",
        cite="Miscellaneous › cpu_count()",
        statement="cpu_count() is the number of CPUs in the system, not the number the "
        "current process may use (len(os.sched_getaffinity(0)) gives that).",
        explanation="cpu_count() returns os.cpu_count(): a process pinned to one CPU still "
        "gets the machine's count, while len(os.sched_getaffinity(0)), and from 3.13 "
        "os.process_cpu_count(), give 1.",
        verdicts=(
            holds(
                "PyPy 3.9's os has no sched_getaffinity/sched_setaffinity (the probe pins and "
                "counts through psutil); cpu_count() still ignores the affinity.",
                implementations=("PyPy",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.freeze-support-noop",
        cite="Miscellaneous › freeze_support() (changed in 3.14)",
        statement="freeze_support() does nothing except in a frozen Windows program, where it "
        "must be called first thing in the main module; a frozen Windows program without it "
        "raises RuntimeError when it starts a process.",
        explanation="In a program that is not frozen it returns at once, even with a spawned "
        "child's argv, and children start normally with every method. In a frozen program "
        "simulated on Linux (sys.frozen, and an executable that runs the script) it does "
        "nothing either: the spawned child goes on through main as if it were the parent, "
        "with or without the call. The frozen-Windows part is registered for win32 from the "
        "source: there, omitting the call raises no RuntimeError either.",
        verdicts=(
            partly(
                "From the source (context.freeze_support, spawn.freeze_support, unchanged in "
                "substance 3.8-3.15): a frozen Windows program's freeze_support() runs the "
                "spawned child's code and exits. Without it the child runs main as a parent and "
                "starts processes again (without end); multiprocessing raises no RuntimeError "
                "for it (its bootstrapping check only covers children inside spawn_main).",
                platforms=("win32",),
            ),
            holds(
                "billiard's freeze_support() is Windows-only (and its frozen children get "
                "--billiard-fork): a no-op here, frozen or not.",
                libraries=("billiard",),
            ),
            holds(
                "multiprocess's copies for 3.13+ act only when get_start_method() is 'spawn' "
                "(and that call fixes the default start method); here the default is fork "
                "(forkserver from 3.14), so it does nothing, frozen or not.",
                python=">=3.13",
                libraries=("multiprocess",),
            ),
            partly(
                "Not frozen, it still does nothing. But since 3.14 (gh-80334) it acts on every "
                "platform whose start method is spawn (or not yet set): in the simulated frozen "
                "program on Linux it runs the spawned child's target and exits, as the 3.14 docs "
                "now say. A frozen child without it still re-runs main as the parent; no "
                "RuntimeError.",
                python=">=3.14",
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.logging-mixed",
        cite="Logging",
        statement="logging uses no process-shared locks, so records logged by different "
        "processes may get mixed up, depending on the handler.",
        explanation="A handler's lock is a thread RLock of each process: a fork child takes "
        "its copy of log_to_stderr()'s handler lock while the parent holds its own. Records "
        "longer than a pipe's buffer that several processes log through stream handlers to "
        "one pipe come out mixed; a FileHandler (append mode) writes each record with one "
        "O_APPEND write, so on Linux its records stay whole.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="misc.get-logger-defaults",
        cite="Logging › get_logger()",
        statement="get_logger() returns multiprocessing's logger, created on first use with "
        "level NOTSET, no handler, and no propagation to the root logger.",
        explanation="The first get_logger() makes the logging module's 'multiprocessing' "
        "logger with level 0 (NOTSET), no handlers and propagate = 0 (falsy; an int, not "
        "False): the root logger's handlers never see its records. With no handler at all, "
        "logging's last-resort handler still prints a WARNING's bare message to stderr.",
        verdicts=(
            partly(
                "multiprocess's logger is named 'multiprocess', not 'multiprocessing'; its "
                "defaults are the same.",
                libraries=("multiprocess",),
            ),
            holds(
                "billiard's get_logger() returns the same 'multiprocessing' logger as the "
                "standard library's, with the same defaults.",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.logger-windows-level-only",
        cite="Logging › get_logger() (the note on Windows)",
        statement="A child inherits only the level of the parent's multiprocessing logger, "
        "none of its other customisation (the docs say so of Windows, where every child is "
        "spawned).",
        explanation="Spawned children get what spawn's preparation data carries: the logger's "
        "effective level (a NOTSET logger arrives as WARNING, the root's level) and, if the "
        "parent called log_to_stderr(), a new stderr handler with the default format. The "
        "parent's other handlers, its filters and propagate are lost.",
        verdicts=(
            partly(
                "From the source (spawn.get_preparation_data and prepare, the same 3.8-3.15): "
                "the child gets the logger's effective level, not its level, and a stderr "
                "handler again when the parent had called log_to_stderr(); other handlers, "
                "filters and propagate are lost.",
                platforms=("win32",),
            ),
            fails(
                "A fork child is a copy of the parent: it inherits the whole logger, its level "
                "(NOTSET stays NOTSET), every handler, the filters and propagate.",
                methods=("fork",),
            ),
            partly(
                "Under forkserver too: the fork server is not given the logger settings, but "
                "each child receives spawn's preparation data, so the child gets the effective "
                "level and, after log_to_stderr(), a stderr handler; nothing else.",
                methods=("forkserver",),
            ),
            partly(),
        ),
    ),
    Claim(
        id="misc.log-to-stderr-format",
        cite="Logging › log_to_stderr()",
        statement="log_to_stderr() returns multiprocessing's logger with a handler that writes "
        "to stderr in the format '[%(levelname)s/%(processName)s] %(message)s'.",
        explanation="It returns get_logger()'s logger, level untouched, with one StreamHandler "
        "on sys.stderr in exactly that format: a WARNING 'doomed' prints "
        "'[WARNING/MainProcess] doomed', and one from a fork child named Worker-7 prints "
        "'[WARNING/Worker-7] ...'.",
        verdicts=(
            partly(
                "In a child the records say MainProcess, not the child's name: logging takes "
                "processName from the standard library's multiprocessing module, which knows "
                "nothing of multiprocess's processes.",
                libraries=("multiprocess",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.log-manager-lifecycle",
        cite="Logging (the example session)",
        statement="With the logger at INFO, creating a Manager and deleting it logs the "
        "manager process starting, its temp directory, the address it serves at, the "
        "shutdown message, and 'manager exiting with exitcode 0'.",
        explanation="The manager process logs 'child process calling self.run()', 'created "
        "temp directory ...' and \"manager serving at '.../listener-...'\"; `del m` makes the "
        "parent log 'sending shutdown message to manager', and the manager 'process shutting "
        "down' and 'process exiting with exitcode 0' (in the other order from 3.13). The "
        "docs' last line, 'manager exiting with exitcode 0', is never printed. Under "
        "forkserver the parent also logs a 'created temp directory' of its own.",
        verdicts=(
            partly(
                "The same lines as on CPython (the last is 'process exiting with exitcode 0', "
                "never 'manager exiting ...'), but `del m` does not shut the manager down: PyPy "
                "frees it only at a garbage collection, so the shutdown message and the manager's "
                "exit lines come at interpreter exit.",
                implementations=("PyPy",),
            ),
            partly(
                "The same lines, but the manager process's all say MainProcess: logging takes "
                "processName from the standard library's multiprocessing.",
                libraries=("multiprocess",),
            ),
            partly(
                "billiard logs 'child process <pid> calling self.run()', 'manager serving at "
                "...', 'sending shutdown message to manager' and 'process <pid> exiting with "
                "exitcode 0'; no 'created temp directory' and no 'process shutting down'.",
                libraries=("billiard",),
            ),
            partly(
                "As before, but the address is '.../sock-...' (3.14 renamed the temporary "
                "socket files) and 'process exiting with exitcode 0' comes before 'process "
                "shutting down'; never 'manager exiting with exitcode 0'.",
                python=">=3.14",
            ),
            partly(),
        ),
    ),
    Claim(
        id="misc.dummy-threads",
        cite="The multiprocessing.dummy module",
        statement="multiprocessing.dummy offers multiprocessing's API backed by threads; its "
        "Pool() returns a ThreadPool.",
        explanation="dummy.Process is a threading.Thread subclass (its target runs in this "
        "process, exitcode 0 once finished), dummy.Queue is queue.Queue, current_process is "
        "threading.current_thread, and Pool() returns a ThreadPool whose map runs in the "
        "calling process and accepts lambdas (nothing is pickled).",
        verdicts=(
            partly(
                "billiard.dummy has the thread-backed Process, Queue, locks and the rest, but its "
                "Pool() fails: billiard's ThreadPool raises AttributeError (\"'Queue' object has "
                "no attribute '_writer'\") when created.",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.threadpool-interface",
        cite="The multiprocessing.dummy module › ThreadPool (os.process_cpu_count from 3.13)",
        statement="ThreadPool has Pool's interface but uses threads: by default one per CPU "
        "(os.cpu_count(); os.process_cpu_count() from 3.13), an initializer run by each "
        "worker, and no maxtasksperchild or context.",
        explanation="Every Pool method works and runs in this process, on the pool's threads; "
        "the initializer runs once per worker thread; ThreadPool() without a size has "
        "os.cpu_count() threads up to 3.12 and os.process_cpu_count() from 3.13 (1 when "
        "pinned to one CPU); maxtasksperchild= or context= raise TypeError, and the "
        "half-made pool's __del__ then reports an ignored AttributeError (no '_state').",
        verdicts=(
            fails(
                "billiard's ThreadPool cannot be created: ThreadPool(2) raises AttributeError "
                "(\"'Queue' object has no attribute '_writer'\"); it does reject "
                "maxtasksperchild= with TypeError.",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.threadpool-must-close",
        cite="The multiprocessing.dummy module › ThreadPool; Process Pools (the warning)",
        statement="A ThreadPool's resources must be released with `with` or "
        "close()/terminate(), as a Pool's; otherwise the process may hang at finalization.",
        explanation="An unclosed ThreadPool keeps its 2 worker and 3 handler threads as long "
        "as it is referenced; terminate(), the with block or close()+join() end them. "
        "Dropping the last reference to a running pool emits ResourceWarning 'unclosed "
        "running multiprocessing pool' (Pool.__del__, 3.8+), and its finalizer then stops the "
        "threads. The hang was not reproduced: a program that exits with an unclosed pool and "
        "a task still running exits at once (the atexit finalizer terminates the pool).",
        verdicts=(
            na(
                "billiard's ThreadPool cannot be created (AttributeError: 'Queue' object has no "
                "attribute '_writer')",
                libraries=("billiard",),
            ),
            partly(
                "As on CPython, except that a dropped pool's threads end only once the garbage "
                "collector frees it, a collection after the one that runs __del__ (PyPy has no "
                "reference counting).",
                implementations=("PyPy",),
            ),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="misc.cpu-count-env-override-313",
        cite="What's New in 3.13 › os (PYTHON_CPU_COUNT, -X cpu_count)",
        statement="From 3.13 the PYTHON_CPU_COUNT environment variable and the -X cpu_count "
        "option override os.cpu_count() and os.process_cpu_count(), hence "
        "multiprocessing.cpu_count() and the default size of a Pool.",
        explanation="With PYTHON_CPU_COUNT=3 or -X cpu_count=3, os.cpu_count(), "
        "os.process_cpu_count() and multiprocessing.cpu_count() are all 3, even in a process "
        "pinned to one CPU, and Pool() and ThreadPool() (sized by os.process_cpu_count() "
        "from 3.13) start 3 workers.",
        verdicts=(
            na("PYTHON_CPU_COUNT and -X cpu_count arrived in Python 3.13", python="<3.13"),
            holds(),
        ),
        per_method=False,
    ),
]
